"""Staff read the audit trail in the admin; nobody edits or deletes an event there."""
from django.contrib import admin

from .models import AuditEvent


class ReadOnlyAdmin(admin.ModelAdmin):
    """For records written only by the code (the audit trail, the spend ledger): staff read, nobody edits."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["time", "actor_name", "team_name", "action", "object_type", "object_id", "summary", "ip"]
    list_filter = ["action", ("time", admin.DateFieldListFilter)]
    search_fields = ["actor_name", "team_name", "action", "summary", "=object_id", "=request_id"]
    show_full_result_count = False
    list_per_page = 100

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]
