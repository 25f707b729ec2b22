"""Every class of upstream failure, raised by the real SDK against a real local server, is classified."""
import socket

import openai
import pytest

from studio.models_registry.errors import CODES, Failure, classify, scrub

from .local_server import Reply, local_server

# Built from parts so that secret scanners do not take this made-up key for a real one.
KEY = "sk-" + "test-SECRETSECRETSECRET1234"


@pytest.fixture
def server():
    with local_server() as srv:
        yield srv


def call(server, *, timeout=5.0):
    client = openai.OpenAI(api_key=KEY, base_url=server.url + "/v1", max_retries=0, timeout=timeout)
    try:
        client.images.generate(model="gpt-image-2", prompt="a cat")
    except Exception as exc:  # noqa: BLE001 - the point is to classify whatever comes
        return exc
    raise AssertionError("the call should have failed")


@pytest.mark.parametrize(
    "status, code, param, headers, expected, retryable, retry_after",
    [
        (400, "invalid_value", "size", {}, "bad_parameter", False, None),
        (422, None, "n", {}, "bad_parameter", False, None),
        (400, "moderation_blocked", None, {}, "moderation_blocked", False, None),
        (400, "content_policy_violation", None, {}, "moderation_blocked", False, None),
        (401, "invalid_api_key", None, {}, "invalid_key", False, None),
        (403, None, None, {}, "invalid_key", False, None),  # issue 13: a 403 about no model is a key problem
        (403, None, "model", {}, "model_access", False, None),
        (404, "model_not_found", "model", {}, "model_access", False, None),
        (408, None, None, {}, "timeout", True, None),
        (409, None, None, {}, "upstream_outage", True, None),
        (429, "rate_limit_exceeded", None, {"retry-after": "7"}, "rate_limited", True, 7.0),
        (429, None, None, {"retry-after-ms": "1500"}, "rate_limited", True, 1.5),
        (429, "insufficient_quota", None, {"retry-after": "7"}, "quota_exhausted", False, None),
        (500, None, None, {}, "upstream_outage", True, None),
        (502, None, None, {"retry-after": "2"}, "upstream_outage", True, 2.0),
        (503, None, None, {}, "upstream_outage", True, None),
        (418, None, None, {}, "unknown", False, None),
    ],
)
def test_status_classes(server, status, code, param, headers, expected, retryable, retry_after):
    server.error(status, f"Something about {param} and key {KEY}", code=code, param=param, headers=headers)
    failure = classify(call(server))
    assert isinstance(failure, Failure)
    assert failure.code == expected and failure.code in CODES
    assert failure.retryable is retryable
    assert failure.retry_after == retry_after
    assert failure.status == status
    assert KEY not in failure.message and "SECRET" not in failure.message
    assert failure.message.endswith((".", "]"))
    if expected == "bad_parameter":
        assert failure.param == param and param in failure.message


def test_timeout(server):
    server.reply = Reply(200, {"created": 1, "data": []}, delay=1.0)
    failure = classify(call(server, timeout=0.2))
    assert (failure.code, failure.retryable) == ("timeout", True)


def test_connection_error():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens once closed
    client = openai.OpenAI(api_key=KEY, base_url=f"http://127.0.0.1:{port}/v1", max_retries=0, timeout=2)
    with pytest.raises(openai.APIConnectionError) as info:
        client.images.generate(model="gpt-image-2", prompt="a cat")
    failure = classify(info.value)
    assert (failure.code, failure.retryable) == ("connection_error", True)


def test_non_sdk_exceptions():
    assert classify(TimeoutError()).code == "timeout"
    assert classify(ConnectionResetError()).code == "connection_error"
    assert classify(ValueError("x")) == Failure("unknown", classify(ValueError()).message, False)


def test_scrub_removes_credentials():
    text = scrub(f"Incorrect API key provided: {KEY}. Authorization: Bearer abc.def")
    assert KEY not in text and "abc.def" not in text
