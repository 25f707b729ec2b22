"""Admin for jobs: find one by prompt, person or status; see what the provider said."""
from django.contrib import admin

from .models import Job


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ["id", "short_prompt", "kind", "model", "owner", "team", "status", "cost_actual", "created_at"]
    list_display_links = ["id", "short_prompt"]
    list_filter = ["status", "kind", "model", "team", "failure_code", ("created_at", admin.DateFieldListFilter)]
    search_fields = ["=id", "prompt", "owner__username", "failure_message"]
    raw_id_fields = ["owner", "team", "source_image"]
    list_select_related = ["owner", "team"]
    readonly_fields = ["status_changed_at", "created_at", "started_at", "called_at", "finished_at", "attempts",
                       "api_calls", "response_created", "usage", "cost_estimate", "cost_actual", "previews"]
    show_full_result_count = False
    list_per_page = 50

    @admin.display(description="Prompt")
    def short_prompt(self, obj):
        return (obj.prompt or "")[:80]
