"""Work patterns (pola kerja) and special periods (keadaan khusus), DOMAIN.md §3.

A pattern is the weekly timetable of a kind of unit: which weekdays are worked and the hours of
each. The four defaults are those of the Kemenag Sleman circular of 29 February 2024, effective
1 March 2024; the Django side copies them into dated, editable rows, so these literals are seed
data, never consulted by the evaluation once the database holds its own copy.

A special period (Ramadan, an emergency) replaces the weekly hours of some patterns between two
dates. The hours here are the only clock literals of the library besides the policy defaults.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, time
from types import MappingProxyType

from hadir.rules.explain import Invalid

WEEK_DAYS = 7
"""Entries of a weekly timetable: index 0 is Monday … 6 is Sunday (``date.weekday()``)."""


def minutes_of(t: time) -> int:
    """Minutes since local midnight; the library reasons in whole minutes (DOMAIN.md §4)."""
    return t.hour * 60 + t.minute


def time_of(minutes: int) -> time:
    """The inverse of :func:`minutes_of`, for display."""
    return time(minutes // 60, minutes % 60)


@dataclass(frozen=True, slots=True)
class DayHours:
    """The hours of one weekday: the start and end that TL and PSW are measured against.

    The break is informative (shown on schedules): the circular measures lateness against the
    start and early leave against the end only, so no rule reads it. Flexible-break patterns
    ("istirahat menyesuaikan") leave it empty.
    """

    start: time
    end: time
    break_start: time | None = None
    break_end: time | None = None

    def __post_init__(self) -> None:
        if self.start.second or self.end.second:
            raise Invalid("HOURS_WHOLE_MINUTES")
        if not self.start < self.end:
            raise Invalid("HOURS_ORDER", start=f"{self.start:%H:%M}", end=f"{self.end:%H:%M}")
        if (self.break_start is None) != (self.break_end is None):
            raise Invalid("BREAK_HALF")
        if (
            self.break_start is not None
            and self.break_end is not None
            and not self.start <= self.break_start < self.break_end <= self.end
        ):
            raise Invalid(
                "BREAK_OUTSIDE",
                break_start=f"{self.break_start:%H:%M}",
                break_end=f"{self.break_end:%H:%M}",
                start=f"{self.start:%H:%M}",
                end=f"{self.end:%H:%M}",
            )


def _check_week(days: tuple[DayHours | None, ...], code: str, /, **names: str) -> None:
    if len(days) != WEEK_DAYS:
        raise Invalid(code, days=WEEK_DAYS, count=len(days), **names)


@dataclass(frozen=True, slots=True)
class WorkPattern:
    """A weekly timetable: ``days[0]`` is Monday … ``days[6]`` Sunday, ``None`` a day off."""

    code: str
    name: str
    days: tuple[DayHours | None, ...]
    flexible_break: bool = False

    def __post_init__(self) -> None:
        _check_week(self.days, "PATTERN_WEEK", pattern=self.code)

    def hours_on(self, day: date) -> DayHours | None:
        """The hours of ``day``'s weekday, ``None`` when it is a day off of the pattern."""
        return self.days[day.weekday()]


@dataclass(frozen=True, slots=True)
class SpecialPeriod:
    """A dated override (keadaan khusus / darurat, Ramadan) of the weekly hours of some patterns.

    ``start`` and ``end`` are inclusive. ``hours`` maps a pattern code to the replacement
    seven-day timetable; a pattern not listed keeps its normal hours during the period. The
    Django side passes only the periods that apply to the unit being evaluated.

    ``former_week`` marks a pattern's own hours from before a change of hours: they stand for
    the pattern's usual week of those dates, so every other period (a Ramadan) wins over them.
    ``some_units`` marks a period for some units only (a flooded KUA's hours): on the same
    start it wins over one for all units.
    """

    code: str
    name: str
    start: date
    end: date
    hours: Mapping[str, tuple[DayHours | None, ...]] = field(
        default_factory=lambda: MappingProxyType({})
    )
    former_week: bool = False
    some_units: bool = False

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise Invalid("PERIOD_ENDS_FIRST", period=self.code)
        for pattern_code, days in self.hours.items():
            _check_week(days, "PERIOD_WEEK", period=self.code, pattern=pattern_code)
        object.__setattr__(self, "hours", MappingProxyType(dict(self.hours)))

    def __hash__(self) -> int:
        hours = tuple(sorted(self.hours.items()))
        return hash(
            (self.code, self.name, self.start, self.end, hours, self.former_week, self.some_units)
        )

    def covers(self, day: date) -> bool:
        """Whether ``day`` falls inside the period (both ends included)."""
        return self.start <= day <= self.end


def _week(
    mon_thu: DayHours | None,
    fri: DayHours | None,
    sat: DayHours | None,
    sun: DayHours | None,
) -> tuple[DayHours | None, ...]:
    return (mon_thu, mon_thu, mon_thu, mon_thu, fri, sat, sun)


def _h(
    start: str, end: str, break_start: str | None = None, break_end: str | None = None
) -> DayHours:
    return DayHours(
        time.fromisoformat(start),
        time.fromisoformat(end),
        None if break_start is None else time.fromisoformat(break_start),
        None if break_end is None else time.fromisoformat(break_end),
    )


DEFAULT_PATTERNS: dict[str, WorkPattern] = {
    "KANTOR_5H": WorkPattern(
        code="KANTOR_5H",
        name="Kantor 5 hari kerja",
        days=_week(
            _h("07:30", "16:00", "12:00", "13:00"),
            _h("07:30", "16:30", "11:30", "13:00"),
            None,
            None,
        ),
    ),
    "MADRASAH_5H": WorkPattern(
        code="MADRASAH_5H",
        name="Madrasah 5 hari kerja",
        days=_week(
            _h("07:00", "15:30", "12:00", "13:00"),
            _h("07:00", "16:00", "11:30", "13:00"),
            None,
            None,
        ),
    ),
    "MADRASAH_6H_MINGGU": WorkPattern(
        code="MADRASAH_6H_MINGGU",
        name="Madrasah 6 hari kerja, libur Minggu",
        days=_week(_h("07:00", "14:30"), _h("07:00", "11:30"), _h("07:00", "15:00"), None),
        flexible_break=True,
    ),
    "MADRASAH_6H_JUMAT": WorkPattern(
        code="MADRASAH_6H_JUMAT",
        name="Madrasah 6 hari kerja, libur Jumat",
        days=_week(_h("07:00", "14:30"), None, _h("07:00", "14:30"), _h("07:00", "12:30")),
        flexible_break=True,
    ),
}
"""The four patterns of the circular (DOMAIN.md §3), keyed by code; seed data for the database."""


def _ramadan_6h(pattern: WorkPattern) -> tuple[DayHours | None, ...]:
    day = _h("08:00", "14:00")
    return tuple(None if hours is None else day for hours in pattern.days)


RAMADAN_HOURS: dict[str, tuple[DayHours | None, ...]] = {
    "KANTOR_5H": _week(_h("08:00", "15:00"), _h("08:00", "15:30"), None, None),
    "MADRASAH_5H": _week(_h("08:00", "15:00"), _h("08:00", "15:30"), None, None),
    "MADRASAH_6H_MINGGU": _ramadan_6h(DEFAULT_PATTERNS["MADRASAH_6H_MINGGU"]),
    "MADRASAH_6H_JUMAT": _ramadan_6h(DEFAULT_PATTERNS["MADRASAH_6H_JUMAT"]),
}
"""A template for a Ramadan :class:`SpecialPeriod` (SE Sekjen 4/2026 for 1447 H, DOMAIN.md §3).

5-day patterns Mon–Thu 08:00–15:00 and Fri 08:00–15:30; 6-day patterns 08:00–14:00 on each of
their working days, keeping their day off. The SE gives no break, so none is shown. The dates of
Ramadan change every year and belong to the database, not here.
"""
