"""The audit pages: a team's owners read their team's events, staff read everything, others get 404."""
from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from studio.accounts.models import Team
from studio.audit.models import AuditEvent
from studio.audit.services import purge_old_events, record
from studio.audit.tasks import purge_old_events as purge_task
from studio.ops.views import audit as audit_views

pytestmark = pytest.mark.django_db


@pytest.fixture
def events(people, team):
    other = Team.objects.create(name="Elsewhere")
    record("image.trashed", actor=people["teammate"], team=team, object_type="image", object_id=1, summary="a fox")
    record("share_link.created", actor=people["owner"], team=team, object_type="sharelink", object_id=2,
           summary="=HYPERLINK(\"http://evil.example\")")
    record("job.submitted", actor=people["outsider"], team=other, object_type="job", object_id=3, summary="not yours")
    return other


@pytest.fixture
def staff(db):
    return get_user_model().objects.create_user(username="operator", password="pw", is_staff=True)


@pytest.mark.parametrize("who, status", [("owner", 200), ("teammate", 404), ("viewer", 404), ("outsider", 404)])
def test_team_audit_is_for_the_team_owners(client, people, team, events, who, status):
    client.force_login(people[who])
    assert client.get(f"/teams/{team.slug}/audit/").status_code == status
    assert client.get(f"/teams/{team.slug}/audit.csv").status_code == status


def test_a_missing_team_looks_like_a_team_you_do_not_own(client, people):
    client.force_login(people["owner"])
    assert client.get("/teams/no-such-team/audit/").status_code == 404


def test_anonymous_people_are_sent_to_sign_in(client, team):
    assert client.get(f"/teams/{team.slug}/audit/")["Location"].startswith("/accounts/login/")


def test_owners_see_only_their_team(client, people, team, events):
    client.force_login(people["owner"])
    page = client.get(f"/teams/{team.slug}/audit/").content.decode()
    assert "a fox" in page and "HYPERLINK" in page and "not yours" not in page


@pytest.mark.parametrize("who, status", [("owner", 404), ("outsider", 404)])
def test_everyone_audit_is_for_staff(client, people, who, status):
    client.force_login(people[who])
    assert client.get("/ops/audit/").status_code == status


def test_staff_read_every_team_and_filter_by_team(client, staff, team, events):
    client.force_login(staff)
    page = client.get("/ops/audit/").content.decode()
    assert "a fox" in page and "not yours" in page
    page = client.get("/ops/audit/", {"team": "elsewhere"}).content.decode()
    assert "not yours" in page and "a fox" not in page


def test_filters_by_person_action_and_dates(client, people, team, events):
    client.force_login(people["owner"])
    url = f"/teams/{team.slug}/audit/"
    assert "a fox" not in client.get(url, {"person": "owner"}).content.decode()
    assert "a fox" in client.get(url, {"action": "image.trashed"}).content.decode()
    today = timezone.localdate()
    assert "a fox" not in client.get(url, {"since": str(today + timedelta(days=1))}).content.decode()
    assert "a fox" in client.get(url, {"since": str(today), "until": str(today)}).content.decode()


def test_bad_filters_are_named_and_ignored(client, people, team, events):
    client.force_login(people["owner"])
    resp = client.get(f"/teams/{team.slug}/audit/", {"since": "yesterday", "action": "image.exploded"})
    page = resp.content.decode()
    assert resp.status_code == 200
    assert "Enter a valid date." in page and "Select a valid choice." in page
    assert "a fox" in page  # the bad filters are not applied
    resp = client.get(f"/teams/{team.slug}/audit/", {"since": "2026-05-02", "until": "2026-05-01"})
    assert "The end date is before the start date." in resp.content.decode()


def test_pages_are_cut_by_a_keyset_cursor(client, people, team, monkeypatch):
    monkeypatch.setattr(audit_views, "PAGE_SIZE", 2)
    start = timezone.now() - timedelta(hours=1)
    AuditEvent.objects.bulk_create([AuditEvent(action="image.trashed", team=team, team_name=team.name,
                                               summary=f"event {i}", time=start + timedelta(minutes=i // 2))
                                    for i in range(5)])  # equal times, so the id breaks ties
    client.force_login(people["owner"])
    seen, url, query = [], f"/teams/{team.slug}/audit/", {"action": "image.trashed"}
    while True:
        resp = client.get(url, query)
        seen += [e.summary for e in resp.context["events"]]
        if not resp.context["next_query"]:
            break
        query = dict(pair.split("=") for pair in resp.context["next_query"].split("&"))
        assert query["action"] == "image.trashed"  # the filters carry over
    assert seen == [f"event {i}" for i in (4, 3, 2, 1, 0)]


def test_page_queries_do_not_grow_with_the_page(client, people, team, django_assert_max_num_queries):
    AuditEvent.objects.bulk_create([AuditEvent(action="sign_in", team=team, summary=f"e{i}") for i in range(150)])
    client.force_login(people["owner"])
    with django_assert_max_num_queries(8):
        assert client.get(f"/teams/{team.slug}/audit/").status_code == 200


def test_csv_is_formula_safe_and_filtered(client, people, team, events):
    client.force_login(people["owner"])
    resp = client.get(f"/teams/{team.slug}/audit.csv", {"action": "share_link.created"})
    assert resp["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(resp.streaming_content).decode())))
    assert len(rows) == 1
    assert rows[0]["summary"] == "'=HYPERLINK(\"http://evil.example\")"
    assert rows[0]["person"] == "owner" and rows[0]["team"] == "Design" and rows[0]["action"] == "share_link.created"


def test_beat_purges_events_older_than_the_retention(settings, people):
    settings.STUDIO_AUDIT_DAYS = 400
    AuditEvent.objects.bulk_create([AuditEvent(action="sign_in", time=timezone.now() - timedelta(days=401)),
                                    AuditEvent(action="sign_in", time=timezone.now() - timedelta(days=399))])
    assert purge_task.apply().get() == 1
    assert AuditEvent.objects.count() == 1
    assert purge_old_events() == 0


def test_the_audit_admin_cannot_change_or_delete(admin_client, people):
    event = record("sign_in", actor=people["owner"])
    assert admin_client.get(f"/admin/audit/auditevent/{event.pk}/change/").status_code == 200
    assert admin_client.post(f"/admin/audit/auditevent/{event.pk}/delete/", {"post": "yes"}).status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk).exists()
