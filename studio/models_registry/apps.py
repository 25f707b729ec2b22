from django.apps import AppConfig


class ModelsRegistryConfig(AppConfig):
    name = "studio.models_registry"
    label = "models_registry"
    verbose_name = "Models and providers"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the system check)
        from .registry import clear_cache
        from django.core.signals import setting_changed

        def _on_setting_changed(setting, **kwargs):
            if setting == "STUDIO_MODEL_REGISTRY":
                clear_cache()

        setting_changed.connect(_on_setting_changed, weak=False, dispatch_uid="models_registry.settings")
