"""Destructive actions ask on GET and act on POST; gone pages explain themselves without telling an
outsider that a private image exists; the 500 page needs neither the database nor context processors."""
import pytest
from django.test import Client, RequestFactory

from studio.error_pages import server_error
from studio.gallery import services as gallery_services


@pytest.fixture
def image(make_image, people, team):
    return make_image(people["owner"], team=team, prompt="a heron in the mist")


def test_trash_asks_on_get_and_acts_on_post(client, people, image):
    client.force_login(people["owner"])
    url = f"/images/{image.pk}/delete"
    page = client.get(url)
    assert page.status_code == 200 and b"to the trash?" in page.content
    image.refresh_from_db()
    assert image.deleted_at is None
    done = client.post(url, follow=True)
    assert b"Undo" in done.content
    image.refresh_from_db()
    assert image.deleted_at is not None


@pytest.mark.parametrize("who", ["teammate", "outsider"])
def test_only_the_owner_learns_an_image_is_in_the_trash(people, image, who):
    gallery_services.trash_image(image, actor=people["owner"])
    owner, other = Client(), Client()
    owner.force_login(people["owner"])
    other.force_login(people[who])
    mine = owner.get(image.get_absolute_url())
    assert mine.status_code == 404 and b"This image is in the trash" in mine.content
    theirs = other.get(image.get_absolute_url())
    missing = other.get("/images/999999/")
    assert theirs.status_code == missing.status_code == 404
    assert b"in the trash" not in theirs.content and b"heron" not in theirs.content
    assert b"Page not found" in theirs.content and b"Page not found" in missing.content


def test_a_revoked_link_says_so(client, people, image):
    link = gallery_services.create_share_link(image, user=people["owner"])
    gallery_services.revoke_share_link(link, actor=people["owner"])
    page = client.get(link.get_absolute_url())
    assert page.status_code == 404
    assert b"This link was revoked or has expired" in page.content and b"heron" not in page.content
    unknown = client.get("/s/not-a-token/")
    assert unknown.status_code == 404 and b"This link was revoked or has expired" in unknown.content


@pytest.mark.parametrize("debug", [False, True])
def test_gone_pages_are_friendly_with_debug_on_and_off(client, settings, people, image, debug):
    settings.DEBUG = debug
    gallery_services.trash_image(image, actor=people["owner"])
    client.force_login(people["owner"])
    assert b"This image is in the trash" in client.get(image.get_absolute_url()).content


def test_the_404_page_is_ours(client, people):
    client.force_login(people["owner"])
    page = client.get("/no-such-page/")
    assert page.status_code == 404 and b"Page not found" in page.content and b"Generate" in page.content


def test_the_500_page_needs_no_database():
    # No `db` fixture: pytest-django refuses any query, so this passes only if the page makes none.
    response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500 and b"Something went wrong" in response.content
