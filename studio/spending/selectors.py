"""Reads of the ledger: the spend page's sections, what is left beside a form's estimate, the CSV rows.

Who sees what: your own charges (every team); for each team you belong to, its totals and models;
owners also see who spent it. Everything is read from the ledger, never from jobs.
"""
from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import datetime, timezone as dt_timezone
from decimal import Decimal

from django.db.models import Count, F, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from studio.accounts.models import Membership, teams_where_user_can_create

from . import charts
from .models import Budget, Charge, month_start, next_month_start
from .reservations import applicable_budgets, spent_this_month

ZERO = Decimal(0)


def month_from_query(value: str | None) -> datetime:
    """The month a `?month=YYYY-MM` names; this month when absent or not a month."""
    try:
        year, month = (int(part) for part in (value or "").split("-"))
        return datetime(year, month, 1, tzinfo=dt_timezone.utc)
    except (TypeError, ValueError):
        return month_start()


@dataclass
class Section:
    title: str
    charges: object  # the ledger rows of this scope and month
    budget: Budget | None
    show_people: bool  # a team's owners see who spent it (and may change the budget)
    team: object = None
    charged: Decimal = ZERO
    reserved: Decimal = ZERO
    forecast: Decimal | None = None
    by_person: list = field(default_factory=list)
    by_model: list = field(default_factory=list)
    chart: charts.Chart | None = None

    @property
    def counted(self) -> Decimal:
        return self.charged + self.reserved

    @property
    def left(self) -> Decimal | None:
        if self.budget is None or self.budget.monthly_usd is None:
            return None
        return self.budget.monthly_usd - self.counted


def _fill(section: Section, start: datetime, now: datetime) -> Section:
    rows = section.charges.counted()
    sums = dict(rows.values_list("state").annotate(total=Sum("amount")).order_by())
    section.charged, section.reserved = sums.get(Charge.State.SETTLED, ZERO), sums.get(Charge.State.RESERVED, ZERO)
    days = calendar.monthrange(start.year, start.month)[1]
    daily = [ZERO] * days
    for day, total in (rows.annotate(day=TruncDate("created_at", tzinfo=dt_timezone.utc)).values_list("day")
                       .annotate(total=Sum("amount")).order_by()):
        daily[day.day - 1] += total
    end = next_month_start(start)
    if now >= end:
        days_so_far = days
    elif now < start:
        days_so_far = 0
    else:
        days_so_far = (now - start).days + 1
        elapsed = (now - start).total_seconds() / 86400
        section.forecast = (section.counted / Decimal(max(elapsed, 1 / 24)) * days).quantize(Decimal("0.001"))
    section.by_model = _grouped(rows, "model")
    if section.show_people:
        section.by_person = _grouped(rows, "user__username")
    limit = section.budget.monthly_usd if section.budget else None
    section.chart = charts.draw(daily, days_so_far=days_so_far, budget=limit, forecast=section.forecast)
    return section


def _grouped(rows, by: str) -> list[dict]:
    """[{"name", "jobs", "spent"}] per value of `by`, dearest first."""
    return list(rows.values(name=F(by)).annotate(jobs=Count("id"), spent=Sum("amount")).order_by("-spent", "name"))


def spend_sections(user, start: datetime, now: datetime | None = None) -> list[Section]:
    now = now or timezone.now()
    mine = Charge.objects.filter(user=user).in_month(start)
    sections = [_fill(Section("Your spending", mine, Budget.objects.filter(user=user).first(), False), start, now)]
    for membership in Membership.objects.filter(user=user).select_related("team").order_by("team__name"):
        team = membership.team
        sections.append(_fill(Section(f"Team {team.name}", Charge.objects.filter(team=team).in_month(start),
                                      Budget.objects.filter(team=team).first(),
                                      membership.role == Membership.Role.OWNER, team), start, now))
    return sections


def export_rows(user, start: datetime):
    """Your own charges, and every charge of the teams you own, for the month."""
    owned = Membership.objects.filter(user=user, role=Membership.Role.OWNER).values("team_id")
    rows = (Charge.objects.filter(user=user) | Charge.objects.filter(team_id__in=owned)).in_month(start)
    for charge in rows.select_related("user", "team").order_by("created_at", "pk"):
        yield {
            "date": charge.created_at.astimezone(dt_timezone.utc).strftime("%Y-%m-%d %H:%M:%S"),
            "job": charge.job_id, "person": charge.user.username, "team": charge.team.name if charge.team else "",
            "model": charge.model, "state": charge.get_state_display(), "reserved_usd": f"{charge.reserved:.6f}",
            "amount_usd": f"{charge.amount:.6f}",
        }


EXPORT_FIELDS = ["date", "job", "person", "team", "model", "state", "reserved_usd", "amount_usd"]


def left_lines(user, team=None) -> list[str]:
    """What is left of each budget a job would count against, for the line beside the estimate."""
    lines = []
    for budget in applicable_budgets(user=user, team=team):
        left = max(budget.monthly_usd - spent_this_month(budget), ZERO)
        kind = "hard" if budget.hard else "soft"
        lines.append(f"${left:.3f} left of {budget.holder_label}'s ${budget.monthly_usd:.2f} ({kind}) this month")
    return lines


def left_lines_for_form(user, team_id: str | None) -> list[str]:
    """`left_lines` for a form's "Share with" value; a team the person may not spend for counts as none."""
    team = None
    if team_id and team_id.isdigit():
        team = teams_where_user_can_create(user).filter(pk=int(team_id)).first()
    return left_lines(user, team)
