from django.urls import path

from .views import presets

app_name = "workflow"
urlpatterns = [
    path("presets/", presets.preset_list, name="presets"),
    path("presets/new", presets.preset_new, name="preset_new"),
    path("presets/<int:preset_id>/", presets.preset_detail, name="preset"),
    path("presets/<int:preset_id>/edit", presets.preset_edit, name="preset_edit"),
    path("presets/<int:preset_id>/delete", presets.preset_delete, name="preset_delete"),
    path("presets/<int:preset_id>/use", presets.preset_use, name="preset_use"),
]
