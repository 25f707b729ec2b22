"""Issue 18, item 10: axe-core (the axe-playwright-python package bundles it) on every page, in the light
and the dark theme (the app follows the system's colour scheme: Playwright's `color_scheme` switches it)
and at phone width: no serious or critical violation.

One signed-in context per theme and width, reused for every page. Staff pages (operations, audit) are
left to their own tests: nobody here is staff.
"""
import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse

from studio.gallery import services as gallery_services

SERIOUS = {"serious", "critical"}
LOOKS = {
    "light": {"viewport": {"width": 1280, "height": 900}, "color_scheme": "light"},
    "dark": {"viewport": {"width": 1280, "height": 900}, "color_scheme": "dark"},
    "phone-light": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True,
                    "color_scheme": "light"},
    "phone-dark": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True,
                   "color_scheme": "dark"},
}


@pytest.fixture
def every_page(make_image, people, team):
    owner = people["owner"]
    root = make_image(owner, team=team, prompt="a lighthouse at dusk", revised_prompt="A tall lighthouse at dusk.")
    child = make_image(owner, team=team, prompt="a lighthouse at dawn", parent=root, color=(40, 90, 200))
    trashed = make_image(owner, prompt="a trashed teapot")
    gallery_services.trash_image(trashed, actor=owner)
    link = gallery_services.create_share_link(root, user=owner)
    signed_in = [
        reverse("generation:new"), reverse("generation:edit"), f"{reverse('generation:edit')}?source={root.pk}",
        reverse("generation:variation", args=[root.pk]), reverse("gallery:mine"), reverse("gallery:teams"),
        reverse("gallery:team", args=[team.slug]), reverse("accounts:members", args=[team.slug]),
        reverse("generation:history"), f"{reverse('gallery:search')}?q=lighthouse", reverse("gallery:trash"),
        reverse("generation:jobs"), root.job.get_absolute_url(), reverse("spending:spend"),
        root.get_absolute_url(), child.get_absolute_url(), reverse("gallery:family", args=[child.pk]),
        reverse("generation:compare", args=[root.pk, child.pk]), reverse("accounts:account"),
        reverse("gallery:delete", args=[child.pk]), trashed.get_absolute_url(), "/no-such-page/",
    ]
    signed_out = [reverse("login"), link.get_absolute_url(), "/s/revoked-or-never-was/"]
    return signed_in, signed_out


def _problems(page, axe, url=None, *, where="") -> list[str]:
    """Serious and critical violations on `url` (or on the page as it is now, named `where`)."""
    if url:
        page.goto(url)
    found = []
    url = url or where
    for violation in axe.run(page).response["violations"]:
        if violation["impact"] in SERIOUS:
            targets = ", ".join(str(node["target"]) for node in violation["nodes"][:3])
            found.append(f"{url}: {violation['impact']} {violation['id']} ({violation['help']}) at {targets}")
    return found


@pytest.mark.parametrize("look", list(LOOKS))
def test_no_serious_accessibility_violation_on_any_page(browser, live_server, people, every_page, sign_in,
                                                        screenshot, look):
    signed_in, signed_out = every_page
    axe = Axe()
    failures = []
    for who, urls in (("owner", signed_in), (None, signed_out)):
        context = browser.new_context(**LOOKS[look])
        context.set_default_timeout(15_000)
        try:
            page = context.new_page()
            if who:
                sign_in(page, people[who], f"pw-{who}")
            for path in urls:
                failures += _problems(page, axe, live_server.url + path)
            if who:  # what opens on top of a page: the confirm dialog, and on a phone the More menu
                page.goto(live_server.url + signed_in[14])
                screenshot(page, f"a11y-image-page-{look}")
                page.get_by_role("button", name="Move to trash").click()
                failures += _problems(page, axe, where=f"{signed_in[14]} with the confirm dialog open")
                page.keyboard.press("Escape")
                if look.startswith("phone"):
                    page.get_by_text("More", exact=True).click()
                    failures += _problems(page, axe, where=f"{signed_in[14]} with the More menu open")
        finally:
            context.close()
    assert not failures, "\n".join(failures)
