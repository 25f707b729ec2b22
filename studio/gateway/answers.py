"""What a settled job answers: the Images API's response body (`created`, `data`, `usage` and the echoed
options), built from the archive, so every byte a script receives is one Studio keeps."""
from __future__ import annotations

import base64

from studio.gallery import storage
from studio.gallery.models import Image
from studio.generation.models import Job
from studio.models_registry.registry import get_model

from . import links
from .errors import GatewayError, job_failed

ECHOED = ("background", "output_format", "quality", "size")


def wants_b64(job: Job) -> bool:
    """GPT image models always answer with b64_json; DALL·E models as the request asked (url by default)."""
    spec = job_spec(job)
    if "response_format" not in spec.options_for(job.kind):
        return True
    return job.params.get("response_format") == "b64_json"


def job_spec(job: Job):
    return get_model(job.model)


def stored_images(job: Job) -> list[Image]:
    return list(Image.objects.filter(job=job, status=Image.Status.STORED, deleted_at__isnull=True).order_by("index"))


def image_b64(image: Image) -> str:
    return base64.b64encode(b"".join(storage.iter_key(image.storage_key))).decode()


def response_body(job: Job, *, base_url: str) -> dict:
    """The answer for a finished job, or GatewayError when it made nothing to answer with."""
    images = stored_images(job)
    if job.status == Job.Status.FAILED or not images:
        raise job_failed(job.failure_code, job.failure_message)
    b64 = wants_b64(job)
    data = []
    for image in images:
        item = {"b64_json": image_b64(image)} if b64 else {"url": links.image_url(base_url, image, job.api_token)}
        item["revised_prompt"] = image.revised_prompt or None
        data.append(item)
    body = {"created": job.response_created or int(job.created_at.timestamp()), "data": data}
    if job.usage:
        body["usage"] = job.usage
    body.update(echoed(job, images[0]))
    return body


def echoed(job: Job, image: Image | None = None) -> dict:
    """The options the upstream echoes (GPT image models): as they were sent, defaults included, with an
    `auto` size resolved to the stored picture's, as the upstream resolves it."""
    spec = job_spec(job)
    if "response_format" in spec.options_for(job.kind):
        return {}
    sent = spec.api_params(job.kind, dict(job.params))
    out = {name: sent[name] for name in ECHOED if name in sent}
    if out.get("size") == "auto" and image is not None and image.width:
        out["size"] = f"{image.width}x{image.height}"
    return out


def not_finished(job: Job) -> GatewayError:
    return GatewayError(504, f"Job {job.pk} is still {job.get_status_display().lower()}; it will be in the archive "
                             "when it is done.", code="timeout", type="server_error")
