"""Webhooks: a team's owners name a URL and the events to send it; every send is a delivery, every try an attempt.

The delivery row is the truth: a Celery message only nudges (a lost one is re-sent by beat from
`next_attempt_at`). The body is fixed when the event happens, so every retry signs and sends the same bytes.
"""
import secrets

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone


def new_secret() -> str:
    return secrets.token_urlsafe(32)


class Webhook(models.Model):
    class Event(models.TextChoices):
        JOB_DONE = "job.done", "A job finished (done, or partly failed)"
        JOB_FAILED = "job.failed", "A job failed"
        BATCH_DONE = "batch.done", "Every job of a batch finished"
        IMAGE_APPROVED = "image.approved", "An image was approved in review"

    team = models.ForeignKey("accounts.Team", on_delete=models.CASCADE, related_name="webhooks")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    url = models.URLField(max_length=500)
    secret = models.CharField(max_length=100, default=new_secret)
    events = models.JSONField(default=list)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.url

    def get_absolute_url(self) -> str:
        return reverse("workflow:webhook", args=[self.team.slug, self.pk])

    def event_labels(self) -> list[str]:
        return [self.Event(e).label for e in self.events if e in self.Event.values]


class WebhookDelivery(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to be sent"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Given up"

    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(max_length=40)
    body = models.TextField()  # the JSON sent, fixed when the event happened
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, default=timezone.now)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"]), models.Index(fields=["webhook", "-created_at"])]


class WebhookAttempt(models.Model):
    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="tries")
    at = models.DateTimeField(default=timezone.now)
    status_code = models.PositiveIntegerField(null=True)  # None: no answer (refused, unreachable, too slow)
    milliseconds = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["at", "id"]

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300
