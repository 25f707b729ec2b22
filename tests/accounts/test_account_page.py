"""/account/: name and email, password and MFA links, signed-in browsers with "Sign out everywhere", API tokens."""
import pytest
from django.test import Client
from django.urls import reverse

from studio.accounts.token_services import authenticate_token
from studio.accounts.tokens import ApiToken
from studio.audit.models import AuditEvent

from .conftest import team_events

pytestmark = pytest.mark.django_db


def test_the_account_page_needs_a_sign_in(client):
    response = client.get(reverse("accounts:account"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_name_and_email_are_saved(client, people):
    client.force_login(people["owner"])
    client.post(reverse("accounts:profile"), {"first_name": " Olga ", "last_name": "Owner", "email": "olga@example.com"})
    people["owner"].refresh_from_db()
    assert (people["owner"].get_full_name(), people["owner"].email) == ("Olga Owner", "olga@example.com")
    response = client.post(reverse("accounts:profile"), {"email": "nope"})
    assert response.status_code == 422 and "valid email" in response.content.decode()


def test_password_and_mfa_are_offered_to_password_people_only(client, people, django_user_model):
    client.force_login(people["owner"])
    page = client.get(reverse("accounts:account")).content.decode()
    assert reverse("account_change_password") in page and reverse("mfa_activate_totp") in page
    sso_person = django_user_model.objects.create_user("sso-person")  # no usable password
    client.force_login(sso_person)
    page = client.get(reverse("accounts:account")).content.decode()
    assert reverse("account_change_password") not in page and "single sign-on" in page
    assert client.get("/accounts/password/set/").status_code == 404


def test_a_token_is_shown_once_listed_with_its_hint_and_revoked(client, people, team):
    client.force_login(people["teammate"])
    response = client.post(reverse("accounts:create_token"), {"name": "nightly", "team": team.pk, "expires_days": "30"})
    page = response.content.decode()
    token = ApiToken.objects.get()
    plaintext = next(word for word in page.replace("<", " ").replace(">", " ").split() if word.startswith("stu_"))
    assert authenticate_token(plaintext) == token and response["Cache-Control"] == "no-store"
    listing = client.get(reverse("accounts:account")).content.decode()
    assert plaintext not in listing and token.hint in listing and "Design" in listing
    assert "just now" in listing  # last used: by the authenticate_token above
    client.post(reverse("accounts:revoke_token", args=[token.pk]))
    assert authenticate_token(plaintext) is None
    assert team_events("action") == ["token.created", "token.revoked"]


def test_a_viewer_cannot_make_a_token_charging_the_team(client, people, team):
    client.force_login(people["viewer"])
    response = client.post(reverse("accounts:create_token"), {"name": "x", "team": team.pk})
    assert response.status_code == 422 and not ApiToken.objects.exists()


def test_someone_elses_token_cannot_be_revoked(client, people):
    from studio.accounts.token_services import create_token

    row, _ = create_token(user=people["owner"], name="ci")
    client.force_login(people["outsider"])
    assert client.post(reverse("accounts:revoke_token", args=[row.pk])).status_code == 404
    row.refresh_from_db()
    assert row.revoked_at is None


def sign_in(client, username, password):
    return client.post(reverse("login"), {"login": username, "password": password})


def test_sign_out_everywhere_ends_every_session_and_writes_one_event(people):
    laptop, phone = Client(), Client()
    assert sign_in(laptop, "owner", "pw-owner").status_code == 302
    assert sign_in(phone, "owner", "pw-owner").status_code == 302
    page = laptop.get(reverse("accounts:account")).content.decode()
    assert page.count("<tr><td>") == 2 and "this one" in page
    before = AuditEvent.objects.count()
    response = laptop.post(reverse("accounts:sign_out_everywhere"))
    assert response.status_code == 302 and response["Location"] == reverse("login")
    for browser in (laptop, phone):
        assert browser.get(reverse("accounts:account")).status_code == 302
    assert list(AuditEvent.objects.order_by("id").values_list("action", flat=True)[before:]) == ["sign_out"]
    assert "everywhere (2 browser sessions)" in AuditEvent.objects.latest("id").summary
