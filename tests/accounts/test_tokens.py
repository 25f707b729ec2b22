"""Personal API tokens: shown once, kept as a digest, found by lookup, refused when wrong, revoked or expired."""
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.utils import timezone

from studio.accounts.token_services import authenticate_token, create_token, revoke_token
from studio.accounts.tokens import ApiToken
from studio.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_a_token_is_shown_once_and_stored_as_a_digest(people, team):
    row, plaintext = create_token(user=people["teammate"], name="nightly renders", team=team)
    assert plaintext.startswith("stu_") and len(plaintext) > 40
    stored = ApiToken.objects.get()
    assert plaintext not in (stored.digest, stored.lookup) and stored.lookup in plaintext
    assert authenticate_token(plaintext) == row
    assert list(AuditEvent.objects.values_list("action", flat=True)) == ["token.created"]


@pytest.mark.parametrize("mangle", [
    lambda t: "", lambda t: "Bearer " + t, lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),
    lambda t: t.replace("stu_", "sk-"), lambda t: "stu_" + "0" * 10 + "_" + t.split("_", 2)[2],
])
def test_wrong_tokens_are_refused(people, mangle):
    _, plaintext = create_token(user=people["owner"], name="ci")
    assert authenticate_token(mangle(plaintext)) is None


def test_revoked_and_expired_tokens_are_refused(people):
    row, plaintext = create_token(user=people["owner"], name="ci", expires_days=1)
    ApiToken.objects.filter(pk=row.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert authenticate_token(plaintext) is None
    row2, plaintext2 = create_token(user=people["owner"], name="ci-2")
    assert revoke_token(row2, actor=people["owner"]) and not revoke_token(row2, actor=people["owner"])
    assert authenticate_token(plaintext2) is None
    assert AuditEvent.objects.filter(action="token.revoked").count() == 1


def test_a_viewer_cannot_make_a_token_that_charges_the_team(people, team):
    with pytest.raises(PermissionDenied):
        create_token(user=people["viewer"], name="x", team=team)


def test_names_are_unique_among_live_tokens(people):
    row, _ = create_token(user=people["owner"], name="ci")
    with pytest.raises(ValidationError):
        create_token(user=people["owner"], name="ci")
    revoke_token(row, actor=None)
    create_token(user=people["owner"], name="ci")  # the name is free again


def test_last_used_is_recorded(people):
    row, plaintext = create_token(user=people["owner"], name="ci")
    authenticate_token(plaintext)
    row.refresh_from_db()
    assert row.last_used_at is not None


def test_token_command_prints_the_token_alone_on_its_last_line(capsys, people, team):
    call_command("token", "create", "teammate", "--name", "batch job", "--team", "Design", "--expires-days", "30")
    out = capsys.readouterr().out.strip().splitlines()
    token = authenticate_token(out[-1])
    assert token is not None and token.team == team and token.expires_at is not None
    call_command("token", "revoke", "teammate", "batch job")
    assert authenticate_token(out[-1]) is None
    with pytest.raises(CommandError, match="no active token"):
        call_command("token", "revoke", "teammate", "batch job")
    with pytest.raises(CommandError, match="viewers only look"):
        call_command("token", "create", "viewer", "--name", "x", "--team", "Design")
