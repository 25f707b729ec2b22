"""Backup and restore end to end (issue 17): a seeded archive is backed up, restored into a fresh
database and fresh storage by another process, verify_archive finds 0 problems there and the image
pages render. On PostgreSQL through pg_dump/pg_restore; on SQLite through dumpdata/loaddata."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from studio.audit.models import AuditEvent
from studio.devtools.s3server import ACCESS_KEY, REGION, SECRET_KEY
from studio.gallery import services as gallery_services
from studio.standin.testing import REPO_ROOT
from tests.gallery.factories import make_image

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def fresh_database(tmp_path):
    """An empty database of the same kind as the test database, as a DATABASE_URL; dropped afterwards."""
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    name = f"{s['NAME']}_restored_{uuid.uuid4().hex[:6]}"
    conninfo = dict(host=s["HOST"] or "127.0.0.1", port=s["PORT"] or 5432, user=s["USER"], password=s["PASSWORD"] or None)
    with psycopg.connect(dbname="postgres", autocommit=True, **conninfo) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        auth = s["USER"] + (":" + s["PASSWORD"] if s["PASSWORD"] else "")
        yield f"postgres://{auth}@{conninfo['host']}:{conninfo['port']}/{name}"
    finally:
        with psycopg.connect(dbname="postgres", autocommit=True, **conninfo) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def media(settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path / "media")}}}


@pytest.fixture
def archive(media, people, team):
    """Three generations of images (with bytes and thumbnails), a share link, audit events."""
    root = make_image(people["owner"], team, prompt="a lighthouse at dusk, restored")
    child = make_image(people["owner"], team, prompt="the same lighthouse in fog", parent=root)
    private = make_image(people["owner"], None, prompt="a private teapot sketch")
    gallery_services.create_share_link(child, user=people["owner"])
    gallery_services.trash_image(private, actor=people["owner"])
    gallery_services.restore_image(private, actor=people["owner"])
    return [root, child, private]


def run(args, env) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *args], cwd=REPO_ROOT, env=env, capture_output=True, text=True,
                          timeout=180)


def restore_and_check(backup_dir: Path, env: dict, images) -> dict:
    """`manage.py restore` in a process of its own, then verify_archive and the pages in another."""
    restored = run(["manage.py", "restore", str(backup_dir)], env)
    assert restored.returncode == 0, restored.stderr
    assert "Restored the backup of " in restored.stdout and "3 images" in restored.stdout
    checked = run(["tests/ops/restored_pages.py", "owner"], env)
    assert checked.returncode == 0, checked.stderr
    found = json.loads(checked.stdout.strip().splitlines()[-1])
    print(found["verify"])
    assert found["verify_code"] == 0 and found["verify"].strip().endswith(": 0 problems.")
    assert found["verify"].startswith("Checked 3 images (every stored image, ")
    assert found["gallery"] == 200
    assert set(found["pages"]) == {str(image.pk) for image in images}
    return found


def test_backup_then_restore_into_fresh_database_and_filesystem(archive, fresh_database, tmp_path):
    events = AuditEvent.objects.count()
    backup_dir = tmp_path / "backup"
    call_command("backup", str(backup_dir), stdout=open(os.devnull, "w"))
    manifest = json.loads((backup_dir / "manifest.json").read_text())
    assert manifest["images"] == 3 and manifest["objects"] == 6  # originals and thumbnails
    assert (backup_dir / manifest["database"]).stat().st_size > 0

    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings", "DATABASE_URL": fresh_database,
           "MEDIA_ROOT": str(tmp_path / "restored-media"), "PYTHONPATH": str(REPO_ROOT)}
    found = restore_and_check(backup_dir, env, archive)
    for image_codes in found["pages"].values():
        assert image_codes == {"page": 200, "prompt_shown": True, "file": 200, "thumb": 200}
    assert found["audit_events"] == events  # the audit trail came back too


def test_backup_then_restore_on_s3(archive_on_s3, fresh_database, tmp_path, s3_storage):
    archive = archive_on_s3
    backup_dir = tmp_path / "backup"
    call_command("backup", str(backup_dir), stdout=open(os.devnull, "w"))
    bucket = f"restored-{uuid.uuid4().hex[:8]}"
    s3_storage.client().create_bucket(Bucket=bucket)
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings", "DATABASE_URL": fresh_database,
           "S3_BUCKET": bucket, "S3_ENDPOINT_URL": s3_storage.endpoint_url, "S3_ACCESS_KEY_ID": ACCESS_KEY,
           "S3_SECRET_ACCESS_KEY": SECRET_KEY, "S3_REGION": REGION, "PYTHONPATH": str(REPO_ROOT)}
    found = restore_and_check(backup_dir, env, archive)
    for image_codes in found["pages"].values():  # bytes come as redirects to presigned URLs of the new bucket
        assert image_codes == {"page": 200, "prompt_shown": True, "file": 302, "thumb": 302}
    keys = {o["Key"] for o in s3_storage.client().list_objects_v2(Bucket=bucket)["Contents"]}
    assert {image.storage_key for image in archive} <= keys and {image.thumb_key for image in archive} <= keys


@pytest.fixture
def archive_on_s3(s3_storage, people, team):
    return [make_image(people["owner"], team, prompt=f"an S3 picture {i}") for i in range(3)]


def test_restore_refuses_a_database_that_holds_an_archive(archive, tmp_path):
    backup_dir = tmp_path / "backup"
    call_command("backup", str(backup_dir), stdout=open(os.devnull, "w"))
    with pytest.raises(CommandError, match="already holds people or images"):
        call_command("restore", str(backup_dir))


def test_refusals_name_the_problem(tmp_path):
    (tmp_path / "half").mkdir()
    with pytest.raises(CommandError, match="holds no manifest.json"):
        call_command("restore", str(tmp_path / "half"))
    (tmp_path / "used").mkdir()
    (tmp_path / "used" / "something").write_text("x")
    with pytest.raises(CommandError, match="is not empty"):
        call_command("backup", str(tmp_path / "used"))
