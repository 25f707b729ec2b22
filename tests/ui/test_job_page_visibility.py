"""The job page and its status fragment show only what `visible_to` lets the viewer see now (issue 12, item 3).

A member's team job made four pictures; since then one was made private, one moved to another team and one
trashed. Teammates see the one still shared with them, its revised prompt and nothing of the others; the
maker sees everything but the trash.
"""
import pytest
from django.urls import reverse

from studio.accounts.models import Membership, Team
from studio.gallery import services
from studio.gallery.models import Image
from studio.generation.models import Job

from .factories import stored_image


@pytest.fixture
def scattered_job(people, team):
    maker = people["teammate"]
    elsewhere = Team.objects.create(name="Elsewhere")
    Membership.objects.create(team=elsewhere, user=maker, role=Membership.Role.MEMBER)
    job = Job.objects.create(owner=maker, team=team, model="dall-e-3", prompt="a harbour", status=Job.Status.DONE,
                             params={"size": "256x256", "n": 4})
    images = {}
    for index, (name, revised) in enumerate([("shared", ""), ("private", "REVISED-PRIVATE"),
                                              ("moved", "REVISED-MOVED"), ("trashed", "REVISED-TRASHED")]):
        image = stored_image(maker, team=team, prompt="a harbour", revised_prompt=revised)
        Image.objects.filter(pk=image.pk).update(job=job, index=index)
        images[name] = image
    services.move_image(images["private"], None)
    services.move_image(images["moved"], elsewhere)
    services.trash_image(images["trashed"])
    return job, images


def _pages(client, job):
    return [client.get(url).content.decode() for url in (
        job.get_absolute_url(), reverse("generation:job_status", args=[job.pk]))]


@pytest.mark.parametrize("who", ["owner", "viewer"])
def test_teammates_see_only_the_pictures_still_shared_with_them(client, people, scattered_job, who):
    job, images = scattered_job
    client.force_login(people[who])
    for html in _pages(client, job):
        assert images["shared"].get_absolute_url() in html
        for gone in ("private", "moved", "trashed"):
            assert images[gone].get_absolute_url() not in html, gone
            assert reverse("gallery:thumb", args=[images[gone].pk]) not in html, gone
        for revised in ("REVISED-PRIVATE", "REVISED-MOVED", "REVISED-TRASHED"):
            assert revised not in html


def test_the_maker_sees_everything_but_the_trash(client, people, scattered_job):
    job, images = scattered_job
    client.force_login(people["teammate"])
    html, fragment = _pages(client, job)
    for name in ("shared", "private", "moved"):
        assert images[name].get_absolute_url() in html and images[name].get_absolute_url() in fragment
    assert images["trashed"].get_absolute_url() not in html
    assert "REVISED-PRIVATE" in html or "REVISED-MOVED" in html
    assert "REVISED-TRASHED" not in html


def test_a_team_job_whose_pictures_all_left_the_team_is_its_makers_alone(client, people, team):
    """Its prompt is the prompt of pictures made private: teammates no longer see the job at all."""
    image = stored_image(people["teammate"], team=team, prompt="a secret harbour", revised_prompt="A secret.")
    services.move_image(image, None)
    job = image.job
    for who, status in (("owner", 404), ("viewer", 404), ("outsider", 404), ("teammate", 200)):
        client.force_login(people[who])
        for url in (job.get_absolute_url(), reverse("generation:job_status", args=[job.pk])):
            response = client.get(url)
            assert response.status_code == status, (who, url)
            if status == 404:
                assert "a secret harbour" not in response.content.decode()


def test_a_team_job_without_pictures_yet_is_the_teams(client, people, team):
    job = Job.objects.create(owner=people["teammate"], team=team, model="dall-e-2", prompt="p", status="calling")
    client.force_login(people["viewer"])
    assert client.get(job.get_absolute_url()).status_code == 200


def test_the_job_page_links_its_source_only_for_people_who_may_see_it(client, people, team):
    source = stored_image(people["teammate"], team=team, prompt="the source")
    child = stored_image(people["teammate"], team=team, prompt="the child", parent=source)
    Job.objects.filter(pk=child.job_id).update(source_image=source, kind="variation")
    services.move_image(source, None)
    client.force_login(people["viewer"])
    html = client.get(child.job.get_absolute_url()).content.decode()
    assert source.get_absolute_url() not in html
    client.force_login(people["teammate"])
    assert source.get_absolute_url() in client.get(child.job.get_absolute_url()).content.decode()
