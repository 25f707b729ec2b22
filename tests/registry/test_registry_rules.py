"""Validation from the registry's own data: every accepted value passes, every value just outside is
refused, naming the API parameter and the model."""
import json

import pytest

from studio.models_registry.registry import (
    ModelSpec, Problem, UnknownModel, UploadInfo, all_models, get_model,
)

from .cases import PROMPT, all_cases, source_image

CASES = all_cases()


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_registry_boundaries(case):
    spec = get_model(case.model)
    problems = spec.problems(case.operation, case.params, case.images)
    if case.refused_field is None:
        assert problems == []
    else:
        assert problems, f"{case.id} should have been refused"
        assert {p.field for p in problems} == {case.refused_field}, problems
        for p in problems:
            assert p.message.endswith("."), p


def test_every_model_of_the_brief_is_registered():
    names = {m.name for m in all_models()}
    assert {
        "dall-e-2", "dall-e-3", "gpt-image-1", "gpt-image-1.5", "gpt-image-1-mini", "gpt-image-2",
        "gpt-image-2.5-sunburst", "gpt-image-2.5-flare", "gpt-image-2.6-sunburst", "gpt-image-2.6-flare",
        "chatgpt-image-latest",
    } <= names


def test_prompt_message_names_the_limit_and_the_model():
    problems = get_model("dall-e-2").problems("generate", {"prompt": "x" * 1204})
    assert problems == [Problem("prompt", "Prompt is 1,204 characters; dall-e-2 accepts at most 1,000.")]


def test_unknown_model_and_alias():
    with pytest.raises(UnknownModel):
        get_model("dall-e-4")
    assert get_model("gpt-image-2-2026-04-21").name == "gpt-image-2"


def test_operation_the_model_lacks_is_refused():
    [p] = get_model("dall-e-3").problems("edit", {"prompt": PROMPT}, [source_image(get_model("dall-e-3"))])
    assert p.field == "model" and "dall-e-3" in p.message


def test_cross_rules_transparent_background_and_compression():
    spec = get_model("gpt-image-2")
    [p] = spec.problems("generate", {"prompt": PROMPT, "background": "transparent", "output_format": "jpeg"})
    assert p.field == "background" and "png or webp" in p.message
    [p] = spec.problems("generate", {"prompt": PROMPT, "output_compression": 50})  # default png
    assert p.field == "output_compression"
    assert spec.problems("generate", {"prompt": PROMPT, "output_compression": 50, "output_format": "webp"}) == []


def test_dalle2_edit_without_mask_needs_transparency():
    spec = get_model("dall-e-2")
    [p] = spec.problems("edit", {"prompt": PROMPT}, [source_image(spec, has_alpha=False)])
    assert p.field == "image" and "transparent" in p.message
    mask = source_image(spec, role="mask")
    assert spec.problems("edit", {"prompt": PROMPT}, [source_image(spec, has_alpha=False), mask]) == []


def test_variation_takes_no_mask_and_gets_a_default_prompt():
    spec = get_model("gpt-image-2")
    imgs = [source_image(spec), source_image(spec, role="mask")]
    assert [p.field for p in spec.problems("variation", {}, imgs)] == ["mask"]
    assert spec.call_for("variation") == "edit"
    assert spec.api_params("variation", {"prompt": ""})["prompt"] == "A variation of this image"
    dalle = get_model("dall-e-2")
    assert dalle.call_for("variation") == "create_variation"
    assert "prompt" not in dalle.api_params("variation", {"prompt": "ignored"})


def test_markup_only_where_the_registry_allows_it_and_never_with_a_mask():
    flare = get_model("gpt-image-2.5-flare")
    markup = source_image(flare, role="markup")
    assert flare.problems("edit", {"prompt": PROMPT}, [source_image(flare), markup]) == []
    both = [source_image(flare), markup, source_image(flare, role="mask")]
    assert [p.field for p in flare.problems("edit", {"prompt": PROMPT}, both)] == ["markup"]
    two = get_model("gpt-image-2")
    assert [p.field for p in two.problems("edit", {"prompt": PROMPT}, [source_image(two), markup])] == ["markup"]


def test_api_params_drop_what_the_model_does_not_take():
    gpt = get_model("gpt-image-2")
    kwargs = gpt.api_params("generate", {"prompt": PROMPT, "style": "vivid", "response_format": "url",
                                         "partial_images": 2, "output_compression": 80})
    assert "style" not in kwargs and "response_format" not in kwargs
    assert "partial_images" not in kwargs and "stream" not in kwargs  # no stream asked
    assert "output_compression" not in kwargs  # png output takes none
    assert "input_fidelity" not in gpt.api_params("edit", {"prompt": PROMPT})
    streamed = gpt.api_params("generate", {"prompt": PROMPT, "stream": True, "partial_images": 2})
    assert streamed["stream"] is True and streamed["partial_images"] == 2
    dalle = get_model("dall-e-3").api_params("generate", {"prompt": PROMPT, "n": "", "quality": None})
    assert dalle == {"model": "dall-e-3", "prompt": PROMPT, "size": "1024x1024", "n": 1, "quality": "standard",
                     "style": "vivid", "response_format": "url"}
    # Callers that pass prompt= themselves leave it out of cleaned, and get none back.
    assert "prompt" not in dalle_no_prompt() and dalle_no_prompt()["model"] == "azure-name"


def dalle_no_prompt():
    return get_model("dall-e-2").api_params("generate", {"n": 2}, model="azure-name")


@pytest.mark.parametrize("spec", all_models(), ids=lambda s: s.name)
def test_form_schema_is_json_and_matches_validation(spec: ModelSpec):
    schema = json.loads(json.dumps(spec.form_schema()))
    assert set(schema["operations"]) == set(spec.operations)
    for op, s in schema["operations"].items():
        if s["prompt"]:
            assert s["prompt"]["max"] == spec.prompt_max
        for name, choice in s["choices"].items():
            assert choice["values"] == list(spec.options[name].values)
        assert spec.defaults(op)["size"] == s["size"]["default"]
        # The defaults themselves are a valid request.
        params = {**spec.defaults(op), "prompt": PROMPT} if s["prompt"] else spec.defaults(op)
        images = [] if op == "generate" else [source_image(spec)]
        assert spec.problems(op, params, images) == []


def test_experimental_sizes_are_flagged_not_refused():
    spec = get_model("gpt-image-2")
    assert spec.size_rule.is_experimental(3840, 2160)
    assert not spec.size_rule.is_experimental(2560, 1440)
    assert spec.problems("generate", {"prompt": PROMPT, "size": "3840x2160"}) == []
    assert spec.form_schema()["operations"]["generate"]["size"]["custom"]["experimental_above"] == "2560x1440"


def test_upload_format_aliases():
    assert UploadInfo("JPG", 1, 1, 1).norm_format == "jpeg"


@pytest.mark.parametrize("model", ["gpt-image-2", "gpt-image-2.5-sunburst", "gpt-image-2.5-flare"])
def test_flexible_sizes_need_at_least_655360_pixels(model):
    spec = get_model(model)
    assert spec.form_schema()["operations"]["generate"]["size"]["custom"]["min_pixels"] == 655_360
    for small in ("96x96", "640x640", "1008x640"):
        (problem,) = spec.problems("generate", {"prompt": PROMPT, "size": small})
        assert problem.field == "size" and "needs at least 655,360" in problem.message
    assert spec.problems("generate", {"prompt": PROMPT, "size": "1024x640"}) == []
