"""Stored days read as plain values, and the month tallies counted from them.

A tally is what a recap needs of an employee's month (the rules library's counts and TK runs,
and bit masks of the days evaluated, late and TK), so a unit's recap reads one row per employee
and month instead of every day.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, time, timedelta
from functools import lru_cache
from types import MappingProxyType
from typing import Any

from hadir.rules.day import STATUSES, DayFacts
from hadir.rules.discipline import TkRuns, tk_runs
from hadir.rules.month import MonthTally, month_tally


@dataclass(frozen=True, slots=True)
class StoredDay:
    """A stored employee-day read as plain values (cheaper than model instances by the 100k)."""

    day: date
    status: str
    working: bool
    datang: time | None
    pulang: time | None
    tl_minutes: int
    psw_minutes: int
    tl_class: int
    psw_class: int
    meal: bool
    reasons: list[dict[str, Any]] | None = None

    @property
    def date(self) -> date:
        return self.day


DAY_FIELDS = (
    "date", "status", "working", "datang", "pulang", "tl_minutes", "psw_minutes", "tl_class", "psw_class", "meal"
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class TallyRow:
    """The stored form of one employee-month: the counts as JSON, the three day masks, the
    month's discipline figures (TK days, TL + PSW minutes, the TK runs) and the same figures
    for the year up to the month's end (``ytd_*``, with the number of days evaluated), so a
    recap reads the year's standing from one row."""

    tally: dict[str, Any]
    evaluated_mask: int
    late_mask: int
    absent_mask: int
    tk_days: int
    minutes: int
    run_head: int
    run_longest: int
    run_tail: int
    run_broken: bool
    ytd_tk_days: int = 0
    ytd_minutes: int = 0
    ytd_longest: int = 0
    ytd_tail: int = 0
    ytd_evaluated: int = 0


TALLY_FIELDS = ("tally", "evaluated_mask", "late_mask", "absent_mask", "tk_days", "minutes",
                "run_head", "run_longest", "run_tail", "run_broken", "ytd_tk_days", "ytd_minutes",
                "ytd_longest", "ytd_tail", "ytd_evaluated")  # fmt: skip
"""The stored columns of a :class:`TallyRow`, in its order."""


@lru_cache(maxsize=1024)
def month_bounds(month: date) -> tuple[date, date]:
    """The first and last day of ``month``'s month (memoised: asked once per employee-month)."""
    first = month.replace(day=1)
    return first, (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)


def tally_row(days: Sequence[DayFacts]) -> TallyRow:
    """Count one employee's days of one month (any order) into their stored form."""
    tally = month_tally(days)
    runs = tk_runs(days)
    evaluated = late = absent = 0
    for result in days:
        bit = 1 << (result.day.day - 1)
        evaluated |= bit
        if result.tl_class:
            late |= bit
        if result.status == "TK":
            absent |= bit
    data = {
        "days": tally.days,
        "working": tally.working_days,
        "statuses": dict(tally.status_counts),
        "tl": list(tally.tl_counts),
        "psw": list(tally.psw_counts),
        "tl_minutes": tally.tl_minutes,
        "psw_minutes": tally.psw_minutes,
        "meal": tally.meal_days,
    }
    return TallyRow(
        data,
        evaluated,
        late,
        absent,
        tally.status_counts.get("TK", 0),
        tally.tl_minutes + tally.psw_minutes,
        runs.head,
        runs.longest,
        runs.tail,
        runs.broken,
    )


def tally_of(data: dict[str, Any]) -> MonthTally:
    """The rules library's tally from its stored JSON (empty when nothing is stored)."""
    if not data:
        return MonthTally()
    return MonthTally(
        days=data["days"],
        working_days=data["working"],
        status_counts=MappingProxyType(
            {s: data["statuses"][s] for s in STATUSES if data["statuses"].get(s)}
        ),
        tl_counts=tuple(data["tl"]),
        psw_counts=tuple(data["psw"]),
        tl_minutes=data["tl_minutes"],
        psw_minutes=data["psw_minutes"],
        meal_days=data["meal"],
    )


def runs_of(
    month: date, evaluated_mask: int, head: int, longest: int, tail: int, broken: bool
) -> TkRuns:
    """The month's stored TK runs; the stretch spans the days evaluated."""
    if not evaluated_mask:
        return TkRuns()
    lowest = (evaluated_mask & -evaluated_mask).bit_length() - 1
    first = month + timedelta(days=lowest)
    last = month + timedelta(days=evaluated_mask.bit_length() - 1)
    return TkRuns(first, last, head, longest, tail, broken)


def year_to_date(
    months: Sequence[tuple[date, TallyRow]], carried: TkRuns | None = None
) -> list[TallyRow]:
    """One employee's months of one year (in month order) with their year-to-date figures; the
    TK runs go on from ``carried``, the run open at the end of the year before
    (:func:`run_carried`)."""
    runs = carried or TkRuns()
    tk_days = minutes = evaluated = 0
    rows = []
    for month, row in months:
        tk_days += row.tk_days
        minutes += row.minutes
        evaluated += row.evaluated_mask.bit_count()
        runs = runs.then(runs_of(month, row.evaluated_mask, row.run_head, row.run_longest,
                                 row.run_tail, row.run_broken))  # fmt: skip
        rows.append(
            replace(
                row,
                ytd_tk_days=tk_days,
                ytd_minutes=minutes,
                ytd_longest=runs.longest,
                ytd_tail=runs.tail,
                ytd_evaluated=evaluated,
            )
        )
    return rows


def run_carried(december: date, row: TallyRow | None) -> TkRuns:
    """The TK run open at the end of a year, from its December's tally (``None``: not
    tallied), to go on into January (:meth:`TkRuns.carried`)."""
    if row is None or not row.evaluated_mask:
        return TkRuns()
    last = december + timedelta(days=row.evaluated_mask.bit_length() - 1)
    return TkRuns(last, last, 0, row.ytd_longest, row.ytd_tail, True).carried()


def mask_days(mask: int) -> list[int]:
    """The days of the month (1–31) whose bits are set."""
    days = []
    while mask:
        lowest = mask & -mask
        days.append(lowest.bit_length())
        mask ^= lowest
    return days
