"""Providers configured in the admin, besides the one the environment describes."""
import logging

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.views.decorators.debug import sensitive_variables

from .encryption import UnreadableSecret, seal, unseal

log = logging.getLogger(__name__)


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
        if errors:
            raise ValidationError(errors)
