"""`rotate_encryption_keys`: every secret stored at rest re-encrypted with the first of STUDIO_ENCRYPTION_KEYS.

Run after listing a new key first; once it has run, the old keys may leave the list. Each row is rewritten
only if it still holds the token that was read (a concurrent edit wins), and nothing is in clear on the way:
`reseal` is MultiFernet.rotate.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .encryption import UnreadableSecret, reseal
from .models import Provider


@dataclass
class Rotation:
    resealed: int = 0
    unreadable: list[str] = field(default_factory=list)  # names of providers whose key no configured key opens


def rotate_encryption_keys() -> Rotation:
    result = Rotation()
    for pk, name, token in Provider.objects.exclude(sealed_api_key="").values_list("pk", "name", "sealed_api_key"):
        try:
            fresh = reseal(token)
        except UnreadableSecret:
            result.unreadable.append(name)
            continue
        result.resealed += Provider.objects.filter(pk=pk, sealed_api_key=token).update(sealed_api_key=fresh)
    return result
