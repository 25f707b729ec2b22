from django.apps import AppConfig


class WorkflowConfig(AppConfig):
    name = "studio.workflow"
    label = "workflow"
    verbose_name = "Team workflow"

    def ready(self) -> None:
        # Hooks into the lower apps' signals and registries (they cannot import this app).
        from . import wiring

        wiring.connect()
