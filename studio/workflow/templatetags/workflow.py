"""Template tags for the workflow parts shown in lower apps' pages (studio/conf/slots.py)."""
from django import template

from .. import preset_selectors
from ..models import PresetUse

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
