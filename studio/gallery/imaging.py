"""Checks and derivatives of image bytes: validation under a decompression-bomb limit, thumbnails."""
import io
import warnings
from dataclasses import dataclass

from django.conf import settings
from PIL import Image as PILImage

# A generated image is at most a few tens of megapixels; anything claiming far more is hostile.
MAX_PIXELS = 64_000_000

CONTENT_TYPES = {"PNG": "image/png", "WEBP": "image/webp", "JPEG": "image/jpeg", "GIF": "image/gif"}


class BadImage(ValueError):
    """The bytes are not an image we can keep (truncated, corrupt, unknown format, too large)."""


@dataclass(frozen=True)
class ImageFacts:
    content_type: str
    width: int
    height: int


def inspect_image_file(path) -> ImageFacts:
    """Open and fully decode the file, so truncation and corruption are caught before storing."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", PILImage.DecompressionBombWarning)
        previous = PILImage.MAX_IMAGE_PIXELS
        try:
            PILImage.MAX_IMAGE_PIXELS = MAX_PIXELS
            with PILImage.open(path) as im:
                fmt = im.format
                im.verify()
            with PILImage.open(path) as im:
                im.load()  # verify() does not decode pixels; load() finds truncated data
                width, height = im.size
        except (PILImage.DecompressionBombError, PILImage.DecompressionBombWarning) as exc:
            raise BadImage(f"The image is larger than Studio accepts ({exc}).") from exc
        except Exception as exc:  # Pillow raises many types for broken data
            raise BadImage(f"The downloaded file is not a complete image ({type(exc).__name__}).") from exc
        finally:
            PILImage.MAX_IMAGE_PIXELS = previous
    if fmt not in CONTENT_TYPES:
        raise BadImage(f"The downloaded file is a {fmt or 'unknown'} file, not an image format Studio keeps.")
    return ImageFacts(CONTENT_TYPES[fmt], width, height)


def make_thumbnail(path, *, size: int | None = None) -> tuple[bytes, int, int]:
    """A WebP thumbnail that fits in a size×size box; returns (bytes, width, height)."""
    size = size or settings.STUDIO_THUMBNAIL_SIZE
    with PILImage.open(path) as im:
        im.draft("RGB", (size, size))  # lets JPEG decode at a reduced scale
        im.thumbnail((size, size), PILImage.Resampling.LANCZOS)
        if im.mode not in ("RGB", "RGBA"):
            im = im.convert("RGBA" if "A" in im.getbands() or im.mode == "P" else "RGB")
        out = io.BytesIO()
        im.save(out, "WEBP", quality=78, method=4)
        return out.getvalue(), im.width, im.height
