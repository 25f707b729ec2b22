"""Every generation page that shows an image, a job, an upload or a preview, spoken to by the whole cast:
owner, teammate (member), viewer-role teammate, outsider and anonymous. And who may spend the team's money."""
import pytest
from django.urls import reverse

from studio.accounts.models import Membership
from studio.generation import uploads
from studio.generation.models import Job

from .conftest import picture

CAST = ("owner", "teammate", "viewer", "outsider", "anonymous")


def speak_as(client, people, who):
    client.logout()
    if who != "anonymous":
        client.force_login(people[who])
    return client


def expect(status_for_team: int, who: str) -> int:
    """Team-shared things: every member (any role) sees them; outsiders get 404, anonymous the login page."""
    return {"outsider": 404, "anonymous": 302}.get(who, status_for_team)


@pytest.fixture
def team_job(people, team):
    key = uploads.store(people["owner"], picture((64, 64)), "png")
    return Job.objects.create(owner=people["owner"], team=team, model="gpt-image-2", prompt="a lighthouse",
                              status="calling", previews=[key])


@pytest.mark.parametrize("who", CAST)
def test_team_job_pages_go_through_the_job_door(client, people, team_job, who):
    speak_as(client, people, who)
    for url in (team_job.get_absolute_url(),
                reverse("generation:job_status", args=[team_job.pk]),
                reverse("generation:job_status", args=[team_job.pk]) + "?compact=1",
                reverse("generation:job_preview", args=[team_job.pk, 0])):
        resp = client.get(url)
        assert resp.status_code == expect(200, who), (who, url)
        if who == "anonymous":
            assert resp["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("who", CAST)
def test_a_private_job_is_its_owners_alone(client, people, who):
    job = Job.objects.create(owner=people["owner"], model="dall-e-2", prompt="private", status="queued")
    speak_as(client, people, who)
    status = {"owner": 200, "anonymous": 302}.get(who, 404)
    assert client.get(job.get_absolute_url()).status_code == status
    assert client.get(reverse("generation:job_status", args=[job.pk])).status_code == status


@pytest.mark.parametrize("who", CAST)
def test_only_the_owner_may_retry_a_job(client, people, team_job, who):
    Job.objects.filter(pk=team_job.pk).update(status="failed")
    speak_as(client, people, who)
    resp = client.post(reverse("generation:job_retry", args=[team_job.pk]))
    assert resp.status_code == {"owner": 302, "anonymous": 302}.get(who, 404)
    assert Job.objects.count() == (2 if who == "owner" else 1)


@pytest.mark.parametrize("who", CAST)
def test_team_image_pages_go_through_the_image_door(client, people, team, make_image, who):
    image = make_image(people["owner"], team=team)
    other = make_image(people["owner"], team=team, parent=image)
    speak_as(client, people, who)
    for url in (reverse("generation:edit") + f"?source={image.pk}",
                reverse("generation:variation", args=[image.pk]),
                reverse("generation:prepare") + f"?source={image.pk}&for=edit&model=gpt-image-2",
                reverse("generation:compare", args=[image.pk, other.pk])):
        resp = client.get(url)
        # prepare answers with a redirect to the brush when the picture already fits the model
        assert resp.status_code in ((200, 302) if who not in ("outsider", "anonymous") else (expect(0, who),)), \
            (who, url, resp.status_code)


@pytest.mark.parametrize("who", CAST)
def test_a_private_image_is_its_owners_alone(client, people, make_image, who):
    image = make_image(people["owner"])
    mine = make_image(people["owner"])
    speak_as(client, people, who)
    status = {"owner": 200, "anonymous": 302}.get(who, 404)
    assert client.get(reverse("generation:edit"), {"source": image.pk}).status_code == status
    assert client.get(reverse("generation:variation", args=[image.pk])).status_code == status
    assert client.get(reverse("generation:compare", args=[image.pk, mine.pk])).status_code == status
    resp = client.post(reverse("generation:variation", args=[image.pk]), {"model": "dall-e-2", "n": "1"})
    assert resp.status_code == (302 if who in ("owner", "anonymous") else 404)
    assert Job.objects.filter(kind="variation").count() == (1 if who == "owner" else 0)


@pytest.mark.parametrize("who", CAST)
def test_uploads_are_their_uploaders_alone(client, people, who):
    key = uploads.store(people["owner"], picture(), "png")
    speak_as(client, people, who)
    status = {"owner": 200, "anonymous": 302}.get(who, 404)
    assert client.get(reverse("generation:upload_file", args=[key])).status_code == status
    assert client.get(reverse("generation:edit"), {"upload": key}).status_code == status
    assert client.get(reverse("generation:prepare"), {"upload": key}).status_code in (
        (200, 302) if who == "owner" else (status,))


def test_the_jobs_list_shows_only_your_own_jobs(client, people, team_job):
    for who in ("teammate", "viewer", "outsider"):
        speak_as(client, people, who)
        assert "a lighthouse" not in client.get(reverse("generation:jobs")).content.decode()
    speak_as(client, people, "owner")
    assert "a lighthouse" in client.get(reverse("generation:jobs")).content.decode()


# --- spending the team's money ----------------------------------------------------------------------
# Viewers look; owners and members spend. A viewer may still make pictures of their own (every signed-in
# person may), so an edit or variation of a team image by a viewer is billed to the viewer personally and
# stays private to them; sharing it with (and charging) the team is refused on the server, not only hidden.

GENERATE = {"prompt": "a red kite", "model": "dall-e-2", "size": "256x256", "n": "1"}


@pytest.mark.parametrize("who, allowed", [("owner", True), ("teammate", True), ("viewer", False), ("outsider", False)])
def test_only_owners_and_members_may_charge_a_generation_to_the_team(client, people, team, who, allowed):
    speak_as(client, people, who)
    resp = client.post("/", {**GENERATE, "team": team.pk})
    if allowed:
        assert resp.status_code == 302
        assert Job.objects.get().team == team
    else:
        assert resp.status_code == 422
        assert "Select a valid choice." in resp.content.decode()
        assert not Job.objects.exists()


def test_the_team_menu_offers_a_viewer_only_their_own_account(client, people, team):
    speak_as(client, people, "viewer")
    html = client.get("/").content.decode()
    assert f'<option value="{team.pk}"' not in html
    assert "Only me" in html


def test_a_viewers_variation_of_a_team_image_is_billed_to_the_viewer(client, people, team, make_image):
    image = make_image(people["owner"], team=team)
    speak_as(client, people, "viewer")
    refused = client.post(reverse("generation:variation", args=[image.pk]),
                          {"model": "dall-e-2", "size": "256x256", "n": "1", "team": team.pk})
    assert refused.status_code == 422 and not Job.objects.filter(kind="variation").exists()
    resp = client.post(reverse("generation:variation", args=[image.pk]), {"model": "dall-e-2", "size": "256x256", "n": "1"})
    assert resp.status_code == 302
    job = Job.objects.get(kind="variation")
    assert (job.owner, job.team, job.source_image) == (people["viewer"], None, image)


def test_a_viewers_edit_of_a_team_image_is_billed_to_the_viewer(client, people, team, make_image):
    image = make_image(people["owner"], team=team, model="gpt-image-2")
    speak_as(client, people, "viewer")
    edit = {"source": image.pk, "prompt": "add a boat", "model": "gpt-image-2", "n": "1"}
    refused = client.post(reverse("generation:edit"), {**edit, "team": team.pk})
    assert refused.status_code == 422 and not Job.objects.filter(kind="edit").exists()
    assert "add a boat</textarea>" in refused.content.decode()
    assert client.post(reverse("generation:edit"), edit).status_code == 302
    job = Job.objects.get(kind="edit")
    assert (job.owner, job.team, job.source_image) == (people["viewer"], None, image)


def test_a_member_demoted_to_viewer_retries_on_their_own_account(client, people, team):
    job = Job.objects.create(owner=people["teammate"], team=team, model="dall-e-2", prompt="p", status="failed",
                             params={"size": "256x256", "n": 1})
    Membership.objects.filter(user=people["teammate"], team=team).update(role=Membership.Role.VIEWER)
    speak_as(client, people, "teammate")
    assert client.post(reverse("generation:job_retry", args=[job.pk])).status_code == 302
    again = Job.objects.exclude(pk=job.pk).get()
    assert (again.owner, again.team) == (people["teammate"], None)


def test_a_retry_cannot_resend_a_team_picture_after_leaving_the_team(client, people, team, make_image):
    image = make_image(people["owner"], team=team)
    job = Job.objects.create(owner=people["teammate"], team=team, kind="variation", model="dall-e-2", prompt="",
                             status="failed", params={"size": "256x256", "n": 1}, source_image=image,
                             input_keys=[image.storage_key])
    Membership.objects.filter(user=people["teammate"], team=team).delete()
    speak_as(client, people, "teammate")
    resp = client.post(reverse("generation:job_retry", args=[job.pk]), follow=True)
    assert "no longer yours to use" in resp.content.decode()
    assert Job.objects.filter(kind="variation").count() == 1


def test_an_upload_by_one_person_cannot_be_edited_by_another(client, people):
    key = uploads.store(people["owner"], picture(), "png")
    speak_as(client, people, "teammate")
    resp = client.post(reverse("generation:edit"), {"upload": key, "prompt": "x", "model": "dall-e-2"})
    assert resp.status_code == 404
    assert not Job.objects.filter(kind="edit").exists()


# --- spend ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("who, sees_team, sees_people", [
    ("owner", True, True), ("teammate", True, False), ("viewer", True, False), ("outsider", False, False),
])
def test_spend_shows_a_team_to_its_members_and_who_spent_it_to_its_owners(client, people, team, who, sees_team,
                                                                           sees_people):
    from studio.generation import services

    services.submit_job(user=people["teammate"], team=team, model="dall-e-2", prompt="p",
                        params={"size": "1024x1024", "n": 1})  # its reservation is in the ledger
    speak_as(client, people, who)
    html = client.get(reverse("spending:spend")).content.decode()
    assert ("Team Design" in html) is sees_team
    assert ('data-label="Person">teammate</td>' in html) is sees_people
    client.logout()
    assert client.get(reverse("spending:spend")).status_code == 302
