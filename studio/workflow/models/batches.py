"""Batches: many jobs made at once from pasted prompts or a CSV of a preset's variables.

A batch is one person's (its jobs are charged to its team, if any, and its team's people see it).
Generation knows nothing of batches: each job is an ordinary job submitted with `fair_share`, and
`BatchItem` ties it to its batch and to the row it came from.
"""
from django.db import models
from django.urls import reverse

from .scoped import TeamScoped


class Batch(TeamScoped):
    class Source(models.TextChoices):
        LINES = "lines", "Prompts, one per line"
        CSV = "csv", "CSV of the preset's variables"

    name = models.CharField(max_length=200)
    source = models.CharField(max_length=10, choices=Source.choices)
    preset_version = models.ForeignKey("workflow.PresetVersion", null=True, blank=True, on_delete=models.SET_NULL,
                                       related_name="batches")
    model = models.CharField(max_length=100)
    params = models.JSONField(default=dict, blank=True)
    # When its last job settled (batch.done was sent then); a retry opens it again.
    settled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["owner", "-created_at"]), models.Index(fields=["team", "-created_at"])]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("workflow:batch", args=[self.pk])


class BatchItem(models.Model):
    batch = models.ForeignKey(Batch, on_delete=models.CASCADE, related_name="items")
    job = models.OneToOneField("generation.Job", on_delete=models.CASCADE, related_name="batch_item")
    row = models.PositiveIntegerField()  # 1-based: the line or CSV data row it came from
    # A retry makes a new job for the same row; the item then points at it, and the old job stays in the jobs list.
    values = models.JSONField(default=dict, blank=True)  # the CSV row's variables

    class Meta:
        ordering = ["row", "id"]
