"""Sign-in for companies in a real browser: SSO at a real OpenID provider (a separate process), TOTP
enrolment and a sign-in with a code, and an invitation whose email is read from a real SMTP server."""
import re
import time

from playwright.sync_api import expect

from studio.accounts.models import Membership, Team
from tests.oidc_provider.fixture import PEOPLE, identity_provider  # noqa: F401 - a session fixture
from tests.totp import totp_at, totp_now



def sso_sign_in(page, base, username):
    page.goto(base + "/accounts/login/")
    page.get_by_role("button", name="Sign in with Acme SSO").click()
    page.get_by_label("Acme username").fill(username)
    page.get_by_label("Acme password").fill(PEOPLE[username][0])
    page.get_by_role("button", name="Continue to Studio").click()
    page.wait_for_url(base + "/")


def test_sso_sign_in_lands_in_the_mapped_team_and_no_group_in_no_team(browser, live_server, identity_provider,
                                                                       settings, screenshot):
    design = Team.objects.create(name="Design")
    identity_provider.configure(settings, teams=[("designers", "Design", "member")])
    base = live_server.url
    for username, team_count in (("alice", 1), ("bob", 0)):
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        context.set_default_timeout(15_000)
        page = context.new_page()
        try:
            page.goto(base + "/accounts/login/")
            if username == "alice":
                screenshot(page, "sign-in-with-sso")
            sso_sign_in(page, base, username)
            page.get_by_role("navigation", name="Main").get_by_role("link", name="Teams").click()
            if team_count:
                expect(page.get_by_role("row", name=re.compile("Design"))).to_contain_text("Member")
                screenshot(page, "teams-after-sso")
                page.get_by_role("row", name=re.compile("Design")).get_by_role("link", name="Members").click()
                expect(page.get_by_role("row", name=re.compile("alice"))).to_contain_text("SSO group")
                screenshot(page, "members-after-sso")
            else:
                expect(page.get_by_text("You are not in a team yet")).to_be_visible()
        finally:
            context.close()
    alice = Membership.objects.get(team=design, user__username="alice")
    assert (alice.role, alice.source) == ("member", "sso")
    assert not Membership.objects.filter(user__username="bob").exists()


def test_mfa_enrolment_then_a_sign_in_with_a_totp_code(page, live_server, people, sign_in, screenshot, settings):
    settings.MFA_TOTP_TOLERANCE = 1  # one window either side, as for a phone whose clock is a little off
    base = live_server.url
    sign_in(page, people["teammate"], "pw-teammate")
    page.get_by_role("link", name="Account").click()
    screenshot(page, "account-page")
    page.get_by_role("link", name="Set up an authenticator app").click()
    if "/reauthenticate/" in page.url:  # allauth asks for the password again before MFA changes
        page.get_by_label("Password").fill("pw-teammate")
        page.get_by_role("button", name=re.compile("Confirm")).click()
    secret = page.locator("#authenticator_secret").input_value()
    screenshot(page, "mfa-activate")
    page.get_by_label("Authenticator code").fill(totp_now(secret))
    page.get_by_role("button", name="Activate").click()
    expect(page.get_by_role("heading", name="Recovery Codes")).to_be_visible()
    screenshot(page, "mfa-recovery-codes")
    page.get_by_role("button", name="Sign out").click()

    page.goto(base + "/accounts/login/")
    page.get_by_label("Username").fill("teammate")
    page.get_by_label("Password").fill("pw-teammate")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_label("Code")).to_be_visible()
    screenshot(page, "mfa-sign-in-code")
    # A code is single-use; the next window's code is another one, and within the tolerance.
    page.get_by_label("Code").fill(totp_at(secret, time.time() + 30))
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url(base + "/")
    expect(page.locator(".who")).to_have_text("teammate")
