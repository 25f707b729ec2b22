"""Cost in USD, from the price table in models.toml.

DALL·E is billed per image by size and quality. GPT image models are billed per token: the estimate
guesses the tokens (prompt length, one flat figure per uploaded image, output tokens per image by
quality scaled by area); the actual cost uses the ``usage`` the API returned.
"""
from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Iterable, Mapping

from .registry import ModelSpec, parse_size

MILLION = Decimal(1_000_000)
CENT_FRACTION = Decimal("0.000001")  # stored to the micro-dollar; displayed rounded by the UI


class PriceUnknown(LookupError):
    pass


def _q(value: Decimal) -> Decimal:
    return value.quantize(CENT_FRACTION, rounding=ROUND_HALF_UP)


def _effective(spec: ModelSpec, operation: str, params: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(spec.defaults(operation))
    merged.update({k: v for k, v in params.items() if v not in (None, "")})
    return merged


def _per_image(spec: ModelSpec, size: str, quality: str | None) -> Decimal:
    by_quality = spec.price.per_image.get(size)
    if not by_quality:
        raise PriceUnknown(f"{spec.name} has no price for size {size}.")
    if quality in by_quality:
        return by_quality[quality]
    if len(by_quality) == 1:  # e.g. dall-e-2, whose only quality is implicit
        return next(iter(by_quality.values()))
    raise PriceUnknown(f"{spec.name} has no price for {size} at quality {quality}.")


def _output_tokens_per_image(spec: ModelSpec, size: str, quality: str) -> int:
    table = spec.price.output_tokens
    base = table.get(quality) or table.get("auto") or max(table.values(), default=0)
    wh = parse_size(spec.price.auto_size if size == "auto" else size) or (1024, 1024)
    return math.ceil(base * (wh[0] * wh[1]) / (1024 * 1024))


def _token_cost(spec: ModelSpec, text_in: int, image_in: int, out: int) -> Decimal:
    p = spec.price
    total = Decimal(out) * p.output
    total += Decimal(text_in) * (p.text_input or 0)
    total += Decimal(image_in) * (p.image_input or p.text_input or 0)
    return total / MILLION


def estimate_tokens(spec: ModelSpec, operation: str, params: Mapping[str, Any], images: Iterable = ()) -> dict:
    eff = _effective(spec, operation, params)
    n = int(eff.get("n") or 1)
    prompt = str(eff.get("prompt") or "")
    n_images = len([i for i in images if getattr(i, "role", "image") == "image"]) if images else 0
    if operation != "generate":
        n_images = max(n_images, 1)
    return {
        "text_input": math.ceil(len(prompt) / 4),  # about four characters per token
        "image_input": n_images * spec.price.image_input_tokens,
        "output": n * _output_tokens_per_image(spec, str(eff.get("size")), str(eff.get("quality") or "auto")),
    }


def estimate_cost(spec: ModelSpec, operation: str, params: Mapping[str, Any], images: Iterable = ()) -> Decimal:
    """What this request will probably cost, before it is sent."""
    eff = _effective(spec, operation, params)
    n = int(eff.get("n") or 1)
    if not spec.price.per_token:
        return _q(_per_image(spec, str(eff.get("size")), eff.get("quality")) * n)
    t = estimate_tokens(spec, operation, params, images)
    return _q(_token_cost(spec, t["text_input"], t["image_input"], t["output"]))


def _get(obj: Any, name: str, default: Any = 0) -> Any:
    if obj is None:
        return default
    if isinstance(obj, Mapping):
        return obj.get(name, default)
    return getattr(obj, name, default)


def actual_cost(spec: ModelSpec, params: Mapping[str, Any], usage: Any, n_images: int, *,
                operation: str = "generate") -> Decimal:
    """What a finished request cost: tokens from ``usage`` (an SDK Usage object or its dict) for GPT image
    models, the per-image price times the images returned for DALL·E."""
    if not spec.price.per_token:
        eff = _effective(spec, "generate" if operation not in spec.operations else operation, params)
        return _q(_per_image(spec, str(eff.get("size")), eff.get("quality")) * int(n_images))
    if usage is None:
        # Some compatible gateways omit usage: fall back to the estimate for what came back.
        return estimate_cost(spec, operation, {**params, "n": n_images})
    details = _get(usage, "input_tokens_details", None)
    input_tokens = int(_get(usage, "input_tokens") or 0)
    if details is not None:
        text_in = int(_get(details, "text_tokens") or 0)
        image_in = int(_get(details, "image_tokens") or 0)
        rest = input_tokens - text_in - image_in
        text_in += max(rest, 0)
    else:
        text_in, image_in = input_tokens, 0
    out = int(_get(usage, "output_tokens") or 0)
    return _q(_token_cost(spec, text_in, image_in, out))
