"""A fast procedural painter: pleasant, deterministic pictures from a prompt's words.

Everything is drawn on a small canvas and upscaled, so a 1024x1024 PNG costs a few
milliseconds of CPU; the same (prompt, seed, index) always gives the same pixels.
"""

from __future__ import annotations

import colorsys
import hashlib
import io
import random
import re
import struct
import zlib

from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageOps

# Long side of the sketch canvas; the picture is upscaled from it.
SKETCH = 192

_WORD = re.compile(r"[a-z0-9]+")


def _rng(*parts: object) -> random.Random:
    digest = hashlib.sha256("\x1f".join(str(p) for p in parts).encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


def _word_hue(word: str) -> float:
    return hashlib.md5(word.encode()).digest()[0] / 255.0


def _colour(hue: float, sat: float, val: float) -> tuple[int, int, int]:
    r, g, b = colorsys.hsv_to_rgb(hue % 1.0, max(0.0, min(1.0, sat)), max(0.0, min(1.0, val)))
    return int(r * 255), int(g * 255), int(b * 255)


def palette(prompt: str) -> list[tuple[int, int, int]]:
    """Colours derived from the prompt's words, so related prompts look related."""
    words = _WORD.findall(prompt.lower()) or ["blank"]
    hues = [_word_hue(w) for w in words[:12]]
    out = []
    for i, h in enumerate(hues):
        out.append(_colour(h, 0.45 + 0.1 * (i % 4), 0.75 + 0.05 * (i % 3)))
    return out


def _sketch_size(width: int, height: int) -> tuple[int, int]:
    scale = SKETCH / max(width, height)
    return max(2, round(width * scale)), max(2, round(height * scale))


def _sketch(prompt: str, seed: int, index: int, size: tuple[int, int], transparent: bool) -> Image.Image:
    rng = _rng(prompt, seed, index)
    words = _WORD.findall(prompt.lower()) or ["blank"]
    pal = palette(prompt)
    w, h = size
    base_hue = (_word_hue(words[0]) + rng.random() * 0.15) % 1.0
    if transparent:
        # Invisible, but its colour is what shape edges fade into when upscaled.
        canvas = Image.new("RGBA", size, pal[0] + (0,))
    else:
        sky_top = _colour(base_hue, 0.35, 0.95)
        sky_bottom = _colour(base_hue + 0.08, 0.55, 0.6)
        gradient = Image.linear_gradient("L").resize(size, Image.Resampling.BILINEAR)
        canvas = ImageOps.colorize(gradient, sky_top, sky_bottom).convert("RGBA")
    draw = ImageDraw.Draw(canvas, "RGBA")

    if not transparent:
        # A sun or moon, then rolling hills in the palette's colours.
        r = int(min(w, h) * (0.08 + rng.random() * 0.1))
        cx, cy = int(w * (0.15 + rng.random() * 0.7)), int(h * (0.12 + rng.random() * 0.25))
        draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=_colour(base_hue + 0.5, 0.3, 1.0) + (230,))
        layers = 2 + len(words) % 3
        for layer in range(layers):
            colour = pal[(layer + index) % len(pal)]
            shade = tuple(int(c * (0.55 + 0.15 * layer)) for c in colour)
            top = h * (0.55 + 0.12 * layer)
            amp = h * (0.04 + rng.random() * 0.06)
            phase = rng.random() * 6.28
            pts = [(0, h)]
            steps = 12
            for s in range(steps + 1):
                x = w * s / steps
                y = top + amp * (((s * 1.7 + phase) % 3.0) - 1.5) / 1.5
                pts.append((x, y))
            pts.append((w, h))
            draw.polygon(pts, fill=shade + (255,))

    # One motif per word: circles, diamonds, rectangles and triangles.
    for i, word in enumerate(words[:10]):
        wr = _rng(word, seed, index, i)
        colour = pal[i % len(pal)]
        alpha = 200 if not transparent else 255
        size_f = 0.06 + wr.random() * 0.14
        r = max(2, int(min(w, h) * size_f))
        cx = int(w * (0.1 + wr.random() * 0.8))
        cy = int(h * (0.25 + wr.random() * 0.6))
        kind = hashlib.md5(word.encode()).digest()[1] % 4
        box = (cx - r, cy - r, cx + r, cy + r)
        fill = colour + (alpha,)
        outline = tuple(int(c * 0.5) for c in colour) + (255,)
        if kind == 0:
            draw.ellipse(box, fill=fill, outline=outline)
        elif kind == 1:
            draw.polygon([(cx, cy - r), (cx + r, cy), (cx, cy + r), (cx - r, cy)], fill=fill, outline=outline)
        elif kind == 2:
            draw.rounded_rectangle(box, radius=max(1, r // 3), fill=fill, outline=outline)
        else:
            draw.polygon([(cx, cy - r), (cx + r, cy + r), (cx - r, cy + r)], fill=fill, outline=outline)
    return canvas


def paint(prompt: str, seed: int, index: int, width: int, height: int, transparent: bool = False) -> Image.Image:
    """A picture for the prompt at the requested size; RGBA with real alpha if transparent, else RGB."""
    sketch = _sketch(prompt, seed, index, _sketch_size(width, height), transparent)
    size = (width, height)
    # Upscale colour and alpha separately: resizing RGBA premultiplies and costs twice as much.
    rgb = sketch.convert("RGB").resize(size, Image.Resampling.BILINEAR)
    if not transparent:
        return rgb
    rgb.putalpha(sketch.getchannel("A").resize(size, Image.Resampling.BILINEAR))
    return rgb


def partial(final: Image.Image, step: int, steps: int) -> Image.Image:
    """A coarser rendering of the final picture, for streamed partial images."""
    w, h = final.size
    factor = 2 ** (steps - step + 2)
    small = final.resize((max(1, w // factor), max(1, h // factor)), Image.Resampling.BILINEAR)
    return small.resize((w, h), Image.Resampling.NEAREST)


def edit(
    source: Image.Image,
    mask: Image.Image | None,
    prompt: str,
    seed: int,
    index: int,
    size: tuple[int, int],
    transparent: bool = False,
) -> Image.Image:
    """Repaint only where the mask's alpha is 0; every other pixel is the source's.

    Without a mask the source's own alpha is the mask (the seed contract's rule).
    With ``mask`` None and an opaque source (GPT models' maskless edit) the whole
    picture is repainted, blended with the source so it stays recognisable.
    """
    src = source.convert("RGBA")
    if src.size != size:
        src = src.resize(size, Image.Resampling.BILINEAR)
    painted = paint(prompt, seed, index, size[0], size[1], transparent=transparent).convert("RGBA")
    alpha = (mask.convert("RGBA") if mask is not None else src).getchannel("A")
    if alpha.size != size:
        alpha = alpha.resize(size, Image.Resampling.NEAREST)
    # 255 where the mask is fully transparent (edit here), 0 elsewhere (keep the source).
    region = alpha.point(lambda a: 255 if a == 0 else 0)
    if region.getbbox() is None:
        blended = Image.blend(src, painted, 0.45)
        return blended
    return Image.composite(painted, src, region)


def vary(source: Image.Image, seed: int, index: int, size: tuple[int, int]) -> Image.Image:
    """A picture visibly derived from the source: same layout, shifted colours, new accents."""
    rng = _rng("variation", seed, index)
    src = source.convert("RGB")
    small = src.resize(_sketch_size(*size), Image.Resampling.BILINEAR)
    # Rotate the channels a little and soften, keeping the composition.
    r, g, b = small.split()
    shift = rng.random() * 0.35
    mixed = Image.merge("RGB", (Image.blend(r, g, shift), Image.blend(g, b, shift), Image.blend(b, r, shift)))
    mixed = mixed.filter(ImageFilter.GaussianBlur(1.2))
    draw = ImageDraw.Draw(mixed, "RGBA")
    w, h = mixed.size
    for _ in range(3 + index % 3):
        rad = int(min(w, h) * (0.03 + rng.random() * 0.06))
        cx, cy = int(rng.random() * w), int(rng.random() * h)
        colour = mixed.getpixel((min(w - 1, cx), min(h - 1, cy)))
        lighter = tuple(min(255, int(c * 1.25) + 20) for c in colour)
        draw.ellipse((cx - rad, cy - rad, cx + rad, cy + rad), fill=lighter + (120,))
    return mixed.resize(size, Image.Resampling.BILINEAR)


def encode(img: Image.Image, fmt: str = "png", compression: int | None = None) -> bytes:
    """Encode as png, webp or jpeg; compression is the API's 0-100 (100 = best quality)."""
    buf = io.BytesIO()
    fmt = fmt.lower()
    if fmt == "png":
        return png_bytes(img)
    elif fmt == "webp":
        quality = 80 if compression is None else max(1, compression)
        img.save(buf, "WEBP", quality=quality, method=0)
    elif fmt in ("jpeg", "jpg"):
        quality = 90 if compression is None else max(1, compression)
        img.convert("RGB").save(buf, "JPEG", quality=min(95, quality))
    else:
        raise ValueError(f"unsupported format {fmt}")
    return buf.getvalue()


def png_bytes(img: Image.Image) -> bytes:
    """A plain PNG (filter None, zlib level 1): about half the CPU of Pillow's adaptive filtering."""
    if img.mode not in ("RGB", "RGBA", "L", "LA"):
        img = img.convert("RGBA" if img.has_transparency_data else "RGB")
    width, height = img.size
    raw = img.tobytes()
    stride = len(raw) // height
    rows = b"".join(b"\x00" + raw[i : i + stride] for i in range(0, len(raw), stride))
    colour_type = {"L": 0, "RGB": 2, "LA": 4, "RGBA": 6}[img.mode]

    def chunk(tag: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + tag + body + struct.pack(">I", zlib.crc32(tag + body))

    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, colour_type, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(rows, 1))
        + chunk(b"IEND", b"")
    )


def render(prompt: str, seed: int, index: int, width: int, height: int, fmt: str = "png", transparent: bool = False,
           compression: int | None = None) -> bytes:
    """paint() then encode(): the bytes the API hands out."""
    return encode(paint(prompt, seed, index, width, height, transparent), fmt, compression)


def same_pixels(a: Image.Image, b: Image.Image) -> bool:
    return a.size == b.size and ImageChops.difference(a.convert("RGBA"), b.convert("RGBA")).getbbox(alpha_only=False) is None
