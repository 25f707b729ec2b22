"""Registries through which higher layers (workflow) take part in the gallery's rules and filters.

The gallery cannot import them, so they register here when their app starts (`AppConfig.ready`):
- `TRASH_GUARDS`: callables `(image, user, role) -> str | None`; a sentence refuses the trash.
- `GRID_FILTERS`: `GridFilter`s that the gallery's filter bar offers and `Filters.apply` applies.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

TRASH_GUARDS: list[Callable] = []


@dataclass(frozen=True)
class GridFilter:
    param: str  # the query-string name
    label: str
    choices: tuple[tuple[str, str], ...]  # (value, label), the first is usually "any"
    apply: Callable  # (queryset, value) -> queryset


GRID_FILTERS: dict[str, GridFilter] = {}


def register_trash_guard(guard: Callable) -> None:
    if guard not in TRASH_GUARDS:
        TRASH_GUARDS.append(guard)


def register_grid_filter(grid_filter: GridFilter) -> None:
    GRID_FILTERS[grid_filter.param] = grid_filter


def trash_refusal(image, user, role) -> str | None:
    """The first guard's reason why `user` may not trash `image`, or None."""
    for guard in TRASH_GUARDS:
        reason = guard(image, user, role)
        if reason:
            return reason
    return None
