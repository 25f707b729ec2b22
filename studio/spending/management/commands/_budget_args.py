"""The `budget` arguments `team budget` and `person budget` share."""
from decimal import Decimal, InvalidOperation

from django.core.management.base import CommandError

from ... import budgets


def add_budget_arguments(parser) -> None:
    parser.add_argument("--monthly", required=True, metavar="USD",
                        help="monthly budget in USD; 'none' removes the limit")
    kind = parser.add_mutually_exclusive_group()
    kind.add_argument("--hard", dest="hard", action="store_true", default=None, help="refuse jobs that do not fit "
                      "(the default for a new budget)")
    kind.add_argument("--soft", dest="hard", action="store_false", help="warn and let them through")


def monthly_usd(value: str) -> Decimal | None:
    if value.strip().lower() in ("none", "off", ""):
        return None
    try:
        amount = Decimal(value)
    except InvalidOperation:
        raise CommandError(f"--monthly must be an amount in USD such as 50 or 12.50, not {value!r}.") from None
    if amount < 0 or not amount.is_finite():
        raise CommandError("--monthly must be zero or more.")
    return amount.quantize(Decimal("0.01"))


def describe(budget) -> str:
    return f"{budget.holder_label}: {budgets.describe(budget)}."


def budget_changes(options: dict) -> dict:
    """What `set_budget` is to change, from the parsed arguments (without --hard/--soft the kind stays)."""
    changes = {"monthly_usd": monthly_usd(options["monthly"])}
    if options["hard"] is not None:
        changes["hard"] = options["hard"]
    return changes
