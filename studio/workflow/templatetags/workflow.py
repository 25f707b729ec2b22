"""Template tags for the workflow parts shown in lower apps' pages (studio/conf/slots.py)."""
from django import template

from studio.gallery.selectors import role_in_team

from .. import collection_selectors, preset_selectors
from ..models import Comment, ImageReview, NotificationSettings, PresetUse
from ..review_services import mentionable, review_of

register = template.Library()


@register.simple_tag
def preset_version_of_form(request):
    """The preset version a job form was filled from (`?preset_version=`, kept as a hidden field on POST)."""
    value = request.POST.get("preset_version") or request.GET.get("preset_version")
    return preset_version_named(request.user, value)


@register.simple_tag
def preset_version_named(user, value):
    """The preset version a job form names (`?preset_version=`), if this person may see it."""
    return preset_selectors.visible_version(user, value) if value else None


@register.simple_tag
def preset_version_of_job(user, job):
    """The preset version the job was made from, if this person may see that preset."""
    version_id = PresetUse.objects.filter(job_id=job.pk).values_list("version_id", flat=True).first()
    return preset_version_named(user, version_id)


@register.simple_tag
def presets_matching(user, query):
    return list(preset_selectors.visible_presets(user, query)[:preset_selectors.SEARCH_LIMIT]) if query else []


@register.inclusion_tag("workflow/_review_panel.html", takes_context=True)
def review_panel(context, image):
    """The image page's review state, its moves for this person, and the comments."""
    user = context["request"].user
    role = role_in_team(user, image.team_id)
    review = review_of(image)
    return {
        "image": image, "review": review, "csrf_token": context.get("csrf_token"),
        "can_request": ImageReview.can_request(image, user, role) and review.allows(ImageReview.State.IN_REVIEW),
        "can_decide": ImageReview.can_decide(image, user, role) and review.allows(ImageReview.State.APPROVED),
        "comments": image.comments.select_related("author"),
        "can_comment": Comment.can_add(image, user, role),
        "mentionable": list(mentionable(image).exclude(pk=user.pk).values_list("username", flat=True)[:50]),
    }


@register.simple_tag
def notification_settings_of(user):
    return NotificationSettings.of(user)


@register.simple_tag
def collections_to_add_to(user):
    return collection_selectors.editable_collections(user)
