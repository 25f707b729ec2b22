"""The model registry: models.toml loaded into frozen dataclasses, and the rules that read it.

One implementation answers "what does this model accept?" for the browser (``form_schema``), for the
server-side form validation (``problems``) and for the API call (``api_params``), so the three cannot
drift apart. Nothing here names a particular model: every model-specific fact lives in the TOML.
"""
from __future__ import annotations

import copy
import datetime as dt
import functools
import re
import tomllib
from dataclasses import dataclass, field, replace
from fractions import Fraction
from pathlib import Path
from typing import Any, Iterable, Mapping

REGISTRY_PATH = Path(__file__).with_name("models.toml")

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
    """One reason a request would be refused: the API parameter it concerns and a sentence for a person."""

    field: str
    message: str

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


def _fmt(n: int) -> str:
    return f"{n:,}"


def _or_list(values: Iterable[str]) -> str:
    values = list(values)
    if len(values) <= 1:
        return "".join(values)
    return ", ".join(values[:-1]) + " or " + values[-1]


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "")


def parse_size(value: str) -> tuple[int, int] | None:
    m = _SIZE_RE.match(str(value))
    if not m:
        return None
    return int(m.group(1)), int(m.group(2))


@dataclass(frozen=True)
class ModelSpec:
    name: str
    label: str
    api_name: str
    family: str
    operations: tuple[str, ...]
    prompt_max: int
    sizes: tuple[str, ...]
    size_default: str
    options: Mapping[str, Option]
    images: ImageRules
    lifecycle: Lifecycle
    price: Price
    aliases: tuple[str, ...] = ()
    released: dt.date | None = None
    order: int = 0
    variation: str | None = None  # "endpoint" | "edit"
    variation_prompt: str = ""
    size_rule: SizeRule | None = None
    end_user_param: str = "safety_identifier"  # "user" on the seed contract
    # Set by providers.available_models() for the menu (e.g. "gpt-image-1.5 — shuts down 1 Dec 2026").
    menu_label: str = field(default="", compare=False)

    # ----------------------------------------------------------------------------------------------
    # Facts

    def __str__(self) -> str:
        return self.name

    @property
    def menu_text(self) -> str:
        """What a model <select> shows: the provider-aware label when there is one, else the name."""
        return self.menu_label or self.name

    @property
    def variation_via(self) -> str | None:
        """How a variation is made: "endpoint" (/images/variations) or "edit" (an unmasked edit)."""
        return self.variation

    @property
    def streams(self) -> bool:
        return "partial_images" in self.options

    @property
    def ids(self) -> tuple[str, ...]:
        """Every id a provider's model listing may use for this model."""
        return tuple(dict.fromkeys((self.name, self.api_name, *self.aliases)))

    def supports(self, operation: str) -> bool:
        return operation in self.operations

    def call_for(self, operation: str) -> str:
        """The ``client.images`` method to call: generate, edit or create_variation."""
        self._check_operation(operation)
        if operation == "generate":
            return "generate"
        if operation == "variation" and self.variation == "endpoint":
            return "create_variation"
        return "edit"

    def options_for(self, operation: str) -> dict[str, Option]:
        return {k: o for k, o in self.options.items() if o.applies_to(operation)}

    def takes_prompt(self, operation: str) -> bool:
        return not (operation == "variation" and self.variation == "endpoint")

    def defaults(self, operation: str) -> dict[str, Any]:
        """The value each parameter takes when a person leaves it alone."""
        self._check_operation(operation)
        out: dict[str, Any] = {}
        if self.takes_prompt(operation):
            out["prompt"] = self.variation_prompt if operation == "variation" else ""
        out["size"] = self.size_default
        opts = self.options_for(operation)
        for name, opt in opts.items():
            if opt.default is not None:
                out[name] = opt.default
        comp = opts.get("output_compression")
        if comp and comp.formats and out.get("output_format") not in comp.formats:
            out.pop("output_compression", None)  # the defaults are themselves a valid request
        return out

    def _check_operation(self, operation: str) -> None:
        if operation not in OPERATIONS:
            raise ValueError(f"operation must be one of {', '.join(OPERATIONS)}, not {operation!r}")

    # ----------------------------------------------------------------------------------------------
    # Validation

    def problems(self, operation: str, params: Mapping[str, Any], images: Iterable[UploadInfo] = ()) -> list[Problem]:
        """Every reason the provider would refuse this request that is knowable in advance."""
        self._check_operation(operation)
        images = list(images)
        if not self.supports(operation):
            return [Problem("model", f"{self.name} cannot do {operation}s; it offers {_or_list(self.operations)}.")]
        out: list[Problem] = []
        out += self._prompt_problems(operation, params.get("prompt"))
        out += self._size_problems(params.get("size"))
        opts = self.options_for(operation)
        for name in (*RANGE_PARAMS, *CHOICE_PARAMS):
            value = params.get(name)
            if _blank(value):
                continue
            opt = opts.get(name)
            if opt is None:
                out.append(Problem(name, self._not_taken(name, operation)))
            elif opt.is_choice:
                out += self._choice_problems(opt, value)
            else:
                out += self._range_problems(opt, value)
        out += self._cross_problems(operation, params, opts)
        out += self._image_problems(operation, images)
        return out

    def _not_taken(self, name: str, operation: str) -> str:
        label = PARAM_LABELS.get(name, name)
        if any(name in self.options_for(op) for op in self.operations):
            return f"{label} is not available for {operation}s on {self.name}."
        return f"{label} is not available on {self.name}."

    def _prompt_problems(self, operation: str, prompt: Any) -> list[Problem]:
        if not self.takes_prompt(operation):
            return []  # dall-e-2's variation endpoint has no prompt; api_params drops it
        prompt = "" if prompt is None else str(prompt)
        if not prompt.strip():
            if operation == "variation":
                return []  # filled with variation_prompt
            return [Problem("prompt", "Prompt is required.")]
        if len(prompt) > self.prompt_max:
            return [Problem(
                "prompt",
                f"Prompt is {_fmt(len(prompt))} characters; {self.name} accepts at most {_fmt(self.prompt_max)}.",
            )]
        return []

    def _size_problems(self, size: Any) -> list[Problem]:
        if _blank(size):
            return []
        size = str(size).strip()
        if size in self.sizes:
            return []
        wh = parse_size(size)
        rule = self.size_rule
        listed = _or_list(self.sizes)
        if rule is None or wh is None:
            if wh is None and size != "auto":
                return [Problem("size", f"Size {size!r} is not WIDTHxHEIGHT; {self.name} accepts {listed}.")]
            return [Problem("size", f"Size {size} is not available on {self.name}; it accepts {listed}.")]
        w, h = wh
        who = self.name
        msgs = []
        if w <= 0 or h <= 0:
            msgs.append(f"Size {size} has a zero side; {who} needs both sides above zero.")
        else:
            if rule.multiple_of and (w % rule.multiple_of or h % rule.multiple_of):
                msgs.append(f"Size {size}: {who} needs width and height divisible by {rule.multiple_of}.")
            ratio = Fraction(w, h)
            if rule.min_ratio is not None and ratio < rule.min_ratio:
                msgs.append(
                    f"Size {size} is taller than {rule.min_ratio.numerator}:{rule.min_ratio.denominator}, "
                    f"the narrowest shape {who} accepts.")
            if rule.max_ratio is not None and ratio > rule.max_ratio:
                msgs.append(
                    f"Size {size} is wider than {rule.max_ratio.numerator}:{rule.max_ratio.denominator}, "
                    f"the widest shape {who} accepts.")
            if rule.max_edge is not None and max(w, h) > rule.max_edge:
                msgs.append(f"Size {size} has a side over {_fmt(rule.max_edge)} pixels; {who} accepts at most "
                            f"{_fmt(rule.max_edge)}.")
            if rule.min_edge is not None and min(w, h) < rule.min_edge:
                msgs.append(f"Size {size} has a side under {_fmt(rule.min_edge)} pixels; {who} needs at least "
                            f"{_fmt(rule.min_edge)}.")
            if rule.max_width is not None and w > rule.max_width:
                msgs.append(f"Size {size} is wider than {_fmt(rule.max_width)} pixels, {who}'s maximum width.")
            if rule.max_height is not None and h > rule.max_height:
                msgs.append(f"Size {size} is taller than {_fmt(rule.max_height)} pixels, {who}'s maximum height.")
            if rule.max_pixels is not None and w * h > rule.max_pixels:
                msgs.append(f"Size {size} is {_fmt(w * h)} pixels; {who} accepts at most {_fmt(rule.max_pixels)}.")
            if rule.min_pixels is not None and w * h < rule.min_pixels:
                msgs.append(f"Size {size} is {_fmt(w * h)} pixels; {who} needs at least {_fmt(rule.min_pixels)}.")
        return [Problem("size", m) for m in msgs]

    def _choice_problems(self, opt: Option, value: Any) -> list[Problem]:
        if str(value) in opt.values:
            return []
        label = PARAM_LABELS.get(opt.name, opt.name)
        if len(opt.values) == 1:
            return [Problem(opt.name, f"{label} {value!s} is not available on {self.name}; it accepts only "
                                      f"{opt.values[0]}.")]
        return [Problem(opt.name, f"{label} {value!s} is not available on {self.name}; choose "
                                  f"{_or_list(opt.values)}.")]

    def _range_problems(self, opt: Option, value: Any) -> list[Problem]:
        label = PARAM_LABELS.get(opt.name, opt.name)
        try:
            if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
                raise ValueError
            number = int(value)
        except (TypeError, ValueError):
            return [Problem(opt.name, f"{label} must be a whole number, not {value!r}.")]
        if opt.min == opt.max and number != opt.min:
            return [Problem(opt.name, f"{label} is {number}; {self.name} accepts only {opt.min}.")]
        if opt.max is not None and number > opt.max:
            return [Problem(opt.name, f"{label} is {number}; {self.name} accepts at most {opt.max}.")]
        if opt.min is not None and number < opt.min:
            return [Problem(opt.name, f"{label} is {number}; {self.name} needs at least {opt.min}.")]
        return []

    def _effective(self, params: Mapping[str, Any], opts: Mapping[str, Option], name: str) -> Any:
        value = params.get(name)
        if _blank(value) and name in opts:
            return opts[name].default
        return value

    def _cross_problems(self, operation, params, opts) -> list[Problem]:
        out = []
        fmt = self._effective(params, opts, "output_format")
        comp = opts.get("output_compression")
        if comp and comp.formats and not _blank(params.get("output_compression")) and fmt not in comp.formats:
            out.append(Problem("output_compression",
                               f"Compression applies only to {_or_list(comp.formats)} output; the output format "
                               f"is {fmt}."))
        bg = opts.get("background")
        bg_value = self._effective(params, opts, "background")
        if bg and bg_value in bg.requires and fmt not in bg.requires[bg_value]:
            out.append(Problem("background",
                               f"A {bg_value} background needs {_or_list(bg.requires[bg_value])} output; the "
                               f"output format is {fmt}."))
        return out

    def _image_problems(self, operation: str, images: list[UploadInfo]) -> list[Problem]:
        rules = self.images
        sources = [i for i in images if i.role == "image"]
        masks = [i for i in images if i.role == "mask"]
        markups = [i for i in images if i.role == "markup"]
        out: list[Problem] = []
        for other in images:
            if other.role not in ("image", "mask", "markup"):
                out.append(Problem("image", f"Unknown upload role {other.role!r}."))
        if operation == "generate":
            if images:
                out.append(Problem("image", "Generating from a prompt takes no uploaded images; use edit instead."))
            return out
        who = self.name
        if not sources:
            out.append(Problem("image", f"An image is required for {operation}s."))
        max_count = 1 if operation == "variation" else rules.max_count
        if len(sources) > max_count:
            out.append(Problem("image", f"{len(sources)} images were given; {who} takes at most {max_count} "
                                        f"for {operation}s."))
        for i, img in enumerate(sources, 1):
            which = f"Image {i}" if len(sources) > 1 else "The image"
            out += self._file_problems("image", which, img, rules.formats, rules.max_bytes)
            if rules.square and img.width != img.height:
                out.append(Problem("image", f"{which} is {img.width}x{img.height}; {who} needs a square image."))
        first = sources[0] if sources else None
        if masks:
            if operation == "variation":
                out.append(Problem("mask", "A variation takes no mask."))
            elif not rules.mask:
                out.append(Problem("mask", f"{who} does not take a mask."))
            else:
                if len(masks) > 1:
                    out.append(Problem("mask", "Only one mask can be given."))
                mask = masks[0]
                out += self._file_problems("mask", "The mask", mask, rules.mask_formats, rules.mask_max_bytes)
                if not mask.has_alpha:
                    out.append(Problem("mask", "The mask has no transparency; its transparent areas mark what to "
                                               "edit."))
                if first and (mask.width, mask.height) != (first.width, first.height):
                    out.append(Problem("mask", f"The mask is {mask.width}x{mask.height} but the image is "
                                               f"{first.width}x{first.height}; they must match."))
        elif operation == "edit" and rules.mask_from_alpha and first and not first.has_alpha and not markups:
            out.append(Problem("image", f"Without a mask, {who} edits the transparent parts of the image, and "
                                        "this image has none: paint a mask or upload a PNG with transparency."))
        if markups:
            if operation == "variation" or not rules.markup:
                out.append(Problem("markup", f"{who} does not take a markup overlay"
                                             + (" for variations." if rules.markup else ".")))
            else:
                mk = markups[0]
                if masks:
                    out.append(Problem("markup", "A markup overlay cannot be combined with a mask."))
                if len(markups) > 1:
                    out.append(Problem("markup", "Only one markup overlay can be given."))
                if mk.norm_format != "png":
                    out.append(Problem("markup", f"The markup overlay is {mk.norm_format.upper()}; it must be a PNG."))
                if not mk.has_alpha:
                    out.append(Problem("markup", "The markup overlay must have transparent pixels."))
                if first and (mk.width, mk.height) != (first.width, first.height):
                    out.append(Problem("markup", f"The markup overlay is {mk.width}x{mk.height} but the image "
                                                 f"is {first.width}x{first.height}; they must match."))
        return out

    def _file_problems(self, field_name, which, img: UploadInfo, formats, max_bytes) -> list[Problem]:
        out = []
        if formats and img.norm_format not in formats:
            out.append(Problem(field_name, f"{which} is {img.norm_format.upper() or 'of unknown type'}; {self.name} "
                                           f"accepts {_or_list([f.upper() for f in formats])}."))
        if max_bytes is not None and img.bytes >= max_bytes:
            out.append(Problem(field_name, f"{which} is {megabytes(img.bytes)}; {self.name} accepts files under "
                                           f"{megabytes(max_bytes)}."))
        return out

    # ----------------------------------------------------------------------------------------------
    # For the browser and for the SDK

    def form_schema(self) -> dict:
        """JSON-serialisable description the browser uses to show only what this model accepts."""
        ops = {}
        for op in self.operations:
            opts = self.options_for(op)
            choices = {
                name: {"values": list(o.values), "default": o.default,
                       **({"requires": {k: list(v) for k, v in o.requires.items()}} if o.requires else {})}
                for name, o in opts.items() if o.is_choice
            }
            ranges = {
                name: {"min": o.min, "max": o.max, "default": o.default,
                       **({"formats": list(o.formats)} if o.formats else {})}
                for name, o in opts.items() if not o.is_choice
            }
            ops[op] = {
                "call": self.call_for(op),
                "prompt": (
                    {"max": self.prompt_max, "required": op != "variation",
                     "default": self.variation_prompt if op == "variation" else ""}
                    if self.takes_prompt(op) else None
                ),
                "size": {
                    "values": list(self.sizes),
                    "default": self.size_default,
                    "custom": self.size_rule.as_dict() if self.size_rule else None,
                },
                "choices": choices,
                "ranges": ranges,
                "images": None if op == "generate" else {
                    "formats": list(self.images.formats),
                    "max_bytes": self.images.max_bytes,
                    "max_count": 1 if op == "variation" else self.images.max_count,
                    "square": self.images.square,
                    "mask": self.images.mask and op == "edit",
                    "mask_formats": list(self.images.mask_formats),
                    "mask_max_bytes": self.images.mask_max_bytes,
                    "mask_from_alpha": self.images.mask_from_alpha and op == "edit",
                    "markup": self.images.markup and op == "edit",
                },
            }
        return {
            "name": self.name,
            "label": self.label,
            "menu_label": self.menu_text,
            "family": self.family,
            "streams": self.streams,
            "returns": "url" if "response_format" in self.options else "b64_json",
            "lifecycle": {
                "status": self.lifecycle.status,
                "date": self.lifecycle.date.isoformat() if self.lifecycle.date else None,
            },
            "operations": ops,
        }

    def api_params(self, operation: str, cleaned: Mapping[str, Any], *, model: str | None = None) -> dict[str, Any]:
        """Keyword arguments for ``client.images.<call_for(operation)>``, minus the image files.

        Blank values take the model's defaults; parameters the model does not take are dropped (so GPT
        image models never get ``style`` or ``response_format``). ``model`` overrides the name sent,
        e.g. an Azure deployment (see ProviderConfig.model_param). Call ``problems()`` first.
        """
        self._check_operation(operation)
        opts = self.options_for(operation)
        kwargs: dict[str, Any] = {"model": model or self.api_name}
        # The prompt is included only when the caller put it in ``cleaned`` (callers that pass
        # prompt= themselves keep doing so); a blank variation prompt becomes the model's default.
        if self.takes_prompt(operation) and "prompt" in cleaned:
            prompt = cleaned.get("prompt")
            if _blank(prompt) and operation == "variation":
                prompt = self.variation_prompt
            kwargs["prompt"] = "" if prompt is None else str(prompt)
        size = cleaned.get("size")
        kwargs["size"] = self.size_default if _blank(size) else str(size).strip()
        for name, opt in opts.items():
            value = cleaned.get(name)
            if _blank(value):
                value = opt.default
            if value is None:
                continue
            kwargs[name] = int(value) if not opt.is_choice else str(value)
        fmt = kwargs.get("output_format")
        comp = opts.get("output_compression")
        if comp and comp.formats and fmt not in comp.formats:
            kwargs.pop("output_compression", None)
        # Partial images only mean something on a stream; streaming changes the SDK's return type, so
        # it happens only when the caller asks for it.
        if cleaned.get("stream") and self.streams:
            kwargs["stream"] = True
        else:
            kwargs.pop("partial_images", None)
        # Who asked, for the provider's abuse monitoring: sent under the name this model's contract uses.
        who = next((cleaned[n] for n in PASSTHROUGH_PARAMS if not _blank(cleaned.get(n))), None)
        if who is not None:
            kwargs[self.end_user_param] = who
        return kwargs


def megabytes(n: int) -> str:
    """A file size for a person: "4 MB", "1.5 MB", "300 KB", "12 bytes"."""
    if n < 1024 * 1024:
        return f"{n / 1024:.0f} KB" if n >= 1024 else f"{n} bytes"
    mb = n / (1024 * 1024)
    return f"{mb:.0f} MB" if mb == int(mb) else f"{mb:.1f} MB"


# --------------------------------------------------------------------------------------------------
# Loading

_TOP_KEYS = {
    "extends", "label", "api_name", "aliases", "family", "released", "lifecycle", "operations", "variation",
    "variation_prompt", "prompt", "size", "options", "images", "price", "end_user_param",
}


# Facts about one model's identity and life are never borrowed from the entry it extends.
_NOT_INHERITED = {"extends", "label", "api_name", "aliases", "released", "lifecycle"}


def _merge(base: dict, over: dict) -> dict:
    out = copy.deepcopy(base)
    for k, v in over.items():
        if v is False and isinstance(out.get(k), dict):
            out.pop(k)  # "options.x = false" removes an inherited table
        elif isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = _merge(out[k], v)
        else:
            out[k] = copy.deepcopy(v)
    return out


def _resolve(name: str, raw: dict, seen: tuple = ()) -> dict:
    entry = raw[name]
    parent = entry.get("extends")
    if parent is None:
        return dict(entry)
    if parent not in raw:
        raise RegistryError(f"{name}: extends {parent!r}, which is not in the registry.")
    if parent in seen:
        raise RegistryError(f"{name}: 'extends' goes round in a circle.")
    inherited = {k: v for k, v in _resolve(parent, raw, seen + (name,)).items() if k not in _NOT_INHERITED}
    return _merge(inherited, {k: v for k, v in entry.items() if k != "extends"})


def _ratio(value: Any, where: str) -> Fraction | None:
    if value is None:
        return None
    try:
        if isinstance(value, str) and ":" in value:
            a, b = value.split(":")
            return Fraction(int(a), int(b))
        return Fraction(str(value))
    except (ValueError, ZeroDivisionError):
        raise RegistryError(f"{where}: {value!r} is not a ratio like \"3:1\".") from None


def _decimal(value: Any):
    from decimal import Decimal

    return None if value is None else Decimal(str(value))


def _build(name: str, d: dict, order: int) -> ModelSpec:
    unknown = set(d) - _TOP_KEYS
    if unknown:
        raise RegistryError(f"{name}: unknown key(s) {', '.join(sorted(unknown))}.")
    try:
        operations = tuple(d["operations"])
        prompt_max = int(d["prompt"]["max"])
        size = d["size"]
        sizes = tuple(size["values"])
        size_default = size["default"]
    except (KeyError, TypeError) as exc:
        raise RegistryError(f"{name}: missing required key {exc}.") from None
    for op in operations:
        if op not in OPERATIONS:
            raise RegistryError(f"{name}: unknown operation {op!r}.")
    variation = d.get("variation")
    if "variation" in operations and variation not in ("endpoint", "edit"):
        raise RegistryError(f"{name}: 'variation' must be \"endpoint\" or \"edit\".")

    options: dict[str, Option] = {}
    for pname, o in (d.get("options") or {}).items():
        where = f"{name}: options.{pname}"
        if pname not in RANGE_PARAMS + CHOICE_PARAMS:
            raise RegistryError(f"{where}: not a parameter Studio knows ({', '.join(RANGE_PARAMS + CHOICE_PARAMS)}).")
        if not isinstance(o, dict):
            raise RegistryError(f"{where}: must be a table.")
        ops = tuple(o["operations"]) if "operations" in o else None
        if pname in CHOICE_PARAMS:
            if not o.get("values"):
                raise RegistryError(f"{where}: a choice needs 'values'.")
            values = tuple(str(v) for v in o["values"])
            default = o.get("default")
            if default is not None and default not in values:
                raise RegistryError(f"{where}: default {default!r} is not among the values.")
            requires = {k: tuple(v) for k, v in (o.get("requires") or {}).items()}
            options[pname] = Option(pname, values=values, default=default, operations=ops, requires=requires)
        else:
            if "min" not in o or "max" not in o:
                raise RegistryError(f"{where}: a range needs 'min' and 'max'.")
            options[pname] = Option(pname, min=int(o["min"]), max=int(o["max"]), default=o.get("default"),
                                    operations=ops, formats=tuple(o["formats"]) if "formats" in o else None)
    if "n" not in options:
        options["n"] = Option("n", min=1, max=1, default=1)

    rule = None
    custom = size.get("custom")
    if custom:
        where = f"{name}: size.custom"
        exp = custom.get("experimental_above")
        exp_wh = parse_size(exp) if exp else None
        if exp and not exp_wh:
            raise RegistryError(f"{where}: experimental_above must be WIDTHxHEIGHT.")
        rule = SizeRule(
            multiple_of=custom.get("multiple_of"),
            min_ratio=_ratio(custom.get("min_ratio"), where),
            max_ratio=_ratio(custom.get("max_ratio"), where),
            min_edge=custom.get("min_edge"), max_edge=custom.get("max_edge"),
            max_width=custom.get("max_width"), max_height=custom.get("max_height"),
            min_pixels=custom.get("min_pixels"), max_pixels=custom.get("max_pixels"),
            experimental_above=exp_wh,
        )
    if size_default not in sizes:
        raise RegistryError(f"{name}: size default {size_default!r} is not among the listed sizes.")

    img = d.get("images") or {}
    images = ImageRules(
        formats=tuple(img.get("formats", ())),
        max_bytes=img.get("max_bytes"),
        max_count=int(img.get("max_count", 1)),
        square=bool(img.get("square", False)),
        mask=bool(img.get("mask", False)),
        mask_formats=tuple(img.get("mask_formats", ("png",))),
        mask_max_bytes=img.get("mask_max_bytes"),
        mask_from_alpha=bool(img.get("mask_from_alpha", False)),
        markup=bool(img.get("markup", False)),
    )
    if d.get("end_user_param", "safety_identifier") not in PASSTHROUGH_PARAMS:
        raise RegistryError(f"{name}: end_user_param must be one of {', '.join(PASSTHROUGH_PARAMS)}.")
    if ("edit" in operations or "variation" in operations) and not images.formats:
        raise RegistryError(f"{name}: takes uploads but 'images.formats' is empty.")

    lc = d.get("lifecycle") or {}
    status = lc.get("status", "available")
    if status not in ("available", "deprecated", "retired"):
        raise RegistryError(f"{name}: lifecycle status must be available, deprecated or retired.")
    if status != "available" and not isinstance(lc.get("date"), dt.date):
        raise RegistryError(f"{name}: a {status} model needs lifecycle.date (YYYY-MM-DD).")
    lifecycle = Lifecycle(status=status, date=lc.get("date"))

    p = d.get("price") or {}
    price = Price(
        per_image={s: {q: _decimal(v) for q, v in qs.items()} for s, qs in (p.get("per_image") or {}).items()},
        text_input=_decimal(p.get("text_input")),
        image_input=_decimal(p.get("image_input")),
        output=_decimal(p.get("output")),
        output_tokens={q: int(t) for q, t in (p.get("output_tokens") or {}).items()},
        image_input_tokens=int(p.get("image_input_tokens", 0)),
        auto_size=p.get("auto_size", "1024x1024"),
    )
    if not price.per_image and not price.per_token:
        raise RegistryError(f"{name}: needs a price (price.per_image, or price.output per million tokens).")

    released = d.get("released")
    return ModelSpec(
        name=name,
        label=d.get("label", name),
        api_name=d.get("api_name", name),
        family=d.get("family", "gpt-image"),
        operations=operations,
        prompt_max=prompt_max,
        sizes=sizes,
        size_default=size_default,
        options=options,
        images=images,
        lifecycle=lifecycle,
        price=price,
        aliases=tuple(d.get("aliases", ())),
        released=released if isinstance(released, dt.date) else None,
        order=order,
        variation=variation if "variation" in operations else None,
        variation_prompt=d.get("variation_prompt", ""),
        size_rule=rule,
        end_user_param=d.get("end_user_param", "safety_identifier"),
        menu_label=name,
    )


@functools.lru_cache(maxsize=8)
def _load(path: str, mtime_ns: int) -> dict[str, ModelSpec]:
    with open(path, "rb") as fh:
        try:
            raw = tomllib.load(fh)
        except tomllib.TOMLDecodeError as exc:
            raise RegistryError(f"{path}: {exc}") from None
    models = raw.get("models")
    if not isinstance(models, dict) or not models:
        raise RegistryError(f"{path}: no [models.\"...\"] tables.")
    return {name: _build(name, _resolve(name, models), i) for i, name in enumerate(models)}


def registry_path() -> Path:
    try:
        from django.conf import settings

        override = getattr(settings, "STUDIO_MODEL_REGISTRY", None) if settings.configured else None
    except ImportError:  # pragma: no cover - Django is a dependency
        override = None
    return Path(override) if override else REGISTRY_PATH


def _models() -> dict[str, ModelSpec]:
    path = registry_path()
    # Keyed by modification time too, so an operator's edit is picked up without a restart.
    return _load(str(path), path.stat().st_mtime_ns)


def all_models() -> list[ModelSpec]:
    """Every model in the registry, in file order, whatever its lifecycle."""
    return list(_models().values())


def get_model(name: str) -> ModelSpec:
    models = _models()
    if name in models:
        return models[name]
    for spec in models.values():
        if name in spec.aliases:
            return spec
    raise UnknownModel(name)


def clear_cache() -> None:
    _load.cache_clear()


def with_menu_label(spec: ModelSpec, label: str) -> ModelSpec:
    return replace(spec, menu_label=label)
