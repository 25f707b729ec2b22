"""The option fields a job form shows come from the registry's own vocabulary, not from a copy."""
import pytest

from studio.models_registry import registry
from studio.models_registry.registry import (
    CHOICE_PARAMS, FORM_OPTIONS, PARAM_LABELS, RANGE_PARAMS, all_models, is_choice_option,
)


def test_form_options_are_the_registry_parameters_a_person_sets():
    assert FORM_OPTIONS == ("size", "n", "quality", "style", "background", "output_format", "output_compression",
                            "moderation", "input_fidelity")
    assert set(FORM_OPTIONS) == {"size", *CHOICE_PARAMS, *RANGE_PARAMS} - {"response_format", "partial_images"}


def test_every_form_option_has_a_label():
    assert all(PARAM_LABELS.get(name) for name in FORM_OPTIONS)


def test_is_choice_option_follows_the_registry():
    assert [name for name in FORM_OPTIONS if is_choice_option(name)] == [
        "quality", "style", "background", "output_format", "moderation", "input_fidelity"]
    assert not is_choice_option("size") and not is_choice_option("n")
    # What the helper says agrees with every model's own data.
    for spec in all_models():
        for name, option in spec.options.items():
            assert option.is_choice == is_choice_option(name), (spec.name, name)


def test_is_choice_option_refuses_a_name_it_does_not_know():
    with pytest.raises(ValueError, match="'qualty' is not an image API parameter"):
        is_choice_option("qualty")


def test_the_registry_module_exports_what_it_promises():
    assert all(hasattr(registry, name) for name in registry.__all__)
