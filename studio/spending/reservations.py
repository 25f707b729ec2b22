"""Reservations: a job's largest possible cost is held against every budget that applies before it starts.

`admit` runs inside submit_job's transaction: it locks the budget rows (SELECT ... FOR UPDATE, in pk
order so two submits never deadlock; SQLite's IMMEDIATE transactions serialise writers instead), sums
what the ledger already counts this month, and refuses a job a hard budget cannot hold. `reserve` then
writes the ledger row under the same lock, so concurrent submits can never overspend. The row settles
to the actual charge when the answer arrives (`settle`), or is released when the call failed before the
provider charged (`release`).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.formats import date_format

from studio import metrics
from studio.accounts.models import Membership

from . import alerts
from .errors import OverBudget
from .models import Budget, Charge, next_month_start


@dataclass
class Admission:
    """What `admit` found: the budgets counted, and the soft ones this job goes over (a warning each)."""

    user: object
    team: object
    token: object
    amount: Decimal
    budgets: list[Budget] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def applicable_budgets(*, user, team=None, token=None, lock: bool = False) -> list[Budget]:
    """The team's, the person's and the token's budgets that set a limit."""
    holders = Q(user=user)
    if team is not None:
        holders |= Q(team=team)
    if token is not None:
        holders |= Q(token=token)
    found = Budget.objects.filter(holders, monthly_usd__isnull=False).select_related("team", "user", "token")
    if lock:
        found = found.select_for_update(of=("self",)).order_by("pk")
    return list(found)


def spent_this_month(budget: Budget, now=None) -> Decimal:
    return budget.charges().in_month(now).counted().total()


def spent_this_month_by_budget(budgets: list[Budget], now=None) -> dict[int, Decimal]:
    """What each budget counts this month, in one query (a conditional SUM per budget)."""
    if not budgets:
        return {}
    scope = Q()
    for budget in budgets:
        scope |= budget.counts()
    totals = Charge.objects.filter(scope).in_month(now).counted().aggregate(
        **{f"budget_{budget.pk}": Sum("amount", filter=budget.counts()) for budget in budgets})
    return {budget.pk: totals[f"budget_{budget.pk}"] or Decimal(0) for budget in budgets}


def who_can_raise(budget: Budget) -> str:
    if budget.team_id:
        owners = list(Membership.objects.filter(team_id=budget.team_id, role=Membership.Role.OWNER)
                      .values_list("user__username", flat=True))
        return f"a team owner ({', '.join(owners)})" if owners else "an administrator"
    return "an administrator"


def refusal_message(budget: Budget, amount: Decimal, left: Decimal, now=None, *, what: str = "This job") -> str:
    resets = date_format(next_month_start(now), "j F Y")
    who = who_can_raise(budget)
    return (f"{what} may cost up to ${amount:.3f}, and only ${max(left, Decimal(0)):.3f} is left of "
            f"{budget.holder_label}'s monthly budget of ${budget.monthly_usd:.2f}. {who[0].upper()}{who[1:]} "
            f"can raise it; it resets on {resets} (UTC).")


def admit(*, user, team=None, token=None, amount: Decimal, what: str = "This job") -> Admission:
    """Lock and check every budget that applies; OverBudget when a hard one cannot hold `amount`.

    `what` names the spending in the refusal ("This batch of 20 jobs" when a batch is checked whole).

    Must run inside the transaction that creates the job (and then `reserve`s it).
    """
    admission = Admission(user=user, team=team, token=token, amount=amount)
    now = timezone.now()
    found = applicable_budgets(user=user, team=team, token=token, lock=True)
    spent = spent_this_month_by_budget(found, now)
    for budget in found:
        left = budget.monthly_usd - spent[budget.pk]
        if amount <= left:
            admission.budgets.append(budget)
            continue
        if budget.hard:
            metrics.budget_refused()
            raise OverBudget(refusal_message(budget, amount, left, now, what=what))
        admission.budgets.append(budget)
        admission.warnings.append(
            f"This job goes over {budget.holder_label}'s monthly budget of ${budget.monthly_usd:.2f} "
            f"(${max(left, Decimal(0)):.3f} was left); it is a soft budget, so the job runs.")
    return admission


def reserve(admission: Admission, *, job_id: int, model: str) -> Charge:
    """Write the job's ledger row under the locks `admit` took; alerts are checked once it commits."""
    charge = Charge.objects.create(job_id=job_id, user=admission.user, team=admission.team,
                                   token=admission.token, model=model, reserved=admission.amount,
                                   amount=admission.amount)
    budget_ids = [budget.pk for budget in admission.budgets]
    if budget_ids:
        transaction.on_commit(lambda: alerts.check(budget_ids), robust=True)
    return charge


def _close(job_id: int, *, state: str, amount: Decimal) -> bool:
    closed = Charge.objects.filter(job_id=job_id, state=Charge.State.RESERVED).update(
        state=state, amount=amount, settled_at=timezone.now())
    if closed:
        charge = Charge.objects.filter(job_id=job_id).select_related("user", "team", "token").first()
        budget_ids = [b.pk for b in applicable_budgets(user=charge.user, team=charge.team, token=charge.token)]
        if budget_ids and state == Charge.State.SETTLED:
            transaction.on_commit(lambda: alerts.check(budget_ids), robust=True)
    return bool(closed)


def settle(job_id: int, amount: Decimal) -> bool:
    """The provider answered: the reservation becomes what it charged (which may be less, or a little more)."""
    return _close(job_id, state=Charge.State.SETTLED, amount=amount)


def release(job_id: int) -> bool:
    """The call failed before the provider charged anything: the reservation is given back."""
    return _close(job_id, state=Charge.State.RELEASED, amount=Decimal(0))


def close_for(job_id: int, charged: Decimal | None) -> bool:
    """A job that ended: charged (some answer was paid for) settles, otherwise it is released."""
    if charged:
        return settle(job_id, charged)
    return release(job_id)
