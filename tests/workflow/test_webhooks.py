"""Webhooks (issue 19): owners register them, deliveries are signed, retried after a failure, logged per
attempt, and go only where the outbound guard lets them (a real receiver on loopback, allowed by host:port)."""
import hashlib
import hmac
import json

import pytest
from django.utils import timezone

from studio.audit.models import AuditEvent
from studio.generation.models import Job
from studio.workflow import review_services, settled_work, webhook_services
from studio.workflow.models import Webhook, WebhookDelivery
from tests.gallery.factories import make_image
from tests.workflow.receivers import Receiver

pytestmark = pytest.mark.django_db


@pytest.fixture
def receiver(settings):
    found = Receiver(failures=1)
    settings.STUDIO_WEBHOOK_ALLOWED_HOSTS = [found.host_port]
    yield found
    found.close()


def _register(client, team, url, events=("image.approved",)):
    return client.post(f"/teams/{team.slug}/webhooks/", {"url": url, "events": list(events), "active": "on"})


def _due_now(delivery):
    WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())


def test_a_delivery_that_fails_once_is_retried_signed_and_logged_until_it_lands(client, people, team, receiver):
    client.force_login(people["owner"])
    response = _register(client, team, receiver.url)
    assert response.status_code == 302, response.content[:800]
    webhook = Webhook.objects.get(team=team)
    receiver.secret = webhook.secret
    assert AuditEvent.objects.filter(action="webhook.created").count() == 1

    image = make_image(people["teammate"], team, prompt="a lighthouse")
    review_services.move_review(image, user=people["teammate"], to="in_review")
    review_services.move_review(image, user=people["owner"], to="approved")
    delivery = WebhookDelivery.objects.get(webhook=webhook)
    assert delivery.event == "image.approved" and json.loads(delivery.body)["data"]["image"]["id"] == image.pk

    first = webhook_services.deliver(delivery.pk)
    delivery.refresh_from_db()
    assert first.status_code == 500 and "answered 500" in first.error
    assert delivery.status == "pending" and delivery.next_attempt_at > timezone.now()
    assert webhook_services.deliver(delivery.pk) is None  # not due yet: nothing is sent

    _due_now(delivery)
    second = webhook_services.deliver(delivery.pk)
    delivery.refresh_from_db()
    assert second.status_code == 204 and delivery.status == "delivered" and delivery.attempts == 2
    assert [ok for _, _, ok in receiver.received] == [True, True]  # both signed right, the same body both times
    assert receiver.received[0][1] == receiver.received[1][1] == delivery.body.encode()

    page = client.get(f"/teams/{team.slug}/webhooks/{webhook.pk}/").content.decode()
    assert "image.approved" in page and "Delivered" in page and "500 in" in page and "204 in" in page


def test_a_private_address_is_refused_with_the_reason_and_nothing_is_saved(client, people, team, receiver):
    client.force_login(people["owner"])
    for url in ("http://10.1.2.3/hook", "http://127.0.0.1:1/hook", "http://169.254.169.254/latest"):
        response = _register(client, team, url)
        assert response.status_code == 422
        assert "it is an internal address" in response.content.decode()
    assert not Webhook.objects.exists()


def test_a_refused_address_at_send_time_gives_up_at_once(people, team, settings, receiver):
    webhook = webhook_services.create_webhook(team=team, user=people["owner"], url=receiver.url,
                                              events=["job.done"])
    settings.STUDIO_WEBHOOK_ALLOWED_HOSTS = []  # the operator took the receiver off the list
    [delivery] = webhook_services.emit(team_id=team.pk, event="job.done", data={})
    attempt = webhook_services.deliver(delivery.pk)
    delivery.refresh_from_db()
    assert attempt.status_code is None and "internal address" in attempt.error and delivery.status == "failed"
    assert receiver.received == [] and webhook.deliveries.count() == 1


def test_settled_team_jobs_and_finished_batches_become_events_personal_ones_do_not(people, team, receiver):
    webhook_services.create_webhook(team=team, user=people["owner"], url=receiver.url,
                                    events=["job.done", "job.failed", "batch.done"])
    done = make_image(people["owner"], team).job
    failed = make_image(people["owner"], team).job
    Job.objects.filter(pk=failed.pk).update(status=Job.Status.FAILED)
    personal = make_image(people["owner"], None).job
    for job in (done, failed, personal):
        settled_work.job_settled(Job, job_id=job.pk, status="")
    events = sorted(WebhookDelivery.objects.values_list("event", flat=True))
    assert events == ["job.done", "job.failed"]


def test_only_owners_see_and_change_a_teams_webhooks(client, people, team, receiver):
    webhook = webhook_services.create_webhook(team=team, user=people["owner"], url=receiver.url, events=["job.done"])
    for who in ("teammate", "viewer", "outsider"):
        client.force_login(people[who])
        assert client.get(f"/teams/{team.slug}/webhooks/").status_code == 404
        assert client.post(f"/teams/{team.slug}/webhooks/{webhook.pk}/delete").status_code == 404
    client.force_login(people["owner"])
    response = client.post(f"/teams/{team.slug}/webhooks/{webhook.pk}/", {"url": receiver.url, "events": ["job.failed"]})
    assert response.status_code == 302
    webhook.refresh_from_db()
    assert webhook.events == ["job.failed"] and not webhook.active
    assert client.post(f"/teams/{team.slug}/webhooks/{webhook.pk}/delete").status_code == 302
    assert not Webhook.objects.exists()
    assert list(AuditEvent.objects.filter(action__startswith="webhook.").order_by("pk")
                .values_list("action", flat=True)) == ["webhook.created", "webhook.changed", "webhook.deleted"]


def test_the_signature_is_hmac_sha256_over_timestamp_and_body():
    header = webhook_services.signature("s3cret", 1700000000, b'{"a":1}')
    assert header == "t=1700000000,v1=" + hmac.new(b"s3cret", b'1700000000.{"a":1}', hashlib.sha256).hexdigest()


def test_a_team_batch_that_finishes_is_one_batch_done_event_with_its_counts(people, team, receiver):
    from studio.workflow import batch_services
    from studio.workflow.batch_rows import rows_from_lines
    from studio.workflow.models import Batch

    webhook_services.create_webhook(team=team, user=people["owner"], url=receiver.url, events=["batch.done"])
    batch = batch_services.submit_batch(user=people["owner"], team=team, name="posters", source=Batch.Source.LINES,
                                        model="dall-e-2", params={"size": "256x256"},
                                        rows=rows_from_lines("a red kite\na blue boat"))
    jobs = [item.job_id for item in batch.items.order_by("row")]
    Job.objects.filter(pk=jobs[0]).update(status=Job.Status.DONE)
    settled_work.job_settled(Job, job_id=jobs[0], status="")
    assert not WebhookDelivery.objects.filter(event="batch.done").exists()  # one job of two: not done yet
    Job.objects.filter(pk=jobs[1]).update(status=Job.Status.FAILED)
    settled_work.job_settled(Job, job_id=jobs[1], status="")
    settled_work.job_settled(Job, job_id=jobs[1], status="")  # a second delivery of the same news
    deliveries = list(WebhookDelivery.objects.filter(event="batch.done"))
    assert len(deliveries) == 1
    assert str(batch.pk) in deliveries[0].body and json.loads(deliveries[0].body)
