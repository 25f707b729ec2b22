"""``ModelSpec``: one model's facts from the registry, and the rules that read them.

One implementation answers "what does this model accept?" for the browser (``form_schema``), for the
server-side form validation (``problems``, whose rules are in validation.py) and for the API call
(``api_params``), so the three cannot drift apart. Nothing here names a particular model: every
model-specific fact lives in the TOML (see loading.py).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

from .validation import request_problems
from .values import (
    OPERATIONS, PASSTHROUGH_PARAMS, ImageRules, Lifecycle, Option, Price, Problem, SizeRule, UploadInfo, is_blank,
)


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
    # Validation (the rules themselves are in validation.py)

    def problems(self, operation: str, params: Mapping[str, Any], images: Iterable[UploadInfo] = ()) -> list[Problem]:
        """Every reason the provider would refuse this request that is knowable in advance."""
        self._check_operation(operation)
        return request_problems(self, operation, params, images)

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
            if is_blank(prompt) and operation == "variation":
                prompt = self.variation_prompt
            kwargs["prompt"] = "" if prompt is None else str(prompt)
        size = cleaned.get("size")
        kwargs["size"] = self.size_default if is_blank(size) else str(size).strip()
        for name, opt in opts.items():
            value = cleaned.get(name)
            if is_blank(value):
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
        who = next((cleaned[n] for n in PASSTHROUGH_PARAMS if not is_blank(cleaned.get(n))), None)
        if who is not None:
            kwargs[self.end_user_param] = who
        return kwargs
