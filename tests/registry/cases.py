"""Boundary cases derived from the registry itself: every accepted value, and the value just outside.

Both the pure validation tests and the cross-check against the stand-in iterate these, so a model
added to models.toml is tested the moment it is added.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from studio.models_registry.registry import CHOICE_PARAMS, RANGE_PARAMS, ModelSpec, UploadInfo, all_models

PROMPT = "A lighthouse on a cliff at dusk, oil painting"


@dataclass(frozen=True)
class Case:
    model: str
    operation: str
    params: dict
    refused_field: str | None  # None: accepted
    label: str
    images: tuple = field(default=())

    @property
    def id(self) -> str:
        verdict = "ok" if self.refused_field is None else f"refused-{self.refused_field}"
        return f"{self.model}-{self.operation}-{self.label}-{verdict}"


def source_image(spec: ModelSpec, **changes) -> UploadInfo:
    fmt = "png" if "png" in spec.images.formats or not spec.images.formats else spec.images.formats[0]
    base = dict(format=fmt, width=256, height=256, bytes=10_000, has_alpha=True, role="image")
    base.update(changes)
    return UploadInfo(**base)


def base_params(spec: ModelSpec, operation: str) -> dict:
    params = {}
    if spec.takes_prompt(operation):
        params["prompt"] = PROMPT
    return params


def base_images(spec: ModelSpec, operation: str) -> tuple:
    return () if operation == "generate" else (source_image(spec),)


def _outside_size(spec: ModelSpec) -> list[tuple[str, str]]:
    out = []
    rule = spec.size_rule
    if rule is None:
        out.append(("unlisted", "1000x1000"))
        return out
    m = rule.multiple_of or 1
    if rule.multiple_of:
        out.append(("not-multiple", f"{1024 + rule.multiple_of // 2}x1024"))
    if rule.max_ratio is not None:
        h = 512
        w = (h * rule.max_ratio.numerator // rule.max_ratio.denominator) + m
        out.append(("too-wide", f"{w}x{h}"))
    if rule.min_ratio is not None:
        w = 512
        h = (w * rule.min_ratio.denominator // rule.min_ratio.numerator) + m
        out.append(("too-tall", f"{w}x{h}"))
    if rule.max_edge is not None:
        out.append(("edge-too-long", f"{rule.max_edge + m}x{((rule.max_edge + m) // 2 // m) * m}"))
    if rule.max_pixels is not None and rule.max_edge is not None:
        # Both sides within max_edge, but the area one step too big.
        w = rule.max_edge
        h = ((rule.max_pixels // w) // m + 1) * m
        if w * h > rule.max_pixels and max(w, h) <= rule.max_edge:
            out.append(("too-many-pixels", f"{w}x{h}"))
    return out


def _inside_custom_sizes(spec: ModelSpec) -> list[tuple[str, str]]:
    rule = spec.size_rule
    if rule is None:
        return []
    m = rule.multiple_of or 1
    out = [("custom", f"{96 * m}x{54 * m}" if 96 * m <= (rule.max_edge or 10**6) else f"{m * 10}x{m * 10}")]
    if rule.max_ratio is not None and rule.max_ratio.denominator == 1:
        h = 512
        out.append(("widest", f"{h * rule.max_ratio.numerator}x{h}"))
    if rule.max_edge is not None and rule.max_pixels is not None:
        w = rule.max_edge
        h = (rule.max_pixels // w) // m * m
        out.append(("largest", f"{w}x{h}"))
    return out


def cases_for(spec: ModelSpec) -> list[Case]:
    cases: list[Case] = []
    for op in spec.operations:
        def add(label, changes, refused=None, images=None):
            params = {**base_params(spec, op), **changes}
            cases.append(Case(spec.name, op, params, refused, label,
                              tuple(base_images(spec, op) if images is None else images)))

        add("defaults", {})
        if spec.takes_prompt(op):
            add("prompt-at-limit", {"prompt": "a" * spec.prompt_max})
            add("prompt-over-limit", {"prompt": "a" * (spec.prompt_max + 1)}, "prompt")
        for size in spec.sizes:
            add(f"size-{size}", {"size": size})
        for label, size in _inside_custom_sizes(spec):
            add(f"size-{label}-{size}", {"size": size})
        for label, size in _outside_size(spec):
            add(f"size-{label}-{size}", {"size": size}, "size")
        opts = spec.options_for(op)
        for name, opt in opts.items():
            extra = {}
            if name == "output_compression" and opt.formats:
                extra = {"output_format": opt.formats[0]}
            if opt.is_choice:
                for value in opt.values:
                    needs = opt.requires.get(value)
                    fmt = {"output_format": needs[0]} if needs and "output_format" in opts else {}
                    add(f"{name}-{value}", {name: value, **fmt})
                add(f"{name}-bogus", {name: "bogus"}, name)
            else:
                add(f"{name}-min", {name: opt.min, **extra})
                add(f"{name}-max", {name: opt.max, **extra})
                add(f"{name}-below", {name: opt.min - 1, **extra}, name)
                add(f"{name}-above", {name: opt.max + 1, **extra}, name)
        for name in (*RANGE_PARAMS, *CHOICE_PARAMS):
            if name in opts:
                continue
            value = 1 if name in RANGE_PARAMS else _foreign_value(name)
            add(f"{name}-not-taken", {name: value}, name)
        if op != "generate":
            rules = spec.images
            add("image-too-big", {}, "image", images=[source_image(spec, bytes=rules.max_bytes)])
            add("image-just-under-limit", {}, None, images=[source_image(spec, bytes=rules.max_bytes - 1)])
            for fmt in rules.formats:
                add(f"image-{fmt}", {}, None, images=[source_image(spec, format=fmt)])
            if "gif" not in rules.formats:
                add("image-gif", {}, "image", images=[source_image(spec, format="gif")])
            if rules.square:
                add("image-not-square", {}, "image", images=[source_image(spec, width=256, height=512)])
            count = 1 if op == "variation" else rules.max_count
            add(f"images-{count}", {}, None, images=[source_image(spec)] * count)
            add(f"images-{count + 1}", {}, "image", images=[source_image(spec)] * (count + 1))
        if op == "edit" and spec.images.mask:
            mask = source_image(spec, format="png", role="mask")
            add("mask-ok", {}, None, images=[source_image(spec), mask])
            add("mask-wrong-size", {}, "mask",
                images=[source_image(spec), source_image(spec, format="png", role="mask", width=128, height=128)])
    return cases


def _foreign_value(name: str) -> str:
    """A value some other model accepts for a parameter this one does not take."""
    for spec in all_models():
        opt = spec.options.get(name)
        if opt is not None and opt.is_choice:
            return opt.values[-1]
    return "x"


def all_cases() -> list[Case]:
    return [case for spec in all_models() for case in cases_for(spec)]
