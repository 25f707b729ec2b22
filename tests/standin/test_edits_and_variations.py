"""Edits and variations: upload rules per contract, and pixels that prove what was repainted."""

import io

import pytest
from PIL import Image, ImageChops

from studio.standin.painter import paint

from .conftest import decode, png, refused, striped, to_bytes

HOLE = (16, 16, 48, 40)


def _file(data: bytes, name="src.png", ctype="image/png"):
    return (name, data, ctype)


def _unmasked_equal(source: Image.Image, out: Image.Image, hole) -> None:
    src, out = source.convert("RGBA"), out.convert("RGBA")
    keep = Image.new("L", src.size, 255)
    keep.paste(0, hole)
    diff = ImageChops.difference(src, out)
    outside = Image.composite(diff, Image.new("RGBA", src.size), keep)
    assert outside.getbbox(alpha_only=False) is None, "a pixel outside the mask changed"
    inside = diff.crop(hole)
    assert inside.getbbox(alpha_only=False) is not None, "nothing was painted in the masked area"


# ---- dall-e-2 edits ------------------------------------------------------------------------

def test_dalle2_edit_with_mask_keeps_every_unmasked_pixel(client):
    source = striped((64, 64))
    mask = Image.new("RGBA", (64, 64), (0, 0, 0, 255))
    mask.paste((0, 0, 0, 0), HOLE)
    resp = client.images.edit(image=_file(to_bytes(source)), mask=_file(to_bytes(mask), "mask.png"),
                              prompt="a golden door", size="256x256", response_format="b64_json")
    out = decode(resp.data[0].b64_json)
    assert out.size == (256, 256)
    # Same check at the API's size: the source scaled as the stand-in scales it.
    big_src = source.resize((256, 256), Image.Resampling.BILINEAR)
    _unmasked_equal(big_src, out, tuple(v * 4 for v in HOLE))


def test_dalle2_edit_at_source_size_pixel_exact(client):
    source = striped((256, 256))
    mask = Image.new("RGBA", (256, 256), (255, 255, 255, 255))
    mask.paste((0, 0, 0, 0), (40, 60, 200, 100))
    resp = client.images.edit(image=_file(to_bytes(source)), mask=_file(to_bytes(mask)), prompt="a kite",
                              size="256x256", n=2)
    import requests

    for item in resp.data:
        out = Image.open(io.BytesIO(requests.get(item.url, timeout=10).content))
        _unmasked_equal(source, out, (40, 60, 200, 100))


def test_dalle2_edit_without_mask_uses_image_transparency(client):
    source = striped((256, 256), hole=(100, 100, 180, 160))
    resp = client.images.edit(image=_file(to_bytes(source)), prompt="a window", size="256x256",
                              response_format="b64_json")
    _unmasked_equal(source, decode(resp.data[0].b64_json), (100, 100, 180, 160))


def test_dalle2_edit_rules(client):
    opaque = to_bytes(striped((64, 64)))
    refused(lambda: client.images.edit(image=_file(opaque), prompt="x"), param="image",
            code="image_missing_transparency")
    refused(lambda: client.images.edit(image=_file(to_bytes(striped((64, 32), hole=(0, 0, 4, 4)))), prompt="x"),
            param="image", code="invalid_image_shape")
    jpeg = png((64, 64), mode="RGB", fmt="JPEG")
    refused(lambda: client.images.edit(image=_file(jpeg, "a.jpg", "image/jpeg"), prompt="x"), param="image",
            code="invalid_image_format")
    big = b"\x89PNG\r\n\x1a\n" + b"\0" * (4 * 1024 * 1024)
    refused(lambda: client.images.edit(image=_file(big), prompt="x"), param="image", code="image_too_large")
    hole = to_bytes(striped((64, 64), hole=(0, 0, 8, 8)))
    refused(lambda: client.images.edit(image=_file(hole), mask=_file(png((32, 32))), prompt="x"), param="mask",
            code="invalid_mask_size")
    refused(lambda: client.images.edit(image=_file(hole), mask=_file(png((64, 64), mode="RGB", fmt="JPEG"),
                                                                     "m.jpg"), prompt="x"), param="mask")
    refused(lambda: client.images.edit(image=_file(hole), prompt="x" * 1001), param="prompt",
            code="string_above_max_length")
    refused(lambda: client.images.edit(image=_file(hole), prompt="x", size="1536x1024"), param="size")
    refused(lambda: client.images.edit(image=_file(hole), prompt="x", n=11), param="n")
    refused(lambda: client.images.edit(image=[_file(hole), _file(hole)], prompt="x"), param="image",
            code="too_many_images")
    refused(lambda: client.images.edit(image=_file(hole), prompt="x", model="dall-e-3"), param="model")
    refused(lambda: client.images.edit(image=_file(hole), prompt="x", background="transparent"), param="background")
    refused(lambda: client.images.edit(image=_file(hole), prompt="gore"), code="content_policy_violation")
    refused(lambda: client.images.edit(image=_file(hole), prompt=""), param="prompt")
    assert client.images.edit(image=_file(hole), prompt="x", size="256x256").data[0].url


# ---- GPT image edits ------------------------------------------------------------------------

def test_gpt_edit_mask_applies_to_first_image_and_keeps_the_rest(client):
    first = striped((1024, 640))  # not square: fine for GPT models (and at least 655,360 pixels, so "auto" keeps it)
    second = to_bytes(Image.new("RGB", (100, 100), (0, 90, 200)), "JPEG")
    mask = Image.new("RGBA", (1024, 640), (0, 0, 0, 255))
    mask.paste((0, 0, 0, 0), (32, 32, 160, 96))
    resp = client.images.edit(
        model="gpt-image-2", prompt="add a balloon", mask=_file(to_bytes(mask), "mask.png"),
        image=[_file(to_bytes(first)), _file(second, "b.jpg", "image/jpeg")], quality="low",
    )
    assert resp.size == "1024x640"
    _unmasked_equal(first, decode(resp.data[0].b64_json), (32, 32, 160, 96))
    assert resp.usage.input_tokens_details.image_tokens > 0


def test_gpt_edit_without_mask_derives_from_source(client):
    source = striped((256, 256))
    resp = client.images.edit(model="gpt-image-1.5", prompt="make it autumn", image=_file(to_bytes(source)),
                              quality="low", size="1024x1024")
    out = decode(resp.data[0].b64_json)
    assert out.size == (1024, 1024) and resp.size == "1024x1024"
    assert not ImageChops.difference(out.convert("RGB"), source.resize(out.size).convert("RGB")).getbbox() is None


@pytest.mark.parametrize("fmt,ctype", [("PNG", "image/png"), ("WEBP", "image/webp"), ("JPEG", "image/jpeg")])
def test_gpt_edit_accepts_png_webp_jpeg(client, fmt, ctype):
    data = png((64, 64), mode="RGB", fmt=fmt)
    assert client.images.edit(model="gpt-image-2", prompt="x", image=("a", data, ctype), quality="low").data


def test_gpt_edit_rules(client):
    img = _file(png((64, 64), mode="RGB"))
    gif = png((64, 64), mode="RGB", fmt="GIF")
    refused(lambda: client.images.edit(model="gpt-image-2", prompt="x", image=("a.gif", gif, "image/gif")),
            param="image", code="invalid_image_format")
    assert len(client.images.edit(model="gpt-image-2", prompt="x", image=[img] * 16, quality="low").data) == 1
    refused(lambda: client.images.edit(model="gpt-image-2", prompt="x", image=[img] * 17), param="image",
            code="too_many_images")
    refused(lambda: client.images.edit(model="gpt-image-2", prompt="x", image=img, mask=_file(png((32, 32)))),
            param="mask", code="invalid_mask_size")
    refused(lambda: client.images.edit(model="gpt-image-2", prompt="x", image=img, response_format="b64_json"),
            param="response_format")
    refused(lambda: client.images.edit(model="gpt-image-2", prompt="x", image=img, input_fidelity="high"),
            param="input_fidelity")
    refused(lambda: client.images.edit(model="gpt-image-1-mini", prompt="x", image=img, input_fidelity="high"),
            param="input_fidelity")
    assert client.images.edit(model="gpt-image-1-mini", prompt="x", image=img, input_fidelity="low",
                              quality="low").data
    hi = client.images.edit(model="gpt-image-1.5", prompt="x", image=img, input_fidelity="high", quality="low")
    lo = client.images.edit(model="gpt-image-1.5", prompt="x", image=img, input_fidelity="low", quality="low")
    assert hi.usage.input_tokens > lo.usage.input_tokens
    refused(lambda: client.images.edit(model="gpt-image-1.5", prompt="x", image=img, size="1536x864"),
            param="size")
    refused(lambda: client.images.edit(model="gpt-image-2", prompt="x", image=img, extra_body={"moderation": "low"}),
            param="moderation", code="unknown_parameter")
    refused(lambda: client.images.edit(model="gpt-image-2", prompt="gore", image=img), code="moderation_blocked")
    refused(lambda: client.images.edit(model="gpt-image-2", prompt="x" * 32001, image=img), param="prompt")
    refused(lambda: client.images.edit(model="gpt-image-2", prompt="x", image=img, output_format="jpeg",
                                       background="transparent"), param="background")


def test_gpt_edit_50mb_limit(client):
    just_under = b"\x89PNG\r\n\x1a\n" + b"\0" * (50 * 1024 * 1024 - 9)
    # Under the limit the size check passes and the (garbage) file fails to decode instead.
    refused(lambda: client.images.edit(model="gpt-image-2", prompt="x", image=_file(just_under)), param="image",
            code="invalid_image")
    too_big = just_under + b"\0"
    refused(lambda: client.images.edit(model="gpt-image-2", prompt="x", image=_file(too_big)), param="image",
            code="image_too_large")


def test_markup_on_25_only_and_not_with_mask(client):
    base = to_bytes(striped((64, 64)))
    markup = to_bytes(striped((64, 64), hole=(0, 0, 32, 64)))
    assert client.images.edit(model="gpt-image-2.5-sunburst", prompt="x", image=_file(base),
                              markup=_file(markup, "markup.png"), quality="low").data
    refused(lambda: client.images.edit(model="gpt-image-2", prompt="x", image=_file(base),
                                       markup=_file(markup, "markup.png")), param="markup")
    refused(lambda: client.images.edit(model="gpt-image-2.5-flare", prompt="x", image=_file(base),
                                       markup=_file(markup), mask=_file(markup)), param="markup")
    refused(lambda: client.images.edit(model="gpt-image-2.5-flare", prompt="x", image=_file(base),
                                       markup=_file(base)), param="markup")


# ---- variations -----------------------------------------------------------------------------

def _thumb_distance(a: Image.Image, b: Image.Image) -> float:
    a = a.convert("RGB").resize((16, 16), Image.Resampling.BILINEAR)
    b = b.convert("RGB").resize((16, 16), Image.Resampling.BILINEAR)
    pixels = list(ImageChops.difference(a, b).getdata())
    return sum(sum(p) for p in pixels) / (len(pixels) * 3)


def test_variations_are_visibly_derived_from_the_source(client):
    source = paint("a red barn under a blue sky", 1, 0, 256, 256)
    resp = client.images.create_variation(image=_file(to_bytes(source)), n=3, size="256x256",
                                          response_format="b64_json")
    outs = [decode(d.b64_json) for d in resp.data]
    unrelated = paint("a neon city at night", 2, 0, 256, 256)
    for out in outs:
        assert out.size == (256, 256)
        assert not ImageChops.difference(out.convert("RGB"), source).getbbox() is None  # not a copy
        assert _thumb_distance(out, source) < _thumb_distance(unrelated, source) / 2
    assert outs[0].tobytes() != outs[1].tobytes()


def test_variation_rules(client):
    sq = _file(png((64, 64)))
    assert client.images.create_variation(image=sq).data[0].url
    refused(lambda: client.images.create_variation(image=_file(png((64, 32)))), param="image",
            code="invalid_image_shape")
    refused(lambda: client.images.create_variation(image=_file(png((64, 64), mode="RGB", fmt="JPEG"), "a.jpg")),
            param="image", code="invalid_image_format")
    big = b"\x89PNG\r\n\x1a\n" + b"\0" * (4 * 1024 * 1024)
    refused(lambda: client.images.create_variation(image=_file(big)), param="image", code="image_too_large")
    refused(lambda: client.images.create_variation(image=sq, n=11), param="n")
    refused(lambda: client.images.create_variation(image=sq, size="1792x1024"), param="size")
    refused(lambda: client.images.create_variation(image=sq, response_format="png"), param="response_format")
    for model in ("dall-e-3", "gpt-image-2", "gpt-image-2.5-sunburst", "gpt-image-1.5"):
        refused(lambda: client.images.create_variation(image=sq, model=model), param="model", code="invalid_value")
    refused(lambda: client.images.create_variation(image=sq, extra_body={"prompt": "x"}), param="prompt",
            code="unknown_parameter")
