"""Reading a /v1 images request the way the Images API does, then checking it with the model registry
(the same rules as the web forms), so a bad request is refused with the `param` and `code` the provider
would give, before any job exists."""
from __future__ import annotations

import json
from dataclasses import dataclass, field

from studio.generation import uploads
from studio.generation.models import Job
from studio.models_registry.providers import available_models, get_provider
from studio.models_registry.registry import KNOWN_PARAMS, PASSTHROUGH_PARAMS, RANGE_PARAMS, UnknownModel, get_model

from .errors import GatewayError

# The API's own default model when a request names none.
DEFAULT_MODEL = "dall-e-2"
_FLAGS = ("model", "stream")
_ACCEPTED = {*KNOWN_PARAMS, *PASSTHROUGH_PARAMS, *_FLAGS}
_FILES = ("image", "image[]", "mask")


@dataclass
class Upload:
    data: bytes
    measured: uploads.Measured


@dataclass
class ImagesRequest:
    kind: str
    model: str
    prompt: str
    params: dict
    stream: bool = False
    images: list[Upload] = field(default_factory=list)
    mask: Upload | None = None

    @property
    def spec(self):
        return get_model(self.model)


def from_json(body: bytes) -> dict:
    try:
        fields = json.loads(body or b"{}")
    except ValueError:
        raise GatewayError(400, "We could not parse the JSON body of your request.", code="invalid_json") from None
    if not isinstance(fields, dict):
        raise GatewayError(400, "The request body must be a JSON object.", code="invalid_json")
    return fields


def from_form(post) -> dict:
    """Multipart fields arrive as strings: numbers and flags are read back as the JSON API has them."""
    fields = {}
    for name, value in post.items():
        if name in RANGE_PARAMS and value.strip().lstrip("-").isdigit():
            value = int(value)
        elif name == "stream":
            value = value.strip().lower() in ("true", "1")
        fields[name] = value
    return fields


def read(kind: str, fields: dict, files=None) -> ImagesRequest:
    """The request, checked: raises GatewayError with the provider's param and code for what it would refuse."""
    for name in fields:
        if name not in _ACCEPTED:
            raise GatewayError(400, f"Unknown parameter: '{name}'.", param=name, code="unknown_parameter")
    model = _model(fields.get("model"), kind)
    spec = get_model(model)
    prompt = fields.get("prompt")
    if prompt is not None and not isinstance(prompt, str):
        raise GatewayError(400, f"Invalid type for 'prompt': expected a string, but got {type(prompt).__name__} "
                                "instead.", param="prompt", code="invalid_type")
    params = {name: value for name, value in fields.items()
              if name not in ("prompt", *_FLAGS) and value not in (None, "")}
    images, mask = _uploads(kind, files)
    infos = [upload.measured.info for upload in images] + ([mask.measured.info] if mask else [])
    check = {"prompt": prompt, **params} if kind != Job.Kind.VARIATION or prompt else params
    problems = spec.problems(kind, check, images=infos)
    if problems:
        first = problems[0]
        raise GatewayError(400, first.message, param=first.field, code=first.code)
    if kind == Job.Kind.VARIATION and not spec.takes_prompt(kind):
        prompt = ""
    elif kind == Job.Kind.VARIATION and not (prompt or "").strip():
        prompt = spec.variation_prompt
    return ImagesRequest(kind=kind, model=model, prompt=prompt or "", params=params,
                         stream=bool(fields.get("stream")), images=images, mask=mask)


def _model(name, kind: str) -> str:
    name = name or DEFAULT_MODEL
    if not isinstance(name, str):
        raise GatewayError(400, "Invalid type for 'model': expected a string.", param="model", code="invalid_type")
    try:
        spec = get_model(name)
    except UnknownModel:
        spec = None
    if spec is None or spec.name not in {offered.name for offered in available_models(get_provider())}:
        raise GatewayError(404, f"The model '{name}' does not exist or you do not have access to it.",
                           param="model", code="model_not_found")
    if not spec.supports(kind):
        raise GatewayError(400, f"{spec.name} cannot do {kind}s.", param="model", code="invalid_value")
    return spec.name


def _uploads(kind: str, files) -> tuple[list[Upload], Upload | None]:
    if kind == Job.Kind.GENERATE or files is None:
        return [], None
    images = [_measure(f, "image") for f in files.getlist("image") + files.getlist("image[]")]
    if not images:
        raise GatewayError(400, "Missing required parameter: 'image'.", param="image",
                           code="missing_required_parameter")
    masks = files.getlist("mask")
    return images, (_measure(masks[0], "mask") if masks else None)


def _measure(upload, role: str) -> Upload:
    try:
        data, measured = uploads.read_picture(upload, role=role)
    except uploads.TooLarge as exc:
        raise GatewayError(400, str(exc), param=role, code="image_too_large") from None
    except uploads.UploadRefused:
        raise GatewayError(400, f"Invalid '{role}': the file could not be decoded as an image.", param=role,
                           code="invalid_image") from None
    return Upload(data=data, measured=measured)
