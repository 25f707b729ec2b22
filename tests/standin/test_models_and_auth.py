import openai
import pytest
import requests

from .conftest import make_client, refused

ALL_MODELS = {
    "dall-e-2", "dall-e-3", "gpt-image-2", "gpt-image-2.5-sunburst", "gpt-image-2.5-flare",
    "gpt-image-1.5", "gpt-image-1-mini",
}


def test_models_list_in_openai_shape(client, standin):
    models = client.models.list()
    assert {m.id for m in models} == ALL_MODELS
    for m in models:
        assert m.object == "model" and m.owned_by and m.created > 0
    near_shutdown = {m.id: m.shutdown_date for m in models if m.shutdown_date}
    assert near_shutdown == {"gpt-image-1.5": "2026-12-01", "gpt-image-1-mini": "2026-12-01"}
    raw = requests.get(standin.base_url + "/models", headers={"Authorization": "Bearer k"}, timeout=5).json()
    assert raw["object"] == "list"


def test_model_retrieve_and_unknown(client):
    assert client.models.retrieve("dall-e-3").id == "dall-e-3"
    refused(lambda: client.models.retrieve("dall-e-9"), status=404, param="model", code="model_not_found")


@pytest.mark.parametrize("header", [None, "Bearer ", "Bearer    ", "Basic abc", ""])
def test_missing_or_empty_key_is_401(standin, header):
    headers = {} if header is None else {"Authorization": header}
    for method, path, kw in [
        ("GET", "/models", {}),
        ("POST", "/images/generations", {"json": {"prompt": "a cat"}}),
    ]:
        resp = requests.request(method, standin.base_url + path, headers=headers, timeout=5, **kw)
        assert resp.status_code == 401
        assert resp.headers["x-request-id"]
        err = resp.json()["error"]
        assert set(err) == {"message", "type", "param", "code"}
        assert err["type"] == "invalid_request_error"


def test_sdk_sees_401_as_authentication_error(standin):
    client = make_client(standin.base_url, default_headers={"Authorization": "Bearer"})
    err = refused(lambda: client.images.generate(prompt="a cat"), status=401)
    assert isinstance(err, openai.AuthenticationError)


def test_any_non_empty_key_is_accepted(standin):
    client = openai.OpenAI(base_url=standin.base_url, api_key="sk-anything", max_retries=0)
    assert client.images.generate(prompt="a cat", size="256x256").data


@pytest.mark.parametrize("endpoint", ["generations", "edits", "variations"])
def test_unknown_model_is_refused_naming_model(client, endpoint):
    from .conftest import png

    calls = {
        "generations": lambda: client.images.generate(model="dall-e-9", prompt="a cat"),
        "edits": lambda: client.images.edit(model="dall-e-9", prompt="a cat", image=("a.png", png(), "image/png")),
        "variations": lambda: client.images.create_variation(model="dall-e-9", image=("a.png", png(), "image/png")),
    }
    refused(calls[endpoint], param="model", code="invalid_value")


def test_models_flag_restricts(tmp_path):
    from studio.standin.config import StandinConfig
    from studio.standin.testing import standin_in_thread

    with standin_in_thread(StandinConfig(models=("gpt-image-2",))) as s:
        client = make_client(s.base_url)
        assert [m.id for m in client.models.list()] == ["gpt-image-2"]
        refused(lambda: client.images.generate(model="dall-e-2", prompt="x"), param="model")


def test_unknown_parameter_and_url(client, standin):
    refused(lambda: client.images.generate(prompt="x", extra_body={"colour": "red"}), param="colour",
            code="unknown_parameter")
    resp = requests.post(standin.base_url + "/images/nope", headers={"Authorization": "Bearer k"}, timeout=5)
    assert resp.status_code == 404 and resp.json()["error"]["message"].startswith("Invalid URL")


def test_invalid_json_body(standin):
    resp = requests.post(standin.base_url + "/images/generations", data=b"{nope",
                         headers={"Authorization": "Bearer k", "Content-Type": "application/json"}, timeout=5)
    assert resp.status_code == 400 and resp.json()["error"]["type"] == "invalid_request_error"
