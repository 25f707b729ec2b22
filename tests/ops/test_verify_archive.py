"""manage.py verify_archive: one line per problem naming the image, a summary, exit 1 on any problem;
filesystem and S3; sampled and --since; resumable after being killed; beat's daily sample."""
from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.utils import timezone

from studio.gallery import storage
from studio.ops.models import ArchiveCheck
from studio.ops.tasks import verify_archive_sample
from studio.standin.testing import REPO_ROOT
from tests.faults.conftest import database_url, wait_until
from tests.gallery.factories import make_image


@pytest.fixture
def media(settings, tmp_path):
    """An empty filesystem storage of this test's own."""
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path / "media")}}}
    return tmp_path / "media"


def verify(*args) -> tuple[int, list[str]]:
    out = io.StringIO()
    try:
        call_command("verify_archive", "--per-second", "0", *args, stdout=out)
        code = 0
    except SystemExit as exc:
        code = exc.code
    return code, out.getvalue().splitlines()


def damage(images):
    """One original gone, one rewritten, one thumbnail gone."""
    missing, corrupt, thumbless = images[:3]
    default_storage.delete(missing.storage_key)
    storage.save_bytes(corrupt.storage_key, b"not the bytes that were stored")
    default_storage.delete(thumbless.thumb_key)
    return missing, corrupt, thumbless


def check_problems(images):
    missing, corrupt, thumbless = damage(images)
    code, lines = verify()
    assert code == 1
    assert lines[:3] == [
        f"image {missing.pk}: original missing ({missing.storage_key})",
        f"image {corrupt.pk}: sha256 mismatch (recorded {corrupt.sha256[:12]}…, stored bytes "
        f"{lines[1].split('stored bytes ')[1].split('…')[0]}…, 30 bytes)",
        f"image {thumbless.pk}: thumbnail missing ({thumbless.thumb_key})",
    ]
    assert lines[3].startswith(f"Checked {len(images)} images (every stored image, ")
    assert lines[3].endswith("3 problems (1 original missing, 1 sha256 mismatch, 1 thumbnail missing).")
    assert len(lines) == 4


@pytest.mark.django_db
def test_a_whole_archive_passes(media, people):
    for _ in range(3):
        make_image(people["owner"])
    code, lines = verify()
    assert code == 0 and lines == [lines[0]] and lines[0].endswith(": 0 problems.")
    check = ArchiveCheck.objects.get()
    assert check.status == "finished" and check.checked == 3 and check.bytes_read > 0


@pytest.mark.django_db
def test_problems_on_the_filesystem(media, people):
    check_problems([make_image(people["owner"]) for _ in range(5)])


@pytest.mark.django_db
def test_problems_on_s3(s3_storage, people):
    check_problems([make_image(people["owner"]) for _ in range(4)])


@pytest.mark.django_db
def test_sample_and_since(media, people):
    old = [make_image(people["owner"], created_at=timezone.now() - timedelta(days=10)) for _ in range(3)]
    new = [make_image(people["owner"]) for _ in range(3)]
    default_storage.delete(old[0].storage_key)
    code, lines = verify("--since", str(timezone.localdate() - timedelta(days=1)))
    assert code == 0 and "Checked 3 images" in lines[-1]
    code, lines = verify("--sample", "4")
    assert "Checked 4 images (a sample of 4," in lines[-1]
    assert ArchiveCheck.objects.latest().sample_ids and len(set(ArchiveCheck.objects.latest().sample_ids)) == 4
    assert new  # made


@pytest.mark.django_db
def test_bad_arguments_are_named(media):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="--since takes a date as YYYY-MM-DD"):
        call_command("verify_archive", "--since", "last week")
    with pytest.raises(CommandError, match="no stopped check to resume"):
        call_command("verify_archive", "--resume")


@pytest.mark.django_db
def test_trashed_images_past_their_purge_are_left_to_the_purge(media, people, settings):
    gone = make_image(people["owner"], deleted_at=timezone.now() - timedelta(days=settings.STUDIO_TRASH_DAYS + 1))
    default_storage.delete(gone.storage_key)
    assert verify()[0] == 0


@pytest.mark.django_db(transaction=True)
def test_a_killed_check_resumes_where_it_was(media, people, tmp_path):
    images = [make_image(people["owner"]) for _ in range(40)]
    default_storage.delete(images[3].storage_key)
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings", "DATABASE_URL": database_url(),
           "MEDIA_ROOT": str(media), "PYTHONPATH": str(REPO_ROOT)}
    proc = subprocess.Popen([sys.executable, "manage.py", "verify_archive", "--per-second", "15"], cwd=REPO_ROOT,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        wait_until(lambda: ArchiveCheck.objects.filter(checked__gte=25).exists(), 30, "25 images checked",
                   proc=proc)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    stopped = ArchiveCheck.objects.get()
    assert stopped.status == "running" and 25 <= stopped.checked < 40
    code, lines = verify("--resume")
    assert code == 1
    assert lines[0].startswith(f"Resuming check {stopped.pk} (every stored image) after image ")
    assert f"image {images[3].pk}: original missing ({images[3].storage_key})" in lines
    check = ArchiveCheck.objects.get()
    assert check.status == "finished" and check.checked == 40 and check.problem_count == 1


@pytest.mark.django_db
def test_beat_checks_a_sample_daily_and_the_ops_page_shows_it(media, people, settings, client):
    from django.contrib.auth import get_user_model

    settings.STUDIO_VERIFY_SAMPLE, settings.STUDIO_VERIFY_PER_SECOND = 2, 0
    images = [make_image(people["owner"]) for _ in range(2)]
    default_storage.delete(images[1].thumb_key)
    assert settings.CELERY_BEAT_SCHEDULE["verify-archive-sample"]["task"] == verify_archive_sample.name
    verify_archive_sample.apply()
    check = ArchiveCheck.objects.get()
    assert (check.sample, check.checked, check.problem_count) == (2, 2, 1)
    client.force_login(get_user_model().objects.create_user("operator", is_staff=True))
    page = client.get("/ops/live").content.decode()
    assert "1 problem</strong> in 2 images (a sample of 2)" in page
    assert f"image {images[1].pk}: thumbnail missing" in page
