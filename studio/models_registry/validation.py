"""Why a request would be refused: the rules behind ``ModelSpec.problems``, one function per concern.

Each reads the model's own facts (``spec``) and answers ``Problem``s naming the API parameter and the
model, in sentences a person can act on. Nothing here names a particular model.
"""
from __future__ import annotations

from fractions import Fraction
from typing import TYPE_CHECKING, Any, Iterable, Mapping

from .values import (
    CHOICE_PARAMS, PARAM_LABELS, RANGE_PARAMS, Option, Problem, UploadInfo, is_blank, megabytes, or_list,
    parse_size, thousands,
)

if TYPE_CHECKING:  # spec.py imports this module to answer ModelSpec.problems()
    from .spec import ModelSpec


def request_problems(spec: ModelSpec, operation: str, params: Mapping[str, Any],
                     images: Iterable[UploadInfo] = ()) -> list[Problem]:
    """Every reason the provider would refuse this request that is knowable in advance (see ModelSpec.problems)."""
    images = list(images)
    if not spec.supports(operation):
        return [Problem("model", f"{spec.name} cannot do {operation}s; it offers {or_list(spec.operations)}.")]
    out: list[Problem] = []
    out += _prompt_problems(spec, operation, params.get("prompt"))
    out += _size_problems(spec, params.get("size"))
    opts = spec.options_for(operation)
    for name in (*RANGE_PARAMS, *CHOICE_PARAMS):
        value = params.get(name)
        if is_blank(value):
            continue
        opt = opts.get(name)
        if opt is None:
            out.append(Problem(name, _not_taken(spec, name, operation), "unsupported_parameter"))
        elif opt.is_choice:
            out += _choice_problems(spec, opt, value)
        else:
            out += _range_problems(spec, opt, value)
    out += _cross_problems(spec, operation, params, opts)
    out += _image_problems(spec, operation, images)
    return out


def _not_taken(spec: ModelSpec, name: str, operation: str) -> str:
    label = PARAM_LABELS.get(name, name)
    if any(name in spec.options_for(op) for op in spec.operations):
        return f"{label} is not available for {operation}s on {spec.name}."
    return f"{label} is not available on {spec.name}."


def _prompt_problems(spec: ModelSpec, operation: str, prompt: Any) -> list[Problem]:
    if not spec.takes_prompt(operation):
        return []  # dall-e-2's variation endpoint has no prompt; api_params drops it
    prompt_given = prompt
    prompt = "" if prompt is None else str(prompt)
    if not prompt.strip():
        if operation == "variation":
            return []  # filled with variation_prompt
        return [Problem("prompt", "Prompt is required.",
                        "missing_required_parameter" if prompt_given is None else "empty_string")]
    if len(prompt) > spec.prompt_max:
        return [Problem(
            "prompt",
            f"Prompt is {thousands(len(prompt))} characters; {spec.name} accepts at most "
            f"{thousands(spec.prompt_max)}.", "string_above_max_length",
        )]
    return []


def _size_problems(spec: ModelSpec, size: Any) -> list[Problem]:
    if is_blank(size):
        return []
    size = str(size).strip()
    if size in spec.sizes:
        return []
    wh = parse_size(size)
    rule = spec.size_rule
    listed = or_list(spec.sizes)
    if rule is None or wh is None:
        if wh is None and size != "auto":
            return [Problem("size", f"Size {size!r} is not WIDTHxHEIGHT; {spec.name} accepts {listed}.")]
        return [Problem("size", f"Size {size} is not available on {spec.name}; it accepts {listed}.")]
    w, h = wh
    who = spec.name
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
            msgs.append(f"Size {size} has a side over {thousands(rule.max_edge)} pixels; {who} accepts at most "
                        f"{thousands(rule.max_edge)}.")
        if rule.min_edge is not None and min(w, h) < rule.min_edge:
            msgs.append(f"Size {size} has a side under {thousands(rule.min_edge)} pixels; {who} needs at least "
                        f"{thousands(rule.min_edge)}.")
        if rule.max_width is not None and w > rule.max_width:
            msgs.append(f"Size {size} is wider than {thousands(rule.max_width)} pixels, {who}'s maximum width.")
        if rule.max_height is not None and h > rule.max_height:
            msgs.append(f"Size {size} is taller than {thousands(rule.max_height)} pixels, {who}'s maximum height.")
        if rule.max_pixels is not None and w * h > rule.max_pixels:
            msgs.append(f"Size {size} is {thousands(w * h)} pixels; {who} accepts at most "
                        f"{thousands(rule.max_pixels)}.")
        if rule.min_pixels is not None and w * h < rule.min_pixels:
            msgs.append(f"Size {size} is {thousands(w * h)} pixels; {who} needs at least "
                        f"{thousands(rule.min_pixels)}.")
    return [Problem("size", m) for m in msgs]


def _choice_problems(spec: ModelSpec, opt: Option, value: Any) -> list[Problem]:
    if str(value) in opt.values:
        return []
    label = PARAM_LABELS.get(opt.name, opt.name)
    if len(opt.values) == 1:
        return [Problem(opt.name, f"{label} {value!s} is not available on {spec.name}; it accepts only "
                                  f"{opt.values[0]}.")]
    return [Problem(opt.name, f"{label} {value!s} is not available on {spec.name}; choose "
                              f"{or_list(opt.values)}.")]


def _range_problems(spec: ModelSpec, opt: Option, value: Any) -> list[Problem]:
    label = PARAM_LABELS.get(opt.name, opt.name)
    try:
        if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
            raise ValueError
        number = int(value)
    except (TypeError, ValueError):
        return [Problem(opt.name, f"{label} must be a whole number, not {value!r}.", "invalid_type")]
    if opt.min == opt.max and number != opt.min:
        return [Problem(opt.name, f"{label} is {number}; {spec.name} accepts only {opt.min}.")]
    if opt.max is not None and number > opt.max:
        return [Problem(opt.name, f"{label} is {number}; {spec.name} accepts at most {opt.max}.",
                        "integer_above_max_value")]
    if opt.min is not None and number < opt.min:
        return [Problem(opt.name, f"{label} is {number}; {spec.name} needs at least {opt.min}.",
                        "integer_below_min_value")]
    return []


def _effective(params: Mapping[str, Any], opts: Mapping[str, Option], name: str) -> Any:
    value = params.get(name)
    if is_blank(value) and name in opts:
        return opts[name].default
    return value


def _cross_problems(spec: ModelSpec, operation: str, params: Mapping[str, Any],
                    opts: Mapping[str, Option]) -> list[Problem]:
    out = []
    fmt = _effective(params, opts, "output_format")
    comp = opts.get("output_compression")
    if comp and comp.formats and not is_blank(params.get("output_compression")) and fmt not in comp.formats:
        out.append(Problem("output_compression",
                           f"Compression applies only to {or_list(comp.formats)} output; the output format "
                           f"is {fmt}."))
    bg = opts.get("background")
    bg_value = _effective(params, opts, "background")
    if bg and bg_value in bg.requires and fmt not in bg.requires[bg_value]:
        out.append(Problem("background",
                           f"A {bg_value} background needs {or_list(bg.requires[bg_value])} output; the "
                           f"output format is {fmt}."))
    return out


def _image_problems(spec: ModelSpec, operation: str, images: list[UploadInfo]) -> list[Problem]:
    rules = spec.images
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
    who = spec.name
    if not sources:
        out.append(Problem("image", f"An image is required for {operation}s."))
    max_count = 1 if operation == "variation" else rules.max_count
    if len(sources) > max_count:
        out.append(Problem("image", f"{len(sources)} images were given; {who} takes at most {max_count} "
                                    f"for {operation}s."))
    for i, img in enumerate(sources, 1):
        which = f"Image {i}" if len(sources) > 1 else "The image"
        out += _file_problems(spec, "image", which, img, rules.formats, rules.max_bytes)
        if rules.square and img.width != img.height:
            out.append(Problem("image", f"{which} is {img.width}x{img.height}; {who} needs a square image.",
                               "invalid_image_shape"))
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
            out += _file_problems(spec, "mask", "The mask", mask, rules.mask_formats, rules.mask_max_bytes)
            if not mask.has_alpha:
                out.append(Problem("mask", "The mask has no transparency; its transparent areas mark what to "
                                           "edit.", "invalid_mask"))
            if first and (mask.width, mask.height) != (first.width, first.height):
                out.append(Problem("mask", f"The mask is {mask.width}x{mask.height} but the image is "
                                           f"{first.width}x{first.height}; they must match.", "invalid_mask_size"))
    elif operation == "edit" and rules.mask_from_alpha and first and not first.has_alpha and not markups:
        out.append(Problem("image", f"Without a mask, {who} edits the transparent parts of the image, and "
                                    "this image has none: paint a mask or upload a PNG with transparency.",
                               "image_missing_transparency"))
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


def _file_problems(spec: ModelSpec, field_name: str, which: str, img: UploadInfo, formats: tuple[str, ...],
                   max_bytes: int | None) -> list[Problem]:
    out = []
    if formats and img.norm_format not in formats:
        out.append(Problem(field_name, f"{which} is {img.norm_format.upper() or 'of unknown type'}; {spec.name} "
                                       f"accepts {or_list([f.upper() for f in formats])}.", "invalid_image_format"))
    if max_bytes is not None and img.bytes >= max_bytes:
        out.append(Problem(field_name, f"{which} is {megabytes(img.bytes)}; {spec.name} accepts files under "
                                       f"{megabytes(max_bytes)}.", "image_too_large"))
    return out
