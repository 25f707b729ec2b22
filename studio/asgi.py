"""The ASGI application every server runs: uvicorn for `make run`, gunicorn's uvicorn workers in production.

Built in one place, so a wrapper (a request-size limit, say) goes around `application` here.
"""
import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "studio.settings")
django_application = get_asgi_application()

from studio.request_limits import BodySizeLimit  # noqa: E402  (after Django is set up)

# Bodies past STUDIO_MAX_UPLOAD_MB stop here, before Django's handler spools them (request_limits.py).
application = BodySizeLimit(django_application)
