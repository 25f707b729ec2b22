"""Each action writes exactly one audit event (issue 17), through the door a person or beat uses.

`PERFORMS` is the table: an action name, and a callable that performs it once, given the `world` fixture
(the cast, a team, a stored image, a web client). Features that add actions add a row here, and take
their name out of `NOT_PERFORMED_YET`; the last test keeps the two lists honest against actions.py.
"""
from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from studio.accounts import invitation_services
from studio.accounts import services as account_services
from studio.accounts.models import Membership
from studio.accounts.token_services import create_token, revoke_token
from studio.audit.actions import ACTIONS
from studio.audit.models import AuditEvent
from studio.gallery import services as gallery_services
from studio.gallery.models import ShareLink
from studio.models_registry.models import Provider
from studio.models_registry.providers import default_provider
from tests.gallery.factories import make_image

pytestmark = pytest.mark.django_db

# Recorded by features still to come.
NOT_PERFORMED_YET: set[str] = set()


def forget_events():
    """Set-up steps write events too (signing in, an invitation to accept): only the action is counted."""
    AuditEvent.objects.purge_before(timezone.now() + timedelta(seconds=1))


@pytest.fixture
def world(client, people, team):
    image = make_image(people["owner"], team, prompt="a harbour at noon")
    client.force_login(people["owner"])  # recorded as a sign-in: forgotten before the action
    forget_events()
    return SimpleNamespace(client=client, people=people, team=team, image=image, owner=people["owner"])


def submit_job(w):
    resp = w.client.post("/", {"model": "dall-e-2", "prompt": "a kite over the sea", "size": "256x256", "n": "1",
                               "team": str(w.team.pk)})
    assert resp.status_code == 302, resp.content[:500]


def move_image(w):
    assert w.client.post(f"/images/{w.image.pk}/move", {"team": ""}).status_code == 302


def trash_image(w):
    assert w.client.post(f"/images/{w.image.pk}/delete").status_code == 302


def restore_image(w):
    gallery_services.trash_image(w.image, actor=w.owner)
    AuditEvent.objects.purge_before(timezone.now() + timedelta(seconds=1))  # only the restore is counted
    assert w.client.post(f"/images/{w.image.pk}/restore").status_code == 302


def purge_image(w):
    old = timezone.now() - timedelta(days=settings.STUDIO_TRASH_DAYS + 1)
    gallery_services.trash_image(w.image, actor=w.owner, now=old)
    AuditEvent.objects.purge_before(timezone.now() + timedelta(seconds=1))
    assert gallery_services.purge_trash() == 1  # what beat runs daily


def create_share_link(w):
    assert w.client.post(f"/images/{w.image.pk}/share", {"days": "7"}).status_code == 302


def revoke_share_link(w):
    link = ShareLink.objects.create(image=w.image, created_by=w.owner)
    assert w.client.post(f"/images/{w.image.pk}/share/{link.pk}/revoke").status_code == 302


def download_export(w):
    resp = w.client.get("/gallery/export.zip")
    assert resp.status_code == 200
    b"".join(resp.streaming_content)


def create_api_token(w):
    create_token(user=w.owner, name="nightly script")


def revoke_api_token(w):
    token, _ = create_token(user=w.owner, name="old script")
    AuditEvent.objects.purge_before(timezone.now() + timedelta(seconds=1))
    assert revoke_token(token, actor=w.owner)


def change_provider(w):
    w.owner.is_staff = w.owner.is_superuser = True
    w.owner.save()
    form = {"name": "azure-eu", "kind": "azure", "api_key": "k" * 40, "organization": "", "project": "",
            "base_url": "", "azure_endpoint": "https://eu.example.invalid/", "api_version": "2025-04-01-preview",
            "deployments": "{}", "images_per_minute": 5, "enabled": "on"}
    assert w.client.post("/admin/models_registry/provider/add/", form).status_code == 302


def try_provider(w):
    w.owner.is_staff = w.owner.is_superuser = True
    w.owner.save()
    name = default_provider().name  # the session's stand-in
    url = reverse("admin:models_registry_provider_test", args=[name])
    assert w.client.post(url, {"confirm": "yes"}).status_code == 200


def sign_in(w):
    response = Client().post(reverse("login"), {"login": "teammate", "password": "pw-teammate"})
    assert response.status_code == 302


def sign_out(w):
    assert w.client.post(reverse("logout")).status_code == 302


def fail_to_sign_in(w):
    assert Client().post(reverse("login"), {"login": "teammate", "password": "not-it"}).status_code == 200


def get_locked_out(w):
    for _ in range(9):
        Client().post(reverse("login"), {"login": "teammate", "password": "not-it"})
    forget_events()
    assert Client().post(reverse("login"), {"login": "teammate", "password": "not-it"}).status_code == 429


def add_member(w):
    get_user_model().objects.create_user("newcomer", password="pw-newcomer-1")
    account_services.add_member(team=w.team, username="newcomer", role=Membership.Role.VIEWER, actor=w.owner)


def change_member_role(w):
    membership = Membership.objects.get(team=w.team, user=w.people["viewer"])
    response = w.client.post(reverse("accounts:change_role", args=[w.team.slug, membership.pk]), {"role": "member"})
    assert response.status_code == 302


def remove_member(w):
    membership = Membership.objects.get(team=w.team, user=w.people["viewer"])
    assert w.client.post(reverse("accounts:remove_member", args=[w.team.slug, membership.pk])).status_code == 302


def send_invitation(w):
    invitation_services.invite(team=w.team, email="eve@example.invalid", role="member", actor=w.owner,
                               link_base="http://testserver")


def _invitation_for_outsider(w):
    _, sent = invitation_services.invite(team=w.team, email="out@example.invalid", role="member", actor=w.owner,
                                         link_base="http://testserver")
    assert sent
    from django.core import mail
    return mail.outbox[-1].body.split("/invitations/")[1].split("/")[0]


def accept_invitation(w):
    key = _invitation_for_outsider(w)
    forget_events()
    invitation_services.accept_invitation(key=key, user=w.people["outsider"])


def revoke_invitation(w):
    invitation, _ = invitation_services.invite(team=w.team, email="gone@example.invalid", role="viewer",
                                               actor=w.owner, link_base="http://testserver")
    forget_events()
    assert invitation_services.revoke_invitation(invitation, actor=w.owner)


def change_budget(w):
    url = reverse("spending:team_budget", args=[w.team.slug])
    assert w.client.post(url, {"monthly_usd": "50", "hard": "hard"}).status_code == 302


def dismiss_notice(w):
    from studio.spending.models import Notice

    notice = Notice.objects.create(user=w.owner, message="The monthly budget of team Design is 80 % used")
    assert w.client.post(reverse("spending:dismiss_notice", args=[notice.pk])).status_code == 302


def _preset(w, team=None):
    from studio.workflow import preset_services

    preset = preset_services.create_preset(user=w.owner, team=team, name="Kettle", model="dall-e-2",
                                           params={"size": "256x256"}, prompt_template="a {colour} kettle")
    forget_events()
    return preset


def create_preset(w):
    response = w.client.post("/presets/new", {"name": "Kettle", "model": "dall-e-2", "options": "size=256x256",
                                              "prompt_template": "a {colour} kettle", "team": str(w.team.pk)})
    assert response.status_code == 302


def change_preset(w):
    preset = _preset(w, w.team)
    response = w.client.post(f"/presets/{preset.pk}/edit", {"name": "Kettle", "model": "dall-e-3",
                                                            "prompt_template": "a {colour} kettle"})
    assert response.status_code == 302


def delete_preset(w):
    preset = _preset(w)
    assert w.client.post(f"/presets/{preset.pk}/delete").status_code == 302


def _batch(w, prompts=("a kite", "a boat")):
    from studio.workflow import batch_services
    from studio.workflow.batch_rows import rows_from_lines

    batch = batch_services.submit_batch(user=w.owner, team=w.team, name="Kites", source="lines", model="dall-e-2",
                                        params={"size": "256x256"}, rows=rows_from_lines("\n".join(prompts)))
    forget_events()
    return batch


def submit_batch(w):
    response = w.client.post("/batches/new", {"model": "dall-e-2", "options": "size=256x256", "team": str(w.team.pk),
                                              "prompts": "a kite\na boat\na lighthouse"})
    assert response.status_code == 302, response.content[:500]


def cancel_batch(w):
    batch = _batch(w)
    assert w.client.post(f"/batches/{batch.pk}/cancel").status_code == 302


def retry_batch(w):
    from studio.generation.models import Job

    batch = _batch(w)
    Job.objects.filter(batch_item__batch=batch).update(status=Job.Status.FAILED, failure_code="server_error")
    assert w.client.post(f"/batches/{batch.pk}/retry").status_code == 302


def _webhook(w):
    from studio.workflow import webhook_services

    webhook = webhook_services.create_webhook(team=w.team, user=w.owner, url="https://hooks.example.com/studio",
                                              events=["job.done"])
    forget_events()
    return webhook


def create_webhook(w):
    response = w.client.post(f"/teams/{w.team.slug}/webhooks/", {"url": "https://hooks.example.com/studio",
                                                                 "events": ["job.done"], "active": "on"})
    assert response.status_code == 302, response.content[:500]


def change_webhook(w):
    webhook = _webhook(w)
    response = w.client.post(f"/teams/{w.team.slug}/webhooks/{webhook.pk}/",
                             {"url": "https://hooks.example.com/other", "events": ["job.failed"], "active": "on"})
    assert response.status_code == 302, response.content[:500]


def delete_webhook(w):
    webhook = _webhook(w)
    assert w.client.post(f"/teams/{w.team.slug}/webhooks/{webhook.pk}/delete").status_code == 302


def request_review(w):
    assert w.client.post(f"/images/{w.image.pk}/review", {"to": "in_review"}).status_code == 302


def _decide(w, to):
    from studio.workflow import review_services

    review_services.move_review(w.image, user=w.owner, to="in_review")
    forget_events()
    w.client.force_login(w.people["teammate"])
    forget_events()
    assert w.client.post(f"/images/{w.image.pk}/review", {"to": to}).status_code == 302


def approve_review(w):
    _decide(w, "approved")


def request_changes(w):
    _decide(w, "changes_requested")


def add_comment(w):
    assert w.client.post(f"/images/{w.image.pk}/comments", {"body": "@teammate what do you think?"}).status_code == 302


def change_notification_settings(w):
    assert w.client.post("/notifications/settings", {}).status_code == 302


def _collection(w, images=()):
    from studio.workflow import collection_services

    collection = collection_services.create_collection(user=w.owner, team=w.team, name="Campaign")
    collection_services.add_images(collection, list(images), user=w.owner)
    forget_events()
    return collection


def create_collection(w):
    assert w.client.post("/collections/", {"name": "Campaign", "team": str(w.team.pk)}).status_code == 302


def add_to_collection(w):
    collection = _collection(w)
    assert w.client.post("/collections/add", {"collection": collection.pk, "ids": str(w.image.pk)}).status_code == 302


def remove_from_collection(w):
    collection = _collection(w, [w.image])
    url = f"/collections/{collection.pk}/images/{w.image.pk}/remove"
    assert w.client.post(url).status_code == 302


def reorder_collection(w):
    second = make_image(w.owner, w.team, prompt="a second poster")
    collection = _collection(w, [w.image, second])
    assert w.client.post(f"/collections/{collection.pk}/order", {"ids": [second.pk, w.image.pk]}).status_code == 302


def delete_collection(w):
    collection = _collection(w, [w.image])
    assert w.client.post(f"/collections/{collection.pk}/delete").status_code == 302


def create_collection_link(w):
    collection = _collection(w, [w.image])
    assert w.client.post(f"/collections/{collection.pk}/share", {"days": "7"}).status_code == 302


def revoke_collection_link(w):
    from studio.workflow import collection_services

    collection = _collection(w, [w.image])
    link = collection_services.create_link(collection, user=w.owner)
    forget_events()
    assert w.client.post(f"/collections/{collection.pk}/links/{link.pk}/revoke").status_code == 302


def deliver_webhook(w):
    from django.test import override_settings

    from studio.workflow import webhook_services
    from studio.workflow.models import WebhookDelivery
    from tests.workflow.receivers import Receiver

    receiver = Receiver(failures=0)
    try:
        with override_settings(STUDIO_WEBHOOK_ALLOWED_HOSTS=[receiver.host_port]):
            webhook = webhook_services.create_webhook(team=w.team, user=w.owner, url=receiver.url,
                                                      events=["job.done"])
            delivery = WebhookDelivery.objects.create(webhook=webhook, event="job.done", body='{"event": "job.done"}')
            forget_events()
            assert webhook_services.deliver(delivery.pk).ok
    finally:
        receiver.close()


PERFORMS = {
    "budget.changed": change_budget,
    "notice.dismissed": dismiss_notice,
    "collection.created": create_collection,
    "collection.images_added": add_to_collection,
    "collection.image_removed": remove_from_collection,
    "collection.reordered": reorder_collection,
    "collection.deleted": delete_collection,
    "collection_link.created": create_collection_link,
    "collection_link.revoked": revoke_collection_link,
    "preset.created": create_preset,
    "batch.submitted": submit_batch,
    "batch.cancelled": cancel_batch,
    "batch.retried": retry_batch,
    "webhook.created": create_webhook,
    "webhook.changed": change_webhook,
    "webhook.deleted": delete_webhook,
    "review.requested": request_review,
    "review.approved": approve_review,
    "review.changes_requested": request_changes,
    "comment.added": add_comment,
    "notifications.changed": change_notification_settings,
    "preset.changed": change_preset,
    "preset.deleted": delete_preset,
    "sign_in": sign_in,
    "sign_out": sign_out,
    "sign_in.failed": fail_to_sign_in,
    "sign_in.locked_out": get_locked_out,
    "member.added": add_member,
    "member.role_changed": change_member_role,
    "member.removed": remove_member,
    "invite.sent": send_invitation,
    "invite.accepted": accept_invitation,
    "invite.revoked": revoke_invitation,
    "job.submitted": submit_job,
    "image.moved": move_image,
    "image.trashed": trash_image,
    "image.restored": restore_image,
    "image.purged": purge_image,
    "share_link.created": create_share_link,
    "share_link.revoked": revoke_share_link,
    "export.downloaded": download_export,
    "token.created": create_api_token,
    "token.revoked": revoke_api_token,
    "provider.changed": change_provider,
    "provider.tested": try_provider,
    "webhook.delivered": deliver_webhook,
}


@pytest.mark.parametrize("action", sorted(PERFORMS))
def test_each_action_writes_exactly_one_event(world, action):
    PERFORMS[action](world)
    events = list(AuditEvent.objects.all())
    assert [e.action for e in events] == [action], [str(e) for e in events]
    event = events[0]
    assert event.summary
    assert event.actor_name == ACTORS.get(action, "owner")


# Who each event names when it is not the owner acting in the world fixture.
ACTORS = {
    "image.purged": "",  # beat's purge is a system action
    "webhook.delivered": "",  # the worker sends it
    "sign_in": "teammate",  # signing in from another browser
    "sign_in.failed": "",  # nobody signed in: the name that was tried is in the summary
    "sign_in.locked_out": "",
    "invite.accepted": "outsider",  # the invitee joins
    "review.approved": "teammate",  # a maker does not decide the review of their own image
    "review.changes_requested": "teammate",
}


def test_the_table_covers_every_action_this_tree_performs():
    assert set(PERFORMS) | NOT_PERFORMED_YET == ACTIONS
    assert not set(PERFORMS) & NOT_PERFORMED_YET


def test_web_events_carry_the_request(world):
    world.client.post(f"/images/{world.image.pk}/delete", HTTP_X_REQUEST_ID="req-trash-1",
                      HTTP_USER_AGENT="pytest-browser", REMOTE_ADDR="198.51.100.7")
    event = AuditEvent.objects.get()
    assert (event.request_id, event.user_agent, event.ip) == ("req-trash-1", "pytest-browser", "198.51.100.7")
    assert (event.team_name, event.object_type, event.object_id) == ("Design", "image", str(world.image.pk))


def test_a_change_that_changes_nothing_writes_nothing(world):
    gallery_services.trash_image(world.image, actor=world.owner)
    gallery_services.trash_image(world.image, actor=world.owner)  # already in the trash
    gallery_services.move_image(world.image, world.team, actor=world.owner)  # already there
    assert list(AuditEvent.objects.values_list("action", flat=True)) == ["image.trashed"]


def test_provider_events_never_carry_the_key(world):
    change_provider(world)
    provider = Provider.objects.get(name="azure-eu")
    form = {"name": "azure-eu", "kind": "azure", "api_key": "n" * 40, "organization": "", "project": "",
            "base_url": "", "azure_endpoint": "https://eu.example.invalid/", "api_version": "2025-05-01",
            "deployments": "{}", "images_per_minute": 9, "enabled": "on"}
    assert world.client.post(f"/admin/models_registry/provider/{provider.pk}/change/", form).status_code == 302
    summaries = list(AuditEvent.objects.order_by("id").values_list("summary", flat=True))
    assert summaries[0] == "created azure-eu (Azure OpenAI)"
    assert "key replaced" in summaries[1] and "api_version" in summaries[1] and "images_per_minute" in summaries[1]
    assert not any("k" * 8 in s or "n" * 8 in s for s in summaries)


def test_submissions_say_where_they_came_from(people):
    from studio.generation import services

    services.submit_job(user=people["owner"], model="dall-e-2", prompt="a kite", params={"size": "256x256", "n": 1},
                        via="api")
    assert AuditEvent.objects.get().summary.endswith("via api")
