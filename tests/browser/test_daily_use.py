"""Issue 18, daily use as a design team lives it: destructive actions ask first (a <dialog>, or a confirm
page without JavaScript) and trashing offers Undo; pages for what is gone explain themselves."""
import pytest
from playwright.sync_api import expect

from studio.gallery import services as gallery_services
from tests.browser.conftest import SCREENSHOTS


@pytest.fixture
def owners_image(make_image, people, team):
    return make_image(people["owner"], team=team, prompt="a heron standing in a misty pond", size=(320, 256))


def test_trash_asks_first_offers_undo_and_revoke_asks_first(page, live_server, people, owners_image, sign_in,
                                                             screenshot):
    base = live_server.url
    sign_in(page, people["owner"], "pw-owner")
    url = f"{base}{owners_image.get_absolute_url()}"
    page.goto(url)
    page.get_by_role("button", name="Create share link").click()
    expect(page.locator(".message.success")).to_contain_text("Share link created")

    # Revoke opens a dialog; Cancel keeps the link.
    page.get_by_role("button", name="Revoke").click()
    dialog = page.locator("#confirm-dialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Revoke this link")
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_be_hidden()
    expect(page.get_by_label("Share link")).to_have_count(1)

    # Move to trash asks, then the message offers Undo, which brings the image back.
    page.get_by_role("button", name="Move to trash").click()
    expect(dialog).to_contain_text(f"Move image {owners_image.pk} to the trash?")
    screenshot(page, "confirm-dialog")
    dialog.get_by_role("button", name="Move to trash").click()
    message = page.locator(".message.success")
    expect(message).to_contain_text("moved to the trash")
    screenshot(page, "undo-message")
    message.get_by_role("button", name="Undo").click()
    expect(page).to_have_url(url)
    expect(page.locator(".message.success")).to_have_text("Restored.")
    owners_image.refresh_from_db()
    assert owners_image.deleted_at is None


def test_confirm_pages_work_without_javascript(browser, live_server, people, owners_image, sign_in, screenshot):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, java_script_enabled=False)
    try:
        page = context.new_page()
        sign_in(page, people["owner"], "pw-owner")
        page.goto(f"{live_server.url}{owners_image.get_absolute_url()}")
        page.get_by_role("button", name="Move to trash").click()
        expect(page.get_by_role("heading", name=f"Move image {owners_image.pk} to the trash?")).to_be_visible()
        screenshot(page, "confirm-page")
        page.get_by_role("link", name="Cancel").click()
        owners_image.refresh_from_db()
        assert owners_image.deleted_at is None
        page.get_by_role("button", name="Move to trash").click()
        page.get_by_role("button", name="Move to trash").click()
        expect(page.locator(".message.success")).to_contain_text("moved to the trash")
        owners_image.refresh_from_db()
        assert owners_image.deleted_at is not None
    finally:
        context.close()


def test_gone_pages_explain_themselves(page, browser, live_server, people, owners_image, sign_in, screenshot):
    base = live_server.url
    link = gallery_services.create_share_link(owners_image, user=people["owner"])
    gallery_services.revoke_share_link(link, actor=people["owner"])
    gallery_services.trash_image(owners_image, actor=people["owner"])

    # The owner: "in the trash", with Restore.
    sign_in(page, people["owner"], "pw-owner")
    response = page.goto(f"{base}{owners_image.get_absolute_url()}")
    assert response.status == 404
    expect(page.get_by_role("heading", name="This image is in the trash")).to_be_visible()
    screenshot(page, "gone-in-trash")

    # Someone holding the revoked link: a page that says so (and nothing about the image).
    stranger = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        anon = stranger.new_page()
        assert anon.goto(f"{base}{link.get_absolute_url()}").status == 404
        expect(anon.get_by_role("heading", name="This link was revoked or has expired")).to_be_visible()
        expect(anon.get_by_text("heron")).to_have_count(0)
        screenshot(anon, "gone-link")
        # Any other missing page: the friendly 404, not a bare one.
        assert anon.goto(f"{base}/no-such-page/").status == 404
        expect(anon.get_by_role("heading", name="Page not found")).to_be_visible()
        screenshot(anon, "gone-404")
    finally:
        stranger.close()

    page.get_by_role("button", name="Restore").click()
    expect(page.locator(".message.success")).to_have_text("Restored.")
    expect(page.get_by_role("heading", name=f"Image {owners_image.pk}")).to_be_visible()
    assert (SCREENSHOTS / "gone-in-trash.png").exists()


FULL_SETTINGS = {"size": "1536x1024", "n": 1, "quality": "high", "background": "transparent", "output_format": "webp",
                 "output_compression": 80, "moderation": "low", "input_fidelity": "high"}


def test_every_setting_is_shown_in_words(page, live_server, people, make_image, sign_in, screenshot):
    image = make_image(people["owner"], prompt="a glass teapot on a windowsill", model="gpt-image-1", size=(384, 256))
    type(image).objects.filter(pk=image.pk).update(params=FULL_SETTINGS)
    type(image.job).objects.filter(pk=image.job_id).update(params=FULL_SETTINGS)
    sign_in(page, people["owner"], "pw-owner")
    words = {"Background": "Transparent", "Output format": "WebP", "Compression": "80%", "Quality": "High",
             "Moderation": "Less restrictive filtering", "Input fidelity": "High (keeps faces and details)",
             "Size": "1536x1024"}
    page.goto(f"{live_server.url}{image.get_absolute_url()}")
    facts = page.locator(".image-facts .facts")
    for label, value in words.items():
        expect(facts.locator("dt", has_text=label).first).to_be_visible()
        expect(facts).to_contain_text(value)
    screenshot(page, "settings-image-page")
    page.goto(f"{live_server.url}{image.job.get_absolute_url()}")
    for label, value in words.items():
        expect(page.locator(".job-settings")).to_contain_text(value)
    page.goto(f"{live_server.url}/history/")
    meta = page.locator(".history-item .meta").first
    expect(meta).to_contain_text("Output format: WebP")
    expect(meta).not_to_contain_text("output_format")
    screenshot(page, "settings-history")


def test_problems_show_at_the_field_while_typing(page, live_server, people, sign_in, screenshot):
    sign_in(page, people["owner"], "pw-owner")
    page.get_by_label("Model").select_option("dall-e-2")
    number = page.get_by_label("Number of images")
    number.fill("40")
    box = page.locator('[data-option="n"]')
    expect(box.locator("[data-live-error]")).to_contain_text("accepts at most 10")
    expect(number).to_have_attribute("aria-invalid", "true")
    expect(page.locator('[data-option="prompt"] [data-live-error]')).to_have_count(0)  # not touched yet
    expect(page.locator("[data-estimate]")).to_contain_text("until the problem above is fixed")
    screenshot(page, "live-check")
    number.fill("2")
    expect(box.locator("[data-live-error]")).to_have_count(0)
    expect(number).not_to_have_attribute("aria-invalid", "true")


def _transparent_wide(width=512, height=256) -> bytes:
    import io

    from PIL import Image as PILImage, ImageDraw

    im = PILImage.new("RGBA", (width, height), (0, 0, 0, 0))
    ImageDraw.Draw(im).ellipse((width // 4, 16, 3 * width // 4, height - 16), fill=(40, 120, 220, 255))
    out = io.BytesIO()
    im.save(out, "WEBP", lossless=True)
    return out.getvalue()


def test_transparent_pictures_show_a_checkerboard_and_thumbnails_keep_their_shape(page, live_server, people,
                                                                                   make_image, sign_in, screenshot):
    from studio.gallery import storage

    image = make_image(people["owner"], prompt="a blue moon sticker", fmt="WEBP", size=(512, 256))
    storage.save_bytes(image.storage_key, _transparent_wide())
    storage.save_bytes(image.thumb_key, _transparent_wide(256, 128))
    type(image).objects.filter(pk=image.pk).update(thumb_width=256, thumb_height=128)
    sign_in(page, people["owner"], "pw-owner")
    page.goto(f"{live_server.url}{image.get_absolute_url()}")
    full = page.locator(".image-full img")
    expect(full).to_have_js_property("complete", True)
    assert "conic-gradient" in full.evaluate("img => getComputedStyle(img).backgroundImage")
    screenshot(page, "transparency-image")
    page.goto(f"{live_server.url}/gallery/")
    thumb = page.locator(".archive-grid .thumb img").first
    expect(thumb).to_have_js_property("complete", True)
    box = thumb.bounding_box()
    assert abs(box["width"] / box["height"] - 2) < 0.1, box  # wide stays wide: not cropped to a square
    assert "conic-gradient" in thumb.evaluate("img => getComputedStyle(img).backgroundImage")
    page.goto(f"{live_server.url}{image.job.get_absolute_url()}")
    job_thumb = page.locator(".result-grid .thumb img").first
    expect(job_thumb).to_have_js_property("complete", True)
    box = job_thumb.bounding_box()
    assert abs(box["width"] / box["height"] - 2) < 0.1, box
    screenshot(page, "transparency-job")
