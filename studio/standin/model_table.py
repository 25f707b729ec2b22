"""The models the stand-in serves, as data: both Images API contracts (dall-e's and gpt-image's).

Deliberately independent of Studio's own model registry: the stand-in plays the provider,
so a bug in Studio's rules shows up as a 400 here instead of being mirrored.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

MB = 1024 * 1024
STANDARD_SIZES = ("1024x1024", "1536x1024", "1024x1536")
GPT_QUALITIES = ("auto", "low", "medium", "high")
GPT25_QUALITIES = GPT_QUALITIES + ("xhigh", "max")
MIN_PIXELS = 655_360  # gpt-image-2/2.5 flexible sizes: at least this many pixels in all
MAX_PIXELS = 3840 * 2160
MAX_EDGE = 3840


@dataclass(frozen=True)
class ModelSpec:
    id: str
    family: str  # "dalle" (seed contract) or "gpt" (today's)
    created: int
    endpoints: frozenset[str]
    prompt_max: int
    edit_prompt_max: int = 1000
    n_max: int = 10
    sizes: tuple[str, ...] = ()  # fixed sizes for generations
    edit_sizes: tuple[str, ...] = ()
    default_size: str = "1024x1024"
    flexible_sizes: bool = False  # any WxH: multiples of 16, ratio <= 3:1, 655,360 pixels to 3840x2160
    qualities: tuple[str, ...] = ()
    default_quality: str = "standard"
    styles: tuple[str, ...] = ()
    input_fidelities: tuple[str, ...] = ()
    upload_formats: tuple[str, ...] = ("png",)
    upload_max_bytes: int = 4 * MB
    max_images: int = 1
    square_uploads: bool = True
    markup: bool = False
    moderation_code: str = "content_policy_violation"
    shutdown_date: str | None = None

    @property
    def is_gpt(self) -> bool:
        return self.family == "gpt"


def _dalle(id_: str, **kw: Any) -> ModelSpec:
    return ModelSpec(id=id_, family="dalle", **kw)


def _gpt(id_: str, **kw: Any) -> ModelSpec:
    base: dict[str, Any] = dict(
        family="gpt",
        endpoints=frozenset({"generations", "edits"}),
        prompt_max=32000,
        edit_prompt_max=32000,
        sizes=("auto",) + STANDARD_SIZES,
        edit_sizes=("auto",) + STANDARD_SIZES,
        default_size="auto",
        qualities=GPT_QUALITIES,
        default_quality="auto",
        input_fidelities=("high", "low"),
        upload_formats=("png", "webp", "jpeg"),
        upload_max_bytes=50 * MB,
        max_images=16,
        square_uploads=False,
        moderation_code="moderation_blocked",
    )
    base.update(kw)
    return ModelSpec(id=id_, **base)


MODELS: dict[str, ModelSpec] = {
    m.id: m
    for m in (
        _dalle(
            "dall-e-2",
            created=1698798177,
            endpoints=frozenset({"generations", "edits", "variations"}),
            prompt_max=1000,
            sizes=("256x256", "512x512", "1024x1024"),
            edit_sizes=("256x256", "512x512", "1024x1024"),
            qualities=("standard",),
        ),
        _dalle(
            "dall-e-3",
            created=1698785189,
            endpoints=frozenset({"generations"}),
            prompt_max=4000,
            n_max=1,
            sizes=("1024x1024", "1792x1024", "1024x1792"),
            qualities=("standard", "hd"),
            styles=("vivid", "natural"),
        ),
        _gpt("gpt-image-1.5", created=1765324800, shutdown_date="2026-12-01"),
        _gpt("gpt-image-1-mini", created=1759708800, input_fidelities=("low",), shutdown_date="2026-12-01"),
        _gpt("gpt-image-2", created=1776729600, flexible_sizes=True, input_fidelities=()),
        _gpt(
            "gpt-image-2.5-sunburst",
            created=1788825600,
            flexible_sizes=True,
            qualities=GPT25_QUALITIES,
            markup=True,
        ),
        _gpt(
            "gpt-image-2.5-flare",
            created=1788825600,
            flexible_sizes=True,
            qualities=GPT25_QUALITIES,
            markup=True,
        ),
    )
}

DEFAULT_MODEL = "dall-e-2"
