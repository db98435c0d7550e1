"""Short-lived, per-process caches of calendar reads for the hot path (check-in).

A check-in needs the day's schedule and the policy; both change rarely (an operator edit), so a
process keeps them for ``TTL_SECONDS``. Recaps do not use this: they read fresh.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date

from hadir.org.models import Unit
from hadir.rules.patterns import WorkPattern
from hadir.rules.policy import Policy
from hadir.rules.schedule import Schedule, schedule_for
from hadir.schedules import selectors

TTL_SECONDS = 30.0
_store: dict[tuple[object, ...], tuple[float, object]] = {}


def _cached[T](key: tuple[object, ...], load: Callable[[], T]) -> T:
    now = time.monotonic()
    hit = _store.get(key)
    if hit is not None and hit[0] > now:
        return hit[1]  # type: ignore[return-value]
    value = load()
    if len(_store) > 10_000:
        _store.clear()
    _store[key] = (now + TTL_SECONDS, value)
    return value


def clear() -> None:
    """Forget everything (tests, and after an operator edits the calendar in this process)."""
    _store.clear()


def patterns() -> dict[str, WorkPattern]:
    return _cached(("patterns",), selectors.work_patterns)


def policy(day: date) -> Policy:
    return _cached(("policy", day), lambda: selectors.policy_as_of(day))


def schedule(unit: Unit, pattern_code: str, day: date) -> Schedule:
    """The schedule of ``day`` for a unit's employee on ``pattern_code``."""

    def load() -> Schedule:
        return schedule_for(
            day,
            patterns()[pattern_code],
            holidays=selectors.holiday_dates(unit, day, day),
            special_periods=selectors.special_periods_for(unit, day, day),
        )

    return _cached(("schedule", unit.pk, pattern_code, day), load)
