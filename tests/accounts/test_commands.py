import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from studio.accounts.models import Membership, Team

pytestmark = pytest.mark.django_db


def test_team_create_and_add_creates_the_person_when_missing(capsys):
    call_command("team", "create", "Marketing")
    call_command("team", "add", "Marketing", "alice", "--role", "owner", "--password", "s3cret-pass")
    out = capsys.readouterr().out
    assert "Team 'Marketing' created." in out and "alice (new account) is owner of 'Marketing'." in out
    alice = get_user_model().objects.get(username="alice")
    assert alice.check_password("s3cret-pass")
    assert Membership.objects.get(team__name="Marketing", user=alice).role == "owner"

    call_command("team", "add", "Marketing", "alice", "--role", "viewer")  # re-role, same account
    assert Membership.objects.get(team__name="Marketing", user=alice).role == "viewer"
    assert get_user_model().objects.filter(username="alice").count() == 1


def test_team_add_to_a_missing_team_says_how_to_create_it():
    with pytest.raises(CommandError, match="team create NAME"):
        call_command("team", "add", "Nope", "bob")


def test_demo_user_is_created_once_and_its_login_shown_again(capsys, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    call_command("ensure_demo_user")
    first = capsys.readouterr().out
    assert "Username: demo" in first and "Password: " in first
    password = first.split("Password: ")[1].split()[0]
    assert get_user_model().objects.get(username="demo").check_password(password)
    assert Team.objects.filter(name="Demo team", memberships__user__username="demo").exists()

    call_command("ensure_demo_user")
    assert password in capsys.readouterr().out
    assert get_user_model().objects.count() == 1
