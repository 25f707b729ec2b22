"""The values request validation trades in: the error the API answers with, an uploaded file,
and a validated request."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

from PIL import Image

from .model_table import ModelSpec


class ApiError(Exception):
    """An error the API answers with: status and the body's error object."""

    def __init__(
        self,
        message: str,
        *,
        param: str | None = None,
        code: str | None = "invalid_value",
        status: int = 400,
        type: str = "invalid_request_error",
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.param = param
        self.code = code
        self.status = status
        self.type = type
        self.headers = dict(headers or {})

    def body(self) -> dict:
        return {"error": {"message": self.message, "type": self.type, "param": self.param, "code": self.code}}


@dataclass
class Upload:
    filename: str
    content_type: str
    data: bytes


@dataclass
class Request:
    """A validated request: everything the server needs to answer it."""

    endpoint: str
    model: ModelSpec
    prompt: str
    n: int
    width: int
    height: int
    quality: str  # the resolved quality (echoed to GPT models)
    response_format: str  # url or b64_json
    style: str | None = None
    background: str = "opaque"  # resolved: opaque or transparent
    output_format: str = "png"
    output_compression: int | None = None
    stream: bool = False
    partial_images: int = 0
    input_fidelity: str | None = None
    user: str | None = None
    images: list[Image.Image] = field(default_factory=list)
    mask: Image.Image | None = None
    markup: Image.Image | None = None

    @property
    def size(self) -> str:
        return f"{self.width}x{self.height}"
