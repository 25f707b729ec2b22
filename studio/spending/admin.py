from django.contrib import admin

from studio.audit.admin import ReadOnlyAdmin

from . import budgets
from .models import Budget, BudgetAlert, Charge


@admin.register(Budget)
class BudgetAdmin(admin.ModelAdmin):
    """Staff set team, person and token budgets here; every save is one `budget.changed` audit event."""

    list_display = ("__str__", "monthly_usd", "hard", "images_per_minute", "concurrent_jobs", "updated_at")
    list_filter = ("hard",)
    raw_id_fields = ("team", "user", "token")

    def save_model(self, request, obj, form, change):
        before = budgets.describe(Budget.objects.get(pk=obj.pk)) if change else ""
        super().save_model(request, obj, form, change)
        budgets.record_change(obj, actor=request.user, before=before)

    def has_delete_permission(self, request, obj=None):
        return False  # an empty monthly budget is "no limit", and keeps one audit event per change


@admin.register(Charge)
class ChargeAdmin(ReadOnlyAdmin):
    """The ledger, read only: it is written by submit_job and the pipeline alone."""

    list_display = ("job_id", "user", "team", "model", "reserved", "amount", "state", "created_at")
    list_filter = ("state",)
    search_fields = ("job_id", "user__username", "model")


@admin.register(BudgetAlert)
class BudgetAlertAdmin(ReadOnlyAdmin):
    list_display = ("budget", "month", "threshold", "sent_at")
