"""The stored original is exactly what the provider sent, on the filesystem and on S3, for a url
answer (dall-e-2) and a b64 answer (a GPT image model): sha256 against what the stand-in produced
(issue 20). The stand-in signs with C2PA here, so the worker's read of the credentials is checked too."""
import hashlib
import urllib.request

import pytest
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import reverse

from studio.gallery import provenance
from studio.generation import services
from studio.generation.models import Job
from studio.standin.config import StandinConfig
from studio.standin.testing import standin_in_thread

pytestmark = pytest.mark.django_db

JOBS = {
    "url": dict(model="dall-e-2", params={"size": "256x256", "n": 2}),
    "b64": dict(model="gpt-image-2", params={"size": "1024x1024", "n": 1, "quality": "low", "output_format": "png"}),
}


@pytest.fixture(scope="module")
def signing_standin():
    with standin_in_thread(StandinConfig(c2pa=True)) as server:
        yield server


@pytest.fixture(params=["filesystem", "s3"])
def storage_kind(request):
    if request.param == "s3":
        request.getfixturevalue("s3_storage")
    return request.param


@pytest.mark.parametrize("answer", sorted(JOBS))
def test_the_original_is_what_the_provider_sent(answer, storage_kind, signing_standin, owner, run_inline,
                                                settings, tmp_path):
    settings.STANDIN_URL = signing_standin.base_url
    job = services.submit_job(user=owner, prompt="harbour at noon", **JOBS[answer])
    run_inline(job)
    assert job.status == Job.Status.DONE
    sent = [entry for entry in signing_standin.requests() if entry["job"] == str(job.pk)][-1]["outputs"]
    images = list(job.images.order_by("index"))
    assert len(images) == len(sent) == job.params["n"]

    client = Client()
    client.force_login(owner)
    for image, produced in zip(images, sent):
        with default_storage.open(image.storage_key, "rb") as fh:
            kept = fh.read()
        assert hashlib.sha256(kept).hexdigest() == image.sha256 == produced["sha256"]
        assert len(kept) == image.byte_size == produced["bytes"]
        assert image.thumb_key != image.storage_key  # derived files are objects of their own
        response = client.get(reverse("gallery:download", args=[image.pk]))
        if storage_kind == "s3":
            with urllib.request.urlopen(response["Location"], timeout=5) as fetched:
                body = fetched.read()
        else:
            body = b"".join(response.streaming_content)
        assert hashlib.sha256(body).hexdigest() == produced["sha256"]

    # The post-store step reads the stand-in's content credentials from the stored original.
    bundle = tmp_path / "trust.pem"
    with urllib.request.urlopen(signing_standin.root_url + "/_standin/c2pa/root.pem", timeout=5) as root:
        bundle.write_bytes(root.read())
    settings.STUDIO_C2PA_TRUST_ANCHORS = str(bundle)
    assert provenance.record_provenance(images[0].pk)
    images[0].refresh_from_db()
    summary = images[0].credentials
    assert summary["state"] == "valid" and images[0].has_credentials
    assert summary["signer"]["organisation"] == "Studio stand-in (not OpenAI)"
    assert summary["actions"][0]["action"] == "c2pa.created"
    assert summary["actions"][0]["digital_source_type"] == "trainedAlgorithmicMedia"
    assert summary["actions"][0]["software_agent"] == JOBS[answer]["model"]
    assert hasattr(images[0], "fingerprint")
