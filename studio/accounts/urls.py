from django.urls import path

from .views import account, invitations, members

app_name = "accounts"
urlpatterns = [
    path("account/", account.account, name="account"),
    path("account/profile", account.profile, name="profile"),
    path("account/tokens", account.create_token, name="create_token"),
    path("account/tokens/<int:pk>/revoke", account.revoke_token, name="revoke_token"),
    path("account/sessions/end", account.sign_out_everywhere, name="sign_out_everywhere"),
    path("teams/<slug:slug>/members/", members.members, name="members"),
    path("teams/<slug:slug>/members/<int:pk>/role", members.change_role, name="change_role"),
    path("teams/<slug:slug>/members/<int:pk>/remove", members.remove, name="remove_member"),
    path("teams/<slug:slug>/invitations", members.invite, name="invite"),
    path("teams/<slug:slug>/invitations/<int:pk>/revoke", members.revoke_invitation, name="revoke_invitation"),
    path("invitations/<str:key>/", invitations.invitation, name="invitation"),
    path("invitations/<str:key>/accept", invitations.accept, name="accept_invitation"),
]
