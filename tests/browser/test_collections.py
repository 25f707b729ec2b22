"""A collection in a real browser: tick images in the team gallery and add them, reorder by drag and by
keyboard (saved at once), share it read-only with a client, then revoke the link."""
import re

from playwright.sync_api import expect

from studio.workflow.models import Collection
from tests.browser.conftest import wait_for
from tests.gallery.factories import make_image


def _order(collection):
    return list(collection.items.order_by("position").values_list("image_id", flat=True))


def test_collect_reorder_and_share(browser, page, live_server, transactional_db, people, team, sign_in, screenshot):
    base = live_server.url
    images = [make_image(people["owner"], team, prompt=f"a campaign poster, take {i}") for i in range(3)]
    sign_in(page, people["owner"], "pw-owner")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Collections").click()
    page.get_by_label("Name").fill("Spring campaign")
    page.get_by_label("Shared with").select_option(label=team.name)
    page.get_by_role("button", name="Create").click()
    expect(page.get_by_role("heading", name=re.compile("Spring campaign"))).to_be_visible()
    collection = Collection.objects.get()

    # Tick all three in the team gallery (newest first: 2, 1, 0) and add them.
    page.goto(f"{base}/teams/{team.slug}/")
    for image in images:
        page.get_by_label(f"Select image {image.pk}").check()
    page.get_by_role("button", name="Add ticked to collection").click()
    expect(page.get_by_text("Added 3 images to Spring campaign.")).to_be_visible()
    assert set(_order(collection)) == {i.pk for i in images}
    before = _order(collection)

    # Drag the last tile onto the first.
    page.goto(base + collection.get_absolute_url())
    tiles = page.locator("#collection-items > li")
    tiles.nth(2).drag_to(tiles.nth(0))
    expect(page.get_by_text("Saved.")).to_be_visible()
    wait_for(lambda: _order(collection) == [before[2], before[0], before[1]], what="the dragged order")

    # Keyboard: focus the first tile and move it one down with Alt+ArrowDown.
    tiles.nth(0).focus()
    page.keyboard.press("Alt+ArrowDown")
    wait_for(lambda: _order(collection) == [before[0], before[2], before[1]], what="the keyboard order")
    expect(page.locator("[data-order-status]")).to_have_text(re.compile("Moved to position 2"))
    page.reload()
    expect(page.locator("#collection-items > li").first).to_have_attribute("data-image", str(before[0]))

    # A read-only link for a client without an account; revoked, it shows nothing.
    page.get_by_role("button", name="Create share link").click()
    url = page.get_by_label("Collection share link").input_value()
    client = browser.new_context()
    guest = client.new_page()
    guest.goto(url)
    expect(guest.get_by_role("heading", name="Spring campaign")).to_be_visible()
    expect(guest.locator(".shared-tile img")).to_have_count(3)
    screenshot(guest, "collection-shared")
    page.get_by_role("button", name="Revoke").click()
    assert guest.goto(url).status == 404
    client.close()
