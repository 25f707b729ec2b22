"""A start-up check: a broken registry file stops `manage.py check` with the model and key it is about.

Registered by apps.ModelsRegistryConfig.ready().
"""
from django.core import checks

from .registry import RegistryError, all_models, registry_path


def registry_loads(app_configs=None, **kwargs):
    try:
        all_models()
    except (RegistryError, OSError) as exc:
        return [checks.Error(f"The model registry {registry_path()} cannot be loaded: {exc}",
                             id="models_registry.E001")]
    return []
