import pytest

from .factories import picture, stored_image  # noqa: F401  (picture is imported by the tests from here)


@pytest.fixture
def make_image(db):
    return stored_image
