"""Reading request parameters the way the API does: typed readers, the checks every endpoint
shares (unknown names, model, prompt, n, size), and the error messages they raise."""

from __future__ import annotations

import re
from typing import Any, Mapping

from .api_types import ApiError
from .model_table import DEFAULT_MODEL, MAX_EDGE, MAX_PIXELS, MIN_PIXELS, ModelSpec


def quote_list(values: tuple[str, ...] | list[str]) -> str:
    quoted = [f"'{v}'" for v in values]
    return ", ".join(quoted[:-1]) + f", and {quoted[-1]}" if len(quoted) > 2 else " and ".join(quoted)


def invalid_value(param: str, value: object, allowed: tuple[str, ...] | list[str]) -> ApiError:
    return ApiError(
        f"Invalid value: '{value}'. Supported values are: {quote_list(allowed)}.", param=param, code="invalid_value"
    )


def unsupported_parameter(param: str, model: ModelSpec) -> ApiError:
    return ApiError(
        f"The '{param}' parameter is not supported with the model '{model.id}'.",
        param=param,
        code="unsupported_parameter",
    )


def model_choice(params: Mapping[str, Any], name: str, allowed: tuple[str, ...], model: ModelSpec) -> str | None:
    """An optional parameter only some models take, from values of their own (style, input_fidelity)."""
    value = as_str(params, name)
    if value is not None:
        if not allowed:
            raise unsupported_parameter(name, model)
        if value not in allowed:
            raise invalid_value(name, value, allowed)
    return value


def given(params: Mapping[str, Any], name: str) -> bool:
    return params.get(name) is not None


def as_str(params: Mapping[str, Any], name: str) -> str | None:
    value = params.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise ApiError(
            f"Invalid type for '{name}': expected a string, but got {type(value).__name__} instead.",
            param=name,
            code="invalid_type",
        )
    return value


def as_int(params: Mapping[str, Any], name: str, default: int | None) -> int | None:
    value = params.get(name)
    if value is None:
        return default
    if isinstance(value, str) and re.fullmatch(r"-?\d+", value.strip()):
        return int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise ApiError(
        f"Invalid type for '{name}': expected an integer, but got {type(value).__name__} instead.",
        param=name,
        code="invalid_type",
    )


def as_bool(params: Mapping[str, Any], name: str) -> bool:
    value = params.get(name)
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise ApiError(
        f"Invalid type for '{name}': expected a boolean, but got {type(value).__name__} instead.",
        param=name,
        code="invalid_type",
    )


def check_range(name: str, value: int, lo: int, hi: int) -> None:
    if value < lo:
        raise ApiError(
            f"Invalid '{name}': integer below minimum value. Expected a value >= {lo}, but got {value} instead.",
            param=name,
            code="integer_below_min_value",
        )
    if value > hi:
        raise ApiError(
            f"Invalid '{name}': integer above maximum value. Expected a value <= {hi}, but got {value} instead.",
            param=name,
            code="integer_above_max_value",
        )


def check_unknown(params: Mapping[str, Any], known: set[str]) -> None:
    for name in params:
        base = name.split("[", 1)[0] if name not in known else name
        if name not in known and base not in known:
            raise ApiError(f"Unknown parameter: '{name}'.", param=name, code="unknown_parameter")


def resolve_model(params: Mapping[str, Any], endpoint: str, served: Mapping[str, ModelSpec]) -> ModelSpec:
    name = as_str(params, "model") or DEFAULT_MODEL
    model = served.get(name)
    if model is None:
        raise ApiError(
            f"Invalid value: '{name}'. Supported values are: {quote_list(sorted(served))}.",
            param="model",
            code="invalid_value",
        )
    if endpoint not in model.endpoints:
        able = sorted(m for m, spec in served.items() if endpoint in spec.endpoints)
        if able:
            message = f"Invalid value: '{name}'. Value must be {quote_list(able)} for /v1/images/{endpoint}."
        else:
            message = f"Invalid value: '{name}'. /v1/images/{endpoint} is not available for this model."
        raise ApiError(message, param="model", code="invalid_value")
    return model


def read_prompt(params: Mapping[str, Any], limit: int) -> str:
    prompt = as_str(params, "prompt")
    if prompt is None:
        raise ApiError("Missing required parameter: 'prompt'.", param="prompt", code="missing_required_parameter")
    if prompt == "":
        raise ApiError(
            "Invalid 'prompt': empty string. Expected a string with minimum length 1, but got an empty string instead.",
            param="prompt",
            code="empty_string",
        )
    if len(prompt) > limit:
        raise ApiError(
            f"Invalid 'prompt': string too long. Expected a string with maximum length {limit}, "
            f"but got a string with length {len(prompt)} instead.",
            param="prompt",
            code="string_above_max_length",
        )
    return prompt


def read_n(params: Mapping[str, Any], model: ModelSpec) -> int:
    n = as_int(params, "n", 1)
    assert n is not None
    if model.n_max == 1 and n != 1:
        raise ApiError(f"Invalid 'n': {model.id} only supports n=1.", param="n", code="invalid_value")
    check_range("n", n, 1, model.n_max)
    return n


_SIZE = re.compile(r"(\d+)x(\d+)")


def parse_size(value: str, model: ModelSpec, fixed: tuple[str, ...]) -> tuple[int, int] | None:
    """(w, h), or None for auto. Raises ApiError naming `size`."""
    if value == "auto" and "auto" in fixed:
        return None
    if value in fixed:
        w, h = _SIZE.fullmatch(value).groups()  # type: ignore[union-attr]
        return int(w), int(h)
    match = _SIZE.fullmatch(value)
    if not model.flexible_sizes or match is None:
        raise invalid_value("size", value, fixed)
    w, h = int(match.group(1)), int(match.group(2))
    if w <= 0 or h <= 0 or w % 16 or h % 16:
        raise ApiError(
            f"Invalid size '{value}'. Width and height must both be divisible by 16.", param="size", code="invalid_value"
        )
    if max(w, h) > 3 * min(w, h):
        raise ApiError(
            f"Invalid size '{value}'. The aspect ratio must be between 1:3 and 3:1.", param="size", code="invalid_value"
        )
    if max(w, h) > MAX_EDGE or w * h > MAX_PIXELS:
        raise ApiError(
            f"Invalid size '{value}'. The maximum supported resolution is 3840x2160.", param="size", code="invalid_value"
        )
    if w * h < MIN_PIXELS:
        raise ApiError(
            f"Invalid size '{value}'. The image must have at least {MIN_PIXELS:,} pixels in total; "
            f"{value} has {w * h:,}.",
            param="size",
            code="invalid_value",
        )
    return w, h


def read_user(params: Mapping[str, Any]) -> str | None:
    return as_str(params, "safety_identifier") or as_str(params, "user")
