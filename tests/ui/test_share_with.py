"""Where a new job goes (issue 12, item 1): no form carries a team the person does not see.

A variation or edit made from an image goes to the image's team only when the person may create there, else
it stays private; the full forms show "Share with" with its current choice, "Only me" on a person's first
visit and their last choice after that (kept on the server, so it follows them to any device).
"""
import re

import pytest
from django.test import Client
from django.urls import reverse

from studio.accounts.models import Membership, PersonSettings, Team
from studio.generation.models import Job

from .forms_on_page import as_post, form_defaults, read_form

GENERATE = {"prompt": "a red kite", "model": "dall-e-2", "size": "256x256", "n": "1"}
HIDDEN_TEAM = re.compile(r'<input[^>]*type="hidden"[^>]*name="team"|<input[^>]*name="team"[^>]*type="hidden"')


def _page(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def _share_with(client, url, form_id="job-form"):
    """The team pk (as a string) the form would send, "" for Only me."""
    return form_defaults(_page(client, url), form_id).get("team", [""])[0]


def _quick_variations(client, image):
    """Send the image page's "Make variations" form as the page served it."""
    html = _page(client, image.get_absolute_url())
    reader = read_form(html, "variation-form")
    assert "team" not in reader.hidden_names
    response = client.post(reverse("generation:variation", args=[image.pk]), as_post(reader.values))
    assert response.status_code == 302, response.content.decode()[:2000]
    return Job.objects.filter(kind="variation").latest("pk")


@pytest.fixture
def elsewhere(people):
    """Another team where the viewer of Design may create."""
    other = Team.objects.create(name="Elsewhere")
    Membership.objects.create(team=other, user=people["viewer"], role=Membership.Role.MEMBER)
    Membership.objects.create(team=other, user=people["owner"], role=Membership.Role.MEMBER)
    return other


# --- the quick form on the image page ---------------------------------------------------------------


def test_quick_variations_of_a_private_image_stay_private(client, people, team, elsewhere, make_image):
    image = make_image(people["owner"])  # private, though its maker may create in two teams
    client.force_login(people["owner"])
    job = _quick_variations(client, image)
    assert (job.owner, job.team) == (people["owner"], None)


def test_a_viewer_sends_quick_variations_nowhere_but_their_own_account(client, people, team, elsewhere, make_image):
    """A viewer of Design who may create in Elsewhere: Design's image must not reach Elsewhere unseen."""
    image = make_image(people["owner"], team=team)
    client.force_login(people["viewer"])
    job = _quick_variations(client, image)
    assert (job.owner, job.team, job.source_image) == (people["viewer"], None, image)


def test_quick_variations_of_a_team_image_go_to_the_team_for_its_creators(client, people, team, make_image):
    image = make_image(people["owner"], team=team)
    client.force_login(people["teammate"])
    assert _quick_variations(client, image).team == team


def test_the_quick_form_shows_where_the_variations_go(client, people, team, make_image):
    image = make_image(people["owner"], team=team)
    client.force_login(people["teammate"])
    html = _page(client, image.get_absolute_url())
    form = html.split('id="variation-form"', 1)[1].split("</form>", 1)[0]
    assert "Share with" in form and f'<option value="{team.pk}" selected>Design</option>' in form


@pytest.mark.parametrize("who", ["owner", "teammate", "viewer"])
def test_no_page_that_starts_a_job_hides_a_team_in_a_form(client, people, team, elsewhere, make_image, who):
    shared, private = make_image(people["owner"], team=team), make_image(people[who])
    client.force_login(people[who])
    for image in (shared, private):
        for url in (image.get_absolute_url(), reverse("generation:variation", args=[image.pk]),
                    reverse("generation:edit") + f"?source={image.pk}", "/"):
            assert not HIDDEN_TEAM.search(_page(client, url)), url


# --- the full forms: Only me first, then the last choice ------------------------------------------


def test_share_with_is_only_me_on_a_first_visit_then_the_last_choice(client, people, team):
    client.force_login(people["owner"])
    assert _share_with(client, "/") == ""
    assert client.post("/", {**GENERATE, "team": team.pk}).status_code == 302
    assert Job.objects.get().team == team
    another_device = Client()
    another_device.force_login(people["owner"])
    assert _share_with(another_device, "/") == str(team.pk)
    assert another_device.post("/", {**GENERATE, "team": ""}).status_code == 302
    assert _share_with(client, "/") == ""


def test_a_remembered_team_counts_only_while_the_person_may_create_there(client, people, team):
    client.force_login(people["teammate"])
    client.post("/", {**GENERATE, "team": team.pk})
    Membership.objects.filter(team=team, user=people["teammate"]).update(role=Membership.Role.VIEWER)
    assert _share_with(client, "/") == ""
    Membership.objects.filter(team=team, user=people["teammate"]).delete()
    assert _share_with(client, "/") == ""


def test_forms_from_an_image_follow_the_image_not_the_remembered_choice(client, people, team, make_image):
    client.force_login(people["owner"])
    client.post("/", {**GENERATE, "team": team.pk})  # remembered: Design
    private, shared = make_image(people["owner"]), make_image(people["owner"], team=team)
    for image, expected in ((private, ""), (shared, str(team.pk))):
        assert _share_with(client, reverse("generation:variation", args=[image.pk])) == expected
        assert _share_with(client, reverse("generation:edit") + f"?source={image.pk}") == expected


def test_the_full_variation_form_remembers_the_choice_and_the_quick_form_does_not(client, people, team, make_image):
    image = make_image(people["owner"], team=team)
    client.force_login(people["owner"])
    _quick_variations(client, image)  # went to Design, as its source: not a choice to remember
    assert not PersonSettings.objects.filter(user=people["owner"]).exists()
    assert _share_with(client, "/") == ""
    page = _page(client, reverse("generation:variation", args=[image.pk]))
    sent = form_defaults(page, "job-form")
    assert sent["team"] == [str(team.pk)]
    assert client.post(reverse("generation:variation", args=[image.pk]), as_post(sent)).status_code == 302
    assert _share_with(client, "/") == str(team.pk)


# --- Try again says where the new job goes ------------------------------------------------------------


@pytest.mark.parametrize("role, expected", [(Membership.Role.MEMBER, "shared with Design"),
                                            (Membership.Role.VIEWER, "private to you")])
def test_try_again_says_where_the_new_job_goes(client, people, team, role, expected):
    job = Job.objects.create(owner=people["teammate"], team=team, model="dall-e-2", prompt="p", status="failed",
                             params={"size": "256x256", "n": 1})
    Membership.objects.filter(team=team, user=people["teammate"]).update(role=role)
    client.force_login(people["teammate"])
    html = _page(client, job.get_absolute_url())
    assert expected in html
    client.post(reverse("generation:job_retry", args=[job.pk]))
    again = Job.objects.exclude(pk=job.pk).get()
    assert again.team == (team if role == Membership.Role.MEMBER else None)
