"""In a browser, against the real Studio of tests/gateway (uvicorn, a worker, the stand-in): a picture a
script made through /v1 is in the gallery and in search; the job page follows a job by the event stream,
and by polling once that stream is cut."""
from __future__ import annotations

import threading

import pytest
from playwright.sync_api import expect

from studio.gallery.models import Image
from studio.generation.models import Job
from tests.faults.conftest import wait_until
from tests.gateway.conftest import api, quiet_worker_afterwards, studio  # noqa: F401 - the real Studio, a person with tokens


def _sign_in(page, studio, person) -> None:  # noqa: F811
    page.goto(studio.url + "/accounts/login/")
    page.get_by_label("Username").fill(person.username)
    page.get_by_label("Password").fill("pw-scripter")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(studio.url + "/")


def test_a_picture_made_through_the_api_is_in_the_gallery_and_in_search(page, api, studio):  # noqa: F811
    api.client.images.generate(model="gpt-image-2", prompt="a periwinkle zeppelin over dunes", quality="low")
    image = Image.objects.get(job__owner=api.person)
    _sign_in(page, studio, api.person)
    page.goto(studio.url + "/gallery/")
    expect(page.locator(f'a[href="{image.get_absolute_url()}"]').first).to_be_visible()
    page.goto(studio.url + "/search/?q=zeppelin")
    expect(page.locator(f'a[href="{image.get_absolute_url()}"]').first).to_be_visible()
    page.goto(studio.url + image.get_absolute_url())
    expect(page.locator("[data-via-api]")).to_have_text("via API · token nightly renders")


def _slow_job(api, studio, prompt: str) -> Job:
    """A job the stand-in takes 3 s over, made by a script in the background; returns its row."""
    studio.standin.configure(latency_ms=3000)
    thread = threading.Thread(target=api.client.images.generate, daemon=True,
                              kwargs=dict(model="gpt-image-2", prompt=prompt, quality="low"))
    thread.start()
    wait_until(lambda: Job.objects.filter(owner=api.person).exists(), 30, "the job to exist")
    return Job.objects.get(owner=api.person)


@pytest.mark.parametrize("stream", ["open", "cut"])
def test_the_job_page_follows_the_job_by_events_and_polls_when_the_stream_breaks(page, api, studio, stream):  # noqa: F811
    _sign_in(page, studio, api.person)
    if stream == "cut":
        page.route("**/jobs/events", lambda route: route.abort())
    try:
        job = _slow_job(api, studio, f"a lantern in fog, stream {stream}")
        page.goto(studio.url + job.get_absolute_url())
        expected = "stream" if stream == "open" else "polling"
        expect(page.locator(f'html[data-live="{expected}"]')).to_have_count(1)
        status = page.locator("#job-status")
        expect(status.locator(".badge")).to_have_text("Done", timeout=30_000)
        expect(status.locator("img")).to_have_count(1)
    finally:
        studio.standin.configure(latency_ms=0)
    assert page.evaluate("document.documentElement.dataset.live") == expected
