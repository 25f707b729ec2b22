from django.apps import AppConfig
from django.core import checks

from .checks import trust_anchors_load


class GalleryConfig(AppConfig):
    name = "studio.gallery"
    label = "gallery"
    verbose_name = "Gallery"

    def ready(self) -> None:
        checks.register(trust_anchors_load)
        # Registers the tasks with Celery in every process: the fetch path sends read_provenance by name.
        from . import tasks  # noqa: F401  (tasks import services and models, which need the app registry)
