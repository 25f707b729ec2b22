"""The pages' event stream: one per person, carrying only events about jobs `visible_to` them."""
from __future__ import annotations

import asyncio
import json

from asgiref.sync import async_to_sync, sync_to_async
from django.test import AsyncClient
from django.urls import reverse

from studio.generation.models import Job
from studio.generation.services import events


def _publish(*jobs) -> None:
    for job in jobs:
        events.publish(job, events.STATUS, status=Job.Status.CALLING)


def test_the_event_stream_carries_only_the_jobs_its_person_may_see(transactional_db, people, team):
    owner = people["owner"]
    mine = Job.objects.create(owner=owner, model="gpt-image-2", prompt="mine")
    teams = Job.objects.create(owner=people["teammate"], team=team, model="gpt-image-2", prompt="the team's")
    theirs = Job.objects.create(owner=people["outsider"], model="gpt-image-2", prompt="someone else's")

    async def listen() -> list[int]:
        client = AsyncClient()
        await client.aforce_login(owner)
        response = await client.get(reverse("generation:job_events"))
        assert response.status_code == 200 and response["Content-Type"] == "text/event-stream"
        stream = response.streaming_content.__aiter__()
        assert b"connected" in await asyncio.wait_for(anext(stream), 10)
        await sync_to_async(_publish)(theirs, mine, teams)
        seen = []
        while len(seen) < 2:
            chunk = await asyncio.wait_for(anext(stream), 10)
            if chunk.startswith(b"event: job"):
                seen.append(json.loads(chunk.split(b"data: ", 1)[1])["job"])
        await stream.aclose()
        return seen

    assert async_to_sync(listen)() == [mine.pk, teams.pk]


def test_under_a_wsgi_server_the_stream_says_poll_instead(client, people):
    client.force_login(people["owner"])
    assert client.get(reverse("generation:job_events")).status_code == 204
    client.logout()
    assert client.get(reverse("generation:job_events")).status_code == 302
