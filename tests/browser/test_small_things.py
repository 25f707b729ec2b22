"""Issue 18, item 8: small things that add up — "just now", a searchable history, thumbnails and cost in
the jobs list, a model filter from the archive, a favicon, one wording for upload formats."""
from decimal import Decimal

from playwright.sync_api import expect

from studio.generation.models import Job
from studio.models_registry.wording import upload_formats_text


def test_small_things(page, live_server, people, make_image, sign_in, screenshot, tmp_path):
    owner = people["owner"]
    kite = make_image(owner, prompt="a red kite over the dunes", model="dall-e-3", size=(384, 256))
    make_image(owner, prompt="a lantern in the snow", model="dall-e-2")
    Job.objects.filter(pk=kite.job_id).update(cost_actual=Decimal("0.08"))
    base = live_server.url
    sign_in(page, owner, "pw-owner")

    # The jobs list: thumbnails, cost, and "just now".
    page.goto(f"{base}/jobs/")
    row = page.get_by_role("row").filter(has_text="a red kite")
    expect(row.locator(".job-thumbs img")).to_have_count(1)
    expect(row.get_by_role("cell").filter(has_text="$0.080")).to_have_count(1)
    expect(row).to_contain_text("just now")
    expect(page.get_by_text("0 minutes ago")).to_have_count(0)
    screenshot(page, "jobs-list")

    # The prompt history can be searched.
    page.goto(f"{base}/history/")
    page.get_by_label("Search the prompts").fill("kite")
    page.get_by_role("button", name="Search").click()
    expect(page.locator(".history-item")).to_have_count(1)
    expect(page.locator(".history-item")).to_contain_text("a red kite")
    screenshot(page, "history-search")

    # The gallery's model filter offers the models in the archive, nothing else.
    page.goto(f"{base}/gallery/")
    page.get_by_text("Filter").click()
    options = page.get_by_label("Model").locator("option")
    expect(options).to_have_text(["Any model", "dall-e-2", "dall-e-3"])

    # A favicon, served.
    icon = page.locator('link[rel="icon"]').get_attribute("href")
    assert page.request.get(base + icon).ok

    # The upload field and its error say the same formats, from the registry.
    page.goto(f"{base}/edit/")
    wording = upload_formats_text()
    expect(page.get_by_label(f"Picture ({wording})")).to_be_visible()
    notes = tmp_path / "notes.png"
    notes.write_bytes(b"not a picture at all")
    page.get_by_label(f"Picture ({wording})").set_input_files(str(notes))
    page.get_by_role("button", name="Upload").click()
    expect(page.get_by_role("alert")).to_contain_text(f"upload a {wording}")
    screenshot(page, "upload-wording")


def test_phone_width_one_row_navigation_one_line_banner_no_key_hints(phone_page, live_server, people, sign_in,
                                                                      screenshot):
    page = phone_page
    sign_in(page, people["owner"], "pw-owner")
    topbar = page.locator(".topbar").bounding_box()
    brand = page.locator(".brand").bounding_box()
    assert topbar["height"] < 2.2 * brand["height"] + 20, topbar  # one row, not two
    banner = page.locator(".banner")
    line = float(banner.evaluate("b => parseFloat(getComputedStyle(b).lineHeight) || 20"))
    assert banner.bounding_box()["height"] < 2 * line + 14  # one line
    screenshot(page, "phone-generate")
    expect(page.get_by_label("Prompt")).to_be_in_viewport()
    expect(page.locator(".keys")).to_be_hidden()  # "Ctrl+Enter sends" is for keyboards
    # Every other section, the account and Sign out are one tap away, under More.
    page.get_by_text("More", exact=True).click()
    menu = page.locator(".nav-more-list")
    for name in ("Teams", "Prompt history", "Search", "Trash", "Jobs", "Spend"):
        expect(menu.get_by_role("link", name=name)).to_be_visible()
    expect(menu.get_by_role("button", name="Sign out")).to_be_visible()
    screenshot(page, "phone-menu")
    menu.get_by_role("link", name="Jobs").click()
    expect(page.get_by_role("heading", name="Jobs")).to_be_visible()
