from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone

from studio.gallery.models import Image
from studio.generation import services
from studio.generation.models import Job

pytestmark = pytest.mark.django_db


def submit(user, **params):
    params = {"size": "256x256", "n": 2, **params}
    return services.submit_job(user=user, model="dall-e-2", prompt="a lighthouse at dusk", params=params)


def test_a_job_goes_from_queued_to_done_and_keeps_every_image(owner, run_inline):
    job = submit(owner)
    assert job.status == Job.Status.QUEUED

    run_inline(job)

    assert job.status == Job.Status.DONE
    assert job.attempts == 1 and job.api_calls == 1
    assert job.started_at and job.finished_at and job.response_created
    images = list(job.images.order_by("index"))
    assert [image.status for image in images] == [Image.Status.STORED] * 2
    for image in images:
        assert (image.width, image.height) == (256, 256)
        assert default_storage.exists(image.storage_key)
        assert default_storage.exists(image.thumb_key) and image.thumb_key.endswith(".webp")
        assert len(image.sha256) == 64
        assert image.source_url == ""  # the provider URL is never the image's home
        assert image.storage_key.startswith(f"images/user-{owner.pk}/")


def test_dall_e_3_keeps_the_revised_prompt(owner, run_inline):
    job = services.submit_job(user=owner, model="dall-e-3", prompt="a lighthouse at dusk",
                              params={"size": "1024x1024", "n": 1, "quality": "standard", "style": "natural"})
    run_inline(job)
    image = job.images.get()
    assert image.revised_prompt and image.revised_prompt != job.prompt


def test_gpt_image_b64_results_are_stored_without_a_url(owner, run_inline):
    job = services.submit_job(user=owner, model="gpt-image-2", prompt="a paper boat",
                              params={"size": "1024x1024", "n": 1, "quality": "low", "output_format": "webp"})
    run_inline(job)
    image = job.images.get()
    assert job.status == Job.Status.DONE
    assert image.content_type == "image/webp" and image.url_expires_at is None
    assert job.usage.get("total_tokens")
    assert job.cost_actual is not None


def test_a_redelivered_run_does_not_call_the_api_twice(owner, run_inline, standin):
    # Count by difference: job ids can repeat across rolled-back tests on SQLite, and the
    # session stand-in keeps its per-job counts for the whole run.
    def calls_for(job):
        return standin.stats()["by_job"].get(str(job.pk), 0)

    job = submit(owner, n=1)
    before = calls_for(job)
    run_inline(job)
    assert calls_for(job) - before == 1
    services.run_job(job.pk)  # a second delivery of the same message
    job.refresh_from_db()
    assert calls_for(job) - before == 1
    assert job.attempts == 1


def test_an_expired_url_fails_clearly_and_the_job_is_not_stuck(owner, run_inline):
    job = submit(owner, n=1)
    services.run_job(job.pk)
    image = job.images.get()
    Image.objects.filter(pk=image.pk).update(url_expires_at=timezone.now() - timedelta(seconds=1))

    services.fetch_image(image.pk)

    image.refresh_from_db()
    job.refresh_from_db()
    assert image.status == Image.Status.EXPIRED
    assert "expired" in image.failure_reason
    assert job.status == Job.Status.FAILED and job.is_finished
    assert job.failure_message == "The image expired before it could be downloaded."


def test_a_refused_request_fails_with_a_reason_a_person_understands(owner, run_inline):
    job = services.submit_job(user=owner, model="dall-e-2", prompt="x" * 1001, params={"size": "256x256", "n": 1})
    run_inline(job)
    assert job.status == Job.Status.FAILED
    assert job.failure_code == "bad_parameter"
    assert "prompt" in job.failure_message.lower()


def test_a_viewer_cannot_make_the_team_pay(people, team):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.submit_job(user=people["viewer"], team=team, model="dall-e-2", prompt="a kite",
                            params={"size": "256x256", "n": 1})
    assert not Job.objects.filter(owner=people["viewer"]).exists()
    job = services.submit_job(user=people["teammate"], team=team, model="dall-e-2", prompt="a kite",
                              params={"size": "256x256", "n": 1})
    assert job.team == team


def test_a_partly_failed_job_shows_what_it_cost(client, owner, run_inline):
    job = submit(owner, n=2)
    services.run_job(job.pk)
    first, second = job.images.order_by("index")
    services.fetch_image(first.pk)
    Image.objects.filter(pk=second.pk).update(url_expires_at=timezone.now() - timedelta(seconds=1))
    services.fetch_image(second.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.PARTIALLY_FAILED
    assert job.failure_message == "1 of 2 images expired before it could be downloaded."
    client.force_login(owner)
    page = client.get(f"/jobs/{job.pk}/status").content.decode()
    # The stand-in charges nothing: its figure is the list price, and says so (a real provider: "The provider charged")
    assert "This job cost $0.032 list price (stand-in, not charged), the lost images included." in page
