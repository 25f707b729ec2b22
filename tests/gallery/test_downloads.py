"""Download (the original, byte for byte, as an attachment named from the prompt) and Download with
details (a copy with the prompt, model and link in its metadata): issue 18 item 1 and issue 20."""
import hashlib
import io
from urllib.parse import unquote

import pytest
import requests
from django.core.files.storage import default_storage
from django.urls import reverse
from PIL import Image as PILImage

from studio.gallery import provenance, services
from studio.gallery.credentials import read_credentials
from studio.gallery.details import with_details
from studio.gallery.naming import image_file_name

from .conftest import login
from .credentials_helpers import make_chain, sign
from .factories import png_bytes

pytestmark = pytest.mark.django_db

PEOPLE = ["owner", "teammate", "viewer", "outsider", "anonymous"]


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def _stored(image) -> bytes:
    with default_storage.open(image.storage_key, "rb") as fh:
        return fh.read()


def _encoded(fmt: str, mode="RGB") -> bytes:
    out = io.BytesIO()
    PILImage.new(mode, (48, 32), (10, 120, 200, 128)[: len(mode)]).save(out, fmt)
    return out.getvalue()


class _Named:
    def __init__(self, prompt, pk=1234, extension="png"):
        self.prompt, self.pk, self.extension = prompt, pk, extension


@pytest.mark.parametrize("prompt, ascii_name, unicode_name", [
    ("Harbour at noon", "harbour-at-noon-1234.png", None),
    ("Café au lait in Zürich, a watercolour of the lake", "cafe-au-lait-in-zurich-a-1234.png",
     "café-au-lait-in-zürich-a-1234.png"),
    ("東京の港", "image-1234.png", "東京の港-1234.png"),
    ("", "image-1234.png", None),
    ('=HYPERLINK("x") "quoted"; name', "hyperlinkx-quoted-name-1234.png", None),
])
def test_one_naming_rule_ascii_safe_with_an_rfc_5987_name_for_the_rest(prompt, ascii_name, unicode_name):
    name = image_file_name(_Named(prompt))
    assert name.ascii == ascii_name and name.unicode == (unicode_name or ascii_name)
    header = name.content_disposition()
    assert header.startswith(f'attachment; filename="{ascii_name}"')
    if unicode_name:
        star = header.split("filename*=UTF-8''", 1)[1]
        assert unquote(star) == unicode_name and star.isascii()
    else:
        assert "filename*" not in header


@pytest.mark.parametrize("who", PEOPLE)
def test_download_is_the_original_byte_for_byte_as_an_attachment(client, people, team_image, who):
    response = login(client, people, who).get(reverse("gallery:download", args=[team_image.pk]))
    if who in ("outsider", "anonymous"):
        assert response.status_code == 404
        return
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="a-red-fox-in-a-snowy-{team_image.pk}.png"'
    assert response["Content-Type"] == "image/png"
    body = _body(response)
    assert body == _stored(team_image) and hashlib.sha256(body).hexdigest() == team_image.sha256


def test_the_image_page_and_the_shared_page_offer_download(client, people, team_image):
    client.force_login(people["viewer"])
    html = client.get(team_image.get_absolute_url()).content.decode()
    assert f'href="/images/{team_image.pk}/download"' in html and "Download with details" in html
    link = services.create_share_link(team_image, user=people["owner"])
    client.logout()
    html = client.get(link.get_absolute_url()).content.decode()
    assert f'href="/s/{link.token}/download"' in html
    response = client.get(reverse("gallery:shared_download", args=[link.token]))
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment;")
    assert _body(response) == _stored(team_image) and response["Cache-Control"] == "private, no-store"
    services.revoke_share_link(link)
    assert client.get(reverse("gallery:shared_download", args=[link.token])).status_code == 404


def test_download_from_s3_is_a_presigned_attachment_of_the_same_bytes(client, s3_storage, people, team, make_image):
    image = make_image(people["owner"], team, prompt="Zürich harbour at noon")
    client.force_login(people["teammate"])
    response = client.get(reverse("gallery:download", args=[image.pk]))
    assert response.status_code == 302 and "X-Amz-Signature" in response["Location"]
    fetched = requests.get(response["Location"], timeout=5)
    assert fetched.status_code == 200 and fetched.content == _stored(image)
    assert hashlib.sha256(fetched.content).hexdigest() == image.sha256
    disposition = fetched.headers["Content-Disposition"]
    assert disposition.startswith(f'attachment; filename="zurich-harbour-at-noon-{image.pk}.png"')
    assert f"filename*=UTF-8''Z%C3%BCrich-harbour-at-noon-{image.pk}.png".lower() in disposition.lower()


@pytest.mark.parametrize("who", PEOPLE)
def test_download_with_details_carries_prompt_model_and_link_and_leaves_the_original(client, people, team_image, who):
    before = _stored(team_image)
    response = login(client, people, who).get(reverse("gallery:download_details", args=[team_image.pk]))
    if who in ("outsider", "anonymous"):
        assert response.status_code == 404
        return
    assert response.status_code == 200
    assert response["Content-Disposition"] == (f'attachment; filename="a-red-fox-in-a-snowy-{team_image.pk}'
                                               '-details.png"')
    copy = PILImage.open(io.BytesIO(response.content))
    copy.load()
    link = f"http://testserver/images/{team_image.pk}/"
    assert copy.text["Description"] == "a red fox in a snowy forest" and copy.text["Source"] == "dall-e-2"
    assert copy.text["Comment"] == f"Made with Studio: {link}"
    xmp = copy.text["XML:com.adobe.xmp"]
    assert "a red fox in a snowy forest" in xmp and link in xmp and "trainedAlgorithmicMedia" in xmp
    assert copy.tobytes() == PILImage.open(io.BytesIO(before)).tobytes()  # not a pixel re-encoded
    assert _stored(team_image) == before  # the original is never written to


def test_details_break_a_c2pa_binding_and_the_page_says_so(client, people, make_image, settings, tmp_path):
    chain = make_chain()
    bundle = tmp_path / "trust.pem"
    bundle.write_bytes(chain.root_pem)
    settings.STUDIO_C2PA_TRUST_ANCHORS = str(bundle)
    image = make_image(people["owner"], data=sign(png_bytes(size=(64, 64)), chain))
    provenance.record_provenance(image.pk)
    client.force_login(people["owner"])
    html = client.get(image.get_absolute_url()).content.decode()
    assert "breaks the original’s C2PA content credentials" in html
    copy = tmp_path / "copy.png"
    copy.write_bytes(client.get(reverse("gallery:download_details", args=[image.pk])).content)
    original = tmp_path / "original.png"
    original.write_bytes(_body(client.get(reverse("gallery:download", args=[image.pk]))))
    assert read_credentials(original, "image/png")["state"] == "valid"
    assert read_credentials(copy, "image/png")["state"] == "invalid"


@pytest.mark.parametrize("fmt, content_type, mode", [
    ("JPEG", "image/jpeg", "RGB"), ("WEBP", "image/webp", "RGB"), ("WEBP", "image/webp", "RGBA"),
])
def test_jpeg_and_webp_copies_carry_an_xmp_packet(fmt, content_type, mode):
    original = _encoded(fmt, mode)
    if fmt == "WEBP" and mode == "RGBA":  # an extended (VP8X) WebP as well as a simple one
        buffer = io.BytesIO()
        PILImage.open(io.BytesIO(original)).save(buffer, "WEBP", lossless=True, exif=b"Exif\x00\x00")
        original = buffer.getvalue()
    copy = with_details(original, content_type, prompt="a <tiny> “harbour” & boats", model="gpt-image-2",
                        link="http://studio.test/images/7/", width=48, height=32)
    opened = PILImage.open(io.BytesIO(copy))
    opened.load()
    xmp = opened.info["xmp"]
    xmp = xmp.decode() if isinstance(xmp, bytes) else xmp
    assert "a &lt;tiny&gt; “harbour” &amp; boats" in xmp and "gpt-image-2" in xmp
    assert opened.size == (48, 32) and opened.mode == PILImage.open(io.BytesIO(original)).mode


def test_a_gif_has_no_copy_with_details(client, people, make_image):
    image = make_image(people["owner"])
    image.content_type = "image/gif"
    image.save()
    client.force_login(people["owner"])
    assert client.get(reverse("gallery:download_details", args=[image.pk])).status_code == 404
    assert "Download with details" not in client.get(image.get_absolute_url()).content.decode()
