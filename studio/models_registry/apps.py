from django.apps import AppConfig
from django.core import checks
from django.core.signals import setting_changed

from .checks import registry_loads
from .registry import clear_cache


def _reload_registry_when_its_path_changes(setting, **kwargs):
    if setting == "STUDIO_MODEL_REGISTRY":
        clear_cache()


class ModelsRegistryConfig(AppConfig):
    name = "studio.models_registry"
    label = "models_registry"
    verbose_name = "Models and providers"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        checks.register(registry_loads)
        setting_changed.connect(_reload_registry_when_its_path_changes, dispatch_uid="models_registry.settings")
