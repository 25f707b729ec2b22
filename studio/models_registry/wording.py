"""Every parameter a job sent, in words: the registry's labels (``PARAM_LABELS``) for the names, and
words for the values the registry's options list. The one mapping the image page, the job page and the
prompt history use, so none of them shows ``output_format png · input_fidelity low``."""
from __future__ import annotations

from typing import Any, Mapping

from .loading import all_models
from .values import FORM_OPTIONS, KNOWN_PARAMS, PARAM_LABELS, PASSTHROUGH_PARAMS, or_list, parse_size

# Words for the listed values of the registry's choice options (models.toml); a value not here is shown
# as the registry spells it.
VALUE_WORDS = {
    "auto": "Automatic", "low": "Low", "medium": "Medium", "high": "High", "xhigh": "Extra high", "max": "Maximum",
    "standard": "Standard", "hd": "HD", "vivid": "Vivid", "natural": "Natural",
    "opaque": "Opaque", "transparent": "Transparent",
    "png": "PNG", "jpeg": "JPEG", "webp": "WebP",
    "url": "A link (URL)", "b64_json": "Inline data (base64)",
}
# Per option, where a value means something else than the shared word above.
OPTION_VALUE_WORDS = {
    "moderation": {"auto": "Standard filtering", "low": "Less restrictive filtering"},
    "input_fidelity": {"high": "High (keeps faces and details)", "low": "Low"},
}
# Parameters that are not the picture's settings: who asked (passed through) and how it was delivered.
NOT_SETTINGS = {*PASSTHROUGH_PARAMS, "prompt", "stream"}


def value_in_words(name: str, value: Any) -> str:
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if name == "output_compression":
        return f"{value}%"
    if name == "size":  # spelled as the form's menu spells it (1024x1536), so the two read alike
        return str(value) if parse_size(str(value)) else VALUE_WORDS.get(str(value), str(value))
    text = str(value)
    return OPTION_VALUE_WORDS.get(name, {}).get(text) or VALUE_WORDS.get(text, text)


def label_of(name: str) -> str:
    return PARAM_LABELS.get(name) or name.replace("_", " ").capitalize()


def settings_in_words(params: Mapping[str, Any] | None) -> list[tuple[str, str]]:
    """[(label, value), ...] for every parameter in ``params``, in the form's order (the registry's), then
    any other in the order it was sent (nothing the job sent is left out)."""
    params = params or {}
    known = [name for name in dict.fromkeys((*FORM_OPTIONS, *KNOWN_PARAMS)) if name in params]
    others = [name for name in params if name not in known]
    return [(label_of(name), value_in_words(name, params[name]))
            for name in (*known, *others) if name not in NOT_SETTINGS and params[name] not in (None, "")]


def upload_formats() -> tuple[str, ...]:
    """The picture formats some model of the registry takes as input: PNG first (every edit takes it),
    then the rest alphabetically, so the wording does not change with the order of models.toml."""
    found = {f for spec in all_models() for f in spec.images.formats}
    return tuple(sorted(found, key=lambda f: (f != "png", f))) or ("png",)


def upload_formats_text() -> str:
    """"PNG, JPEG or WEBP": the one wording of what an upload may be, for the field's help and its error."""
    return or_list([f.upper() for f in upload_formats()])
