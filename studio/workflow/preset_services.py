"""Writes to presets: create, change (a new version each time), delete, and remembering a job's preset.

Views decide who may act (the rules live on `Preset`); these functions write and record the audit event.
"""
from django.db import transaction
from django.utils import timezone

from studio.audit.services import record

from .models import Preset, PresetUse, PresetVersion


def _snapshot(preset: Preset, *, user, change: str) -> PresetVersion:
    return PresetVersion.objects.create(
        preset=preset, number=preset.version, name=preset.name, model=preset.model, params=preset.params,
        prompt_template=preset.prompt_template, changed_by=user, change=change[:300])


def create_preset(*, user, team, name: str, model: str, params: dict, prompt_template: str) -> Preset:
    if team is not None and not team.lets_spend(user):
        raise PermissionError(f"{user} may not add presets to {team}: viewers only use them.")
    with transaction.atomic():
        preset = Preset.objects.create(owner=user, team=team, name=name, model=model, params=params,
                                       prompt_template=prompt_template)
        _snapshot(preset, user=user, change="created")
        record("preset.created", actor=user, team=team, target=preset,
               summary=f"{name!r} ({model}) for {preset.scope}")
    return preset


def change_preset(preset: Preset, *, user, **fields) -> list[str]:
    """Save the changed fields as the next version; answers what changed (nothing: no version, no event)."""
    with transaction.atomic():
        preset = Preset.objects.select_for_update().get(pk=preset.pk)
        changed = preset.changes_from(fields)
        if not changed:
            return []
        for name, value in fields.items():
            setattr(preset, name, value)
        preset.version += 1
        preset.updated_at = timezone.now()
        preset.save()
        change = ", ".join(changed)
        _snapshot(preset, user=user, change=change)
        record("preset.changed", actor=user, team=preset.team, target=preset,
               summary=f"{preset.name!r} v{preset.version}: {change}")
    return changed


def delete_preset(preset: Preset, *, user) -> None:
    with transaction.atomic():
        record("preset.deleted", actor=user, team=preset.team, target=preset,
               summary=f"{preset.name!r} ({preset.version} version(s))")
        preset.delete()


def remember_use(*, job, version: PresetVersion) -> PresetUse:
    """Part of submitting the job (its `job.submitted` event covers it): no event of its own."""
    return PresetUse.objects.get_or_create(job=job, defaults={"version": version})[0]
