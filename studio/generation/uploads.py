"""Uploaded pictures: measure them, say what the chosen model would refuse, and adapt only with consent.

The registry decides what a model takes (`ModelSpec.problems` with `UploadInfo`); this module measures
the bytes with Pillow so that question can be asked, adds what the registry cannot see (an EXIF
orientation tag the API would ignore), and, once the person has agreed, makes a copy the model takes:
upright, square (padded or cropped), PNG, small enough. Every step it takes is returned as a sentence
so the page can say what was done.
"""
from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.core.files.storage import default_storage
from django.utils import timezone
from PIL import Image as PILImage
from PIL import ImageOps

from studio.gallery import storage
from studio.gallery.imaging import MAX_PIXELS, TooManyPixels, extension_for_format, open_within_limit
from studio.models_registry.registry import ModelSpec, Problem, UploadInfo, megabytes
from studio.models_registry.wording import upload_formats_text

from .models import Job

# One size limit for every picture a person sends (the picture, a mask, a reference), checked before
# reading: STUDIO_MAX_UPLOAD_MB, which also bounds the whole request (studio/request_limits.py).
EXIF_ORIENTATION = 0x0112
FORMATS = {"PNG": "png", "JPEG": "jpeg", "WEBP": "webp", "GIF": "gif", "MPO": "jpeg"}
ROTATION_WORDS = {
    2: "mirrored", 3: "upside down", 4: "mirrored upside down", 5: "mirrored and turned",
    6: "turned a quarter to the left", 7: "mirrored and turned", 8: "turned a quarter to the right",
}
SQUARE_MODES = ("pad", "crop")


class UploadRefused(ValueError):
    """An upload Studio will not take; the message is a sentence for a person."""


class NotAnImage(UploadRefused):
    """The bytes are not a picture Studio can read."""


class TooLarge(UploadRefused):
    """The file is over STUDIO_MAX_UPLOAD_MB; refused before it is read into memory."""


@dataclass(frozen=True)
class Measured:
    """What Pillow saw in one upload: the registry's UploadInfo plus the EXIF orientation."""

    info: UploadInfo
    orientation: int = 1  # EXIF orientation, 1 = stored upright

    @property
    def rotated(self) -> bool:
        return self.orientation not in (0, 1)

    def describe(self) -> str:
        i = self.info
        return f"{i.norm_format.upper()}, {i.width}x{i.height}, {megabytes(i.bytes)}"


def _open(data: bytes) -> PILImage.Image:
    """Fully decoded, for making a copy (the person agreed to one)."""
    try:
        return open_within_limit(io.BytesIO(data))
    except TooManyPixels:
        raise NotAnImage("The picture has more pixels than Studio accepts.") from None
    except Exception:  # Pillow raises many types for broken data
        raise _unreadable() from None


def _unreadable() -> NotAnImage:
    return NotAnImage(f"That file is not a picture Studio can read: upload a {upload_formats_text()}.")


def _open_header(data: bytes) -> PILImage.Image:
    """Format, size, mode and header info only: `Image.open` is lazy, and `verify` checks the structure
    (PNG chunk checksums) without decoding pixels. A hostile 8000x8000 PNG costs nothing here."""
    try:
        with PILImage.open(io.BytesIO(data)) as probe:
            if probe.width * probe.height > MAX_PIXELS:
                raise NotAnImage("The picture has more pixels than Studio accepts.")
            probe.verify()
        return PILImage.open(io.BytesIO(data))
    except NotAnImage:
        raise
    except PILImage.DecompressionBombError:
        raise NotAnImage("The picture has more pixels than Studio accepts.") from None
    except Exception:  # Pillow raises many types for broken data
        raise _unreadable() from None


def _may_be_transparent(im: PILImage.Image) -> bool:
    return im.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in im.info


# Looking for a transparent pixel means decoding. Pictures whose transparency a model reads (masks, markups,
# DALL·E 2's alpha edits: at most 1024x1024) are far smaller; above this the mode alone answers.
ALPHA_SCAN_PIXELS = 4096 * 4096


def _has_transparent_pixels(im: PILImage.Image) -> bool:
    """Whether any pixel is fully transparent: the mode says whether to look at all; when it must, one
    decode and the alpha band's extremes (or the palette's transparent entries), never a converted copy."""
    if not _may_be_transparent(im):
        return False
    if im.width * im.height > ALPHA_SCAN_PIXELS:
        return True
    try:
        if im.mode == "P":
            transparency = im.info.get("transparency")
            counts = im.histogram()
            if isinstance(transparency, int):
                return counts[transparency] > 0
            if isinstance(transparency, bytes):
                return any(counts[i] for i, a in enumerate(transparency) if a == 0)
            return False
        if "A" in im.getbands() or "a" in im.getbands():
            band = "A" if "A" in im.getbands() else "a"
            return im.getchannel(band).getextrema()[0] == 0
        return True  # a transparent colour key (RGB/L with "transparency"): the model sees it as alpha
    except Exception:  # truncated pixel data: the picture is broken
        raise NotAnImage("That file is not a complete picture (its pixel data is cut short or broken).") from None


class PixelBudget:
    """How many pixels the pictures of one request may claim together (STUDIO_MAX_UPLOAD_PIXELS), charged
    from their headers before any is decoded."""

    def __init__(self, limit: int | None = None):
        self.limit = settings.STUDIO_MAX_UPLOAD_PIXELS if limit is None else limit
        self.used = 0

    def charge(self, width: int, height: int) -> None:
        self.used += width * height
        if self.used > self.limit:
            raise UploadRefused(f"Together these pictures have {self.used / 1e6:.0f} million pixels; Studio takes "
                                f"up to {self.limit / 1e6:.0f} million in one request. Send smaller or fewer pictures.")


def max_upload_bytes() -> int:
    return settings.STUDIO_MAX_UPLOAD_MB * 1024 * 1024


def read_picture(upload, *, role: str = "image", budget: PixelBudget | None = None,
                 look_for_alpha: bool = True) -> tuple[bytes, Measured]:
    """The bytes of an uploaded file and what Pillow saw in them, or UploadRefused with the reason."""
    if upload.size > max_upload_bytes():
        raise TooLarge(f"The file is {megabytes(upload.size)}; Studio takes pictures up to "
                       f"{megabytes(max_upload_bytes())}.")
    data = upload.read()
    return data, measure(data, role=role, budget=budget, look_for_alpha=look_for_alpha)


def measure(data: bytes, *, role: str = "image", budget: PixelBudget | None = None,
            look_for_alpha: bool = True) -> Measured:
    """What the model's rules ask about a picture, from its header; the pixels are decoded only to look for
    transparency, only when the mode allows any, and only after `budget` has been charged."""
    if not data:
        raise NotAnImage("The file is empty.")
    im = _open_header(data)
    if budget is not None:
        budget.charge(im.width, im.height)
    fmt = FORMATS.get(im.format or "", (im.format or "").lower())
    info = UploadInfo(format=fmt, width=im.width, height=im.height, bytes=len(data),
                      has_alpha=_has_transparent_pixels(im) if look_for_alpha else _may_be_transparent(im),
                      role=role)
    return Measured(info=info, orientation=_orientation(im))


def _orientation(im: PILImage.Image) -> int:
    # A PNG keeps EXIF after its pixels, where Pillow would decode to reach it: only a header copy counts.
    if im.format == "PNG" and "exif" not in im.info:
        return 1
    try:
        return int(im.getexif().get(EXIF_ORIENTATION, 1) or 1)
    except Exception:  # a broken EXIF block is not a reason to refuse the picture
        return 1


def _placeholder_mask(info: UploadInfo) -> UploadInfo:
    # Asking only about the picture: a painted mask will come later, so pretend a valid one exists.
    return UploadInfo(format="png", width=info.width, height=info.height, bytes=1, has_alpha=True, role="mask")


def problems(spec: ModelSpec, operation: str, measured: Measured) -> list[Problem]:
    """Why `spec` would refuse this picture as the image of `operation`, including a sideways EXIF tag."""
    images = [measured.info]
    if operation == "edit" and spec.images.mask:
        images.append(_placeholder_mask(measured.info))
    out = [p for p in spec.problems(operation, {"prompt": "-"}, images=images) if p.field == "image"]
    if measured.rotated:
        out.append(Problem("image", f"The picture is stored {ROTATION_WORDS.get(measured.orientation, 'turned')} "
                                    "with a camera tag that says how to show it; the model ignores the tag and "
                                    "would see it that way."))
    return out


@dataclass(frozen=True)
class Plan:
    """What making a copy the model takes involves, before the person agrees to it."""

    orient: bool = False
    square: bool = False
    convert_to: str = ""  # target format, "" = keep
    shrink_below: int | None = None  # bytes the copy must stay under
    max_side: int | None = None
    unfixable: tuple[str, ...] = field(default_factory=tuple)

    @property
    def needed(self) -> bool:
        return bool(self.orient or self.square or self.convert_to or self.shrink_below or self.max_side)

    def steps(self) -> list[str]:
        out = []
        if self.orient:
            out.append("Turn the picture upright, as the camera tag says.")
        if self.square:
            out.append("Make it square: add transparent borders (pad) or cut the edges off (crop); you choose.")
        if self.max_side:
            out.append(f"Scale it down to at most {self.max_side}x{self.max_side} pixels.")
        if self.convert_to:
            out.append(f"Save it as {self.convert_to.upper()}.")
        if self.shrink_below:
            out.append(f"Scale it down further if needed to stay under {megabytes(self.shrink_below)}.")
        return out


def plan(spec: ModelSpec, operation: str, measured: Measured) -> Plan:
    rules = spec.images
    info = measured.info
    convert = ""
    if rules.formats and info.norm_format not in rules.formats:
        convert = "png" if "png" in rules.formats else rules.formats[0]
    square = rules.square and info.width != info.height
    max_side = None
    if rules.square and spec.sizes:
        # A square-only model answers at most its largest listed size; more pixels only cost bytes.
        largest = max((int(s.split("x")[0]) for s in spec.sizes if "x" in s), default=None)
        side = max(info.width, info.height) if square else info.width
        if largest and side > largest:
            max_side = largest
    shrink = rules.max_bytes if rules.max_bytes and (info.bytes >= rules.max_bytes or convert or square) else None
    fixable = {"image"}
    leftovers = tuple(p.message for p in problems(spec, operation, measured)
                      if p.field not in fixable or _not_fixed_by_copy(p.message))
    return Plan(orient=measured.rotated, square=square, convert_to=convert, shrink_below=shrink,
                max_side=max_side, unfixable=leftovers)


def _not_fixed_by_copy(message: str) -> bool:
    # A missing source or too many images is not something a copy of one picture can change.
    return "required" in message or "were given" in message or "transparent parts" in message


@dataclass(frozen=True)
class Adapted:
    data: bytes
    measured: Measured
    notes: tuple[str, ...]


def adapt(data: bytes, the_plan: Plan, *, square_mode: str = "pad") -> Adapted:
    """Apply `the_plan` to `data` (the person agreed to it) and say, step by step, what was done."""
    if square_mode not in SQUARE_MODES:
        raise ValueError(f"square_mode must be one of {SQUARE_MODES}")
    before = measure(data)
    im = _open(data)
    notes: list[str] = []
    source_format = before.info.norm_format
    if the_plan.orient:
        im = ImageOps.exif_transpose(im)
        notes.append(f"Turned the picture upright using its camera tag (it was stored "
                     f"{ROTATION_WORDS.get(before.orientation, 'turned')}); it is now {im.width}x{im.height}.")
    if im.mode not in ("RGB", "RGBA"):
        im = im.convert("RGBA" if ("A" in im.getbands() or "transparency" in im.info) else "RGB")
    if the_plan.square and im.width != im.height:
        w, h = im.size
        if square_mode == "crop":
            side = min(w, h)
            left, top = (w - side) // 2, (h - side) // 2
            im = im.crop((left, top, left + side, top + side))
            notes.append(f"Cropped {w}x{h} to the centre {side}x{side}.")
        else:
            side = max(w, h)
            canvas = PILImage.new("RGBA", (side, side), (0, 0, 0, 0))
            canvas.paste(im.convert("RGBA"), ((side - w) // 2, (side - h) // 2))
            im = canvas
            notes.append(f"Padded {w}x{h} with transparent borders to {side}x{side}.")
    if the_plan.max_side and max(im.size) > the_plan.max_side:
        w, h = im.size
        scale = the_plan.max_side / max(w, h)
        im = im.resize((max(1, round(w * scale)), max(1, round(h * scale))), PILImage.Resampling.LANCZOS)
        notes.append(f"Scaled {w}x{h} down to {im.width}x{im.height}.")
    target = the_plan.convert_to or ("png" if the_plan.orient and source_format not in ("png", "webp", "jpeg")
                                     else source_format)
    out = _encode(im, target)
    if the_plan.convert_to:
        notes.append(f"Saved as {target.upper()} (it was {source_format.upper()}).")
    if the_plan.shrink_below:
        while len(out) >= the_plan.shrink_below and min(im.size) > 64:
            w, h = im.size
            scale = max(0.5, min(0.9, (the_plan.shrink_below / len(out)) ** 0.5 * 0.95))
            im = im.resize((max(1, int(w * scale)), max(1, int(h * scale))), PILImage.Resampling.LANCZOS)
            out = _encode(im, target)
            notes.append(f"Scaled {w}x{h} down to {im.width}x{im.height} to stay under "
                         f"{megabytes(the_plan.shrink_below)}.")
    after = measure(out)
    notes.append(f"The copy is {after.describe()}; the original is unchanged.")
    return Adapted(data=out, measured=after, notes=tuple(notes))


def _encode(im: PILImage.Image, fmt: str) -> bytes:
    buf = io.BytesIO()
    if fmt == "jpeg":
        im.convert("RGB").save(buf, "JPEG", quality=92)
    elif fmt == "webp":
        im.save(buf, "WEBP", quality=92)
    else:
        im.save(buf, "PNG", optimize=False)
    return buf.getvalue()


# --- storage ---------------------------------------------------------------------------------------


def store(user, data: bytes, fmt: str) -> str:
    """Keep an upload (a picture, a mask, a reference) under a key of this person's upload area."""
    key = storage.upload_key(owner_id=user.pk, extension=extension_for_format(fmt))
    return storage.save_bytes(key, data)


def owns_key(user, key: str) -> bool:
    """Uploads are addressed by key in forms and links; only their uploader may use one."""
    return bool(key) and key.startswith(f"uploads/user-{user.pk}/") and ".." not in key and "\\" not in key


def usable_key(user, key: str) -> bool:
    """An upload of this person that is still in storage (a link or a kept draft may outlive it)."""
    return owns_key(user, key) and default_storage.exists(key)


def read_key(key: str) -> bytes:
    with storage.open_key(key) as fh:
        return fh.read()


def purge_orphan_uploads(*, older_than: timedelta = timedelta(days=1)) -> int:
    """Delete uploaded pictures (and adapted copies) that no job ever used, a day after upload.

    A picture a job used stays: it is an input of the archive's lineage, and "Try again" needs it.
    Returns how many files were deleted.
    """
    used = set()
    inputs = Job.objects.exclude(kind=Job.Kind.GENERATE).values_list("input_keys", "mask_key")
    for input_keys, mask_key in inputs.iterator():
        used.update(input_keys or [])
        used.add(mask_key)
    cutoff = timezone.now() - older_than
    deleted = 0
    for key in storage.walk_keys("uploads"):
        if key in used or default_storage.get_modified_time(key) > cutoff:
            continue
        storage.delete_key(key)
        deleted += 1
    return deleted
