"""Near-duplicates: a perceptual hash per image, and "Similar images" through the banded index.

The hash is imagehash's pHash (64 bits: the signs of the low frequencies of a 32x32 DCT), so
re-encodes, resizes and small edits land a few bits away while different pictures differ in ~32.
`ImageFingerprint` explains the bands; this module probes them and checks the exact distance.
"""
from __future__ import annotations

from django.db.models import Q

from .imaging import open_within_limit
from .models import Image, ImageFingerprint
from .selectors import GRID_FIELDS

MAX_DISTANCE = 6  # bits of 64: near-duplicates, re-encodes, light edits
SHOWN = 12
# A flood of identical pictures fills a bucket; past this many candidates the nearest found are shown.
CANDIDATE_LIMIT = 5000
MASK = (1 << 64) - 1


def perceptual_hash(path) -> int | None:
    """The unsigned 64-bit pHash of the picture at `path`; None when it cannot be decoded."""
    # Imported here, not at the top: imagehash loads numpy, which costs every web and worker process
    # half a second at start (seconds on a busy machine) for what only this post-store step needs.
    import imagehash

    try:
        with open_within_limit(path) as im:
            return int(str(imagehash.phash(im)), 16)
    except Exception:  # noqa: BLE001 - a picture that cannot be hashed simply has no near-duplicates
        return None


def distance(a: int, b: int) -> int:
    return ((a ^ b) & MASK).bit_count()


def band_probes(unsigned_hash: int) -> Q:
    """Rows sharing a band with the hash, exactly or but for one bit: a superset of all within 6 bits."""
    probes = Q()
    for name, band in ImageFingerprint.columns(unsigned_hash).items():
        if name.startswith("band"):
            values = [band] + [band ^ (1 << bit) for bit in range(ImageFingerprint.BAND_BITS)]
            probes |= Q(**{f"fingerprint__{name}__in": values})
    return probes


def similar_images(user, image, *, limit: int = SHOWN, max_distance: int = MAX_DISTANCE) -> list[Image]:
    """Images `user` may see within `max_distance` bits of `image`, nearest first (each with `.distance`)."""
    target = ImageFingerprint.objects.filter(image_id=image.pk).values_list("phash", flat=True).first()
    if target is None:
        return []
    target &= MASK
    candidates = (Image.objects.visible_to(user).filter(band_probes(target)).exclude(pk=image.pk).order_by()
                  .values_list("pk", "fingerprint__phash")[:CANDIDATE_LIMIT])
    near = sorted((distance(target, phash), -pk, pk) for pk, phash in candidates
                  if distance(target, phash) <= max_distance)[:limit]
    if not near:
        return []
    found = Image.objects.filter(pk__in=[pk for *_, pk in near]).only(*GRID_FIELDS).in_bulk()
    shown = []
    for bits, _, pk in near:
        found[pk].distance = bits
        shown.append(found[pk])
    return shown
