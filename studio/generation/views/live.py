"""The pages' event stream: one per signed-in person, only events about jobs `visible_to` them.

Pages reload a job's fragment when its event comes (static/studio/live.js), and poll only while the
stream is broken. Served by the ASGI server, where a waiting stream holds no thread; under a WSGI
server (a test's live server) it answers 204, which tells the page to poll.
"""
from __future__ import annotations

import asyncio
import json

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, StreamingHttpResponse

from studio.accounts.models import Membership

from .. import live
from ..models import Job

KEEP_ALIVE_SECONDS = 15
# A stream ends after this long and the browser opens a new one (EventSource does by itself), so
# memberships that changed meanwhile are read again.
STREAM_SECONDS = 300


@login_required
async def job_events(request):
    if "wsgi.version" in request.META:
        return HttpResponse(status=204)
    user = await request.auser()
    teams = set(await live.db(lambda: list(Membership.objects.filter(user=user).values_list("team_id", flat=True))))
    response = StreamingHttpResponse(_events(user, teams), content_type="text/event-stream")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"
    return response


def _maybe_mine(user, teams: set):
    return lambda event: event.get("owner") == user.pk or event.get("team") in teams


async def _events(user, teams: set):
    loop = asyncio.get_running_loop()
    ends = loop.time() + STREAM_SECONDS
    async with live.listen() as inbox:
        yield b"retry: 2000\n: connected\n\n"
        while loop.time() < ends:
            event = await live.next_event(inbox, _maybe_mine(user, teams), KEEP_ALIVE_SECONDS)
            if event is None:
                yield b": keep-alive\n\n"
                continue
            if event.get("job") is None:  # a person's nudge (their notifications), never a teammate's
                if event.get("owner") == user.pk:
                    yield f"event: {event['event']}\ndata: {{}}\n\n".encode()
                continue
            if not await live.db(Job.objects.visible_to(user).filter(pk=event["job"]).exists):
                continue
            data = {"job": event["job"], "event": event["event"], "status": event.get("status")}
            yield f"event: job\ndata: {json.dumps(data)}\n\n".encode()
