"""Start-up checks, registered by apps.ModelsRegistryConfig.ready(): they stop `manage.py check`, `migrate` and
`runserver` (so the web's start-up) with a sentence.

A broken registry file names the model and key it is about. (models_registry.E002, "no STUDIO_ENCRYPTION_KEYS
with DEBUG off", is retired: without keys the key is derived from SECRET_KEY, so `check --deploy` passes with
only DEBUG, SECRET_KEY and ALLOWED_HOSTS set. Never reuse the id.)
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

