"""Providers: chosen from env or the admin, Azure URLs built right, model menus, keys kept out of sight."""
import datetime as dt
import logging

import openai
import pytest
from django.core.cache import cache
from django.test import override_settings

from studio.env import ConfigurationError, env_pairs
from studio.models_registry.models import Provider
from studio.models_registry.providers import (
    ProviderConfig, UnknownProvider, available_models, default_model, default_provider, get_provider,
    make_client, model_choices,
)
from studio.models_registry.registry import get_model

from .local_server import Reply, local_server

# Built from parts so that secret scanners do not take this made-up key for a real one.
KEY = "sk-" + "live-THISMUSTNEVERSHOW-9f3a"
TODAY = dt.date(2026, 11, 25)
ENV_VARS = ("OPENAI_API_KEY", "OPENAI_BASE_URL", "OPENAI_ORG_ID", "OPENAI_PROJECT_ID", "AZURE_OPENAI_ENDPOINT",
            "AZURE_OPENAI_API_KEY", "OPENAI_API_VERSION", "AZURE_OPENAI_DEPLOYMENTS")


@pytest.fixture(autouse=True)
def clean_env(monkeypatch):
    # The provider settings are blanked by tests/conftest.py; the shell's variables go too, so the only
    # environment the SDK could read is the one a test sets on purpose.
    for name in ENV_VARS:
        monkeypatch.delenv(name, raising=False)
    cache.clear()
    yield
    cache.clear()


def image_body():
    return {"created": 1, "data": [{"b64_json": "aGVsbG8="}]}


# --- choosing --------------------------------------------------------------------------------------

def test_no_key_no_url_means_the_standin(settings):
    settings.STANDIN_URL = "http://127.0.0.1:8100/v1"
    p = default_provider()
    assert p.is_standin and p.kind == "compatible" and p.base_url == "http://127.0.0.1:8100/v1"
    assert p.api_key  # a placeholder: the SDK insists on one, the stand-in takes any


def test_openai_from_env(settings):
    settings.OPENAI_API_KEY = KEY
    settings.OPENAI_ORG_ID = "org-1"
    settings.OPENAI_PROJECT_ID = "proj-1"
    p = default_provider()
    assert (p.kind, p.organization, p.project, p.is_standin) == ("openai", "org-1", "proj-1", False)
    assert p.applies_lifecycle
    client = make_client(p, timeout=5)
    assert str(client.base_url).startswith("https://api.openai.com/v1")


def test_compatible_base_url_from_env(settings):
    settings.OPENAI_BASE_URL = "http://gateway.internal/v1"
    p = default_provider()
    assert p.kind == "compatible" and not p.applies_lifecycle and not p.is_standin


@pytest.mark.django_db
def test_admin_default_wins_and_names_resolve(settings):
    settings.OPENAI_API_KEY = KEY
    assert get_provider().name == "env"
    Provider.objects.create(name="gateway", kind="compatible", base_url="http://gw/v1", api_key="k" * 20,
                            is_default=True)
    Provider.objects.create(name="off", kind="openai", api_key="x", enabled=False)
    assert get_provider().name == "gateway"
    assert get_provider("gateway").source == "db"
    assert get_provider("env").name == "env"
    assert get_provider("standin").is_standin
    with pytest.raises(UnknownProvider):
        get_provider("off")


@pytest.mark.django_db
def test_admin_provider_does_not_borrow_the_environments_organisation(monkeypatch, settings):
    settings.OPENAI_ORG_ID = "org-from-env"
    monkeypatch.setenv("OPENAI_ORG_ID", "org-from-env")  # which the SDK would read for a missing organisation
    with local_server() as srv:
        srv.reply = Reply(200, image_body())
        row = Provider.objects.create(name="gw", kind="compatible", base_url=srv.url + "/v1", api_key="k" * 20)
        make_client(get_provider("gw"), timeout=5).images.generate(model="gpt-image-2", prompt="a cat")
        assert "openai-organization" not in srv.seen[-1].headers
        row.organization = "org-own"
        row.save()
        make_client(get_provider("gw"), timeout=5).images.generate(model="gpt-image-2", prompt="a cat")
        assert srv.seen[-1].headers["openai-organization"] == "org-own"


# --- Azure -----------------------------------------------------------------------------------------

@pytest.mark.django_db
@pytest.mark.parametrize("operation", ["generate", "edit"])
def test_azure_deployment_url_and_api_version(settings, operation):
    with local_server() as srv:
        srv.reply = Reply(200, image_body())
        settings.AZURE_OPENAI_ENDPOINT = srv.url + "/"
        settings.AZURE_OPENAI_API_KEY = KEY
        settings.OPENAI_API_VERSION = "2025-04-01-preview"
        # As settings.py reads AZURE_OPENAI_DEPLOYMENTS="gpt-image-2=studio-img2, dall-e-3=legacy-d3".
        settings.AZURE_OPENAI_DEPLOYMENTS = (("dall-e-3", "legacy-d3"), ("gpt-image-2", "studio-img2"))
        p = get_provider()
        assert p.kind == "azure" and p.model_param("gpt-image-2") == "studio-img2"
        spec = get_model("gpt-image-2")
        client = make_client(p, timeout=5)
        kwargs = spec.api_params(operation, {"prompt": "a cat"}, model=p.model_param(spec.name))
        if operation == "generate":
            client.images.generate(**kwargs)
        else:
            client.images.edit(image=("a.png", b"\x89PNG\r\n\x1a\n", "image/png"), **kwargs)
        seen = srv.seen[-1]
        endpoint = "generations" if operation == "generate" else "edits"
        assert seen.path == f"/openai/deployments/studio-img2/images/{endpoint}"
        assert seen.query == {"api-version": ["2025-04-01-preview"]}
        assert seen.headers["api-key"] == KEY  # Azure's header, sent to Azure only
        # The menu on Azure is what has a deployment, lifecycle notwithstanding (dall-e-3 is retired upstream).
        assert [m.name for m in available_models(p, today=TODAY)] == ["dall-e-3", "gpt-image-2"]


def test_bad_deployments_setting_is_explained(monkeypatch):
    monkeypatch.setenv("AZURE_OPENAI_ENDPOINT", "https://x.openai.azure.com/")
    monkeypatch.setenv("AZURE_OPENAI_DEPLOYMENTS", "gpt-image-2")
    with pytest.raises(ConfigurationError, match="model=deployment"):
        env_pairs("AZURE_OPENAI_DEPLOYMENTS", shape="model=deployment")


# --- the model menu --------------------------------------------------------------------------------

@pytest.mark.django_db  # listings are remembered per provider in the database
def test_standin_menu_is_registry_intersect_listing(standin, settings):
    settings.STANDIN_URL = standin.base_url
    p = default_provider()
    names = [m.name for m in available_models(p, today=TODAY)]
    served = {m.id for m in make_client(p, timeout=10).models.list()}
    assert set(names) == served & {m.name for m in __import__(
        "studio.models_registry.registry", fromlist=["all_models"]).all_models()}
    # Retired at OpenAI, still served by the stand-in: offered, because the stand-in lists them.
    assert "dall-e-2" in names and "dall-e-3" in names
    assert default_model(p, today=TODAY).name == "gpt-image-2.5-sunburst"


@pytest.mark.django_db  # listings are remembered per provider in the database
def test_openai_menu_applies_lifecycle_and_labels_shutdowns():
    with local_server() as srv:
        srv.reply = Reply(200, {"object": "list", "data": [
            {"id": i, "object": "model", "created": 0, "owned_by": "openai"}
            for i in ("dall-e-2", "gpt-image-1", "gpt-image-1.5", "gpt-image-2-2026-04-21", "whisper-1")]})
        p = ProviderConfig(name="o", kind="openai", api_key=KEY, base_url=srv.url + "/v1")
        menu = available_models(p, today=TODAY)
        assert [m.name for m in menu] == ["gpt-image-1.5", "gpt-image-2"]  # retired hidden; alias matched
        assert dict(model_choices(p, today=TODAY))["gpt-image-1.5"] == "gpt-image-1.5 — shuts down 1 Dec 2026"
        assert default_model(p, today=TODAY).name == "gpt-image-2"
        # Cached: the listing is asked once.
        available_models(p, today=TODAY)
        assert len([s for s in srv.seen if s.path == "/v1/models"]) == 1
        # On shutdown day the deprecated model goes, with no edit anywhere.
        cache.clear()
        assert [m.name for m in available_models(p, today=dt.date(2026, 12, 1))] == ["gpt-image-2"]


@pytest.mark.django_db  # listings are remembered per provider in the database
def test_listing_failure_falls_back_without_leaking_the_key(caplog):
    with local_server() as srv:
        srv.error(500, "boom")
        p = ProviderConfig(name="flaky", kind="compatible", api_key=KEY, base_url=srv.url + "/v1")
        with caplog.at_level(logging.WARNING):
            menu = available_models(p, today=TODAY)
        names = {m.name for m in menu}
        assert "dall-e-2" not in names and "gpt-image-1" not in names  # retired upstream
        assert {"gpt-image-2", "gpt-image-1.5"} <= names
        assert "flaky" in caplog.text and "upstream_outage" in caplog.text
        assert KEY not in caplog.text and KEY[-6:] not in caplog.text


# --- keys out of sight -----------------------------------------------------------------------------

def test_repr_masks_the_key():
    p = ProviderConfig(name="o", kind="openai", api_key=KEY)
    for text in (repr(p), str(p), f"{p}", repr([p])):
        assert KEY not in text and "THISMUSTNEVERSHOW" not in text
    assert "••••9f3a" in repr(p)
    assert KEY not in repr(Provider(name="x", api_key=KEY))


@pytest.mark.django_db
def test_admin_masks_the_key_and_blank_keeps_it(admin_client):
    row = Provider.objects.create(name="main", kind="openai", api_key=KEY)
    url = f"/admin/models_registry/provider/{row.pk}/change/"
    page = admin_client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert KEY not in html and "THISMUSTNEVERSHOW" not in html
    assert "••••9f3a" in html
    listing = admin_client.get("/admin/models_registry/provider/").content.decode()
    assert KEY not in listing and "••••9f3a" in listing

    form = {"name": "main", "kind": "openai", "api_key": "", "organization": "org-2", "project": "",
            "base_url": "", "azure_endpoint": "", "api_version": "", "deployments": "{}",
            "images_per_minute": 5, "enabled": "on"}
    response = admin_client.post(url, form)
    assert response.status_code == 302, response.content.decode()[:2000]
    row.refresh_from_db()
    assert row.api_key == KEY and row.organization == "org-2"

    admin_client.post(url, {**form, "api_key": "sk-new-key-0000-abcd"})
    row.refresh_from_db()
    assert row.api_key == "sk-new-key-0000-abcd"


def test_client_never_puts_the_key_in_errors():
    with local_server() as srv:
        srv.error(401, f"Incorrect API key provided: {KEY}", code="invalid_api_key")
        client = make_client(ProviderConfig(name="o", kind="compatible", api_key=KEY, base_url=srv.url + "/v1"),
                             timeout=5)
        from studio.models_registry.errors import classify

        with pytest.raises(openai.AuthenticationError) as info:
            client.images.generate(model="gpt-image-2", prompt="a cat")
        assert KEY not in classify(info.value).message


@override_settings(STUDIO_PROVIDER_TIMEOUT=7.5)
def test_timeout_setting_is_the_default():
    client = make_client(ProviderConfig(name="o", kind="openai", api_key=KEY))
    assert client.timeout == 7.5 and client.max_retries == 0
