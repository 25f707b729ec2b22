from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone

from studio.accounts.models import owned_by_or_shared_with
from studio.gallery.models import Image


class JobQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The one door for reading jobs: your own, and your teams' (every role may look) while they show
        something you may see: no pictures yet (waiting, calling, failed), or one still visible to you.

        A job's prompt is its pictures' prompt: once its maker has made every picture private, moved them
        to another team or trashed them, the job is theirs alone again.
        """
        if not user.is_authenticated:
            return self.none()
        pictures = Image.objects.filter(job=OuterRef("pk"))
        visible_pictures = Image.objects.visible_to(user).filter(job=OuterRef("pk"))
        return self.filter(owned_by_or_shared_with(user)).filter(
            models.Q(owner=user) | ~Exists(pictures) | Exists(visible_pictures))

    def unfinished(self):
        return self.exclude(status__in=Job.FINISHED)

    def waiting_turn(self):
        """Fair-share jobs not yet sent to the queue (services/fairness.py releases them)."""
        return self.filter(fair_share=True, released_at__isnull=True, status=Job.Status.QUEUED)


class Job(models.Model):
    """One request to the Images API and everything that happened to it.

    The status row is what the UI shows. Every state change is a conditional UPDATE whose fields
    come from `Job.stamp(status)`, so each move is stamped with the time it happened (and a move to
    a finished state with `finished_at`).
    """

    class Kind(models.TextChoices):
        GENERATE = "generate", "Generation"
        EDIT = "edit", "Edit"
        VARIATION = "variation", "Variation"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        CALLING = "calling", "Calling the model"
        FETCHING = "fetching", "Downloading"
        DONE = "done", "Done"
        PARTIALLY_FAILED = "partially_failed", "Partly failed"
        FAILED = "failed", "Failed"
        INTERRUPTED = "interrupted", "Interrupted"

    FINISHED = (Status.DONE, Status.PARTIALLY_FAILED, Status.FAILED)
    # Failures the same request meets again at the same provider, however often it is sent: "Try again"
    # is not offered for them (the form says which models and operations the provider does offer).
    REPEATING_FAILURES = ("endpoint_missing",)

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="jobs")
    team = models.ForeignKey("accounts.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="jobs")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.GENERATE)
    provider = models.CharField(max_length=100, blank=True, default="")
    model = models.CharField(max_length=100)
    prompt = models.TextField(blank=True, default="")
    # The options sent to the API, in the API's own names (size, n, quality, style, background...).
    params = models.JSONField(default=dict, blank=True)
    # The image this job edits or varies; its results become that image's children.
    source_image = models.ForeignKey(
        "gallery.Image", null=True, blank=True, on_delete=models.SET_NULL, related_name="derived_jobs"
    )
    # Storage keys of uploaded inputs: the first is the image the mask applies to.
    input_keys = models.JSONField(default=list, blank=True)
    mask_key = models.CharField(max_length=300, blank=True, default="")

    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED, db_index=True)
    status_changed_at = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    called_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)  # claims of the job (first run + sweeper retries)
    interruptions = models.PositiveIntegerField(default=0)  # calls cut off by a dead worker
    worker = models.CharField(max_length=200, blank=True, default="")  # who holds the latest claim
    api_calls = models.PositiveIntegerField(default=0)  # requests sent upstream, retries and stream fallbacks included
    # Answers the provider charged for that never arrived whole (a 200 whose stream broke): retried once.
    paid_lost_calls = models.PositiveSmallIntegerField(default=0)
    not_before = models.DateTimeField(null=True, blank=True)  # honours retry-after and pacing
    failure_code = models.CharField(max_length=40, blank=True, default="")
    failure_message = models.TextField(blank=True, default="")

    # Storage keys of partial images streamed while the model works, newest last; replaced on the
    # page by the final images once they are stored. The files are deleted when the job settles;
    # the keys stay as a record of what streamed.
    previews = models.JSONField(default=list, blank=True)

    # Jobs made through Studio's /v1 API: the personal token that asked, and the client's Idempotency-Key
    # (a key seen again from the same person answers with this job instead of making another).
    api_token = models.ForeignKey("accounts.ApiToken", null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="jobs")
    idempotency_key = models.CharField(max_length=200, blank=True, default="")

    response_created = models.BigIntegerField(null=True, blank=True)  # the API's `created`
    usage = models.JSONField(default=dict, blank=True)
    cost_estimate = models.DecimalField(max_digits=10, decimal_places=4, null=True, blank=True)
    cost_actual = models.DecimalField(max_digits=10, decimal_places=4, null=True, blank=True)

    # Fair queueing (services/fairness.py): a job that waits for its owner's turn (a batch's) is sent to the
    # queue only when fewer than STUDIO_FAIR_SHARE_IN_FLIGHT of their such jobs are in flight; `released_at`
    # says when it was sent. Jobs without it go out at once, so a teammate's single job never waits long.
    fair_share = models.BooleanField(default=False)
    released_at = models.DateTimeField(null=True, blank=True)

    objects = JobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["owner", "-created_at"]),
            models.Index(fields=["team", "-created_at"]),
            models.Index(fields=["status", "status_changed_at"]),
            models.Index(fields=["owner", "created_at"], name="job_waiting_turn",
                         condition=models.Q(fair_share=True, released_at__isnull=True)),
        ]
        constraints = [
            models.UniqueConstraint(fields=["owner", "idempotency_key"], condition=~models.Q(idempotency_key=""),
                                    name="one_job_per_idempotency_key"),
        ]

    def __str__(self) -> str:
        return f"Job {self.pk} ({self.model}, {self.status})"

    def get_absolute_url(self) -> str:
        return reverse("generation:job", args=[self.pk])

    @property
    def via_api(self) -> bool:
        return self.api_token_id is not None

    @property
    def is_finished(self) -> bool:
        return self.status in self.FINISHED

    @property
    def n(self) -> int:
        return int(self.params.get("n", 1))

    @property
    def retry_can_help(self) -> bool:
        return self.failure_code not in self.REPEATING_FAILURES

    @property
    def refused_by_moderation(self) -> bool:
        """The provider's safety system refused the prompt: the same prompt will be refused again."""
        return self.failure_code == "moderation_blocked"

    @property
    def is_waiting(self) -> bool:
        """Queued behind a retry-after, a backoff or the provider's pace."""
        return self.status == self.Status.QUEUED and bool(self.not_before and self.not_before > timezone.now())

    @classmethod
    def stamp(cls, status: str, **fields) -> dict:
        """The fields to write for a move to `status`, for a conditional update:
        `Job.objects.filter(pk=..., status=...).update(**Job.stamp(Job.Status.DONE))`."""
        now = timezone.now()
        fields = {"status": status, "status_changed_at": now, **fields}
        if status in cls.FINISHED:
            fields.setdefault("finished_at", now)
        return fields
