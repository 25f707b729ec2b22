"""Presets: a saved model, options and prompt template with `{variables}`, personal or a team's.

The preset row holds the current version's fields (so lists and search read one table); every save
also writes a `PresetVersion`, the history of who changed what and when. A job made from a preset
remembers the version it came from (`PresetUse`), so editing a preset never rewrites what a job was.
"""
import re

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from .scoped import ScopedQuerySet, TeamScoped

# `{name}`: letters, digits and underscores, starting with a letter or underscore. Nothing else in braces
# is a variable (no attribute access, no format specs): a template is filled by substitution, not format().
VARIABLE = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]{0,39})\}")


def variables_in(template: str) -> list[str]:
    """The template's variables, in order of first appearance."""
    return list(dict.fromkeys(VARIABLE.findall(template)))


def fill(template: str, values: dict[str, str]) -> str:
    """The template with each variable replaced by its value (variables without one stay as written)."""
    return VARIABLE.sub(lambda m: values.get(m.group(1), m.group(0)), template)


class PresetQuerySet(ScopedQuerySet):
    def matching(self, words: str):
        query = models.Q()
        for word in words.split():
            query &= models.Q(name__icontains=word) | models.Q(prompt_template__icontains=word)
        return self.filter(query)


class PresetFields(models.Model):
    """What a version of a preset says: shared by the preset (its current version) and its history."""

    name = models.CharField(max_length=100)
    model = models.CharField(max_length=100)
    params = models.JSONField(default=dict, blank=True)  # the API's option names, as job forms send them
    prompt_template = models.TextField()

    COMPARED = ("name", "model", "params", "prompt_template")
    LABELS = {"name": "name", "model": "model", "params": "options", "prompt_template": "prompt template"}

    class Meta:
        abstract = True

    @property
    def variables(self) -> list[str]:
        return variables_in(self.prompt_template)

    @property
    def options_text(self) -> str:
        return ", ".join(f"{k}={v}" for k, v in sorted(self.params.items()))


class Preset(TeamScoped, PresetFields):
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = PresetQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["owner", "name"]), models.Index(fields=["team", "name"])]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("workflow:preset", args=[self.pk])

    def changes_from(self, fields: dict) -> list[str]:
        """What `fields` would change here, in words ("model dall-e-2 → gpt-image-1", "prompt template")."""
        changed = []
        for name in self.COMPARED:
            old, new = getattr(self, name), fields.get(name, getattr(self, name))
            if old == new:
                continue
            if name in ("model",):
                changed.append(f"model {old} → {new}")
            else:
                changed.append(self.LABELS[name])
        return changed


class PresetVersion(PresetFields):
    preset = models.ForeignKey(Preset, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    changed_at = models.DateTimeField(default=timezone.now)
    change = models.CharField(max_length=300)  # "created", or what changed from the version before

    class Meta:
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["preset", "number"], name="one_preset_version_number")]

    def __str__(self) -> str:
        return f"{self.preset_id} v{self.number}"


class PresetUse(models.Model):
    """The preset version a job was made from."""

    job = models.OneToOneField("generation.Job", on_delete=models.CASCADE, primary_key=True, related_name="preset_use")
    version = models.ForeignKey(PresetVersion, on_delete=models.CASCADE, related_name="uses")
