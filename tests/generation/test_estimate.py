import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("query, expected", [
    ({"model": "dall-e-2", "size": "256x256", "n": "2"}, "Estimated cost: $0.032"),
    ({"model": "dall-e-3", "size": "1792x1024", "n": "1", "quality": "hd"}, "Estimated cost: $0.120"),
    # "auto" lets the model choose, so the figure is the dearest it may choose.
    ({"model": "gpt-image-2", "size": "1024x1024", "n": "1", "quality": "auto"}, "Estimated cost: up to $"),
    ({"model": "gpt-image-2", "size": "auto", "n": "1", "quality": "low"}, "Estimated cost: up to $"),
    ({"model": "gpt-image-2", "size": "1024x1024", "n": "1", "quality": "low"}, "Estimated cost: $"),
    # Options the model refuses get no figure at all.
    ({"model": "gpt-image-2", "size": "100x1000", "n": "1"}, ""),
    ({"model": "dall-e-2", "size": "256x256", "n": "11"}, ""),
    ({"model": "dall-e-2", "size": "256x256", "n": "two"}, ""),
    ({"model": "no-such-model"}, ""),
])
def test_cost_estimate_line(client, owner, query, expected):
    client.force_login(owner)
    text = client.get("/estimate", query).content.decode()
    assert text.startswith(expected) and (expected or text == "")
    if expected.endswith("$"):
        assert "up to" not in text or "up to" in expected
