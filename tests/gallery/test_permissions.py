"""The permission matrix: every URL that shows an image, a prompt or bytes, as five people.

Owner and teammates (member or viewer role) see a team image; only its owner sees a private one;
an outsider gets 404 everywhere, so ids leak nothing; someone signed out is sent to sign in for pages
and gets 404 for bytes.
"""
import pytest
from django.urls import reverse

from studio.gallery import services

from .conftest import login

PEOPLE = ["owner", "teammate", "viewer", "outsider", "anonymous"]
SIGN_IN = "redirect"

# url name -> expected answer per person, for an image shared with the team
TEAM_IMAGE = {
    "gallery:image": [200, 200, 200, 404, SIGN_IN],
    "gallery:family": [200, 200, 200, 404, SIGN_IN],
    "gallery:file": [200, 200, 200, 404, 404],
    "gallery:thumb": [200, 200, 200, 404, 404],
}
PRIVATE_IMAGE = {
    "gallery:image": [200, 404, 404, 404, SIGN_IN],
    "gallery:family": [200, 404, 404, 404, SIGN_IN],
    "gallery:file": [200, 404, 404, 404, 404],
    "gallery:thumb": [200, 404, 404, 404, 404],
}


def _check(response, expected):
    if expected == SIGN_IN:
        assert response.status_code == 302 and reverse("login") in response["Location"]
    else:
        assert response.status_code == expected


def _cases(table):
    return [(name, who, answers[i]) for name, answers in table.items() for i, who in enumerate(PEOPLE)]


@pytest.mark.parametrize("name, who, expected", _cases(TEAM_IMAGE))
def test_team_image_urls(client, people, team_image, name, who, expected):
    login(client, people, who)
    _check(client.get(reverse(name, args=[team_image.pk])), expected)


@pytest.mark.parametrize("name, who, expected", _cases(PRIVATE_IMAGE))
def test_private_image_urls(client, people, private_image, name, who, expected):
    login(client, people, who)
    _check(client.get(reverse(name, args=[private_image.pk])), expected)


@pytest.mark.parametrize("name, who, expected", _cases(TEAM_IMAGE))
def test_trashed_image_is_gone_for_everyone(client, people, team_image, name, who, expected):
    services.trash_image(team_image)
    login(client, people, who)
    _check(client.get(reverse(name, args=[team_image.pk])), SIGN_IN if expected == SIGN_IN else 404)


def test_unknown_id_looks_like_a_forbidden_one(client, people, private_image):
    client.force_login(people["outsider"])
    forbidden = client.get(reverse("gallery:image", args=[private_image.pk]))
    missing = client.get(reverse("gallery:image", args=[private_image.pk + 1000]))
    assert forbidden.status_code == missing.status_code == 404
    assert forbidden.content == missing.content


# Pages that list images or prompts: who sees the team image's prompt on them.
LISTINGS = [
    ("gallery:team", lambda t: [t.slug], {}, [True, True, True, 404, SIGN_IN]),
    ("generation:team_history", lambda t: [t.slug], {}, [True, True, True, 404, SIGN_IN]),
    ("gallery:search", lambda t: [], {"q": "fox"}, [True, True, True, False, SIGN_IN]),
    ("gallery:mine", lambda t: [], {}, [True, False, False, False, SIGN_IN]),
    ("generation:history", lambda t: [], {}, [True, False, False, False, SIGN_IN]),
]


@pytest.mark.parametrize("name, args, query, who, expected",
                         [(n, a, q, who, e[i]) for n, a, q, e in LISTINGS for i, who in enumerate(PEOPLE)])
def test_listings(client, people, team, team_image, private_image, name, args, query, who, expected):
    login(client, people, who)
    response = client.get(reverse(name, args=args(team)), query)
    if expected in (SIGN_IN, 404):
        _check(response, expected)
        return
    assert response.status_code == 200
    html = response.content.decode()
    assert ("a red fox in a snowy forest" in html) is expected
    # The private image shows only in its owner's own listings, never in team or search pages of others.
    if who != "owner":
        assert "teapot" not in html


@pytest.mark.parametrize("who, expected", list(zip(PEOPLE, [True, True, True, False, SIGN_IN])))
def test_team_export(client, people, team, team_image, private_image, who, expected):
    import io
    import zipfile

    login(client, people, who)
    response = client.get(reverse("gallery:export"), {"team": team.slug})
    if expected == SIGN_IN:
        return _check(response, SIGN_IN)
    if expected is False:
        assert response.status_code == 404
        return
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    names = archive.namelist()
    # One image, and its JSON sidecar beside it (issue 20).
    assert "manifest.json" in names and len([n for n in names if n.startswith("images/")]) == 2
    assert [n for n in names if n.startswith("images/") and not n.endswith(".json")] == [
        f"images/a-red-fox-in-a-snowy-{team_image.pk}.png"]


@pytest.mark.parametrize("who", PEOPLE)
def test_export_of_a_selection_only_holds_what_you_may_see(client, people, team_image, private_image, who):
    import io
    import json
    import zipfile

    login(client, people, who)
    response = client.get(reverse("gallery:export"), {"ids": [team_image.pk, private_image.pk]})
    if who == "anonymous":
        return _check(response, SIGN_IN)
    manifest = json.loads(zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))).read("manifest.json"))
    expected = {"owner": {team_image.pk, private_image.pk}, "teammate": {team_image.pk}, "viewer": {team_image.pk},
                "outsider": set()}[who]
    assert {row["id"] for row in manifest} == expected


@pytest.mark.parametrize("who, expected", list(zip(PEOPLE, [200, 404, 404, 404, 404])))
def test_trash_thumbnail_only_for_its_owner(client, people, team_image, who, expected):
    services.trash_image(team_image)
    login(client, people, who)
    assert client.get(reverse("gallery:trash_thumb", args=[team_image.pk])).status_code == expected


# --- share links: anyone with a live link, nobody after revocation or expiry ----------------------

@pytest.mark.parametrize("who", PEOPLE)
def test_share_link_shows_to_everyone_until_revoked(client, people, private_image, who):
    link = services.create_share_link(private_image, user=people["owner"])
    login(client, people, who)
    urls = [reverse("gallery:shared", args=[link.token]), reverse("gallery:shared_file", args=[link.token]),
            reverse("gallery:shared_thumb", args=[link.token])]
    for url in urls:
        assert client.get(url).status_code == 200
    services.revoke_share_link(link)
    for url in urls:
        assert client.get(url).status_code == 404


# --- changes: viewers look but do not change -------------------------------------------------------

CHANGES = [
    # (url name, POST data, who may) on a team image made by the owner
    ("gallery:delete", {}, {"owner"}),
    ("gallery:add_tag", {"name": "keep"}, {"owner", "teammate"}),
    ("gallery:share", {}, {"owner"}),
    ("gallery:move", {"team": ""}, {"owner"}),
    ("gallery:favourite", {"on": "1"}, {"owner", "teammate", "viewer"}),
]


@pytest.mark.parametrize("name, data, allowed", CHANGES)
@pytest.mark.parametrize("who", ["owner", "teammate", "viewer", "outsider"])
def test_who_may_change_a_team_image(client, people, team_image, name, data, allowed, who):
    from studio.gallery.models import Image

    before = Image.objects.filter(pk=team_image.pk).values().get()
    client.force_login(people[who])
    response = client.post(reverse(name, args=[team_image.pk]), data)
    if who == "outsider":
        assert response.status_code == 404
        return
    assert response.status_code == 302
    after = Image.objects.filter(pk=team_image.pk).values().get()
    changed = (before != after or team_image.tags.exists() or team_image.share_links.exists()
               or team_image.favourites.exists())
    assert changed is (who in allowed)


def test_team_owner_may_take_a_members_image_out_of_the_team(client, people, team, make_image):
    image = make_image(people["teammate"], team)
    client.force_login(people["owner"])
    response = client.post(reverse("gallery:move", args=[image.pk]), {"team": ""})
    assert response.status_code == 302 and response["Location"] == reverse("gallery:team", args=[team.slug])
    image.refresh_from_db()
    assert image.team is None
    assert client.get(image.get_absolute_url()).status_code == 404  # private to its maker now
    client.force_login(people["teammate"])
    assert client.get(image.get_absolute_url()).status_code == 200


def test_moving_into_a_team_needs_create_rights_there(client, people, team, private_image):
    from studio.accounts.models import Membership, Team

    other = Team.objects.create(name="Elsewhere")
    Membership.objects.create(team=other, user=people["owner"], role=Membership.Role.VIEWER)
    client.force_login(people["owner"])
    client.post(reverse("gallery:move", args=[private_image.pk]), {"team": other.pk})
    private_image.refresh_from_db()
    assert private_image.team is None
    client.post(reverse("gallery:move", args=[private_image.pk]), {"team": team.pk})
    private_image.refresh_from_db()
    assert private_image.team == team
    client.force_login(people["viewer"])
    assert client.get(private_image.get_absolute_url()).status_code == 200


def test_restore_is_only_for_the_owner(client, people, team_image):
    services.trash_image(team_image)
    for who in ("teammate", "viewer", "outsider"):
        client.force_login(people[who])
        assert client.post(reverse("gallery:restore", args=[team_image.pk])).status_code == 404
    client.force_login(people["owner"])
    assert client.post(reverse("gallery:restore", args=[team_image.pk])).status_code == 302
    team_image.refresh_from_db()
    assert team_image.deleted_at is None
