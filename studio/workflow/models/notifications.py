"""In-app notifications, and what each person wants by email."""
from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone


class NotificationQuerySet(models.QuerySet):
    def for_user(self, user):
        if not user.is_authenticated:
            return self.none()
        return self.filter(recipient=user)

    def unread(self):
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    class Kind(models.TextChoices):
        MENTION = "mention", "Mention"
        REVIEW_DECISION = "review_decision", "Review decision"
        JOB_FINISHED = "job_finished", "Job finished"
        BATCH_FINISHED = "batch_finished", "Batch finished"
        BUDGET = "budget", "Budget alert"

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    text = models.CharField(max_length=300)
    url = models.CharField(max_length=300)  # a path inside Studio, shown only to its recipient
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "-created_at"]),
                   models.Index(fields=["recipient"], name="notification_unread",
                                condition=models.Q(read_at__isnull=True))]

    def __str__(self) -> str:
        return f"{self.kind} for {self.recipient_id}: {self.text}"

    def get_absolute_url(self) -> str:
        return reverse("workflow:notification_open", args=[self.pk])


class NotificationSettings(models.Model):
    """What a person wants by email besides the in-app list; no row until they change a default."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True,
                                related_name="notification_settings")
    email_mentions = models.BooleanField(default=True)
    email_batches = models.BooleanField(default=True)  # a mail when a batch of theirs finishes unwatched

    @classmethod
    def of(cls, user) -> "NotificationSettings":
        return cls.objects.filter(user=user).first() or cls(user=user)
