from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError

from allauth.account.forms import LoginForm

from .models import Membership, Team


class SignInForm(LoginForm):
    """allauth's sign-in form; with STUDIO_LOCAL_LOGIN off, passwords open the door for staff only."""

    def clean(self):
        cleaned = super().clean()
        user = getattr(self, "user", None)
        if user is not None and not settings.STUDIO_LOCAL_LOGIN and not user.is_staff:
            self.user = None
            raise ValidationError(f"Password sign-in is for staff only here; use “Sign in with "
                                  f"{settings.STUDIO_OIDC_NAME}”.")
        return cleaned


class InviteForm(forms.Form):
    email = forms.EmailField(label="Email", error_messages={"invalid": "Enter an email address, like ana@example.com."})
    role = forms.ChoiceField(label="Role", choices=Membership.Role.choices, initial=Membership.Role.MEMBER)


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=Membership.Role.choices)


class ProfileForm(forms.Form):
    first_name = forms.CharField(label="First name", max_length=150, required=False)
    last_name = forms.CharField(label="Last name", max_length=150, required=False)
    email = forms.EmailField(label="Email", required=False)


class TokenForm(forms.Form):
    name = forms.CharField(label="Name", max_length=80, help_text="What will use it, e.g. “nightly renders”.")
    team = forms.ModelChoiceField(label="Charges", queryset=Team.objects.none(), required=False,
                                  empty_label="Nobody: private to me")
    expires_days = forms.IntegerField(label="Expires after (days)", required=False, min_value=1, max_value=3650,
                                      help_text="Empty: until revoked.")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = Team.objects.filter(
            memberships__user=user, memberships__role__in=Membership.CREATOR_ROLES)


def errors_of(exc: ValidationError) -> str:
    return " ".join(exc.messages)
