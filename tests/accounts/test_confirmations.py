"""Revoking a token, removing a member and leaving a team ask first: GET shows
the question (and changes nothing), POST does it; whoever may not do it does not get the question."""
from django.urls import reverse

from studio.accounts.models import Membership
from studio.accounts.token_services import create_token


def test_revoking_a_token_asks_first(client, people):
    token, _ = create_token(user=people["owner"], name="ci")
    client.force_login(people["owner"])
    url = reverse("accounts:revoke_token", args=[token.pk])
    page = client.get(url)
    assert page.status_code == 200 and "Revoke the token &#x27;ci&#x27;?" in page.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is None
    client.post(url)
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_removing_a_member_asks_the_owner_first_and_nobody_else(client, people, team):
    membership = Membership.objects.get(team=team, user=people["teammate"])
    url = reverse("accounts:remove_member", args=[team.slug, membership.pk])
    client.force_login(people["viewer"])
    assert client.get(url).status_code == 404  # a viewer may not remove anyone: no question either
    client.force_login(people["owner"])
    page = client.get(url)
    assert page.status_code == 200 and b"Remove teammate from" in page.content
    assert Membership.objects.filter(pk=membership.pk).exists()
    client.post(url)
    assert not Membership.objects.filter(pk=membership.pk).exists()


def test_leaving_asks_first(client, people, team):
    mine = Membership.objects.get(team=team, user=people["teammate"])
    client.force_login(people["teammate"])
    page = client.get(reverse("accounts:remove_member", args=[team.slug, mine.pk]))
    assert page.status_code == 200 and f"Leave {team.name}?".encode() in page.content
    assert Membership.objects.filter(pk=mine.pk).exists()
