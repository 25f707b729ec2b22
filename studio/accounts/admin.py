from django.contrib import admin
from django.db.models import Count

from allauth.account.decorators import secure_admin_login

from .invitations import Invitation
from .models import Membership, Team
from .token_services import revoke_token
from .tokens import ApiToken


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1
    autocomplete_fields = ["user"]


# The admin signs in through Studio's sign-in page, so a second factor and the staff-only password rule
# (STUDIO_LOCAL_LOGIN) hold there too.
admin.site.login = secure_admin_login(admin.site.login)


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "member_count", "created_at"]
    search_fields = ["name", "slug", "memberships__user__username"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_members=Count("memberships", distinct=True))

    @admin.display(description="Members", ordering="_members")
    def member_count(self, obj):
        return obj._members


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "team", "role", "source", "joined_at"]
    list_filter = ["role", "source", "team", ("joined_at", admin.DateFieldListFilter)]
    search_fields = ["user__username", "team__name"]
    autocomplete_fields = ["user", "team"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Staff see every token and may revoke one; the secret is never stored, so it cannot be shown."""

    list_display = ["name", "user", "team", "hint", "created_at", "expires_at", "last_used_at", "status"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter), "team"]
    search_fields = ["name", "user__username", "=lookup"]
    fields = ["name", "user", "team", "hint", "created_at", "expires_at", "last_used_at", "revoked_at"]
    readonly_fields = fields
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False  # made by their person (account page, `manage.py token`), who alone sees the secret

    @admin.action(description="Revoke the selected tokens")
    def revoke(self, request, queryset):
        for token in queryset:
            revoke_token(token, actor=request.user)


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    """Staff see invitations; the link's key is never stored, so it cannot be shown or re-sent from here."""

    list_display = ["email", "team", "role", "invited_by", "created_at", "expires_at", "state"]
    list_filter = ["role", "team"]
    search_fields = ["email", "team__name"]
    fields = ["email", "team", "role", "invited_by", "created_at", "expires_at", "accepted_at", "accepted_by",
              "revoked_at"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False  # owners invite from the members page, which sends the email
