"""Upload checks and consented adaptation (studio/generation/uploads.py), against the real registry."""
import io
import os

import pytest
from PIL import Image as PILImage

from studio.generation import uploads
from studio.models_registry.registry import get_model

from .conftest import picture

DALLE2 = get_model("dall-e-2")
GPT = get_model("gpt-image-2")


def noisy_png(side: int) -> bytes:
    im = PILImage.frombytes("RGB", (side, side), os.urandom(side * side * 3))
    buf = io.BytesIO()
    im.save(buf, "PNG")
    return buf.getvalue()


def test_measure_reads_format_size_alpha_and_orientation():
    m = uploads.measure(picture((300, 200), "JPEG", exif_orientation=6))
    assert (m.info.norm_format, m.info.width, m.info.height) == ("jpeg", 300, 200)
    assert m.orientation == 6 and m.rotated
    clear = PILImage.new("RGBA", (10, 10), (0, 0, 0, 255))
    clear.putpixel((3, 3), (0, 0, 0, 0))
    buf = io.BytesIO()
    clear.save(buf, "PNG")
    assert uploads.measure(buf.getvalue()).info.has_alpha
    assert not uploads.measure(picture(mode="RGBA")).info.has_alpha  # an alpha channel, but nothing transparent


def test_not_an_image_is_refused_in_words():
    with pytest.raises(uploads.NotAnImage, match="not a picture"):
        uploads.measure(b"hello, not a png")
    with pytest.raises(uploads.NotAnImage, match="empty"):
        uploads.measure(b"")


def test_problems_name_what_dalle2_refuses():
    m = uploads.measure(picture((640, 480), "JPEG"))
    messages = " ".join(p.message for p in uploads.problems(DALLE2, "edit", m))
    assert "JPEG; dall-e-2 accepts PNG" in messages
    assert "640x480; dall-e-2 needs a square image" in messages
    assert uploads.problems(GPT, "edit", m) == []  # GPT image models take JPEG of any shape


def test_a_square_png_needs_nothing():
    m = uploads.measure(picture((512, 512)))
    assert uploads.problems(DALLE2, "edit", m) == []
    assert uploads.problems(DALLE2, "variation", m) == []
    assert not uploads.plan(DALLE2, "edit", m).needed


def test_exif_rotation_is_a_problem_for_every_model():
    m = uploads.measure(picture((300, 200), "JPEG", exif_orientation=6))
    assert any("camera tag" in p.message for p in uploads.problems(GPT, "edit", m))


def test_adapt_pads_to_a_transparent_square_png_and_says_so():
    data = picture((640, 480), "JPEG")
    m = uploads.measure(data)
    plan = uploads.plan(DALLE2, "edit", m)
    assert plan.square and plan.convert_to == "png" and plan.needed
    out = uploads.adapt(data, plan, square_mode="pad")
    assert (out.measured.info.norm_format, out.measured.info.width, out.measured.info.height) == ("png", 640, 640)
    assert uploads.problems(DALLE2, "edit", out.measured) == []
    im = PILImage.open(io.BytesIO(out.data))
    assert im.getpixel((0, 0))[3] == 0 and im.getpixel((320, 320))[3] == 255  # borders transparent
    text = " ".join(out.notes)
    assert "Padded 640x480 with transparent borders to 640x640" in text
    assert "Saved as PNG (it was JPEG)" in text


def test_adapt_crops_to_the_centre():
    data = picture((640, 480), "PNG")
    out = uploads.adapt(data, uploads.plan(DALLE2, "variation", uploads.measure(data)), square_mode="crop")
    assert (out.measured.info.width, out.measured.info.height) == (480, 480)
    assert any("Cropped 640x480 to the centre 480x480" in n for n in out.notes)


def test_adapt_applies_exif_orientation():
    data = picture((300, 200), "JPEG", exif_orientation=6)
    m = uploads.measure(data)
    plan = uploads.plan(GPT, "edit", m)
    assert plan.orient and not plan.square and not plan.convert_to
    out = uploads.adapt(data, plan)
    assert (out.measured.info.width, out.measured.info.height) == (200, 300)
    assert not out.measured.rotated
    assert out.measured.info.norm_format == "jpeg"
    assert uploads.problems(GPT, "edit", out.measured) == []


def test_adapt_downscales_below_four_megabytes():
    data = noisy_png(1400)
    assert len(data) > 4 * 1024 * 1024
    m = uploads.measure(data)
    assert any("accepts files under 4 MB" in p.message for p in uploads.problems(DALLE2, "edit", m))
    out = uploads.adapt(data, uploads.plan(DALLE2, "edit", m))
    assert out.measured.info.bytes < 4 * 1024 * 1024
    assert out.measured.info.width == out.measured.info.height <= 1024
    assert uploads.problems(DALLE2, "edit", out.measured) == []
    assert any("Scaled 1400x1400 down" in n for n in out.notes)


def test_owns_key_only_for_the_uploader(people):
    owner, outsider = people["owner"], people["outsider"]
    key = f"uploads/user-{owner.pk}/2026/11/abc.png"
    assert uploads.owns_key(owner, key)
    assert not uploads.owns_key(outsider, key)
    assert not uploads.owns_key(owner, f"uploads/user-{owner.pk}/../user-{outsider.pk}/x.png")
    assert not uploads.owns_key(owner, "images/user-1/2026/11/abc.png")
