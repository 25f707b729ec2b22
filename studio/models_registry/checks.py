"""Start-up checks, registered by apps.ModelsRegistryConfig.ready(): they stop `manage.py check`, `migrate` and
`runserver` (so the web's start-up) with a sentence.

A broken registry file names the model and key it is about; production without STUDIO_ENCRYPTION_KEYS says
how to make one. (Not a refusal in settings.py: collectstatic at image build time and the stand-in run with
DEBUG off and need no encryption key.)
"""
from django.conf import settings
from django.core import checks

from .encryption import NO_KEYS
from .registry import RegistryError, all_models, registry_path


def registry_loads(app_configs=None, **kwargs):
    try:
        all_models()
    except (RegistryError, OSError) as exc:
        return [checks.Error(f"The model registry {registry_path()} cannot be loaded: {exc}",
                             id="models_registry.E001")]
    return []


def encryption_keys_configured(app_configs=None, **kwargs):
    if settings.DEBUG or settings.STUDIO_ENCRYPTION_KEYS:
        return []
    return [checks.Error(NO_KEYS, id="models_registry.E002")]
