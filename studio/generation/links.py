"""Links that open the generate form filled in, for "Use again" and "Use revised prompt"."""
from urllib.parse import urlencode

from django.urls import reverse

from .forms import OPTION_FIELDS


def generate_form_url(*, prompt: str, model: str, params: dict | None = None, team_id: int | None = None) -> str:
    """The generate form's address with the prompt and every option the form knows, as GET values."""
    params = params or {}
    query = {"prompt": prompt, "model": model}
    query.update({k: params[k] for k in OPTION_FIELDS if params.get(k) not in (None, "")})
    if team_id:
        query["team"] = team_id
    return reverse("generation:new") + "?" + urlencode(query)


def use_again_url(image_or_job) -> str:
    """Same prompt, same model and options, same team: for an image or a job."""
    return generate_form_url(prompt=image_or_job.prompt, model=image_or_job.model,
                             params=image_or_job.params, team_id=image_or_job.team_id)


def use_revised_prompt_url(image) -> str:
    return generate_form_url(prompt=image.revised_prompt, model=image.model, params=image.params,
                             team_id=image.team_id)
