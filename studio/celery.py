import os
from logging.config import dictConfig

from celery import Celery, signals
from django.conf import settings

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "studio.settings")

app = Celery("studio")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@signals.setup_logging.connect
def use_django_logging(**kwargs) -> None:
    """Workers and beat log as the web does (LOG_FORMAT, the request context, redaction).

    With no receiver here Celery would replace the root logger's handlers with its own format.
    """
    dictConfig(settings.LOGGING)
