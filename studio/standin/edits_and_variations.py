"""POST /v1/images/edits and /v1/images/variations: the multipart endpoints that take uploaded
images, and the checks on those uploads."""

from __future__ import annotations

import io
from typing import Any, Mapping

from PIL import Image

from .api_types import ApiError, Request, Upload
from .model_table import MB, STANDARD_SIZES, ModelSpec
from .output_options import apply_output_options
from .params import (
    as_str,
    check_unknown,
    model_choice,
    parse_size,
    read_n,
    read_prompt,
    read_user,
    resolve_model,
    unsupported_parameter,
)

# Parameters each endpoint knows; anything else is an unknown parameter.
EDIT_PARAMS = {
    "image", "image[]", "mask", "markup", "prompt", "model", "n", "size", "response_format", "user", "background",
    "output_format", "output_compression", "partial_images", "stream", "input_fidelity", "quality",
    "safety_identifier", "complexity", "frame_count", "frame_duration_ms", "svg",
}
VARIATION_PARAMS = {"image", "model", "n", "response_format", "size", "user"}


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


# --- the two endpoints ---------------------------------------------------------------------------

def _nearest_standard(w: int, h: int) -> tuple[int, int]:
    ratio = w / h
    if ratio > 1.25:
        return 1536, 1024
    if ratio < 0.8:
        return 1024, 1536
    return 1024, 1024


def validate_edit(fields: Mapping[str, Any], files: Mapping[str, list[Upload]], served: Mapping[str, ModelSpec]) -> Request:
    params = {**fields, **{k: v for k, v in files.items()}}
    check_unknown(params, EDIT_PARAMS)
    if "moderation" in fields:
        raise ApiError("Unknown parameter: 'moderation'.", param="moderation", code="unknown_parameter")
    model = resolve_model(fields, "edits", served)
    prompt = read_prompt(fields, model.edit_prompt_max)
    n = read_n(fields, model)
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
            raise unsupported_parameter("markup", model)
        if mask_uploads:
            raise ApiError("'markup' cannot be combined with 'mask'.", param="markup", code="invalid_value")
        markup = _open_upload(markup_uploads[0], "markup", ("png",), model.upload_max_bytes)
        if markup.size != first.size:
            raise ApiError("Invalid 'markup': it must match the first image's dimensions.", param="markup")
        if not has_transparent_pixels(markup):
            raise ApiError("Invalid 'markup': it must contain transparent pixels.", param="markup")

    size = as_str(fields, "size") or model.default_size
    dims = parse_size(size, model, model.edit_sizes or model.sizes)
    if dims is None:  # auto: keep the source's size where the model can, else the nearest standard
        try:
            dims = parse_size(f"{first.width}x{first.height}", model, STANDARD_SIZES)
        except ApiError:
            dims = None
        dims = dims or _nearest_standard(first.width, first.height)
    req = Request("edits", model, prompt, n, dims[0], dims[1], "", "url", user=read_user(fields))
    apply_output_options(fields, model, req)
    req.input_fidelity = model_choice(fields, "input_fidelity", model.input_fidelities, model)
    req.images, req.mask, req.markup = images, mask, markup
    return req


def validate_variation(
    fields: Mapping[str, Any], files: Mapping[str, list[Upload]], served: Mapping[str, ModelSpec]
) -> Request:
    params = {**fields, **{k: v for k, v in files.items()}}
    check_unknown(params, VARIATION_PARAMS)
    model = resolve_model(fields, "variations", served)
    n = read_n(fields, model)
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
    size = as_str(fields, "size") or model.default_size
    dims = parse_size(size, model, model.edit_sizes or model.sizes) or (1024, 1024)
    req = Request("variations", model, "", n, dims[0], dims[1], "", "url", user=read_user(fields))
    apply_output_options(fields, model, req)
    req.images = [image]
    return req
