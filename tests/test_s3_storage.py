import pytest
import requests
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage


def test_storage_round_trip_through_loopback_s3(s3_storage):
    key = default_storage.save("images/user-1/2026/11/probe.png", ContentFile(b"\x89PNG-bytes", name="probe.png"))
    assert key == "images/user-1/2026/11/probe.png"
    with default_storage.open(key, "rb") as fh:
        assert fh.read() == b"\x89PNG-bytes"
    url = default_storage.url(key)
    assert "X-Amz-Signature" in url and "X-Amz-Expires=300" in url
    assert requests.get(url, timeout=5).content == b"\x89PNG-bytes"
    # Nothing is public-read: the same object without a signature is refused.
    assert requests.get(url.split("?")[0], timeout=5).status_code == 403
    default_storage.delete(key)
