"""The creative loop in the browser: paint a mask and edit, make variations, keyboard-only generate,
a moderation refusal with its reason, and uploads the model cannot take adapted only on consent."""
import base64
import io
import math
import re

from playwright.sync_api import expect
from PIL import Image as PILImage

from studio.gallery.models import Image
from studio.generation.models import Job

from .conftest import wait_for
from tests.ui.factories import picture

SOURCE_COLOUR = (200, 60, 30)


def _distance_to_segment(px, py, ax, ay, bx, by):
    dx, dy = bx - ax, by - ay
    t = max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / float(dx * dx + dy * dy)))
    return math.hypot(px - (ax + t * dx), py - (ay + t * dy))


def test_paint_a_mask_and_edit(page, live_server, celery_worker_thread, people, make_image, sign_in, standin,
                               screenshot):
    source = make_image(people["owner"], model="dall-e-2", size=(256, 256), prompt="a quiet harbour")
    sign_in(page, people["owner"], "pw-owner")
    page.goto(live_server.url + source.get_absolute_url())
    page.get_by_role("link", name="Edit with a mask").click()
    page.wait_for_url(re.compile(r"/edit/\?source=\d+"))
    canvas = page.locator("[data-mask-canvas]")
    expect(canvas).to_have_js_property("width", 256)

    # A 40-pixel brush (in the picture's own pixels), one stroke across the middle.
    page.locator("[data-brush-size]").evaluate("(el) => { el.value = '40'; el.dispatchEvent(new Event('input')); }")
    expect(page.locator("[data-brush-size-value]")).to_have_text("40 px")
    box = canvas.bounding_box()
    scale = box["width"] / 256
    a, b = (60, 128), (190, 128)
    page.mouse.move(box["x"] + a[0] * scale, box["y"] + a[1] * scale)
    page.mouse.down()
    page.mouse.move(box["x"] + b[0] * scale, box["y"] + b[1] * scale, steps=12)
    page.mouse.up()
    expect(page.locator("[data-mask-status]")).to_contain_text("Painted")

    page.get_by_label("Prompt").fill("a small red sailing boat")
    page.get_by_label("Model", exact=True).select_option("dall-e-2")
    page.get_by_label("Size", exact=True).select_option("256x256")
    page.get_by_label("Number of images").fill("1")
    screenshot(page, "edit-desktop")
    page.get_by_role("button", name="Edit", exact=True).click()
    page.wait_for_url(re.compile(r"/jobs/\d+/$"))
    expect(page.locator("#job-status .badge")).to_have_text("Done", timeout=30_000)

    job = Job.objects.get(pk=int(page.url.rstrip("/").rsplit("/", 1)[-1]))
    assert (job.kind, job.source_image_id) == ("edit", source.pk)
    child = Image.objects.get(job=job)
    assert child.parent_id == source.pk and child.status == Image.Status.STORED

    # What the stand-in received: a PNG mask, same size as the picture, alpha 0 exactly where painted.
    sent = [r for r in standin.requests("edits") if r.get("job") == str(job.pk)]
    assert len(sent) == 1
    mask = PILImage.open(io.BytesIO(base64.b64decode(sent[0]["files"]["mask"][0]["b64"])))
    assert mask.format == "PNG" and mask.size == (256, 256)
    alpha = mask.convert("RGBA").getchannel("A")
    assert set(alpha.getdata()) <= {0, 255}
    radius = 20
    wrong_inside = wrong_outside = 0
    for y in range(256):
        for x in range(256):
            d = _distance_to_segment(x + 0.5, y + 0.5, *a, *b)
            value = alpha.getpixel((x, y))
            if d <= radius - 2.5 and value != 0:
                wrong_inside += 1
            elif d >= radius + 2.5 and value != 255:
                wrong_outside += 1
    assert (wrong_inside, wrong_outside) == (0, 0)
    painted = sum(1 for v in alpha.getdata() if v == 0)
    capsule = 130 * 40 + math.pi * radius ** 2
    assert abs(painted - capsule) / capsule < 0.12

    # The stand-in repaints only the masked area: far from the stroke the child keeps the source's colour.
    from studio.gallery import storage

    with storage.open_key(child.storage_key) as fh:
        result = PILImage.open(io.BytesIO(fh.read())).convert("RGB")
    assert result.size == (256, 256)
    assert result.getpixel((10, 10)) == SOURCE_COLOUR and result.getpixel((250, 250)) == SOURCE_COLOUR
    assert result.getpixel((125, 128)) != SOURCE_COLOUR
    page.goto(live_server.url + child.get_absolute_url())
    expect(page.get_by_role("link", name="Compare with its source")).to_be_visible()
    page.get_by_role("link", name="Compare with its source").click()
    expect(page.locator(".compare-stage img")).to_have_count(2)
    screenshot(page, "compare-desktop")
    page.get_by_role("button", name="Side by side").click()
    expect(page.locator(".compare-stage.side")).to_be_visible()


def test_variations_from_the_image_page(page, live_server, celery_worker_thread, people, team, make_image, sign_in,
                                        standin):
    source = make_image(people["owner"], team=team, model="dall-e-2", size=(256, 256))
    sign_in(page, people["owner"], "pw-owner")
    page.goto(live_server.url + source.get_absolute_url())
    form = page.locator("#variation-form")
    form.get_by_label("Model", exact=True).select_option("dall-e-2")
    expect(form.locator("[data-option=prompt]")).to_be_hidden()  # the variations endpoint takes no prompt
    form.get_by_label("Size", exact=True).select_option("256x256")
    form.get_by_label("Number of images").fill("2")
    expect(form.locator("[data-estimate]")).to_contain_text("$0.032")
    form.get_by_role("button", name="Make variations").click()
    page.wait_for_url(re.compile(r"/jobs/\d+/$"))
    expect(page.locator("#job-status .badge")).to_have_text("Done", timeout=30_000)
    expect(page.locator("#job-status img")).to_have_count(2)
    job = Job.objects.get(pk=int(page.url.rstrip("/").rsplit("/", 1)[-1]))
    assert job.kind == "variation" and job.source_image_id == source.pk
    assert sorted(Image.objects.filter(job=job).values_list("parent_id", flat=True)) == [source.pk, source.pk]
    assert any(r.get("job") == str(job.pk) for r in standin.requests("variations"))

    # A GPT image model makes a variation as an unmasked edit with an editable default prompt.
    page.goto(live_server.url + source.get_absolute_url())
    form.get_by_label("Model", exact=True).select_option("gpt-image-2")
    expect(form.get_by_label("Prompt")).to_have_value("A variation of this image")
    form.get_by_label("Prompt").fill("A variation of this image, at night")
    form.get_by_label("Number of images").fill("1")
    form.get_by_role("button", name="Make variations").click()
    page.wait_for_url(re.compile(r"/jobs/\d+/$"))
    expect(page.locator("#job-status .badge")).to_have_text("Done", timeout=30_000)
    job = Job.objects.get(pk=int(page.url.rstrip("/").rsplit("/", 1)[-1]))
    assert (job.kind, job.prompt) == ("variation", "A variation of this image, at night")
    sent = [r for r in standin.requests("edits") if r.get("job") == str(job.pk)]
    assert sent and "mask" not in sent[0]["files"]
    assert Image.objects.get(job=job).parent_id == source.pk


def test_keyboard_only_generate(page, live_server, celery_worker_thread, people, sign_in):
    sign_in(page, people["owner"], "pw-owner")
    page.evaluate("localStorage.clear()")
    page.goto(live_server.url + "/")
    for _ in range(25):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.name") == "prompt":
            break
    else:
        raise AssertionError("the prompt cannot be reached with Tab")
    page.keyboard.type("a paper crane on a desk, soft light")
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent.trim()") == "Generate":
            break
    else:
        raise AssertionError("the Generate button cannot be reached with Tab")
    focus = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert focus != "none"  # the focus ring shows where the keyboard is
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/jobs/\d+/$"))
    expect(page.locator("#job-status .badge")).to_have_text("Done", timeout=30_000)
    img = page.locator("#job-status img").first
    expect(img).to_have_attribute("alt", re.compile("a paper crane on a desk"))
    job = Job.objects.get(pk=int(page.url.rstrip("/").rsplit("/", 1)[-1]))
    if job.model != "dall-e-2" and job.model != "dall-e-3":
        # The default model streams: the worker kept partial images while it waited.
        assert job.previews, "the pipeline stored no streamed previews"


def test_moderation_refusal_shows_its_reason(page, live_server, celery_worker_thread, people, sign_in, screenshot):
    sign_in(page, people["owner"], "pw-owner")
    page.get_by_label("Prompt").fill("a forbidden-word on a wall")
    page.get_by_label("Prompt").press("Control+Enter")
    page.wait_for_url(re.compile(r"/jobs/\d+/$"))
    expect(page.locator("#job-status .badge")).to_have_text("Failed", timeout=30_000)
    expect(page.locator("[data-failure]")).to_contain_text("safety system refused")
    # The same prompt is refused again: the main action is another prompt, the retry a quiet second.
    expect(page.locator(".failure .action-row > :first-child")).to_have_text("Change the prompt")
    expect(page.get_by_role("button", name="Try the same prompt again")).to_be_visible()
    screenshot(page, "moderation-change-prompt")
    page.get_by_role("link", name="Change the prompt", exact=True).click()
    expect(page.get_by_label("Prompt")).to_have_value("a forbidden-word on a wall")


def test_upload_adapted_only_after_consent(page, live_server, people, sign_in, screenshot, tmp_path):
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(picture((640, 480), "JPEG", exif_orientation=6))
    sign_in(page, people["owner"], "pw-owner")
    page.get_by_role("link", name="Edit", exact=True).click()
    page.get_by_label("Picture (PNG, JPEG or WEBP)").set_input_files(str(photo))
    page.get_by_label("Model", exact=True).select_option("dall-e-2")
    page.get_by_role("button", name="Upload").click()
    expect(page.get_by_role("heading", name="dall-e-2 cannot take this picture as it is")).to_be_visible()
    expect(page.locator(".problems")).to_contain_text("JPEG; dall-e-2 accepts PNG")
    expect(page.locator(".problems")).to_contain_text("camera tag")
    screenshot(page, "prepare-desktop")
    page.get_by_label("cropping: keep the centre, cut the edges").check()
    page.get_by_role("button", name="Prepare a copy").click()
    notes = page.locator("[data-adapted]")
    expect(notes).to_contain_text("Turned the picture upright")
    expect(notes).to_contain_text("Cropped 480x640 to the centre 480x480")
    expect(notes).to_contain_text("Saved as PNG (it was JPEG)")
    expect(page.locator("[data-mask-canvas]")).to_have_js_property("width", 480)
    expect(page.locator("[data-source-fit]")).to_be_hidden()  # the copy suits dall-e-2
