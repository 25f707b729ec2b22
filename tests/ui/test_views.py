"""The generate / edit / variation / status / compare pages, spoken to as owner, teammate and outsider."""
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image as PILImage

from studio.gallery import storage
from studio.generation import uploads
from studio.generation.models import Job

from .conftest import picture


def mask_png(size=(256, 256), hole=(0, 0, 64, 64)) -> bytes:
    im = PILImage.new("RGBA", size, (0, 0, 0, 255))
    im.paste((0, 0, 0, 0), hole)
    buf = io.BytesIO()
    im.save(buf, "PNG")
    return buf.getvalue()


@pytest.fixture
def owner_client(client, people):
    client.force_login(people["owner"])
    return client


# --- generate --------------------------------------------------------------------------------------


def test_generate_form_takes_initial_values_from_the_query(owner_client):
    html = owner_client.get("/", {"prompt": "a blue whale", "model": "dall-e-2", "size": "512x512", "n": "3"}).content.decode()
    assert "\na blue whale</textarea>" in html
    assert re.search(r'<option value="dall-e-2"[^>]*selected', html)
    assert re.search(r'<option value="512x512"[^>]*selected', html)
    assert re.search(r'name="n" value="3"', html)
    assert 'data-restore=""' in html  # a "Use again" link wins over a kept draft


def test_generate_form_without_query_may_restore_the_draft(owner_client):
    assert 'data-restore="1"' in owner_client.get("/").content.decode()


def test_generate_errors_name_the_field_and_the_limit(owner_client):
    resp = owner_client.post("/", {"prompt": "x" * 1204, "model": "dall-e-2", "size": "256x256", "n": 1})
    assert resp.status_code == 422
    assert "Prompt is 1,204 characters; dall-e-2 accepts at most 1,000." in resp.content.decode()
    resp = owner_client.post("/", {"prompt": "a cat", "model": "dall-e-3", "size": "1024x1024", "n": 3})
    assert "Number of images is 3; dall-e-3 accepts only 1." in resp.content.decode()
    resp = owner_client.post("/", {"prompt": "  ", "model": "dall-e-2"})
    assert "Write a prompt" in resp.content.decode()
    assert not Job.objects.exists()


def test_generate_submits_a_job(owner_client, people):
    resp = owner_client.post("/", {"prompt": "a cat", "model": "dall-e-2", "size": "256x256", "n": 2})
    job = Job.objects.get()
    assert resp.status_code == 302 and resp["Location"] == job.get_absolute_url()
    assert (job.kind, job.model, job.params) == ("generate", "dall-e-2", {"size": "256x256", "n": 2})


# --- edit ------------------------------------------------------------------------------------------


def test_edit_page_shows_the_brush_for_a_visible_image(client, people, team, make_image):
    image = make_image(people["owner"], team=team)
    for who, status in (("owner", 200), ("teammate", 200), ("outsider", 404)):
        client.force_login(people[who])
        resp = client.get(reverse("generation:edit"), {"source": image.pk})
        assert resp.status_code == status, who
        if status == 200:
            assert b"data-mask-canvas" in resp.content


def test_edit_with_a_mask_makes_a_child_job(owner_client, people, make_image):
    image = make_image(people["owner"])
    resp = owner_client.post(reverse("generation:edit"), {
        "source": image.pk, "prompt": "add a red boat", "model": "dall-e-2", "size": "256x256", "n": 1,
        "mask": SimpleUploadedFile("mask.png", mask_png(), "image/png"),
    })
    job = Job.objects.exclude(pk=image.job_id).get()
    assert resp.status_code == 302, resp.content.decode()[:2000]
    assert (job.kind, job.source_image_id, job.input_keys) == ("edit", image.pk, [image.storage_key])
    assert job.mask_key.startswith(f"uploads/user-{people['owner'].pk}/")
    with storage.open_key(job.mask_key) as fh:
        assert fh.read() == mask_png()


def test_edit_refuses_a_mask_of_other_dimensions(owner_client, people, make_image):
    image = make_image(people["owner"])
    resp = owner_client.post(reverse("generation:edit"), {
        "source": image.pk, "prompt": "x", "model": "dall-e-2", "size": "256x256",
        "mask": SimpleUploadedFile("mask.png", mask_png((128, 128), (0, 0, 8, 8)), "image/png"),
    })
    assert resp.status_code == 422
    assert "The mask is 128x128 but the image is 256x256; they must match." in resp.content.decode()


def test_dalle2_edit_without_mask_explains_why(owner_client, people, make_image):
    image = make_image(people["owner"])
    resp = owner_client.post(reverse("generation:edit"), {"source": image.pk, "prompt": "x", "model": "dall-e-2"})
    assert resp.status_code == 422
    assert "paint a mask" in resp.content.decode()


def test_gpt_edit_takes_reference_images_from_uploads_and_archive(owner_client, people, make_image):
    image = make_image(people["owner"], model="gpt-image-2", size=(320, 240))
    other = make_image(people["owner"], prompt="a red kite")
    resp = owner_client.post(reverse("generation:edit"), {
        "source": image.pk, "prompt": "put the kite in the sky", "model": "gpt-image-2", "size": "1024x1024",
        "reference_images": [other.pk],
        "references": [SimpleUploadedFile("a.jpg", picture((100, 80), "JPEG"), "image/jpeg")],
    })
    assert resp.status_code == 302, resp.content.decode()[:3000]
    job = Job.objects.get(kind="edit")
    assert job.input_keys[:2] == [image.storage_key, other.storage_key]
    assert len(job.input_keys) == 3 and job.input_keys[2].endswith(".jpg")
    assert job.mask_key == ""


def test_edit_refuses_references_of_someone_else(client, people, make_image):
    theirs = make_image(people["outsider"])
    mine = make_image(people["owner"], model="gpt-image-2")
    client.force_login(people["owner"])
    resp = client.post(reverse("generation:edit"), {"source": mine.pk, "prompt": "x", "model": "gpt-image-2",
                                                    "reference_images": [theirs.pk]})
    assert resp.status_code == 422
    assert not Job.objects.filter(kind="edit").exists()


def test_upload_that_does_not_fit_asks_before_adapting(owner_client, people):
    resp = owner_client.post(reverse("generation:upload"), {
        "image": SimpleUploadedFile("photo.jpg", picture((640, 480), "JPEG", exif_orientation=6), "image/jpeg"),
        "model": "dall-e-2", "for": "edit"})
    assert resp.status_code == 302
    page = owner_client.get(resp["Location"])
    html = page.content.decode()
    assert "dall-e-2 cannot take this picture as it is" in html
    assert "JPEG; dall-e-2 accepts PNG" in html and "camera tag" in html
    assert 'name="consent" value="yes"' in html
    key = re.search(r'name="upload" value="([^"]+)"', html).group(1)
    # Nothing is changed without consent.
    assert owner_client.post(reverse("generation:prepare"), {"upload": key, "model": "dall-e-2"}).status_code == 400
    done = owner_client.post(reverse("generation:prepare"), {"upload": key, "model": "dall-e-2", "for": "edit",
                                                             "consent": "yes", "square": "crop"})
    assert done.status_code == 302
    edit_page = owner_client.get(done["Location"]).content.decode()
    assert "Studio prepared a copy for the model" in edit_page
    assert "Turned the picture upright" in edit_page and "Cropped 480x640 to the centre 480x480" in edit_page
    new_key = re.search(r'name="upload" value="([^"]+)"', edit_page).group(1)
    assert new_key != key
    assert uploads.measure(uploads.read_key(new_key)).info.norm_format == "png"


def test_upload_that_fits_goes_straight_to_the_brush(owner_client):
    resp = owner_client.post(reverse("generation:upload"), {
        "image": SimpleUploadedFile("p.png", picture((256, 256)), "image/png"), "model": "dall-e-2"})
    follow = owner_client.get(resp["Location"])
    assert follow.status_code == 302 and "/edit/?" in follow["Location"]
    assert b"data-mask-canvas" in owner_client.get(follow["Location"]).content


def test_upload_of_not_a_picture_says_so(owner_client):
    resp = owner_client.post(reverse("generation:upload"), {
        "image": SimpleUploadedFile("notes.png", b"not really", "image/png"), "model": "dall-e-2"})
    assert resp.status_code == 422 and b"not a picture Studio can read" in resp.content


def test_uploads_are_served_only_to_their_uploader(client, people):
    key = uploads.store(people["owner"], picture(), "png")
    client.force_login(people["owner"])
    assert client.get(reverse("generation:upload_file", args=[key])).status_code == 200
    client.force_login(people["teammate"])
    assert client.get(reverse("generation:upload_file", args=[key])).status_code == 404
    assert client.get(reverse("generation:edit"), {"upload": key}).status_code == 404


# --- variation ---------------------------------------------------------------------------------------


def test_dalle2_variation_has_no_prompt_and_is_a_child(owner_client, people, make_image):
    image = make_image(people["owner"])
    resp = owner_client.post(reverse("generation:variation", args=[image.pk]),
                             {"model": "dall-e-2", "size": "256x256", "n": 3, "prompt": "ignored"})
    assert resp.status_code == 302, resp.content.decode()[:2000]
    job = Job.objects.get(kind="variation")
    assert (job.prompt, job.source_image_id, job.input_keys, job.params["n"]) == ("", image.pk, [image.storage_key], 3)


def test_gpt_variation_uses_the_default_prompt_when_left_blank(owner_client, people, make_image):
    image = make_image(people["owner"], model="gpt-image-2")
    owner_client.post(reverse("generation:variation", args=[image.pk]), {"model": "gpt-image-2", "n": 1, "prompt": ""})
    assert Job.objects.get(kind="variation").prompt == "A variation of this image"


def test_variation_of_a_non_square_image_on_dalle2_offers_a_copy(owner_client, people, make_image):
    image = make_image(people["owner"], model="gpt-image-2", size=(320, 240))
    resp = owner_client.post(reverse("generation:variation", args=[image.pk]), {"model": "dall-e-2", "n": 1})
    assert resp.status_code == 422
    assert "320x240; dall-e-2 needs a square image" in resp.content.decode()
    page = owner_client.get(reverse("generation:prepare"), {"source": image.pk, "for": "variation", "model": "dall-e-2"})
    assert b"Prepare a copy" in page.content


def test_image_page_offers_edit_variation_and_prompt_tools(client, people, team, make_image):
    parent = make_image(people["owner"], team=team)
    image = make_image(people["owner"], team=team, revised_prompt="A lighthouse, oil painting", parent=parent)
    client.force_login(people["teammate"])
    html = client.get(image.get_absolute_url()).content.decode()
    assert f'href="/edit/?source={image.pk}"' in html
    assert 'id="variation-form"' in html and "Make variations" in html
    assert "Use revised prompt" in html and "Copy revised prompt" in html
    assert reverse("generation:compare", args=[parent.pk, image.pk]) in html


# --- status, retry, previews, compare ------------------------------------------------------------------


def test_status_shows_queue_position_and_downloads(owner_client, people):
    first = Job.objects.create(owner=people["owner"], model="dall-e-2", prompt="a", params={"n": 2})
    second = Job.objects.create(owner=people["owner"], model="dall-e-2", prompt="b", params={"n": 2})
    html = owner_client.get(reverse("generation:job_status", args=[second.pk])).content.decode()
    # Reloaded when the job's live event comes (static/studio/live.js polls only while the stream is broken).
    assert "Number 2 in the queue" in html and 'hx-trigger="live-refresh"' in html
    assert f'data-live-job="{second.pk}"' in html
    Job.objects.filter(pk=first.pk).update(status=Job.Status.CALLING)
    html = owner_client.get(reverse("generation:job_status", args=[second.pk])).content.decode()
    assert "Next in the queue" in html


def test_polled_status_fragment_does_not_look_up_the_provider(owner_client, people):
    """The banner belongs to whole pages; the fragment htmx fetches every second must not pay for it."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    job = Job.objects.create(owner=people["owner"], model="dall-e-2", prompt="a", params={"n": 1})
    with CaptureQueriesContext(connection) as fragment:
        owner_client.get(reverse("generation:job_status", args=[job.pk]))
    assert not [q for q in fragment.captured_queries if "models_registry_provider" in q["sql"]]
    with CaptureQueriesContext(connection) as page:
        html = owner_client.get(reverse("generation:job", args=[job.pk])).content.decode()
    assert [q for q in page.captured_queries if "models_registry_provider" in q["sql"]]
    assert "local stand-in" in html


def test_failed_job_shows_reason_and_try_again_keeps_everything(client, people, make_image):
    image = make_image(people["owner"])
    job = Job.objects.create(owner=people["owner"], kind="edit", model="dall-e-2", prompt="gore", status="failed",
                             params={"size": "256x256", "n": 1}, source_image=image, input_keys=[image.storage_key],
                             mask_key="uploads/x.png", failure_code="moderation_blocked",
                             failure_message="The request was refused by the safety system.")
    client.force_login(people["owner"])
    html = client.get(job.get_absolute_url()).content.decode()
    assert "refused by the safety system" in html and "Try again" in html and "hx-trigger" not in html
    resp = client.post(reverse("generation:job_retry", args=[job.pk]))
    again = Job.objects.exclude(pk__in=[job.pk, image.job_id]).get()
    assert resp["Location"] == again.get_absolute_url()
    assert (again.kind, again.params, again.source_image_id, again.input_keys, again.mask_key) == (
        "edit", job.params, image.pk, job.input_keys, "uploads/x.png")
    client.force_login(people["outsider"])
    assert client.post(reverse("generation:job_retry", args=[job.pk])).status_code == 404


@pytest.mark.parametrize("who, status", [("owner", 200), ("teammate", 200), ("outsider", 404)])
def test_previews_go_through_the_job_door(client, people, team, who, status):
    key = uploads.store(people["owner"], picture((64, 64)), "png")
    job = Job.objects.create(owner=people["owner"], team=team, model="gpt-image-2", prompt="p", status="calling",
                             previews=[key])
    client.force_login(people[who])
    assert client.get(reverse("generation:job_preview", args=[job.pk, 0])).status_code == status
    if status == 200:
        assert client.get(reverse("generation:job_preview", args=[job.pk, 1])).status_code == 404
        assert "Preview 1, still working" in client.get(job.get_absolute_url()).content.decode()


@pytest.mark.parametrize("who, status", [("owner", 200), ("teammate", 200), ("outsider", 404)])
def test_compare_needs_both_images_visible(client, people, team, make_image, who, status):
    a = make_image(people["owner"], team=team)
    b = make_image(people["owner"], team=team, parent=a)
    client.force_login(people[who])
    assert client.get(reverse("generation:compare", args=[a.pk, b.pk])).status_code == status


def test_edit_and_variation_default_to_the_source_size(owner_client, people, make_image):
    image = make_image(people["owner"], size=(512, 512))
    html = owner_client.get(reverse("generation:variation", args=[image.pk]), {"model": "dall-e-2"}).content.decode()
    assert re.search(r'<option value="512x512"[^>]*selected', html)
    odd = make_image(people["owner"], model="gpt-image-2", size=(480, 320))
    html = owner_client.get(reverse("generation:edit"), {"source": odd.pk, "model": "dall-e-2"}).content.decode()
    assert 'value="480x320"' not in html  # dall-e-2 does not make that size: its default instead
    assert re.search(r'<option value="1024x1024"[^>]*selected', html)


def test_too_many_reference_images_are_refused_with_the_limit(owner_client, people, make_image):
    image = make_image(people["owner"], model="gpt-image-2")
    refs = [SimpleUploadedFile(f"r{i}.png", picture((32, 32)), "image/png") for i in range(16)]
    resp = owner_client.post(reverse("generation:edit"), {"source": image.pk, "prompt": "x", "model": "gpt-image-2",
                                                          "references": refs})
    assert resp.status_code == 422
    assert "17 images were given; gpt-image-2 takes at most 16 for edits." in resp.content.decode()


def test_jobs_list_badges_follow_the_job_until_finished(owner_client, people):
    running = Job.objects.create(owner=people["owner"], model="dall-e-2", prompt="a", status="calling")
    html = owner_client.get(reverse("generation:jobs")).content.decode()
    assert f'hx-get="/jobs/{running.pk}/status?compact=1"' in html
    badge = owner_client.get(reverse("generation:job_status", args=[running.pk]), {"compact": 1}).content.decode()
    assert "Calling the model" in badge and 'hx-trigger="live-refresh"' in badge
    assert f'data-live-job="{running.pk}"' in badge
    Job.objects.filter(pk=running.pk).update(status="done")
    badge = owner_client.get(reverse("generation:job_status", args=[running.pk]), {"compact": 1}).content.decode()
    assert "Done" in badge and "hx-trigger" not in badge


def test_initial_values_ignore_unknown_query_keys():
    from studio.generation.forms import initial_from_query

    assert initial_from_query({"prompt": "p", "size": "", "evil": "x", "n": "2"}) == {"prompt": "p", "n": "2"}
