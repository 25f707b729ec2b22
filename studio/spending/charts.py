"""The month's spend as an SVG chart, drawn on the server: geometry only, the template draws it.

Bars are what was spent by the end of each day (so they climb toward the budget line); the dashed line
runs from today's total to the forecast for the month's last day at the pace so far.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

WIDTH, HEIGHT, TOP, BOTTOM, LEFT, RIGHT = 640, 220, 16, 24, 8, 8


@dataclass
class Bar:
    day: int
    x: float
    y: float
    width: float
    height: float
    spent: Decimal  # that day's own spend
    total: Decimal  # by the end of that day


@dataclass
class Chart:
    width: int = WIDTH
    height: int = HEIGHT
    bars: list[Bar] = field(default_factory=list)
    budget_y: float | None = None
    forecast: tuple[float, float, float, float] | None = None  # x1, y1, x2, y2
    base_y: float = HEIGHT - BOTTOM
    top_value: Decimal = Decimal(0)


def draw(daily: list[Decimal], *, days_so_far: int, budget: Decimal | None, forecast: Decimal | None) -> Chart:
    """`daily`: the spend of each day of the month (every day, future ones zero)."""
    totals, running = [], Decimal(0)
    for amount in daily:
        running += amount
        totals.append(running)
    shown = totals[:days_so_far]
    top = max([*shown, budget or Decimal(0), forecast or Decimal(0), Decimal("0.01")])
    plot_h = HEIGHT - TOP - BOTTOM
    slot = (WIDTH - LEFT - RIGHT) / max(len(daily), 1)

    def y(value: Decimal) -> float:
        return round(TOP + plot_h - float(value / top) * plot_h, 1)

    chart = Chart(top_value=top)
    for index, total in enumerate(shown):
        top_y = y(total)
        chart.bars.append(Bar(day=index + 1, x=round(LEFT + index * slot + 1, 1), y=top_y, width=round(slot - 2, 1),
                              height=round(chart.base_y - top_y, 1), spent=daily[index], total=total))
    if budget is not None:
        chart.budget_y = y(budget)
    if forecast is not None and shown:
        chart.forecast = (round(LEFT + (len(shown) - 0.5) * slot, 1), y(shown[-1]),
                          round(LEFT + (len(daily) - 0.5) * slot, 1), y(forecast))
    return chart
