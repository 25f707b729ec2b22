"""Providers as they really are: compatible servers with quirks (relay.py), LiteLLM (litellm.py)."""
from __future__ import annotations

import uuid

import pytest

from studio.generation import services
from studio.models_registry.models import Provider

from .litellm import litellm  # noqa: F401  (the session's LiteLLM proxy)
from .relay import relay


@pytest.fixture
def quirky(standin, db):
    """quirky("fails_streaming") -> (Provider row, Relay): a compatible provider behind a relay with quirks."""
    opened = []

    def make(*quirks, **fields):
        cm = relay(standin.root_url, *quirks)
        server = cm.__enter__()
        opened.append(cm)
        row = Provider.objects.create(name=f"quirky-{uuid.uuid4().hex[:8]}", kind=Provider.Kind.COMPATIBLE,
                                      base_url=server.base_url, api_key="k", images_per_minute=10_000, **fields)
        return row, server

    yield make
    for cm in opened:
        cm.__exit__(None, None, None)


def submit(user, provider: str = "", *, model="gpt-image-2", kind="generate", **params):
    """A job as the forms make it (gpt-image: low quality at the standard size, so the stand-in is quick)."""
    defaults = {"n": 1, "size": "256x256"} if model.startswith("dall-e") else {"n": 1, "size": "1024x1024",
                                                                               "quality": "low"}
    return services.submit_job(user=user, model=model, prompt="a harbour at noon", params={**defaults, **params},
                               provider=provider, kind=kind)


def run_again(job):
    """The retry message arriving: run the job at its time (the test does not wait out the backoff)."""
    from studio.generation.models import Job

    Job.objects.filter(pk=job.pk).update(not_before=None)
    services.run_job(job.pk, paced=True)
    job.refresh_from_db()
    return job
