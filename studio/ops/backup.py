"""Backup and restore: the database (pg_dump/pg_restore on PostgreSQL, dumpdata/loaddata elsewhere) and
every storage object (filesystem or S3), in one folder:

    manifest.json    what the backup holds; written last, so a folder without it is not a backup
    database.dump    pg_dump's custom format   (or database.json: Django's dumpdata, natural keys)
    objects.txt      one line per object: sha256, size, key
    objects/<key>    the bytes

The database is dumped first: an image stored while the objects are copied is an extra object, never
a row without its bytes. Restore refuses a database that already holds people or images.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from studio.gallery import storage
from studio.gallery.models import Image

from .probes import PROBE_PREFIX

FORMAT = "studio-backup/1"
# Rebuilt by `migrate` on the restored database; sessions are not worth keeping.
DUMPDATA_EXCLUDE = ["contenttypes", "auth.permission", "sessions"]


class BackupError(Exception):
    """Something about the source or the destination makes the backup or restore impossible; says what."""


@dataclass
class Totals:
    objects: int = 0
    bytes: int = 0


def _is_postgres() -> bool:
    return connection.vendor == "postgresql"


def _pg_args() -> tuple[list[str], dict]:
    db = connection.settings_dict
    args = ["--host", db["HOST"] or "127.0.0.1", "--port", str(db["PORT"] or 5432), "--username", db["USER"] or "postgres",
            "--dbname", db["NAME"]]
    env = {**os.environ, **({"PGPASSWORD": db["PASSWORD"]} if db["PASSWORD"] else {})}  # never on the command line
    return args, env


def _tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise BackupError(f"{name} is not installed here (PostgreSQL's client tools, e.g. apt-get install "
                          f"postgresql-client); set STUDIO_PG_DUMP / STUDIO_PG_RESTORE to its path.")
    return found


def _run(args: list[str], env: dict) -> None:
    done = subprocess.run(args, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(f"{Path(args[0]).name} failed ({done.returncode}): {done.stderr.strip()[:2000]}")


# --- backup ---------------------------------------------------------------------------------------


def backup(dest: Path, *, say=lambda line: None) -> dict:
    dest = Path(dest)
    if dest.exists() and any(dest.iterdir()):
        raise BackupError(f"{dest} is not empty; give a new folder for each backup.")
    (dest / "objects").mkdir(parents=True, exist_ok=True)
    database = _dump_database(dest)
    say(f"Database written to {database}.")
    totals = Totals()
    with open(dest / "objects.txt", "w", encoding="utf-8") as listing:
        for key in all_keys():
            digest, size = _copy_out(key, dest / "objects" / key)
            listing.write(f"{digest} {size} {key}\n")
            totals.objects += 1
            totals.bytes += size
    manifest = {"format": FORMAT, "created": timezone.now().isoformat(), "database": database,
                "engine": connection.vendor, "objects": totals.objects, "bytes": totals.bytes,
                "images": Image.objects.count()}
    (dest / "manifest.json").write_text(json.dumps(manifest, indent=2))
    say(f"{totals.objects} storage objects ({totals.bytes / 1e6:.1f} MB) copied; {manifest['images']} images.")
    return manifest


def _dump_database(dest: Path) -> str:
    if _is_postgres():
        args, env = _pg_args()
        _run([_tool(settings.STUDIO_PG_DUMP), "--format=custom", "--no-owner", "--no-privileges",
              "--file", str(dest / "database.dump"), *args], env)
        return "database.dump"
    call_command("dumpdata", natural_foreign=True, natural_primary=True, exclude=DUMPDATA_EXCLUDE,
                 output=str(dest / "database.json"), verbosity=0)
    return "database.json"


def all_keys():
    """Every object in storage (images, thumbnails, uploads, previews), never readiness probes."""
    try:
        folders, files = default_storage.listdir("")
    except FileNotFoundError:
        return
    yield from (name for name in files)
    for folder in sorted(folders):
        for key in storage.walk_keys(folder):
            if not key.startswith(PROBE_PREFIX):
                yield key


def _copy_out(key: str, path: Path) -> tuple[str, int]:
    path.parent.mkdir(parents=True, exist_ok=True)
    digest, size = hashlib.sha256(), 0
    with open(path, "wb") as out:
        for chunk in storage.iter_key(key):
            digest.update(chunk)
            size += len(chunk)
            out.write(chunk)
    return digest.hexdigest(), size


# --- restore --------------------------------------------------------------------------------------


def restore(src: Path, *, force: bool = False, say=lambda line: None) -> dict:
    src = Path(src)
    try:
        manifest = json.loads((src / "manifest.json").read_text())
    except FileNotFoundError:
        raise BackupError(f"{src} holds no manifest.json: not a Studio backup, or one that did not finish.") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{src} is a backup of another format ({manifest.get('format')!r}), not {FORMAT}.")
    if not force and _holds_data():
        raise BackupError("This database already holds people or images; restore into a fresh one "
                          "(or pass --force to replace what it holds).")
    _load_database(src, manifest["database"])
    say("Database restored.")
    totals = _copy_in(src)
    if totals.objects != manifest["objects"]:
        raise BackupError(f"objects.txt lists {totals.objects} objects but the manifest says {manifest['objects']}.")
    say(f"{totals.objects} storage objects ({totals.bytes / 1e6:.1f} MB) restored.")
    return manifest


def _holds_data() -> bool:
    tables = set(connection.introspection.table_names())
    User = get_user_model()
    if User._meta.db_table not in tables:
        return False
    return User.objects.exists() or (Image._meta.db_table in tables and Image.objects.exists())


def _load_database(src: Path, name: str) -> None:
    if name == "database.dump":
        if not _is_postgres():
            raise BackupError("This backup was made from PostgreSQL (pg_dump); restore it into PostgreSQL.")
        args, env = _pg_args()
        _run([_tool(settings.STUDIO_PG_RESTORE), "--clean", "--if-exists", "--no-owner", "--no-privileges",
              "--exit-on-error", "--single-transaction", *args, str(src / name)], env)
        connection.close()  # the schema was replaced under this connection
        call_command("migrate", verbosity=0, interactive=False)  # a backup from older code: catch up
        return
    call_command("migrate", verbosity=0, interactive=False)
    call_command("loaddata", str(src / name), verbosity=0)


def _copy_in(src: Path) -> Totals:
    totals = Totals()
    with open(src / "objects.txt", encoding="utf-8") as listing:
        for line in listing:
            digest, size, key = line.rstrip("\n").split(" ", 2)
            path = src / "objects" / key
            actual = _sha256_of(path)
            if actual != digest:
                raise BackupError(f"{key} in the backup does not match its sha256 (the backup is damaged).")
            storage.save_file(key, path)
            totals.objects += 1
            totals.bytes += int(size)
    return totals


def _sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
