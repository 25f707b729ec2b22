"""The sign-in page: allauth's LoginView, showing "Sign in with <name>" when SSO is configured and the
password form unless STUDIO_LOCAL_LOGIN is off (then staff open it with ?local=1)."""
from django.conf import settings

from allauth.account.views import LoginView

from ..sso.provider import studio_app


class SignInView(LoginView):
    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["sso"] = studio_app()
        context["show_password_form"] = (settings.STUDIO_LOCAL_LOGIN or context["sso"] is None
                                         or "local" in self.request.GET or self.request.method == "POST")
        return context


sign_in = SignInView.as_view()
