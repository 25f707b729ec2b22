"""A team owner registers a webhook in a real browser; a real worker delivers an approval to a loopback
receiver that fails once, retries it, and the webhook's page lists both attempts."""
from playwright.sync_api import expect

from studio.workflow import review_services, webhook_services
from studio.workflow.models import Webhook, WebhookDelivery
from tests.browser.conftest import wait_for
from tests.workflow.receivers import Receiver


def test_an_owner_registers_a_webhook_and_sees_its_deliveries(page, live_server, celery_worker_thread, people, team,
                                                              sign_in, make_image, settings, monkeypatch, screenshot):
    receiver = Receiver(failures=1)
    settings.STUDIO_WEBHOOK_ALLOWED_HOSTS = [receiver.host_port]
    monkeypatch.setattr(webhook_services, "BACKOFF_BASE", 1.0)  # the retry's wait is not what this story is about
    try:
        sign_in(page, people["owner"], "pw-owner")
        page.goto(f"{live_server.url}/teams/{team.slug}/members/")
        page.get_by_role("link", name="Webhooks").click()
        page.get_by_label("URL").fill("http://10.0.0.7/hook")
        page.get_by_label("An image was approved in review").check()
        page.get_by_role("button", name="Register webhook").click()
        expect(page.get_by_text("it is an internal address")).to_be_visible()

        page.get_by_label("URL").fill(receiver.url)
        page.get_by_role("button", name="Register webhook").click()
        expect(page.get_by_text("Webhook registered")).to_be_visible()
        webhook = Webhook.objects.get(team=team)
        receiver.secret = webhook.secret
        expect(page.locator(".webhook-secret")).to_have_text(webhook.secret)

        image = make_image(people["teammate"], team=team)
        review_services.move_review(image, user=people["teammate"], to="in_review")
        review_services.move_review(image, user=people["owner"], to="approved")
        wait_for(lambda: WebhookDelivery.objects.filter(status="delivered").exists(), timeout=60,
                 what="the delivery to land after one failure")
        page.reload()
        expect(page.get_by_role("cell", name="image.approved")).to_be_visible()
        attempts = page.locator(".webhook-attempts li")
        expect(attempts).to_have_count(2)
        expect(attempts.nth(0)).to_contain_text("500 in")
        expect(attempts.nth(1)).to_contain_text("204 in")
        assert [ok for _, _, ok in receiver.received] == [True, True]
        screenshot(page, "webhook-deliveries")
    finally:
        receiver.close()
