"""Issue 12, item 8: every page a person reaches runs under the Content Security Policy with no violation.

A listener added before any page script records each `securitypolicyviolation` event (an inline script, an
inline handler, an injected <style>, an image or connection from elsewhere); the test fails on any.
"""
import pytest

from studio.gallery import services as gallery_services
from tests.browser.conftest import wait_for
from tests.gallery.factories import make_image

LISTEN = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI || "inline"} at ${e.sourceFile}:${e.lineNumber}`);
});
"""


@pytest.fixture
def staff_owner(people):
    owner = people["owner"]
    owner.is_staff = owner.is_superuser = True
    owner.save()
    return owner


def test_no_page_breaks_the_content_security_policy(page, live_server, people, team, staff_owner, sign_in):
    image = make_image(staff_owner, team, prompt="a paper crane over a quiet harbour")
    link = gallery_services.create_share_link(image, user=staff_owner)
    page.context.add_init_script(LISTEN)
    seen = {}

    def visit(path: str, *, settle: str = "networkidle"):
        response = page.goto(live_server.url + path)
        assert response.status < 400, (path, response.status)
        assert "script-src 'self'" in response.headers.get("content-security-policy", ""), path
        page.wait_for_load_state(settle)
        seen[path] = page.evaluate("window.__cspViolations")

    visit("/accounts/login/")
    sign_in(page, staff_owner, "pw-owner")
    for path in ("/", "/gallery/", f"/images/{image.pk}/", f"/jobs/{image.job_id}/", "/edit/",
                 f"/edit/?source={image.pk}", f"/images/{image.pk}/variation", "/history/", "/search/?q=crane",
                 "/account/", f"/teams/{team.slug}/members/", "/teams/", "/jobs/", "/admin/"):
        visit(path)
    visit(f"/images/{image.pk}/")
    page.locator("[data-select-on-focus]").first.focus()  # the share link's field: once an inline onfocus=
    assert page.evaluate("document.activeElement.selectionEnd - document.activeElement.selectionStart") > 10
    page.context.clear_cookies()
    visit(link.get_absolute_url())
    assert {path: found for path, found in seen.items() if found} == {}


def test_htmx_still_swaps_under_the_policy(page, live_server, people, team, sign_in):
    """The jobs list polls with htmx; with eval and injected styles off it still swaps content."""
    from studio.generation.models import Job

    page.context.add_init_script(LISTEN)
    owner = people["owner"]
    job = Job.objects.create(owner=owner, model="dall-e-2", prompt="a kite", status="calling")
    sign_in(page, owner, "pw-owner")
    page.goto(live_server.url + "/jobs/")
    badge = page.locator(f'[hx-get="/jobs/{job.pk}/status?compact=1"]')
    badge.wait_for()
    Job.objects.filter(pk=job.pk).update(status="done")
    wait_for(lambda: "Calling the model" not in page.locator("main").inner_text(), timeout=15,
             what="htmx to swap the badge")
    assert page.evaluate("window.__cspViolations") == []
