"""Fill the database with a synthetic archive: people, teams, jobs, images with lineage.

    python manage.py seed_archive --images 1000000

PostgreSQL: rows stream in with COPY, and for big runs the secondary indexes of the image table are
dropped first and rebuilt once at the end (far faster than maintaining them row by row). Other
databases: bulk_create in batches (fine for the few thousand rows a SQLite archive holds).

Every image shares one placeholder file and thumbnail (a real painted picture), so pages render
without a million files. Runs again add more; seeded accounts have unusable passwords.
"""
import io
import json
import random
import time
import uuid
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.models import JSONField
from django.utils import timezone

from studio.accounts.models import Membership, Team
from studio.gallery import storage
from studio.gallery.imaging import make_thumbnail
from studio.gallery.models import Image
from studio.generation.models import Job
from studio.standin.painter import paint

SUBJECTS = ["fox", "lighthouse", "teapot", "astronaut", "dragon", "bicycle", "owl", "castle", "robot", "whale",
            "violin", "cactus", "tram", "samurai", "octopus", "windmill", "giraffe", "submarine", "library", "kite",
            "mushroom", "glacier", "harbour", "tiger", "cathedral", "balloon", "penguin", "forest", "volcano", "cello"]
ADJECTIVES = ["red", "tiny", "ancient", "glowing", "paper", "copper", "sleepy", "giant", "crystal", "woolen",
              "neon", "marble", "rusty", "floating", "striped", "velvet", "frozen", "golden", "shy", "clockwork"]
PLACES = ["in a snowy forest", "on a rainy street", "under the sea", "on the moon", "in a desert at noon",
          "in a busy market", "on a mountain ridge", "inside a greenhouse", "at a harbour", "in a quiet library",
          "on a rooftop at night", "in a wheat field", "by a frozen lake", "in a jungle", "in a train station"]
STYLES = ["watercolour", "oil painting", "isometric render", "linocut print", "35mm photo", "pixel art",
          "charcoal sketch", "studio photograph", "ukiyo-e", "flat vector illustration", "claymation still",
          "art nouveau poster"]
LIGHT = ["morning light", "golden hour", "overcast", "moonlight", "harsh noon sun", "candlelight", "neon glow"]
# Rare words, so searches can be tried at every selectivity.
CODENAMES = [f"{a}{b}" for a in ("zor", "quil", "brax", "vell", "tamm", "oru", "kest", "lumi") for b in
             ("ander", "ika", "otto", "wen", "asta", "imir", "ova", "unde", "ette", "arro")]
MODELS = [("dall-e-2", ["256x256", "512x512", "1024x1024"]), ("dall-e-3", ["1024x1024", "1792x1024", "1024x1792"]),
          ("gpt-image-1", ["1024x1024", "1536x1024", "1024x1536"])]

PLACEHOLDER_KEY = "images/seed/placeholder.png"
PLACEHOLDER_THUMB = "thumbs/seed/placeholder.webp"


class Command(BaseCommand):
    help = "Fill the database with N synthetic images across teams, people, prompts and lineage."

    def add_arguments(self, parser):
        parser.add_argument("--images", type=int, required=True)
        parser.add_argument("--teams", type=int, default=20)
        parser.add_argument("--people", type=int, default=200)
        parser.add_argument("--years", type=float, default=3.0, help="spread creation times over this many years")
        parser.add_argument("--seed", type=int, default=7)
        parser.add_argument("--keep-indexes", action="store_true",
                            help="PostgreSQL: keep indexes during COPY (slower; automatic below 100,000 images)")

    def handle(self, *args, images, teams, people, years, seed, keep_indexes, **options):
        if images < 1:
            raise CommandError("--images must be at least 1.")
        started = time.monotonic()
        rng = random.Random(seed)
        thumb_w, thumb_h = _placeholder_files()
        users = _people(people)
        team_list = _teams(teams, users, rng)
        scopes = _scopes(users, team_list)
        plan = Plan(rng=rng, scopes=scopes, images=images, years=years, thumb=(thumb_w, thumb_h))
        if connection.vendor == "postgresql":
            _copy_postgres(plan, rebuild_indexes=images >= 100_000 and not keep_indexes, log=self.stdout.write)
        else:
            _bulk_create(plan)
        self.stdout.write(f"Seeded {images:,} images ({plan.jobs_made:,} jobs) for {len(users)} people in "
                          f"{len(team_list)} teams in {time.monotonic() - started:.1f} s.")


# --- people, teams, placeholder ------------------------------------------------------------------


def _placeholder_files() -> tuple[int, int]:
    picture = paint("a seeded archive placeholder, lighthouse at dusk", 7, 0, 512, 512)
    buffer = io.BytesIO()
    picture.save(buffer, "PNG")
    storage.save_bytes(PLACEHOLDER_KEY, buffer.getvalue())
    buffer.seek(0)
    thumb, w, h = make_thumbnail(buffer, size=settings.STUDIO_THUMBNAIL_SIZE)
    storage.save_bytes(PLACEHOLDER_THUMB, thumb)
    return w, h


def _people(count: int) -> list[int]:
    User = get_user_model()
    names = [f"seed-{i:04d}" for i in range(count)]
    existing = set(User.objects.filter(username__in=names).values_list("username", flat=True))
    User.objects.bulk_create([User(username=n, password="!") for n in names if n not in existing], batch_size=1000)
    return list(User.objects.filter(username__in=names).order_by("pk").values_list("pk", flat=True))


def _teams(count: int, users: list[int], rng: random.Random) -> list[int]:
    names = [f"Seed team {i:03d}" for i in range(count)]
    existing = set(Team.objects.filter(name__in=names).values_list("name", flat=True))
    Team.objects.bulk_create([Team(name=n, slug=f"seed-team-{i:03d}") for i, n in enumerate(names) if n not in existing])
    team_ids = list(Team.objects.filter(name__in=names).order_by("pk").values_list("pk", flat=True))
    memberships = []
    for i, user_id in enumerate(users):
        # Everyone is in one to three teams; one in ten looks on as a viewer.
        for team_id in {team_ids[i % len(team_ids)], *rng.sample(team_ids, k=min(len(team_ids), rng.randint(0, 2)))}:
            role = Membership.Role.OWNER if i < len(team_ids) and team_id == team_ids[i] else (
                Membership.Role.VIEWER if rng.random() < 0.1 else Membership.Role.MEMBER)
            memberships.append(Membership(team_id=team_id, user_id=user_id, role=role))
    Membership.objects.bulk_create(memberships, ignore_conflicts=True, batch_size=2000)
    return team_ids


def _scopes(users, team_ids) -> list[tuple[int, int | None]]:
    """(owner, team) pairs people make images in: mostly their teams, sometimes privately."""
    rows = Membership.objects.filter(user_id__in=users).exclude(role=Membership.Role.VIEWER).values_list("user_id", "team_id")
    scopes = list(rows) * 4 + [(u, None) for u in users]
    return scopes or [(u, None) for u in users]


# --- the plan: jobs and images as plain tuples ---------------------------------------------------


class Plan:
    def __init__(self, *, rng, scopes, images, years, thumb):
        self.rng, self.scopes, self.total, self.thumb = rng, scopes, images, thumb
        self.now = timezone.now()
        self.span = timedelta(days=365 * years).total_seconds()
        self.jobs_made = 0
        self.recent: dict[tuple[int, int | None], list[int]] = {}

    def prompt(self):
        r = self.rng
        adjective = r.choice(ADJECTIVES)
        text = f"{'an' if adjective[0] in 'aeiou' else 'a'} {adjective} {r.choice(SUBJECTS)} {r.choice(PLACES)}, {r.choice(STYLES)}, {r.choice(LIGHT)}"
        if r.random() < 0.05:
            text += f", project {r.choice(CODENAMES)}"
        return text

    def jobs(self, first_job_id: int, first_image_id: int):
        """Yield (job_row, [image_row, ...]) in creation order, ids assigned here."""
        r = self.rng
        job_id, image_id, made = first_job_id, first_image_id, 0
        tw, th = self.thumb
        while made < self.total:
            owner_id, team_id = r.choice(self.scopes)
            model, sizes = r.choice(MODELS)
            n = 1 if model == "dall-e-3" else min(r.choice((1, 1, 2, 4)), self.total - made)
            size = r.choice(sizes)
            params = f'{{"n": {n}, "size": "{size}"}}'
            created = self.now - timedelta(seconds=self.span * (1 - made / self.total) + r.random())
            recent = self.recent.setdefault((owner_id, team_id), [])
            parent = r.choice(recent) if recent and r.random() < 0.15 else None
            kind = ("variation" if r.random() < 0.5 else "edit") if parent else "generate"
            prompt = self.prompt()
            job = (job_id, owner_id, team_id, kind, model, prompt, params, parent, "done", created, created, n)
            rows = []
            for index in range(n):
                revised = (f"A detailed depiction of {prompt}, rendered with care for texture and depth." if model == "dall-e-3" else "")
                deleted = created + timedelta(days=1) if r.random() < 0.01 else None
                rows.append((image_id, uuid.uuid4(), owner_id, team_id, job_id, index, parent, model, prompt, revised,
                             params, created, deleted, tw, th))
                recent.append(image_id)
                image_id += 1
            del recent[:-8]
            made += n
            self.jobs_made += 1
            job_id += 1
            yield job, rows


# --- PostgreSQL: COPY -----------------------------------------------------------------------------

JOB_COLUMNS = ("id", "owner_id", "team_id", "kind", "model", "prompt", "params", "source_image_id", "status",
               "created_at", "status_changed_at", "attempts", "finished_at")
IMAGE_COLUMNS = ("id", "uuid", "owner_id", "team_id", "job_id", "index", "parent_id", "model", "prompt",
                 "revised_prompt", "params", "created_at", "deleted_at", "thumb_width", "thumb_height", "status",
                 "storage_key", "thumb_key", "content_type", "width", "height", "byte_size", "sha256", "stored_at")


def _defaults(model, given) -> tuple[tuple[str, ...], tuple]:
    """Every other column with the model's default, so fields added later need no change here."""
    names, values = [], []
    for field in model._meta.concrete_fields:
        if field.column in given:
            continue
        value = field.get_default() if field.has_default() or not field.null else None
        if isinstance(field, JSONField) and value is not None:
            value = json.dumps(value)
        names.append(field.column)
        values.append(value)
    return tuple(names), tuple(values)


def _copy_postgres(plan: Plan, *, rebuild_indexes: bool, log) -> None:
    image_table, job_table = Image._meta.db_table, Job._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT coalesce(max(id), 0) + 1 FROM {job_table}")
        first_job = cursor.fetchone()[0]
        cursor.execute(f"SELECT coalesce(max(id), 0) + 1 FROM {image_table}")
        first_image = cursor.fetchone()[0]
    image_fixed = ("stored", PLACEHOLDER_KEY, PLACEHOLDER_THUMB, "image/png", 512, 512, 40_000, "0" * 64)
    job_extra, job_extra_values = _defaults(Job, JOB_COLUMNS)
    image_extra, image_extra_values = _defaults(Image, IMAGE_COLUMNS)
    job_sql = f"COPY {job_table} ({', '.join(JOB_COLUMNS + job_extra)}) FROM STDIN"
    image_sql = f"COPY {image_table} ({', '.join(IMAGE_COLUMNS + image_extra)}) FROM STDIN"
    dropped = []
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL synchronous_commit = off")
        cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        if rebuild_indexes:
            dropped = _drop_secondary_indexes(cursor, [image_table, job_table])
            log(f"Dropped {len(dropped)} indexes for the load; rebuilding them after.")
        # Rows are consistent by construction (parents come before children), so foreign-key triggers
        # are skipped for the load instead of queueing millions of deferred checks.
        cursor.execute("SET LOCAL session_replication_role = replica")
        raw = cursor.cursor  # psycopg's own cursor, for COPY
        t0 = time.monotonic()
        job_rows, image_rows = [], []

        def flush():
            with raw.copy(job_sql) as out:
                for row in job_rows:
                    out.write_row(row)
            with raw.copy(image_sql) as out:
                for row in image_rows:
                    out.write_row((*row, *image_fixed, row[11], *image_extra_values))
            job_rows.clear()
            image_rows.clear()

        for job, rows in plan.jobs(first_job, first_image):
            job_rows.append((*job[:11], 1, job[9], *job_extra_values))
            image_rows.extend(rows)
            if len(image_rows) >= 50_000:
                flush()
        flush()
        log(f"Rows copied in {time.monotonic() - t0:.1f} s.")
        for table in (job_table, image_table):
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
        if dropped:
            t0 = time.monotonic()
            for definition in dropped:
                cursor.execute(definition)
            log(f"Indexes rebuilt in {time.monotonic() - t0:.1f} s.")
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {job_table}")
        cursor.execute(f"ANALYZE {image_table}")
        for model in (get_user_model(), Team, Membership):
            cursor.execute(f"ANALYZE {model._meta.db_table}")


def _drop_secondary_indexes(cursor, tables) -> list[str]:
    """Drop indexes that back no constraint; return their definitions to rebuild them."""
    cursor.execute(
        """
        SELECT i.indexname, i.indexdef FROM pg_indexes i
        WHERE i.tablename = ANY(%s) AND i.schemaname = current_schema()
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)
        """,
        [list(tables)],
    )
    found = cursor.fetchall()
    for name, _ in found:
        cursor.execute(f'DROP INDEX "{name}"')
    return [definition for _, definition in found]


# --- anything else: bulk_create -------------------------------------------------------------------


def _bulk_create(plan: Plan, batch: int = 2000) -> None:
    first_job = (Job.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
    first_image = (Image.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
    jobs, images = [], []
    with transaction.atomic():
        for job, rows in plan.jobs(first_job, first_image):
            job_id, owner_id, team_id, kind, model, prompt, params, parent, status, created, _, n = job
            jobs.append(Job(id=job_id, owner_id=owner_id, team_id=team_id, kind=kind, model=model, prompt=prompt,
                            params=json.loads(params), source_image_id=parent, status=status, created_at=created,
                            status_changed_at=created, finished_at=created, attempts=1))
            for (pk, uid, owner_id, team_id, job_id, index, parent, model, prompt, revised, params, created, deleted,
                 tw, th) in rows:
                images.append(Image(id=pk, uuid=uid, owner_id=owner_id, team_id=team_id, job_id=job_id, index=index,
                                    parent_id=parent, model=model, prompt=prompt, revised_prompt=revised,
                                    params=json.loads(params), created_at=created, deleted_at=deleted,
                                    thumb_width=tw, thumb_height=th, status=Image.Status.STORED,
                                    storage_key=PLACEHOLDER_KEY, thumb_key=PLACEHOLDER_THUMB, content_type="image/png",
                                    width=512, height=512, byte_size=40_000, sha256="0" * 64, stored_at=created))
            if len(images) >= batch:
                Job.objects.bulk_create(jobs)
                Image.objects.bulk_create(images)
                jobs, images = [], []
        Job.objects.bulk_create(jobs)
        Image.objects.bulk_create(images)
