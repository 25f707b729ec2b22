from django.urls import path

from . import views

# Included before allauth's URLs, so these paths are served by Studio's hardened views.
urlpatterns = [
    path("oidc/studio/login/", views.login, name="studio_oidc_login"),
    path("oidc/studio/login/callback/", views.callback, name="studio_oidc_callback"),
]
