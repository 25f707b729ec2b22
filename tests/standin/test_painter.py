"""The painter: deterministic, sized, shaped by the prompt's words, and not noise."""

from PIL import Image, ImageChops, ImageStat

from studio.standin import painter


def _roughness(img: Image.Image) -> float:
    """Mean absolute difference between horizontally adjacent pixels (noise is ~85, pictures are small)."""
    grey = img.convert("L")
    shifted = grey.transform(grey.size, Image.Transform.AFFINE, (1, 0, 1, 0, 1, 0))
    return ImageStat.Stat(ImageChops.difference(grey, shifted)).mean[0]


def test_deterministic_for_prompt_seed_index():
    a = painter.paint("a lighthouse", 0, 0, 320, 240)
    assert painter.same_pixels(a, painter.paint("a lighthouse", 0, 0, 320, 240))
    assert not painter.same_pixels(a, painter.paint("a lighthouse", 0, 1, 320, 240))
    assert not painter.same_pixels(a, painter.paint("a lighthouse", 1, 0, 320, 240))
    assert not painter.same_pixels(a, painter.paint("a cactus", 0, 0, 320, 240))


def test_pictures_are_smooth_and_colourful_not_noise():
    img = painter.paint("a red fox in a snowy forest", 0, 0, 512, 512)
    assert _roughness(img) < 6
    colours = img.resize((64, 64)).getcolors(64 * 64)
    assert colours is not None and len(colours) > 20
    assert max(ImageStat.Stat(img).stddev) > 20  # not a flat fill


def test_palette_follows_the_words():
    assert painter.palette("ocean sunset") == painter.palette("Ocean, sunset!")
    assert painter.palette("ocean sunset") != painter.palette("forest moss")


def test_sizes_formats_and_alpha():
    for fmt, pil in (("png", "PNG"), ("webp", "WEBP"), ("jpeg", "JPEG")):
        from io import BytesIO

        img = Image.open(BytesIO(painter.render("x", 0, 0, 1536, 864, fmt)))
        assert img.format == pil and img.size == (1536, 864)
    clear = painter.paint("a balloon", 0, 0, 256, 256, transparent=True)
    assert clear.mode == "RGBA" and clear.getchannel("A").getextrema() == (0, 255)


def test_png_writer_round_trips():
    from io import BytesIO

    for mode in ("RGB", "RGBA", "L", "LA", "P"):
        src = painter.paint("round trip", 0, 0, 97, 61, transparent=True).convert(mode)
        back = Image.open(BytesIO(painter.png_bytes(src)))
        assert painter.same_pixels(back, src)
