"""STUDIO_OIDC_TEAMS: parsed strictly at start-up, checked against the teams, and applied at every SSO sign-in."""
import pytest
from django.core import checks

from studio.accounts.checks import sso_teams_exist
from studio.accounts.models import Membership, Team
from studio.accounts.sso.group_sync import sync_memberships
from studio.audit.models import AuditEvent
from studio.env import ConfigurationError, env_group_teams

ROLES = ("owner", "member", "viewer")


def test_the_mapping_is_parsed_in_order_and_team_names_may_hold_colons_and_spaces(monkeypatch):
    monkeypatch.setenv("STUDIO_OIDC_TEAMS", "design-leads=Design:owner, designers = Design:member,ops=Ops: Night:Viewer")
    assert env_group_teams("STUDIO_OIDC_TEAMS", roles=ROLES) == (
        ("design-leads", "Design", "owner"), ("designers", "Design", "member"), ("ops", "Ops: Night", "viewer"))
    monkeypatch.setenv("STUDIO_OIDC_TEAMS", "")
    assert env_group_teams("STUDIO_OIDC_TEAMS", roles=ROLES) == ()


@pytest.mark.parametrize("raw, says", [
    ("designers", "must look like 'group=Team:role"), ("designers=Design", "must look like"),
    ("=Design:member", "must look like"), ("designers=:member", "must look like"),
    ("designers=Design:admin", "names the role 'admin'"),
])
def test_a_malformed_mapping_stops_start_up_with_a_sentence(monkeypatch, raw, says):
    monkeypatch.setenv("STUDIO_OIDC_TEAMS", raw)
    with pytest.raises(ConfigurationError, match=says):
        env_group_teams("STUDIO_OIDC_TEAMS", roles=ROLES)


def test_a_malformed_mapping_stops_the_settings_module(monkeypatch):
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-c", "import studio.settings"], capture_output=True, text=True,
                            env={"STUDIO_OIDC_TEAMS": "designers=Design", "PATH": "/usr/bin:/bin", "DEBUG": "true",
                                 "STUDIO_VAR_DIR": "/tmp/studio-settings-probe"}, timeout=60)
    assert result.returncode != 0 and "STUDIO_OIDC_TEAMS must look like" in result.stderr


@pytest.mark.django_db
def test_an_unknown_team_is_a_start_up_warning(settings, team):
    settings.STUDIO_OIDC_TEAMS = (("designers", "Design", "member"), ("ops", "Operations", "viewer"))
    found = sso_teams_exist()
    assert [w.id for w in found] == ["studio.accounts.W001"] and "'Operations'" in found[0].msg
    assert isinstance(found[0], checks.Warning)
    Team.objects.create(name="Operations")
    assert sso_teams_exist() == []


@pytest.fixture
def mapping(settings, team):
    ops = Team.objects.create(name="Ops")
    settings.STUDIO_OIDC_TEAMS = (("design-leads", "Design", "owner"), ("designers", "Design", "member"),
                                  ("ops", "Ops", "viewer"))
    return {"design": team, "ops": ops}


def roles_of(user):
    return {m.team.name: (m.role, m.source) for m in Membership.objects.filter(user=user).select_related("team")}


def actions():
    return list(AuditEvent.objects.order_by("id").values_list("action", flat=True))


@pytest.mark.django_db
def test_sign_ins_add_change_and_remove_the_mappings_memberships(django_user_model, mapping):
    ana = django_user_model.objects.create_user("ana")
    sync_memberships(ana, {"groups": ["designers", "ops", "unmapped"]})
    assert roles_of(ana) == {"Design": ("member", "sso"), "Ops": ("viewer", "sso")}
    assert actions() == ["member.added", "member.added"]
    sync_memberships(ana, {"groups": ["designers", "design-leads"]})  # the higher role wins; Ops is gone
    assert roles_of(ana) == {"Design": ("owner", "sso")}
    assert sorted(actions()[2:]) == ["member.removed", "member.role_changed"]
    sync_memberships(ana, {"groups": ["designers", "design-leads"]})  # nothing changed: nothing recorded
    assert len(actions()) == 4
    sync_memberships(ana, {"groups": []})
    assert roles_of(ana) == {} and actions()[-1] == "member.removed"


@pytest.mark.django_db
def test_memberships_the_mapping_did_not_make_are_left_alone(django_user_model, mapping, people):
    # The owner came from an operator, the viewer by invitation: their groups say otherwise, nothing moves.
    Membership.objects.filter(user=people["viewer"]).update(source=Membership.Source.INVITATION)
    sync_memberships(people["owner"], {"groups": []})
    sync_memberships(people["viewer"], {"groups": ["design-leads"]})
    assert roles_of(people["owner"]) == {"Design": ("owner", "operator")}
    assert roles_of(people["viewer"]) == {"Design": ("viewer", "invitation")}
    assert actions() == []


@pytest.mark.django_db
def test_a_string_claim_and_another_claim_name_work(django_user_model, mapping, settings):
    settings.STUDIO_OIDC_GROUPS_CLAIM = "roles"
    ana = django_user_model.objects.create_user("ana")
    sync_memberships(ana, {"roles": "ops", "groups": ["designers"]})
    assert roles_of(ana) == {"Ops": ("viewer", "sso")}


@pytest.mark.parametrize("issuer, warned", [("https://login.example.com/realms/acme", False),
                                            ("http://127.0.0.1:9000/o", False), ("http://login.example.com", True)])
def test_a_plain_http_issuer_elsewhere_than_this_machine_is_a_warning(settings, issuer, warned):
    from studio.accounts.checks import sso_issuer_uses_https

    settings.STUDIO_OIDC_ISSUER = issuer
    assert [w.id for w in sso_issuer_uses_https()] == (["studio.accounts.W002"] if warned else [])
