"""What Studio learns about a provider by calling it, remembered per provider name (LearnedFacts).

Capabilities have two sources: what the operator set (``ProviderConfig.streaming``, ``.endpoints``) and
what Studio saw. The operator's word wins: "on" streams even after a failure, "off" never streams, an
endpoint left out is never called. In "auto", a streaming request that fails (or is answered with plain
JSON) marks the provider non-streaming, and a 404/405 on an endpoint marks that endpoint missing, so
the next job does not pay for the same lesson and the forms stop offering what cannot work.

Every fact keeps when and why; the admin shows them, and "Test this provider" (``forget``) clears them.
Learning is best effort: a database that cannot take the note must not fail a job that already worked.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import DatabaseError, transaction
from django.utils import timezone

from .models import ENDPOINTS, LearnedFacts

if TYPE_CHECKING:  # providers.py uses this module to remember listings: type hints only, no circle
    from .providers import ProviderConfig

log = logging.getLogger(__name__)


def endpoint_for_call(call: str) -> str:
    """The endpoint a ``client.images`` method posts to."""
    return {"generate": "generations", "edit": "edits", "create_variation": "variations"}[call]


# Every learned fact as it is before anything is learned.
UNKNOWN = dict(streams=None, streams_why="", streams_learned_at=None, missing_endpoints={}, gateway="",
               retries_itself=None, answered_at=None, listed_models=[], listed_at=None, listing_error="",
               listing_failed_at=None)


def _where(provider: ProviderConfig) -> str:
    return provider.azure_endpoint or provider.base_url or "https://api.openai.com/v1"


def facts_for(provider: ProviderConfig | str) -> LearnedFacts | None:
    """What was learned about the provider (by name); None when nothing was, or only about the server
    the name pointed at before."""
    name = provider if isinstance(provider, str) else provider.name
    try:
        facts = LearnedFacts.objects.filter(provider_name=name).first()
    except DatabaseError:  # not migrated yet: nothing learned
        return None
    if facts is not None and not isinstance(provider, str) and facts.provider_url not in ("", _where(provider)):
        return None
    return facts


def _update(provider: ProviderConfig, **fields) -> None:
    known = facts_for(provider)
    start = {} if known is not None else UNKNOWN  # a server of its own: start afresh
    try:
        with transaction.atomic():
            LearnedFacts.objects.update_or_create(provider_name=provider.name,
                                                  defaults={**start, **fields, "provider_url": _where(provider)})
    except DatabaseError as exc:
        log.warning("Could not remember what was learned about provider %s (%s)", provider.name, exc)


# --- gateways --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GatewayTraits:
    """What is known of a gateway product, recognised by a header its answers carry."""

    name: str
    header_prefix: str  # every answer of the gateway carries headers starting so
    version_header: str
    streams: bool
    retries_itself: bool
    why: str


# Data, not `if` chains: IMAGES_API.md §3 says what each one does.
KNOWN_GATEWAYS = (
    GatewayTraits("LiteLLM", "x-litellm-", "x-litellm-version", streams=False, retries_itself=True,
                  why="LiteLLM's proxy answers 500 to image streaming, and retries upstream on its own."),
)


def recognise_gateway(headers) -> tuple[GatewayTraits, str] | None:
    """(traits, version) when the answer's headers name a known gateway."""
    names = {str(k).lower() for k in (headers or {}).keys()}
    for traits in KNOWN_GATEWAYS:
        if any(name.startswith(traits.header_prefix) for name in names):
            return traits, str(headers.get(traits.version_header) or "")
    return None


def learn_from_answer(provider: ProviderConfig, headers, *, answered: bool) -> None:
    """Learn from any answer (a result or an error): which gateway it is, and that it answers at all.

    Writes only when there is something new, so the usual call costs one small read.
    """
    found = recognise_gateway(headers)
    facts = facts_for(provider)
    changes: dict = {}
    if found is not None:
        traits, version = found
        label = f"{traits.name} {version}".strip()
        if facts is None or facts.gateway != label:
            changes.update(gateway=label, retries_itself=traits.retries_itself)
            if not traits.streams and provider.streaming == "auto" and (facts is None or facts.streams is not False):
                changes.update(streams=False, streams_why=traits.why, streams_learned_at=timezone.now())
    if answered and (facts is None or facts.answered_at is None):
        changes["answered_at"] = timezone.now()
    if changes:
        _update(provider, **changes)


def retries_for(provider: ProviderConfig) -> int:
    """Studio's retries of a transient failure at this provider: the operator's limit when set, else 0
    for a gateway that retries upstream itself (its tries times Studio's would stack), else the default."""
    if provider.retry_limit is None and provider.source != "standin":
        facts = facts_for(provider)
        if facts is not None and facts.retries_itself:
            return 0
    return provider.retries


# --- streaming -------------------------------------------------------------------------------------


def may_stream(provider: ProviderConfig) -> bool:
    """Whether to ask this provider for a stream: the operator's setting, then what Studio learned.

    In "auto", OpenAI, Azure and the stand-in stream from the first call; a compatible server is first
    asked plainly (a gateway that cannot stream then names itself in its headers without costing a
    failed, paid stream) and streams from its second answer on, until a stream fails.
    """
    if provider.streaming == "off":
        return False
    if provider.streaming == "on":
        return True
    facts = facts_for(provider)
    if facts is not None and facts.streams is not None:
        return facts.streams
    if provider.kind != "compatible" or provider.source == "standin":
        return True
    return facts is not None and facts.answered_at is not None


def learn_not_streaming(provider: ProviderConfig, why: str) -> None:
    if provider.streaming != "auto":
        return  # the operator decided; nothing to learn
    log.info("provider %s: streaming turned off (%s)", provider.name, why)
    _update(provider, streams=False, streams_why=why, streams_learned_at=timezone.now())


def learn_streams(provider: ProviderConfig) -> None:
    """A stream arrived whole: say so, once (no write when it is already known)."""
    facts = facts_for(provider)
    if provider.streaming == "auto" and (facts is None or facts.streams is None):
        _update(provider, streams=True, streams_why="A streaming request was answered with a complete stream.",
                streams_learned_at=timezone.now())


# --- endpoints -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Offer:
    offered: bool
    why: str = ""


def offers(provider: ProviderConfig, endpoint: str, facts: LearnedFacts | None = None) -> Offer:
    """Whether the provider offers an endpoint, and if not, a sentence saying why not."""
    if endpoint not in provider.endpoints:
        return Offer(False, f"{provider.name} is set up without /v1/images/{endpoint} (its endpoints setting).")
    facts = facts if facts is not None else facts_for(provider)
    missing = (facts.missing_endpoints if facts else {}).get(endpoint)
    if missing:
        return Offer(False, f"{provider.name} does not offer /v1/images/{endpoint}: {missing.get('why', '')}".strip())
    return Offer(True)


def learn_missing_endpoint(provider: ProviderConfig, endpoint: str, why: str) -> None:
    if endpoint not in ENDPOINTS:
        return
    facts = facts_for(provider)
    missing = dict(facts.missing_endpoints) if facts else {}
    missing[endpoint] = {"why": why, "at": timezone.now().isoformat(timespec="seconds")}
    log.info("provider %s: /v1/images/%s is missing (%s)", provider.name, endpoint, why)
    _update(provider, missing_endpoints=missing)


# --- listings --------------------------------------------------------------------------------------


def remember_listing(provider: ProviderConfig, ids: list[str]) -> None:
    _update(provider, listed_models=sorted(ids), listed_at=timezone.now(), listing_error="")


def remember_listing_failure(provider: ProviderConfig, message: str) -> None:
    _update(provider, listing_error=message, listing_failed_at=timezone.now())


# --- starting afresh -------------------------------------------------------------------------------


def forget(provider: ProviderConfig) -> None:
    """Clear what was learned by calling (streaming, gateway, missing endpoints); the last good listing stays."""
    try:
        LearnedFacts.objects.filter(provider_name=provider.name).update(
            streams=None, streams_why="", streams_learned_at=None, missing_endpoints={}, gateway="",
            retries_itself=None, answered_at=None)
    except DatabaseError as exc:
        log.warning("Could not clear what was learned about provider %s (%s)", provider.name, exc)
