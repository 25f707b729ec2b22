from django.apps import AppConfig


class SpendingConfig(AppConfig):
    name = "studio.spending"
    label = "spending"
    verbose_name = "Spending"
