"""Reads of presets, all through `Preset.objects.visible_to(user)`."""
from studio.accounts.models import Membership

from .models import Preset, PresetVersion

SEARCH_LIMIT = 20


def visible_presets(user, query: str = ""):
    presets = Preset.objects.visible_to(user).select_related("team", "owner")
    return presets.matching(query) if query.strip() else presets


def visible_preset(user, pk) -> Preset | None:
    return Preset.objects.visible_to(user).select_related("team", "owner").filter(pk=pk).first()


def visible_version(user, pk) -> PresetVersion | None:
    """A version of a preset this person may see; None for anything else, or a mangled id."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    return (PresetVersion.objects.filter(pk=pk, preset__in=Preset.objects.visible_to(user))
            .select_related("preset").first())


def role_for(user, preset: Preset) -> str | None:
    if preset.team_id is None:
        return None
    return Membership.objects.filter(user=user, team_id=preset.team_id).values_list("role", flat=True).first()
