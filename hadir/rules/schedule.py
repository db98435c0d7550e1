"""The schedule of one date for one pattern: working or not, and the hours (DOMAIN.md §3, §4.1).

Three inputs decide it, strongest first: a holiday (national holiday, cuti bersama, or a day the
operator added) makes any date non-working; a special period covering the date replaces the
pattern's weekly hours; otherwise the pattern's own weekday applies. Everything is in the unit's
local time, as the circular states its hours.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence, Set
from dataclasses import dataclass, field
from datetime import date, time

from hadir.rules.patterns import DayHours, SpecialPeriod, WorkPattern, minutes_of, time_of


@dataclass(frozen=True, slots=True)
class Schedule:
    """What one date asks of an employee on ``pattern_code``.

    ``hours`` is ``None`` on the pattern's (or the special period's) day off. ``working`` is
    false then and on holidays. The minute fields are minutes since local midnight, precomputed
    once so that evaluating thousands of employee-days on the same schedule stays integer work;
    ``pivot_min`` splits check-in from check-out candidates (floor of the midpoint).
    """

    day: date
    pattern_code: str
    hours: DayHours | None
    holiday: bool = False
    special_period: SpecialPeriod | None = None
    pattern_name: str = ""  # as people know it, for the explanations ("Madrasah 5 hari")
    working: bool = field(init=False)
    start_min: int = field(init=False, repr=False)
    end_min: int = field(init=False, repr=False)
    pivot_min: int = field(init=False, repr=False)

    def __post_init__(self) -> None:
        hours = self.hours
        start = end = 0
        if hours is not None:
            start, end = minutes_of(hours.start), minutes_of(hours.end)
        object.__setattr__(self, "working", hours is not None and not self.holiday)
        object.__setattr__(self, "start_min", start)
        object.__setattr__(self, "end_min", end)
        object.__setattr__(self, "pivot_min", (start + end) // 2)

    @property
    def start(self) -> time | None:
        """Scheduled start (local), ``None`` when the pattern has no hours that day."""
        return None if self.hours is None else self.hours.start

    @property
    def end(self) -> time | None:
        """Scheduled end (local), ``None`` when the pattern has no hours that day."""
        return None if self.hours is None else self.hours.end

    @property
    def pivot(self) -> time | None:
        """The check-in/check-out split: 11:45 for 07:30–16:00 (DOMAIN.md §4.2)."""
        return None if self.hours is None else time_of(self.pivot_min)


def _period_for(day: date, code: str, periods: Iterable[SpecialPeriod]) -> SpecialPeriod | None:
    """The special period that sets ``code``'s hours on ``day``.

    Periods may nest (an emergency week inside Ramadan): the one that started last is the most
    specific and wins; on equal starts one for some units wins over one for all, then the later
    one in ``periods``. A pattern's former week stands for its usual hours, so any other period
    wins over it, whenever it started.
    """
    covering = [p for p in periods if p.start <= day <= p.end and code in p.hours]
    return max(reversed(covering), key=_rank, default=None)  # on a tie, the later in the list


def _rank(period: SpecialPeriod) -> tuple[bool, date, bool]:
    return (not period.former_week, period.start, period.some_units)


def schedule_for(
    day: date,
    pattern: WorkPattern,
    *,
    holidays: Set[date] = frozenset(),
    special_periods: Sequence[SpecialPeriod] = (),
) -> Schedule:
    """The schedule of ``day`` for ``pattern``; ``holidays`` already merges the national list
    with the operator's additions and removals, ``special_periods`` are those of the unit.
    """
    period = _period_for(day, pattern.code, special_periods)
    week = pattern.days if period is None else period.hours[pattern.code]
    return Schedule(
        day=day,
        pattern_code=pattern.code,
        hours=week[day.weekday()],
        holiday=day in holidays,
        special_period=period,
        pattern_name=pattern.name,
    )


class ScheduleBook:
    """Schedules of one unit's calendar, computed once per (pattern, date) and then reused.

    Recomputing a month for a unit evaluates the same few schedules for every employee; this
    keeps that to a dictionary lookup.
    """

    __slots__ = ("_cache", "_holidays", "_patterns", "_periods")

    def __init__(
        self,
        patterns: Mapping[str, WorkPattern],
        *,
        holidays: Set[date] = frozenset(),
        special_periods: Sequence[SpecialPeriod] = (),
    ) -> None:
        self._patterns = dict(patterns)
        self._holidays = frozenset(holidays)
        self._periods = tuple(special_periods)
        self._cache: dict[tuple[str, date], Schedule] = {}

    def get(self, pattern_code: str, day: date) -> Schedule:
        """The schedule of ``day`` for the pattern ``pattern_code`` (``KeyError`` if unknown)."""
        key = (pattern_code, day)
        cached = self._cache.get(key)
        if cached is None:
            cached = schedule_for(
                day,
                self._patterns[pattern_code],
                holidays=self._holidays,
                special_periods=self._periods,
            )
            self._cache[key] = cached
        return cached
