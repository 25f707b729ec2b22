"""Bulk move and undo in a real browser: tick with a click and a Shift+click range, move the ticked images to
the team, see them there, undo, and they are private again; then star and trash a range, and restore all."""
import re

from playwright.sync_api import expect

from studio.gallery.models import Image
from tests.browser.conftest import wait_for
from tests.gallery.factories import make_image


def test_bulk_move_and_undo(page, live_server, transactional_db, people, team, sign_in, screenshot):
    base = live_server.url
    images = [make_image(people["owner"], None, prompt=f"a private study, sheet {i}") for i in range(5)]
    sign_in(page, people["owner"], "pw-owner")
    page.goto(base + "/gallery/")
    expect(page.get_by_text("No images ticked.")).to_be_visible()  # the toolbar came after the page

    # Newest first: sheets 4, 3, 2, 1, 0. Click 3, Shift+click 1: 3, 2 and 1 are ticked.
    page.get_by_label(f"Select image {images[3].pk}").click()
    page.get_by_label(f"Select image {images[1].pk}").click(modifiers=["Shift"])
    expect(page.get_by_text("3 images ticked.")).to_be_visible()
    # The keyboard: focus sheet 0's box and press Space.
    page.get_by_label(f"Select image {images[0].pk}").focus()
    page.keyboard.press("Space")
    expect(page.get_by_text("4 images ticked.")).to_be_visible()
    page.locator("#bulk-team").select_option(label=team.name)
    page.get_by_role("button", name="Move", exact=True).click()
    expect(page.get_by_text(f"Moved to {team.name}: 4 images.")).to_be_visible()
    moved = [images[i].pk for i in (0, 1, 2, 3)]
    assert set(Image.objects.filter(team=team).values_list("pk", flat=True)) == set(moved)
    screenshot(page, "bulk-moved")

    page.get_by_role("button", name="Undo").click()
    expect(page.get_by_text("Put back: 4 images.")).to_be_visible()
    wait_for(lambda: not Image.objects.filter(team=team).exists(), what="the images private again")

    # Star and trash with "Tick all", then restore everything from the trash.
    page.get_by_role("button", name="Tick all").click()
    expect(page.get_by_text("5 images ticked.")).to_be_visible()
    page.get_by_role("button", name="Trash").click()
    expect(page.get_by_text("Moved to the trash: 5 images.")).to_be_visible()
    page.goto(base + "/trash/")
    page.get_by_role("button", name="Put all back").click()
    expect(page.get_by_text("Restored 5 images.")).to_be_visible()
    assert not Image.objects.filter(deleted_at__isnull=False).exists()
    expect(page.locator(".archive-grid .tile")).to_have_count(0)
    page.goto(base + "/gallery/")
    expect(page.locator(".archive-grid .tile")).to_have_count(5)
    assert re.search(r"/gallery/$", page.url)
