"""Idempotency keys, a client that walks away mid-wait, and stream=true relayed as the upstream streams."""
from __future__ import annotations

import base64

import pytest
import requests

from studio.gallery.models import Image
from studio.generation.models import Job
from tests.faults.conftest import wait_until

from .conftest import png


def test_an_idempotency_key_seen_again_answers_the_first_result_without_a_second_call(api, studio):
    key = {"Idempotency-Key": "render-2026-12-02-harbour"}
    first = api.client.images.generate(model="gpt-image-2", prompt="a harbour", quality="low", extra_headers=key)
    again = api.client.images.generate(model="gpt-image-2", prompt="a harbour", quality="low", extra_headers=key)
    assert again.data[0].b64_json == first.data[0].b64_json and again.created == first.created
    assert Job.objects.filter(owner=api.person).count() == 1
    assert studio.standin.stats()["requests"]["generations"] == 1
    api.client.images.generate(model="gpt-image-2", prompt="a harbour", quality="low",
                               extra_headers={"Idempotency-Key": "another"})
    assert studio.standin.stats()["requests"]["generations"] == 2


def test_a_client_that_disconnects_leaves_the_job_to_finish_and_be_archived(api, studio):
    studio.standin.configure(latency_ms=2500)
    try:
        with pytest.raises(requests.exceptions.ReadTimeout):
            requests.post(studio.base_url + "/images/generations", timeout=(5, 0.5),
                          headers={"Authorization": f"Bearer {api.raw}"},
                          json={"model": "gpt-image-2", "prompt": "a quiet street", "quality": "low"})
        job = Job.objects.get(owner=api.person)
        assert not job.is_finished
        wait_until(lambda: Job.objects.get(pk=job.pk).status == Job.Status.DONE, 60, "the job to finish")
    finally:
        studio.standin.configure(latency_ms=0)
    image = Image.objects.get(job=job)
    assert image.status == Image.Status.STORED and image.prompt == "a quiet street"


@pytest.mark.parametrize("operation", ["generate", "edit"])
def test_stream_true_relays_partial_images_then_the_completed_event(api, studio, operation):
    if operation == "generate":
        stream = api.client.images.generate(model="gpt-image-2", prompt="a comet", quality="low", stream=True,
                                            partial_images=2)
        prefix = "image_generation"
    else:
        stream = api.client.images.edit(model="gpt-image-2", image=("a.png", png(1024, transparent=True), "image/png"),
                                        prompt="a comet", quality="low", stream=True, partial_images=2)
        prefix = "image_edit"
    received = list(stream)
    kinds = [event.type for event in received]
    assert kinds == [f"{prefix}.partial_image"] * 2 + [f"{prefix}.completed"]
    assert [event.partial_image_index for event in received[:2]] == [0, 1]
    completed = received[-1]
    assert completed.usage.total_tokens > 0 and completed.size == "1024x1024"
    image = Image.objects.get(job__owner=api.person)
    assert image.sha256 == __import__("hashlib").sha256(base64.b64decode(completed.b64_json)).hexdigest()
    assert len(Job.objects.get(owner=api.person).previews) == 2
