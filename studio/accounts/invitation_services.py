"""Inviting people into a team by email: send, revoke, accept. Each writes one audit event."""
from __future__ import annotations

import logging
import smtplib

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from studio.audit.services import record

from .invitations import Invitation
from .models import Membership, Team

log = logging.getLogger(__name__)


def invite(*, team: Team, email: str, role: str, actor, link_base: str) -> tuple[Invitation, bool]:
    """An owner invites `email` with `role`; the email goes out after the row is saved.

    `link_base` is the site's origin (`https://studio.example.com`), for the link in the email.
    Answers the invitation and whether the mail server took the message: a refused message leaves the
    invitation pending (the owner may revoke it and try again).
    """
    email = (email or "").strip()
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError(f"{email!r} is not an email address.") from None
    if role not in Membership.Role.values:
        raise ValidationError(f"{role!r} is not a role; choose owner, member or viewer.")
    if not team.is_managed_by(actor):
        raise PermissionDenied("Only the team's owners invite people.")
    with transaction.atomic():
        row, key = Invitation.new(team=team, email=email, role=role, invited_by=actor)
        row.save()
        record("invite.sent", actor=actor, team=team, target=row, summary=f"{email} invited to {team.name} as {role}")
    return row, _send(row, link=link_base.rstrip("/") + Invitation.url_for(key))


def _send(invitation: Invitation, *, link: str) -> bool:
    context = {"invitation": invitation, "link": link, "days": settings.STUDIO_INVITATION_DAYS,
               "inviter": invitation.invited_by.get_username() if invitation.invited_by else "An owner"}
    try:
        send_mail(subject=f"You are invited to {invitation.team.name} on Studio",
                  message=render_to_string("accounts/invitation_email.txt", context),
                  from_email=None, recipient_list=[invitation.email])
    except (smtplib.SMTPException, OSError) as exc:
        log.warning("invitation %s: the mail server did not take the message: %s", invitation.pk, exc)
        return False
    return True


def revoke_invitation(invitation: Invitation, *, actor) -> bool:
    if not invitation.team.is_managed_by(actor):
        raise PermissionDenied("Only the team's owners revoke invitations.")
    with transaction.atomic():
        revoked = Invitation.objects.pending().filter(pk=invitation.pk).update(revoked_at=timezone.now())
        if revoked:
            record("invite.revoked", actor=actor, team=invitation.team, target=invitation,
                   summary=f"invitation of {invitation.email} to {invitation.team.name}")
    return bool(revoked)


def pending_invitation(key: str) -> Invitation | None:
    return Invitation.objects.pending().by_key(key).select_related("team", "invited_by").first()


def accept_invitation(*, key: str, user) -> Membership:
    """`user` joins the team with the invited role; the link is then spent.

    A conditional UPDATE claims the invitation, so two clicks (or two people with one link) make one
    membership. Someone already in the team keeps their role, and the link stays unused.
    """
    invitation = pending_invitation(key)
    if invitation is None:
        raise ValidationError("This invitation link is not valid: it was used, revoked or has expired. "
                              "Ask a team owner for a new one.")
    existing = Membership.objects.filter(team=invitation.team, user=user).first()
    if existing is not None:
        raise ValidationError(f"You are already in {invitation.team.name} as {existing.role}; "
                              "the invitation was left unused.")
    with transaction.atomic():
        claimed = Invitation.objects.pending().filter(pk=invitation.pk).update(
            accepted_at=timezone.now(), accepted_by=user)
        if not claimed:
            raise ValidationError("This invitation was used a moment ago.")
        membership = Membership.objects.create(team=invitation.team, user=user, role=invitation.role,
                                               source=Membership.Source.INVITATION)
        record("invite.accepted", actor=user, team=invitation.team, target=invitation,
               summary=f"{user.get_username()} joined {invitation.team.name} as {invitation.role} "
                       f"(invited as {invitation.email})")
    return membership
