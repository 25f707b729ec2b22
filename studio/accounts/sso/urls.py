from django.urls import path

from . import views

# allauth mounts the URLs of a provider class's package under accounts/; with Studio's provider class
# (SOCIALACCOUNT_PROVIDERS' provider_class) these replace the stock openid_connect views.
urlpatterns = [
    path("oidc/<str:provider_id>/login/", views.login, name="openid_connect_login"),
    path("oidc/<str:provider_id>/login/callback/", views.callback, name="openid_connect_callback"),
]
