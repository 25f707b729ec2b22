"""Every URL of the project, found by walking the URLconf (not a hand list), spoken to by the whole cast.

Each pattern's arguments are filled by their name (and checked against their converter) from ARGUMENTS,
with objects of the right kind: an image, a job, a team, an upload, a share token... A URL added later is
covered without editing this file; one with a new kind of argument fails here and asks to be taught it.

The cast: the owner of the objects, a teammate (member), a viewer-role teammate, an outsider and someone
signed out. For every URL and every person, GET (and POST for those who may not see the objects):
- whoever may not see an object gets 404, or the sign-in page when signed out (a GET to a view that takes
  only POST may also answer 405, which says nothing about the object);
- nobody ever receives a marker (prompt, revised prompt) of an image they may not see, and outsiders and
  anonymous never receive image bytes (PNG, WebP or JPEG magic), ZIPs opened and read member by member;
- nobody gets a server error, and the owner does not get a 404 (which proves the arguments are real).

Share-link URLs are public by design (whoever holds a token sees that one image): they are checked to show
nothing else (no other image's prompt, no username); a link whose creator may no longer share its image
(a member took it out of the team) must show nothing at all.

Skipped, on purpose:
- the admin (`admin:` namespace): staff only, behind Django's own staff check (tests/registry covers what
  the provider pages show);
- static files: WhiteNoise serves them from middleware, outside the URLconf, and they hold no one's data.

One data set and one signed-in client per person for the module, built once inside a transaction that is
rolled back at the end; each test's own changes are rolled back after it by pytest-django.
"""
from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.converters import IntConverter, PathConverter, SlugConverter, StringConverter
from django.urls.resolvers import RegexPattern, RoutePattern

from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

from studio.accounts.invitations import Invitation
from studio.accounts.models import Membership, Team
from studio.accounts.token_services import create_token
from studio.gallery import services as gallery_services
from studio.gallery.models import Image, Tag
from studio.generation import uploads
from studio.spending.models import Notice
from studio.workflow import batch_services, collection_services, preset_services, review_services, webhook_services
from studio.workflow.batch_rows import rows_from_lines
from studio.workflow.models import Notification
from tests.gallery.factories import make_image, png_bytes

CAST = ("outsider", "anonymous", "viewer", "teammate", "owner")  # the refused first: nothing has changed yet
TEAM = {"owner", "teammate", "viewer"}
OWNER = {"owner"}
EVERYONE = set(CAST)
SKIPPED_NAMESPACES = {"admin"}  # see the module docstring
# Routes that answer 404 to everyone on purpose (so the owner's 404 proves nothing about the arguments).
CLOSED_TO_ALL = {
    # allauth's "set a password": an SSO person's Studio password would outlive their account at the provider.
    "accounts/password/set/",
    # Single sign-on is not configured in these settings: its login and callback answer 404 (tests/accounts
    # and the browser tests cover them against a real OpenID provider).
    "accounts/oidc/<str:provider_id>/login/",
    "accounts/oidc/<str:provider_id>/login/callback/",
}
IMAGE_MAGIC = re.compile(rb"\x89PNG\r\n\x1a\n|RIFF....WEBP|\xff\xd8\xff", re.DOTALL)
SIGN_IN = "/accounts/login/"

# Words only these images hold, so a page that shows one is caught (and who may see it).
MARKERS = {
    "private-prompt-zq81": OWNER, "private-revised-zq82": OWNER,
    "team-prompt-zq83": TEAM, "team-revised-zq84": TEAM,
    "linked-prompt-zq85": OWNER,  # a private image with a share link: public only through its token
    "trashed-prompt-zq86": OWNER,
    "left-prompt-zq87": OWNER,  # made by the team's job, since made private: the job page must not show it
    "orphan-prompt-zq88": {"teammate"},  # a member's image the team owner shared by link, then made private
}
SEARCH_WORD = "zqlighthouse"  # in every prompt above, so search and export look at all of them
USERNAMES = {"owner": "ann-owner", "teammate": "ben-member", "viewer": "cat-viewer", "outsider": "dan-outsider"}


# --- the data set -------------------------------------------------------------------------------------


@dataclass
class World:
    people: dict
    team: Team
    private: object  # the owner's private image and its job (with a streamed preview), a tag and a link
    private_2: object
    shared: object  # the same, shared with the team
    shared_2: object
    trashed: object  # a team image in its owner's trash
    linked: object  # a private image with a live share link
    live_token: str
    dead_token: str  # a link whose creator may no longer share its image
    upload_key: str
    private_tag: Tag
    shared_tag: Tag
    private_link: object
    shared_link: object
    invitation_key: str  # a pending invitation to the team (its link is the invitee's door)
    invitation: object
    owner_token: object  # a personal API token of the owner's
    membership: object  # the teammate's membership of the team
    notice: object  # an in-app notice of the owner's (a budget alert)
    private_preset: object  # the owner's personal preset (its prompt is a marker of the owner's)
    team_preset: object  # a preset of the team
    notification: object  # the owner's: a teammate's mention of them
    private_collection: object  # the owner's, holding the linked image (public only through a link)
    team_collection: object  # the team's, holding the team image
    private_collection_link: object
    team_collection_link: object
    collection_live_token: str  # a link to the private collection: anyone may follow it
    collection_dead_token: str  # a link its creator (a viewer) may not make: nobody may follow it
    private_batch: object  # the owner's batch with nobody else (its prompt is a marker of the owner's)
    team_batch: object  # the owner's batch for the team
    webhook: object  # a webhook of the team (its owners' alone)


def _build_world() -> World:
    User = get_user_model()
    people = {who: User.objects.create_user(username, password="pw-" + who) for who, username in USERNAMES.items()}
    team = Team.objects.create(name="Every URL team")
    for who, role in (("owner", Membership.Role.OWNER), ("teammate", Membership.Role.MEMBER),
                      ("viewer", Membership.Role.VIEWER)):
        Membership.objects.create(team=team, user=people[who], role=role)
    owner = people["owner"]

    def image(team_, prompt, revised=""):
        made = make_image(owner, team_, prompt=f"{prompt} {SEARCH_WORD}", revised_prompt=revised)
        made.job.previews = [uploads.store(owner, png_bytes(), "png")]
        made.job.save(update_fields=["previews"])
        return made

    private = image(None, "private-prompt-zq81", "private-revised-zq82")
    shared = image(team, "team-prompt-zq83", "team-revised-zq84")
    trashed = image(team, "trashed-prompt-zq86")
    gallery_services.trash_image(trashed)
    left = image(team, "left-prompt-zq87")  # becomes the team job's second picture, then private
    made_by = left.job
    Image.objects.filter(pk=left.pk).update(job=shared.job, index=1)
    made_by.delete()
    gallery_services.move_image(left, None)
    linked = image(None, "linked-prompt-zq85")
    orphan = make_image(people["teammate"], team, prompt=f"orphan-prompt-zq88 {SEARCH_WORD}")
    orphaned = gallery_services.create_share_link(orphan, user=owner)  # the team's owner could share it then
    gallery_services.move_image(orphan, None)  # its maker took it out of the team: the link must die
    return World(
        people=people, team=team, private=private, private_2=image(None, "private-prompt-zq81"),
        shared=shared, shared_2=image(team, "team-prompt-zq83"), trashed=trashed, linked=linked,
        live_token=gallery_services.create_share_link(linked, user=owner).token, dead_token=orphaned.token,
        upload_key=uploads.store(owner, png_bytes(), "png"),
        private_tag=gallery_services.add_tag(private, "zqtag"), shared_tag=gallery_services.add_tag(shared, "zqtag"),
        private_link=gallery_services.create_share_link(private, user=owner),
        shared_link=gallery_services.create_share_link(shared, user=owner),
        **_invitation(team, owner),
        owner_token=create_token(user=owner, name="every url")[0],
        membership=Membership.objects.get(team=team, user=people["teammate"]),
        notice=Notice.objects.create(user=owner, message="The monthly budget of team Every URL team is 80 % used"),
        **_presets(team, owner),
        notification=_review_and_comments(private, shared, people),
        **_collections(team, linked, shared, people),
        **_batches(team, owner),
        webhook=webhook_services.create_webhook(team=team, user=owner, url="https://hooks.example.com/zq",
                                                events=["job.done"]),
    )


def _batches(team, owner) -> dict:
    def batch(team_, prompt):
        return batch_services.submit_batch(user=owner, team=team_, name="zq batch", source="lines", model="dall-e-2",
                                           params={"size": "256x256"}, rows=rows_from_lines(prompt))
    return {"private_batch": batch(None, "private-prompt-zq81"), "team_batch": batch(team, "team-prompt-zq83")}


def _collections(team, linked, shared, people) -> dict:
    owner = people["owner"]
    mine = collection_services.create_collection(user=owner, team=None, name="zq private collection")
    ours = collection_services.create_collection(user=owner, team=team, name="zq team collection")
    collection_services.add_images(mine, [linked], user=owner)
    collection_services.add_images(ours, [shared], user=owner)
    live = collection_services.create_link(mine, user=owner)
    return {"private_collection": mine, "team_collection": ours, "private_collection_link": live,
            "team_collection_link": collection_services.create_link(ours, user=owner),
            "collection_live_token": live.token,
            "collection_dead_token": collection_services.create_link(ours, user=people["viewer"]).token}


def _review_and_comments(private, shared, people):
    """Comments with marker words (a private image's are its owner's alone), a review, and a mention."""
    review_services.add_comment(private, user=people["owner"], body="private-prompt-zq81 note", link_base="http://x")
    review_services.move_review(shared, user=people["owner"], to="in_review")
    review_services.add_comment(shared, user=people["teammate"], body="@ann-owner team-prompt-zq83?",
                                link_base="http://x")
    return Notification.objects.get(recipient=people["owner"])


def _presets(team, owner) -> dict:
    def preset(team_, prompt):
        return preset_services.create_preset(user=owner, team=team_, name="zq preset", model="dall-e-2", params={},
                                             prompt_template=f"{prompt} {SEARCH_WORD} {{thing}}")
    return {"private_preset": preset(None, "private-prompt-zq81"), "team_preset": preset(team, "team-prompt-zq83")}


def _invitation(team, owner) -> dict:
    row, key = Invitation.new(team=team, email="eve@example.invalid", role=Membership.Role.MEMBER, invited_by=owner)
    row.save()
    # The owner signs in with a second factor, so the pages that manage it have something to show.
    TOTP.activate(owner, generate_totp_secret())
    RecoveryCodes.activate(owner)
    return {"invitation": row, "invitation_key": key}


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield _build_world()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


# --- filling arguments --------------------------------------------------------------------------------
# A scene says whose objects fill the arguments: the owner's private ones, or the team's.
SCENES = ("private", "team")


@dataclass(frozen=True)
class Argument:
    value: str
    audience: frozenset  # who may see the object it names


def _image_of(world, scene):
    return world.private if scene == "private" else world.shared


def _scene_object(private_attribute, shared_attribute):
    """Fill an argument with the pk of the scene's object: the owner's private one, or the team's."""
    def make(world, scene, route, name):
        if scene == "private":
            return Argument(str(getattr(world, private_attribute).pk), frozenset(OWNER))
        return Argument(str(getattr(world, shared_attribute).pk), frozenset(TEAM))
    return make


def _pk(world, scene, route, name):
    """`pk` names an image, a job or an image in the trash, by the route's first segment."""
    if name == "gallery:restore" or route.startswith("trash/"):
        return Argument(str(world.trashed.pk), frozenset(OWNER))  # the trash is its owner's alone
    if route.startswith("images/"):
        return _scene_object("private", "shared")(world, scene, route, name)
    if route.startswith("jobs/"):
        return Argument(str(_image_of(world, scene).job_id), frozenset(OWNER if scene == "private" else TEAM))
    if route.startswith("account/tokens/"):
        return Argument(str(world.owner_token.pk), frozenset(OWNER))
    if route.startswith("teams/") and "/members/" in route:
        return Argument(str(world.membership.pk), frozenset(TEAM))  # the team sees who is in it
    if route.startswith("teams/") and "/invitations/" in route:
        return Argument(str(world.invitation.pk), frozenset(OWNER))  # pending invitations are the owners'
    if route.startswith("notices/"):
        return Argument(str(world.notice.pk), frozenset(OWNER))  # a notice is its person's alone
    pytest.fail(f"The URL {route!r} ({name}) takes a `pk` this test cannot place: teach _pk what it names.")


def _team_slug(world, scene, route, name):
    """A team: its members see its pages; its budget and limits are its owners' to see and set."""
    return Argument(world.team.slug, frozenset(OWNER if route.endswith("/budget/") or "/webhooks/" in route else TEAM))


class RegexGroup:
    """The "converter" of a named group in a regex URL pattern (django-allauth's keys use them)."""


def _key(world, scene, route, name):
    """`key` names an upload of the owner's, a pending invitation, or an allauth email or password link."""
    if route.startswith("uploads/"):
        return Argument(world.upload_key, frozenset(OWNER))
    if route.startswith("invitations/"):
        return Argument(world.invitation_key, frozenset(EVERYONE))  # whoever holds the link may read it
    if name in ("account_confirm_email", "account_reset_password_from_key"):
        return Argument("zz-not-a-real-key", frozenset(EVERYONE))  # allauth answers a bad link with a page
    pytest.fail(f"The URL {route!r} ({name}) takes a `key` this test cannot place: teach _key what it names.")


def _anyone(value):
    return lambda world, scene, route, name: Argument(value, frozenset(EVERYONE))


def _token(world, scene, route, name):
    """A live link (anyone may follow it), or one whose creator may no longer share its image (nobody may);
    under `c/`, the same for collection links."""
    if route.startswith("c/"):
        if scene == "private":
            return Argument(world.collection_live_token, frozenset(EVERYONE))
        return Argument(world.collection_dead_token, frozenset())
    if scene == "private":
        return Argument(world.live_token, frozenset(EVERYONE))
    return Argument(world.dead_token, frozenset())


def _collection_image(world, scene, route, name):
    """An image in the collection named beside it (the owner's linked one, or the team's); behind a collection
    link, whoever holds the link may see it (the link's own audience then decides)."""
    image = world.linked if scene == "private" else world.shared
    if route.startswith("c/"):
        return Argument(str(image.pk), frozenset(EVERYONE))
    return Argument(str(image.pk), frozenset(OWNER if scene == "private" else TEAM))


def _signed(world, scene, route, name):
    """A /v1 url result: made with the owner's live token (anyone holding it may fetch), or naming a token
    that does not exist (nobody may)."""
    from studio.gateway.links import sign

    if scene == "private":
        return Argument(sign(world.private, world.owner_token), frozenset(EVERYONE))
    return Argument(sign(world.shared, None), frozenset())


# parameter name -> (the converters it may have, how to fill it in a scene)
ARGUMENTS = {
    "pk": (IntConverter, _pk),
    "a": (IntConverter, _scene_object("private", "shared")),  # compare: two images
    "b": (IntConverter, _scene_object("private_2", "shared_2")),
    "tag_id": (IntConverter, _scene_object("private_tag", "shared_tag")),  # a tag on the image named by pk
    "link_id": (IntConverter, _scene_object("private_link", "shared_link")),  # a share link of that image
    "index": (IntConverter, lambda world, scene, route, name: Argument("0", frozenset(EVERYONE))),  # a preview
    "slug": (SlugConverter, _team_slug),
    "key": ((PathConverter, StringConverter, RegexGroup), _key),
    "token": (StringConverter, _token),
    "signed": (StringConverter, _signed),
    "provider_id": (StringConverter, _anyone("studio")),  # the single sign-on provider's login and callback
    "uidb36": (RegexGroup, _anyone("zz")),  # allauth's password-reset link names its person in base 36
    "preset_id": (IntConverter, _scene_object("private_preset", "team_preset")),
    "collection_id": (IntConverter, _scene_object("private_collection", "team_collection")),
    "collection_link_id": (IntConverter, _scene_object("private_collection_link", "team_collection_link")),
    "image_id": (IntConverter, _collection_image),
    "batch_id": (IntConverter, _scene_object("private_batch", "team_batch")),
    "webhook_id": (IntConverter, lambda world, scene, route, name: Argument(str(world.webhook.pk), frozenset(OWNER))),
    "notification_id": (IntConverter, lambda world, scene, route, name: Argument(str(world.notification.pk),
                                                                                 frozenset(OWNER))),
}

# Query strings that make an argument-less page show something (the rest are requested bare).
QUERIES = {
    "gallery:search": lambda w: [{"q": SEARCH_WORD}],
    "gallery:export": lambda w: [{"ids": [w.private.pk, w.shared.pk, w.linked.pk, w.trashed.pk]},
                                 {"team": w.team.slug}, {}],
    "gallery:compare_selected": lambda w: [{"ids": [w.private.pk, w.shared.pk]}],
    "generation:edit": lambda w: [{}, {"source": w.private.pk}, {"source": w.shared.pk}, {"upload": w.upload_key}],
    "generation:prepare": lambda w: [{"source": w.private.pk, "for": "edit"}, {"upload": w.upload_key}],
    "generation:new": lambda w: [{}, {"team": w.team.pk}, {"preset_version": w.private_preset.versions.get().pk},
                                 {"preset_version": w.team_preset.versions.get().pk}],
    "workflow:presets": lambda w: [{}, {"q": SEARCH_WORD}],
    "workflow:preset_new": lambda w: [{}, {"job": w.private.job_id}, {"job": w.shared.job_id}],
}


# --- walking the URLconf ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    route: str  # e.g. "images/<int:pk>/tags/<int:tag_id>/remove"
    name: str  # e.g. "gallery:remove_tag"
    converters: tuple  # ((parameter name, converter), ...)


def walk(resolver=None, prefix="", namespace="", converters=()) -> list[Route]:
    found = []
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry.pattern, RoutePattern):
            here = (*converters, *entry.pattern.converters.items())
        elif isinstance(entry.pattern, RegexPattern) and isinstance(entry, URLPattern) and entry.name:
            # A regex pattern's named groups are its arguments; fill() reverses it by name to build the path.
            here = (*converters, *((group, RegexGroup()) for group in entry.pattern.regex.groupindex))
        else:
            pytest.fail(f"{prefix}{entry.pattern} is a regex pattern this test cannot fill: teach walk() about it.")
        if isinstance(entry, URLResolver):
            inner = ":".join(part for part in (namespace, entry.namespace or "") if part)
            if entry.namespace in SKIPPED_NAMESPACES:
                continue
            found += walk(entry, prefix + str(entry.pattern), inner, here)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace else (entry.name or "")
            found.append(Route(prefix + str(entry.pattern), name, here))
    return found


ROUTES = walk()


# Staff's own pages (the operations page and every team's audit trail): nobody in the cast is staff, so
# everyone must get 404 or the sign-in page. /metrics answers only its bearer token: a 404 to all of them.
STAFF_ONLY = ("ops/", "metrics")


def fill(world, route: Route, scene: str) -> tuple[str, frozenset]:
    """The path with every argument filled for `scene`, and who may see everything it names."""
    path, audience = "/" + route.route, frozenset(EVERYONE)
    if route.route.startswith(STAFF_ONLY):
        audience = frozenset()
    by_name = {}
    for parameter, converter in route.converters:
        if parameter not in ARGUMENTS:
            pytest.fail(f"The URL {route.route!r} ({route.name}) takes `{parameter}`, which this test does not "
                        "know: add it to ARGUMENTS with an object of the right kind.")
        expected, make = ARGUMENTS[parameter]
        if not isinstance(converter, expected):
            pytest.fail(f"`{parameter}` in {route.route!r} uses {type(converter).__name__}, ARGUMENTS does not "
                        "expect it: teach the test what this one names.")
        argument = make(world, scene, route.route, route.name.rpartition(":")[2])
        path = re.sub(rf"<(?:\w+:)?{parameter}>", argument.value, path, count=1)
        by_name[parameter] = argument.value
        audience &= argument.audience
    if any(isinstance(converter, RegexGroup) for _, converter in route.converters):
        path = reverse(route.name, kwargs=by_name)
    return path, audience


# --- reading what came back ---------------------------------------------------------------------------


def body_of(response) -> bytes:
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    if raw.startswith(b"PK\x03\x04"):  # a ZIP: its manifests are compressed, read every member
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            return b"".join(archive.read(name) for name in archive.namelist())
    return raw


def problems_with(response, *, who: str, may_see: bool, public: bool, method: str, closed: bool = False) -> list[str]:
    found = []
    status = response.status_code
    if status >= 500:
        found.append(f"server error {status}")
    if not may_see:
        refused = status == 404 or (who == "anonymous" and status == 302 and response["Location"].startswith(SIGN_IN))
        if not refused and not (method == "GET" and status == 405):
            found.append(f"answered {status}, not 404 or the sign-in page")
    elif who == "owner" and status == 404 and not closed:
        found.append("the owner got 404: the arguments do not name real objects")
    body = body_of(response)
    text = body.decode("utf-8", "replace")
    for marker, audience in MARKERS.items():
        if who not in audience and marker in text and not (public and marker.startswith("linked-prompt")):
            found.append(f"shows {marker!r}")
    if who in ("outsider", "anonymous") and not public and IMAGE_MAGIC.search(body):
        found.append("sent image bytes")
    if public:  # a share link names nobody (the page's own header names only whoever is signed in)
        found += [f"names {name!r}" for other, name in USERNAMES.items() if other != who and name in text]
    return found


# --- the test -----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def clients(world, django_db_blocker):
    """One signed-in browser per person for the module (a new Client loads the middleware again, 0.2 s)."""
    made = {}
    with django_db_blocker.unblock():
        for who in CAST:
            made[who] = Client()
            if who != "anonymous":
                made[who].force_login(world.people[who])
    return made


@pytest.mark.parametrize("route", ROUTES, ids=[r.name or r.route for r in ROUTES])
def test_every_url_answers_each_person_only_with_what_they_may_see(db, world, clients, route):
    queries = QUERIES.get(route.name, lambda w: [{}])(world) if not route.converters else [{}]
    failures, seen = [], set()
    for scene in SCENES:
        path, audience = fill(world, route, scene)
        if path in seen:
            continue  # its arguments name the same objects in every scene (the trash, a team, an upload)
        seen.add(path)
        public = bool(audience) and audience == frozenset(EVERYONE) and any(p in ("token", "signed") for p, _ in route.converters)
        for who in CAST:
            client = clients[who]
            may_see = who in audience
            for query in queries:
                requests = [("GET", lambda: client.get(path, query))]
                if not may_see:
                    requests.append(("POST", lambda: client.post(path)))
                for method, send in requests:
                    for problem in problems_with(send(), who=who, may_see=may_see, public=public, method=method,
                                                 closed=route.route in CLOSED_TO_ALL):
                        failures.append(f"{method} {path} {query or ''} as {who} ({scene}): {problem}")
    assert not failures, "\n".join(failures)


def test_the_walk_finds_the_urls_people_use():
    """The walk itself: every app's URLs are there, the admin is not (skipped on purpose, see above)."""
    names = {route.name for route in ROUTES}
    assert {"gallery:image", "gallery:file", "gallery:shared", "generation:job", "generation:upload_file",
            "generation:variation", "login"} <= names
    assert not any(route.route.startswith("admin/") for route in ROUTES)


@pytest.mark.parametrize("route, says", [
    (Route("widgets/<int:widget_id>/", "shop:widget", (("widget_id", IntConverter()),)), "add it to ARGUMENTS"),
    (Route("albums/<int:pk>/", "gallery:album", (("pk", IntConverter()),)), "teach _pk what it names"),
    (Route("images/<str:pk>/", "gallery:odd", (("pk", StringConverter()),)), "teach the test what this one names"),
])
def test_a_url_with_a_new_kind_of_argument_asks_to_be_taught(route, says):
    with pytest.raises(pytest.fail.Exception, match=says):
        fill(None, route, "private")
