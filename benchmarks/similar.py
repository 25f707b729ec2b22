""""Similar images" at scale: the banded perceptual-hash index on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/studio_bench .venv/bin/python benchmarks/similar.py --images 100000

Seeds the archive the way benchmarks/gallery.py does (`seed_archive`, its own database), then gives
every image a fingerprint: roots a random 64-bit hash, edits and variations their parent's hash
with 0-8 bits flipped (so families are near-duplicates, as real variations are), written with COPY.
Times `similar_images` alone and the whole image page (which shows it) as a member of the busiest
team, prints p50/p95 and the candidates a search examines, and as its last line
`similar images p95 ms at N images: X`. It never asserts times.
"""
import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from gallery import _drop_database, percentile, seeded_archive  # noqa: E402  (the sibling benchmark's helpers)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=300, help="timed requests per measurement")
    parser.add_argument("--reset", action="store_true", help="drop and recreate the benchmark database first")
    parser.add_argument("--drop", action="store_true", help="drop the benchmark database when done")
    args = parser.parse_args()

    seeded_archive(args)
    fingerprint_all()
    try:
        last_line = run(args)
    finally:
        if args.drop:
            from django.db import connections

            connections.close_all()
            _drop_database(os.environ["DATABASE_URL"])
    print(last_line)


def fingerprint_all() -> None:
    """A fingerprint for every image that has none: families near each other, strangers far apart."""
    from django.db import connection, transaction
    from django.utils import timezone

    from studio.gallery.models import Image, ImageFingerprint

    missing = Image.objects.filter(fingerprint__isnull=True)
    if not missing.exists():
        return
    started = time.monotonic()
    rng = random.Random(20)
    known = dict(ImageFingerprint.objects.values_list("image_id", "phash"))
    known = {pk: value & ((1 << 64) - 1) for pk, value in known.items()}
    table = ImageFingerprint._meta.db_table
    # Read before COPY starts: the connection can run nothing else while a COPY is open.
    lineage = list(Image.objects.order_by("pk").values_list("pk", "parent_id"))
    with transaction.atomic(), connection.cursor() as cursor:
        with cursor.cursor.copy(f"COPY {table} (image_id, phash, band0, band1, band2, band3) FROM STDIN") as out:
            for pk, parent in lineage:
                if pk in known:
                    continue
                value = known.get(parent)
                if value is None:
                    value = rng.getrandbits(64)
                else:
                    for bit in rng.sample(range(64), rng.randint(0, 8)):
                        value ^= 1 << bit
                known[pk] = value
                row = ImageFingerprint.columns(value)
                out.write_row((pk, row["phash"], row["band0"], row["band1"], row["band2"], row["band3"]))
        Image.objects.filter(provenance_read_at__isnull=True).update(provenance_read_at=timezone.now(),
                                                                    credentials={"present": False})
        cursor.execute(f"ANALYZE {table}")
    print(f"fingerprints: {len(known):,} in {time.monotonic() - started:.1f} s")


def run(args) -> str:
    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from studio.accounts.models import Membership
    from studio.gallery.models import Image
    from studio.gallery.similar import band_probes, similar_images

    rng = random.Random(1)
    total = Image.objects.count()
    team_id = (Image.objects.filter(team__isnull=False).values("team_id").annotate(n=Count("id")).order_by("-n")
               .values_list("team_id", flat=True).first())
    membership = (Membership.objects.filter(team_id=team_id, role__in=["owner", "member"]).select_related("team", "user")
                  .order_by("user_id").first())
    user = membership.user
    visible = list(Image.objects.visible_to(user).values_list("id", flat=True)[:5000])
    images = {pk: image for pk, image in Image.objects.in_bulk(visible).items()}
    client = Client()
    client.force_login(user)

    candidates, shown = [], []
    for pk in rng.sample(visible, min(200, len(visible))):
        image = images[pk]
        target = image.fingerprint.unsigned
        candidates.append(Image.objects.filter(band_probes(target)).count())
        shown.append(len(similar_images(user, image)))
    with CaptureQueriesContext(connection) as queries:
        similar_images(user, images[visible[0]])
    print(f"archive: {total:,} images; as {user.username} ({len(visible):,}+ visible); "
          f"{args.requests} requests per measurement")
    print(f"candidates per search: mean {statistics.mean(candidates):.0f}, max {max(candidates)}; "
          f"similar images shown: mean {statistics.mean(shown):.1f}; {len(queries)} queries")

    results = {}
    kinds = {
        "similar_images": lambda: similar_images(user, images[rng.choice(visible)]),
        "image page": lambda: client.get(reverse("gallery:image", args=[rng.choice(visible)])),
    }
    for name, call in kinds.items():
        for _ in range(20):
            call()
        times = []
        for _ in range(args.requests):
            started = time.perf_counter()
            result = call()
            times.append((time.perf_counter() - started) * 1000)
            if hasattr(result, "status_code") and result.status_code != 200:
                raise SystemExit(f"{name}: HTTP {result.status_code}")
        results[name] = times
        print(f"{name:>15}: p50 {percentile(times, 50):7.2f} ms   p95 {percentile(times, 95):7.2f} ms")
    print("load average while measuring: " + ", ".join(f"{v:.1f}" for v in os.getloadavg())
          + f" on {os.cpu_count()} CPUs (others' work inflates these times)")
    return f"similar images p95 ms at {total} images: {percentile(results['similar_images'], 95):.2f}"


if __name__ == "__main__":
    main()
