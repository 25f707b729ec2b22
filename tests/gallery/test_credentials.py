"""C2PA content credentials: read after the store, summarised on the image, shown, filtered (issue 20)."""
import io
from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.utils import timezone
from django.urls import reverse
from PIL import Image as PILImage

from studio.gallery import provenance, tasks
from studio.gallery.checks import trust_anchors_load
from studio.gallery.credentials import describe, read_credentials, summarise
from studio.gallery.models import Image
from studio.generation.services import spool
from studio.generation.services.fetching import store_spooled_image

from .conftest import login
from .credentials_helpers import corrupt_manifest, make_chain, sign, tamper
from .factories import png_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def chain():
    return make_chain()


@pytest.fixture
def trusted(chain, settings, tmp_path):
    """The operator's trust list holds the test chain's root."""
    bundle = tmp_path / "trust.pem"
    bundle.write_bytes(make_chain("Someone Else").root_pem + chain.root_pem)
    settings.STUDIO_C2PA_TRUST_ANCHORS = str(bundle)
    return bundle


def _picture() -> bytes:
    out = io.BytesIO()
    PILImage.radial_gradient("L").resize((128, 128)).convert("RGB").save(out, "PNG")
    return out.getvalue()


def _read(data, tmp_path, content_type="image/png"):
    path = tmp_path / "picture"
    path.write_bytes(data)
    return read_credentials(path, content_type)


def test_a_trusted_signature_is_summarised_in_full(chain, trusted, tmp_path):
    summary = _read(sign(_picture(), chain, ingredient=png_bytes()), tmp_path)
    assert summary["present"] is True and summary["state"] == "valid" and summary["failures"] == []
    assert summary["claim_generator"] == {"name": "Harbour Generator", "version": "4.2"}
    assert summary["signer"]["organisation"] == "Harbour Images Ltd"
    assert summary["signer"]["common_name"] == "Harbour signing key"
    assert summary["signed_at"] is None  # no time-stamp authority signed this one
    assert [a["action"] for a in summary["actions"]] == ["c2pa.opened", "c2pa.edited"]
    assert summary["actions"][1]["digital_source_type"] == "trainedAlgorithmicMedia"
    assert summary["ingredients"] == [{"title": "the harbour sketch", "relationship": "parentOf", "format": "image/png"}]
    assert summary["reader"].startswith("c2pa-python ")


def test_a_signer_off_the_trust_list_is_intact_but_not_trusted(chain, settings, tmp_path):
    settings.STUDIO_C2PA_TRUST_ANCHORS = ""
    summary = _read(sign(_picture(), chain), tmp_path)
    assert summary["state"] == "untrusted" and summary["failures"] == []
    assert summary["actions"] == [{"action": "c2pa.created", "digital_source_type": "trainedAlgorithmicMedia",
                                   "software_agent": "harbour-1", "when": None}]
    other_list = tmp_path / "other.pem"
    other_list.write_bytes(make_chain("Another CA").root_pem)
    settings.STUDIO_C2PA_TRUST_ANCHORS = str(other_list)
    assert _read(sign(_picture(), chain), tmp_path)["state"] == "untrusted"


def test_changed_bytes_make_the_credentials_invalid_with_the_failing_codes(chain, trusted, tmp_path):
    summary = _read(tamper(sign(_picture(), chain)), tmp_path)
    assert summary["present"] is True and summary["state"] == "invalid"
    assert "assertion.dataHash.mismatch" in {f["code"] for f in summary["failures"]}


def test_a_picture_without_a_manifest_has_no_credentials(tmp_path):
    assert _read(png_bytes(), tmp_path)["present"] is False


def test_a_corrupt_manifest_is_invalid_and_never_fails_the_store(chain, trusted, owner, make_image,
                                                                 django_capture_on_commit_callbacks):
    data = corrupt_manifest(sign(_picture(), chain))
    image = make_image(owner, stored=False)
    image.spool_path = spool.spool_bytes(data)
    image.save()
    with django_capture_on_commit_callbacks() as callbacks:
        store_spooled_image(image)
    image.refresh_from_db()
    assert image.status == Image.Status.STORED and image.byte_size == len(data)
    # The post-store step was queued once, to run after commit (beside the "image stored" live event).
    assert [cb.__qualname__ for cb in callbacks].count("queue_provenance.<locals>.send") == 1

    assert provenance.record_provenance(image.pk) is True
    image.refresh_from_db()
    assert image.status == Image.Status.STORED
    assert image.credentials["state"] == "invalid" and image.has_credentials
    assert image.credentials["failures"][0]["code"] == "manifest.unreadable"


def test_the_post_store_task_is_sent_after_commit(owner, make_image, django_capture_on_commit_callbacks,
                                                  monkeypatch):
    sent = []
    monkeypatch.setattr(tasks.read_provenance, "apply_async", lambda args, **kw: sent.append((args, kw)))
    image = make_image(owner, stored=False)
    image.spool_path = spool.spool_bytes(png_bytes())
    image.save()
    with django_capture_on_commit_callbacks(execute=True):
        store_spooled_image(image)
    assert sent == [((image.pk,), {"priority": 9, "retry": False})]


def test_reading_is_idempotent_and_can_be_forced(chain, trusted, owner, make_image, settings):
    image = make_image(owner, data=sign(_picture(), chain))
    assert provenance.record_provenance(image.pk) is True
    first = Image.objects.get(pk=image.pk)
    assert first.credentials["state"] == "valid" and first.has_credentials and first.provenance_read_at
    assert provenance.record_provenance(image.pk) is False  # a second delivery does nothing
    assert Image.objects.get(pk=image.pk).provenance_read_at == first.provenance_read_at
    settings.STUDIO_C2PA_TRUST_ANCHORS = ""  # the operator changed the trust list: read again on purpose
    assert provenance.record_provenance(image.pk, force=True) is True
    assert Image.objects.get(pk=image.pk).credentials["state"] == "untrusted"


def test_a_missing_object_raises_for_a_retry_and_stays_due(owner, make_image):
    image = make_image(owner)
    default_storage.delete(image.storage_key)
    with pytest.raises(provenance.ObjectMissing):
        provenance.record_provenance(image.pk)
    assert provenance.due().filter(pk=image.pk).exists()


@pytest.mark.parametrize("who, status", [("owner", 200), ("teammate", 200), ("viewer", 200), ("outsider", 404)])
def test_the_image_page_shows_the_credentials_panel(client, people, team, chain, trusted, make_image, who, status):
    image = make_image(people["owner"], team, data=sign(_picture(), chain))
    provenance.record_provenance(image.pk)
    response = login(client, people, who).get(image.get_absolute_url())
    assert response.status_code == status
    if status == 200:
        html = response.content.decode()
        assert "Content credentials" in html and "✓ Valid" in html
        assert "Harbour Images Ltd" in html and "Harbour Generator 4.2" in html
        assert "Made by a trained AI model" in html


def test_panels_for_unread_absent_and_invalid_credentials(client, people, chain, trusted, make_image):
    client.force_login(people["owner"])
    unread = make_image(people["owner"])
    assert "Not read yet" in client.get(unread.get_absolute_url()).content.decode()
    provenance.record_provenance(unread.pk)
    assert "carries no C2PA manifest" in client.get(unread.get_absolute_url()).content.decode()
    broken = make_image(people["owner"], data=tamper(sign(_picture(), chain)))
    provenance.record_provenance(broken.pk)
    html = client.get(broken.get_absolute_url()).content.decode()
    assert "✗ Invalid" in html and "assertion.dataHash.mismatch" in html


def test_galleries_filter_images_with_content_credentials(client, people, team, chain, make_image):
    signed = make_image(people["owner"], team, data=sign(_picture(), chain))
    plain = make_image(people["owner"], team)
    for image in (signed, plain):
        provenance.record_provenance(image.pk)
    client.force_login(people["teammate"])
    for url in (reverse("gallery:team", args=[team.slug]), reverse("gallery:mine")):
        client.force_login(people["owner"])
        html = client.get(url, {"cc": "1"}).content.decode()
        assert f'href="/images/{signed.pk}/"' in html and f'href="/images/{plain.pk}/"' not in html
        assert "With content credentials" in html
    html = client.get(reverse("gallery:team", args=[team.slug])).content.decode()
    assert f'href="/images/{plain.pk}/"' in html


def test_the_backfill_is_resumable_and_reads_only_what_is_due(owner, make_image, chain):
    images = [make_image(owner, data=sign(_picture(), chain) if i == 0 else None) for i in range(5)]
    out = io.StringIO()
    call_command("backfill_provenance", "--batch", "2", "--limit", "3", stdout=out)
    assert "5 stored images have no provenance read yet" in out.getvalue()
    assert provenance.due().count() == 2  # stopped after three; the rest wait
    call_command("backfill_provenance", "--batch", "2", "--pause", "0", stdout=out)
    assert provenance.due().count() == 0 and "2 left" not in out.getvalue().splitlines()[-1]
    rows = Image.objects.filter(pk__in=[i.pk for i in images]).order_by("pk")
    assert [row.has_credentials for row in rows] == [True, False, False, False, False]
    assert all(hasattr(row, "fingerprint") for row in rows)


def test_a_trust_list_that_cannot_be_read_is_a_startup_error(settings, tmp_path):
    settings.STUDIO_C2PA_TRUST_ANCHORS = str(tmp_path / "missing.pem")
    assert [e.id for e in trust_anchors_load()] == ["gallery.E001"]
    (tmp_path / "empty.pem").write_text("not a certificate")
    settings.STUDIO_C2PA_TRUST_ANCHORS = str(tmp_path / "empty.pem")
    assert [e.id for e in trust_anchors_load()] == ["gallery.E002"]
    settings.STUDIO_C2PA_TRUST_ANCHORS = ""
    assert trust_anchors_load() == []


def test_the_hourly_catch_up_reads_recent_images_whose_read_was_lost(owner, make_image):
    now = timezone.now()
    lost = make_image(owner)  # its message was lost three hours ago
    just_stored = make_image(owner)  # its own task is still on the way
    archived = make_image(owner)  # older than the window: the backfill command's
    Image.objects.filter(pk=lost.pk).update(stored_at=now - timedelta(hours=3))
    Image.objects.filter(pk=just_stored.pk).update(stored_at=now)
    Image.objects.filter(pk=archived.pk).update(stored_at=now - timedelta(days=30))
    assert provenance.catch_up() == 1
    assert list(provenance.due().values_list("pk", flat=True)) == [just_stored.pk, archived.pk]


def test_a_time_stamped_signature_keeps_its_signing_time():
    """c2pa-rs reports `signature_info.time` when a time-stamp authority countersigned the claim."""
    report = {"active_manifest": "urn:1", "manifests": {"urn:1": {
        "claim_generator_info": [{"name": "ChatGPT", "version": "1.0"}],
        "signature_info": {"issuer": "OpenAI", "common_name": "Truepic Lens CLI in Sora", "alg": "Es256",
                           "time": "2026-11-30T10:15:02+00:00"},
        "assertions": [{"label": "c2pa.actions.v2", "data": {"actions": [
            {"action": "c2pa.created", "softwareAgent": "GPT-4o", "when": "2026-11-30T10:15:00Z",
             "digitalSourceType": "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"}]}}]}},
        "validation_status": [{"code": "signingCredential.untrusted", "explanation": "signing certificate untrusted"}]}
    summary = summarise(report, None)
    assert summary["signed_at"] == "2026-11-30T10:15:02+00:00"
    assert describe(summary)["signed_at"].isoformat() == "2026-11-30T10:15:02+00:00"  # the page dates it
    assert summary["signer"] == {"organisation": "OpenAI", "common_name": "Truepic Lens CLI in Sora",
                                 "algorithm": "Es256"}
    assert summary["state"] == "untrusted" and summary["failures"] == []
    assert summary["actions"][0] == {"action": "c2pa.created", "digital_source_type": "trainedAlgorithmicMedia",
                                     "software_agent": "GPT-4o", "when": "2026-11-30T10:15:00Z"}
