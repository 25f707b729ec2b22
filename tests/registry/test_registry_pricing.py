from decimal import Decimal

import pytest

from studio.models_registry.pricing import actual_cost, estimate_cost
from studio.models_registry.registry import all_models, get_model


@pytest.mark.parametrize("size, quality, price", [
    ("1024x1024", "standard", "0.04"), ("1024x1024", "hd", "0.08"),
    ("1792x1024", "standard", "0.08"), ("1024x1792", "hd", "0.12"),
])
def test_dalle3_per_image(size, quality, price):
    spec = get_model("dall-e-3")
    assert estimate_cost(spec, "generate", {"size": size, "quality": quality}) == Decimal(price)
    assert actual_cost(spec, {"size": size, "quality": quality}, None, 1) == Decimal(price)


def test_dalle2_per_image_times_n():
    spec = get_model("dall-e-2")
    assert estimate_cost(spec, "generate", {"size": "256x256", "n": 10}) == Decimal("0.16")
    assert estimate_cost(spec, "variation", {"size": "512x512", "n": 2}) == Decimal("0.036")
    assert actual_cost(spec, {"size": "1024x1024", "n": 3}, None, 2) == Decimal("0.04")  # what came back


def test_tokens_from_usage():
    spec = get_model("gpt-image-2")  # 5 / 8 / 30 USD per million
    usage = {"input_tokens": 1100, "input_tokens_details": {"text_tokens": 100, "image_tokens": 1000},
             "output_tokens": 4160, "total_tokens": 5260}
    expected = (Decimal(100) * 5 + Decimal(1000) * 8 + Decimal(4160) * 30) / Decimal(1_000_000)
    assert actual_cost(spec, {}, usage, 1) == expected.quantize(Decimal("0.000001"))


def test_sdk_usage_object_works_too():
    from openai.types.images_response import Usage

    usage = Usage(input_tokens=10, input_tokens_details={"text_tokens": 10, "image_tokens": 0}, output_tokens=272,
                  total_tokens=282)
    assert actual_cost(get_model("gpt-image-2"), {}, usage, 1) == Decimal("0.008210")


def test_estimate_grows_with_quality_size_and_n():
    spec = get_model("gpt-image-2.5-sunburst")
    low = estimate_cost(spec, "generate", {"prompt": "a", "quality": "low", "size": "1024x1024"})
    high = estimate_cost(spec, "generate", {"prompt": "a", "quality": "high", "size": "1024x1024"})
    big = estimate_cost(spec, "generate", {"prompt": "a", "quality": "high", "size": "2048x2048"})
    four = estimate_cost(spec, "generate", {"prompt": "a", "quality": "high", "size": "2048x2048", "n": 4})
    assert low < high < big < four


@pytest.mark.parametrize("spec", all_models(), ids=lambda s: s.name)
def test_every_model_and_operation_has_an_estimate(spec):
    for op in spec.operations:
        for size in spec.sizes:
            assert estimate_cost(spec, op, {"prompt": "a cat", "size": size}) > 0
