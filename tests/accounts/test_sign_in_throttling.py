"""Issue 12, item 9: sign-in throttling (django-axes), password rules, and `team add` without a password in argv."""
from __future__ import annotations

import io

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from studio.accounts.models import Membership, Team
from studio.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-enough-password"


@pytest.fixture
def alice(django_user_model):
    return django_user_model.objects.create_user("alice", password=PASSWORD)


def _try(client: Client, password: str, *, login: str = "alice", address: str = "198.51.100.7"):
    return client.post(reverse("login"), {"login": login, "password": password}, REMOTE_ADDR=address)


def test_ten_failures_lock_that_name_from_that_address_with_a_clear_page(alice, settings):
    client = Client()
    for _ in range(9):
        assert _try(client, "wrong").status_code == 200  # the form again, with its error
    locked = _try(client, "wrong")
    assert locked.status_code == 429
    page = " ".join(locked.content.decode().split())
    assert "Too many failed sign-ins" in page and "paused after 10 wrong passwords" in page
    assert f"Try again in {settings.AXES_COOLOFF_TIME.seconds // 60} minutes" in page
    # Even the right password waits out the cool-off...
    assert _try(client, PASSWORD).status_code == 429
    # ...but only for that name from that address: the same person elsewhere, or another name here, go on.
    assert _try(Client(), PASSWORD, address="203.0.113.9").status_code == 302
    get_user_model().objects.create_user("bob", password=PASSWORD)
    assert _try(Client(), PASSWORD, login="bob").status_code == 302


def test_each_attempt_is_one_audit_event_and_the_lockout_is_audited(alice):
    client = Client()
    for _ in range(11):
        _try(client, "wrong")
    actions = list(AuditEvent.objects.order_by("pk").values_list("action", flat=True))
    assert actions == ["sign_in.failed"] * 9 + ["sign_in.locked_out"] * 2


def test_the_admin_sign_in_is_throttled_too(alice):
    alice.is_staff = True
    alice.save()
    client = Client()
    # The admin's own form is never shown: its sign-in is Studio's page, throttled like everyone's.
    assert client.post("/admin/login/", {"username": "alice", "password": "wrong"}).url.startswith(reverse("login"))
    for _ in range(10):
        _try(client, "wrong", address="198.51.100.8")
    response = _try(client, PASSWORD, address="198.51.100.8")
    assert response.status_code == 429 and "Too many failed sign-ins" in response.content.decode()
    assert client.get("/admin/").status_code == 302  # not signed in


def test_the_cool_off_is_a_setting(alice, settings, monkeypatch):
    from studio.conf.signin import throttling_settings

    assert throttling_settings(cooloff_minutes=5, behind_proxy=False)["AXES_COOLOFF_TIME"].seconds == 300
    behind = throttling_settings(cooloff_minutes=5, behind_proxy=True)
    assert behind["AXES_IPWARE_META_PRECEDENCE_ORDER"][0] == "HTTP_X_FORWARDED_FOR"
    assert throttling_settings(cooloff_minutes=5, behind_proxy=False)["AXES_IPWARE_META_PRECEDENCE_ORDER"] == (
        "REMOTE_ADDR",)  # a client cannot pick its own address with a header


@pytest.mark.parametrize("password, why", [("short-pw", "at least 10"), ("1234567890123", "entirely numeric"),
                                           ("password1234", "too common")])
def test_djangos_four_password_validators_with_a_minimum_of_ten(password, why):
    with pytest.raises(ValidationError, match=why):
        validate_password(password)
    validate_password("correct horse battery")


def test_team_add_reads_a_new_persons_password_from_stdin_and_warns_about_argv(capsys):
    Team.objects.create(name="Design")
    call_command("team", "add", "Design", "carol", stdin=io.StringIO("carols-long-password\n"))
    carol = get_user_model().objects.get(username="carol")
    assert carol.check_password("carols-long-password")

    call_command("team", "add", "Design", "dave", "--password", "daves-long-password")
    assert "lands in your shell history" in capsys.readouterr().err

    with pytest.raises(CommandError, match="not accepted: This password is too short"):
        call_command("team", "add", "Design", "erin", stdin=io.StringIO("short\n"))
    with pytest.raises(CommandError, match="No password given"):
        call_command("team", "add", "Design", "erin", stdin=io.StringIO(""))
    assert not get_user_model().objects.filter(username="erin").exists()


def test_team_add_never_touches_an_existing_persons_password(alice, capsys):
    Team.objects.create(name="Design")
    call_command("team", "add", "Design", "alice", "--role", "owner", "--password", "an-attackers-password")
    alice.refresh_from_db()
    assert alice.check_password(PASSWORD)
    assert "their password is left as it is" in capsys.readouterr().err
    assert Membership.objects.get(user=alice).role == "owner"
    call_command("team", "add", "Design", "alice", "--role", "viewer", stdin=io.StringIO(""))  # no prompt at all
    alice.refresh_from_db()
    assert alice.check_password(PASSWORD)
