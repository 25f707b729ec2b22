import os
import time
from datetime import timedelta

import pytest
from django.core.files.storage import default_storage

from studio.gallery import storage
from studio.generation import uploads
from studio.generation.models import Job

from .factories import picture

pytestmark = pytest.mark.django_db


def _upload(owner) -> str:
    return storage.save_bytes(storage.upload_key(owner_id=owner.pk, extension="png"), picture())


def _age(key: str, days: float) -> None:
    path = default_storage.path(key)
    then = time.time() - days * 86400
    os.utime(path, (then, then))


def test_uploads_no_job_used_go_a_day_later_and_used_ones_stay(owner):
    used, mask, orphan, fresh = (_upload(owner) for _ in range(4))
    Job.objects.create(owner=owner, kind=Job.Kind.EDIT, model="dall-e-2", prompt="p", input_keys=[used], mask_key=mask)
    for key in (used, mask, orphan):
        _age(key, 2)

    assert uploads.purge_orphan_uploads() == 1

    assert not default_storage.exists(orphan)
    assert all(default_storage.exists(key) for key in (used, mask, fresh))


def test_purge_walks_an_s3_bucket_too(owner, s3_storage):
    used, orphan = _upload(owner), _upload(owner)
    Job.objects.create(owner=owner, kind=Job.Kind.VARIATION, model="dall-e-2", input_keys=[used])

    # The session's bucket may hold other tests' leftovers too: at least this orphan went.
    assert uploads.purge_orphan_uploads(older_than=timedelta(0)) >= 1

    assert default_storage.exists(used) and not default_storage.exists(orphan)
    default_storage.delete(used)
