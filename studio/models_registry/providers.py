"""Where images come from: OpenAI, Azure OpenAI, or any OpenAI-compatible base URL (the stand-in is one).

The default provider is the admin's ``Provider`` marked default, else the one the environment describes:
``OPENAI_API_KEY`` (+ ``OPENAI_BASE_URL``, ``OPENAI_ORG_ID``, ``OPENAI_PROJECT_ID``); or Azure via
``AZURE_OPENAI_ENDPOINT`` + ``AZURE_OPENAI_API_KEY`` + ``OPENAI_API_VERSION`` + ``AZURE_OPENAI_DEPLOYMENTS``
("model=deployment,..."); or, with neither a key nor a base URL, the local stand-in at ``STANDIN_URL``.
Those are read once, by studio/settings.py: this module reads ``django.conf.settings`` only, never
``os.environ``, and hands the SDK every value explicitly, so the shell's variables cannot send a call
elsewhere (a test that blanks the settings reaches the stand-in whatever the shell exports).

Lifecycle vs availability: the registry's lifecycle dates are OpenAI's. They are applied to providers of
kind "openai" (retired hidden, deprecated labelled with the shutdown date, and a deprecated model past
its date counts as retired). Azure, compatible gateways and the stand-in keep serving models OpenAI has
retired, so for them what the provider lists is the truth.

Keys live on the server: an admin provider's key is stored encrypted and bound to its address
(`Provider.api_key`, encryption.py), ProviderConfig's repr masks them, nothing here logs or formats one,
and the functions that hold one in a local (or call the SDK with it) are `sensitive_variables`, which
Studio's error reports honour with DEBUG on as well (redaction.StudioExceptionReporterFilter).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import logging
from dataclasses import dataclass, field

import openai
from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError
from django.views.decorators.debug import sensitive_variables

from . import learning
from .errors import classify
from .models import ENDPOINTS, Provider, mask_key
from .registry import ModelSpec, UnknownModel, all_models, get_model, with_menu_label

log = logging.getLogger(__name__)

OPENAI_BASE_URL = "https://api.openai.com/v1"
STANDIN_PLACEHOLDER_KEY = "studio-standin"  # the stand-in accepts any non-empty bearer key
LISTING_TTL = 600  # seconds a provider's /v1/models answer is trusted
LISTING_FAILURE_TTL = 60  # a failed listing is retried after this long, not on every page view


class UnknownProvider(LookupError):
    def __init__(self, name: str):
        super().__init__(f"There is no enabled provider called {name!r}.")
        self.name = name


@dataclass(frozen=True)
class ProviderConfig:
    """Everything a worker needs to call one provider. Plain data, safe to build anywhere."""

    name: str
    kind: str  # openai | azure | compatible
    api_key: str = field(default="", repr=False)
    organization: str = ""
    project: str = ""
    base_url: str = ""
    azure_endpoint: str = ""
    api_version: str = ""
    deployments: tuple[tuple[str, str], ...] = ()
    images_per_minute: int = 60
    source: str = "env"  # env | db | standin
    # Capabilities the operator set (admin fields, or STUDIO_PROVIDER_* for the environment's provider);
    # what Studio learns in "auto" is kept apart, in LearnedFacts (see learning.py).
    streaming: str = "auto"  # auto | on | off
    response_format: str = "url"  # what DALL·E models are asked for: url | b64_json
    endpoints: tuple[str, ...] = ENDPOINTS
    # host:port pairs image links may point at besides the provider's own host (a gateway passing the
    # upstream's links through); the download guard allows them.
    download_hosts: tuple[str, ...] = ()
    retry_limit: int | None = None  # None: settings.STUDIO_API_RETRY_LIMIT

    def __repr__(self) -> str:
        where = self.azure_endpoint or self.base_url or OPENAI_BASE_URL
        return (f"ProviderConfig(name={self.name!r}, kind={self.kind!r}, url={where!r}, "
                f"key={self.masked_key or 'none'!r}, source={self.source!r})")

    __str__ = __repr__

    @property
    def masked_key(self) -> str:
        return mask_key(self.api_key)

    @property
    def is_standin(self) -> bool:
        """True when images come from the local stand-in: the UI says so plainly."""
        if self.source == "standin":
            return True
        standin = settings.STANDIN_URL.rstrip("/")
        return bool(standin) and self.base_url.rstrip("/") == standin

    @property
    def applies_lifecycle(self) -> bool:
        return self.kind == Provider.Kind.OPENAI

    @property
    def deployment_map(self) -> dict[str, str]:
        return dict(self.deployments)

    def model_param(self, model: str | ModelSpec) -> str:
        """The ``model`` value to send: Azure's deployment name, else the registry's provider-side name.

        Takes the ModelSpec a caller has already resolved (the pipeline resolves it once per job), or a name.
        """
        name = model if isinstance(model, str) else model.name
        if self.kind == Provider.Kind.AZURE:
            deployment = self.deployment_map.get(name)
            if deployment:
                return deployment
        if not isinstance(model, str):
            return model.api_name
        try:
            return get_model(name).api_name
        except UnknownModel:
            return name

    @property
    def retries(self) -> int:
        """How often a transient failure is retried for this provider (0 for a gateway that retries itself)."""
        return settings.STUDIO_API_RETRY_LIMIT if self.retry_limit is None else self.retry_limit

    @property
    def cache_key(self) -> str:
        ident = "|".join([self.name, self.kind, self.base_url, self.azure_endpoint, self.api_version,
                          repr(self.deployments)])
        return "models_registry:listing:" + hashlib.sha256(ident.encode()).hexdigest()[:32]


# --------------------------------------------------------------------------------------------------
# Choosing a provider


def config_from_row(row: Provider) -> ProviderConfig:
    """The config of a provider configured in the admin."""
    return ProviderConfig(
        name=row.name,
        kind=str(row.kind),
        api_key=row.api_key,
        organization=row.organization,
        project=row.project,
        base_url=row.base_url,
        azure_endpoint=row.azure_endpoint,
        api_version=row.api_version,
        deployments=tuple(sorted((row.deployments or {}).items())),
        images_per_minute=row.images_per_minute,
        source="db",
        streaming=row.streaming,
        response_format=row.response_format,
        endpoints=tuple(e for e in ENDPOINTS if e in row.endpoints) if row.endpoints else ENDPOINTS,
        download_hosts=tuple(row.download_hosts or ()),
        retry_limit=row.retry_limit,
    )


def _env_capabilities() -> dict:
    """The capabilities the environment gives its provider (studio/settings.py, STUDIO_PROVIDER_*)."""
    return dict(
        streaming=settings.STUDIO_PROVIDER_STREAMING,
        response_format=settings.STUDIO_PROVIDER_RESPONSE_FORMAT,
        endpoints=tuple(e for e in ENDPOINTS if e in settings.STUDIO_PROVIDER_ENDPOINTS),
        download_hosts=tuple(settings.STUDIO_PROVIDER_DOWNLOAD_HOSTS),
    )


def standin_provider() -> ProviderConfig:
    return ProviderConfig(
        name="standin",
        kind="compatible",
        api_key=STANDIN_PLACEHOLDER_KEY,
        base_url=settings.STANDIN_URL or "http://127.0.0.1:8100/v1",
        images_per_minute=10_000,
        source="standin",
    )


@sensitive_variables()  # every local here, and in the SDK frames below, may hold the key
def default_provider() -> ProviderConfig:
    """The provider the environment describes, as settings.py read it (no database involved)."""
    per_minute = settings.STUDIO_IMAGES_PER_MINUTE
    if settings.AZURE_OPENAI_ENDPOINT:
        return ProviderConfig(
            name="env",
            kind="azure",
            api_key=settings.AZURE_OPENAI_API_KEY,
            organization=settings.OPENAI_ORG_ID,
            project=settings.OPENAI_PROJECT_ID,
            azure_endpoint=settings.AZURE_OPENAI_ENDPOINT,
            api_version=settings.OPENAI_API_VERSION,
            deployments=tuple(settings.AZURE_OPENAI_DEPLOYMENTS),
            images_per_minute=per_minute,
            **_env_capabilities(),
        )
    key, base_url = settings.OPENAI_API_KEY, settings.OPENAI_BASE_URL
    if not key and not base_url:
        return standin_provider()
    is_official = not base_url or base_url.rstrip("/") == OPENAI_BASE_URL
    config = ProviderConfig(
        name="env",
        kind="openai" if is_official else "compatible",
        api_key=key or STANDIN_PLACEHOLDER_KEY,
        organization=settings.OPENAI_ORG_ID,
        project=settings.OPENAI_PROJECT_ID,
        base_url="" if is_official else base_url,
        images_per_minute=per_minute,
        **_env_capabilities(),
    )
    if config.is_standin:
        return ProviderConfig(**{**config.__dict__, "name": "standin", "source": "standin",
                                 "images_per_minute": 10_000})
    return config


def get_provider(name: str | None = None) -> ProviderConfig:
    """The named provider, or the default: the admin's default Provider, else the environment's."""
    try:
        if name:
            row = Provider.objects.filter(name=name, enabled=True).first()
        else:
            row = Provider.objects.filter(is_default=True, enabled=True).first()
    except DatabaseError:  # not migrated yet: the environment still describes a working provider
        row = None
    if row is not None:
        return config_from_row(row)
    env = default_provider()
    if not name or name == env.name:
        return env
    if name == "standin":
        return standin_provider()
    raise UnknownProvider(name)


@sensitive_variables()
def make_client(provider: ProviderConfig, *, timeout: float | None = None,
                max_retries: int = 0) -> openai.OpenAI:
    """An SDK client for the provider. Retries default to 0: Studio's queue does the retrying.

    The SDK reads OPENAI_*/AZURE_OPENAI_* from os.environ for any argument left None, so every one
    that decides where a call goes and as whom is given here, from the provider alone.
    """
    if timeout is None:
        timeout = settings.STUDIO_PROVIDER_TIMEOUT
    common = dict(api_key=provider.api_key or STANDIN_PLACEHOLDER_KEY, timeout=timeout, max_retries=max_retries,
                  organization=provider.organization or None, project=provider.project or None)
    if provider.kind == Provider.Kind.AZURE:
        client = openai.AzureOpenAI(azure_endpoint=provider.azure_endpoint, api_version=provider.api_version,
                                    **common)
    else:
        client = openai.OpenAI(base_url=provider.base_url or OPENAI_BASE_URL, **common)
    # "No organisation" can only be said to the SDK as None, which makes it fill in OPENAI_ORG_ID /
    # OPENAI_PROJECT_ID from the shell (an empty string would send an empty header instead): so the
    # provider's own values are set again once it is built, and the environment's are never sent.
    client.organization = provider.organization or None
    client.project = provider.project or None
    return client


# --------------------------------------------------------------------------------------------------
# What a provider offers


@dataclass(frozen=True)
class Listing:
    """What the provider's /v1/models said: the ids, or why it could not be asked and what stands in."""

    ids: frozenset[str] | None  # None: nothing to go by (the registry's current models are offered)
    ok: bool = True
    problem: str = ""  # a sentence for the form and the admin when the listing failed
    fallback: str = ""  # "last_known" | "registry" when not ok


@sensitive_variables()
def listing(provider: ProviderConfig) -> Listing:
    """The provider's model listing; when it fails, the last listing that worked there (remembered in
    the database), and a sentence saying so. Never the whole registry silently."""
    if provider.kind == Provider.Kind.AZURE:
        return Listing(frozenset(provider.deployment_map))  # an Azure model is usable only through a deployment
    cached = cache.get(provider.cache_key)
    if cached is None:
        try:
            client = make_client(provider, timeout=10.0, max_retries=0)
            ids = sorted({m.id for m in client.models.list()})
        except Exception as exc:  # noqa: BLE001 - any failure is said on the form, with what stands in
            failure = classify(exc)
            log.warning("Could not list the models of provider %s (%s).", provider.name, failure.code)
            cached = {"failed": True, "why": failure.message}
            learning.remember_listing_failure(provider, failure.message)
            cache.set(provider.cache_key, cached, LISTING_FAILURE_TTL)
        else:
            cached = {"ids": ids}
            learning.remember_listing(provider, ids)
            cache.set(provider.cache_key, cached, LISTING_TTL)
    if not cached.get("failed"):
        return Listing(frozenset(cached["ids"]))
    why = f"Studio could not list the models of {provider.name}: {cached['why']}"
    facts = learning.facts_for(provider)
    if facts is not None and facts.listed_models:
        when = f"{facts.listed_at:%d %b %Y %H:%M} UTC" if facts.listed_at else "earlier"
        return Listing(frozenset(facts.listed_models), False,
                       f"{why} The menu shows the models it listed on {when}.", "last_known")
    return Listing(None, False, f"{why} It has never listed them, so the menu shows every current model Studio "
                                "knows; this provider may not serve them all.", "registry")


def _listed_ids(provider: ProviderConfig) -> set[str] | None:
    """Model ids to offer for the provider; None when there is nothing to go by."""
    found = listing(provider)
    return None if found.ids is None else set(found.ids)


def shutdown_label(spec: ModelSpec) -> str:
    d = spec.lifecycle.date
    return f"{spec.name} — shuts down {d.day} {d:%b %Y}" if d else spec.name


def available_models(provider: ProviderConfig, *, today: dt.date | None = None) -> list[ModelSpec]:
    """The model menu: the registry ∩ what the provider lists, retired hidden, deprecated labelled."""
    today = today or dt.date.today()
    listed = _listed_ids(provider)
    out = []
    for spec in all_models():
        state = spec.lifecycle.state(today)
        if listed is None:
            if state == "retired":
                continue
        else:
            if not listed.intersection(spec.ids):
                continue
            if provider.applies_lifecycle and state == "retired":
                continue
        label = spec.name
        if state == "deprecated" and (provider.applies_lifecycle or listed is None):
            label = shutdown_label(spec)
        out.append(with_menu_label(spec, label))
    return out


def default_model(provider: ProviderConfig, *, today: dt.date | None = None) -> ModelSpec | None:
    """The newest available model, preferring ones not about to shut down."""
    return newest_model(available_models(provider, today=today), today=today)


def newest_model(models: list[ModelSpec], *, today: dt.date | None = None) -> ModelSpec | None:
    """`default_model`'s choice among a menu already in hand (a form has asked the provider once)."""
    if not models:
        return None
    today = today or dt.date.today()

    def rank(spec: ModelSpec):
        deprecated = spec.lifecycle.state(today) == "deprecated"
        return (not deprecated, spec.released or dt.date.min, -spec.order)

    return max(models, key=rank)


def model_choices(provider: ProviderConfig, *, today: dt.date | None = None) -> list[tuple[str, str]]:
    """(value, label) pairs for a model <select>."""
    return [(spec.name, spec.menu_text) for spec in available_models(provider, today=today)]


def forget_listing(provider: ProviderConfig) -> None:
    cache.delete(provider.cache_key)
