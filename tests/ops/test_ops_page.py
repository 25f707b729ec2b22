"""The operations page: staff only, every figure the issue lists, refreshed by htmx (no inline script)."""
from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.template.defaultfilters import filesizeformat

from studio.generation import services
from studio.generation.models import Job
from studio.generation.services import mailbox
from studio.ops import heartbeats
from tests.gallery.factories import make_image

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(db):
    return get_user_model().objects.create_user(username="operator", password="pw", is_staff=True)


@pytest.mark.parametrize("who", ["owner", "outsider"])
def test_the_page_is_for_staff_only(client, people, who):
    client.force_login(people[who])
    assert client.get("/ops/").status_code == 404
    assert client.get("/ops/live").status_code == 404


def test_anonymous_people_are_sent_to_sign_in(client):
    assert client.get("/ops/")["Location"].startswith("/accounts/login/")


def test_the_page_shows_every_figure(client, staff, people, team):
    image = make_image(people["owner"], team)
    calling = services.submit_job(user=people["owner"], team=team, model="dall-e-2", prompt="a kite",
                                  params={"size": "256x256", "n": 1})
    Job.objects.filter(pk=calling.pk).update(status=Job.Status.CALLING, called_at=calling.created_at, api_calls=1)
    Job.objects.create(owner=people["owner"], model="dall-e-2", status=Job.Status.FAILED,
                       failure_code="moderation_blocked", finished_at=calling.created_at)
    services.submit_job(user=people["owner"], model="dall-e-2", prompt="a boat", params={"size": "256x256", "n": 1})
    services.sweep(force=True)
    heartbeats._beat.node = "w1@test-host"
    heartbeats._beat.queues, heartbeats._beat.concurrency = ["api", "fetch"], 8
    heartbeats._beat.started = 0.0
    heartbeats._beat.beat_once()
    try:
        client.force_login(staff)
        page = client.get("/ops/").content.decode()
    finally:
        mailbox.client().delete(heartbeats.KEY_PREFIX + "w1@test-host")
    for heading in ("Queues", "Workers alive", "Sweeper", "Unfinished jobs", "Calls in flight",
                    "Failures, last 24 h", "Today, per provider and team", "Storage used", "Last archive check"):
        assert heading in page, heading
    assert "w1@test-host" in page and "api, fetch" in page
    assert "moderation_blocked" in page
    assert re.search(r"<dt>api</dt><dd>\d+</dd>", page)
    assert "<dt>Images</dt><dd>1</dd>" in page and f"<dd>{filesizeformat(image.byte_size)}</dd>" in page
    assert "Design" in page and "default" in page  # spend today per provider and team
    assert "s ago" in page  # the sweeper's last run
    assert "<script>" not in page.split("</head>")[1]  # refreshed by htmx attributes, no inline script
    assert 'hx-get="/ops/live"' in page and 'hx-trigger="every 5s"' in page


def test_a_broken_part_is_named_not_fatal(client, staff, settings):
    from studio.devtools.processes import free_port

    settings.REDIS_URL = f"redis://127.0.0.1:{free_port()}/0"
    client.force_login(staff)
    resp = client.get("/ops/live")
    assert resp.status_code == 200
    assert "Could not read this: ConnectionError" in resp.content.decode()


def test_the_live_fragment_is_the_page_body(client, staff):
    client.force_login(staff)
    fragment = client.get("/ops/live").content.decode()
    assert "<html" not in fragment and "Queues" in fragment
