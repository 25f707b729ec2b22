"""The live check answers what submit would: the same form, so the registry's own words."""
import pytest
from django.urls import reverse


@pytest.fixture
def owner_client(client, people):
    client.force_login(people["owner"])
    return client


def test_a_number_of_images_the_model_refuses_is_named_at_its_field(owner_client):
    answer = owner_client.get(reverse("generation:check"), {"model": "dall-e-2", "prompt": "a cat", "n": "40",
                                                            "size": "1024x1024"}).json()
    assert answer["fields"]["n"] == ["Number of images is 40; dall-e-2 accepts at most 10."]
    submitted = owner_client.post(reverse("generation:new"), {"model": "dall-e-2", "prompt": "a cat", "n": "40",
                                                              "size": "1024x1024"})
    assert answer["fields"]["n"][0] in submitted.content.decode()


def test_a_valid_form_has_no_problems(owner_client):
    answer = owner_client.get(reverse("generation:check"), {"model": "dall-e-2", "prompt": "a cat", "n": "2",
                                                            "size": "512x512"}).json()
    assert answer == {"fields": {}, "form": []}


def test_the_check_of_a_variation_needs_an_image_you_may_see(client, people, make_image):
    private = make_image(people["owner"])
    client.force_login(people["outsider"])
    assert client.get(reverse("generation:check"), {"operation": "variation", "source": private.pk}).status_code == 404
