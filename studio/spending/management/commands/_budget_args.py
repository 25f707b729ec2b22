"""The `budget` arguments `team budget` and `person budget` share."""
from decimal import Decimal, InvalidOperation

from django.core.management.base import CommandError


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
    if budget.monthly_usd is None:
        return f"{budget.holder_label}: no monthly limit."
    return f"{budget.holder_label}: ${budget.monthly_usd:.2f} a month, {'hard' if budget.hard else 'soft'}."
