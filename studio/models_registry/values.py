"""The registry's value types and vocabulary: the parameters Studio knows, and the frozen facts a model
entry is made of (options, size rules, upload rules, lifecycle, price), plus a refusal (``Problem``).

Plain data with no Django and no file access: ``spec.ModelSpec`` is built from these, ``loading`` fills
them from models.toml. Import them through ``studio.models_registry.registry``.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Iterable, Mapping

OPERATIONS = ("generate", "edit", "variation")
CHOICE_PARAMS = (
    "quality", "style", "response_format", "background", "output_format", "moderation", "input_fidelity",
)
RANGE_PARAMS = ("n", "output_compression", "partial_images")
KNOWN_PARAMS = ("prompt", "size", *RANGE_PARAMS, *CHOICE_PARAMS)
# Passed through to the API untouched when present: identifiers, not capabilities.
PASSTHROUGH_PARAMS = ("safety_identifier", "user")

PARAM_LABELS = {
    "prompt": "Prompt",
    "n": "Number of images",
    "size": "Size",
    "quality": "Quality",
    "style": "Style",
    "response_format": "Response format",
    "background": "Background",
    "output_format": "Output format",
    "output_compression": "Compression",
    "moderation": "Moderation",
    "input_fidelity": "Input fidelity",
    "partial_images": "Partial images",
    "image": "Image",
    "mask": "Mask",
    "markup": "Markup",
}

_SIZE_RE = re.compile(r"^\s*(\d{1,5})\s*[xX×]\s*(\d{1,5})\s*$")


class RegistryError(ValueError):
    """The registry file is malformed; the message names the model and the key."""


class UnknownModel(LookupError):
    def __init__(self, name: str):
        super().__init__(f"There is no image model called {name!r} in Studio's registry.")
        self.name = name


@dataclass(frozen=True)
class Problem:
    """One reason a request would be refused: the API parameter it concerns, a sentence for a person, and
    the error code the Images API gives for it (Studio's /v1 answers with it, as the provider would)."""

    field: str
    message: str
    code: str = field(default="invalid_value", compare=False)  # annotation-only `field` above binds no name

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class UploadInfo:
    """What validation needs to know about one upload (measured by the caller, e.g. with Pillow)."""

    format: str  # "png" | "jpeg" | "webp" | ...
    width: int
    height: int
    bytes: int
    has_alpha: bool = False  # has fully transparent pixels (alpha 0), which is what edits look for
    role: str = "image"  # "image" | "mask" | "markup"

    @property
    def norm_format(self) -> str:
        f = (self.format or "").lower().lstrip(".")
        return {"jpg": "jpeg", "image/png": "png", "image/jpeg": "jpeg", "image/webp": "webp"}.get(f, f)


@dataclass(frozen=True)
class Option:
    """One API parameter a model takes: a choice among values, or an integer range."""

    name: str
    values: tuple[str, ...] | None = None
    min: int | None = None
    max: int | None = None
    default: Any = None
    operations: tuple[str, ...] | None = None  # None: every operation the model has
    formats: tuple[str, ...] | None = None  # output_compression: output formats it applies to
    requires: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # value -> output formats

    @property
    def is_choice(self) -> bool:
        return self.values is not None

    def applies_to(self, operation: str) -> bool:
        return self.operations is None or operation in self.operations


@dataclass(frozen=True)
class SizeRule:
    """Any WIDTHxHEIGHT a model accepts besides its listed sizes."""

    multiple_of: int | None = None
    min_ratio: Fraction | None = None  # width / height
    max_ratio: Fraction | None = None
    min_edge: int | None = None
    max_edge: int | None = None
    max_width: int | None = None
    max_height: int | None = None
    min_pixels: int | None = None
    max_pixels: int | None = None
    experimental_above: tuple[int, int] | None = None

    def is_experimental(self, w: int, h: int) -> bool:
        if not self.experimental_above:
            return False
        ew, eh = self.experimental_above
        return w * h > ew * eh

    def as_dict(self) -> dict:
        def ratio(r):
            return None if r is None else f"{r.numerator}:{r.denominator}"

        return {
            "multiple_of": self.multiple_of,
            "min_ratio": ratio(self.min_ratio),
            "max_ratio": ratio(self.max_ratio),
            "min_edge": self.min_edge,
            "max_edge": self.max_edge,
            "max_width": self.max_width,
            "max_height": self.max_height,
            "min_pixels": self.min_pixels,
            "max_pixels": self.max_pixels,
            "experimental_above": (
                f"{self.experimental_above[0]}x{self.experimental_above[1]}" if self.experimental_above else None
            ),
        }


@dataclass(frozen=True)
class ImageRules:
    formats: tuple[str, ...] = ()
    max_bytes: int | None = None  # exclusive, as the API words it: "less than 4MB"
    max_count: int = 1
    square: bool = False
    mask: bool = False
    mask_formats: tuple[str, ...] = ("png",)
    mask_max_bytes: int | None = None
    mask_from_alpha: bool = False
    markup: bool = False


@dataclass(frozen=True)
class Lifecycle:
    """OpenAI's lifecycle for the model. ``date`` is the retirement day, or the shutdown day if deprecated."""

    status: str = "available"  # available | deprecated | retired
    date: dt.date | None = None

    def state(self, today: dt.date | None = None) -> str:
        """The status on ``today``: a deprecated model past its shutdown date counts as retired."""
        today = today or dt.date.today()
        if self.status == "deprecated" and self.date and today >= self.date:
            return "retired"
        return self.status


@dataclass(frozen=True)
class Price:
    per_image: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)  # size -> quality -> Decimal
    text_input: Any = None  # USD per million tokens (Decimal)
    image_input: Any = None
    output: Any = None
    output_tokens: Mapping[str, int] = field(default_factory=dict)  # quality -> tokens at 1024x1024
    image_input_tokens: int = 0
    auto_size: str = "1024x1024"

    @property
    def per_token(self) -> bool:
        return self.output is not None


def thousands(n: int) -> str:
    """1204 -> "1,204"."""
    return f"{n:,}"


def or_list(values: Iterable[str]) -> str:
    """["a", "b", "c"] -> "a, b or c"."""
    values = list(values)
    if len(values) <= 1:
        return "".join(values)
    return ", ".join(values[:-1]) + " or " + values[-1]


def is_blank(value: Any) -> bool:
    """A value a person left empty: None or only whitespace."""
    return value is None or (isinstance(value, str) and value.strip() == "")


def parse_size(value: str) -> tuple[int, int] | None:
    """"1024x1536" -> (1024, 1536); None when it is not WIDTHxHEIGHT."""
    m = _SIZE_RE.match(str(value))
    if not m:
        return None
    return int(m.group(1)), int(m.group(2))


def megabytes(n: int) -> str:
    """A file size for a person: "4 MB", "1.5 MB", "300 KB", "12 bytes"."""
    if n < 1024 * 1024:
        return f"{n / 1024:.0f} KB" if n >= 1024 else f"{n} bytes"
    mb = n / (1024 * 1024)
    return f"{mb:.0f} MB" if mb == int(mb) else f"{mb:.1f} MB"


# --------------------------------------------------------------------------------------------------
# What the job forms show

# Never a form field: the response format stays the model's default (the pipeline fetches a URL and
# decodes b64_json alike), and partial images belong to streaming, which the pipeline asks for itself
# (STUDIO_STREAM_PARTIAL_IMAGES).
_NOT_ON_FORMS = ("response_format", "partial_images")
# A range that only means something for some values of a choice is shown right after that choice.
_SHOWN_AFTER = {"output_compression": "output_format"}


def _form_options() -> tuple[str, ...]:
    ranges = [n for n in RANGE_PARAMS if n not in _NOT_ON_FORMS]
    out = ["size", *(n for n in ranges if n not in _SHOWN_AFTER)]
    for choice in CHOICE_PARAMS:
        if choice in _NOT_ON_FORMS:
            continue
        out.append(choice)
        out += [n for n in ranges if _SHOWN_AFTER.get(n) == choice]
    return tuple(out)


# The option parameters a job form shows, in the order a person meets them. Form field name = API
# parameter name, so a registry Problem lands on the right field; labels are PARAM_LABELS[name].
# size, n, quality, style, background, output_format, output_compression, moderation, input_fidelity
FORM_OPTIONS: tuple[str, ...] = _form_options()


def is_choice_option(name: str) -> bool:
    """Whether option ``name`` is a choice among listed values (a <select>), not an integer range.

    ``size`` is neither: a listed set that some models widen to any WIDTHxHEIGHT, so it answers False
    and forms give it its own field. A name that is not an API parameter Studio knows raises ValueError,
    so a typo in a form cannot quietly turn a choice into a number field.
    """
    if name not in KNOWN_PARAMS:
        raise ValueError(f"{name!r} is not an image API parameter Studio knows ({', '.join(KNOWN_PARAMS)}).")
    return name in CHOICE_PARAMS
