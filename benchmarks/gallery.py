"""Server times of the archive's pages at scale.

    .venv/bin/python benchmarks/gallery.py --images 1000000

Uses its own PostgreSQL database (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/studio_bench),
fills it with `seed_archive` up to N images, then times pages in-process through Django's test
client (middleware, session, templates, queries: everything but the network): a person's gallery,
a team gallery (first pages and pages deep in the past), search (common, rare and two-word queries)
and lineage (an image page with ancestors and children, and a family tree). Prints p50/p95 per page,
the bytes of a gallery page with its 60 thumbnails, and as its last line
`gallery p95 ms at N images: X`. It never asserts times.
"""
import argparse
import os
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def seeded_archive(args) -> None:
    """Django set up on the benchmark database (made when missing, or anew with --reset), migrated, and
    holding at least `args.images` images (seed_archive adds what is missing)."""
    os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/studio_bench")
    os.environ.setdefault("MEDIA_ROOT", "/tmp/studio_bench_media")
    os.environ.setdefault("DEBUG", "false")
    os.environ.setdefault("STUDIO_SSL_REDIRECT", "false")  # the test client speaks plain http
    os.environ.setdefault("SECRET_KEY", "benchmark-only-" + "x" * 40)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "studio.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    _ensure_database(os.environ["DATABASE_URL"], reset=args.reset)

    import django

    django.setup()
    from django.core.management import call_command

    from studio.gallery.models import Image

    call_command("migrate", verbosity=0)
    have = Image.objects.count()
    if have < args.images:
        started = time.monotonic()
        call_command("seed_archive", images=args.images - have)
        print(f"seed: {args.images - have:,} images in {time.monotonic() - started:.1f} s")
    elif have > args.images:
        print(f"note: the database holds {have:,} images (more than {args.images:,}); use --reset for an exact count")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=150, help="timed requests per page kind")
    parser.add_argument("--reset", action="store_true", help="drop and recreate the benchmark database first")
    parser.add_argument("--drop", action="store_true", help="drop the benchmark database when done")
    args = parser.parse_args()

    seeded_archive(args)
    try:
        last_line = run(args)
    finally:
        if args.drop:
            from django.db import connections

            connections.close_all()
            _drop_database(os.environ["DATABASE_URL"])
    print(last_line)


def run(args) -> str:
    from django.db.models import Count
    from django.test import Client
    from django.urls import reverse

    from studio.accounts.models import Membership
    from studio.gallery.models import Image
    from studio.gallery.selectors import encode_cursor

    rng = random.Random(1)
    total = Image.objects.count()
    # The busiest team, and its busiest member: the heaviest pages there are.
    team_id = (Image.objects.filter(team__isnull=False).values("team_id").annotate(n=Count("id")).order_by("-n")
               .values_list("team_id", flat=True).first())
    membership = (Membership.objects.filter(team_id=team_id, role__in=["owner", "member"]).select_related("team", "user")
                  .order_by("user_id").first())
    user, team = membership.user, membership.team
    client = Client()
    client.force_login(user)

    newest = Image.objects.order_by("-created_at").values_list("created_at", flat=True).first()
    oldest = Image.objects.order_by("created_at").values_list("created_at", flat=True).first()
    span = (newest - oldest).total_seconds()

    def cursor():
        """Half first pages, half pages somewhere in the past (keyset: they should cost the same)."""
        if rng.random() < 0.5:
            return {}
        return {"after": encode_cursor(oldest + timedelta(seconds=span * rng.random()), 2**62)}

    lineage_ids = list(Image.objects.visible_to(user).filter(parent__isnull=False, parent__parent__isnull=False)
                       .values_list("id", flat=True)[:200])
    if not lineage_ids:
        lineage_ids = list(Image.objects.visible_to(user).filter(parent__isnull=False).values_list("id", flat=True)[:200])
    words = ["fox", "lighthouse", "watercolour", "moonlight", "harbour octopus", "kestander", "zorika", "frozen lake"]

    kinds = {
        "gallery": lambda: client.get(reverse("gallery:mine"), cursor()),
        "team gallery": lambda: client.get(reverse("gallery:team", args=[team.slug]), cursor()),
        "search": lambda: client.get(reverse("gallery:search"), {"q": rng.choice(words)}),
        "lineage": lambda: client.get(reverse("gallery:image", args=[rng.choice(lineage_ids)])),
        "family tree": lambda: client.get(reverse("gallery:family", args=[rng.choice(lineage_ids)])),
    }
    print(f"archive: {total:,} images; timing as {user.username} in {team.name}; {args.requests} requests per page")
    results = {}
    for name, request in kinds.items():
        for _ in range(10):  # warm caches and connections
            request()
        times = []
        for _ in range(args.requests):
            started = time.perf_counter()
            response = request()
            if response.status_code != 200:
                raise SystemExit(f"{name}: HTTP {response.status_code}")
            times.append((time.perf_counter() - started) * 1000)
        results[name] = times
        print(f"{name:>13}: p50 {percentile(times, 50):7.1f} ms   p95 {percentile(times, 95):7.1f} ms")

    page = client.get(reverse("gallery:team", args=[team.slug]))
    html = page.content
    import re

    thumbs = re.findall(rb'src="(/images/\d+/thumb)"', html)
    thumb_bytes = sum(len(b"".join(client.get(url.decode()).streaming_content)) for url in thumbs)
    print(f"gallery page: {len(html):,} bytes of HTML + {len(thumbs)} thumbnails {thumb_bytes:,} bytes "
          f"= {(len(html) + thumb_bytes) / 1024:.0f} KiB")
    return f"gallery p95 ms at {total} images: {percentile(results['gallery'], 95):.1f}"


def percentile(values, p) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1] if len(values) > 1 else values[0]


def _admin_dsn(url: str) -> tuple[str, str]:
    from urllib.parse import urlparse

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    return parsed._replace(path="/postgres").geturl().replace("postgres://", "postgresql://", 1), name


def _ensure_database(url: str, *, reset: bool) -> None:
    if not url.startswith(("postgres://", "postgresql://")):
        return
    import psycopg

    dsn, name = _admin_dsn(url)
    with psycopg.connect(dsn, autocommit=True) as conn:
        if reset:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def _drop_database(url: str) -> None:
    import psycopg

    dsn, name = _admin_dsn(url)
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
    print(f"dropped database {name}")


if __name__ == "__main__":
    main()
