"""The model registry: models.toml loaded into frozen dataclasses, and the rules that read it.

This module is the one import point for the rest of Studio; the code lives in three modules:
``values`` (the parameters Studio knows, the value types, ``Problem``), ``spec`` (``ModelSpec``: one
model's facts, ``problems()``, ``form_schema()``, ``api_params()``, with its validation rules in
``validation``) and ``loading`` (the TOML loader and the lookups ``all_models``/``get_model``).
Nothing here names a particular model: every model-specific fact lives in the TOML.
"""
from .loading import REGISTRY_PATH, all_models, clear_cache, get_model, registry_path, with_menu_label
from .spec import ModelSpec
from .values import (
    CHOICE_PARAMS, FORM_OPTIONS, KNOWN_PARAMS, OPERATIONS, PARAM_LABELS, PASSTHROUGH_PARAMS, RANGE_PARAMS,
    ImageRules, Lifecycle, Option, Price, Problem, RegistryError, SizeRule, UnknownModel, UploadInfo,
    is_choice_option, megabytes, parse_size,
)

__all__ = [
    # vocabulary
    "OPERATIONS", "CHOICE_PARAMS", "RANGE_PARAMS", "KNOWN_PARAMS", "PASSTHROUGH_PARAMS", "PARAM_LABELS",
    "FORM_OPTIONS", "is_choice_option",
    # value types and errors
    "Problem", "UploadInfo", "Option", "SizeRule", "ImageRules", "Lifecycle", "Price", "RegistryError",
    "UnknownModel", "parse_size", "megabytes",
    # one model
    "ModelSpec",
    # loading
    "REGISTRY_PATH", "registry_path", "all_models", "get_model", "clear_cache", "with_menu_label",
]
