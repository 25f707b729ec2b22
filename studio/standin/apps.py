from django.apps import AppConfig


class StandinConfig(AppConfig):
    name = "studio.standin"
    label = "standin"
    verbose_name = "Images API stand-in"
    default_auto_field = "django.db.models.BigAutoField"
