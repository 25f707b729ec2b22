"""Fixtures for the stand-in's own tests: a shared in-thread server and an official SDK client."""

from __future__ import annotations

import io

import openai
import pytest
from PIL import Image

from studio.standin.testing import standin  # noqa: F401  (session-scoped default stand-in)


def make_client(base_url: str, **kw) -> openai.OpenAI:
    return openai.OpenAI(base_url=base_url, api_key="test-key", max_retries=0, timeout=30, **kw)


@pytest.fixture
def client(standin) -> openai.OpenAI:  # noqa: F811
    return make_client(standin.base_url)


def png(size=(64, 64), colour=(200, 80, 40, 255), mode="RGBA", fmt="PNG", **save) -> bytes:
    img = Image.new(mode, size, colour if mode != "RGB" else colour[:3])
    buf = io.BytesIO()
    img.save(buf, fmt, **save)
    return buf.getvalue()


def striped(size=(64, 64), hole=None, mode="RGBA") -> Image.Image:
    """A source picture with structure (stripes), optionally with a fully transparent hole (x0, y0, x1, y1)."""
    img = Image.new("RGBA", size)
    px = img.load()
    for y in range(size[1]):
        for x in range(size[0]):
            px[x, y] = ((x * 7) % 256, (y * 5) % 256, ((x + y) * 3) % 256, 255)
    if hole:
        img.paste((0, 0, 0, 0), hole)
    return img.convert(mode)


def to_bytes(img: Image.Image, fmt="PNG") -> bytes:
    buf = io.BytesIO()
    img.save(buf, fmt)
    return buf.getvalue()


def decode(b64: str) -> Image.Image:
    import base64

    img = Image.open(io.BytesIO(base64.b64decode(b64)))
    img.load()
    return img


def refused(call, *, status=400, param=None, code=None):
    """Run call(), expect an APIStatusError with that status/param/code; return the error."""
    with pytest.raises(openai.APIStatusError) as info:
        call()
    err = info.value
    assert err.status_code == status, (err.status_code, err.body)
    body = err.body
    assert set(body) >= {"message", "type", "param", "code"}, body
    if status == 400 and body.get("code") not in ("moderation_blocked",):
        assert body["type"] == "invalid_request_error"
    assert err.param == param, body
    if code is not None:
        assert err.code == code, body
    assert err.response.headers.get("x-request-id")
    return err
