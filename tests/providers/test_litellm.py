"""Studio behind LiteLLM's proxy (a real process, tests/providers/litellm.py), default settings.

Every count is what reached the stand-in behind LiteLLM (the pass-through relay between them), so it
is what a real upstream would have charged for. Each test prints its counts: they are the figures in
the issue's report.
"""
from __future__ import annotations

import pytest
from django.core.cache import cache
from django.urls import reverse

from studio.gallery.models import Image
from studio.generation import services
from studio.generation.forms import GenerateForm, VariationForm
from studio.generation.models import Job
from studio.models_registry import learning
from studio.models_registry.providers import get_provider, listing
from tests.gallery.factories import make_image

from .conftest import submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def gateway(litellm, settings):
    """The environment's provider is LiteLLM (OPENAI_BASE_URL + its master key), nothing else changed."""
    settings.OPENAI_BASE_URL = litellm.base_url
    settings.OPENAI_API_KEY = litellm.master_key
    litellm.relay.reset()
    litellm.standin.configure(fail_rate=0)
    cache.clear()
    yield litellm
    litellm.standin.configure(fail_rate=0)


def report(name: str, gateway, **figures) -> None:
    print(f"\n[litellm {gateway.version}] {name}: upstream calls={gateway.relay.upstream_calls} "
          + " ".join(f"{k}={v}" for k, v in figures.items()))


def test_gpt_image_2_works_with_default_settings_and_one_upstream_call(owner, gateway, run_inline, sent):
    job = run_inline(submit(owner))
    assert job.status == Job.Status.DONE and job.images.get().status == Image.Status.STORED
    assert job.api_calls == 1 and gateway.relay.upstream_calls == 1
    facts = learning.facts_for(get_provider())
    assert facts.gateway == f"LiteLLM {gateway.version}" and facts.retries_itself is True
    assert facts.streams is False and "500 to image streaming" in facts.streams_why
    report("gpt-image-2, first job", gateway, studio_requests=job.api_calls)

    again = run_inline(submit(owner))
    assert again.status == Job.Status.DONE and again.api_calls == 1 and gateway.relay.upstream_calls == 2
    assert all("stream" not in body for body in gateway.relay.bodies)
    report("gpt-image-2, two jobs", gateway, studio_requests=job.api_calls + again.api_calls)


def test_dalle_2_variations_are_not_offered_and_the_job_says_why(client, owner, gateway, sent):
    source = make_image(owner)
    job = services.submit_job(user=owner, model="dall-e-2", prompt="", params={"size": "256x256", "n": 1},
                              kind=Job.Kind.VARIATION, source_image=source, input_keys=[source.storage_key])
    services.run_job(job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and job.failure_code == "endpoint_missing"
    assert job.failure_message.startswith("This provider does not offer variations (/v1/images/variations "
                                          "answered HTTP 404).")
    assert "no access" not in job.failure_message and gateway.relay.upstream_calls == 0 and sent["run"] == []
    report("dall-e-2 variation", gateway, studio_requests=job.api_calls)

    client.force_login(owner)
    page = client.get(job.get_absolute_url()).content.decode()
    assert "does not offer variations" in page and "Try again</button>" not in page
    form = VariationForm(user=owner, source=source)
    assert "dall-e-2" not in [spec.name for spec in form.models]
    assert any("Not offered here: dall-e-2" in note and "/v1/images/variations" in note for note in form.provider_notes)
    html = client.get(reverse("generation:variation", args=[source.pk])).content.decode()
    assert "Not offered here: dall-e-2" in html


def test_a_moderation_refusal_relayed_as_code_400_is_moderation(owner, gateway, sent):
    job = services.submit_job(user=owner, model="gpt-image-2", prompt="a forbidden-word harbour",
                              params={"n": 1, "quality": "low"})  # a word the stand-in's safety system refuses
    services.run_job(job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and job.failure_code == "moderation_blocked"
    assert "safety system" in job.failure_message and "parameter" not in job.failure_message
    assert job.api_calls == 1
    report("moderation refusal", gateway, studio_requests=job.api_calls)


def test_a_wrong_key_is_a_key_problem_and_the_menu_keeps_the_models_last_listed(client, owner, admin_user, gateway,
                                                                                settings, sent):
    assert listing(get_provider()).ok  # a good listing, remembered
    cache.clear()
    settings.OPENAI_API_KEY = "sk-not-the-master-key"  # LiteLLM without a database: 400 no_db_connection
    form = GenerateForm(user=owner)
    assert sorted(spec.name for spec in form.models) == ["dall-e-2", "dall-e-3", "gpt-image-2"]  # not the registry
    (note,) = form.provider_notes
    assert "rejected Studio's API key" in note and "The menu shows the models it listed on" in note
    client.force_login(owner)
    assert "rejected Studio" in client.get(reverse("generation:new")).content.decode()

    job = submit(owner)
    services.run_job(job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and job.failure_code == "invalid_key"
    assert "parameter" not in job.failure_message and gateway.relay.upstream_calls == 0
    report("wrong key", gateway, studio_requests=job.api_calls)

    client.force_login(admin_user)  # staff see it on the provider's admin page
    page = client.get(reverse("admin:models_registry_provider_test", args=["env"])).content.decode()
    assert "rejected Studio" in page and "Model listing failed" in page


def test_a_503_is_not_retried_on_top_of_litellms_own_retries(owner, gateway, sent):
    gateway.standin.configure(fail_rate=1.0, fail_status=503)
    job = submit(owner, model="dall-e-2")
    services.run_job(job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and job.failure_code == "upstream_outage"
    assert job.api_calls == 1 and sent["run"] == []  # Studio's one request; LiteLLM retried it itself
    assert job.failure_message == "The image service is having trouble (HTTP 503)."
    assert 1 <= gateway.relay.upstream_calls <= 9
    report("503 outage", gateway, studio_requests=job.api_calls)


def test_dalle_links_on_the_upstreams_host_download_once_that_host_is_allowed(owner, gateway, settings, sent,
                                                                             run_inline):
    refused = run_inline(submit(owner, model="dall-e-2"))
    image = refused.images.get()
    assert gateway.upstream_host.split(":")[0] != "127.0.0.1" and gateway.upstream_host in image.source_url
    # The guard's sentence (issue 12) names the host and the setting that allows it.
    assert image.status == Image.Status.FAILED and "Studio does not connect to 127.0.0.2" in image.failure_reason
    assert f'list "{gateway.upstream_host}"' in image.failure_reason
    assert "STUDIO_PROVIDER_DOWNLOAD_HOSTS" in image.failure_reason
    assert refused.status == Job.Status.FAILED and refused.failure_code == "download_failed"
    assert refused.failure_message == f"The image could not be downloaded. {image.failure_reason}"

    settings.STUDIO_PROVIDER_DOWNLOAD_HOSTS = [gateway.upstream_host]
    assert get_provider().download_hosts == (gateway.upstream_host,)
    stored = run_inline(submit(owner, model="dall-e-2"))
    assert stored.status == Job.Status.DONE and stored.images.get().status == Image.Status.STORED
    report("dall-e-2 url, two jobs", gateway, studio_requests=refused.api_calls + stored.api_calls)


def test_test_this_provider_makes_one_paid_call_and_reports(client, admin_user, gateway):
    client.force_login(admin_user)
    url = reverse("admin:models_registry_provider_test", args=["env"])
    page = client.get(url).content.decode()
    assert "one paid call" in page and "gpt-image-2" in page and gateway.relay.upstream_calls == 0
    assert client.post(url, {}).status_code == 200 and gateway.relay.upstream_calls == 0  # not confirmed: nothing

    page = client.post(url, {"confirm": "yes"}).content.decode()
    assert gateway.relay.forwarded["/v1/images/generations"] == 1  # the one paid call
    assert "/v1/images/variations: not offered (HTTP 404)" in page
    assert "/v1/images/edits: offered" in page
    assert f"It is a gateway: LiteLLM {gateway.version}" in page
    report("Test this provider", gateway, generations=gateway.relay.forwarded["/v1/images/generations"])
