"""Collections: personal or a team's, an image in many, added in bulk from a gallery or from an image page,
ordered (a whole order, or one step), and a read-only share link that dies by the image links' rule."""
from datetime import timedelta

import pytest
from django.utils import timezone

from studio.accounts.models import Membership
from studio.audit.models import AuditEvent
from studio.gallery import services as gallery_services
from studio.workflow import collection_services
from studio.workflow.models import Collection, CollectionItem
from tests.gallery.factories import make_image

pytestmark = pytest.mark.django_db


@pytest.fixture
def images(people, team):
    return [make_image(people["owner"], team, prompt=f"a team poster number {i}") for i in range(3)]


def _order(collection):
    return list(collection.items.order_by("position").values_list("image_id", flat=True))


def test_create_a_team_collection_and_add_ticked_images_from_the_gallery(client, people, team, images):
    client.force_login(people["teammate"])
    response = client.post("/collections/", {"name": "Spring campaign", "team": str(team.pk)})
    collection = Collection.objects.get()
    assert response["Location"] == collection.get_absolute_url() and collection.team == team
    assert 'data-fragment-url="/gallery/bulk/tools' in client.get(f"/teams/{team.slug}/").content.decode()
    tools = client.get("/gallery/bulk/tools", {"next": f"/teams/{team.slug}/"}).content.decode()
    assert 'data-takes-ticked="export-form"' in tools and "Spring campaign" in tools
    ids = [str(images[2].pk), str(images[0].pk)]
    client.post("/collections/add", {"collection": collection.pk, "ids": ids, "next": f"/teams/{team.slug}/"})
    assert _order(collection) == [images[2].pk, images[0].pk]
    # Again with one more: those already in it are not added twice.
    client.post("/collections/add", {"collection": collection.pk, "ids": [*ids, str(images[1].pk)]})
    assert _order(collection) == [images[2].pk, images[0].pk, images[1].pk]
    assert list(AuditEvent.objects.filter(action__startswith="collection").order_by("id")
                .values_list("action", flat=True)) == ["collection.created", "collection.images_added",
                                                       "collection.images_added"]


def test_an_image_in_many_collections_from_its_page(client, people, team, images):
    first = collection_services.create_collection(user=people["owner"], team=team, name="Alpha")
    second = collection_services.create_collection(user=people["owner"], team=None, name="Mine")
    client.force_login(people["owner"])
    page = client.get(images[0].get_absolute_url()).content.decode()
    assert "Add to collection" in page and "Alpha" in page and "Mine" in page
    for collection in (first, second):
        client.post("/collections/add", {"collection": collection.pk, "ids": str(images[0].pk)})
    assert set(images[0].collections.values_list("name", flat=True)) == {"Alpha", "Mine"}


def test_reorder_by_a_whole_order_and_by_one_step(client, people, team, images):
    collection = collection_services.create_collection(user=people["owner"], team=team, name="Order")
    collection_services.add_images(collection, images, user=people["owner"])
    client.force_login(people["teammate"])
    wanted = [images[2].pk, images[0].pk, images[1].pk]
    response = client.post(f"/collections/{collection.pk}/order", {"ids": wanted}, HTTP_X_REQUESTED_WITH="fetch")
    assert response.status_code == 200 and _order(collection) == wanted
    client.post(f"/collections/{collection.pk}/order", {"image": images[1].pk, "step": "up"})
    assert _order(collection) == [images[2].pk, images[1].pk, images[0].pk]
    client.post(f"/collections/{collection.pk}/order", {"image": images[2].pk, "step": "up"})  # already first
    assert AuditEvent.objects.filter(action="collection.reordered").count() == 2


def test_viewers_look_but_do_not_change_a_team_collection(client, people, team, images):
    collection = collection_services.create_collection(user=people["owner"], team=team, name="Look only")
    collection_services.add_images(collection, images[:2], user=people["owner"])
    client.force_login(people["viewer"])
    assert client.get(collection.get_absolute_url()).status_code == 200
    client.post("/collections/add", {"collection": collection.pk, "ids": str(images[2].pk)})
    client.post(f"/collections/{collection.pk}/order", {"ids": [images[1].pk, images[0].pk]})
    client.post(f"/collections/{collection.pk}/images/{images[0].pk}/remove")
    client.post(f"/collections/{collection.pk}/delete")
    assert _order(collection) == [images[0].pk, images[1].pk]
    assert client.post("/collections/", {"name": "x", "team": str(team.pk)}).status_code == 302
    assert Collection.objects.count() == 1


def test_a_collection_never_shows_an_image_its_reader_may_not_see(client, people, team, images):
    collection = collection_services.create_collection(user=people["owner"], team=team, name="Mixed")
    private = make_image(people["owner"], None, prompt="a private sketch zq-secret")
    collection_services.add_images(collection, [images[0], private], user=people["owner"])
    client.force_login(people["teammate"])
    page = client.get(collection.get_absolute_url()).content.decode()
    assert f"/images/{images[0].pk}/" in page and "zq-secret" not in page and f"/images/{private.pk}/" not in page
    # Nobody adds an image they cannot see.
    client.post("/collections/add", {"collection": collection.pk, "ids": str(make_image(people["outsider"]).pk)})
    assert collection.items.count() == 2
    client.force_login(people["outsider"])
    assert client.get(collection.get_absolute_url()).status_code == 404


def test_remove_and_delete_keep_the_images(client, people, team, images):
    collection = collection_services.create_collection(user=people["owner"], team=team, name="Gone soon")
    collection_services.add_images(collection, images, user=people["owner"])
    client.force_login(people["owner"])
    client.post(f"/collections/{collection.pk}/images/{images[0].pk}/remove")
    assert _order(collection) == [images[1].pk, images[2].pk]
    client.post(f"/collections/{collection.pk}/delete")
    assert not Collection.objects.exists() and not CollectionItem.objects.exists()
    assert all(type(i).objects.filter(pk=i.pk, deleted_at__isnull=True).exists() for i in images)


def test_bad_input_is_refused_with_a_sentence(client, people, team):
    client.force_login(people["owner"])
    response = client.post("/collections/", {"name": "  "}, follow=True)
    assert "Give the collection a name of 1 to 100 characters." in response.content.decode()
    collection = collection_services.create_collection(user=people["owner"], team=None, name="Empty")
    response = client.post("/collections/add", {"collection": collection.pk}, follow=True)
    assert "Tick the images to add first." in response.content.decode()
    assert client.post("/collections/add", {"collection": "nope", "ids": "1"}).status_code == 404


# --- the share link --------------------------------------------------------------------------------


def _link(client, collection):
    response = client.post(f"/collections/{collection.pk}/share", {"days": "7"})
    assert response.status_code == 302
    return collection.links.get().get_absolute_url()


def test_a_client_sees_the_collection_read_only_until_revoked(client, people, team, images):
    collection = collection_services.create_collection(user=people["owner"], team=team, name="For the client")
    collection_services.add_images(collection, images[:2], user=people["owner"])
    client.force_login(people["owner"])
    url = _link(client, collection)
    anonymous = client.__class__()
    page = anonymous.get(url)
    assert page.status_code == 200 and page["Cache-Control"] == "private, no-store"
    text = page.content.decode()
    assert "a team poster number 0" in text and "owner" not in text.replace("no-referrer", "")
    thumb = anonymous.get(f"{url}images/{images[0].pk}/thumb")
    assert thumb.status_code == 200
    assert anonymous.get(f"{url}images/{images[2].pk}/file").status_code == 404  # not in the collection
    link = collection.links.get()
    client.post(f"/collections/{collection.pk}/links/{link.pk}/revoke")
    assert anonymous.get(url).status_code == 404 and anonymous.get(f"{url}images/{images[0].pk}/thumb").status_code == 404


def test_the_link_dies_by_the_image_links_rule(client, people, team, images):
    """Shown only while its creator could still share: trashed images leave it, a member's image leaves it
    once its maker takes it out of the team, and the whole link dies with the creator's membership."""
    members_image = make_image(people["teammate"], team, prompt="a member's poster")
    collection = collection_services.create_collection(user=people["owner"], team=team, name="Rules")
    collection_services.add_images(collection, [images[0], images[1], members_image], user=people["owner"])
    client.force_login(people["owner"])
    url = _link(client, collection)
    anonymous = client.__class__()
    assert "a member&#x27;s poster" in anonymous.get(url).content.decode()
    gallery_services.trash_image(images[1], actor=people["owner"])
    gallery_services.move_image(members_image, None, actor=people["teammate"])  # its maker makes it private
    text = anonymous.get(url).content.decode()
    assert "a team poster number 0" in text and "number 1" not in text and "member&#x27;s poster" not in text
    assert anonymous.get(f"{url}images/{members_image.pk}/thumb").status_code == 404
    Membership.objects.filter(team=team, user=people["owner"]).delete()  # the creator leaves the team
    assert anonymous.get(url).status_code == 404


def test_an_expired_or_forged_link_shows_nothing(client, people, team, images):
    collection = collection_services.create_collection(user=people["owner"], team=team, name="Old")
    collection_services.add_images(collection, images[:1], user=people["owner"])
    link = collection_services.create_link(collection, user=people["owner"], expires_in_days=1)
    anonymous = client.__class__()
    assert anonymous.get(link.get_absolute_url()).status_code == 200
    type(link).objects.filter(pk=link.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert anonymous.get(link.get_absolute_url()).status_code == 404
    assert anonymous.get(f"/c/{link.key}:forged/").status_code == 404


def test_viewers_do_not_make_links(client, people, team, images):
    collection = collection_services.create_collection(user=people["owner"], team=team, name="No links")
    client.force_login(people["viewer"])
    client.post(f"/collections/{collection.pk}/share")
    assert not collection.links.exists()
