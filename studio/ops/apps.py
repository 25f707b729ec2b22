from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "studio.ops"
    label = "ops"
    verbose_name = "Operations"

    def ready(self) -> None:
        # Celery signal receivers: connected when their modules are imported, which needs the apps ready.
        from . import heartbeats, task_context  # noqa: F401, PLC0415
