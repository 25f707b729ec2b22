"""The members page of a team: everyone in the team sees it; owners change roles, remove and invite."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from studio.confirming import confirm_page

from .. import invitation_services, selectors, services
from ..forms import InviteForm, RoleForm, errors_of
from ..invitations import Invitation
from ..models import Membership
from ..sso.provider import studio_app


def _membership_or_404(request, slug) -> Membership:
    mine = selectors.my_membership(request.user, slug)
    if mine is None:
        raise Http404("No such team.")
    return mine


@login_required
def members(request, slug, invite_form=None, status=200):
    mine = _membership_or_404(request, slug)
    team = mine.team
    is_owner = mine.role == Membership.Role.OWNER
    return render(request, "accounts/members.html", {
        "team": team, "mine": mine, "is_owner": is_owner, "members": selectors.members_of(team),
        "invitations": selectors.pending_invitations(team) if is_owner else [],
        "invite_form": invite_form or InviteForm(), "roles": Membership.Role.choices, "sso": studio_app() is not None,
    }, status=status)


def _back(slug):
    return redirect("accounts:members", slug)


@login_required
@require_POST
def change_role(request, slug, pk):
    team = _membership_or_404(request, slug).team
    membership = get_object_or_404(Membership.objects.select_related("user"), team=team, pk=pk)
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose owner, member or viewer.")
        return _back(slug)
    try:
        services.change_role(membership=membership, role=form.cleaned_data["role"], actor=request.user)
    except PermissionDenied as exc:
        raise Http404("No such member.") from exc  # a non-owner learns nothing by trying
    except ValidationError as exc:
        messages.error(request, errors_of(exc))
    else:
        messages.success(request, f"{membership.user.get_username()} is now {form.cleaned_data['role']}.")
    return _back(slug)


@login_required
@require_http_methods(["GET", "POST"])
def remove(request, slug, pk):
    mine = _membership_or_404(request, slug)
    team = mine.team
    membership = get_object_or_404(Membership.objects.select_related("user"), team=team, pk=pk)
    leaving = membership.user_id == request.user.pk
    if request.method == "GET":
        if not leaving and mine.role != Membership.Role.OWNER:
            raise Http404("No such member.")
        if leaving:
            return confirm_page(request, question=f"Leave {team.name}?", button="Leave",
                                detail="You lose access to the team's images until someone invites you again.",
                                cancel_url=reverse("accounts:members", args=[slug]))
        return confirm_page(request, question=f"Remove {membership.user.get_username()} from {team.name}?",
                            button="Remove", cancel_url=reverse("accounts:members", args=[slug]),
                            detail="They lose access to the team's images at once, and their share links to "
                                   "team images stop working.")
    try:
        services.remove_member(membership=membership, actor=request.user)
    except PermissionDenied as exc:
        raise Http404("No such member.") from exc
    except ValidationError as exc:
        messages.error(request, errors_of(exc))
        return _back(slug)
    if leaving:
        messages.success(request, f"You left {team.name}.")
        return redirect("gallery:teams")
    messages.success(request, f"{membership.user.get_username()} was removed from {team.name}.")
    return _back(slug)


@login_required
@require_POST
def invite(request, slug):
    mine = _membership_or_404(request, slug)
    if mine.role != Membership.Role.OWNER:
        raise Http404("No such page.")
    form = InviteForm(request.POST)
    if not form.is_valid():
        return members(request, slug, invite_form=form, status=422)
    try:
        invitation, sent = invitation_services.invite(
            team=mine.team, email=form.cleaned_data["email"], role=form.cleaned_data["role"], actor=request.user,
            link_base=request.build_absolute_uri("/"))
    except ValidationError as exc:
        form.add_error(None, errors_of(exc))
        return members(request, slug, invite_form=form, status=422)
    if sent:
        messages.success(request, f"Invitation sent to {invitation.email}; the link works once, for 7 days.")
    else:
        messages.error(request, f"The mail server did not take the invitation to {invitation.email}. "
                                "It is listed below: revoke it and try again later, or ask an operator.")
    return _back(slug)


@login_required
@require_http_methods(["GET", "POST"])
def revoke_invitation(request, slug, pk):
    mine = _membership_or_404(request, slug)
    if mine.role != Membership.Role.OWNER:
        raise Http404("No such invitation.")
    invitation = get_object_or_404(Invitation, team=mine.team, pk=pk)
    if request.method == "GET":
        return confirm_page(request, question=f"Revoke the invitation to {invitation.email}?", button="Revoke",
                            detail="Its link stops working; you can invite them again.",
                            cancel_url=reverse("accounts:members", args=[slug]))
    if invitation_services.revoke_invitation(invitation, actor=request.user):
        messages.success(request, f"The invitation to {invitation.email} is revoked; its link no longer works.")
    return _back(slug)
