"""The groups claim becomes memberships of the mapped teams (STUDIO_OIDC_TEAMS), at every SSO sign-in.

The mapping manages only the memberships it made (`source=sso`): it adds them, changes their role and
removes them when the group is gone. A membership that came by invitation or from an operator is left
alone, whatever the groups say. The identity provider is the truth for what it manages, so a person
whose group is gone leaves the team even if they were its last owner.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction

from studio.audit.services import record

from ..models import Membership, Team

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class MembershipChange:
    action: str  # member.added | member.role_changed | member.removed
    team: Team
    role: str


def groups_from_claims(claims: dict) -> set[str]:
    """The person's groups, from a list or (as some providers send one group) a string."""
    value = claims.get(settings.STUDIO_OIDC_GROUPS_CLAIM) or []
    if isinstance(value, str):
        value = [value]
    return {str(group) for group in value if group}


def wanted_roles(groups: set[str]) -> tuple[dict[int, tuple[str, str]], dict[int, Team]]:
    """({team id: (role, group)} the groups ask for, {team id: Team} of every mapped team that exists).

    When two groups map the person into one team, the higher role wins.
    """
    names = {team_name for _, team_name, _ in settings.STUDIO_OIDC_TEAMS}
    teams = {team.name: team for team in Team.objects.filter(name__in=names)}
    wanted: dict[int, tuple[str, str]] = {}
    for group, team_name, role in settings.STUDIO_OIDC_TEAMS:
        team = teams.get(team_name)
        if team is None or group not in groups:
            continue
        current = wanted.get(team.pk)
        if current is None or Membership.ROLE_RANK[role] > Membership.ROLE_RANK[current[0]]:
            wanted[team.pk] = (role, group)
    return wanted, {team.pk: team for team in teams.values()}


@transaction.atomic
def sync_memberships(user, claims: dict) -> list[MembershipChange]:
    """Bring `user`'s memberships of mapped teams in line with their groups; one audit event per change."""
    if not settings.STUDIO_OIDC_TEAMS:
        return []
    wanted, mapped = wanted_roles(groups_from_claims(claims))
    current = {m.team_id: m for m in Membership.objects.select_for_update().filter(user=user, team_id__in=mapped)}
    username = user.get_username()
    changes = []
    for team_id, team in mapped.items():
        membership = current.get(team_id)
        role, group = wanted.get(team_id, (None, None))
        if membership is not None and membership.source != Membership.Source.SSO:
            continue  # an invitation's or an operator's: not the mapping's to change
        if membership is None and role is not None:
            membership = Membership.objects.create(team=team, user=user, role=role, source=Membership.Source.SSO)
            record("member.added", team=team, target=membership,
                   summary=f"{username} joined {team.name} as {role} (SSO group {group!r})")
            changes.append(MembershipChange("member.added", team, role))
        elif membership is not None and role is None:
            record("member.removed", team=team, target=membership,
                   summary=f"{username} removed from {team.name}: no longer in a mapped SSO group")
            membership.delete()
            changes.append(MembershipChange("member.removed", team, membership.role))
        elif membership is not None and membership.role != role:
            before, membership.role = membership.role, role
            membership.save(update_fields=["role"])
            record("member.role_changed", team=team, target=membership,
                   summary=f"{username}: {before} → {role} in {team.name} (SSO group {group!r})")
            changes.append(MembershipChange("member.role_changed", team, role))
    return changes
