"""Builders shared by the rules tests: local datetimes, schedules and one-call day evaluation."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, time, tzinfo
from typing import Protocol
from zoneinfo import ZoneInfo

from hadir.rules.day import Absence, DayResult, Waiver, evaluate_day
from hadir.rules.explain import Lang, Reason
from hadir.rules.patterns import DEFAULT_PATTERNS, SpecialPeriod
from hadir.rules.policy import DEFAULT_POLICY, Policy
from hadir.rules.schedule import Schedule, schedule_for

WIB = ZoneInfo("Asia/Jakarta")
WITA = ZoneInfo("Asia/Makassar")
WIT = ZoneInfo("Asia/Jayapura")

MONDAY = date(2024, 3, 4)
"""The first Monday under the circular (effective 1 March 2024, a Friday)."""


def weekday(index: int, week_of: date = MONDAY) -> date:
    """The date of weekday ``index`` (0 = Monday) in the week starting ``week_of``."""
    return date.fromordinal(week_of.toordinal() + index)


def at(day: date, hhmm: str, tz: tzinfo = WIB) -> datetime:
    """An aware datetime on ``day`` at ``hhmm`` (or ``hh:mm:ss``) in ``tz``."""
    return datetime.combine(day, time.fromisoformat(hhmm), tzinfo=tz)


def schedule(
    day: date = MONDAY,
    code: str = "KANTOR_5H",
    *,
    holidays: Iterable[date] = (),
    periods: Sequence[SpecialPeriod] = (),
) -> Schedule:
    """The schedule of ``day`` for a default pattern."""
    return schedule_for(
        day, DEFAULT_PATTERNS[code], holidays=frozenset(holidays), special_periods=periods
    )


def day_result(
    *times: str,
    day: date = MONDAY,
    code: str = "KANTOR_5H",
    tz: tzinfo = WIB,
    absences: Iterable[Absence] = (),
    waivers: Iterable[Waiver] = (),
    holidays: Iterable[date] = (),
    policy: Policy = DEFAULT_POLICY,
) -> DayResult:
    """Evaluate ``day`` with punches at the given local times (in ``tz``)."""
    return evaluate_day(
        schedule(day, code, holidays=holidays),
        [at(day, t, tz) for t in times],
        tz=tz,
        absences=absences,
        waivers=waivers,
        policy=policy,
    )


class Explains(Protocol):
    """Anything with reasons: a day, a month or a year result."""

    @property
    def reasons(self) -> tuple[Reason, ...]: ...


def texts(result: Explains, lang: Lang = "id") -> list[str]:
    """The reasons of a result as text."""
    return [reason.text(lang) for reason in result.reasons]
