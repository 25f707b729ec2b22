"""Setting budgets: the one write path for the team settings page, the admin and manage.py.

Each change records one `budget.changed` audit event, whoever makes it.
"""
from __future__ import annotations

from decimal import Decimal

from django.db import transaction

from studio.audit.services import record

from .models import Budget

_UNCHANGED = object()


def describe(budget: Budget) -> str:
    limit = (f"${budget.monthly_usd:.2f} a month, {'hard' if budget.hard else 'soft'}"
             if budget.monthly_usd is not None else "no monthly limit")
    extras = [f"{budget.images_per_minute} images/minute" if budget.images_per_minute else "",
              f"{budget.concurrent_jobs} jobs at once" if budget.concurrent_jobs else ""]
    return ", ".join([limit, *[e for e in extras if e]])


def record_change(budget: Budget, *, actor, before: str = "") -> None:
    after = describe(budget)
    summary = f"{budget.holder_label}: {before} → {after}" if before else f"{budget.holder_label}: {after}"
    record("budget.changed", actor=actor, team=budget.team, target=budget, summary=summary)


def set_budget(*, actor, team=None, user=None, token=None, monthly_usd: Decimal | None | object = _UNCHANGED,
               hard: bool | object = _UNCHANGED, images_per_minute: int | None | object = _UNCHANGED,
               concurrent_jobs: int | None | object = _UNCHANGED) -> Budget:
    """Create or change the budget of one team, person or token; only the values given change."""
    holder = {"team": team} if team is not None else {"user": user} if user is not None else {"token": token}
    with transaction.atomic():
        budget, created = Budget.objects.select_for_update().get_or_create(**holder)
        before = "" if created else describe(budget)
        for name, value in (("monthly_usd", monthly_usd), ("hard", hard), ("images_per_minute", images_per_minute),
                            ("concurrent_jobs", concurrent_jobs)):
            if value is not _UNCHANGED:
                setattr(budget, name, value)
        budget.full_clean()
        budget.save()
        record_change(budget, actor=actor, before=before)
    return budget
