from django.contrib import admin
from django.urls import include, path

from allauth.account import views as allauth_views

from studio.accounts.views.account import no_password_for_sso_people
from studio.accounts.views.sign_in import sign_in

urlpatterns = [
    # allauth's sign-in and sign-out pages, under the names the templates and tests use.
    path("accounts/login/", sign_in, name="login"),
    path("accounts/logout/", allauth_views.logout, name="logout"),
    path("accounts/password/set/", no_password_for_sso_people),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("", include("studio.accounts.urls")),
    path("", include("studio.spending.urls")),
    path("", include("studio.generation.urls")),
    path("", include("studio.gallery.urls")),
    path("", include("studio.workflow.urls")),
    path("", include("studio.ops.urls")),
    path("", include("studio.gateway.urls")),
]

# A server error renders without context processors or the database (either may be what failed).
handler500 = "studio.error_pages.server_error"
