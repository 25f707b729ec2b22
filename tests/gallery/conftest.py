"""Fixtures for archive tests; images come from tests/gallery/factories.py."""
import pytest

from .factories import make_image as _make_image
from .factories import png_bytes  # noqa: F401 - re-exported for tests


@pytest.fixture
def make_image(db):
    """make_image(owner, team=None, prompt=..., parent=None, stored=True, data=None, **fields) -> Image."""
    return _make_image


@pytest.fixture
def team_image(make_image, people, team):
    """An image the owner made and shared with the team."""
    return make_image(people["owner"], team, prompt="a red fox in a snowy forest", revised_prompt="A red fox stands in deep snow.")


@pytest.fixture
def private_image(make_image, people):
    return make_image(people["owner"], None, prompt="a private sketch of a teapot")


def login(client, people, who):
    if who != "anonymous":
        client.force_login(people[who])
    return client
