"""Issue 12, item 14: what storage says when it fails (endpoint URLs, bucket names) stays in the log; the image
page shows a sentence. Against moto's S3 server on loopback, pointed at a bucket that does not exist."""
from __future__ import annotations

import logging

import pytest
from django.test import Client

from studio.gallery.models import Image
from studio.generation import services

from .test_pipeline_rules import submit

pytestmark = pytest.mark.django_db

BUCKET = "acme-private-images-7f3a"


@pytest.fixture
def missing_bucket(s3_server, settings):
    broken = s3_server.storage_settings()
    broken["OPTIONS"] = {**broken["OPTIONS"], "bucket_name": BUCKET}
    settings.STORAGES = {**settings.STORAGES, "default": broken}
    return s3_server


def test_a_storage_failure_reads_as_a_sentence_and_its_detail_is_logged(owner, missing_bucket, sent, caplog):
    job = submit(owner)
    services.run_job(job.pk)
    image = job.images.get()
    with caplog.at_level(logging.WARNING, logger="studio.generation.services.fetching"):
        services.fetch_image(image.pk)
    image.refresh_from_db()
    assert image.status == Image.Status.PENDING and image.spool_path  # kept, and tried again later
    assert image.failure_reason == ("Storage is not answering; the image is safe on the worker's disk and will be "
                                    "stored when storage is back (storage did not take the file).")
    endpoint = missing_bucket.endpoint_url.split("//", 1)[1]
    client = Client()
    client.force_login(owner)
    for page in (client.get(image.get_absolute_url()), client.get(f"/jobs/{job.pk}")):
        html = page.content.decode()
        assert BUCKET not in html and endpoint not in html and "NoSuchBucket" not in html
    logged = caplog.text
    assert "NoSuchBucket" in logged and f"image {image.pk}: storage refused" in logged
