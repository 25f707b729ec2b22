"""Two people reviewing in real browsers: the maker asks for a review and @mentions a teammate; the teammate
follows the notification, asks for changes and mentions the maker back; the maker asks again and the
teammate approves; the team gallery's review filter then finds the image."""
import re

from playwright.sync_api import expect

from studio.workflow.models import ImageReview
from tests.gallery.factories import make_image


def _badge(page, count):
    expect(page.locator(".nav-rest [data-unread]")).to_have_text(re.compile(rf"^{count}\b"))


def test_two_people_review_and_mention_each_other(browser, page, live_server, transactional_db, people, team,
                                                  sign_in, screenshot):
    base = live_server.url
    image = make_image(people["owner"], team, prompt="a poster of a red kite over the dunes")
    other = make_image(people["owner"], team, prompt="a poster of a lighthouse")

    # Ann (the maker) asks for a review and mentions Ben.
    sign_in(page, people["owner"], "pw-owner")
    page.goto(f"{base}/images/{image.pk}/")
    page.get_by_label("Add a comment").fill("@teammate is the kite big enough?")
    page.get_by_role("button", name="Comment").click()
    page.get_by_role("button", name="Ask for review").click()
    expect(page.locator("[data-review-state]")).to_have_attribute("data-review-state", "in_review")

    # Ben, in his own browser, sees the badge and follows the mention.
    ben_context = browser.new_context(viewport={"width": 1280, "height": 900})
    ben_context.set_default_timeout(15_000)
    ben = ben_context.new_page()
    sign_in(ben, people["teammate"], "pw-teammate")
    _badge(ben, 1)
    ben.get_by_role("link", name=re.compile("^Notifications")).click()
    ben.get_by_role("link", name=re.compile("owner mentioned you")).click()
    expect(ben.get_by_text("is the kite big enough?")).to_be_visible()
    ben.get_by_label("Add a comment").fill("@owner make it twice the size, please")
    ben.get_by_role("button", name="Comment").click()
    ben.get_by_role("button", name="Request changes").click()
    expect(ben.locator("[data-review-state]")).to_have_attribute("data-review-state", "changes_requested")
    expect(ben.get_by_text("by teammate")).to_be_visible()

    # Ann is told twice (the mention and the decision), asks again; Ben approves.
    page.reload()
    _badge(page, 2)
    page.get_by_role("link", name=re.compile("^Notifications")).click()
    expect(page.get_by_role("link", name=re.compile("teammate: image .* changes requested"))).to_be_visible()
    screenshot(page, "review-notifications")
    page.get_by_role("link", name=re.compile("teammate mentioned you")).click()
    expect(page.get_by_text("make it twice the size")).to_be_visible()
    page.get_by_role("button", name="Ask for review").click()
    ben.reload()
    ben.get_by_role("button", name="Approve").click()
    expect(ben.locator("[data-review-state]")).to_have_attribute("data-review-state", "approved")
    assert ImageReview.objects.get(image=image).decided_by == people["teammate"]

    # Ben has no way to trash Ann's approved image; the team gallery filters by review state.
    expect(ben.get_by_role("button", name="Move to trash")).to_have_count(0)
    ben.goto(f"{base}/teams/{team.slug}/")
    ben.locator("summary", has_text="Filter").click()
    ben.get_by_label("Review").select_option("approved")
    ben.get_by_role("button", name="Apply").click()
    expect(ben.locator(f'a[href="/images/{image.pk}/"]').first).to_be_visible()
    expect(ben.locator(f'a[href="/images/{other.pk}/"]')).to_have_count(0)
    screenshot(ben, "review-approved-filter")
    ben_context.close()
