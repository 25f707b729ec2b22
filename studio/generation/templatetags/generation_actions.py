"""`{% image_actions image %}`: the edit / variation / compare / prompt tools shown on an image page.

An inclusion tag rather than a view context, because the image page belongs to the gallery: it only
includes `generation/_image_actions.html`, and this tag builds what that include needs for the viewer.
"""
from django import template
from django.urls import reverse

from studio.gallery.models import Image
from studio.models_registry.registry import FORM_OPTIONS

from .. import uploads
from ..forms import VariationForm
from ..links import use_again_url, use_revised_prompt_url
from ..models import Job

register = template.Library()


@register.inclusion_tag("generation/_image_actions_body.html", takes_context=True)
def image_actions(context, image):
    request = context["request"]
    user = request.user
    visible = Image.objects.visible_to(user)
    parent = visible.filter(pk=image.parent_id).only("pk").first() if image.parent_id else None
    children = list(visible.filter(parent=image).stored().only("pk", "prompt", "job_id")[:6])
    form = None
    if image.is_stored:
        # "Share with" is shown in the form: the image's team when this person may create there, else Only me.
        form = VariationForm(user=user, source=image, preferred_model=image.model, initial={"n": 2})
        for name in FORM_OPTIONS:  # the page keeps it short (size and count); the full form has every option
            if name not in ("size", "n"):
                form.fields.pop(name, None)
    return {
        "image": image,
        "upload_url": _upload_it_was_made_from(user, image),
        "request": request,
        "csrf_token": context.get("csrf_token"),
        "form": form,
        "parent": parent,
        "children": children,
        "revised_url": use_revised_prompt_url(image) if image.revised_prompt else "",
        "use_again_url": use_again_url(image),
        "can_create": form is not None and bool(form.models),
    }


def _upload_it_was_made_from(user, image) -> str:
    """The address of the upload an edit or variation was made from, for its before/after, when the
    image has no archive source and the viewer is the uploader (an upload is nobody else's to see)."""
    job = image.job
    if image.parent_id or job.kind == Job.Kind.GENERATE or not job.input_keys:
        return ""
    key = job.input_keys[0]
    return reverse("generation:upload_file", args=[key]) if uploads.usable_key(user, key) else ""
