"""Adding a model, changing a limit and retiring a model are edits to the TOML and nothing else."""
import datetime as dt

import pytest
from django.core.cache import cache
from django.test import override_settings

from studio.models_registry.providers import ProviderConfig, available_models
from studio.models_registry.registry import REGISTRY_PATH, RegistryError, UnknownModel, all_models, get_model

from .local_server import Reply, local_server

TODAY = dt.date(2026, 11, 25)

NEW_MODEL = '''
[models."gpt-image-3-nova"]
extends = "gpt-image-2.5-sunburst"
label = "GPT Image 3 Nova"
released = 2026-11-24
size.custom.max_edge = 4096
size.custom.max_pixels = 16777216
options.n = { min = 1, max = 4, default = 1 }
price = { text_input = 6.0, image_input = 9.0, output = 36.0 }
'''


def edited_registry(tmp_path):
    """A copy of the shipped file with the three edits an operator would make: nothing else changes."""
    text = REGISTRY_PATH.read_text()
    # 1. change a limit
    text = text.replace('[models."gpt-image-2"]\nextends = "gpt-image-1"',
                        '[models."gpt-image-2"]\nextends = "gpt-image-1"\nprompt = { max = 500 }')
    # 2. retire a model
    text = text.replace('[models."gpt-image-2.5-flare"]\nextends = "gpt-image-2.5-sunburst"',
                        '[models."gpt-image-2.5-flare"]\nextends = "gpt-image-2.5-sunburst"\n'
                        'lifecycle = { status = "retired", date = 2026-11-20 }')
    # 3. add a model
    text += NEW_MODEL
    path = tmp_path / "models.toml"
    path.write_text(text)
    return path


@pytest.mark.django_db  # the provider's listing is remembered in the database
def test_add_change_retire_with_no_code_change(tmp_path):
    path = edited_registry(tmp_path)
    before = get_model("gpt-image-2").prompt_max
    with override_settings(STUDIO_MODEL_REGISTRY=str(path)):
        # Changed limit: validation, form schema and counter follow.
        two = get_model("gpt-image-2")
        assert two.prompt_max == 500 and before == 32000
        [p] = two.problems("generate", {"prompt": "x" * 501})
        assert p.message == "Prompt is 501 characters; gpt-image-2 accepts at most 500."
        assert two.form_schema()["operations"]["generate"]["prompt"]["max"] == 500

        # Added model: validated, priced and offered without any code knowing its name.
        nova = get_model("gpt-image-3-nova")
        assert nova.problems("generate", {"prompt": "a", "size": "4096x2304", "quality": "max"}) == []
        assert [p.field for p in nova.problems("generate", {"prompt": "a", "n": 5})] == ["n"]
        assert nova.images.markup  # inherited from the model it extends
        from studio.models_registry.pricing import estimate_cost

        assert estimate_cost(nova, "generate", {"prompt": "a", "quality": "low", "size": "1024x1024"}) > 0

        # Retired model: gone from an OpenAI menu; the newest is the default.
        with local_server() as srv:
            srv.reply = Reply(200, {"object": "list", "data": [
                {"id": i, "object": "model", "created": 0, "owned_by": "o"}
                for i in ("gpt-image-2", "gpt-image-2.5-flare", "gpt-image-3-nova")]})
            p = ProviderConfig(name="o", kind="openai", api_key="k", base_url=srv.url + "/v1")
            cache.clear()
            from studio.models_registry.providers import default_model

            assert [m.name for m in available_models(p, today=TODAY)] == ["gpt-image-2", "gpt-image-3-nova"]
            assert default_model(p, today=TODAY).name == "gpt-image-3-nova"
            cache.clear()
    # The shipped registry is back once the setting is.
    assert get_model("gpt-image-2").prompt_max == 32000
    with pytest.raises(UnknownModel):
        get_model("gpt-image-3-nova")


def test_a_broken_file_names_the_model_and_key(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text('[models."m"]\noperations = ["generate"]\nprompt = { max = 10 }\n'
                    'size = { values = ["1024x1024"], default = "1024x1024" }\noptions.colour = { values = ["red"] }\n'
                    'price = { output = 1.0 }\n')
    with override_settings(STUDIO_MODEL_REGISTRY=str(path)):
        with pytest.raises(RegistryError, match="m: options.colour"):
            all_models()
        from django.core.checks import run_checks

        assert any(e.id == "models_registry.E001" for e in run_checks())


def test_in_place_edit_is_picked_up(tmp_path):
    path = tmp_path / "models.toml"
    path.write_text(REGISTRY_PATH.read_text())
    with override_settings(STUDIO_MODEL_REGISTRY=str(path)):
        assert get_model("dall-e-2").prompt_max == 1000
        text = path.read_text().replace('prompt = { max = 1000 }', 'prompt = { max = 900 }', 1)
        import os
        import time

        path.write_text(text)
        os.utime(path, ns=(time.time_ns(), time.time_ns() + 1_000_000))
        assert get_model("dall-e-2").prompt_max == 900
