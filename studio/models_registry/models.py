"""Providers configured in the admin, besides the one the environment describes, and what Studio has
learned about each provider by calling it (``LearnedFacts``)."""
import logging

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.views.decorators.debug import sensitive_variables

from .encryption import UnreadableSecret, seal, unseal

log = logging.getLogger(__name__)

# The Images API endpoints a provider may or may not offer, in the order the UI names them.
ENDPOINTS = ("generations", "edits", "variations")


def mask_key(key: str) -> str:
    """What a person may see of a key: four dots and the last four characters."""
    key = key or ""
    if not key:
        return ""
    return "••••" + (key[-4:] if len(key) > 8 else "")


class Provider(models.Model):
    class Kind(models.TextChoices):
        OPENAI = "openai", "OpenAI"
        AZURE = "azure", "Azure OpenAI"
        COMPATIBLE = "compatible", "OpenAI-compatible base URL"

    name = models.SlugField(max_length=60, unique=True,
                            help_text="A short id: lowercase letters, digits, hyphens (e.g. openai-main, azure-eu).")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.OPENAI)
    # The API key, encrypted (encryption.py) together with the address it was given for (KEY_ADDRESS):
    # `api_key` reads it back only while that address is unchanged, so no edit can send it to a new host.
    # Pages show ••••last4; dumpdata and backups hold only this token.
    sealed_api_key = models.TextField(blank=True, default="", editable=False)
    organization = models.CharField(max_length=100, blank=True)
    project = models.CharField(max_length=100, blank=True)
    base_url = models.URLField(blank=True, help_text="OpenAI or compatible: leave blank for api.openai.com.")
    azure_endpoint = models.URLField(blank=True, help_text="Azure: https://<resource>.openai.azure.com/")
    api_version = models.CharField(max_length=40, blank=True, help_text="Azure: e.g. 2025-04-01-preview")
    deployments = models.JSONField(default=dict, blank=True,
                                   help_text='Azure: {"model name": "deployment name"}, e.g. {"gpt-image-2": "img2"}')
    images_per_minute = models.PositiveIntegerField(
        default=5, help_text="The organisation's image rate limit; workers pace their calls to stay under it.")
    is_default = models.BooleanField(default=False)
    enabled = models.BooleanField(default=True)

    # Capabilities: what this provider can do, set by the operator. In "auto", Studio also learns by
    # calling it (see LearnedFacts); the operator's "on"/"off" always wins.
    class Streaming(models.TextChoices):
        AUTO = "auto", "Auto: ask for previews, learn if the provider cannot stream"
        ON = "on", "On: always ask for previews"
        OFF = "off", "Off: never ask (gateways such as LiteLLM answer 500 to streaming)"

    class ResponseFormat(models.TextChoices):
        URL = "url", "url: Studio downloads each image from its link"
        B64_JSON = "b64_json", "b64_json: the image comes inside the answer"

    streaming = models.CharField("streaming previews", max_length=4, choices=Streaming.choices,
                                 default=Streaming.AUTO)
    response_format = models.CharField(
        "DALL·E response format", max_length=8, choices=ResponseFormat.choices, default=ResponseFormat.URL,
        help_text="What DALL·E models are asked for; GPT image models always answer with b64_json.")
    endpoints = models.JSONField(
        default=list, blank=True,
        help_text='The endpoints this provider offers, e.g. ["generations", "edits"]; empty: all three '
                  "(generations, edits, variations).")
    download_hosts = models.JSONField(
        "extra download hosts", default=list, blank=True,
        help_text='host:port pairs image links may point at besides this provider\'s own host, e.g. '
                  '["images.internal:8443"] for a gateway that passes the upstream\'s links through.')
    retry_limit = models.PositiveSmallIntegerField(
        null=True, blank=True,
        help_text="Retries of a transient failure (429, 5xx, timeouts); blank: STUDIO_API_RETRY_LIMIT. "
                  "Set 0 for a gateway that retries upstream itself.")

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["is_default"], condition=Q(is_default=True),
                                    name="models_registry_one_default_provider"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()})"

    def __repr__(self) -> str:
        return f"<Provider {self.name!r} kind={self.kind} key={self.masked_key or 'none'}>"

    # --- the key ---------------------------------------------------------------------------------
    # Where a key is sent: changing any of these makes the stored key unusable (and `save` drops it).
    KEY_ADDRESS = ("kind", "base_url", "azure_endpoint")

    @property
    def key_address(self) -> dict:
        return {name: str(getattr(self, name) or "") for name in self.KEY_ADDRESS}

    @sensitive_variables()
    def _sealed(self) -> dict | None:
        """What the stored token holds ({"key", "address"}); None when nothing is stored or no key opens it."""
        if not self.sealed_api_key:
            return None
        try:
            return unseal(self.sealed_api_key)
        except UnreadableSecret:
            log.warning("The stored API key of provider %s cannot be decrypted with STUDIO_ENCRYPTION_KEYS; "
                        "enter it again in the admin.", self.name)
            return None

    @property
    @sensitive_variables()
    def api_key(self) -> str:
        """The key in clear, for the SDK client only; "" when none is stored, when it cannot be decrypted, or
        when the row's address changed since the key was given (it is not this address's key)."""
        sealed = self._sealed()
        return sealed["key"] if sealed and sealed.get("address") == self.key_address else ""

    @api_key.setter
    @sensitive_variables()
    def api_key(self, key: str) -> None:
        self.sealed_api_key = seal({"key": key, "address": self.key_address}) if key else ""

    @property
    def key_state(self) -> str:
        """"none", "stored", "moved" (kept for another address, so unusable) or "unreadable"."""
        if not self.sealed_api_key:
            return "none"
        sealed = self._sealed()
        if sealed is None:
            return "unreadable"
        return "stored" if sealed.get("address") == self.key_address else "moved"

    @property
    def masked_key(self) -> str:
        return mask_key(self.api_key)

    def save(self, *args, **kwargs):
        if self.key_state == "moved":
            self.sealed_api_key = ""  # its address changed: the key must be given again for the new one
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "sealed_api_key"}
        super().save(*args, **kwargs)

    def clean(self) -> None:
        self.streaming = self.streaming or self.Streaming.AUTO
        self.response_format = self.response_format or self.ResponseFormat.URL
        errors = {}
        if self.kind == self.Kind.AZURE:
            if not self.azure_endpoint:
                errors["azure_endpoint"] = "Azure needs its endpoint."
            if not self.api_version:
                errors["api_version"] = "Azure needs an api-version."
        if self.kind == self.Kind.COMPATIBLE and not self.base_url:
            errors["base_url"] = "A compatible provider needs its base URL."
        if not isinstance(self.deployments, dict) or not all(
                isinstance(k, str) and isinstance(v, str) and v for k, v in self.deployments.items()):
            errors["deployments"] = 'Give deployments as {"model name": "deployment name"}.'
        if not isinstance(self.endpoints, list) or not set(self.endpoints) <= set(ENDPOINTS):
            errors["endpoints"] = f"Give endpoints as a list of {', '.join(ENDPOINTS)}."
        if not isinstance(self.download_hosts, list) or not all(
                isinstance(h, str) and is_host_port(h) for h in self.download_hosts):
            errors["download_hosts"] = 'Give download hosts as a list of "host:port", e.g. ["images.internal:8443"].'
        if errors:
            raise ValidationError(errors)


def is_host_port(text: str) -> bool:
    """'host:port' with a port number; the host may be a name, an IPv4 address or an [IPv6] address."""
    host, sep, port = text.strip().rpartition(":")
    return bool(sep and host and port.isdigit() and 0 < int(port) < 65536 and " " not in host)


class LearnedFacts(models.Model):
    """What Studio learned about one provider by calling it, remembered per provider name.

    Keyed by name, not by a Provider row: the environment's provider has no row. Every fact keeps when
    and why it was learned, so the admin can show it; "Test this provider" clears them and learns anew.
    """

    provider_name = models.CharField(max_length=100, unique=True)
    # Where the provider was when this was learned: facts about another server (the operator pointed the
    # name elsewhere) are not facts about this one, and are forgotten.
    provider_url = models.CharField(max_length=500, blank=True, default="")
    # None: not known. False: a streaming request failed (or came back as plain JSON) and Studio stopped asking.
    streams = models.BooleanField(null=True, blank=True)
    streams_why = models.TextField(blank=True, default="")
    streams_learned_at = models.DateTimeField(null=True, blank=True)
    # A gateway recognised by its answers' headers (e.g. "LiteLLM 1.108.7"), and whether it retries
    # upstream on its own (then Studio does not retry on top, unless the operator set a retry limit).
    gateway = models.CharField(max_length=100, blank=True, default="")
    retries_itself = models.BooleanField(null=True, blank=True)
    # When the provider first answered an image request: a compatible server is asked to stream only
    # once it has answered plainly and shown no sign of being a gateway that cannot stream.
    answered_at = models.DateTimeField(null=True, blank=True)
    # {"variations": {"why": "...", "at": "<iso time>"}}: endpoints that answered 404/405.
    missing_endpoints = models.JSONField(default=dict, blank=True)
    # The last listing of /v1/models that worked, offered when a later listing fails.
    listed_models = models.JSONField(default=list, blank=True)
    listed_at = models.DateTimeField(null=True, blank=True)
    listing_error = models.TextField(blank=True, default="")
    listing_failed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "learned provider facts"
        verbose_name_plural = "learned provider facts"

    def __str__(self) -> str:
        return f"What Studio learned about {self.provider_name}"

    @property
    def listing_failed(self) -> bool:
        """The latest listing failed (a failure newer than the last good listing)."""
        return bool(self.listing_failed_at and (self.listed_at is None or self.listing_failed_at > self.listed_at))
