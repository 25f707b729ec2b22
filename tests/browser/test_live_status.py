"""A job's status changes on the page without a reload: queue position, calling with elapsed time,
streamed previews, downloading k of n, done. The job row is moved by hand here (no worker), so every
state is seen for certain; the real pipeline's run is covered in test_creative_loop.py."""
from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from studio.gallery.models import Image
from studio.generation import uploads
from studio.generation.models import Job

from tests.ui.factories import picture, stored_image
from tests.browser.pictures import natural_width


def test_status_previews_and_results_arrive_without_reload(page, live_server, people, sign_in, screenshot):
    owner = people["owner"]
    ahead = Job.objects.create(owner=owner, model="gpt-image-2", prompt="first in line", params={"n": 2})
    job = Job.objects.create(owner=owner, model="gpt-image-2", prompt="a glass teapot", params={"n": 2, "size": "1024x1024"})
    sign_in(page, owner, "pw-owner")
    page.goto(live_server.url + job.get_absolute_url())
    page.evaluate("window.__notReloaded = true")
    status = page.locator("#job-status")
    expect(status).to_contain_text("Number 2 in the queue")

    Job.objects.filter(pk=ahead.pk).update(status=Job.Status.DONE)
    expect(status).to_contain_text("Next in the queue")

    now = timezone.now()
    Job.objects.filter(pk=job.pk).update(status=Job.Status.CALLING, started_at=now - timedelta(seconds=7),
                                         called_at=now - timedelta(seconds=7))
    expect(status.locator("[data-elapsed]")).to_contain_text("Asking gpt-image-2")
    expect(status.locator("[data-elapsed]")).to_contain_text(" s")

    # Streamed partial images show while the model works, newest only.
    keys = [uploads.store(owner, picture((64, 64), color=(40, 40, 200 - 60 * i)), "png") for i in range(2)]
    Job.objects.filter(pk=job.pk).update(previews=keys[:1])
    expect(status.locator("img[data-preview]")).to_have_count(1)
    expect(status).to_contain_text("Preview 1, still working")
    Job.objects.filter(pk=job.pk).update(previews=keys)
    expect(status).to_contain_text("Preview 2, still working")
    assert natural_width(status.locator("img[data-preview]")) == 64
    screenshot(page, "job-previews-desktop")

    # Downloading 1 of 2, then done: the final images replace the previews.
    first = stored_image(owner, model="gpt-image-2", prompt="a glass teapot")
    Image.objects.filter(pk=first.pk).update(job=job, index=0)
    Image.objects.create(owner=owner, job=job, index=1, model="gpt-image-2", prompt="a glass teapot")
    Job.objects.filter(pk=job.pk).update(status=Job.Status.FETCHING)
    expect(status.locator("[data-downloading]")).to_have_text("Downloading 1 of 2")
    expect(status.locator("img[data-preview]")).to_have_count(0)
    Image.objects.filter(job=job, index=1).update(status=Image.Status.STORED, storage_key=first.storage_key,
                                                  thumb_key=first.thumb_key, width=256, height=256)
    Job.objects.filter(pk=job.pk).update(status=Job.Status.DONE, finished_at=timezone.now())
    expect(status.locator(".badge")).to_have_text("Done")
    expect(status.locator("img")).to_have_count(2)
    assert page.evaluate("window.__notReloaded === true")
    # Finished: the fragment stops polling.
    expect(status).not_to_have_attribute("hx-trigger", "every 1s")
    screenshot(page, "job-done-desktop")
