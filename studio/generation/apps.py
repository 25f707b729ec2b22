from django.apps import AppConfig


class GenerationConfig(AppConfig):
    name = "studio.generation"
    label = "generation"
    verbose_name = "Generation jobs"

    def ready(self) -> None:
        # Registers the tasks with Celery in every process (web included): queueing sends them by name.
        from . import tasks  # noqa: F401
