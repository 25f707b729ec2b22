"""Where image bytes live: keys the DB owns, written through Django's storage API."""
import uuid
from contextlib import closing

from botocore.exceptions import ClientError
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone


def image_key(*, owner_id: int, team_id: int | None, extension: str, when=None, name: str | None = None) -> str:
    """`images/<team-or-user>/<yyyy>/<mm>/<uuid>.<ext>`: grouped so a team's archive can be listed or moved."""
    when = when or timezone.now()
    scope = f"team-{team_id}" if team_id else f"user-{owner_id}"
    return f"images/{scope}/{when:%Y}/{when:%m}/{name or uuid.uuid4().hex}.{extension}"


def thumb_key_for(key: str) -> str:
    stem = key.rsplit(".", 1)[0]
    return "thumbs/" + stem.split("/", 1)[1] + ".webp"


def upload_key(*, owner_id: int, extension: str) -> str:
    when = timezone.now()
    return f"uploads/user-{owner_id}/{when:%Y}/{when:%m}/{uuid.uuid4().hex}.{extension}"


def save_file(key: str, path) -> str:
    """Store a local file under exactly `key` (storage must not rename: the DB already owns the key)."""
    if default_storage.exists(key):
        default_storage.delete(key)  # a retried store after a partial write
    with open(path, "rb") as fh:
        saved = default_storage.save(key, File(fh, name=key))
    return saved


def save_bytes(key: str, data: bytes) -> str:
    if default_storage.exists(key):
        default_storage.delete(key)
    return default_storage.save(key, ContentFile(data, name=key))


def open_key(key: str):
    return default_storage.open(key, "rb")


def delete_key(key: str) -> None:
    if key:
        default_storage.delete(key)


def iter_key(key: str, chunk_size: int = 64 * 1024):
    """The object's bytes in chunks, never whole in memory; yields nothing if the object is missing.

    S3 objects are read from the response body directly: django-storages' S3File would first copy
    the whole object into a temporary buffer.
    """
    bucket = getattr(default_storage, "bucket", None)
    if bucket is not None:
        try:
            body = bucket.Object(default_storage._normalize_name(key)).get()["Body"]
        except ClientError:
            return
        with closing(body):
            yield from body.iter_chunks(chunk_size)
        return
    try:
        fh = default_storage.open(key, "rb")
    except (FileNotFoundError, OSError):
        return
    with fh:
        while chunk := fh.read(chunk_size):
            yield chunk


def walk_keys(prefix: str):
    """Every key below `prefix` (a folder, e.g. "uploads"), for filesystem and S3 storages alike."""
    try:
        folders, files = default_storage.listdir(prefix)
    except FileNotFoundError:
        return
    for name in files:
        yield f"{prefix}/{name}"
    for folder in folders:
        yield from walk_keys(f"{prefix}/{folder}")
