"""Admin for images: built for a million rows (no full counts, raw id widgets, indexed filters)."""
from django.contrib import admin
from django.utils import timezone

from .models import Favourite, Image, ShareLink, Tag


class TrashFilter(admin.SimpleListFilter):
    title = "trash"
    parameter_name = "trash"

    def lookups(self, request, model_admin):
        return [("live", "Not in the trash"), ("trashed", "In the trash")]

    def queryset(self, request, queryset):
        if self.value() == "live":
            return queryset.filter(deleted_at__isnull=True)
        if self.value() == "trashed":
            return queryset.filter(deleted_at__isnull=False)
        return queryset


class ShareLinkInline(admin.TabularInline):
    model = ShareLink
    extra = 0
    fields = ["key", "created_by", "created_at", "expires_at", "revoked_at"]
    readonly_fields = ["key", "created_by", "created_at"]
    raw_id_fields = ["created_by"]


@admin.register(Image)
class ImageAdmin(admin.ModelAdmin):
    list_display = ["id", "short_prompt", "model", "owner", "team", "status", "created_at", "deleted_at"]
    list_display_links = ["id", "short_prompt"]
    list_filter = ["status", TrashFilter, "model", "team", ("created_at", admin.DateFieldListFilter)]
    search_fields = ["=id", "=uuid", "prompt", "revised_prompt", "owner__username", "=sha256"]
    raw_id_fields = ["owner", "team", "job", "parent"]
    readonly_fields = ["uuid", "storage_key", "thumb_key", "sha256", "byte_size", "width", "height", "created_at",
                       "stored_at", "source_url"]
    list_select_related = ["owner", "team"]
    show_full_result_count = False  # COUNT(*) over a million rows on every page is not worth it
    date_hierarchy = None
    list_per_page = 50
    inlines = [ShareLinkInline]
    actions = ["move_to_trash", "restore_from_trash"]

    @admin.display(description="Prompt")
    def short_prompt(self, obj):
        return (obj.prompt or "")[:80]

    @admin.action(description="Move to the trash")
    def move_to_trash(self, request, queryset):
        queryset.filter(deleted_at__isnull=True).update(deleted_at=timezone.now())

    @admin.action(description="Restore from the trash")
    def restore_from_trash(self, request, queryset):
        queryset.update(deleted_at=None)


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "team", "owner", "created_at"]
    list_filter = ["team"]
    search_fields = ["name", "owner__username", "team__name"]
    raw_id_fields = ["owner", "team"]


@admin.register(ShareLink)
class ShareLinkAdmin(admin.ModelAdmin):
    list_display = ["id", "image", "created_by", "created_at", "expires_at", "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter), ("expires_at", admin.EmptyFieldListFilter)]
    search_fields = ["=image__id", "created_by__username"]
    raw_id_fields = ["image", "created_by"]
    readonly_fields = ["key"]


@admin.register(Favourite)
class FavouriteAdmin(admin.ModelAdmin):
    list_display = ["user", "image", "created_at"]
    search_fields = ["user__username", "=image__id"]
    raw_id_fields = ["user", "image"]
