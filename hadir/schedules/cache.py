"""Short-lived, per-process caches of calendar reads for the hot path (check-in).

A check-in needs the day's schedule and the policy; both change rarely (an operator edit), so a
process keeps them for ``TTL_SECONDS``, and so are a unit's check-in locations (see
:func:`hadir.presence.selectors.allowed_areas`). Recaps do not use this: they read fresh.
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


def cached[T](key: tuple[object, ...], load: Callable[[], T]) -> T:
    """Keep another hot-path read that only an operator's edit changes (a unit's locations)."""
    return _cached(key, load)


def patterns() -> dict[str, WorkPattern]:
    return _cached(("patterns",), selectors.work_patterns)


def policy(day: date) -> Policy:
    return _cached(("policy", day), lambda: selectors.policy_as_of(day))


def calendar(day: date) -> selectors.CalendarRows:
    """The day's holiday and special-period rows, for every unit at once."""
    return _cached(("calendar", day), lambda: selectors.calendar_rows(day, day))


def schedule(unit: Unit, pattern_code: str, day: date) -> Schedule:
    """The schedule of ``day`` for a unit's employee on ``pattern_code``.

    Computed (in microseconds) from the day's rows that all units share (:func:`calendar`), so a
    process serving a thousand units reads the calendar once per ``TTL_SECONDS``, not per unit.
    """
    holidays, periods = selectors.unit_calendars([unit], day, day, calendar(day))[unit.pk]
    return schedule_for(day, patterns()[pattern_code], holidays=holidays, special_periods=periods)
