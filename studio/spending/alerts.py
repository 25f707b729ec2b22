"""Alerts at 80 % and 100 % of a budget: an email and an in-app notice, once per threshold per month.

A team budget alerts its owners; a person's budget, the person; a token's budget, the token's owner.
The unique row in BudgetAlert is what makes "once" hold when two processes cross a line together.
"""
from __future__ import annotations

import logging
from decimal import Decimal

from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse

from studio.accounts.models import Membership

from . import notices, signals
from .models import Budget, BudgetAlert, month_key, month_start

log = logging.getLogger(__name__)

THRESHOLDS = (80, 100)


def recipients(budget: Budget) -> list:
    if budget.team_id:
        return [m.user for m in Membership.objects.filter(team_id=budget.team_id, role=Membership.Role.OWNER)
                .select_related("user")]
    if budget.user_id:
        return [budget.user]
    return [budget.token.user]


def check(budget_ids: list[int]) -> None:
    """Send what newly crossed a threshold this month for these budgets (a jump past both sends one: 100 %)."""
    for budget in Budget.objects.filter(pk__in=budget_ids, monthly_usd__gt=0).select_related("team", "user",
                                                                                              "token__user"):
        spent = budget.charges().in_month().counted().total()
        share = spent / budget.monthly_usd * 100
        crossed = [t for t in THRESHOLDS if share >= t]
        new = [t for t in crossed if _claim(budget, t)]
        if new:
            _send(budget, max(new), spent)


def _claim(budget: Budget, threshold: int) -> bool:
    try:
        with transaction.atomic():
            BudgetAlert.objects.create(budget=budget, month=month_key(), threshold=threshold)
    except IntegrityError:
        return False  # already sent this month
    return True


def _send(budget: Budget, threshold: int, spent: Decimal) -> None:
    what = "used up" if threshold == 100 else f"{threshold} % used"
    refusing = threshold == 100 and budget.hard
    message = (f"The monthly budget of {budget.holder_label} is {what}: ${spent:.2f} of "
               f"${budget.monthly_usd:.2f} in {month_start():%B %Y}"
               + ("; new jobs are refused until it is raised or the month ends." if refusing else "."))
    people = recipients(budget)
    for person in people:
        notices.notify(person, message, url=reverse("spending:spend"))
    signals.budget_alert.send(sender=Budget, people=people, message=message, url=reverse("spending:spend"))
    addresses = [p.email for p in people if p.email]
    if not addresses:
        return
    try:
        send_mail(f"Studio: budget {what} ({budget.holder_label})",
                  message + "\n\nThe Spend page in Studio shows where it went.", None, addresses)
    except Exception:  # noqa: BLE001 - the notice is kept; mail trouble must not fail anyone's job
        log.exception("budget alert for %s: could not send mail", budget)
