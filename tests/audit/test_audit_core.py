"""The audit trail's core: one way in (`record`), append-only rows, the request's who and where."""
from datetime import timedelta

import pytest
from django.utils import timezone

from studio.audit.context import bind
from studio.audit.models import AppendOnly, AuditEvent
from studio.audit.services import UnknownAction, record

pytestmark = pytest.mark.django_db


def test_record_keeps_who_where_and_what(people, team):
    with bind(request_id="req-1", ip="203.0.113.9", user_agent="curl/8"):
        event = record("member.added", actor=people["owner"], team=team, target=people["viewer"],
                       summary="viewer joined Design as viewer")
    event.refresh_from_db()
    assert (event.actor_name, event.team_name, event.object_type, event.object_id) == (
        "owner", "Design", "user", str(people["viewer"].pk))
    assert (event.ip, event.user_agent, event.request_id) == ("203.0.113.9", "curl/8", "req-1")


def test_unknown_actions_are_refused(people):
    with pytest.raises(UnknownAction):
        record("member.addded", actor=people["owner"])


def test_events_cannot_be_changed_or_deleted(people):
    event = record("sign_in", actor=people["owner"])
    event.summary = "changed"
    with pytest.raises(AppendOnly):
        event.save()
    with pytest.raises(AppendOnly):
        event.delete()
    with pytest.raises(AppendOnly):
        AuditEvent.objects.filter(pk=event.pk).update(summary="x")
    with pytest.raises(AppendOnly):
        AuditEvent.objects.all().delete()


def test_purge_removes_only_old_events(people):
    old = record("sign_in", actor=people["owner"])
    AuditEvent.objects.bulk_create([AuditEvent(action="sign_out", time=timezone.now() - timedelta(days=500))])
    assert AuditEvent.objects.purge_before(timezone.now() - timedelta(days=400)) == 1
    assert list(AuditEvent.objects.values_list("pk", flat=True)) == [old.pk]


def test_an_event_outlives_its_person(people):
    record("sign_in", actor=people["outsider"])
    people["outsider"].delete()
    event = AuditEvent.objects.get()
    assert event.actor is None and event.actor_name == "outsider"


def test_every_response_carries_a_request_id(client, people):
    client.force_login(people["owner"])
    assert len(client.get("/gallery/")["X-Request-ID"]) == 16
    assert client.get("/gallery/", HTTP_X_REQUEST_ID="proxy-abc")["X-Request-ID"] == "proxy-abc"
    assert client.get("/gallery/", HTTP_X_REQUEST_ID="bad id\n")["X-Request-ID"] != "bad id\n"
