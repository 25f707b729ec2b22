"""Secrets at rest: Fernet tokens (AES-128-CBC with an HMAC-SHA256, from `cryptography`) under the keys of
STUDIO_ENCRYPTION_KEYS.

A `MultiFernet` over the keys listed, newest first: `seal` encrypts with the first, `unseal` tries each,
`reseal` re-encrypts with the first whatever key a token was made with. So a rotation is: list a new key
first, run `manage.py rotate_encryption_keys`, then drop the old key. With no keys listed, one key derived
from SECRET_KEY (development, and a production that has not set its own yet: README recommends setting
STUDIO_ENCRYPTION_KEYS, so that rotating SECRET_KEY does not make stored provider keys unreadable; if it
does, those providers show "type it again" in the admin and their calls fail with that sentence).

What is sealed is a small JSON document, so a secret can travel with what it is bound to (a provider's key
with the address it was given for, see `Provider.api_key`). Every function that holds a secret in clear is
`sensitive_variables`, which Studio's error reports honour with DEBUG on as well.
"""
from __future__ import annotations

import base64
import json
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.views.decorators.debug import sensitive_variables

_DEVELOPMENT_KEY_INFO = b"studio.models_registry.encryption: development key"


class UnreadableSecret(Exception):
    """A stored token that none of the configured keys opens: its key was dropped from STUDIO_ENCRYPTION_KEYS
    before `rotate_encryption_keys` ran, or SECRET_KEY changed in development."""


def encryption_keys() -> tuple[str, ...]:
    """The keys in force, newest first: STUDIO_ENCRYPTION_KEYS, else one derived from SECRET_KEY."""
    if settings.STUDIO_ENCRYPTION_KEYS:
        return tuple(settings.STUDIO_ENCRYPTION_KEYS)
    return (_development_key(settings.SECRET_KEY),)


@lru_cache(maxsize=4)
def _development_key(secret_key: str) -> str:
    raw = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_DEVELOPMENT_KEY_INFO).derive(secret_key.encode())
    return base64.urlsafe_b64encode(raw).decode()


@lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key) for key in keys])


@sensitive_variables()
def seal(document: dict) -> str:
    """`document` (JSON-able, e.g. {"key": ..., "address": ...}) as a token, encrypted with the first key."""
    return _fernet(encryption_keys()).encrypt(json.dumps(document, sort_keys=True).encode()).decode()


@sensitive_variables()
def unseal(token: str) -> dict:
    """The document a token holds; UnreadableSecret when no configured key opens it."""
    try:
        return json.loads(_fernet(encryption_keys()).decrypt(token.encode()))
    except InvalidToken:
        raise UnreadableSecret("No key in STUDIO_ENCRYPTION_KEYS decrypts this stored value.") from None


def reseal(token: str) -> str:
    """The same document, encrypted with the first key now (MultiFernet.rotate: nothing in clear here)."""
    try:
        return _fernet(encryption_keys()).rotate(token.encode()).decode()
    except InvalidToken:
        raise UnreadableSecret("No key in STUDIO_ENCRYPTION_KEYS decrypts this stored value.") from None

