"""Providers configured in the admin, besides the one the environment describes."""
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q


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
    # Kept on the server only: the admin shows ••••last4 and never renders the value.
    api_key = models.CharField(max_length=512, blank=True)
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
        return f"<Provider {self.name!r} kind={self.kind} key={mask_key(self.api_key) or 'none'}>"

    @property
    def masked_key(self) -> str:
        return mask_key(self.api_key)

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
