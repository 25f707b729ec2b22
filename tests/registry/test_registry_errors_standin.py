"""Error mapping against the stand-in's own fault flags and validation, through the official SDK."""
import openai
import pytest

from studio.models_registry.errors import classify
from studio.standin.config import StandinConfig
from studio.standin.testing import standin_in_thread


@pytest.fixture(scope="module")
def faulty():
    with standin_in_thread(StandinConfig()) as s:
        yield s


@pytest.fixture
def client(faulty):
    faulty.configure(fail_rate=0)
    yield openai.OpenAI(base_url=faulty.base_url, api_key="test-key", max_retries=0, timeout=30)
    faulty.configure(fail_rate=0)


def failure_of(call):
    with pytest.raises(openai.APIError) as info:
        call()
    return classify(info.value)


@pytest.mark.parametrize("status, code, retry_after", [
    (429, "rate_limited", 2.5), (500, "upstream_outage", None), (502, "upstream_outage", None),
    (503, "upstream_outage", None),
])
def test_injected_faults(faulty, client, status, code, retry_after):
    faulty.configure(fail_rate=1, fail_status=status, retry_after=2.5)
    f = failure_of(lambda: client.images.generate(model="gpt-image-2", prompt="a cat"))
    assert (f.code, f.status, f.retryable) == (code, status, True)
    if retry_after:
        assert f.retry_after == retry_after and "3 seconds" in f.message


def test_bad_parameter_names_the_param(client):
    f = failure_of(lambda: client.images.generate(model="dall-e-3", prompt="a cat", n=2))
    assert (f.code, f.param, f.retryable) == ("bad_parameter", "n", False)
    assert "n parameter" in f.message


@pytest.mark.parametrize("model", ["dall-e-2", "gpt-image-2"])
def test_moderation_block(client, model):
    f = failure_of(lambda: client.images.generate(model=model, prompt="a bloodbath in the park"))
    assert (f.code, f.retryable) == ("moderation_blocked", False)


def test_missing_key_is_invalid_key(faulty):
    client = openai.OpenAI(base_url=faulty.base_url, api_key="test-key", max_retries=0, timeout=30,
                           default_headers={"Authorization": ""})
    f = failure_of(lambda: client.images.generate(model="gpt-image-2", prompt="a cat"))
    assert (f.code, f.status, f.retryable) == ("invalid_key", 401, False)


def test_timeout_against_a_slow_standin(faulty, client):
    faulty.configure(latency_ms=1500)
    try:
        slow = client.with_options(timeout=0.3)
        f = failure_of(lambda: slow.images.generate(model="gpt-image-2", prompt="a cat"))
    finally:
        faulty.configure(latency_ms=0)
    assert (f.code, f.retryable) == ("timeout", True)
