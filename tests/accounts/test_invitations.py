"""Invitations: an owner invites by email with a role; the link works once, for 7 days, until revoked."""
import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from studio.accounts.invitations import Invitation
from studio.accounts.models import Membership

from .conftest import team_events

pytestmark = pytest.mark.django_db


def invite(client, people, team, email="new@example.com", role="viewer"):
    client.force_login(people["owner"])
    return client.post(reverse("accounts:invite", args=[team.slug]), {"email": email, "role": role})


def link_in(message) -> str:
    return re.search(r"http://testserver(/invitations/[^/\s]+/)", message.body).group(1)


def test_an_owner_invites_and_the_email_carries_a_link_that_is_not_stored(client, people, team):
    response = invite(client, people, team)
    assert response.status_code == 302
    assert [m.to for m in mail.outbox] == [["new@example.com"]]
    assert "Design" in mail.outbox[0].subject and "7 days" in mail.outbox[0].body
    url = link_in(mail.outbox[0])
    key = url.split("/")[2]
    invitation = Invitation.objects.get()
    assert key not in invitation.digest and invitation.expires_at > timezone.now() + timedelta(days=6, hours=23)
    assert team_events("action") == ["invite.sent"]
    page = client.get(reverse("accounts:members", args=[team.slug])).content.decode()
    assert "new@example.com" in page and "Pending invitations" in page


@pytest.mark.parametrize("who", ["teammate", "viewer", "outsider"])
def test_only_owners_invite(client, people, team, who):
    client.force_login(people[who])
    assert client.post(reverse("accounts:invite", args=[team.slug]), {"email": "x@example.com", "role": "owner"}).status_code == 404
    assert not Invitation.objects.exists() and not mail.outbox


def test_a_bad_address_is_refused_with_a_sentence_and_nothing_sent(client, people, team):
    response = invite(client, people, team, email="not an address")
    assert response.status_code == 422 and "Enter an email address" in response.content.decode()
    assert not Invitation.objects.exists() and not mail.outbox


def test_a_signed_in_person_joins_with_the_role_and_the_link_is_spent(client, people, team, django_user_model):
    invite(client, people, team, role="member")
    url = link_in(mail.outbox[0])
    bob = django_user_model.objects.create_user("bob", password="pw-bob-long")
    client.force_login(bob)
    assert "Join Design" in client.get(url).content.decode()
    response = client.post(url + "accept")
    assert response.status_code == 302 and response["Location"] == reverse("gallery:team", args=[team.slug])
    joined = Membership.objects.get(user=bob, team=team)
    assert (joined.role, joined.source) == ("member", "invitation")
    assert team_events("action") == ["invite.sent", "invite.accepted"]
    # Used once: the link is dead for everyone, bob included.
    carol = django_user_model.objects.create_user("carol")
    client.force_login(carol)
    assert client.get(url).status_code == 404
    client.post(url + "accept")
    assert not Membership.objects.filter(user=carol).exists()


def test_a_new_person_makes_a_password_account_from_the_link_and_joins(client, people, team):
    invite(client, people, team, email="dana@example.com", role="viewer")
    url = link_in(mail.outbox[0])
    client.logout()
    page = client.get(url).content.decode()
    assert "Create a password account" in page
    signup = reverse("account_signup")
    form = client.get(signup, {"next": url, "email": "dana@example.com"})
    assert form.status_code == 200 and 'value="dana@example.com"' in form.content.decode()
    response = client.post(signup, {"username": "dana", "email": "dana@example.com", "password1": "a long pass phrase",
                                    "password2": "a long pass phrase", "next": url})
    assert response.status_code == 302 and response["Location"] == url
    client.post(url + "accept")
    dana = get_user_model().objects.get(username="dana")
    assert dana.check_password("a long pass phrase") and Membership.objects.get(user=dana, team=team).role == "viewer"


def test_nobody_signs_up_without_a_pending_invitation(client):
    response = client.get(reverse("account_signup"))
    assert "closed" in response.content.decode().lower()
    client.post(reverse("account_signup"), {"username": "eve", "password1": "a long pass phrase",
                                            "password2": "a long pass phrase"})
    assert not get_user_model().objects.filter(username="eve").exists()


def test_expired_and_revoked_links_do_not_work(client, people, team):
    invite(client, people, team, email="a@example.com")
    invite(client, people, team, email="b@example.com")
    first, second = Invitation.objects.order_by("id")
    url_a, url_b = link_in(mail.outbox[0]), link_in(mail.outbox[1])
    Invitation.objects.filter(pk=first.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    client.post(reverse("accounts:revoke_invitation", args=[team.slug, second.pk]))
    assert team_events("action") == ["invite.sent", "invite.sent", "invite.revoked"]
    for url in (url_a, url_b):
        response = client.get(url)
        assert response.status_code == 404 and "does not work" in response.content.decode()
    assert client.get("/invitations/made-up-key/").status_code == 404


def test_someone_already_in_the_team_keeps_their_role(client, people, team):
    invite(client, people, team, role="owner")
    url = link_in(mail.outbox[0])
    client.force_login(people["viewer"])
    response = client.post(url + "accept", follow=True)
    assert "already in Design as viewer" in response.content.decode()
    assert Membership.objects.get(user=people["viewer"], team=team).role == "viewer"
    assert Invitation.objects.get().accepted_at is None


def test_a_mail_server_that_refuses_leaves_the_invitation_listed(client, people, team, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, False, 2
    response = invite(client, people, team)
    assert response.status_code == 302
    page = client.get(reverse("accounts:members", args=[team.slug])).content.decode()
    assert "did not take the invitation" in page and "new@example.com" in page
