"""What Django's error reports may show: no provider key, no password inside a URL, with DEBUG on or off.

Django already hides settings and request.META entries whose *name* looks secret (API, KEY, PASS,
SECRET, TOKEN...). Two gaps remain for Studio. A URL setting or environment variable carries its password
in the *value* (REDIS_URL, CELERY_BROKER_URL, DATABASE_URL under runserver, whose META holds the whole
environment). And Django honours `sensitive_variables` / `sensitive_post_parameters` only while DEBUG is
off, while `make run` runs with DEBUG on for a whole team: so this filter honours them always.
Installed as DEFAULT_EXCEPTION_REPORTER_FILTER in settings.
"""
from __future__ import annotations

import re

from django.views.debug import SafeExceptionReporterFilter

# scheme://user:password@host -> scheme://user:********@host
_URL_PASSWORD = re.compile(r"(?P<head>\b[a-z][a-z0-9+.\-]*://[^/\s:@]*:)(?P<password>[^@\s/]+)(?P<at>@)", re.I)


def hide_url_passwords(text: str, substitute: str = SafeExceptionReporterFilter.cleansed_substitute) -> str:
    return _URL_PASSWORD.sub(lambda m: m["head"] + substitute + m["at"], text)


class StudioExceptionReporterFilter(SafeExceptionReporterFilter):
    def is_active(self, request) -> bool:
        return True  # keys marked sensitive stay hidden on the DEBUG page too

    def cleanse_setting(self, key, value):
        cleansed = super().cleanse_setting(key, value)
        if isinstance(cleansed, str) and "://" in cleansed:
            return hide_url_passwords(cleansed, self.cleansed_substitute)
        return cleansed
