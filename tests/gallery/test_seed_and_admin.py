"""seed_archive fills the archive so that every page renders; the admin pages load."""
import pytest
from django.core.management import call_command
from django.urls import reverse

from studio.gallery.models import Image
from studio.generation.models import Job


@pytest.mark.django_db(transaction=True)
def test_seed_archive_makes_a_browsable_archive(client):
    call_command("seed_archive", images=500, teams=3, people=12)
    assert Image.objects.count() == 500
    assert Image.objects.filter(parent__isnull=False).exists()
    assert Image.objects.filter(team__isnull=True).exists() and Image.objects.filter(team__isnull=False).exists()
    assert Job.objects.filter(kind__in=["edit", "variation"], source_image__isnull=False).exists()
    child = Image.objects.filter(parent__isnull=False, team__isnull=False, deleted_at__isnull=True).first()
    member = child.team.memberships.first().user
    client.force_login(member)
    assert client.get(reverse("gallery:team", args=[child.team.slug])).status_code == 200
    assert client.get(child.get_absolute_url()).status_code == 200
    assert client.get(reverse("gallery:thumb", args=[child.pk])).status_code == 200
    word = child.prompt.split()[2]
    assert client.get(reverse("gallery:search"), {"q": word}).context["images"]
    call_command("seed_archive", images=10, teams=3, people=12)  # runs again: adds
    assert Image.objects.count() == 510


@pytest.mark.parametrize("url", ["admin:gallery_image_changelist", "admin:generation_job_changelist",
                                 "admin:accounts_team_changelist", "admin:accounts_membership_changelist",
                                 "admin:gallery_sharelink_changelist", "admin:gallery_tag_changelist"])
def test_admin_pages(admin_client, people, team_image, url):
    assert admin_client.get(reverse(url)).status_code == 200
    assert admin_client.get(reverse(url), {"q": "fox"}).status_code == 200


def test_admin_image_filters(admin_client, team_image):
    url = reverse("admin:gallery_image_changelist")
    assert admin_client.get(url, {"trash": "trashed"}).status_code == 200
    assert admin_client.get(url, {"status__exact": "stored", "model": "dall-e-2"}).status_code == 200
    assert admin_client.get(reverse("admin:gallery_image_change", args=[team_image.pk])).status_code == 200
    assert admin_client.get(reverse("admin:generation_job_change", args=[team_image.job_id])).status_code == 200
