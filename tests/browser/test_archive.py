"""The archive story in a real browser: find a team image by a word of its prompt, follow its family,
share it with someone who has no account, export it, delete it and restore it from the trash.

The images are made in the database (the edit/variation UI is another page's job); their pixels come
from the stand-in's painter so the screenshots look like an archive.
"""
import io
import json
import re
import zipfile

import pytest
from playwright.sync_api import expect

from studio.standin.painter import paint
from tests.gallery.factories import make_image
from tests.browser.pictures import loaded


def _picture(prompt: str, seed: int) -> bytes:
    out = io.BytesIO()
    paint(prompt, seed, 0, 256, 256).save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def archive(transactional_db, people, team):
    owner, teammate = people["owner"], people["teammate"]
    made = {}
    prompts = ["a paper crane over a quiet harbour", "a glowing jellyfish in a dark sea", "a tiny robot watering cacti",
               "an old tram in the rain, 35mm photo", "a fox made of autumn leaves", "a castle of books at dusk"]
    for i, prompt in enumerate(prompts):
        make_image(teammate if i % 2 else owner, team, prompt=prompt, data=_picture(prompt, i))
    root_prompt = "a copper lighthouse under northern lights"
    made["root"] = make_image(teammate, team, prompt=root_prompt, model="dall-e-3",
                              revised_prompt="A copper lighthouse on a rocky shore under green northern lights.",
                              params={"size": "1024x1024", "quality": "hd", "n": 1}, data=_picture(root_prompt, 10))
    made["child"] = make_image(owner, team, prompt=root_prompt + ", as a linocut", parent=made["root"],
                               data=_picture(root_prompt + " linocut", 11))
    made["grandchild"] = make_image(owner, team, prompt=root_prompt + ", as a linocut, at noon",
                                    parent=made["child"], data=_picture(root_prompt + " noon", 12))
    made["sibling"] = make_image(teammate, team, prompt=root_prompt + ", in fog", parent=made["root"],
                                 data=_picture(root_prompt + " fog", 13))
    make_image(owner, None, prompt="a private study of a teapot", data=_picture("teapot", 14))
    return made


def test_find_follow_share_export_trash(page, browser, live_server, people, team, archive, sign_in, screenshot):
    base = live_server.url
    sign_in(page, people["owner"], "pw-owner")

    # Find: a word of the prompt, from the nav.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Search").click()
    page.get_by_label("Words from the prompt").fill("lighthouse")
    page.get_by_role("button", name="Search").click()
    results = page.locator(".archive-grid .thumb img")
    expect(results).to_have_count(4)
    for i in range(4):
        results.nth(i).scroll_into_view_if_needed()
        expect(results.nth(i)).to_have_js_property("complete", True)
        assert loaded(results.nth(i))
    screenshot(page, "archive-search")

    # Follow the family: the root shows its children; a grandchild shows the breadcrumb; the tree shows all.
    page.goto(f"{base}/images/{archive['root'].pk}/")
    expect(page.locator(".lineage .archive-grid .thumb")).to_have_count(2)
    page.locator(f'.lineage a[href="/images/{archive["child"].pk}/"]').click()
    expect(page.locator(".lineage-crumbs")).to_contain_text(f"Image {archive['root'].pk}")
    page.locator(f'.lineage a[href="/images/{archive["grandchild"].pk}/"]').click()
    crumbs = page.locator(".lineage-crumbs li")
    expect(crumbs).to_have_count(3)
    expect(crumbs.nth(0)).to_contain_text(f"Image {archive['root'].pk}")
    expect(crumbs.nth(1)).to_contain_text(f"Image {archive['child'].pk}")
    expect(page.locator(".image-full img")).to_have_js_property("complete", True)
    assert loaded(page.locator(".image-full img"))
    screenshot(page, "archive-lineage")
    page.get_by_role("link", name="Whole family tree").click()
    expect(page.locator(".tree .tree-node")).to_have_count(4)
    expect(page.locator(".tree .tree-node.current")).to_contain_text(f"Image {archive['grandchild'].pk}")
    screenshot(page, "archive-family")

    # Share the child (the owner made it) with someone who has no account.
    child_url = f"{base}/images/{archive['child'].pk}/"
    page.goto(child_url)
    page.get_by_label("Expires after").select_option("7")
    page.get_by_role("button", name="Create share link").click()
    link = page.get_by_label("Share link").input_value()
    assert link.startswith(base + "/s/")
    stranger = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        anon = stranger.new_page()
        anon.goto(link)
        expect(anon.get_by_text("as a linocut")).to_be_visible()
        assert loaded(anon.locator(".shared img"))
        expect(anon.get_by_role("link", name="My images")).to_have_count(0)
        screenshot(anon, "archive-share")
        # Nothing else is reachable from there.
        assert anon.goto(f"{base}/images/{archive['child'].pk}/file").status == 404
        page.get_by_role("button", name="Revoke").click()
        page.locator("#confirm-dialog").get_by_role("button", name="Revoke link").click()
        expect(page.get_by_text("Link revoked")).to_be_visible()
        assert anon.goto(link).status == 404
    finally:
        stranger.close()

    # Export: pick two images in the team gallery and download them with their manifest.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Teams").click()
    page.get_by_role("row", name=team.name).get_by_role("link", name="Gallery").click()
    expect(page).to_have_url(re.compile(rf"/teams/{team.slug}/$"))
    expect(page.get_by_role("heading", name=f"{team.name} gallery")).to_be_visible()
    page.get_by_label(f"Select image {archive['child'].pk}").check()
    page.get_by_label(f"Select image {archive['root'].pk}").check()
    screenshot(page, "archive-team-gallery")
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Export ZIP").click()
    archive_zip = zipfile.ZipFile(download_info.value.path())
    manifest = json.loads(archive_zip.read("manifest.json"))
    assert {row["id"] for row in manifest} == {archive["child"].pk, archive["root"].pk}
    root_row = next(r for r in manifest if r["id"] == archive["root"].pk)
    assert root_row["revised_prompt"].startswith("A copper lighthouse") and root_row["who"] == "teammate"
    assert next(r for r in manifest if r["id"] == archive["child"].pk)["parent"] == archive["root"].pk
    assert "manifest.csv" in archive_zip.namelist()

    # Delete, find it in the trash, restore it.
    page.goto(child_url)
    page.get_by_role("button", name="Move to trash").click()
    page.locator("#confirm-dialog").get_by_role("button", name="Move to trash").click()
    expect(page.get_by_text("moved to the trash")).to_be_visible()
    assert page.goto(child_url).status == 404
    page.goto(base + "/trash/")
    expect(page.locator(".trashed")).to_have_count(1)
    assert loaded(page.locator(".trashed img"))
    screenshot(page, "archive-trash")
    page.get_by_role("button", name="Restore").click()
    expect(page.get_by_text("Restored.")).to_be_visible()
    expect(page.locator(".trashed")).to_have_count(0)
    assert page.goto(child_url).status == 200
    expect(page.locator(".lineage-crumbs")).to_contain_text(f"Image {archive['root'].pk}")

    page.goto(base + "/gallery/")
    expect(page.locator(".archive-grid img").first).to_be_visible()
    screenshot(page, "archive-gallery")
    page.goto(f"{base}/teams/{team.slug}/history/")
    expect(page.get_by_role("link", name="Use again").first).to_be_visible()
    screenshot(page, "archive-history")


def test_archive_pages_on_a_phone(phone_page, browser, live_server, people, team, archive, sign_in, screenshot):
    from studio.gallery import services

    page, base = phone_page, live_server.url
    sign_in(page, people["owner"], "pw-owner")
    shots = {
        "gallery": "/gallery/",
        "team-gallery": f"/teams/{team.slug}/",
        "search": "/search/?q=lighthouse",
        "lineage": f"/images/{archive['grandchild'].pk}/",
        "family": f"/images/{archive['grandchild'].pk}/family/",
        "history": f"/teams/{team.slug}/history/",
    }
    for name, path in shots.items():
        page.goto(base + path)
        for img in page.locator("main img:not([loading=lazy])").all():
            expect(img).to_have_js_property("complete", True)
        # No sideways scrolling on a phone.
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), name
        screenshot(page, f"archive-{name}-phone")
    services.trash_image(archive["grandchild"])
    page.goto(base + "/trash/")
    screenshot(page, "archive-trash-phone")
    link = services.create_share_link(archive["child"], user=people["owner"])
    stranger = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True)
    try:
        anon = stranger.new_page()
        anon.goto(base + link.get_absolute_url())
        assert loaded(anon.locator(".shared img"))
        screenshot(anon, "archive-share-phone")
    finally:
        stranger.close()


def test_compare_the_two_ticked_images_by_keyboard(page, live_server, people, team, archive, sign_in, screenshot):
    sign_in(page, people["owner"], "pw-owner")
    page.goto(f"{live_server.url}/teams/{team.slug}/")
    compare = page.get_by_role("button", name="Compare the two selected")
    expect(compare).to_be_disabled()
    boxes = page.locator('.archive-grid input[name="ids"]')
    for i in range(3):
        boxes.nth(i).focus()
        page.keyboard.press("Space")
        (expect(compare).to_be_enabled if i == 1 else expect(compare).to_be_disabled)()
    expect(page.locator("[data-compare-hint]")).to_contain_text("untick 1")
    boxes.nth(2).focus()
    page.keyboard.press("Space")
    expect(compare).to_be_enabled()
    screenshot(page, "archive-compare-ticked")
    first, second = (int(boxes.nth(i).get_attribute("value")) for i in (0, 1))
    compare.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/compare/{min(first, second)}/{max(first, second)}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Compare image")
