"""The archive against a real S3 server on loopback (moto): presigned redirects, export, purge, share."""
import io
import json
import zipfile
from datetime import timedelta

import requests
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone

from studio.gallery import services


def test_bytes_redirect_to_a_short_presigned_url(client, s3_storage, people, team_image):
    client.force_login(people["teammate"])
    for name in ("gallery:file", "gallery:thumb"):
        response = client.get(reverse(name, args=[team_image.pk]))
        assert response.status_code == 302
        url = response["Location"]
        assert "X-Amz-Signature" in url and "X-Amz-Expires=300" in url
        fetched = requests.get(url, timeout=5)
        assert fetched.status_code == 200 and fetched.content[:4] in (b"\x89PNG", b"RIFF")
        assert requests.get(url.split("?")[0], timeout=5).status_code == 403  # nothing is public-read
    client.force_login(people["outsider"])
    assert client.get(reverse("gallery:file", args=[team_image.pk])).status_code == 404


def test_share_link_on_s3_stops_after_revocation(client, s3_storage, people, team_image):
    link = services.create_share_link(team_image, user=people["owner"])
    response = client.get(reverse("gallery:shared_file", args=[link.token]))
    assert response.status_code == 302 and requests.get(response["Location"], timeout=5).status_code == 200
    services.revoke_share_link(link)
    assert client.get(reverse("gallery:shared_file", args=[link.token])).status_code == 404


def test_export_streams_from_s3(client, s3_storage, people, team, make_image):
    image = make_image(people["owner"], team)
    client.force_login(people["owner"])
    response = client.get(reverse("gallery:export"), {"ids": [image.pk]})
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    row = json.loads(archive.read("manifest.json"))[0]
    import hashlib

    assert hashlib.sha256(archive.read(row["file"])).hexdigest() == image.sha256


def test_purge_deletes_s3_objects(s3_storage, people, team, make_image, settings):
    image = make_image(people["owner"], team)
    assert default_storage.exists(image.storage_key) and default_storage.exists(image.thumb_key)
    services.trash_image(image, now=timezone.now() - timedelta(days=settings.STUDIO_TRASH_DAYS + 1))
    assert services.purge_trash() == 1
    assert not default_storage.exists(image.storage_key) and not default_storage.exists(image.thumb_key)
