"""The validation that referees every Images API request, for both contracts."""

from __future__ import annotations

import io
import math
import re
from typing import Any, Mapping

from PIL import Image

from .api_types import ApiError, Request, Upload
from .model_table import DEFAULT_MODEL, MAX_EDGE, MAX_PIXELS, MB, STANDARD_SIZES, ModelSpec

# Output tokens for one 1024x1024 image per quality; scaled by area.
OUTPUT_TOKENS_1024 = {"low": 272, "medium": 1056, "high": 4160, "xhigh": 6240, "max": 8320}
AUTO_QUALITY = "medium"

# Parameters each endpoint knows; anything else is an unknown parameter.
GENERATION_PARAMS = {
    "prompt", "model", "n", "quality", "response_format", "size", "style", "user", "background",
    "output_format", "output_compression", "moderation", "partial_images", "stream", "safety_identifier",
    "complexity", "frame_count", "frame_duration_ms", "svg",
}
EDIT_PARAMS = {
    "image", "image[]", "mask", "markup", "prompt", "model", "n", "size", "response_format", "user", "background",
    "output_format", "output_compression", "partial_images", "stream", "input_fidelity", "quality",
    "safety_identifier", "complexity", "frame_count", "frame_duration_ms", "svg",
}
VARIATION_PARAMS = {"image", "model", "n", "response_format", "size", "user"}
# Today's parameters the seed contract never had.
GPT_ONLY_PARAMS = (
    "background", "output_format", "output_compression", "moderation", "partial_images", "input_fidelity",
    "complexity", "frame_count", "frame_duration_ms", "svg", "markup",
)
PREVIEW_FORMATS = ("gif", "svg")


# --- small parsers -------------------------------------------------------------------------------

def _quote_list(values: tuple[str, ...] | list[str]) -> str:
    quoted = [f"'{v}'" for v in values]
    return ", ".join(quoted[:-1]) + f", and {quoted[-1]}" if len(quoted) > 2 else " and ".join(quoted)


def _invalid(param: str, value: object, allowed: tuple[str, ...] | list[str]) -> ApiError:
    return ApiError(
        f"Invalid value: '{value}'. Supported values are: {_quote_list(allowed)}.", param=param, code="invalid_value"
    )


def _unsupported(param: str, model: ModelSpec) -> ApiError:
    return ApiError(
        f"The '{param}' parameter is not supported with the model '{model.id}'.",
        param=param,
        code="unsupported_parameter",
    )


def _model_choice(params: Mapping[str, Any], name: str, allowed: tuple[str, ...], model: ModelSpec) -> str | None:
    """An optional parameter only some models take, from values of their own (style, input_fidelity)."""
    value = _as_str(params, name)
    if value is not None:
        if not allowed:
            raise _unsupported(name, model)
        if value not in allowed:
            raise _invalid(name, value, allowed)
    return value


def _given(params: Mapping[str, Any], name: str) -> bool:
    return params.get(name) is not None


def _as_str(params: Mapping[str, Any], name: str) -> str | None:
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


def _as_int(params: Mapping[str, Any], name: str, default: int | None) -> int | None:
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


def _as_bool(params: Mapping[str, Any], name: str) -> bool:
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


def _in_range(name: str, value: int, lo: int, hi: int) -> None:
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


def _check_unknown(params: Mapping[str, Any], known: set[str]) -> None:
    for name in params:
        base = name.split("[", 1)[0] if name not in known else name
        if name not in known and base not in known:
            raise ApiError(f"Unknown parameter: '{name}'.", param=name, code="unknown_parameter")


def resolve_model(params: Mapping[str, Any], endpoint: str, served: Mapping[str, ModelSpec]) -> ModelSpec:
    name = _as_str(params, "model") or DEFAULT_MODEL
    model = served.get(name)
    if model is None:
        raise ApiError(
            f"Invalid value: '{name}'. Supported values are: {_quote_list(sorted(served))}.",
            param="model",
            code="invalid_value",
        )
    if endpoint not in model.endpoints:
        able = sorted(m for m, spec in served.items() if endpoint in spec.endpoints)
        if able:
            message = f"Invalid value: '{name}'. Value must be {_quote_list(able)} for /v1/images/{endpoint}."
        else:
            message = f"Invalid value: '{name}'. /v1/images/{endpoint} is not available for this model."
        raise ApiError(message, param="model", code="invalid_value")
    return model


def _prompt(params: Mapping[str, Any], limit: int) -> str:
    prompt = _as_str(params, "prompt")
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


def _n(params: Mapping[str, Any], model: ModelSpec) -> int:
    n = _as_int(params, "n", 1)
    assert n is not None
    if model.n_max == 1 and n != 1:
        raise ApiError(f"Invalid 'n': {model.id} only supports n=1.", param="n", code="invalid_value")
    _in_range("n", n, 1, model.n_max)
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
        raise _invalid("size", value, fixed)
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
    return w, h


def _nearest_standard(w: int, h: int) -> tuple[int, int]:
    ratio = w / h
    if ratio > 1.25:
        return 1536, 1024
    if ratio < 0.8:
        return 1024, 1536
    return 1024, 1024


# --- uploads -------------------------------------------------------------------------------------

def sniff_format(data: bytes) -> str | None:
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    return None


def _open_upload(upload: Upload, param: str, formats: tuple[str, ...], max_bytes: int) -> Image.Image:
    if len(upload.data) >= max_bytes:
        raise ApiError(
            f"Invalid '{param}': file too large. Uploaded images must be less than {max_bytes // MB} MB.",
            param=param,
            code="image_too_large",
        )
    fmt = sniff_format(upload.data)
    if fmt not in formats:
        names = {"png": "PNG", "jpeg": "JPEG", "webp": "WEBP"}
        raise ApiError(
            f"Invalid '{param}': unsupported image format. Supported formats are {', '.join(names[f] for f in formats)}.",
            param=param,
            code="invalid_image_format",
        )
    try:
        img = Image.open(io.BytesIO(upload.data))
        img.load()
    except Exception:
        raise ApiError(
            f"Invalid '{param}': the file could not be decoded as an image.", param=param, code="invalid_image"
        ) from None
    return img


def has_alpha(img: Image.Image) -> bool:
    return img.has_transparency_data


def has_transparent_pixels(img: Image.Image) -> bool:
    if not has_alpha(img):
        return False
    lo, _hi = img.convert("RGBA").getchannel("A").getextrema()
    return lo == 0


def _images(files: Mapping[str, list[Upload]]) -> list[Upload]:
    uploads = list(files.get("image", [])) + list(files.get("image[]", []))
    if not uploads:
        raise ApiError("Missing required parameter: 'image'.", param="image", code="missing_required_parameter")
    return uploads


# --- the three endpoints -------------------------------------------------------------------------

def _common_output(params: Mapping[str, Any], model: ModelSpec, req: Request, endpoint: str) -> None:
    """quality, style, response_format, background, output format/compression, stream: per family."""
    quality = _as_str(params, "quality")
    if model.is_gpt:
        for legacy in ("response_format", "style"):
            if _given(params, legacy):
                raise _unsupported(legacy, model)
        quality = quality or model.default_quality
        if quality not in model.qualities:
            raise _invalid("quality", quality, model.qualities)
        req.quality = AUTO_QUALITY if quality == "auto" else quality
        req.response_format = "b64_json"

        background = _as_str(params, "background") or "auto"
        if background not in ("auto", "opaque", "transparent"):
            raise _invalid("background", background, ("transparent", "opaque", "auto"))
        fmt = _as_str(params, "output_format") or "png"
        if fmt in PREVIEW_FORMATS:
            raise ApiError(
                f"output_format '{fmt}' is a preview that is not enabled for this organization.",
                param="output_format",
                code="preview_not_enabled",
            )
        if fmt not in ("png", "webp", "jpeg"):
            raise _invalid("output_format", fmt, ("png", "webp", "jpeg"))
        if background == "transparent" and fmt not in ("png", "webp"):
            raise ApiError(
                f"Transparent background is only supported with output_format 'png' or 'webp', not '{fmt}'.",
                param="background",
                code="invalid_value",
            )
        compression = _as_int(params, "output_compression", None)
        if compression is not None:
            if fmt == "png":
                raise ApiError(
                    "output_compression is only supported for the 'webp' and 'jpeg' output formats.",
                    param="output_compression",
                    code="invalid_value",
                )
            _in_range("output_compression", compression, 0, 100)
        for gif_only in ("frame_count", "frame_duration_ms"):
            if _given(params, gif_only):
                raise ApiError(
                    f"'{gif_only}' is only supported with output_format=gif.", param=gif_only, code="invalid_value"
                )
        if any(k == "svg" or k.startswith("svg[") for k in params if params.get(k) is not None):
            raise ApiError("'svg' is only supported with output_format=svg.", param="svg", code="invalid_value")
        complexity = _as_str(params, "complexity")
        if complexity is not None and complexity not in ("low", "medium", "high"):
            raise _invalid("complexity", complexity, ("low", "medium", "high"))
        req.background = "transparent" if background == "transparent" else "opaque"
        req.output_format = fmt
        req.output_compression = compression
        req.stream = _as_bool(params, "stream")
        partial = _as_int(params, "partial_images", 0)
        assert partial is not None
        _in_range("partial_images", partial, 0, 3)
        req.partial_images = partial
    else:
        for name in GPT_ONLY_PARAMS:
            if _given(params, name):
                raise _unsupported(name, model)
        if _as_bool(params, "stream"):
            raise _unsupported("stream", model)
        if quality is not None:
            if quality not in model.qualities:
                if quality == "hd":
                    raise ApiError(
                        f"Invalid 'quality': 'hd' is only supported for dall-e-3, not {model.id}.",
                        param="quality",
                        code="invalid_value",
                    )
                raise _invalid("quality", quality, model.qualities)
        req.quality = quality or model.default_quality
        style = _model_choice(params, "style", model.styles, model)
        req.style = style or (model.styles[0] if model.styles else None)
        fmt = _as_str(params, "response_format") or "url"
        if fmt not in ("url", "b64_json"):
            raise _invalid("response_format", fmt, ("url", "b64_json"))
        req.response_format = fmt


def _user(params: Mapping[str, Any]) -> str | None:
    return _as_str(params, "safety_identifier") or _as_str(params, "user")


def validate_generation(params: Mapping[str, Any], served: Mapping[str, ModelSpec]) -> Request:
    if not isinstance(params, Mapping):
        raise ApiError("The request body must be a JSON object.", code="invalid_json")
    _check_unknown(params, GENERATION_PARAMS)
    model = resolve_model(params, "generations", served)
    prompt = _prompt(params, model.prompt_max)
    n = _n(params, model)
    size = _as_str(params, "size") or model.default_size
    dims = parse_size(size, model, model.sizes) or (1024, 1024)
    req = Request("generations", model, prompt, n, dims[0], dims[1], "", "url", user=_user(params))
    _common_output(params, model, req, "generations")
    moderation = _as_str(params, "moderation")
    if moderation is not None and moderation not in ("auto", "low"):
        raise _invalid("moderation", moderation, ("low", "auto"))
    return req


def validate_edit(fields: Mapping[str, Any], files: Mapping[str, list[Upload]], served: Mapping[str, ModelSpec]) -> Request:
    params = {**fields, **{k: v for k, v in files.items()}}
    _check_unknown(params, EDIT_PARAMS)
    if "moderation" in fields:
        raise ApiError("Unknown parameter: 'moderation'.", param="moderation", code="unknown_parameter")
    model = resolve_model(fields, "edits", served)
    prompt = _prompt(fields, model.edit_prompt_max)
    n = _n(fields, model)
    uploads = _images(files)
    if len(uploads) > model.max_images:
        if model.max_images == 1:
            message = f"{model.id} accepts exactly one image."
        else:
            message = f"Too many images: at most {model.max_images} may be given, got {len(uploads)}."
        raise ApiError(message, param="image", code="too_many_images")
    images = [_open_upload(u, "image", model.upload_formats, model.upload_max_bytes) for u in uploads]
    first = images[0]
    if model.square_uploads and first.width != first.height:
        raise ApiError(
            f"Invalid 'image': uploaded image must be square, got {first.width}x{first.height}.",
            param="image",
            code="invalid_image_shape",
        )
    mask = None
    mask_uploads = files.get("mask") or []
    if mask_uploads:
        mask = _open_upload(mask_uploads[0], "mask", ("png",), 4 * MB)
        if mask.size != first.size:
            raise ApiError(
                f"Invalid 'mask': mask size {mask.width}x{mask.height} does not match image size "
                f"{first.width}x{first.height}.",
                param="mask",
                code="invalid_mask_size",
            )
        if not has_alpha(mask):
            raise ApiError(
                "Invalid 'mask': the mask must be a PNG with an alpha channel; transparent areas mark what to edit.",
                param="mask",
                code="invalid_mask",
            )
    elif not model.is_gpt and not has_transparent_pixels(first):
        raise ApiError(
            "Invalid 'image': without a mask the image must have transparency (alpha 0), which is used as the mask.",
            param="image",
            code="image_missing_transparency",
        )
    markup = None
    markup_uploads = files.get("markup") or []
    if markup_uploads:
        if not model.markup:
            raise _unsupported("markup", model)
        if mask_uploads:
            raise ApiError("'markup' cannot be combined with 'mask'.", param="markup", code="invalid_value")
        markup = _open_upload(markup_uploads[0], "markup", ("png",), model.upload_max_bytes)
        if markup.size != first.size:
            raise ApiError("Invalid 'markup': it must match the first image's dimensions.", param="markup")
        if not has_transparent_pixels(markup):
            raise ApiError("Invalid 'markup': it must contain transparent pixels.", param="markup")

    size = _as_str(fields, "size") or model.default_size
    dims = parse_size(size, model, model.edit_sizes or model.sizes)
    if dims is None:  # auto: keep the source's size where the model can, else the nearest standard
        try:
            dims = parse_size(f"{first.width}x{first.height}", model, STANDARD_SIZES)
        except ApiError:
            dims = None
        dims = dims or _nearest_standard(first.width, first.height)
    req = Request("edits", model, prompt, n, dims[0], dims[1], "", "url", user=_user(fields))
    _common_output(fields, model, req, "edits")
    req.input_fidelity = _model_choice(fields, "input_fidelity", model.input_fidelities, model)
    req.images, req.mask, req.markup = images, mask, markup
    return req


def validate_variation(
    fields: Mapping[str, Any], files: Mapping[str, list[Upload]], served: Mapping[str, ModelSpec]
) -> Request:
    params = {**fields, **{k: v for k, v in files.items()}}
    _check_unknown(params, VARIATION_PARAMS)
    model = resolve_model(fields, "variations", served)
    n = _n(fields, model)
    uploads = _images(files)
    if len(uploads) > 1:
        raise ApiError("Exactly one image may be given.", param="image", code="too_many_images")
    image = _open_upload(uploads[0], "image", model.upload_formats, model.upload_max_bytes)
    if image.width != image.height:
        raise ApiError(
            f"Invalid 'image': uploaded image must be square, got {image.width}x{image.height}.",
            param="image",
            code="invalid_image_shape",
        )
    size = _as_str(fields, "size") or model.default_size
    dims = parse_size(size, model, model.edit_sizes or model.sizes) or (1024, 1024)
    req = Request("variations", model, "", n, dims[0], dims[1], "", "url", user=_user(fields))
    _common_output(fields, model, req, "variations")
    req.images = [image]
    return req


def blocked_word(prompt: str, blocked: tuple[str, ...]) -> str | None:
    words = set(re.findall(r"[\w-]+", prompt.lower()))
    for word in blocked:
        if word in words:
            return word
    return None


def moderation_error(model: ModelSpec) -> ApiError:
    if model.moderation_code == "moderation_blocked":
        return ApiError(
            "Your request was rejected by the safety system. If you believe this is an error, contact us "
            "at help.openai.com and include the request ID.",
            param=None,
            code="moderation_blocked",
            type="image_generation_user_error",
        )
    return ApiError(
        "Your request was rejected as a result of our safety system. Your prompt may contain text that is "
        "not allowed by our safety system.",
        param=None,
        code="content_policy_violation",
    )


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
