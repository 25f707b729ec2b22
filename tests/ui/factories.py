"""Plain factories shared by tests/ui and tests/browser: pictures as bytes, stored archive images."""
import io

from PIL import Image as PILImage

from studio.gallery import storage
from studio.gallery.models import Image
from studio.generation.models import Job


def picture(size=(256, 256), fmt="PNG", color=(200, 60, 30), mode="RGB", exif_orientation=None) -> bytes:
    im = PILImage.new(mode, size, color if mode != "RGBA" else (*color, 255))
    buf = io.BytesIO()
    kwargs = {}
    if exif_orientation:
        exif = PILImage.Exif()
        exif[0x0112] = exif_orientation
        kwargs["exif"] = exif.tobytes()
    im.save(buf, fmt, **kwargs)
    return buf.getvalue()


def stored_image(owner, *, team=None, size=(256, 256), fmt="PNG", model="dall-e-2", prompt="a lighthouse at dusk",
                 revised_prompt="", parent=None, color=(200, 60, 30)) -> Image:
    """A stored archive image (a finished job with one picture in storage), without calling any API."""
    job = Job.objects.create(owner=owner, team=team, model=model, prompt=prompt, status=Job.Status.DONE,
                             params={"size": f"{size[0]}x{size[1]}", "n": 1})
    data = picture(size, fmt, color=color)
    ext = {"PNG": "png", "JPEG": "jpg", "WEBP": "webp"}[fmt]
    key = storage.image_key(owner_id=owner.pk, team_id=team.pk if team else None, extension=ext)
    storage.save_bytes(key, data)
    thumb = storage.thumb_key_for(key)
    storage.save_bytes(thumb, picture((128, 128), "WEBP", color=color))
    return Image.objects.create(
        owner=owner, team=team, job=job, model=model, prompt=prompt, revised_prompt=revised_prompt,
        params=job.params, status=Image.Status.STORED, storage_key=key, thumb_key=thumb,
        content_type={"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp"}[fmt],
        width=size[0], height=size[1], byte_size=len(data), parent=parent)
