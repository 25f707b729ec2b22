"""The ASGI application every server runs: uvicorn for `make run`, gunicorn's uvicorn workers in production.

Built in one place, so a wrapper (a request-size limit, say) goes around `application` here.
"""
import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "studio.settings")
application = get_asgi_application()
