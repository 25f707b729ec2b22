"""Malformed input against every page that takes some: a 4xx with a sentence a person can act on, never a 500,
and nothing already typed or saved is lost on the way back."""
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from studio.generation import uploads
from studio.generation.models import Job

from .conftest import picture


def png_bomb_header(width=100_000, height=100_000) -> bytes:
    """A tiny, valid-looking PNG whose header claims billions of pixels (a decompression bomb)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")


@pytest.fixture
def owner_client(client, people):
    client.force_login(people["owner"])
    return client


def page(resp) -> str:
    return resp.content.decode()


# --- generate --------------------------------------------------------------------------------------

GOOD = {"prompt": "a quiet harbour at dawn", "model": "dall-e-2", "size": "256x256", "n": "1"}


@pytest.mark.parametrize("changes, sentence", [
    ({"n": "abc"}, "Enter a whole number."),
    ({"n": "1.5"}, "Enter a whole number."),
    ({"n": "100000"}, "Number of images is 100000; dall-e-2 accepts at most 10."),
    ({"n": "0"}, "Number of images is 0; dall-e-2 needs at least 1."),
    ({"n": "-3"}, "Number of images is -3; dall-e-2 needs at least 1."),
    ({"n": "9" * 40}, "dall-e-2 accepts at most 10."),
    ({"model": "no-such-model"}, "Select a valid choice. no-such-model is not one of the available choices."),
    ({"model": ""}, "This field is required."),
    ({"size": "abc"}, "Size &#x27;abc&#x27; is not WIDTHxHEIGHT; dall-e-2 accepts 256x256, 512x512 or 1024x1024."),
    ({"size": "99999x99999"}, "Size 99999x99999 is not available on dall-e-2; it accepts 256x256, 512x512 or 1024x1024."),
    ({"output_compression": "lots"}, "Enter a whole number."),
    ({"team": "abc"}, "Select a valid choice."),
    ({"team": "999999"}, "Select a valid choice."),
])
def test_generate_refuses_bad_options_in_words_and_keeps_the_prompt(owner_client, changes, sentence):
    resp = owner_client.post("/", {**GOOD, **changes})
    assert resp.status_code == 422
    html = page(resp)
    assert sentence in html
    assert "a quiet harbour at dawn</textarea>" in html  # what was typed comes back
    assert not Job.objects.exists()


def test_generate_with_an_empty_post_asks_for_the_model(owner_client):
    resp = owner_client.post("/", {})
    assert resp.status_code == 422
    assert "This field is required." in page(resp)


def test_generate_form_survives_nonsense_in_the_query(owner_client):
    resp = owner_client.get("/", {"n": "abc", "model": "no-such-model", "size": "abc", "team": "x", "quality": "<b>"})
    assert resp.status_code == 200
    assert "&lt;b&gt;" not in page(resp) or "<b>" not in page(resp)


@pytest.mark.parametrize("query", [
    {"model": "no-such-model"}, {"model": "dall-e-2", "n": "abc"}, {"model": "dall-e-2", "size": "abc"},
    {"model": "dall-e-2", "n": "9" * 40}, {"model": "dall-e-2", "operation": "nonsense"}, {},
])
def test_estimate_is_empty_rather_than_an_error(owner_client, query):
    resp = owner_client.get(reverse("generation:estimate"), query)
    assert resp.status_code == 200


# --- upload ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("name, data, sentence", [
    ("notes.png", b"not really a picture", "not a picture Studio can read"),
    ("empty.png", b"", "empty"),
    ("bomb.png", png_bomb_header(), "more pixels than Studio accepts"),
    ("notes.txt", b"hello\n" * 100, "not a picture Studio can read"),
    ("half.png", picture()[:120], "not a picture Studio can read"),
])
def test_upload_refuses_what_is_not_a_picture_in_words(owner_client, people, name, data, sentence):
    resp = owner_client.post(reverse("generation:upload"), {
        "image": SimpleUploadedFile(name, data, "image/png"), "model": "gpt-image-2", "for": "edit"})
    assert resp.status_code == 422
    assert sentence in page(resp)
    # The model the person chose is still chosen, ready for the next try.
    assert 'value="gpt-image-2" selected' in page(resp)


def test_upload_with_an_empty_multipart_asks_for_a_picture(owner_client):
    resp = owner_client.post(reverse("generation:upload"), {})
    assert resp.status_code == 422
    assert "Choose a picture to upload." in page(resp)


def test_upload_of_too_many_bytes_names_the_limit(owner_client, settings, monkeypatch):
    monkeypatch.setattr(uploads, "max_upload_bytes", lambda: 1000)  # STUDIO_MAX_UPLOAD_MB, in bytes
    resp = owner_client.post(reverse("generation:upload"), {
        "image": SimpleUploadedFile("big.png", picture((512, 512)), "image/png"), "model": "dall-e-2"})
    assert resp.status_code == 422
    assert "Studio takes pictures up to 1000 bytes" in page(resp)


# --- edit ------------------------------------------------------------------------------------------


def test_edit_with_an_empty_post_says_what_is_missing(owner_client):
    resp = owner_client.post(reverse("generation:edit"), {})
    assert resp.status_code == 422
    assert "Choose a picture to edit first." in page(resp)


@pytest.mark.parametrize("params", [{"source": "abc"}, {"source": "999999"}, {"upload": "../../secret_key"},
                                    {"upload": "uploads/user-999/x.png"}])
def test_edit_of_something_unknown_is_not_found(owner_client, params):
    assert owner_client.get(reverse("generation:edit"), params).status_code == 404


def test_edit_of_an_own_upload_that_is_gone_is_not_found(owner_client, people):
    key = f"uploads/user-{people['owner'].pk}/gone.png"
    assert owner_client.get(reverse("generation:edit"), {"upload": key}).status_code == 404
    assert owner_client.get(reverse("generation:prepare"), {"upload": key}).status_code == 404


@pytest.mark.parametrize("mask, sentence", [
    (b"not a png", "The mask could not be read: That file is not a picture"),
    (b"", "The submitted file is empty."),
    (png_bomb_header(), "The mask could not be read: The picture has more pixels than Studio accepts."),
])
def test_a_bad_mask_is_named_and_the_prompt_is_kept(owner_client, people, make_image, mask, sentence):
    image = make_image(people["owner"])
    resp = owner_client.post(reverse("generation:edit"), {
        "source": image.pk, "prompt": "add a red boat", "model": "dall-e-2", "size": "256x256", "n": "1",
        "mask": SimpleUploadedFile("mask.png", mask, "image/png"),
    })
    assert resp.status_code == 422
    html = page(resp)
    assert sentence in html
    assert "add a red boat</textarea>" in html
    assert f'name="source" value="{image.pk}"' in html
    assert Job.objects.filter(kind="edit").count() == 0


def test_a_bad_reference_is_named_and_the_prompt_is_kept(owner_client, people, make_image):
    image = make_image(people["owner"], model="gpt-image-2")
    resp = owner_client.post(reverse("generation:edit"), {
        "source": image.pk, "prompt": "in the style of the reference", "model": "gpt-image-2", "n": "1",
        "references": [SimpleUploadedFile("ref.png", b"garbage", "image/png")],
        "reference_images": ["abc"],
    })
    assert resp.status_code == 422
    html = page(resp)
    assert "ref.png: That file is not a picture" in html
    assert "in the style of the reference</textarea>" in html


def test_edit_with_a_non_integer_n_is_named(owner_client, people, make_image):
    image = make_image(people["owner"])
    resp = owner_client.post(reverse("generation:edit"), {
        "source": image.pk, "prompt": "x", "model": "dall-e-2", "n": "many"})
    assert resp.status_code == 422 and "Enter a whole number." in page(resp)


# --- prepare ---------------------------------------------------------------------------------------


def test_prepare_with_an_unknown_square_mode_is_refused_in_words(owner_client, people):
    key = uploads.store(people["owner"], picture((320, 240)), "png")
    resp = owner_client.post(reverse("generation:prepare"), {
        "upload": key, "for": "variation", "model": "dall-e-2", "consent": "yes", "square": "stretch"})
    assert resp.status_code == 400
    assert "pad or crop" in page(resp)


def test_prepare_without_consent_is_refused_in_words(owner_client, people):
    key = uploads.store(people["owner"], picture((320, 240)), "png")
    resp = owner_client.post(reverse("generation:prepare"), {"upload": key, "for": "edit", "model": "dall-e-2"})
    assert resp.status_code == 400 and "consent" in page(resp)


def test_prepare_with_nonsense_operation_and_model_falls_back(owner_client, people):
    key = uploads.store(people["owner"], picture((320, 240)), "png")
    resp = owner_client.get(reverse("generation:prepare"), {"upload": key, "for": "zzz", "model": "zzz"})
    assert resp.status_code in (200, 302)


# --- variation, jobs, previews -----------------------------------------------------------------------


@pytest.mark.parametrize("changes, sentence", [
    ({"n": "abc"}, "Enter a whole number."),
    ({"n": "5000"}, "Number of images is 5000; dall-e-2 accepts at most 10."),
    ({"model": "no-such-model"}, "Select a valid choice."),
    ({"size": "abc"}, "is not WIDTHxHEIGHT"),
])
def test_variation_refuses_bad_options_in_words(owner_client, people, make_image, changes, sentence):
    image = make_image(people["owner"])
    resp = owner_client.post(reverse("generation:variation", args=[image.pk]),
                             {"model": "dall-e-2", "size": "256x256", "n": "1", **changes})
    assert resp.status_code == 422
    assert sentence in page(resp)
    assert Job.objects.filter(kind="variation").count() == 0


def test_missing_previews_and_uploads_are_not_found(owner_client, people):
    job = Job.objects.create(owner=people["owner"], model="gpt-image-2", prompt="p", status="calling",
                             previews=["previews/job-0/gone.png"])
    assert owner_client.get(reverse("generation:job_preview", args=[job.pk, 0])).status_code == 404
    assert owner_client.get(reverse("generation:job_preview", args=[job.pk, 7])).status_code == 404
    key = f"uploads/user-{people['owner'].pk}/gone.png"
    assert owner_client.get(reverse("generation:upload_file", args=[key])).status_code == 404
