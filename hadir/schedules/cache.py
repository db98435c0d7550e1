"""Short-lived, per-process caches of calendar reads for the hot path (check-in).

A check-in needs the day's schedule and the policy; both change rarely (an operator edit), so a
process keeps them for ``TTL_SECONDS``, and so are a unit's check-in locations (see
:func:`hadir.presence.selectors.allowed_areas`). Recaps do not use this: they read fresh.

Every edit of what is kept here moves the :class:`~hadir.common.models.CacheGeneration` in its
own transaction (:func:`changed`); a check-in reads the generation under its employee's lock
(:data:`GENERATION_SQL`), as does a refusal before it is kept and a single day's refresh, and
drops the cache when it has moved (:func:`observe`), so a holiday or a removed location saved
in another process counts for the very next check-in.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import date
from typing import Any

from django.db import connection, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.dispatch import receiver

from hadir.common.hot import Statement, batch
from hadir.common.models import CacheGeneration
from hadir.org.models import Location, LocationGrant, Unit
from hadir.rules.patterns import WorkPattern
from hadir.rules.policy import Policy
from hadir.rules.schedule import Schedule, schedule_for
from hadir.schedules import selectors
from hadir.schedules.models import (
    Holiday,
    PatternDay,
    PolicyValue,
    SpecialPeriod,
    SpecialPeriodDay,
)
from hadir.schedules.models import WorkPattern as PatternRow

TTL_SECONDS = 30.0
_store: dict[tuple[object, ...], tuple[float, object]] = {}
_generation: list[object] = [object()]  # the generation the cache holds (none yet)
_drops = [0]  # how many times the cache was dropped: a load spanning a drop is not kept
_lock = threading.Lock()
"""Held to store an entry or drop them all: a server may run several threads per process."""

_TABLE = CacheGeneration._meta.db_table
GENERATION_SQL = f"(SELECT value FROM {_TABLE} WHERE id = 1)"  # noqa: S608
"""A scalar subquery to read with a check-in's other reads (NULL before the first edit)."""


def _cached[T](key: tuple[object, ...], load: Callable[[], T]) -> T:
    now = time.monotonic()
    hit = _store.get(key)
    if hit is not None and hit[0] > now:
        return hit[1]  # type: ignore[return-value]
    drops = _drops[0]
    value = load()
    with _lock:
        # Another thread of this process may have dropped the cache while this one loaded
        # (its check-in saw the generation move): what was loaded may predate the edit.
        if _drops[0] == drops:
            if len(_store) > 10_000:
                _store.clear()
            _store[key] = (now + TTL_SECONDS, value)
    return value


def clear() -> None:
    """Forget everything (tests, and after an operator edits the calendar in this process)."""
    _drop(object())


def observe(generation: object) -> bool:
    """Drop the cache if ``generation`` (as read by :data:`GENERATION_SQL`) is not the one it
    holds; whether it did."""
    if generation == _generation[0]:
        return False
    _drop(generation)
    return True


def _drop(generation: object) -> None:
    with _lock:
        _store.clear()
        _drops[0] += 1
        _generation[0] = generation


GENERATION = Statement(f"SELECT {GENERATION_SQL}", (), (None,))
"""The generation alone, for a :func:`~hadir.common.hot.batch` (its one row, one column)."""


def generation() -> object:
    """The committed generation, for a reader that has no query of its own to add it to."""
    (rows,) = batch([GENERATION])
    return rows[0][0]


def changed() -> None:
    """What the cache holds was edited: move the generation with the edit (a check-in or a
    single day's refresh in another process reads it once it commits, and drops that process's
    cache) and drop this process's now and after the commit (a check-in in between would cache
    the rows as they were). Other readers (the day's standing shown on the phone) may lag by
    up to :data:`TTL_SECONDS`."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {_TABLE} (id, value) VALUES (1, 1) ON CONFLICT (id)"  # noqa: S608
            f" DO UPDATE SET value = {_TABLE}.value + 1"
        )
    clear()
    transaction.on_commit(clear)


@receiver([post_save, post_delete], sender=Holiday)
@receiver([post_save, post_delete], sender=SpecialPeriod)
@receiver([post_save, post_delete], sender=SpecialPeriodDay)
@receiver([post_save, post_delete], sender=PatternRow)
@receiver([post_save, post_delete], sender=PatternDay)
@receiver([post_save, post_delete], sender=PolicyValue)
@receiver([post_save, post_delete], sender=Location)
@receiver(m2m_changed, sender=SpecialPeriod.units.through)
def _kept_row_changed(sender: Any, **kwargs: Any) -> None:
    changed()


@receiver(pre_save, sender=LocationGrant)
def _remember_grant_approved(sender: Any, instance: LocationGrant, **kwargs: Any) -> None:
    instance._was_approved = bool(instance.pk) and (  # type: ignore[attr-defined]
        LocationGrant.objects.filter(pk=instance.pk, status=LocationGrant.Status.APPROVED).exists()
    )


@receiver([post_save, post_delete], sender=LocationGrant)
def _grant_changed(sender: Any, instance: LocationGrant, **kwargs: Any) -> None:
    """Only approved grants are kept (who has an extra location): an employee filing a
    request, or an operator refusing one, moves nothing, and must not empty every process's
    cache."""
    was_approved = instance.__dict__.pop("_was_approved", False)
    if was_approved or instance.status == LocationGrant.Status.APPROVED:
        changed()


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
