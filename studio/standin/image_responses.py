"""The body of a successful image answer, from a validated request: the painted pictures as one
JSON payload or as server-sent events, with token usage (gpt-image models) and dall-e-3's
revised prompt."""

from __future__ import annotations

import base64
import hashlib
import math
import time
from typing import Any, Iterator

from PIL import Image

from . import painter, sse
from .api_types import Request
from .config import StandinConfig
from .content_credentials import ContentCredentials
from .state import BlobStore

# Output tokens for one 1024x1024 image per quality; scaled by area.
OUTPUT_TOKENS_1024 = {"low": 272, "medium": 1056, "high": 4160, "xhigh": 6240, "max": 8320}


def usage(req: Request) -> dict:
    """Plausible, deterministic token counts from prompt length, input images, size and quality."""
    text_tokens = max(1, math.ceil(len(req.prompt) / 4))
    image_tokens = 0
    for img in req.images:
        tiles = math.ceil(img.width / 512) * math.ceil(img.height / 512)
        image_tokens += 65 + 129 * tiles
    if req.input_fidelity == "high":
        image_tokens *= 2
    if req.mask is not None:
        image_tokens += 65
    per_image = round(OUTPUT_TOKENS_1024.get(req.quality, 1056) * req.width * req.height / (1024 * 1024))
    output_tokens = per_image * req.n
    input_tokens = text_tokens + image_tokens
    return {
        "input_tokens": input_tokens,
        "input_tokens_details": {"text_tokens": text_tokens, "image_tokens": image_tokens},
        "output_tokens": output_tokens,
        "output_tokens_details": {"image_tokens": output_tokens, "text_tokens": 0},
        "total_tokens": input_tokens + output_tokens,
    }


def revised_prompt(prompt: str, style: str | None) -> str:
    """dall-e-3 rewrites every prompt; make the rewrite visibly different but faithful."""
    mood = "dramatic, hyper-real lighting" if style != "natural" else "soft, natural light"
    return f"A detailed illustration of {prompt.strip().rstrip('.')}, composed with {mood} and a rich colour palette."


def picture(req: Request, seed: int, index: int) -> Image.Image:
    size = (req.width, req.height)
    transparent = req.background == "transparent"
    if req.endpoint == "edits":
        return painter.edit(req.images[0], req.mask, req.prompt, seed, index, size, transparent)
    if req.endpoint == "variations":
        return painter.vary(req.images[0], seed, index, size)
    return painter.paint(req.prompt, seed, index, req.width, req.height, transparent)


def final_bytes(req: Request, image: Image.Image, credentials: ContentCredentials | None,
                produced: list | None) -> bytes:
    """A final picture as the API sends it: encoded, signed with C2PA when the stand-in signs, and
    noted (sha256, size) in `produced` so tests can compare what Studio keeps with what was sent."""
    raw = painter.encode(image, req.output_format, req.output_compression)
    if credentials is not None:
        raw = credentials.sign(raw, req.output_format, model=req.model.id, endpoint=req.endpoint,
                               source=req.images[0] if req.images else None)
    if produced is not None:
        produced.append({"sha256": hashlib.sha256(raw).hexdigest(), "bytes": len(raw)})
    return raw


def json_payload(req: Request, config: StandinConfig, blobs: BlobStore, host: str,
                 credentials: ContentCredentials | None = None, produced: list | None = None) -> dict:
    """The JSON answer; url answers store each picture in `blobs` behind a signed URL on `host`."""
    now = time.time()
    created = int(now)
    data = []
    for i in range(req.n):
        raw = final_bytes(req, picture(req, config.seed, i), credentials, produced)
        if req.response_format == "url":
            path, query = blobs.put(raw, req.output_format, now + config.url_ttl)
            item: dict[str, Any] = {"url": f"http://{host}{path}?{query}"}
        else:
            item = {"b64_json": base64.b64encode(raw).decode()}
        if req.model.id == "dall-e-3":
            item["revised_prompt"] = revised_prompt(req.prompt, req.style)
        data.append(item)
    payload: dict[str, Any] = {"created": created, "data": data}
    if req.model.is_gpt:
        payload.update(
            background=req.background,
            output_format=req.output_format,
            quality=req.quality,
            size=req.size,
            usage=usage(req),
        )
        if req.user:
            payload["safety_identifier"] = req.user
    return payload


def stream_events(req: Request, config: StandinConfig, credentials: ContentCredentials | None = None,
                  produced: list | None = None) -> Iterator[bytes]:
    """The SSE answer, one event at a time: each picture's partial images, then its completed event.
    A generator, so each event can go out (and be flushed) as soon as it is painted."""
    prefix = "image_generation" if req.endpoint == "generations" else "image_edit"
    common = {
        "background": req.background,
        "output_format": req.output_format,
        "quality": req.quality,
        "size": req.size,
    }
    token_usage = usage(req)
    for i in range(req.n):
        final = picture(req, config.seed, i)
        for k in range(req.partial_images):
            rough = painter.encode(painter.partial(final, k, req.partial_images), req.output_format,
                                   req.output_compression)
            yield sse.event(f"{prefix}.partial_image", {
                "type": f"{prefix}.partial_image",
                "b64_json": base64.b64encode(rough).decode(),
                "partial_image_index": k,
                "created_at": int(time.time()),
                **common,
            })
        raw = final_bytes(req, final, credentials, produced)
        done = {
            "type": f"{prefix}.completed",
            "b64_json": base64.b64encode(raw).decode(),
            "created_at": int(time.time()),
            "usage": token_usage,
            **common,
        }
        if req.user:
            done["safety_identifier"] = req.user
        yield sse.event(f"{prefix}.completed", done)
