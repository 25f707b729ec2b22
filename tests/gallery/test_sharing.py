"""Share links: signed, revocable, optionally expiring; one image, nothing else."""
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from studio.accounts.models import Membership, Team
from studio.gallery import services
from studio.gallery.models import ShareLink


def _urls(link):
    return [reverse(f"gallery:{name}", args=[link.token]) for name in ("shared", "shared_file", "shared_thumb")]


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


def test_trashing_an_image_ends_its_links_for_good(client, people, private_image):
    """A link dead while its image was in the trash stays dead after a restore (issue 12: it came back)."""
    link = services.create_share_link(private_image, user=people["owner"])
    services.trash_image(private_image)
    assert client.get(link.get_absolute_url()).status_code == 404
    services.restore_image(private_image)
    for url in _urls(link):
        assert client.get(url).status_code == 404, url
    link.refresh_from_db()
    assert link.revoked_at is not None
    client.force_login(people["owner"])
    assert link.get_absolute_url() not in client.get(private_image.get_absolute_url()).content.decode()


def test_share_page_names_no_other_image(client, people, team, make_image):
    parent = make_image(people["owner"], team, prompt="the parent")
    child = make_image(people["owner"], team, prompt="the child", parent=parent)
    link = services.create_share_link(child, user=people["owner"])
    html = client.get(link.get_absolute_url()).content.decode()
    assert "the child" in html and "the parent" not in html and f"/images/{child.pk}/" not in html


# --- a link serves only while its creator could still create it now -------------------------------
# The team's owner shares a member's image; each change below takes away the owner's right to share it,
# and with it the link (page, file and thumbnail alike).


def _member_make_private(people, team, image):
    services.move_image(image, None)


def _member_moves_it_elsewhere(people, team, image):
    elsewhere = Team.objects.create(name="Elsewhere")
    Membership.objects.create(team=elsewhere, user=people["teammate"], role=Membership.Role.OWNER)
    services.move_image(image, elsewhere)


def _creator_leaves_the_team(people, team, image):
    Membership.objects.filter(team=team, user=people["owner"]).delete()


def _creator_is_no_longer_owner(people, team, image):
    Membership.objects.filter(team=team, user=people["owner"]).update(role=Membership.Role.MEMBER)


def _creator_account_is_disabled(people, team, image):
    type(people["owner"]).objects.filter(pk=people["owner"].pk).update(is_active=False)


@pytest.mark.parametrize("change", [_member_make_private, _member_moves_it_elsewhere, _creator_leaves_the_team,
                                    _creator_is_no_longer_owner, _creator_account_is_disabled])
def test_a_team_owners_link_ends_with_their_right_to_share(client, people, team, make_image, change):
    image = make_image(people["teammate"], team, prompt="the member's harbour")
    link = services.create_share_link(image, user=people["owner"])
    for url in _urls(link):
        assert client.get(url).status_code == 200, url
    change(people, team, image)
    for url in _urls(link):
        assert client.get(url).status_code == 404, url


def test_a_link_follows_its_image_to_a_team_its_creator_also_owns(client, people, team, make_image):
    image = make_image(people["teammate"], team)
    link = services.create_share_link(image, user=people["owner"])
    elsewhere = Team.objects.create(name="Elsewhere")
    for person in ("owner", "teammate"):
        Membership.objects.create(team=elsewhere, user=people[person], role=Membership.Role.OWNER)
    services.move_image(image, elsewhere)
    assert client.get(link.get_absolute_url()).status_code == 200  # the creator could share it there too


def test_the_makers_own_link_outlives_a_move_out_of_the_team(client, people, team, make_image):
    image = make_image(people["teammate"], team)
    link = services.create_share_link(image, user=people["teammate"])
    Membership.objects.filter(team=team, user=people["teammate"]).delete()
    services.move_image(image, None)
    assert client.get(link.get_absolute_url()).status_code == 200  # its maker may always share it


def test_the_image_page_lists_only_links_that_still_serve(client, people, team, make_image):
    image = make_image(people["teammate"], team)
    owners = services.create_share_link(image, user=people["owner"])
    makers = services.create_share_link(image, user=people["teammate"])
    _creator_is_no_longer_owner(people, team, image)
    client.force_login(people["teammate"])
    page = client.get(image.get_absolute_url()).content.decode()
    assert makers.get_absolute_url() in page and owners.get_absolute_url() not in page


def test_the_shared_page_names_nobody(client, people, team, make_image):
    """The image page promises "this one image" to anyone with the link: not who made it or shared it."""
    image = make_image(people["teammate"], team, prompt="a quiet harbour")
    link = services.create_share_link(image, user=people["owner"])
    html = client.get(link.get_absolute_url()).content.decode()
    assert "a quiet harbour" in html
    for name in ("teammate", "owner"):
        assert name not in html
