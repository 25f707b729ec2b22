"""POST /v1/images/generations: validating its JSON body."""

from __future__ import annotations

from typing import Any, Mapping

from .api_types import ApiError, Request
from .model_table import ModelSpec
from .output_options import apply_output_options
from .params import as_str, check_unknown, invalid_value, parse_size, read_n, read_prompt, read_user, resolve_model

# Parameters the endpoint knows; anything else is an unknown parameter.
GENERATION_PARAMS = {
    "prompt", "model", "n", "quality", "response_format", "size", "style", "user", "background",
    "output_format", "output_compression", "moderation", "partial_images", "stream", "safety_identifier",
    "complexity", "frame_count", "frame_duration_ms", "svg",
}


def validate_generation(params: Mapping[str, Any], served: Mapping[str, ModelSpec]) -> Request:
    if not isinstance(params, Mapping):
        raise ApiError("The request body must be a JSON object.", code="invalid_json")
    check_unknown(params, GENERATION_PARAMS)
    model = resolve_model(params, "generations", served)
    prompt = read_prompt(params, model.prompt_max)
    n = read_n(params, model)
    size = as_str(params, "size") or model.default_size
    dims = parse_size(size, model, model.sizes) or (1024, 1024)
    req = Request("generations", model, prompt, n, dims[0], dims[1], "", "url", user=read_user(params))
    apply_output_options(params, model, req)
    moderation = as_str(params, "moderation")
    if moderation is not None and moderation not in ("auto", "low"):
        raise invalid_value("moderation", moderation, ("low", "auto"))
    return req
