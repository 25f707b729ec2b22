"""Notifications for work that finished while its page was closed, and for budget alerts (issue 19)."""
from decimal import Decimal

import pytest

from studio.generation import services as generation
from studio.generation.models import Job
from studio.spending import budgets
from studio.workflow import batch_services, settled_work, watching
from studio.workflow.batch_rows import rows_from_lines
from studio.workflow.models import Notification, NotificationSettings
from tests.gallery.factories import make_image

pytestmark = pytest.mark.django_db


def _batch(user, prompts=("a kite", "a boat")):
    return batch_services.submit_batch(user=user, team=None, name="Kites", source="lines", model="dall-e-2",
                                       params={"size": "256x256"}, rows=rows_from_lines("\n".join(prompts)))


def _finish(batch):
    jobs = list(Job.objects.filter(batch_item__batch=batch))
    Job.objects.filter(pk__in=[j.pk for j in jobs]).update(status=Job.Status.DONE)
    for job in jobs:
        settled_work.job_settled(Job, job_id=job.pk, status=Job.Status.DONE)


def test_a_form_job_that_ends_unwatched_tells_its_maker_a_watched_one_does_not(people, client):
    owner = people["owner"]
    unwatched, watched = make_image(owner, None).job, make_image(owner, None).job
    client.force_login(owner)
    assert client.get(f"/jobs/{watched.pk}/watching").status_code == 200  # the open job page's fragment
    assert client.get(f"/jobs/{watched.pk}/watching").content == b""
    for job in (unwatched, watched):
        settled_work.job_settled(Job, job_id=job.pk, status=job.status)
    [told] = Notification.objects.filter(recipient=owner)
    assert told.kind == "job_finished" and told.url == unwatched.get_absolute_url()
    client.force_login(people["outsider"])
    assert client.get(f"/jobs/{watched.pk}/watching").status_code == 404  # not theirs to watch


def test_a_batch_that_ends_unwatched_is_one_notification_and_one_mail(people, mailoutbox,
                                                                      django_capture_on_commit_callbacks):
    owner = people["owner"]
    owner.email = "owner@example.test"
    owner.save()
    batch = _batch(owner, ("a kite", "a boat", "a lighthouse"))
    with django_capture_on_commit_callbacks(execute=True):
        _finish(batch)
    [told] = Notification.objects.filter(recipient=owner)
    assert told.kind == "batch_finished" and "3 of 3 jobs done" in told.text  # not one per job
    assert [m.to for m in mailoutbox] == [["owner@example.test"]] and "Kites" in mailoutbox[0].subject
    assert batch.get_absolute_url() in mailoutbox[0].body


def test_a_watched_batch_or_mail_switched_off_sends_no_mail(people, client, mailoutbox,
                                                            django_capture_on_commit_callbacks):
    owner = people["owner"]
    owner.email = "owner@example.test"
    owner.save()
    client.force_login(owner)
    client.post("/notifications/settings", {"email_mentions": "1"})  # finished batches: off
    assert NotificationSettings.of(owner).email_batches is False
    with django_capture_on_commit_callbacks(execute=True):
        _finish(_batch(owner))
    assert mailoutbox == [] and Notification.objects.filter(kind="batch_finished").count() == 1
    watched = _batch(owner)
    assert client.get(f"/batches/{watched.pk}/progress").status_code == 200  # its page is open
    _finish(watched)
    assert Notification.objects.filter(kind="batch_finished").count() == 1
    assert watching.is_watching("batch", watched.pk, owner.pk)


def test_a_budget_alert_is_a_notification_too(people, team, django_capture_on_commit_callbacks):
    budgets.set_budget(actor=None, team=team, monthly_usd=Decimal("0.10"), hard=False)
    with django_capture_on_commit_callbacks(execute=True):
        generation.submit_job(user=people["teammate"], team=team, model="dall-e-2", prompt="a kite",
                              params={"size": "256x256", "n": 5})  # 0.080 of 0.10: 80 %
    [told] = Notification.objects.filter(recipient=people["owner"])
    assert told.kind == "budget" and "80 % used" in told.text and told.url == "/spend/"
    assert not Notification.objects.filter(recipient=people["teammate"]).exists()


def test_a_new_notification_is_pushed_to_its_persons_event_stream_only(transactional_db, people):
    import asyncio

    from asgiref.sync import async_to_sync, sync_to_async
    from django.test import AsyncClient

    from studio.generation.services import events
    from studio.workflow import notification_services

    owner, teammate = people["owner"], people["teammate"]
    job = Job.objects.create(owner=owner, model="gpt-image-2", prompt="mine")

    def notify_both_then_a_job_event():
        for person in (people["outsider"], owner):
            notification_services.notify(recipients=[person], actor=teammate, kind="mention", text="hi", url="/")
        events.publish(job, events.STATUS, status=Job.Status.CALLING)

    async def listen() -> list[bytes]:
        client = AsyncClient()
        await client.aforce_login(owner)
        response = await client.get("/jobs/events")
        stream = response.streaming_content.__aiter__()
        assert b"connected" in await asyncio.wait_for(anext(stream), 10)
        await sync_to_async(notify_both_then_a_job_event)()
        seen = []
        while not seen or not seen[-1].startswith(b"event: job"):
            chunk = await asyncio.wait_for(anext(stream), 10)
            if chunk.startswith(b"event:"):
                seen.append(chunk)
        await stream.aclose()
        return seen

    seen = async_to_sync(listen)()
    assert [c.split(b"\n", 1)[0] for c in seen] == [b"event: notified", b"event: job"]  # the outsider's not here
