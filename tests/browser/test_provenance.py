"""Provenance as a person meets it: generate with the signing stand-in, the worker reads the content
credentials after the store, the image page shows them; Download and Download with details save
the files under names from the prompt; the gallery filters images with content credentials."""
import hashlib
import re
import urllib.request

import pytest
from playwright.sync_api import expect

from studio.gallery import provenance, services
from studio.gallery.models import Image
from studio.standin.config import StandinConfig
from studio.standin.testing import standin_in_thread
from tests.browser.conftest import wait_for


@pytest.fixture
def signing_standin(settings, tmp_path):
    with standin_in_thread(StandinConfig(c2pa=True)) as server:
        bundle = tmp_path / "trust.pem"
        with urllib.request.urlopen(server.root_url + "/_standin/c2pa/root.pem", timeout=5) as root:
            bundle.write_bytes(root.read())
        settings.STANDIN_URL = server.base_url
        settings.STUDIO_C2PA_TRUST_ANCHORS = str(bundle)
        yield server


def test_content_credentials_downloads_and_the_filter(page, browser, live_server, celery_worker_thread,
                                                      signing_standin, people, sign_in, screenshot, make_image,
                                                      tmp_path):
    sign_in(page, people["owner"], "pw-owner")
    page.get_by_label("Prompt").fill("Harbour at noon, watercolour")
    page.get_by_label("Model").select_option("dall-e-2")
    page.get_by_label("Size").select_option("256x256")
    page.get_by_label("Number of images").fill("1")
    page.get_by_role("button", name="Generate").click()
    page.wait_for_url(re.compile(r"/jobs/\d+/$"))
    expect(page.locator("#job-status .badge")).to_have_text("Done", timeout=30_000)

    # The post-store step runs on the worker after commit: wait for it, then look.
    image = wait_for(lambda: Image.objects.filter(owner=people["owner"], provenance_read_at__isnull=False).first(),
                     what="the worker to read the content credentials")
    twin = make_image(people["owner"], prompt="Harbour at noon, a copy")
    # The same picture, kept twice.
    twin.storage_key, twin.thumb_key, twin.sha256 = image.storage_key, image.thumb_key, image.sha256
    twin.save()
    provenance.record_provenance(twin.pk)

    page.goto(live_server.url + image.get_absolute_url())
    panel = page.locator("#credentials")
    expect(panel.locator(".badge")).to_have_text("✓ Valid")
    expect(panel).to_contain_text("Studio stand-in (not OpenAI)")
    expect(panel).to_contain_text("Made by a trained AI model")
    expect(panel).to_contain_text("Studio stand-in 1.0")
    expect(page.locator(".similar")).to_contain_text("Same picture")
    expect(page.locator("#details-note")).to_contain_text("breaks the original’s C2PA content credentials")
    panel.screenshot(path=str(screenshot(page, "image-page-provenance").with_name("content-credentials-panel.png")))

    with page.expect_download() as download:
        page.get_by_role("link", name="Download", exact=True).click()
    assert download.value.suggested_filename == f"harbour-at-noon-watercolour-{image.pk}.png"
    saved = tmp_path / "original.png"
    download.value.save_as(saved)
    assert hashlib.sha256(saved.read_bytes()).hexdigest() == image.sha256
    with page.expect_download() as download:
        page.get_by_role("link", name="Download with details").click()
    assert download.value.suggested_filename == f"harbour-at-noon-watercolour-{image.pk}-details.png"

    page.get_by_role("link", name="My images").click()
    page.get_by_text("Filter", exact=True).click()
    page.get_by_label("With content credentials").check()
    page.get_by_role("button", name="Apply").click()
    expect(page.locator(".grid .tile")).to_have_count(2)  # the generated picture and its twin, both signed
    screenshot(page, "gallery-with-content-credentials")

    # Someone with a share link, and no account, downloads the same original under the same name.
    link = services.create_share_link(image, user=people["owner"])
    stranger = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        shared = stranger.new_page()
        shared.goto(live_server.url + link.get_absolute_url())
        with shared.expect_download() as download:
            shared.get_by_role("link", name="Download").click()
        assert download.value.suggested_filename == f"harbour-at-noon-watercolour-{image.pk}.png"
        download.value.save_as(tmp_path / "shared.png")
        assert (tmp_path / "shared.png").read_bytes() == saved.read_bytes()
        screenshot(shared, "shared-page-download")
    finally:
        stranger.close()
