"""The output options every image endpoint shares (quality, style, response format, background,
output format and compression, streaming), refereed per contract family."""

from __future__ import annotations

from typing import Any, Mapping

from .api_types import ApiError, Request
from .model_table import ModelSpec
from .params import as_bool, as_int, as_str, check_range, given, invalid_value, model_choice, unsupported_parameter

# What quality=auto resolves to: echoed back in the answer and used for its token usage.
AUTO_QUALITY = "medium"
# Today's parameters the seed contract never had.
GPT_ONLY_PARAMS = (
    "background", "output_format", "output_compression", "moderation", "partial_images", "input_fidelity",
    "complexity", "frame_count", "frame_duration_ms", "svg", "markup",
)
PREVIEW_FORMATS = ("gif", "svg")


def apply_output_options(params: Mapping[str, Any], model: ModelSpec, req: Request) -> None:
    """quality, style, response_format, background, output format/compression, stream: per family."""
    quality = as_str(params, "quality")
    if model.is_gpt:
        for legacy in ("response_format", "style"):
            if given(params, legacy):
                raise unsupported_parameter(legacy, model)
        quality = quality or model.default_quality
        if quality not in model.qualities:
            raise invalid_value("quality", quality, model.qualities)
        req.quality = AUTO_QUALITY if quality == "auto" else quality
        req.response_format = "b64_json"

        background = as_str(params, "background") or "auto"
        if background not in ("auto", "opaque", "transparent"):
            raise invalid_value("background", background, ("transparent", "opaque", "auto"))
        fmt = as_str(params, "output_format") or "png"
        if fmt in PREVIEW_FORMATS:
            raise ApiError(
                f"output_format '{fmt}' is a preview that is not enabled for this organization.",
                param="output_format",
                code="preview_not_enabled",
            )
        if fmt not in ("png", "webp", "jpeg"):
            raise invalid_value("output_format", fmt, ("png", "webp", "jpeg"))
        if background == "transparent" and fmt not in ("png", "webp"):
            raise ApiError(
                f"Transparent background is only supported with output_format 'png' or 'webp', not '{fmt}'.",
                param="background",
                code="invalid_value",
            )
        compression = as_int(params, "output_compression", None)
        if compression is not None:
            if fmt == "png":
                raise ApiError(
                    "output_compression is only supported for the 'webp' and 'jpeg' output formats.",
                    param="output_compression",
                    code="invalid_value",
                )
            check_range("output_compression", compression, 0, 100)
        for gif_only in ("frame_count", "frame_duration_ms"):
            if given(params, gif_only):
                raise ApiError(
                    f"'{gif_only}' is only supported with output_format=gif.", param=gif_only, code="invalid_value"
                )
        if any(k == "svg" or k.startswith("svg[") for k in params if params.get(k) is not None):
            raise ApiError("'svg' is only supported with output_format=svg.", param="svg", code="invalid_value")
        complexity = as_str(params, "complexity")
        if complexity is not None and complexity not in ("low", "medium", "high"):
            raise invalid_value("complexity", complexity, ("low", "medium", "high"))
        req.background = "transparent" if background == "transparent" else "opaque"
        req.output_format = fmt
        req.output_compression = compression
        req.stream = as_bool(params, "stream")
        partial = as_int(params, "partial_images", 0)
        assert partial is not None
        check_range("partial_images", partial, 0, 3)
        req.partial_images = partial
    else:
        for name in GPT_ONLY_PARAMS:
            if given(params, name):
                raise unsupported_parameter(name, model)
        if as_bool(params, "stream"):
            raise unsupported_parameter("stream", model)
        if quality is not None:
            if quality not in model.qualities:
                if quality == "hd":
                    raise ApiError(
                        f"Invalid 'quality': 'hd' is only supported for dall-e-3, not {model.id}.",
                        param="quality",
                        code="invalid_value",
                    )
                raise invalid_value("quality", quality, model.qualities)
        req.quality = quality or model.default_quality
        style = model_choice(params, "style", model.styles, model)
        req.style = style or (model.styles[0] if model.styles else None)
        fmt = as_str(params, "response_format") or "url"
        if fmt not in ("url", "b64_json"):
            raise invalid_value("response_format", fmt, ("url", "b64_json"))
        req.response_format = fmt
