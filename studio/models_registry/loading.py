"""Loading the registry: models.toml read into frozen ``ModelSpec``s, and the lookups over it.

An entry may ``extends`` another and override parts of it (``options.x = false`` removes an inherited
option). Top-level keys, option names and their values are checked as the file is read, so a typo
fails at start-up (checks.py) with the model and the key it is about, not later as a strange refusal.
The result is cached per file and modification time: an operator's edit is picked up without a restart.
"""
from __future__ import annotations

import copy
import datetime as dt
import functools
import tomllib
from dataclasses import replace
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

from django.conf import settings

from .spec import ModelSpec
from .values import (
    CHOICE_PARAMS, OPERATIONS, PASSTHROUGH_PARAMS, RANGE_PARAMS, ImageRules, Lifecycle, Option, Price,
    RegistryError, SizeRule, UnknownModel, parse_size,
)

REGISTRY_PATH = Path(__file__).with_name("models.toml")

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


def _decimal(value: Any) -> Decimal | None:
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
    """The registry file: STUDIO_MODEL_REGISTRY when an operator names one, else the shipped models.toml."""
    override = settings.STUDIO_MODEL_REGISTRY if settings.configured else None
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
