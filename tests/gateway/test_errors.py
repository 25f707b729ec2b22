"""Studio's /v1 refuses as the Images API does: the same status, `param` and `code` as the stand-in for the
same bad request, 401 for every token that does not work, 404 for a model it does not have, the upstream's
outages as 502/503 with the reason, and budgets and rate limits as 429."""
from __future__ import annotations

import json
from datetime import timedelta

import openai
import pytest
import requests
from django.utils import timezone

from studio.generation.models import Job
from studio.spending.errors import OverBudget, RateLimited

from .conftest import png

BAD_GENERATIONS = [
    ("gpt-image-2", {"prompt": "x", "style": "vivid"}),
    ("gpt-image-2", {"prompt": "x", "response_format": "url"}),
    ("gpt-image-2", {"prompt": "x", "size": "1000x1000"}),
    ("gpt-image-2", {"prompt": "x", "quality": "ultra"}),
    ("gpt-image-2", {"prompt": "x" * 32001}),
    ("gpt-image-2", {"prompt": ""}),
    ("gpt-image-2", {"prompt": "x", "background": "transparent", "output_format": "jpeg"}),
    ("dall-e-2", {"prompt": "x", "n": 11}),
    ("dall-e-2", {"prompt": "x", "n": 0}),
    ("dall-e-3", {"prompt": "x", "n": 2}),
    ("dall-e-2", {"prompt": "x", "size": "1024x1792"}),
    ("dall-e-2", {"prompt": "x", "colour": "red"}),
]


def _refusal(client: openai.OpenAI, model: str, fields: dict) -> tuple:
    fields = dict(fields)
    prompt = fields.pop("prompt")
    extra = {k: fields.pop(k) for k in list(fields) if k == "colour"}
    with pytest.raises(openai.APIStatusError) as caught:
        client.images.generate(model=model, prompt=prompt, extra_body=extra or None, **fields)
    error = caught.value.body
    return caught.value.status_code, error.get("param"), error.get("code"), error.get("type")


@pytest.mark.parametrize("model, fields", BAD_GENERATIONS, ids=lambda v: str(v)[:40])
def test_a_bad_request_gets_the_param_and_code_the_stand_in_gives(api, studio, model, fields):
    upstream = openai.OpenAI(base_url=studio.standin.base_url, api_key="any", max_retries=0)
    assert _refusal(api.client, model, fields) == _refusal(upstream, model, fields)
    assert not Job.objects.exists()  # refused before any job: nothing to pay for


def test_a_bad_edit_upload_is_refused_like_the_stand_in_does(api, studio):
    upstream = openai.OpenAI(base_url=studio.standin.base_url, api_key="any", max_retries=0)
    for client in (api.client, upstream):
        with pytest.raises(openai.BadRequestError) as caught:
            client.images.edit(model="dall-e-2", image=("photo.png", png(256), "image/png"), prompt="a hat",
                               size="256x256")  # no mask and no transparency: nothing to edit
        assert (caught.value.param, caught.value.code) == ("image", "image_missing_transparency")
    assert not Job.objects.exists()


def test_a_model_studio_does_not_offer_is_a_404(api, studio):
    with pytest.raises(openai.NotFoundError) as caught:
        api.client.images.generate(model="imagen-9", prompt="x")
    assert (caught.value.param, caught.value.code) == ("model", "model_not_found")
    upstream = openai.OpenAI(base_url=studio.standin.base_url, api_key="any", max_retries=0)
    with pytest.raises(openai.NotFoundError) as same:
        upstream.models.retrieve("imagen-9")
    assert (same.value.param, same.value.code) == ("model", "model_not_found")


def test_missing_wrong_revoked_and_expired_tokens_are_401(api, studio):
    from studio.accounts.token_services import create_token, revoke_token

    _, expired_raw = create_token(user=api.person, name="old", expires_days=1)
    api.person.api_tokens.filter(name="old").update(expires_at=timezone.now() - timedelta(minutes=1))
    revoke_token(api.team_token, actor=api.person)
    for raw in ("stu_0123456789_not-the-secret", api.team_raw, expired_raw, "sk-an-openai-key"):
        with pytest.raises(openai.AuthenticationError) as caught:
            studio.client(raw).images.generate(model="gpt-image-2", prompt="x")
        assert caught.value.code == "invalid_api_key"
    missing = requests.post(studio.base_url + "/images/generations", json={"prompt": "x"}, timeout=10)
    assert missing.status_code == 401 and "didn't provide" in missing.json()["error"]["message"]
    assert requests.get(studio.base_url + "/models", timeout=10).status_code == 401
    assert not Job.objects.exists()


@pytest.mark.parametrize("fail_status", [502, 503])
def test_an_upstream_outage_is_answered_with_its_status_and_reason(api, studio, fail_status):
    studio.standin.configure(fail_rate=1, fail_status=fail_status)
    try:
        with pytest.raises(openai.APIStatusError) as caught:
            api.client.images.generate(model="gpt-image-2", prompt="x", quality="low")
    finally:
        studio.standin.configure(fail_rate=0)
    assert caught.value.status_code == fail_status
    assert f"HTTP {fail_status}" in caught.value.message and caught.value.type == "server_error"
    job = Job.objects.get()
    assert job.status == Job.Status.FAILED and 1 < job.api_calls <= 3  # a retry, within STUDIO_MAX_UPSTREAM_CALLS


@pytest.mark.parametrize("refusal, code", [(OverBudget("The Design budget for December is spent."),
                                            "insufficient_quota"),
                                           (RateLimited("You have made 30 images this minute.", retry_after=2.2),
                                            "rate_limit_exceeded")])
def test_budget_and_rate_limit_refusals_are_429_in_the_openai_format(refusal, code):
    from studio.gateway.errors import refused

    response = refused(refusal).response()
    assert response.status_code == 429
    assert json.loads(response.content) == {"error": {"message": refusal.message, "type": code, "param": None,
                                                      "code": code}}
    assert response.get("Retry-After") == ("3" if refusal.retry_after else None)
