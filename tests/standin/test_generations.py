"""Generations: every rule of both contracts, per model, through the official SDK."""

import io

import pytest
import requests
from PIL import Image

from .conftest import decode, refused

# ---- seed contract: dall-e-2 / dall-e-3 -------------------------------------------------------


def test_dalle2_defaults_to_url_1024(client):
    resp = client.images.generate(prompt="a lighthouse at dawn")
    assert resp.created > 0 and len(resp.data) == 1
    item = resp.data[0]
    assert item.url and item.b64_json is None and item.revised_prompt is None
    assert resp.usage is None and resp.output_format is None
    img = Image.open(io.BytesIO(requests.get(item.url, timeout=10).content))
    assert img.format == "PNG" and img.size == (1024, 1024)


@pytest.mark.parametrize("size", ["256x256", "512x512", "1024x1024"])
def test_dalle2_sizes(client, size):
    resp = client.images.generate(prompt="a fox", size=size, response_format="b64_json")
    assert decode(resp.data[0].b64_json).size == tuple(map(int, size.split("x")))


@pytest.mark.parametrize("size", ["1792x1024", "128x128", "1024x1536", "auto", "1024"])
def test_dalle2_refuses_other_sizes(client, size):
    refused(lambda: client.images.generate(prompt="a fox", size=size), param="size", code="invalid_value")


def test_dalle2_n_range(client):
    resp = client.images.generate(prompt="a fox", n=10, size="256x256", response_format="b64_json")
    assert len(resp.data) == 10
    refused(lambda: client.images.generate(prompt="a fox", n=0), param="n", code="integer_below_min_value")
    refused(lambda: client.images.generate(prompt="a fox", n=11), param="n", code="integer_above_max_value")
    refused(lambda: client.images.generate(prompt="a fox", extra_body={"n": "two"}), param="n", code="invalid_type")


def test_prompt_rules(client):
    refused(lambda: client.images.generate(prompt=""), param="prompt", code="empty_string")
    refused(lambda: client.images.generate(prompt="x", extra_body={"prompt": None}), param="prompt",
            code="missing_required_parameter")
    assert client.images.generate(prompt="x" * 1000, size="256x256").data
    refused(lambda: client.images.generate(prompt="x" * 1001), param="prompt", code="string_above_max_length")
    assert client.images.generate(model="dall-e-3", prompt="x" * 4000).data
    refused(lambda: client.images.generate(model="dall-e-3", prompt="x" * 4001), param="prompt",
            code="string_above_max_length")
    assert client.images.generate(model="gpt-image-2", prompt="x" * 32000, quality="low").data
    refused(lambda: client.images.generate(model="gpt-image-2", prompt="x" * 32001), param="prompt",
            code="string_above_max_length")


def test_dalle2_quality_and_style(client):
    assert client.images.generate(prompt="a fox", quality="standard", size="256x256").data
    refused(lambda: client.images.generate(prompt="a fox", quality="hd"), param="quality")
    refused(lambda: client.images.generate(prompt="a fox", style="vivid"), param="style", code="unsupported_parameter")


def test_response_format(client):
    b64 = client.images.generate(prompt="a fox", size="256x256", response_format="b64_json").data[0]
    assert b64.b64_json and b64.url is None
    assert decode(b64.b64_json).format == "PNG"
    refused(lambda: client.images.generate(prompt="a fox", extra_body={"response_format": "png"}),
            param="response_format")


def test_dalle3_rules_and_revised_prompt(client):
    for size in ("1024x1024", "1792x1024", "1024x1792"):
        resp = client.images.generate(model="dall-e-3", prompt="an otter", size=size, response_format="b64_json")
        assert decode(resp.data[0].b64_json).size == tuple(map(int, size.split("x")))
    resp = client.images.generate(model="dall-e-3", prompt="an otter", quality="hd", style="natural")
    item = resp.data[0]
    assert item.url and item.revised_prompt and item.revised_prompt != "an otter"
    assert "otter" in item.revised_prompt
    refused(lambda: client.images.generate(model="dall-e-3", prompt="x", n=2), param="n")
    refused(lambda: client.images.generate(model="dall-e-3", prompt="x", size="512x512"), param="size")
    refused(lambda: client.images.generate(model="dall-e-3", prompt="x", quality="high"), param="quality")
    refused(lambda: client.images.generate(model="dall-e-3", prompt="x", style="cartoon"), param="style")


@pytest.mark.parametrize("param,value", [
    ("background", "transparent"), ("output_format", "webp"), ("output_compression", 50), ("moderation", "low"),
    ("partial_images", 1), ("stream", True),
])
def test_dalle_refuses_todays_params(client, param, value):
    refused(lambda: client.images.generate(prompt="x", extra_body={param: value}), param=param,
            code="unsupported_parameter")


# ---- today's contract: GPT image models -------------------------------------------------------

GPT = ["gpt-image-2", "gpt-image-2.5-sunburst", "gpt-image-2.5-flare", "gpt-image-1.5", "gpt-image-1-mini"]


@pytest.mark.parametrize("model", GPT)
def test_gpt_returns_b64_with_echo_and_usage(client, model):
    resp = client.images.generate(model=model, prompt="a paper boat on a pond", quality="low")
    assert resp.data[0].url is None and resp.data[0].revised_prompt is None
    img = decode(resp.data[0].b64_json)
    assert img.format == "PNG" and img.size == (1024, 1024)
    assert (resp.size, resp.quality, resp.output_format, resp.background) == ("1024x1024", "low", "png", "opaque")
    u = resp.usage
    assert u.input_tokens == u.input_tokens_details.text_tokens + u.input_tokens_details.image_tokens
    assert u.total_tokens == u.input_tokens + u.output_tokens and u.output_tokens > 0


@pytest.mark.parametrize("model", GPT)
@pytest.mark.parametrize("param,value", [("response_format", "b64_json"), ("response_format", "url"),
                                         ("style", "vivid")])
def test_gpt_refuses_legacy_params(client, model, param, value):
    refused(lambda: client.images.generate(model=model, prompt="x", **{param: value}), param=param,
            code="unsupported_parameter")


@pytest.mark.parametrize("model", GPT)
def test_gpt_standard_sizes_and_auto(client, model):
    for size in ("1024x1024", "1536x1024", "1024x1536"):
        resp = client.images.generate(model=model, prompt="x", size=size, quality="low")
        assert resp.size == size and decode(resp.data[0].b64_json).size == tuple(map(int, size.split("x")))
    assert client.images.generate(model=model, prompt="x", size="auto", quality="low").size == "1024x1024"


@pytest.mark.parametrize("model", ["gpt-image-1.5", "gpt-image-1-mini"])
def test_fixed_size_models_refuse_custom_sizes(client, model):
    refused(lambda: client.images.generate(model=model, prompt="x", size="1536x864"), param="size")
    refused(lambda: client.images.generate(model=model, prompt="x", size="256x256"), param="size")


@pytest.mark.parametrize("model", ["gpt-image-2", "gpt-image-2.5-sunburst", "gpt-image-2.5-flare"])
def test_flexible_sizes(client, model):
    for size in ("1536x864", "2048x688", "688x2048", "3840x2160", "2160x3840", "1024x640", "640x1024"):
        resp = client.images.generate(model=model, prompt="x", size=size, quality="low")
        assert resp.size == size and decode(resp.data[0].b64_json).size == tuple(map(int, size.split("x")))
    for bad in ("1000x1000", "1024x1000", "2048x672", "672x2048", "3856x2160", "3840x2176", "4096x1536",
                "64x64", "96x96", "640x640", "1008x640",
                "abc", "0x0", "1024x"):
        refused(lambda: client.images.generate(model=model, prompt="x", size=bad), param="size", code="invalid_value")


def test_quality_per_model(client):
    for q in ("auto", "low", "medium", "high"):
        assert client.images.generate(model="gpt-image-2", prompt="x", quality=q, size="1024x640").quality in (
            "low", "medium", "high")
    for model in ("gpt-image-2.5-sunburst", "gpt-image-2.5-flare"):
        for q in ("xhigh", "max"):
            assert client.images.generate(model=model, prompt="x", quality=q, size="1024x640").quality == q
    for model in ("gpt-image-2", "gpt-image-1.5", "gpt-image-1-mini"):
        refused(lambda: client.images.generate(model=model, prompt="x", quality="xhigh"), param="quality")
    for q in ("standard", "hd"):
        refused(lambda: client.images.generate(model="gpt-image-2", prompt="x", quality=q), param="quality")


def test_usage_is_deterministic_and_grows_with_size_quality_and_prompt(client):
    def usage(**kw):
        args = dict(model="gpt-image-2", prompt="a cat", size="1024x1024", quality="low") | kw
        return client.images.generate(**args).usage

    assert usage() == usage()
    assert usage(quality="high").output_tokens > usage().output_tokens
    assert usage(size="1536x1024").output_tokens > usage().output_tokens
    assert usage(prompt="a cat " * 50).input_tokens > usage().input_tokens
    assert usage(n=2).output_tokens == 2 * usage().output_tokens


@pytest.mark.parametrize("fmt,pil", [("png", "PNG"), ("webp", "WEBP"), ("jpeg", "JPEG")])
def test_output_format(client, fmt, pil):
    resp = client.images.generate(model="gpt-image-2", prompt="x", output_format=fmt, size="1024x640", quality="low")
    assert resp.output_format == fmt and decode(resp.data[0].b64_json).format == pil


def test_output_compression(client):
    def size_at(c):
        r = client.images.generate(model="gpt-image-2", prompt="a busy market", output_format="jpeg",
                                   output_compression=c, size="1024x640", quality="low")
        return len(r.data[0].b64_json)

    assert size_at(10) < size_at(95)
    assert client.images.generate(model="gpt-image-2", prompt="x", output_format="webp", output_compression=0,
                                  size="1024x640").data
    refused(lambda: client.images.generate(model="gpt-image-2", prompt="x", output_format="jpeg",
                                           output_compression=101), param="output_compression",
            code="integer_above_max_value")
    refused(lambda: client.images.generate(model="gpt-image-2", prompt="x", output_format="jpeg",
                                           output_compression=-1), param="output_compression",
            code="integer_below_min_value")
    refused(lambda: client.images.generate(model="gpt-image-2", prompt="x", output_compression=50),
            param="output_compression")


@pytest.mark.parametrize("fmt", ["png", "webp"])
def test_transparent_background_has_real_alpha(client, fmt):
    resp = client.images.generate(model="gpt-image-2.5-flare", prompt="a red apple", background="transparent",
                                  output_format=fmt, size="1024x640", quality="low")
    assert resp.background == "transparent"
    img = decode(resp.data[0].b64_json).convert("RGBA")
    lo, hi = img.getchannel("A").getextrema()
    assert lo == 0 and hi == 255
    opaque = decode(client.images.generate(model="gpt-image-2.5-flare", prompt="a red apple", background="opaque",
                                           size="1024x640", quality="low").data[0].b64_json)
    assert opaque.mode == "RGB"


def test_background_rules(client):
    refused(lambda: client.images.generate(model="gpt-image-2", prompt="x", background="transparent",
                                           output_format="jpeg"), param="background")
    refused(lambda: client.images.generate(model="gpt-image-2", prompt="x", background="clear"), param="background")
    assert client.images.generate(model="gpt-image-2", prompt="x", background="auto", size="1024x640").background == "opaque"


def test_output_format_rules(client):
    refused(lambda: client.images.generate(model="gpt-image-2", prompt="x", output_format="bmp"),
            param="output_format")
    for preview in ("gif", "svg"):
        refused(lambda: client.images.generate(model="gpt-image-2", prompt="x", output_format=preview),
                param="output_format")


def test_moderation_param(client):
    for value in ("auto", "low"):
        assert client.images.generate(model="gpt-image-2", prompt="x", moderation=value, size="1024x640").data
    refused(lambda: client.images.generate(model="gpt-image-2", prompt="x", extra_body={"moderation": "off"}),
            param="moderation")


def test_gpt_n_range(client):
    resp = client.images.generate(model="gpt-image-2", prompt="x", n=3, size="1024x640", quality="low")
    assert len(resp.data) == 3
    refused(lambda: client.images.generate(model="gpt-image-2", prompt="x", n=11), param="n")
    refused(lambda: client.images.generate(model="gpt-image-2", prompt="x", n=0), param="n")


def test_safety_identifier_echo(client):
    resp = client.images.generate(model="gpt-image-2", prompt="x", size="1024x640", safety_identifier="h-123")
    assert resp.safety_identifier == "h-123"
    assert client.images.generate(prompt="x", size="256x256", user="someone").data


# ---- moderation blocks -----------------------------------------------------------------------

def test_blocked_words_use_each_familys_code(client):
    err = refused(lambda: client.images.generate(prompt="a gore scene"), param=None, code="content_policy_violation")
    assert "safety system" in err.message
    refused(lambda: client.images.generate(model="dall-e-3", prompt="NSFW poster"), param=None,
            code="content_policy_violation")
    err = refused(lambda: client.images.generate(model="gpt-image-2", prompt="gore"), param=None,
                  code="moderation_blocked")
    assert err.type == "image_generation_user_error"
    # A word merely containing a blocked one is fine.
    assert client.images.generate(prompt="gorey gorge", size="256x256").data


def test_blocked_words_flag():
    from studio.standin.config import StandinConfig
    from studio.standin.testing import standin_in_thread

    from .conftest import make_client

    with standin_in_thread(StandinConfig(blocked_words=("pineapple",))) as s:
        c = make_client(s.base_url)
        refused(lambda: c.images.generate(prompt="pineapple pizza"), code="content_policy_violation")
        assert c.images.generate(prompt="gore", size="256x256").data


# ---- determinism ----------------------------------------------------------------------------

def test_pictures_are_deterministic_per_prompt_and_index(client):
    def pics(prompt, n=2):
        r = client.images.generate(prompt=prompt, n=n, size="256x256", response_format="b64_json")
        return [d.b64_json for d in r.data]

    a = pics("a blue whale")
    assert a == pics("a blue whale")
    assert a[0] != a[1]
    assert pics("a green frog")[0] != a[0]
