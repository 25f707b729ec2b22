"""Provider keys stay on the server: not in the admin for people who may only look, not on Django's error
page (settings, request.META, local variables), not in error text quoted from upstream, not in logs."""
import logging
import sys

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.test import RequestFactory, override_settings
from django.views.debug import ExceptionReporter

from studio.models_registry.errors import scrub
from studio.models_registry.models import Provider
from studio.models_registry.providers import ProviderConfig, default_provider, make_client

# Built from parts so that secret scanners do not take this made-up key for a real one.
KEY = "sk-" + "live-THISMUSTNEVERSHOW-9f3a"
AZURE_KEY = "8AbCdEfGhIjKlMnOpQrStUvWxYz0123456789AbCdEfGhIjKlMnOpQrStUvWxYz0123456789AbCdEfGhI"  # 84 chars


def error_page(request, exc: BaseException) -> str:
    """The HTML Django's technical 500 page would show for `exc` raised while handling `request`."""
    return ExceptionReporter(request, type(exc), exc, exc.__traceback__).get_traceback_html()


def raised_in(fn, *args, **kwargs) -> BaseException:
    try:
        fn(*args, **kwargs)
    except BaseException as exc:  # noqa: BLE001
        return exc
    raise AssertionError("expected an exception")


@pytest.mark.django_db
def test_a_view_only_admin_sees_the_masked_key(client):
    row = Provider.objects.create(name="main", kind="openai", api_key=KEY)
    looker = get_user_model().objects.create_user("looker", password="pw", is_staff=True)
    looker.user_permissions.add(Permission.objects.get(codename="view_provider"))
    client.force_login(looker)
    page = client.get(f"/admin/models_registry/provider/{row.pk}/change/")
    assert page.status_code == 200
    html = page.content.decode()
    assert KEY not in html and "THISMUSTNEVERSHOW" not in html
    assert "••••9f3a" in html


@override_settings(DEBUG=True, OPENAI_API_KEY=KEY, REDIS_URL="redis://:hunter2-redis@cache:6379/0",
                   CELERY_BROKER_URL="redis://:hunter2-redis@cache:6379/0")
def test_the_debug_error_page_hides_keys_in_settings_and_environment():
    request = RequestFactory().get("/", HTTP_X_NOTHING="1")
    request.META.update({"OPENAI_API_KEY": KEY, "AZURE_OPENAI_API_KEY": AZURE_KEY,
                         "DATABASE_URL": "postgres://studio:hunter2-db@db:5432/studio"})
    html = error_page(request, RuntimeError("boom"))
    for secret in (KEY, AZURE_KEY, "hunter2-redis", "hunter2-db"):
        assert secret not in html, secret
    assert "cache:6379" in html  # the rest of a URL is still there to debug with


@override_settings(DEBUG=True)
def test_the_debug_error_page_hides_keys_held_in_local_variables(monkeypatch, settings):
    from studio.models_registry import providers

    def sdk_refuses(*, api_key, **kwargs):  # the SDK's own frame holds the key as a local
        raise ValueError("the SDK refused its arguments")

    def config_refuses(**kwargs):  # a failure while default_provider holds the environment's key
        raise ValueError("the provider's settings were refused")

    request = RequestFactory().get("/")
    provider = ProviderConfig(name="o", kind="azure", api_key=AZURE_KEY, azure_endpoint="https://x.invalid/",
                              api_version="2025-04-01-preview")
    monkeypatch.setattr(providers.openai, "AzureOpenAI", sdk_refuses)
    exc = raised_in(make_client, provider)
    html = error_page(request, exc)
    assert AZURE_KEY not in html
    settings.AZURE_OPENAI_ENDPOINT = "https://x.invalid/"
    settings.AZURE_OPENAI_API_KEY = AZURE_KEY
    monkeypatch.setattr(providers, "ProviderConfig", config_refuses)
    exc = raised_in(default_provider)
    assert AZURE_KEY not in error_page(request, exc)


@pytest.mark.django_db
@override_settings(DEBUG=True)
def test_the_debug_error_page_hides_a_key_posted_to_the_admin(admin_client, monkeypatch):
    from studio.models_registry import provider_services  # the admin saves through it

    def explode(*args, **kwargs):
        raise RuntimeError("storage went away")

    monkeypatch.setattr(provider_services, "forget_listing", explode)
    admin_client.raise_request_exception = False
    form = {"name": "new", "kind": "openai", "api_key": KEY, "organization": "", "project": "", "base_url": "",
            "azure_endpoint": "", "api_version": "", "deployments": "{}", "images_per_minute": 5, "enabled": "on"}
    resp = admin_client.post("/admin/models_registry/provider/add/", form)
    assert resp.status_code == 500
    assert KEY not in resp.content.decode() and "THISMUSTNEVERSHOW" not in resp.content.decode()


@pytest.mark.parametrize("text", [
    f"Incorrect API key provided: {AZURE_KEY}.",
    f"Access denied due to invalid subscription key {AZURE_KEY}",
    f"header api-key: {AZURE_KEY}",
])
def test_scrub_removes_long_provider_keys(text):
    assert AZURE_KEY not in scrub(text) and AZURE_KEY[:20] not in scrub(text)


def test_scrub_keeps_ordinary_upstream_sentences():
    sentence = "Invalid size '999x999'. Supported sizes are 256x256, 512x512, and 1024x1024."
    assert scrub(sentence) == sentence


def test_transport_and_sdk_loggers_stay_quiet_even_at_debug(settings):
    for name in ("httpx2", "httpcore2", "openai", "urllib3", "botocore"):
        assert settings.LOGGING["loggers"][name]["level"] == "WARNING", name
    assert logging.getLogger("httpx2").getEffectiveLevel() >= logging.WARNING


def test_keys_in_source_look_like_test_keys():
    """No real-looking key in the settings module or the registry (a pasted key is easy to commit)."""
    import re
    from pathlib import Path

    root = Path(sys.modules["studio"].__file__).parent
    pattern = re.compile(r"sk-(proj|live|svcacct|admin)?-?[A-Za-z0-9_-]{30,}")
    offenders = [str(p) for p in root.rglob("*.py") if pattern.search(p.read_text(errors="ignore"))]
    assert offenders == []
