"""Share links: signed, revocable, optionally expiring; one image, nothing else."""
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from studio.gallery import services
from studio.gallery.models import ShareLink


def test_owner_creates_and_revokes_from_the_image_page(client, people, private_image):
    client.force_login(people["owner"])
    client.post(reverse("gallery:share", args=[private_image.pk]), {"days": "7"})
    link = ShareLink.objects.get(image=private_image)
    assert link.expires_at > timezone.now() + timedelta(days=6)
    page = client.get(private_image.get_absolute_url()).content.decode()
    assert link.get_absolute_url() in page
    client.logout()
    shared = client.get(link.get_absolute_url())
    assert shared.status_code == 200 and "teapot" in shared.content.decode()
    assert shared["Referrer-Policy"] == "no-referrer" and "no-store" in shared["Cache-Control"]
    client.force_login(people["owner"])
    client.post(reverse("gallery:revoke_share", args=[private_image.pk, link.pk]))
    client.logout()
    assert client.get(link.get_absolute_url()).status_code == 404


def test_expired_link_shows_nothing(client, people, private_image):
    link = services.create_share_link(private_image, user=people["owner"], expires_in_days=1)
    assert client.get(link.get_absolute_url()).status_code == 200
    ShareLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.get(link.get_absolute_url()).status_code == 404
    assert client.get(reverse("gallery:shared_file", args=[link.token])).status_code == 404


def test_tampered_or_unsigned_tokens_are_refused(client, people, private_image):
    link = services.create_share_link(private_image, user=people["owner"])
    assert client.get(reverse("gallery:shared", args=[link.key])).status_code == 404  # key without signature
    forged = link.key + ":" + "A" * 43
    assert client.get(reverse("gallery:shared", args=[forged])).status_code == 404


def test_trashed_image_is_not_shared(client, people, private_image):
    link = services.create_share_link(private_image, user=people["owner"])
    services.trash_image(private_image)
    assert client.get(link.get_absolute_url()).status_code == 404
    services.restore_image(private_image)
    assert client.get(link.get_absolute_url()).status_code == 200


def test_share_page_names_no_other_image(client, people, team, make_image):
    parent = make_image(people["owner"], team, prompt="the parent")
    child = make_image(people["owner"], team, prompt="the child", parent=parent)
    link = services.create_share_link(child, user=people["owner"])
    html = client.get(link.get_absolute_url()).content.decode()
    assert "the child" in html and "the parent" not in html and f"/images/{child.pk}/" not in html
