"""Studio's validation against the stand-in, through the official SDK.

For every model the stand-in serves: each value Studio accepts is accepted by the stand-in, and each
value just outside is refused by both, naming the same parameter. The stand-in's rules are written
independently of the registry, so this catches the registry being wrong, not just inconsistent.
"""
from __future__ import annotations

import inspect
import io
import struct
import zlib

import openai
import pytest
from PIL import Image

from studio.models_registry.registry import UploadInfo, get_model

from .cases import all_cases

# Models the stand-in serves (asserted against its /v1/models below, so this list cannot go stale).
STANDIN_MODELS = {"dall-e-2", "dall-e-3", "gpt-image-1.5", "gpt-image-1-mini", "gpt-image-2",
                  "gpt-image-2.5-sunburst", "gpt-image-2.5-flare"}
# Sending 50 MB files dozens of times proves nothing the 4 MB cases do not; validation tests cover them.
MAX_SENT_BYTES = 8 * 1024 * 1024

# Where Studio is deliberately stricter than the API, the API accepts what Studio refuses.
STUDIO_STRICTER = {
    # The seed contract's edit and variation endpoints have no quality parameter; the stand-in lets
    # quality=standard through on dall-e-2 edits. Studio never sends it.
    ("dall-e-2", "edit", "quality-not-taken"),
    # A variation is of one source image: Studio's rule, not the edit endpoint's.
    *((m, "variation", "images-2") for m in STANDIN_MODELS if get_model(m).variation_via == "edit"),
}

CASES = [c for c in all_cases() if c.model in STANDIN_MODELS
         and all(i.bytes <= MAX_SENT_BYTES for i in c.images)]


def image_bytes(info: UploadInfo) -> bytes:
    """A real file matching the description: format, dimensions, transparency and (for PNG) exact size."""
    img = Image.new("RGBA", (info.width, info.height), (200, 120, 40, 255))
    if info.has_alpha:
        for x in range(min(8, info.width)):
            img.putpixel((x, 0), (0, 0, 0, 0))
    fmt = info.norm_format
    buf = io.BytesIO()
    if fmt == "jpeg":
        img.convert("RGB").save(buf, "JPEG")
    elif fmt == "gif":
        img.convert("P").save(buf, "GIF")
    else:
        img.save(buf, fmt.upper())
    data = buf.getvalue()
    if fmt == "png" and info.bytes > len(data) + 12:
        data = _pad_png(data, info.bytes)
    return data


def _pad_png(data: bytes, total: int) -> bytes:
    """Insert an ancillary chunk before IEND so the file is exactly ``total`` bytes and still valid."""
    iend = data.rindex(b"IEND") - 4
    pad = total - len(data) - 12
    chunk_type = b"zzPd"  # ancillary, private, safe to copy
    payload = b"\0" * pad
    chunk = struct.pack(">I", pad) + chunk_type + payload + struct.pack(">I", zlib.crc32(chunk_type + payload))
    out = data[:iend] + chunk + data[iend:]
    assert len(out) == total
    return out


def send(client, case):
    spec = get_model(case.model)
    op = case.operation
    # What Studio would send for the accepted parts, with the person's raw values on top, so a value
    # Studio refuses reaches the stand-in as typed.
    kwargs = spec.api_params(op, {"prompt": case.params.get("prompt", "")} if spec.takes_prompt(op) else {})
    kwargs.update(case.params)
    if not spec.takes_prompt(op):
        kwargs.pop("prompt", None)
    method = getattr(client.images, spec.call_for(op))
    # Parameters the SDK method does not declare go in extra_body, so the stand-in is the one to judge.
    declared = inspect.signature(method).parameters
    extra_body = {k: kwargs.pop(k) for k in list(kwargs) if k not in declared}
    if extra_body:
        kwargs["extra_body"] = extra_body
    if op == "generate":
        return method(**kwargs)
    files = {"image": [], "mask": None, "markup": None}
    for i, info in enumerate(case.images):
        f = (f"{info.role}{i}.{info.norm_format}", image_bytes(info), f"image/{info.norm_format}")
        if info.role == "image":
            files["image"].append(f)
        else:
            files[info.role] = f
    image = files["image"][0] if len(files["image"]) == 1 else files["image"]
    if spec.call_for(op) == "create_variation":
        return method(image=image, **kwargs)
    extra = {k: v for k, v in (("mask", files["mask"]), ("markup", files["markup"])) if v is not None}
    return method(image=image, **kwargs, **extra)


@pytest.fixture(scope="module")
def client(standin):
    return openai.OpenAI(base_url=standin.base_url, api_key="test-key", max_retries=0, timeout=60)


def test_standin_serves_the_models_this_test_expects(client):
    served = {m.id for m in client.models.list()}
    assert STANDIN_MODELS <= served
    unknown = served - STANDIN_MODELS
    assert not unknown, f"the stand-in serves {unknown}; add them to STANDIN_MODELS"


@pytest.mark.filterwarnings("ignore:deprecated:DeprecationWarning")  # create_variation: dall-e-2's own endpoint
@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_studio_and_standin_agree(client, case):
    spec = get_model(case.model)
    studio = spec.problems(case.operation, case.params, case.images)
    assert {p.field for p in studio} == ({case.refused_field} if case.refused_field else set())
    stricter = (case.model, case.operation, case.label) in STUDIO_STRICTER
    try:
        response = send(client, case)
    except openai.BadRequestError as exc:
        assert case.refused_field is not None and not stricter, f"stand-in refused: {exc.body}"
        assert exc.param == case.refused_field, exc.body
        return
    assert case.refused_field is None or stricter, f"stand-in accepted what Studio refuses: {studio}"
    if case.refused_field is None:
        assert len(response.data) == int(case.params.get("n") or 1)


@pytest.mark.filterwarnings("ignore:deprecated:DeprecationWarning")
@pytest.mark.parametrize("model", sorted(STANDIN_MODELS))
def test_end_user_identifier_goes_under_the_models_own_name(client, model):
    spec = get_model(model)
    kwargs = spec.api_params("generate", {"prompt": "a cat", "safety_identifier": "hash-of-user-7"})
    assert kwargs.get(spec.end_user_param) == "hash-of-user-7"
    assert len(client.images.generate(**kwargs).data) == 1
    if spec.supports("variation") and spec.call_for("variation") == "create_variation":
        kwargs = spec.api_params("variation", {"safety_identifier": "hash-of-user-7"})
        image = ("a.png", image_bytes(UploadInfo("png", 64, 64, 1)), "image/png")
        assert len(client.images.create_variation(image=image, **kwargs).data) == 1
