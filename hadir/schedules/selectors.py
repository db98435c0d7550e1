"""Reads of the calendar and policy, converted to the rules library's plain values."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.db.models import Q

from hadir.org.models import Unit
from hadir.rules import patterns as rules_patterns
from hadir.rules.policy import DEFAULT_POLICY, Policy, policy_from_values
from hadir.schedules.models import Holiday, HoursFields, PolicyValue, SpecialPeriod, WorkPattern
from hadir.schedules.services import holiday_year_ensure


def _hours(row: HoursFields) -> rules_patterns.DayHours:
    return rules_patterns.DayHours(
        start=row.start, end=row.end, break_start=row.break_start, break_end=row.break_end
    )


def _week(rows: list[HoursFields]) -> tuple[rules_patterns.DayHours | None, ...]:
    days: list[rules_patterns.DayHours | None] = [None] * rules_patterns.WEEK_DAYS
    for row in rows:
        days[row.weekday] = _hours(row)
    return tuple(days)


def work_patterns() -> dict[str, rules_patterns.WorkPattern]:
    """Every work pattern, as the rules library sees it, by code."""
    result = {}
    for pattern in WorkPattern.objects.prefetch_related("days"):
        result[pattern.code] = rules_patterns.WorkPattern(
            code=pattern.code,
            name=pattern.name,
            days=_week(list(pattern.days.all())),
            flexible_break=pattern.flexible_break,
        )
    return result


def special_periods_for(unit: Unit, start: date, end: date) -> list[rules_patterns.SpecialPeriod]:
    """Special periods overlapping ``start``–``end`` that apply to ``unit`` (or all units)."""
    ancestor_ids = _ancestor_ids(unit)
    periods = (
        SpecialPeriod.objects.filter(start__lte=end, end__gte=start)
        .filter(Q(all_units=True) | Q(units__id__in=ancestor_ids))
        .distinct()
        .order_by("start", "pk")  # ties go to the one entered last, as in unit_calendars
        .prefetch_related("days__pattern")
    )
    return [_special_period(period) for period in periods]


def holiday_dates(unit: Unit, start: date, end: date) -> frozenset[date]:
    """Non-working dates for ``unit`` between ``start`` and ``end`` inclusive.

    The most specific row decides a date: a row of the unit (or its nearest ancestor) beats a
    national one, so an operator can add a local holiday or declare a national one a working day
    for their units. Years are filled from the ``holidays`` package on first use.
    """
    for year in range(start.year, end.year + 1):
        holiday_year_ensure(year)
    ancestor_ids = _ancestor_ids(unit)
    depth = {unit_id: index + 1 for index, unit_id in enumerate(ancestor_ids)}
    decided: dict[date, tuple[int, bool]] = {}
    rows = Holiday.objects.filter(date__range=(start, end)).filter(
        Q(unit__isnull=True) | Q(unit_id__in=ancestor_ids)
    )
    for day, unit_id, active in rows.values_list("date", "unit_id", "active"):
        rank = depth.get(unit_id, 0) if unit_id is not None else 0
        current = decided.get(day)
        if current is None or rank > current[0] or (rank == current[0] and active):
            decided[day] = (rank, active)
    return frozenset(day for day, (_, active) in decided.items() if active)


def policy_as_of(day: date) -> Policy:
    """The policy in force on ``day``: per key, the latest value effective on or before it."""
    values: dict[str, str] = {}
    rows = PolicyValue.objects.filter(effective_from__lte=day).order_by("key", "-effective_from")
    for key, value in rows.values_list("key", "value"):
        values.setdefault(key, value)
    return policy_from_values(values, base=DEFAULT_POLICY)


def _ancestor_ids(unit: Unit) -> list[int]:
    """Ids from the root down to ``unit`` itself, read off its materialised path."""
    return [int(part) for part in unit.path.strip("/").split("/") if part]


def holiday_calendar(unit: Unit, year: int) -> list[tuple[date, str, bool]]:
    """The year's dates with a holiday row relevant to ``unit``: (date, name, is a holiday).

    A national holiday that an operator declared a working day for the unit shows as not a
    holiday, so operators see the effect of their edits.
    """
    start, end = date(year, 1, 1), date(year, 12, 31)
    effective = holiday_dates(unit, start, end)
    names: dict[date, str] = {}
    rows = Holiday.objects.filter(date__range=(start, end), active=True).filter(
        Q(unit__isnull=True) | Q(unit_id__in=_ancestor_ids(unit))
    )
    for day, name in rows.order_by("date", "unit_id").values_list("date", "name"):
        names.setdefault(day, name)
    return [(day, name, day in effective) for day, name in sorted(names.items())]


@dataclass(frozen=True)
class CalendarRows:
    """Every holiday and special period row of a date range, read once for any number of units."""

    holidays: Sequence[tuple[date, int | None, bool]]
    periods: Sequence[tuple[rules_patterns.SpecialPeriod, bool, frozenset[int]]]


def calendar_rows(start: date, end: date) -> CalendarRows:
    """The rows :func:`unit_calendars` needs, in a fixed number of queries."""
    for year in range(start.year, end.year + 1):
        holiday_year_ensure(year)
    holidays = list(
        Holiday.objects.filter(date__range=(start, end)).values_list("date", "unit_id", "active")
    )
    periods = (
        SpecialPeriod.objects.filter(start__lte=end, end__gte=start)
        .order_by("start", "pk")  # ties go to the one entered last, as in special_periods_for
        .prefetch_related("days__pattern", "units")
    )
    return CalendarRows(
        holidays=holidays,
        periods=[
            (_special_period(p), p.all_units, frozenset(u.pk for u in p.units.all()))
            for p in periods
        ],
    )


def unit_calendars(
    units: list[Unit], start: date, end: date, rows: CalendarRows | None = None
) -> dict[int, tuple[frozenset[date], list[rules_patterns.SpecialPeriod]]]:
    """Holidays and special periods of many units at once, in a fixed number of queries.

    The same rules as :func:`holiday_dates` and :func:`special_periods_for`, computed in memory
    from every relevant row, so a recap of thousands of units does not query per unit. ``rows``
    (from :func:`calendar_rows` over the same dates) saves even those queries.
    """
    if rows is None:
        rows = calendar_rows(start, end)
    result = {}
    for unit in units:
        chain = _ancestor_ids(unit)
        depth = {unit_id: index + 1 for index, unit_id in enumerate(chain)}
        decided: dict[date, tuple[int, bool]] = {}
        for day, unit_id, active in rows.holidays:
            if unit_id is not None and unit_id not in depth:
                continue
            rank = depth.get(unit_id, 0) if unit_id is not None else 0
            current = decided.get(day)
            if current is None or rank > current[0] or (rank == current[0] and active):
                decided[day] = (rank, active)
        holidays = frozenset(day for day, (_, active) in decided.items() if active)
        applicable = [
            period
            for period, all_units, unit_ids in rows.periods
            if all_units or unit_ids & set(chain)
        ]
        result[unit.pk] = (holidays, applicable)
    return result


def _special_period(period: SpecialPeriod) -> rules_patterns.SpecialPeriod:
    by_pattern: dict[str, list[HoursFields]] = defaultdict(list)
    for row in period.days.all():
        by_pattern[row.pattern.code].append(row)
    return rules_patterns.SpecialPeriod(
        code=f"SP{period.pk}",
        name=period.name,
        start=period.start,
        end=period.end,
        hours={code: _week(rows) for code, rows in by_pattern.items()},
        former_week=period.kept_hours_id is not None,
        some_units=not period.all_units,
    )
