from django.urls import path

from .views import notifications, presets, reviews

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
]
