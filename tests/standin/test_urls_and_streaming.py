"""Signed expiring image URLs, and server-sent events through the SDK's stream iterator."""

import time
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import pytest
import requests

from studio.standin.config import StandinConfig
from studio.standin.testing import standin_in_thread

from .conftest import decode, make_client, png, refused


@pytest.fixture(scope="module")
def short_ttl():
    with standin_in_thread(StandinConfig(url_ttl=1.5)) as s:
        yield s


def _with_query(url, **changes):
    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()} | changes
    return urlunsplit(parts._replace(query=urlencode(query)))


def test_url_looks_like_a_signed_blob_on_the_standins_host(client, standin):
    url = client.images.generate(prompt="a fox", size="256x256").data[0].url
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}" == standin.root_url
    assert parts.path.startswith("/blob/private/images/") and parts.path.endswith(".png")
    query = parse_qs(parts.query)
    assert set(query) == {"se", "sp", "sig"} and query["sp"] == ["r"]
    resp = requests.get(url, timeout=5)
    assert resp.status_code == 200 and resp.headers["Content-Type"] == "image/png"
    assert resp.content.startswith(b"\x89PNG")


def test_url_expires_after_ttl(short_ttl):
    client = make_client(short_ttl.base_url)
    resp = client.images.generate(prompt="a fox", size="256x256")
    url = resp.data[0].url
    se = int(parse_qs(urlsplit(url).query)["se"][0])
    assert resp.created + 1.5 <= se <= resp.created + 3
    assert requests.get(url, timeout=5).status_code == 200
    deadline = time.monotonic() + 5
    while requests.get(url, timeout=5).status_code == 200:
        assert time.monotonic() < deadline, "URL never expired"
        time.sleep(0.1)
    denied = requests.get(url, timeout=5)
    assert denied.status_code == 403 and b"AuthenticationFailed" in denied.content
    assert time.time() >= resp.created + 1.5


def test_tampered_url_is_403(client):
    url = client.images.generate(prompt="a fox", size="256x256").data[0].url
    sig = parse_qs(urlsplit(url).query)["sig"][0]
    bad_sig = _with_query(url, sig=("A" if sig[0] != "A" else "B") + sig[1:])
    later = _with_query(url, se=str(int(parse_qs(urlsplit(url).query)["se"][0]) + 3600))
    other_blob = url.replace("/images/", "/images/0", 1)
    for tampered in (bad_sig, later, other_blob, _with_query(url, sp="rw"), url.split("?")[0]):
        assert requests.get(tampered, timeout=5).status_code == 403


def test_runtime_url_ttl_change(short_ttl):
    short_ttl.configure(url_ttl=3600)
    try:
        url = make_client(short_ttl.base_url).images.generate(prompt="x", size="256x256").data[0].url
        se = int(parse_qs(urlsplit(url).query)["se"][0])
        assert se > time.time() + 3000
    finally:
        short_ttl.configure(url_ttl=1.5)


# ---- streaming --------------------------------------------------------------------------------

@pytest.mark.parametrize("partials", [0, 1, 3])
def test_generation_stream(client, partials):
    stream = client.images.generate(model="gpt-image-2", prompt="a lantern", stream=True, partial_images=partials,
                                    size="1024x640", quality="low", output_format="webp")
    events = list(stream)
    assert [e.type for e in events] == ["image_generation.partial_image"] * partials + ["image_generation.completed"]
    assert [e.partial_image_index for e in events[:-1]] == list(range(partials))
    for e in events:
        assert e.size == "1024x640" and e.output_format == "webp" and e.quality == "low" and e.created_at > 0
        assert decode(e.b64_json).size == (1024, 640)
    done = events[-1]
    assert done.usage.total_tokens == done.usage.input_tokens + done.usage.output_tokens > 0
    same = client.images.generate(model="gpt-image-2", prompt="a lantern", size="1024x640", quality="low",
                                  output_format="webp")
    assert decode(same.data[0].b64_json).tobytes() == decode(done.b64_json).tobytes()


def test_edit_stream(client):
    stream = client.images.edit(model="gpt-image-2.5-sunburst", prompt="a hat", image=("a.png", png(), "image/png"),
                                stream=True, partial_images=2, quality="low")
    events = list(stream)
    assert [e.type for e in events] == ["image_edit.partial_image"] * 2 + ["image_edit.completed"]
    assert events[-1].usage.input_tokens_details.image_tokens > 0


def test_stream_rules(client):
    refused(lambda: list(client.images.generate(model="gpt-image-2", prompt="x", stream=True, partial_images=4)),
            param="partial_images", code="integer_above_max_value")
    refused(lambda: list(client.images.generate(model="dall-e-2", prompt="x", stream=True, partial_images=1)),
            param="partial_images")
    refused(lambda: list(client.images.generate(model="dall-e-3", prompt="x", stream=True)), param="stream")
    refused(lambda: list(client.images.generate(model="gpt-image-2", prompt="gore", stream=True)),
            code="moderation_blocked")
