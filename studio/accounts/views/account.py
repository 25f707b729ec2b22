"""/account/: name and email, password and MFA (allauth's pages), signed-in browsers, API tokens."""
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST
from django.urls import reverse

from allauth.usersessions.adapter import get_adapter as get_usersessions_adapter
from allauth.usersessions.models import UserSession

from studio.confirming import confirm_page

from .. import selectors, services, token_services
from ..forms import ProfileForm, TokenForm, errors_of
from ..tokens import ApiToken


@login_required
def account(request, *, profile_form=None, token_form=None, new_token=None, status=200):
    user = request.user
    return render(request, "accounts/account.html", {
        "profile_form": profile_form or ProfileForm(initial={
            "first_name": user.first_name, "last_name": user.last_name, "email": user.email}),
        "token_form": token_form or TokenForm(user=user), "new_token": new_token,
        "tokens": selectors.tokens_of(user), "sessions": selectors.sessions_of(user),
        "mfa": selectors.mfa_of(user), "has_password": user.has_usable_password(),
        "sso_accounts": user.socialaccount_set.all(),
    }, status=status)


@login_required
@require_POST
def profile(request):
    form = ProfileForm(request.POST)
    if not form.is_valid():
        return account(request, profile_form=form, status=422)
    services.update_profile(request.user, **form.cleaned_data)
    messages.success(request, "Your name and email are saved.")
    return redirect("accounts:account")


@login_required
@require_POST
def create_token(request):
    form = TokenForm(request.POST, user=request.user)
    if not form.is_valid():
        return account(request, token_form=form, status=422)
    try:
        row, plaintext = token_services.create_token(user=request.user, **form.cleaned_data)
    except (ValidationError, PermissionDenied) as exc:
        form.add_error(None, errors_of(exc) if isinstance(exc, ValidationError) else str(exc))
        return account(request, token_form=form, status=422)
    # Shown in this answer only: it is not stored, so no later page can show it again.
    response = account(request, new_token={"row": row, "plaintext": plaintext})
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def revoke_token(request, pk):
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    if request.method == "GET":
        return confirm_page(request, question=f"Revoke the token {token.name!r}?", button="Revoke token",
                            detail="Scripts using it are refused from then on. This cannot be undone.",
                            cancel_url=reverse("accounts:account"))
    if token_services.revoke_token(token, actor=request.user):
        messages.success(request, f"The token {token.name!r} is revoked; scripts using it are refused from now on.")
    return redirect("accounts:account")


@login_required
@require_POST
def sign_out_everywhere(request):
    sessions = list(UserSession.objects.filter(user=request.user))
    get_usersessions_adapter().end_sessions(sessions)
    request.studio_sessions_ended = len(sessions)  # for the one sign_out event (sign_in_events.py)
    logout(request)
    messages.success(request, "You are signed out in every browser, this one included.")
    return redirect("login")


def no_password_for_sso_people(request):
    """allauth's "set a password" page is closed: a person without a Studio password came by SSO, and
    a password of their own would outlive their account at the identity provider."""
    raise Http404("People who sign in with single sign-on have no Studio password.")
