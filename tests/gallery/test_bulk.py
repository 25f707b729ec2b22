"""Bulk actions on a gallery's ticked images, each image checked by its own page's rule; undo of a bulk move;
the trash's restore-all and delete-forever."""
import pytest
from django.core.files.storage import default_storage

from studio.audit.models import AuditEvent
from studio.gallery.models import Favourite, Image
from studio.workflow.models import ImageReview
from tests.gallery.factories import make_image

pytestmark = pytest.mark.django_db


@pytest.fixture
def mine(people):
    return [make_image(people["owner"], None, prompt=f"a private sketch {i}") for i in range(3)]


def _bulk(client, images, **data):
    return client.post("/gallery/bulk", {"ids": [str(i.pk) for i in images], "next": "/gallery/", **data})


def _teams(images):
    return [Image.objects.get(pk=i.pk).team_id for i in images]


def test_bulk_move_to_a_team_then_undo(client, people, team, mine):
    client.force_login(people["owner"])
    response = _bulk(client, mine, action="move", team=str(team.pk))
    assert response["Location"] == "/gallery/"
    assert _teams(mine) == [team.pk] * 3
    assert AuditEvent.objects.filter(action="image.moved").count() == 3  # one per image, in the team's trail
    tools = client.get("/gallery/bulk/tools", {"next": "/gallery/"}).content.decode()
    assert "Moved 3 images." in tools and 'name="token"' in tools
    token = tools.split('name="token" value="')[1].split('"')[0]
    assert "Moved 3 images." not in client.get("/gallery/bulk/tools").content.decode()  # shown once
    client.post("/gallery/bulk/undo", {"token": token, "next": "/gallery/"})
    assert _teams(mine) == [None] * 3
    # Someone else cannot use it.
    client.force_login(people["teammate"])
    response = client.post("/gallery/bulk/undo", {"token": token}, follow=True)
    assert "This undo belongs to someone else." in response.content.decode()


def test_bulk_move_skips_what_is_not_yours_and_says_so(client, people, team):
    own = make_image(people["teammate"], team)
    others = make_image(people["owner"], team)
    client.force_login(people["teammate"])
    response = _bulk(client, [own, others], action="move", team="")
    assert _teams([own, others]) == [None, team.pk]
    text = client.get(response["Location"]).content.decode()
    assert "Made private: 1 image." in text and "1 image left as they were" in text


def test_viewers_cannot_move_into_their_team(client, people, team):
    own = make_image(people["viewer"], None)
    client.force_login(people["viewer"])
    _bulk(client, [own], action="move", team=str(team.pk))
    assert _teams([own]) == [None]


def test_bulk_tag_star_and_trash(client, people, team, mine):
    client.force_login(people["owner"])
    _bulk(client, mine, action="tag", tag="Spring")
    assert all(Image.objects.get(pk=i.pk).tags.filter(name="spring").exists() for i in mine)
    _bulk(client, mine[:2], action="favourite")
    assert Favourite.objects.filter(user=people["owner"]).count() == 2
    _bulk(client, mine[:2], action="trash")
    assert Image.objects.filter(pk__in=[i.pk for i in mine], deleted_at__isnull=False).count() == 2
    assert AuditEvent.objects.filter(action="image.trashed").count() == 2


def test_outsiders_ids_are_not_there(client, people, mine):
    client.force_login(people["outsider"])
    response = _bulk(client, mine, action="trash")
    assert "Tick the images first" in client.get(response["Location"]).content.decode()
    assert not Image.objects.filter(deleted_at__isnull=False).exists()


def test_an_approved_image_is_skipped_by_a_bulk_trash(client, people, team):
    own = make_image(people["teammate"], team)
    ImageReview.objects.create(image=own, state="approved")
    client.force_login(people["teammate"])
    _bulk(client, [own], action="trash")  # its maker may
    assert Image.objects.get(pk=own.pk).deleted_at is not None


def test_restore_all_and_delete_forever(client, people, mine):
    client.force_login(people["owner"])
    _bulk(client, mine, action="trash")
    client.post("/trash/restore-all")
    assert not Image.objects.filter(deleted_at__isnull=False).exists()
    _bulk(client, mine, action="trash")
    keys = [Image.objects.get(pk=i.pk).storage_key for i in mine]
    response = client.post("/trash/delete-forever", {"scope": "all"}, follow=True)
    assert "cannot come back" in response.content.decode() and Image.objects.count() == 3  # not confirmed
    client.post("/trash/delete-forever", {"scope": "all", "confirm": "yes"})
    assert not Image.objects.filter(pk__in=[i.pk for i in mine]).exists()
    assert not any(default_storage.exists(key) for key in keys)
    purged = AuditEvent.objects.filter(action="image.purged")
    assert purged.count() == 3 and set(purged.values_list("actor_name", flat=True)) == {"owner"}


def test_delete_forever_touches_only_your_own_trash(client, people, team):
    theirs = make_image(people["teammate"], team)
    client.force_login(people["teammate"])
    _bulk(client, [theirs], action="trash")
    client.force_login(people["owner"])
    client.post("/trash/delete-forever", {"ids": str(theirs.pk), "confirm": "yes"})
    assert Image.objects.filter(pk=theirs.pk).exists()
