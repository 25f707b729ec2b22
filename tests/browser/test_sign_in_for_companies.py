"""Sign-in for companies in a real browser: SSO at a real OpenID provider (a separate process), TOTP
enrolment and a sign-in with a code, and an invitation whose email is read from a real SMTP server."""
import re
import time

from playwright.sync_api import expect

from studio.accounts.models import Membership, Team
from tests.oidc_provider.fixture import PEOPLE, identity_provider  # noqa: F401 - a session fixture
from tests.totp import totp_at, totp_now

from .conftest import wait_for



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


class Mailbox:
    """aiosmtpd's handler: keeps every message the SMTP server on loopback receives."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope.content.decode("utf8", errors="replace"))
        return "250 OK"


def test_an_invitation_end_to_end_through_a_real_smtp_server(browser, page, live_server, people, team, sign_in,
                                                             settings, screenshot):
    from aiosmtpd.controller import Controller

    from studio.devtools.processes import free_port

    mailbox = Mailbox()
    smtp = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    smtp.start()
    try:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", smtp.port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        base = live_server.url
        sign_in(page, people["owner"], "pw-owner")
        page.goto(f"{base}/teams/")
        page.get_by_role("row", name=re.compile(team.name)).get_by_role("link", name="Members").click()
        page.get_by_label("Email", exact=True).fill("dana@example.com")
        page.get_by_label("Role", exact=True).select_option("viewer")
        page.get_by_role("button", name="Send invitation").click()
        expect(page.get_by_text("Invitation sent to dana@example.com")).to_be_visible()
        expect(page.get_by_role("row", name=re.compile("dana@example.com"))).to_contain_text("Viewer")
        screenshot(page, "members-owner-with-invitation")
        message = wait_for(lambda: mailbox.messages and mailbox.messages[0], timeout=10, what="the invitation email")
        assert "To: dana@example.com" in message
        link = re.search(r"(http://\S+/invitations/\S+/)", message).group(1)
    finally:
        smtp.stop()

    invitee = browser.new_context(viewport={"width": 1280, "height": 900})
    invitee.set_default_timeout(15_000)
    dana = invitee.new_page()
    try:
        dana.goto(link)
        expect(dana.get_by_role("heading", name=f"Join {team.name}")).to_be_visible()
        screenshot(dana, "invitation-page")
        dana.get_by_role("link", name="Create a password account").click()
        dana.get_by_label(re.compile(r"^Username:?$")).fill("dana")
        expect(dana.get_by_label(re.compile("^Email"))).to_have_value("dana@example.com")
        dana.get_by_label(re.compile(r"^Password:?$")).fill("a long pass phrase")
        dana.get_by_label(re.compile("Password \\(again\\)")).fill("a long pass phrase")
        screenshot(dana, "invitation-sign-up")
        dana.get_by_role("button", name="Sign Up").click()
        dana.get_by_role("button", name=f"Join {team.name}").click()
        expect(dana).to_have_url(re.compile(rf"/teams/{team.slug}/$"))
        expect(dana.get_by_text(f"You joined {team.name} as viewer")).to_be_visible()
        # The link was for one use.
        assert dana.goto(link).status == 404
    finally:
        invitee.close()
    joined = Membership.objects.get(team=team, user__username="dana")
    assert (joined.role, joined.source) == ("viewer", "invitation")
    page.reload()
    expect(page.get_by_text("No pending invitations.")).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("dana"))).to_contain_text("Invitation")
