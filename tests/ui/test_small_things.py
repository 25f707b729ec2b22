from datetime import timedelta

from django.utils import timezone

from studio.gallery.selectors import models_in_archive
from studio.gallery.templatetags.when import ago
from studio.generation.selectors import history_page


def test_ago_says_just_now_under_a_minute():
    assert ago(timezone.now() - timedelta(seconds=20)) == "just now"
    assert ago(timezone.now() - timedelta(minutes=5, seconds=3)) == "5\xa0minutes ago"
    assert ago(None) == ""


def test_the_model_filter_offers_only_models_in_what_you_may_see(people, team, make_image):
    make_image(people["owner"], model="dall-e-3")
    make_image(people["owner"], team=team, model="gpt-image-1")
    make_image(people["outsider"], model="dall-e-2")  # not yours to see
    assert models_in_archive(people["teammate"]) == ["gpt-image-1"]
    assert models_in_archive(people["owner"]) == ["dall-e-3", "gpt-image-1"]


def test_history_search_matches_every_word_of_the_prompt_or_revised_prompt(people, make_image):
    make_image(people["owner"], prompt="a red kite over dunes")
    make_image(people["owner"], prompt="a lantern", revised_prompt="A paper lantern glowing in snow")
    found = lambda q: [job.prompt for job in history_page(people["owner"], query=q).items]  # noqa: E731
    assert found("kite dunes") == ["a red kite over dunes"]
    assert found("snow") == ["a lantern"]
    assert found("kite snow") == []
