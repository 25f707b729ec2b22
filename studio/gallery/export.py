"""A ZIP of images with a manifest, streamed: memory stays flat however many images go in.

Each image goes in as `images/<name>` (naming.image_file_name, the name a download gets) with a JSON
sidecar `images/<name>.json` beside it: what made it (prompt, revised prompt, model, provider,
parameters, job), its lineage up to its root, its bytes (sha256, size, dimensions) and its C2PA
content credentials summary. `manifest.json` lists every image with its file and sidecar names.

`zipfile` writes to a sink that only keeps what was written since the generator last took it; with
no `seek` on the sink, zipfile writes data descriptors after each member instead of going back to
patch headers. Each image is copied from storage in chunks, and the manifest rows wait in spooled
temporary files (memory first, then disk) until the images are done. The CSV manifest is written
formula-safe (studio/csv_safe.py): a prompt is typed by anyone, and a spreadsheet must not run it.
"""
import io
import itertools
import json
import tempfile
import zipfile

from django.utils import timezone

from studio.csv_safe import SafeDictWriter

from . import selectors, storage
from .naming import image_file_name

CHUNK = 64 * 1024
MANIFEST_FIELDS = ["id", "file", "prompt", "revised_prompt", "model", "params", "parent", "job", "sha256", "bytes",
                   "width", "height", "created", "who", "team"]


class _Sink:
    """A write-only file: zipfile writes into it, the response generator drains it."""

    def __init__(self):
        self._chunks: list[bytes] = []
        self._written = 0

    def write(self, data) -> int:
        data = bytes(data)
        self._chunks.append(data)
        self._written += len(data)
        return len(data)

    def tell(self) -> int:
        return self._written

    def flush(self) -> None:
        pass

    def drain(self) -> bytes:
        data = b"".join(self._chunks)
        self._chunks.clear()
        return data


# Job kinds as a reader of the sidecar names them.
KIND_NAMES = {"generate": "generation", "edit": "edit", "variation": "variation"}
LINEAGE_BATCH = 100


def member_name(image) -> str:
    return f"images/{image_file_name(image).unicode}"


def sidecar(image, file: str, lineage: list[tuple[int, str]]) -> dict:
    """Everything Studio knows of where one exported image came from, for machines to read."""
    job = image.job
    return {
        "id": image.pk,
        "file": file.removeprefix("images/"),
        "prompt": image.prompt,
        "revised_prompt": image.revised_prompt,
        "model": image.model,
        "provider": job.provider or "default",
        "parameters": image.params,
        "job": image.job_id,
        "kind": KIND_NAMES.get(job.kind, job.kind),
        "lineage": [{"id": pk, "kind": KIND_NAMES.get(kind, kind)} for pk, kind in lineage],
        "created": image.created_at.isoformat(),
        "sha256": image.sha256,
        "bytes": image.byte_size,
        "width": image.width,
        "height": image.height,
        "content_type": image.content_type,
        "content_credentials": image.credentials if image.provenance_read_at else None,
    }


def _with_lineage(images, user):
    """(image, lineage) pairs, the lineages read in one query per LINEAGE_BATCH images."""
    images = iter(images)
    while batch := list(itertools.islice(images, LINEAGE_BATCH)):
        chains = selectors.lineages(user, [image.pk for image in batch]) if user is not None else {}
        for image in batch:
            yield image, chains.get(image.pk, [(image.pk, image.job.kind)])


def manifest_row(image, file: str) -> dict:
    return {
        "id": image.pk,
        "file": file,
        "prompt": image.prompt,
        "revised_prompt": image.revised_prompt,
        "model": image.model,
        "params": image.params,
        "parent": image.parent_id,
        "job": image.job_id,
        "sha256": image.sha256,
        "bytes": image.byte_size,
        "width": image.width,
        "height": image.height,
        "created": image.created_at.isoformat(),
        "who": image.owner.get_username(),
        "team": image.team.slug if image.team_id else "",
    }


def stream_zip(images, user=None):
    """Yield the bytes of a ZIP holding `images` (an iterable of Image with owner, team and job loaded).

    `user` is who exports: lineages name only the ancestors they may see (without one, none).
    """
    sink = _Sink()
    json_rows = tempfile.SpooledTemporaryFile(max_size=512 * 1024, mode="w+b")
    csv_rows = tempfile.SpooledTemporaryFile(max_size=512 * 1024, mode="w+b")
    csv_text = io.TextIOWrapper(csv_rows, encoding="utf-8", newline="", write_through=True)
    writer = SafeDictWriter(csv_text, fieldnames=MANIFEST_FIELDS)
    writer.writeheader()
    count = 0
    try:
        with zipfile.ZipFile(sink, mode="w", allowZip64=True) as archive:
            for image, lineage in _with_lineage(images, user):
                name = ""
                if image.is_stored and image.storage_key:
                    chunks = storage.iter_key(image.storage_key, CHUNK)
                    first = next(chunks, None)  # opens the object: a missing one is left out
                    if first is not None:
                        name = member_name(image)
                        info = zipfile.ZipInfo(name, date_time=image.created_at.timetuple()[:6])
                        info.compress_type = zipfile.ZIP_STORED  # PNG/WebP/JPEG are compressed already
                        with archive.open(info, "w", force_zip64=True) as out:
                            out.write(first)
                            yield sink.drain()
                            for chunk in chunks:
                                out.write(chunk)
                                yield sink.drain()
                row = manifest_row(image, name)
                if name:
                    details = json.dumps(sidecar(image, name, lineage), ensure_ascii=False, indent=2).encode()
                    info = zipfile.ZipInfo(name + ".json", date_time=image.created_at.timetuple()[:6])
                    info.compress_type = zipfile.ZIP_DEFLATED
                    archive.writestr(info, details)
                    yield sink.drain()
                listed = {**row, "sidecar": name + ".json" if name else ""}
                json_rows.write((("[\n" if count == 0 else ",\n") + json.dumps(listed, ensure_ascii=False)).encode())
                writer.writerow({**row, "params": json.dumps(row["params"], sort_keys=True)})
                count += 1
            json_rows.write(b"\n]\n" if count else b"[]\n")
            for name, spool in (("manifest.json", json_rows), ("manifest.csv", csv_rows)):
                spool.seek(0)
                info = zipfile.ZipInfo(name, date_time=_now_tuple())
                info.compress_type = zipfile.ZIP_DEFLATED
                with archive.open(info, "w", force_zip64=True) as out:
                    while chunk := spool.read(CHUNK):
                        out.write(chunk)
                        yield sink.drain()
        yield sink.drain()  # the central directory, written on close
    finally:
        csv_text.close()
        json_rows.close()


def _now_tuple():
    return timezone.now().timetuple()[:6]
