"""Images made straight in the database, with real bytes in storage (for archive and browser tests)."""
import hashlib
import io
import itertools
import tempfile
from datetime import timedelta
from pathlib import Path

from django.utils import timezone
from PIL import Image as PILImage

from studio.gallery import storage
from studio.gallery.imaging import make_thumbnail
from studio.gallery.models import Image
from studio.generation.models import Job

_counter = itertools.count(1)


def png_bytes(colour=(200, 60, 40), size=(64, 64)) -> bytes:
    out = io.BytesIO()
    PILImage.new("RGB", size, colour).save(out, "PNG")
    return out.getvalue()


def make_image(owner, team=None, *, prompt="a lighthouse at dusk", revised_prompt="", parent=None, stored=True,
               data=None, model="dall-e-2", params=None, created_at=None, kind=None, **fields) -> Image:
    n = next(_counter)
    created_at = created_at or timezone.now() - timedelta(seconds=10_000 - n)
    params = params if params is not None else {"size": "256x256", "n": 1}
    job = Job.objects.create(owner=owner, team=team, model=model, prompt=prompt, params=params,
                             kind=kind or (Job.Kind.VARIATION if parent else Job.Kind.GENERATE),
                             source_image=parent, status=Job.Status.DONE, created_at=created_at)
    image = Image(owner=owner, team=team, job=job, parent=parent, model=model, prompt=prompt,
                  revised_prompt=revised_prompt, params=params, created_at=created_at, **fields)
    if stored:
        data = data if data is not None else png_bytes(((n * 37) % 256, 90, 160))
        key = storage.image_key(owner_id=owner.pk, team_id=team.pk if team else None, extension="png",
                                name=image.uuid.hex)
        storage.save_bytes(key, data)
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "image.png"
            path.write_bytes(data)
            thumb, tw, th = make_thumbnail(path)
        image.thumb_key = storage.thumb_key_for(key)
        storage.save_bytes(image.thumb_key, thumb)
        image.storage_key = key
        image.status = Image.Status.STORED
        image.content_type = "image/png"
        image.width, image.height = PILImage.open(io.BytesIO(data)).size
        image.thumb_width, image.thumb_height = tw, th
        image.byte_size = len(data)
        image.sha256 = hashlib.sha256(data).hexdigest()
        image.stored_at = created_at
    image.save()
    return image
