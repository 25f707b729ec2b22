"""Budgets, the ledger of what each job reserved and was charged, alerts already sent, and notices.

The ledger refers to its job by id (`job_id`), not by a foreign key: `spending` sits below `generation`
and never imports it. Months are calendar months in UTC.
"""
from __future__ import annotations

from datetime import date, datetime, timezone as dt_timezone
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone


def month_start(moment: datetime | None = None) -> datetime:
    moment = (moment or timezone.now()).astimezone(dt_timezone.utc)
    return moment.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def next_month_start(moment: datetime | None = None) -> datetime:
    start = month_start(moment)
    return start.replace(year=start.year + 1, month=1) if start.month == 12 else start.replace(month=start.month + 1)


class Budget(models.Model):
    """A monthly limit in USD for exactly one of: a team, a person (across all their teams), an API token.

    Hard budgets refuse a job that does not fit; soft ones warn and let it through. A team's row also
    holds its overrides of the per-person rate limits (empty: the site's defaults).
    """

    team = models.OneToOneField("accounts.Team", null=True, blank=True, on_delete=models.CASCADE,
                                related_name="budget")
    user = models.OneToOneField(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE,
                                related_name="budget")
    token = models.OneToOneField("accounts.ApiToken", null=True, blank=True, on_delete=models.CASCADE,
                                 related_name="budget")
    monthly_usd = models.DecimalField("monthly budget (USD)", max_digits=12, decimal_places=2, null=True,
                                      blank=True, validators=[MinValueValidator(Decimal(0))],
                                      help_text="Empty: no limit.")
    hard = models.BooleanField("hard limit", default=True,
                               help_text="Hard: refuse jobs that do not fit. Soft: warn and let them through.")
    images_per_minute = models.PositiveIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1)],
        help_text="Per person, for this team's jobs. Empty: STUDIO_PERSON_IMAGES_PER_MINUTE.")
    concurrent_jobs = models.PositiveIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1)],
        help_text="Unfinished jobs per person, for this team's jobs. Empty: STUDIO_PERSON_CONCURRENT_JOBS.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                name="budget_has_exactly_one_holder",
                condition=(Q(team__isnull=False, user__isnull=True, token__isnull=True)
                           | Q(team__isnull=True, user__isnull=False, token__isnull=True)
                           | Q(team__isnull=True, user__isnull=True, token__isnull=False)),
            ),
        ]

    def __str__(self) -> str:
        limit = f"${self.monthly_usd}/month {'hard' if self.hard else 'soft'}" if self.monthly_usd is not None \
            else "no limit"
        return f"{self.holder_label}: {limit}"

    @property
    def holder_label(self) -> str:
        if self.team_id:
            return f"team {self.team}"
        if self.user_id:
            return f"{self.user}'s personal budget"
        return f"API token {self.token.name!r}"

    def counts(self) -> Q:
        """Which ledger rows this budget counts."""
        if self.team_id:
            return Q(team_id=self.team_id)
        if self.user_id:
            return Q(user_id=self.user_id)
        return Q(token_id=self.token_id)

    def charges(self):
        return Charge.objects.filter(self.counts())


class ChargeQuerySet(models.QuerySet):
    def in_month(self, moment: datetime | None = None):
        start = month_start(moment)
        return self.filter(created_at__gte=start, created_at__lt=next_month_start(start))

    def counted(self):
        """What a budget counts: reservations still open and settled charges (released rows are zero)."""
        return self.exclude(state=Charge.State.RELEASED)

    def total(self) -> Decimal:
        return self.aggregate(total=models.Sum("amount"))["total"] or Decimal(0)


class Charge(models.Model):
    """One job in the ledger: its largest possible cost while it runs, then what the provider charged."""

    class State(models.TextChoices):
        RESERVED = "reserved", "Reserved"
        SETTLED = "settled", "Charged"
        RELEASED = "released", "Released"

    job_id = models.BigIntegerField(unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="charges")
    team = models.ForeignKey("accounts.Team", null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="charges")
    token = models.ForeignKey("accounts.ApiToken", null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="charges")
    model = models.CharField(max_length=100)
    reserved = models.DecimalField(max_digits=10, decimal_places=6)
    amount = models.DecimalField(max_digits=10, decimal_places=6)  # counted: reserved, then the actual charge
    state = models.CharField(max_length=10, choices=State.choices, default=State.RESERVED)
    created_at = models.DateTimeField(default=timezone.now)
    settled_at = models.DateTimeField(null=True, blank=True)

    objects = ChargeQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["team", "created_at"]),
            models.Index(fields=["user", "created_at"]),
            models.Index(fields=["token", "created_at"]),
        ]

    def __str__(self) -> str:
        return f"job {self.job_id}: ${self.amount} ({self.state})"


class BudgetAlert(models.Model):
    """An 80 % or 100 % alert already sent: once per budget, threshold and month."""

    budget = models.ForeignKey(Budget, on_delete=models.CASCADE, related_name="alerts")
    month = models.DateField()
    threshold = models.PositiveSmallIntegerField()
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["budget", "month", "threshold"], name="one_alert_per_month")]


class Notice(models.Model):
    """A short in-app message for one person, shown at the top of every page until dismissed.

    Deliberately small: a later issue brings full notifications; this is what budget alerts need now.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notices")
    message = models.CharField(max_length=500)
    url = models.CharField(max_length=200, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)
    dismissed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "dismissed_at"])]

    def __str__(self) -> str:
        return self.message


def month_key(moment: datetime | None = None) -> date:
    return month_start(moment).date()
