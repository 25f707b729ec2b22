"""The sign-in page: existing passwords keep working, each sign-in, sign-out and failure is one audit event,
STUDIO_LOCAL_LOGIN=false keeps passwords for staff, and STUDIO_REQUIRE_MFA sends password people to enrol."""
import pytest
from django.urls import reverse

from studio.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def sign_in(client, username, password, **extra):
    return client.post(reverse("login") + extra.pop("query", ""), {"login": username, "password": password, **extra})


def actions():
    return list(AuditEvent.objects.order_by("id").values_list("action", flat=True))


def test_the_page_keeps_its_labels(client):
    page = client.get(reverse("login")).content.decode()
    for text in (">Username</label>", ">Password</label>", ">Sign in</button>"):
        assert text in page


def test_an_existing_password_signs_in_and_out_with_one_event_each(client, people):
    response = sign_in(client, "teammate", "pw-teammate", next="/jobs/")
    assert response.status_code == 302 and response["Location"] == "/jobs/"
    event = AuditEvent.objects.get()
    assert (event.action, event.actor.username, event.summary) == ("sign_in", "teammate", "teammate signed in with password")
    client.post(reverse("logout"))
    assert actions() == ["sign_in", "sign_out"]
    assert client.get(reverse("accounts:account")).status_code == 302


def test_a_wrong_password_is_one_failed_event_without_the_password(client, people):
    response = sign_in(client, "teammate", "wrong-secret")
    assert response.status_code == 200 and "do not match" in response.content.decode()
    event = AuditEvent.objects.get()
    assert event.action == "sign_in.failed" and "teammate" in event.summary and "wrong-secret" not in event.summary
    assert "_auth_user_id" not in client.session


def test_a_signed_in_person_is_sent_on_from_the_sign_in_page(client, people):
    client.force_login(people["owner"])
    assert client.get(reverse("login")).status_code == 302


def test_without_local_login_passwords_are_for_staff(client, people, settings, django_user_model):
    settings.STUDIO_LOCAL_LOGIN = False
    settings.STUDIO_OIDC_ISSUER, settings.STUDIO_OIDC_CLIENT_ID, settings.STUDIO_OIDC_CLIENT_SECRET = (
        "http://127.0.0.1:9", "id", "secret")
    settings.STUDIO_OIDC_NAME = "Acme SSO"
    page = client.get(reverse("login")).content.decode()
    assert "Sign in with Acme SSO" in page and 'name="password"' not in page and "Staff sign-in" in page
    assert 'name="password"' in client.get(reverse("login") + "?local=1").content.decode()
    response = sign_in(client, "owner", "pw-owner", query="?local=1")
    assert response.status_code == 200 and "for staff only" in response.content.decode()
    assert "_auth_user_id" not in client.session
    django_user_model.objects.create_user("admin", password="pw-admin", is_staff=True)
    assert sign_in(client, "admin", "pw-admin", query="?local=1").status_code == 302


def test_required_mfa_sends_password_people_to_enrol_first(client, people, settings):
    settings.STUDIO_REQUIRE_MFA = True
    sign_in(client, "teammate", "pw-teammate")
    response = client.get(reverse("generation:jobs"))
    assert response.status_code == 302 and response["Location"] == reverse("mfa_activate_totp")
    # allauth asks for the password again before an authenticator changes; both pages stay reachable.
    enrol = client.get(reverse("mfa_activate_totp"))
    assert enrol.status_code == 302 and enrol["Location"].startswith(reverse("account_reauthenticate"))
    assert client.get(enrol["Location"]).status_code == 200
    settings.STUDIO_REQUIRE_MFA = False
    assert client.get(reverse("generation:jobs")).status_code == 200


def test_required_mfa_leaves_sso_people_to_their_provider(client, settings, django_user_model):
    settings.STUDIO_REQUIRE_MFA = True
    client.force_login(django_user_model.objects.create_user("sso-person"))  # no usable password
    assert client.get(reverse("generation:jobs")).status_code == 200


def test_the_admin_signs_in_through_studios_page(client, people):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    client.force_login(people["outsider"])
    assert client.get("/admin/login/").status_code == 403  # signed in, not staff


def test_a_totp_person_needs_the_code_and_the_event_says_so(client, people):
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    from tests.totp import totp_now

    secret = generate_totp_secret()
    TOTP.activate(people["teammate"], secret)
    response = sign_in(client, "teammate", "pw-teammate")
    assert response.status_code == 302 and response["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session and not AuditEvent.objects.exists()
    assert client.post(reverse("mfa_authenticate"), {"code": "000000"}).status_code == 200  # wrong: asked again
    response = client.post(reverse("mfa_authenticate"), {"code": totp_now(secret)})
    assert response.status_code == 302 and client.session["_auth_user_id"] == str(people["teammate"].pk)
    assert AuditEvent.objects.get(action="sign_in").summary == "teammate signed in with password and TOTP"
