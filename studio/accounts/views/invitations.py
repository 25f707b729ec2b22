"""The page an invitation link opens: join with the account you are signed in with, sign in (password
or SSO), or make a password account; then join the team with the invited role."""
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from .. import invitation_services
from ..allauth_adapters import INVITATION_SESSION_KEY
from ..forms import errors_of
from ..sso.provider import studio_app


def invitation(request, key):
    found = invitation_services.pending_invitation(key)
    if found is None:
        return render(request, "accounts/invitation.html", {"invalid": True}, status=404)
    # Remembered for the sign-up page, which opens only for someone holding a pending invitation.
    request.session[INVITATION_SESSION_KEY] = key
    here = request.get_full_path()
    return render(request, "accounts/invitation.html", {
        "invitation": found, "key": key, "here": here,
        "signup_url": reverse("account_signup") + "?" + urlencode({"next": here, "email": found.email}),
        "login_url": reverse("login") + "?" + urlencode({"next": here}),
        "sso": studio_app() is not None, "sso_name": settings.STUDIO_OIDC_NAME,
    })


@login_required
@require_POST
def accept(request, key):
    try:
        membership = invitation_services.accept_invitation(key=key, user=request.user)
    except ValidationError as exc:
        messages.error(request, errors_of(exc))
        return redirect("gallery:teams")
    request.session.pop(INVITATION_SESSION_KEY, None)
    messages.success(request, f"You joined {membership.team.name} as {membership.role}.")
    return redirect("gallery:team", membership.team.slug)
