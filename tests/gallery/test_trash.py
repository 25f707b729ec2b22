"""Trash: delete hides, restore brings back, purge after STUDIO_TRASH_DAYS removes rows and files."""
from datetime import timedelta

from django.core.files.storage import default_storage
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from studio.gallery import services, tasks
from studio.gallery.models import Image


def test_delete_restore_round_trip(client, people, team_image):
    client.force_login(people["owner"])
    response = client.post(reverse("gallery:delete", args=[team_image.pk]))
    assert response.status_code == 302
    assert client.get(team_image.get_absolute_url()).status_code == 404
    trash = client.get(reverse("gallery:trash"))
    assert [i.pk for i in trash.context["images"]] == [team_image.pk]
    assert client.get(reverse("gallery:trash_thumb", args=[team_image.pk])).status_code == 200
    client.post(reverse("gallery:restore", args=[team_image.pk]))
    assert client.get(team_image.get_absolute_url()).status_code == 200
    assert client.get(reverse("gallery:trash")).context["images"] == []


def test_purge_removes_old_trash_and_its_files(people, team, make_image, settings):
    settings.STUDIO_TRASH_DAYS = 30
    old = make_image(people["owner"], team)
    recent = make_image(people["owner"], team)
    live = make_image(people["owner"], team)
    child = make_image(people["owner"], team, parent=old)
    now = timezone.now()
    services.trash_image(old, now=now - timedelta(days=31))
    services.trash_image(recent, now=now - timedelta(days=29))
    assert default_storage.exists(old.storage_key) and default_storage.exists(old.thumb_key)
    assert services.purge_trash() == 1
    assert not Image.objects.filter(pk=old.pk).exists()
    assert not default_storage.exists(old.storage_key) and not default_storage.exists(old.thumb_key)
    assert Image.objects.filter(pk__in=[recent.pk, live.pk, child.pk]).count() == 3
    assert default_storage.exists(recent.storage_key)
    child.refresh_from_db()
    assert child.parent_id is None  # the family loses a member, not its children
    assert services.purge_trash() == 0  # idempotent


def test_purge_command_and_task(people, team, make_image, settings):
    settings.STUDIO_TRASH_DAYS = 1
    a, b = make_image(people["owner"], team), make_image(people["owner"], team)
    services.trash_image(a, now=timezone.now() - timedelta(days=2))
    call_command("purge_trash")
    assert not Image.objects.filter(pk=a.pk).exists()
    services.trash_image(b, now=timezone.now() - timedelta(days=2))
    assert tasks.purge_trash.apply().get() == 1


def test_purge_survives_a_missing_file(people, team, make_image, settings):
    image = make_image(people["owner"], team)
    default_storage.delete(image.storage_key)
    services.trash_image(image, now=timezone.now() - timedelta(days=settings.STUDIO_TRASH_DAYS + 1))
    assert services.purge_trash() == 1
