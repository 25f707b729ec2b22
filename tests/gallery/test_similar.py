"""Near-duplicates: perceptual hashes, the banded index, and "Similar images" on the image page."""
import io
import random

import pytest
from PIL import Image as PILImage
from PIL import ImageDraw

from studio.gallery import provenance, services
from studio.gallery.models import ImageFingerprint
from studio.gallery.similar import MAX_DISTANCE, band_probes, distance, similar_images

from .conftest import login

pytestmark = pytest.mark.django_db


def _scene(seed: int, size=256, fmt="PNG", resize=None) -> bytes:
    """A picture of shapes (pHash needs structure, not a flat colour); one seed, one scene."""
    rng = random.Random(seed)
    im = PILImage.new("RGB", (size, size), (rng.randrange(256), rng.randrange(256), rng.randrange(256)))
    draw = ImageDraw.Draw(im)
    for _ in range(12):
        x, y = rng.randrange(size), rng.randrange(size)
        r = rng.randrange(size // 10, size // 3)
        draw.ellipse((x - r, y - r, x + r, y + r), fill=(rng.randrange(256), rng.randrange(256), rng.randrange(256)))
    if resize:
        im = im.resize((resize, resize), PILImage.Resampling.BICUBIC)
    out = io.BytesIO()
    im.save(out, fmt)
    return out.getvalue()


def _fingerprint(image, unsigned_hash):
    ImageFingerprint.objects.update_or_create(image=image, defaults=ImageFingerprint.columns(unsigned_hash))


def _flip(value: int, bits: int, rng) -> int:
    for bit in rng.sample(range(64), bits):
        value ^= 1 << bit
    return value


def test_the_band_arithmetic_finds_every_hash_within_six_bits():
    """Pigeonhole with one-bit probes: no hash within 6 bits escapes, whichever bits differ."""
    rng = random.Random(20)
    for _ in range(300):
        target = rng.getrandbits(64)
        other = _flip(target, rng.randint(0, MAX_DISTANCE), rng)
        bands = {f"band{i}": (other >> (16 * i)) & 0xFFFF for i in range(4)}
        probes = {child[0]: child[1] for child in band_probes(target).children}
        assert any(bands[key.split("__")[1]] in values for key, values in probes.items()), (target, other)
    # The worst case for four exact bands: two bits in every band (8 apart) need not share one.
    assert distance(0, 0b11 | 0b11 << 16 | 0b11 << 32 | 0b11 << 48) == 8
    assert ImageFingerprint.columns(2**64 - 1) == {"phash": -1, "band0": 0xFFFF, "band1": 0xFFFF,
                                                   "band2": 0xFFFF, "band3": 0xFFFF}


def test_re_encodes_and_resizes_are_near_and_other_pictures_are_far(owner, make_image):
    original = make_image(owner, data=_scene(1))
    resized = make_image(owner, data=_scene(1, resize=200, fmt="JPEG"))
    other = make_image(owner, data=_scene(2))
    for image in (original, resized, other):
        provenance.record_provenance(image.pk)
    hashes = {i.pk: ImageFingerprint.objects.get(image=i).unsigned for i in (original, resized, other)}
    assert distance(hashes[original.pk], hashes[resized.pk]) <= MAX_DISTANCE
    assert distance(hashes[original.pk], hashes[other.pk]) > MAX_DISTANCE
    assert [i.pk for i in similar_images(owner, original)] == [resized.pk]


def test_similar_images_are_nearest_first_within_six_and_only_what_the_viewer_may_see(people, team, make_image):
    rng = random.Random(7)
    base = rng.getrandbits(64)
    me = make_image(people["owner"], team)
    near = {bits: make_image(people["teammate"], team) for bits in (0, 2, 6)}
    far = make_image(people["owner"], team)
    private = make_image(people["outsider"], None)  # someone else's, private: never shown
    trashed = make_image(people["owner"], team)
    _fingerprint(me, base)
    for bits, image in near.items():
        _fingerprint(image, _flip(base, bits, rng))
    _fingerprint(far, _flip(base, 7, rng))
    _fingerprint(private, base)
    _fingerprint(trashed, _flip(base, 1, rng))
    services.trash_image(trashed)

    found = similar_images(people["viewer"], me)
    assert [(i.pk, i.distance) for i in found] == [(near[0].pk, 0), (near[2].pk, 2), (near[6].pk, 6)]
    # The outsider's identical picture finds none of the team's images.
    assert [i.pk for i in similar_images(people["outsider"], private)] == []
    assert len(similar_images(people["owner"], me, limit=2)) == 2


def test_the_image_page_shows_similar_images(client, people, team, make_image):
    me = make_image(people["owner"], team)
    twin = make_image(people["teammate"], team)
    _fingerprint(me, 0xF0F0F0F0F0F0F0F0)
    _fingerprint(twin, 0xF0F0F0F0F0F0F0F1)
    me.provenance_read_at = twin.provenance_read_at = me.created_at
    me.save()
    html = login(client, people, "viewer").get(me.get_absolute_url()).content.decode()
    assert "Similar images" in html and f'href="/images/{twin.pk}/"' in html and "1 bit apart" in html
    lonely = make_image(people["owner"], team)
    html = client.get(lonely.get_absolute_url()).content.decode()
    assert "Not compared yet" in html


def test_similar_images_cost_two_queries(people, team, make_image, django_assert_max_num_queries):
    me = make_image(people["owner"], team)
    for i in range(5):
        _fingerprint(make_image(people["owner"], team), 12345 ^ (1 << i))
    _fingerprint(me, 12345)
    with django_assert_max_num_queries(3):
        assert len(similar_images(people["owner"], me)) == 5
