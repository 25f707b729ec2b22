"""The official openai SDK against a real Studio (uvicorn, a Celery worker, the stand-in): every endpoint,
both response formats, and what lands in the archive."""
from __future__ import annotations

import base64
import io

import openai
import pytest
import requests
from PIL import Image as PILImage

from studio.gallery.models import Image
from studio.generation.models import Job

from .conftest import png



def _picture(b64: str) -> PILImage.Image:
    return PILImage.open(io.BytesIO(base64.b64decode(b64)))


def test_generation_with_a_gpt_image_model_answers_b64_and_lands_in_the_archive(api, studio):
    result = api.client.images.generate(model="gpt-image-2", prompt="a lighthouse at dawn", size="1024x1024",
                                        quality="low", n=2)
    assert len(result.data) == 2 and all(item.b64_json for item in result.data)
    assert result.usage is not None and result.usage.total_tokens > 0
    assert result.size == "1024x1024" and result.quality == "low" and result.output_format == "png"
    assert _picture(result.data[0].b64_json).size == (1024, 1024)
    job = Job.objects.get(owner=api.person)
    assert job.api_token == api.token and job.team is None and job.status == Job.Status.DONE
    stored = list(Image.objects.filter(job=job).order_by("index"))
    assert [image.status for image in stored] == [Image.Status.STORED] * 2
    assert base64.b64decode(result.data[0].b64_json)[:8] == b"\x89PNG\r\n\x1a\n"
    assert stored[0].sha256 == __import__("hashlib").sha256(base64.b64decode(result.data[0].b64_json)).hexdigest()


def test_dalle_url_results_are_signed_studio_links_that_die_with_the_token(api, studio):
    from studio.accounts.token_services import revoke_token

    result = api.team_client.images.generate(model="dall-e-3", prompt="a red bicycle", size="1024x1024")
    item = result.data[0]
    assert item.url.startswith(studio.url + "/v1/files/images/") and item.revised_prompt
    job = Job.objects.get(owner=api.person)
    assert job.team_id is not None and job.api_token == api.team_token
    image = Image.objects.get(job=job)
    assert image.revised_prompt == item.revised_prompt and image.team_id == job.team_id
    answer = requests.get(item.url, timeout=10)  # no session, no token: the link is the key
    assert answer.status_code == 200 and answer.content[:4] == b"\x89PNG"
    assert requests.get(item.url[:-3] + "xyz", timeout=10).status_code == 404
    revoke_token(api.team_token, actor=api.person)
    assert requests.get(item.url, timeout=10).status_code == 404


def test_dalle_b64_json_when_asked(api):
    result = api.client.images.generate(model="dall-e-2", prompt="a kite", size="256x256", n=2,
                                        response_format="b64_json")
    assert [_picture(item.b64_json).size for item in result.data] == [(256, 256), (256, 256)]


def test_edit_and_variation_keep_their_inputs_and_answer_the_sdk(api, studio):
    edited = api.client.images.edit(model="gpt-image-2", image=("room.png", png(1024, transparent=True), "image/png"),
                                    prompt="add a window", size="1024x1024", quality="low")
    assert edited.data[0].b64_json and _picture(edited.data[0].b64_json).size == (1024, 1024)
    varied = api.client.images.create_variation(model="dall-e-2", image=("room.png", png(256), "image/png"),
                                                size="256x256", n=1, response_format="url")
    assert varied.data[0].url.startswith(studio.url)
    kinds = sorted(Job.objects.filter(owner=api.person).values_list("kind", "status"))
    assert kinds == [("edit", "done"), ("variation", "done")]
    edit_job = Job.objects.get(owner=api.person, kind="edit")
    assert edit_job.input_keys and edit_job.input_keys[0].startswith(f"uploads/user-{api.person.pk}/")


def test_models_lists_what_the_provider_serves_and_studio_knows(api):
    names = {model.id for model in api.client.models.list()}
    assert {"gpt-image-2", "dall-e-2", "dall-e-3"} <= names


def test_job_and_image_pages_say_via_api_and_the_token(api, studio, client):
    api.client.images.generate(model="gpt-image-2", prompt="a small boat", size="1024x1024", quality="low")
    job = Job.objects.get(owner=api.person)
    client.force_login(api.person)
    assert "via API · token nightly renders" in client.get(job.get_absolute_url()).content.decode()
    image = Image.objects.get(job=job)
    assert "via API · token nightly renders" in client.get(image.get_absolute_url()).content.decode()
    from studio.audit.models import AuditEvent

    assert AuditEvent.objects.filter(action="job.submitted", summary__contains="via api · token nightly renders").exists()
