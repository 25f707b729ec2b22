"""The first whole story: sign in, generate two images, see them in the gallery, open one."""
import re

from playwright.sync_api import expect

from tests.browser.pictures import loaded, natural_width


def test_sign_in_generate_and_browse(page, live_server, celery_worker_thread, people, sign_in, screenshot):
    sign_in(page, people["owner"], "pw-owner")
    expect(page.get_by_text("local stand-in")).to_be_visible()

    page.get_by_label("Prompt").fill("a red fox in a snowy forest, morning light")
    page.get_by_label("Model").select_option("dall-e-2")
    page.get_by_label("Size").select_option("256x256")
    page.get_by_label("Number of images").fill("2")
    expect(page.locator("#cost-estimate")).to_contain_text("$0.032")
    screenshot(page, "generate-form")
    page.get_by_role("button", name="Generate").click()

    page.wait_for_url(re.compile(r"/jobs/\d+/$"))
    # The status changes without a reload: the fragment polls until the job is done.
    expect(page.locator("#job-status .badge")).to_have_text("Done", timeout=30_000)
    expect(page.locator("#job-status img")).to_have_count(2)

    page.get_by_role("link", name="My images").click()
    thumbs = page.locator(".grid img")
    expect(thumbs).to_have_count(2)
    for i in range(2):
        assert loaded(thumbs.nth(i))
    screenshot(page, "gallery-after-generate")

    thumbs.first.click()
    expect(page.get_by_role("heading", name="Prompt")).to_be_visible()
    expect(page.get_by_text("a red fox in a snowy forest, morning light")).to_be_visible()
    expect(page.locator(".facts")).to_contain_text("dall-e-2")
    expect(page.locator(".facts")).to_contain_text("256x256")
    expect(page.locator(".facts")).to_contain_text("owner")
    assert natural_width(page.locator(".image-full img")) == 256
    screenshot(page, "image-page")
