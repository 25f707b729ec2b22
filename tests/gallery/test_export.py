"""Export: a ZIP with the images and a manifest (JSON and CSV), streamed with flat memory."""
import csv
import hashlib
import io
import json
import os
import tracemalloc
import zipfile

from django.urls import reverse

from studio.gallery import provenance
from studio.gallery.export import stream_zip
from studio.gallery.models import Image

from .credentials_helpers import make_chain, sign
from .factories import png_bytes


def _zip(response):
    assert response["Content-Type"] == "application/zip"
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def test_export_holds_images_and_manifest(client, people, team, make_image):
    parent = make_image(people["owner"], team, prompt="a blue whale", revised_prompt="A vast blue whale.")
    child = make_image(people["teammate"], team, prompt="a blue whale, edited", parent=parent,
                       params={"size": "256x256", "n": 1, "quality": "standard"})
    client.force_login(people["viewer"])
    archive = _zip(client.get(reverse("gallery:export"), {"team": team.slug}))
    assert archive.testzip() is None
    manifest = json.loads(archive.read("manifest.json"))
    assert [row["id"] for row in manifest] == [child.pk, parent.pk]
    row = manifest[0]
    assert row["prompt"] == "a blue whale, edited" and row["parent"] == parent.pk and row["who"] == "teammate"
    assert row["params"]["quality"] == "standard" and row["created"] == child.created_at.isoformat()
    assert hashlib.sha256(archive.read(row["file"])).hexdigest() == row["sha256"] == child.sha256
    assert manifest[1]["revised_prompt"] == "A vast blue whale."
    rows = list(csv.DictReader(io.StringIO(archive.read("manifest.csv").decode())))
    assert [int(r["id"]) for r in rows] == [child.pk, parent.pk]
    assert set(["prompt", "revised_prompt", "params", "parent", "sha256", "created", "who"]) <= set(rows[0])
    assert json.loads(rows[0]["params"])["quality"] == "standard"


def test_export_of_a_selection_and_with_filters(client, people, team, make_image):
    a = make_image(people["owner"], team, model="dall-e-3")
    b = make_image(people["owner"], team, model="dall-e-2")
    make_image(people["owner"], team, model="dall-e-2")
    client.force_login(people["owner"])
    manifest = json.loads(_zip(client.get(reverse("gallery:export"), {"ids": [a.pk, b.pk]})).read("manifest.json"))
    assert {r["id"] for r in manifest} == {a.pk, b.pk}
    manifest = json.loads(_zip(client.get(reverse("gallery:export"), {"team": team.slug, "model": "dall-e-3"}))
                          .read("manifest.json"))
    assert [r["id"] for r in manifest] == [a.pk]


def test_missing_file_is_listed_not_fatal(client, people, team, make_image):
    from django.core.files.storage import default_storage

    image = make_image(people["owner"], team)
    default_storage.delete(image.storage_key)
    pending = make_image(people["owner"], team, stored=False)
    client.force_login(people["owner"])
    archive = _zip(client.get(reverse("gallery:export"), {"team": team.slug}))
    manifest = {r["id"]: r for r in json.loads(archive.read("manifest.json"))}
    assert manifest[image.pk]["file"] == "" and manifest[pending.pk]["file"] == ""
    assert [n for n in archive.namelist() if n.startswith("images/")] == []


def test_memory_stays_flat(people, team, make_image):
    """40 images of 400 KB each (16 MB): the export's peak memory stays far below the total."""
    for _ in range(40):
        make_image(people["owner"], team, data=_noise_png())
    images = Image.objects.filter(team=team).select_related("owner", "team").iterator(chunk_size=10)
    total = 0
    tracemalloc.start()
    try:
        for chunk in stream_zip(images):
            total += len(chunk)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert total > 40 * 300_000
    assert peak < 3_000_000, f"peak {peak:,} bytes for a {total:,}-byte ZIP"


_NOISE = []


def _noise_png() -> bytes:
    """A PNG of noise: incompressible, ~400 KB, made once."""
    from PIL import Image as PILImage

    if not _NOISE:
        out = io.BytesIO()
        PILImage.frombytes("RGB", (380, 360), os.urandom(380 * 360 * 3)).save(out, "PNG")
        _NOISE.append(out.getvalue())
    return _NOISE[0]


def test_manifest_csv_cells_never_start_a_formula(client, people, team, make_image):
    """OWASP CSV injection: a prompt a spreadsheet would run as a formula is written as text (studio/csv_safe.py)."""
    starts = ["=HYPERLINK(\"http://evil.invalid\")", "+1+1", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd"]
    for prompt in starts:
        make_image(people["owner"], team, prompt=prompt, revised_prompt=prompt)
    client.force_login(people["owner"])
    archive = _zip(client.get(reverse("gallery:export"), {"team": team.slug}))
    rows = list(csv.DictReader(io.StringIO(archive.read("manifest.csv").decode(), newline="")))
    assert sorted(r["prompt"] for r in rows) == sorted("'" + p for p in starts)
    assert sorted(r["revised_prompt"] for r in rows) == sorted("'" + p for p in starts)
    # The JSON manifest is data, not a spreadsheet: it keeps every prompt exactly as typed.
    assert sorted(r["prompt"] for r in json.loads(archive.read("manifest.json"))) == sorted(starts)


# --- sidecars and names (issues 18 and 20) ----------------------------------------------------------


def test_each_image_has_a_json_sidecar_with_its_lineage_and_credentials(client, people, team, make_image,
                                                                        django_assert_max_num_queries):
    root = make_image(people["owner"], team, prompt="Harbour at noon", params={"size": "256x256", "n": 1})
    edit = make_image(people["teammate"], team, prompt="Harbour at noon, with boats", parent=root, kind="edit")
    variation = make_image(people["owner"], team, prompt="Harbour at dusk", parent=edit, kind="variation",
                           data=sign(png_bytes((5, 99, 180), (40, 40)), make_chain()))
    provenance.record_provenance(variation.pk)
    client.force_login(people["viewer"])
    with django_assert_max_num_queries(12):  # lineages in one query per hundred images, not one per image
        archive = _zip(client.get(reverse("gallery:export"), {"team": team.slug}))
    names = archive.namelist()
    assert f"images/harbour-at-dusk-{variation.pk}.png" in names
    assert f"images/harbour-at-dusk-{variation.pk}.png.json" in names
    manifest = {row["id"]: row for row in json.loads(archive.read("manifest.json"))}
    assert manifest[edit.pk]["file"] == f"images/harbour-at-noon-with-boats-{edit.pk}.png"
    assert manifest[edit.pk]["sidecar"] == manifest[edit.pk]["file"] + ".json"
    side = json.loads(archive.read(manifest[variation.pk]["sidecar"]))
    assert side["file"] == f"harbour-at-dusk-{variation.pk}.png"
    assert side["lineage"] == [{"id": variation.pk, "kind": "variation"}, {"id": edit.pk, "kind": "edit"},
                               {"id": root.pk, "kind": "generation"}]
    assert side["prompt"] == "Harbour at dusk" and side["model"] == "dall-e-2" and side["provider"] == "default"
    assert side["job"] == variation.job_id and side["kind"] == "variation"
    assert side["sha256"] == variation.sha256 and side["bytes"] == variation.byte_size
    assert (side["width"], side["height"]) == (variation.width, variation.height)
    assert side["created"] == variation.created_at.isoformat()
    assert side["content_credentials"]["present"] is True
    assert side["content_credentials"]["actions"][0]["digital_source_type"] == "trainedAlgorithmicMedia"
    root_side = json.loads(archive.read(manifest[root.pk]["sidecar"]))
    assert root_side["parameters"] == {"size": "256x256", "n": 1} and root_side["content_credentials"] is None
    assert root_side["lineage"] == [{"id": root.pk, "kind": "generation"}]


def test_a_lineage_names_no_ancestor_the_exporter_may_not_see(client, people, make_image):
    hidden = make_image(people["outsider"], None, prompt="someone else's picture")
    mine = make_image(people["owner"], None, prompt="my edit", parent=hidden, kind="edit")
    client.force_login(people["owner"])
    archive = _zip(client.get(reverse("gallery:export"), {"ids": [mine.pk, hidden.pk]}))
    manifest = json.loads(archive.read("manifest.json"))
    assert [row["id"] for row in manifest] == [mine.pk]
    assert json.loads(archive.read(manifest[0]["sidecar"]))["lineage"] == [{"id": mine.pk, "kind": "edit"}]
