"""The SSO callback against a provider whose ID tokens the test writes: only a genuine one signs in.

Genuine means: signed by a key in the provider's JWKS, issued by the configured issuer, for Studio's
client id, not expired, carrying this sign-in's nonce, and answering this browser's single-use state.
"""
import hashlib
import time
from base64 import urlsafe_b64encode
from urllib.parse import parse_qs, urlparse

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from studio.accounts.models import Membership
from studio.audit.models import AuditEvent
from studio.devtools.processes import free_port

from .fake_idp import new_key

pytestmark = pytest.mark.django_db
CALLBACK = "/accounts/oidc/studio/login/callback/"


def start_sign_in(client) -> dict:
    response = client.post(reverse("openid_connect_login", args=["studio"]))
    assert response.status_code == 302, response.content[:500]
    return {k: v[-1] for k, v in parse_qs(urlparse(response["Location"]).query).items()}


def signed_in_user(client):
    return client.session.get("_auth_user_id")


def test_the_callback_url_is_the_one_operators_register(sso):
    assert reverse("openid_connect_callback", args=["studio"]) == CALLBACK


def test_a_genuine_token_signs_in_creates_the_person_and_joins_the_mapped_team(client, sso, team):
    params = start_sign_in(client)
    assert params["redirect_uri"] == "http://testserver" + CALLBACK
    assert set(params["scope"].split()) == {"openid", "email", "profile", "groups"}
    assert params["nonce"] and params["state"] and params["code_challenge_method"] == "S256"
    sso.answer_with(sso.claims(nonce=params["nonce"]))
    response = client.get(CALLBACK, {"code": "abc", "state": params["state"]})
    assert response.status_code == 302 and response["Location"] == reverse("generation:new")
    user = get_user_model().objects.get(pk=signed_in_user(client))
    assert (user.username, user.email, user.has_usable_password()) == ("ana", "ana@example.com", False)
    assert Membership.objects.get(user=user, team=team).source == Membership.Source.SSO
    # PKCE: the verifier sent to the token endpoint is the one whose challenge went to the browser.
    verifier = sso.token_requests[-1]["code_verifier"]
    assert urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode() == params["code_challenge"]
    assert list(AuditEvent.objects.order_by("id").values_list("action", flat=True)) == ["sign_in", "member.added"]


def test_a_taken_username_is_made_unique_without_a_form(client, sso):
    get_user_model().objects.create_user("ana", password="pw")
    params = start_sign_in(client)
    sso.answer_with(sso.claims(nonce=params["nonce"]))
    response = client.get(CALLBACK, {"code": "abc", "state": params["state"]})
    assert response.status_code == 302
    user = get_user_model().objects.get(pk=signed_in_user(client))
    assert user.username != "ana" and user.username.startswith("ana")


def _forge(sso, params, case):
    claims = sso.claims(nonce=params["nonce"])
    key = None
    if case == "wrong audience":
        claims["aud"] = "someone-else"
    elif case == "wrong issuer":
        claims["iss"] = "http://evil.invalid"
    elif case == "expired":
        claims["exp"] = int(time.time()) - 120
        claims["iat"] = claims["exp"] - 300
    elif case == "bad signature":
        key = new_key()  # same kid, another key: the JWKS does not vouch for it
    elif case == "wrong nonce":
        claims["nonce"] = "not-this-sign-in"
    elif case == "no nonce":
        del claims["nonce"]
    sso.answer_with(claims, key=key)


@pytest.mark.parametrize("case", ["wrong audience", "wrong issuer", "expired", "bad signature", "wrong nonce", "no nonce"])
def test_a_forged_token_signs_nobody_in(client, sso, team, case):
    params = start_sign_in(client)
    _forge(sso, params, case)
    response = client.get(CALLBACK, {"code": "abc", "state": params["state"]})
    assert response.status_code == 401
    assert "could not be verified" in response.content.decode() and "Nobody was signed in" in response.content.decode()
    assert signed_in_user(client) is None
    assert not get_user_model().objects.exists() and not Membership.objects.exists()
    assert list(AuditEvent.objects.values_list("action", flat=True)) == ["sign_in.failed"]


def test_a_replayed_callback_signs_nobody_in(client, sso):
    params = start_sign_in(client)
    sso.answer_with(sso.claims(nonce=params["nonce"]))
    assert client.get(CALLBACK, {"code": "abc", "state": params["state"]}).status_code == 302
    client.post(reverse("logout"))
    replay = client.get(CALLBACK, {"code": "abc", "state": params["state"]})
    assert replay.status_code == 401 and "used already" in replay.content.decode()
    assert signed_in_user(client) is None


def test_a_callback_with_a_state_this_browser_never_sent_signs_nobody_in(client, sso):
    start_sign_in(client)
    response = client.get(CALLBACK, {"code": "abc", "state": "made-up-state"})
    assert response.status_code == 401 and "does not belong to a sign-in started in this browser" in response.content.decode()
    assert signed_in_user(client) is None and not sso.token_requests


def test_the_other_browser_cannot_finish_my_sign_in(client, sso):
    params = start_sign_in(client)
    sso.answer_with(sso.claims(nonce=params["nonce"]))
    from django.test import Client

    stranger = Client()
    assert stranger.get(CALLBACK, {"code": "abc", "state": params["state"]}).status_code == 401
    assert stranger.session.get("_auth_user_id") is None


def test_a_provider_that_does_not_answer_gets_a_page_not_a_500(client, settings):
    settings.STUDIO_OIDC_ISSUER = f"http://127.0.0.1:{free_port()}"
    settings.STUDIO_OIDC_CLIENT_ID, settings.STUDIO_OIDC_CLIENT_SECRET = "id", "secret"
    response = client.post(reverse("openid_connect_login", args=["studio"]))
    assert response.status_code == 502
    assert f"The sign-in service at {settings.STUDIO_OIDC_ISSUER} did not answer" in response.content.decode()


def test_the_sign_in_page_offers_the_provider_by_name(client, sso):
    page = client.get(reverse("login")).content.decode()
    assert "Sign in with Acme SSO" in page and 'name="password"' in page


def test_without_sso_there_is_no_sso_button_and_its_urls_are_404(client, settings):
    settings.STUDIO_OIDC_ISSUER = ""
    assert "Sign in with" not in client.get(reverse("login")).content.decode()
    assert client.post(reverse("openid_connect_login", args=["studio"])).status_code == 404


def sso_round_trip(client, sso, next_url=None, **claims):
    response = client.post(reverse("openid_connect_login", args=["studio"]), {"next": next_url} if next_url else {})
    params = {k: v[-1] for k, v in parse_qs(urlparse(response["Location"]).query).items()}
    sso.answer_with(sso.claims(nonce=params["nonce"], **claims))
    return client.get(CALLBACK, {"code": "abc", "state": params["state"]})


def test_every_sign_in_syncs_the_mapped_teams(client, sso, team):
    sso_round_trip(client, sso)
    ana = get_user_model().objects.get(username="ana")
    assert Membership.objects.filter(user=ana, team=team).exists()
    client.post(reverse("logout"))
    sso_round_trip(client, sso, groups=["someone-else"])
    assert signed_in_user(client) == str(ana.pk)  # the same person, recognised by `sub`
    assert not Membership.objects.filter(user=ana, team=team).exists()


def test_an_invitee_signs_in_with_sso_and_joins_with_the_invited_role(client, sso, people, team):
    from django.core import mail

    client.force_login(people["owner"])
    client.post(reverse("accounts:invite", args=[team.slug]), {"email": "zoe@example.com", "role": "viewer"})
    url = next(word for word in mail.outbox[0].body.split() if "/invitations/" in word).replace("http://testserver", "")
    client.post(reverse("logout"))
    assert "Sign in with Acme SSO" in client.get(url).content.decode()
    response = sso_round_trip(client, sso, next_url=url, preferred_username="zoe", sub="sub-zoe", groups=[])
    assert response.status_code == 302 and response["Location"] == url
    client.post(url + "accept")
    zoe = get_user_model().objects.get(username="zoe")
    assert Membership.objects.get(user=zoe, team=team).role == "viewer"
