"""Saving and deleting the admin's providers; each change goes into the audit trail, never the key."""
from __future__ import annotations

from django.db import transaction

from studio.audit.services import record

from .models import Provider
from .providers import config_from_row, forget_listing

# Field names as the audit trail shows them; the key is named, never quoted.
_KEY_FIELDS = {"api_key", "clear_api_key"}


def save_provider(provider: Provider, *, actor, changed: list[str], created: bool) -> None:
    """Save an admin's edit: one default at a time, the model menu re-learned, one `provider.changed`."""
    with transaction.atomic():
        if provider.is_default:
            Provider.objects.exclude(pk=provider.pk).filter(is_default=True).update(is_default=False)
        provider.save()
        record("provider.changed", actor=actor, target=provider, summary=_describe_change(provider, changed, created))
    forget_listing(config_from_row(provider))


def delete_provider(provider: Provider, *, actor) -> None:
    with transaction.atomic():
        record("provider.changed", actor=actor, object_type="provider", object_id=provider.pk,
               summary=f"deleted {provider.name} ({provider.get_kind_display()})")
        provider.delete()


def _describe_change(provider: Provider, changed: list[str], created: bool) -> str:
    fields = [name for name in changed if name not in _KEY_FIELDS]
    if "clear_api_key" in changed:
        fields.append("key removed")
    elif "api_key" in changed:
        fields.append("key replaced")
    verb = "created" if created else "changed"
    what = f"{verb} {provider.name} ({provider.get_kind_display()})"
    return what + (": " + ", ".join(fields) if fields and not created else "")
