"""Capabilities per provider as data: set by operators, learned in "auto", shown and reset in the admin;
the model menu when a listing fails; and the settings that describe the environment's provider."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.cache import cache
from django.urls import reverse

from studio.devtools.run import forget_broker_url, record_broker_url
from studio.env import ConfigurationError, env_choice, env_host_ports, env_subset
from studio.generation.forms import EditForm, GenerateForm, VariationForm
from studio.models_registry import learning
from studio.models_registry.models import LearnedFacts, Provider
from studio.models_registry.probe import cheapest_request
from studio.models_registry.providers import config_from_row, default_provider, get_provider
from tests.gallery.factories import make_image
from tests.registry.local_server import Reply, local_server

REPO = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db


def listed(*ids):
    return Reply(200, {"object": "list", "data": [{"id": i, "object": "model", "created": 0, "owned_by": "x"}
                                                  for i in ids]})


@pytest.fixture
def gateway_row():
    with local_server() as srv:
        row = Provider.objects.create(name="gateway", kind=Provider.Kind.COMPATIBLE, base_url=srv.url + "/v1",
                                      api_key="k", is_default=True)
        yield row, srv


# --- the model menu when /v1/models fails ----------------------------------------------------------


def test_a_failed_listing_offers_the_models_last_listed_there_and_says_so(owner, gateway_row, admin_client):
    row, srv = gateway_row
    srv.reply = listed("dall-e-2", "gpt-image-2")
    assert [spec.name for spec in GenerateForm(user=owner).models] == ["dall-e-2", "gpt-image-2"]
    cache.clear()
    srv.error(400, "No connected db.", type_="no_db_connection", code="400")
    form = GenerateForm(user=owner)
    assert [spec.name for spec in form.models] == ["dall-e-2", "gpt-image-2"]  # never the whole registry
    (note,) = form.provider_notes
    assert note.startswith("Studio could not list the models of gateway: The image service rejected Studio's API key")
    assert "The menu shows the models it listed on" in note
    page = admin_client.get(reverse("admin:models_registry_provider_change", args=[row.pk])).content.decode()
    assert "Model listing failed" in page and "Last good listing" in page and "dall-e-2, gpt-image-2" in page


def test_a_provider_that_never_listed_says_the_menu_is_studios_guess(owner, gateway_row):
    _row, srv = gateway_row
    srv.error(500, "boom")
    form = GenerateForm(user=owner)
    (note,) = form.provider_notes
    assert "It has never listed them, so the menu shows every current model Studio knows" in note
    assert "gpt-image-2" in [spec.name for spec in form.models]


# --- endpoints: set by the operator, or learned ----------------------------------------------------


def test_an_endpoint_left_out_or_learned_missing_is_not_offered_and_the_form_says_why(owner, gateway_row):
    row, srv = gateway_row
    srv.reply = listed("dall-e-2", "gpt-image-2")
    source = make_image(owner)
    assert "dall-e-2" in [s.name for s in VariationForm(user=owner, source=source).models]

    learning.learn_missing_endpoint(config_from_row(row), "variations", "it answered HTTP 404 on 1 Dec 2026.")
    form = VariationForm(user=owner, source=source)
    assert [s.name for s in form.models] == ["gpt-image-2"]  # its variations are edits, which it offers
    assert form.provider_notes == ["Not offered here: dall-e-2. gateway does not offer /v1/images/variations: it "
                                   "answered HTTP 404 on 1 Dec 2026."]
    assert [s.name for s in EditForm(user=owner, source=source).models] == ["dall-e-2", "gpt-image-2"]

    Provider.objects.filter(pk=row.pk).update(endpoints=["generations"])
    LearnedFacts.objects.all().delete()
    form = EditForm(user=owner, source=source)
    assert form.models == [] and "gateway is set up without /v1/images/edits" in form.provider_notes[0]


def test_the_providers_response_format_is_what_dalle_models_are_asked_for(owner, standin, run_inline):
    row = Provider.objects.create(name="b64", kind=Provider.Kind.COMPATIBLE, base_url=standin.base_url, api_key="k",
                                  response_format=Provider.ResponseFormat.B64_JSON, images_per_minute=10_000)
    from studio.generation import services

    job = run_inline(services.submit_job(user=owner, model="dall-e-2", prompt="a harbour",
                                         params={"size": "256x256", "n": 1}, provider=row.name))
    assert job.status == "done" and not job.images.get().source_url  # the bytes came inside the answer
    assert standin.requests("generations", last=1)[0]["fields"]["response_format"] == "b64_json"


# --- the admin --------------------------------------------------------------------------------------


def test_the_admin_sets_capabilities_shows_what_was_learned_and_tests_with_consent(admin_client, standin, client,
                                                                                   owner):
    row = Provider.objects.create(name="standin-row", kind=Provider.Kind.COMPATIBLE, base_url=standin.base_url,
                                  api_key="k")
    learning.learn_not_streaming(config_from_row(row), "It answered a streaming request with HTTP 500.")
    change = reverse("admin:models_registry_provider_change", args=[row.pk])
    page = admin_client.get(change).content.decode()
    assert "Capabilities: what this provider can do" in page and "Test this provider" in page
    assert "does not stream (learned on" in page and "HTTP 500" in page
    form = {"name": row.name, "kind": "compatible", "api_key": "", "base_url": standin.base_url, "deployments": "{}",
            "images_per_minute": 5, "enabled": "on", "streaming": "off", "response_format": "url",
            "endpoints": '["generations", "edits"]', "download_hosts": '["images.internal:8443"]', "retry_limit": "0"}
    assert admin_client.post(change, form).status_code == 302
    config = get_provider(row.name)
    assert (config.streaming, config.endpoints, config.download_hosts, config.retries) == (
        "off", ("generations", "edits"), ("images.internal:8443",), 0)
    bad = admin_client.post(change, {**form, "download_hosts": '["images.internal"]'}).content.decode()
    assert "host:port" in bad
    assert "The environment’s provider (standin): test it" in admin_client.get(
        reverse("admin:models_registry_provider_changelist")).content.decode()

    test_url = reverse("admin:models_registry_provider_test", args=[row.name])
    client.force_login(owner)
    assert client.get(test_url).status_code == 302  # staff only: the admin's login
    standin.reset()
    page = admin_client.get(test_url).content.decode()
    spec, params, _cost = cheapest_request(get_provider(row.name))
    assert "one paid call" in page and f"{spec.name} {params['size']} {params['quality']}" in page
    assert standin.stats()["requests"]["generations"] == 0
    admin_client.post(test_url, {})  # no consent: nothing is sent
    assert standin.stats()["requests"]["generations"] == 0
    Provider.objects.filter(pk=row.pk).update(streaming="auto", endpoints=[])
    page = admin_client.post(test_url, {"confirm": "yes"}).content.decode()
    assert standin.stats()["requests"]["generations"] == 1  # exactly one paid call
    assert "Streaming works" in page and "/v1/images/variations: offered" in page
    assert learning.facts_for(row.name).streams is True  # what was learned before was forgotten first


def test_test_this_provider_is_audited_and_404s_for_unknown_names(admin_client, standin):
    from studio.audit.models import AuditEvent

    assert admin_client.get(reverse("admin:models_registry_provider_test", args=["nope"])).status_code == 404
    admin_client.post(reverse("admin:models_registry_provider_test", args=["standin"]), {"confirm": "yes"})
    event = AuditEvent.objects.get(action="provider.tested")
    assert event.object_id == "standin" and "one paid call" in event.summary


# --- settings ---------------------------------------------------------------------------------------


def test_the_environments_provider_takes_its_capabilities_from_settings(settings):
    settings.OPENAI_BASE_URL = "http://127.0.0.1:9/v1"
    settings.STUDIO_PROVIDER_STREAMING = "off"
    settings.STUDIO_PROVIDER_RESPONSE_FORMAT = "b64_json"
    settings.STUDIO_PROVIDER_ENDPOINTS = ["edits", "generations"]
    settings.STUDIO_PROVIDER_DOWNLOAD_HOSTS = ["upstream.internal:8080"]
    provider = default_provider()
    assert (provider.streaming, provider.response_format, provider.endpoints, provider.download_hosts) == (
        "off", "b64_json", ("generations", "edits"), ("upstream.internal:8080",))


def test_capability_variables_are_strict(monkeypatch):
    monkeypatch.setenv("STUDIO_PROVIDER_STREAMING", "sometimes")
    with pytest.raises(ConfigurationError, match="STUDIO_PROVIDER_STREAMING must be one of auto, on, off"):
        env_choice("STUDIO_PROVIDER_STREAMING", "auto", ("auto", "on", "off"))
    monkeypatch.setenv("STUDIO_PROVIDER_ENDPOINTS", "generations,variants")
    with pytest.raises(ConfigurationError, match="variants is not one"):
        env_subset("STUDIO_PROVIDER_ENDPOINTS", [], ("generations", "edits", "variations"))
    monkeypatch.setenv("STUDIO_PROVIDER_DOWNLOAD_HOSTS", "images.internal:8443,upstream.internal")
    with pytest.raises(ConfigurationError, match="'upstream.internal' is not one"):
        env_host_ports("STUDIO_PROVIDER_DOWNLOAD_HOSTS")


def test_a_command_beside_make_run_finds_its_embedded_broker(tmp_path, monkeypatch):
    """`make run` records the embedded Redis under var/; settings read it when REDIS_URL is unset."""
    import studio.devtools.run as run

    monkeypatch.setattr(run, "BROKER_URL_FILE", tmp_path / "run" / "broker-url")
    record_broker_url("redis://127.0.0.1:18399/0")
    env = {"PATH": os.environ.get("PATH", ""), "STUDIO_VAR_DIR": str(tmp_path), "SECRET_KEY": "test-only-" + "x" * 40}
    code = "import json, studio.settings as s; print(json.dumps([s.REDIS_URL, s.CELERY_BROKER_URL]))"

    def broker(**more):
        done = subprocess.run([sys.executable, "-c", code], cwd=REPO, env={**env, **more}, capture_output=True,
                              text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)

    assert broker() == ["redis://127.0.0.1:18399/0"] * 2
    assert broker(REDIS_URL="redis://127.0.0.1:6379/5") == ["redis://127.0.0.1:6379/5"] * 2  # REDIS_URL wins
    forget_broker_url()
    assert broker() == ["redis://127.0.0.1:6379/0"] * 2  # make run stopped: the usual default again


def test_what_was_learned_about_one_server_is_not_applied_to_another(settings):
    settings.OPENAI_BASE_URL = "http://127.0.0.1:9/v1"
    settings.OPENAI_API_KEY = "k"
    learning.learn_from_answer(default_provider(), {"x-litellm-version": "1.108.7"}, answered=True)
    assert learning.facts_for(default_provider()).gateway == "LiteLLM 1.108.7"
    assert not learning.may_stream(default_provider()) and learning.retries_for(default_provider()) == 0

    settings.OPENAI_BASE_URL = "https://api.openai.com/v1"  # the same name ("env"), another server
    assert learning.facts_for(default_provider()) is None
    assert learning.may_stream(default_provider()) and learning.retries_for(default_provider()) == 3
    learning.learn_missing_endpoint(default_provider(), "variations", "it answered HTTP 404.")
    facts = learning.facts_for(default_provider())
    assert facts.gateway == "" and facts.retries_itself is None and list(facts.missing_endpoints) == ["variations"]
