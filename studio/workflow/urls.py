from django.urls import path

from .views import collections, notifications, presets, reviews

app_name = "workflow"
urlpatterns = [
    path("presets/", presets.preset_list, name="presets"),
    path("presets/new", presets.preset_new, name="preset_new"),
    path("presets/<int:preset_id>/", presets.preset_detail, name="preset"),
    path("presets/<int:preset_id>/edit", presets.preset_edit, name="preset_edit"),
    path("presets/<int:preset_id>/delete", presets.preset_delete, name="preset_delete"),
    path("presets/<int:preset_id>/use", presets.preset_use, name="preset_use"),
    path("images/<int:pk>/review", reviews.move_review, name="review"),
    path("images/<int:pk>/comments", reviews.add_comment, name="comment"),
    path("notifications/", notifications.notification_list, name="notifications"),
    path("notifications/unread", notifications.unread_count, name="notifications_unread"),
    path("notifications/read", notifications.notifications_read, name="notifications_read"),
    path("notifications/settings", notifications.notification_settings, name="notification_settings"),
    path("notifications/<int:notification_id>/", notifications.notification_open, name="notification_open"),
    path("collections/", collections.collection_list, name="collections"),
    path("collections/add", collections.collection_add, name="collection_add"),
    path("collections/<int:collection_id>/", collections.collection_detail, name="collection"),
    path("collections/<int:collection_id>/order", collections.collection_order, name="collection_order"),
    path("collections/<int:collection_id>/delete", collections.collection_delete, name="collection_delete"),
    path("collections/<int:collection_id>/images/<int:image_id>/remove", collections.collection_remove,
         name="collection_remove"),
    path("collections/<int:collection_id>/share", collections.collection_share, name="collection_share"),
    path("collections/<int:collection_id>/links/<int:collection_link_id>/revoke", collections.collection_revoke,
         name="collection_revoke"),
    path("c/<str:token>/", collections.shared_collection, name="shared_collection"),
    path("c/<str:token>/images/<int:image_id>/file", collections.shared_collection_file, name="shared_collection_file"),
    path("c/<str:token>/images/<int:image_id>/thumb", collections.shared_collection_thumb,
         name="shared_collection_thumb"),
]
