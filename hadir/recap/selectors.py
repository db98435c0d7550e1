"""The monthly recap, computed set-wise from stored month tallies.

A fixed number of queries per chunk of employees, whatever the head count: the tallies of the
year's months so far (one small row per employee-month, see :mod:`hadir.recap.tallies`), and the
month's day rows only when they are asked for (daily exports, the calendar). The rules library
does the money and the discipline.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import Any, NamedTuple

from django.db.models import Q, QuerySet

from hadir.common.bulk import read_rows
from hadir.org.golongan import golongans_on
from hadir.org.models import Employee, Unit
from hadir.org.placements import placed_in, units_on
from hadir.recap.models import EmployeeDay, EmployeeMonthTally, SanctionDecision
from hadir.recap.services import days_ensure, lived_until, tallies_settle
from hadir.recap.tallies import DAY_FIELDS, StoredDay, month_bounds, tally_of
from hadir.rules.discipline import Threshold, TkStreaks, YearSummary, year_standing
from hadir.rules.month import MonthSummary, MonthTally, summarise
from hadir.rules.policy import ABSENCE_CODES, CLASSES, Policy
from hadir.schedules.selectors import policy_as_of

__all__ = ["DAY_FIELDS", "EmployeeMonth", "StoredDay", "daily_rows", "month_bounds", "recap_month"]

CHUNK = 2000


@dataclass(frozen=True)
class EmployeeMonth:
    """One employee's month: the rules' summary and year-to-date standing, and the days."""

    employee: Employee
    month: date
    summary: MonthSummary
    year: YearSummary
    unit: Unit
    """The unit the employee was in at the month's end (a move later leaves it theirs)."""
    golongan: str
    """The golongan held at the month's end, which prices its uang makan (a promotion later
    leaves the month its rate)."""
    days: tuple[StoredDay, ...] = ()
    late_mask: int = 0
    """Bit ``d - 1`` set: late (TL) on day ``d`` of the month."""
    absent_mask: int = 0
    """Bit ``d - 1`` set: TK on day ``d`` of the month."""

    def as_dict(self) -> dict[str, Any]:
        """The recap row in the shape of ``manage.py recap --format json``."""
        s, y = self.summary, self.year
        counts = s.status_counts
        return {
            "nip": self.employee.nip,
            "name": self.employee.name,
            "unit": self.unit.code,
            "unit_name": self.unit.name,
            "golongan": self.golongan,
            "month": f"{self.month:%Y-%m}",
            "workdays": s.working_days,
            "present_days": counts.get("H", 0),
            "absent_days": counts.get("TK", 0),
            "absences": {code: counts[code] for code in ABSENCE_CODES if counts.get(code)},
            "late": {
                **{str(i + 1): s.tl_counts[i] for i in range(CLASSES)},
                "minutes": s.tl_minutes,
            },
            "early": {
                **{str(i + 1): s.psw_counts[i] for i in range(CLASSES)},
                "minutes": s.psw_minutes,
            },
            "tukin_deduction_percent": f"{s.deduction_pct:.2f}",
            "meal_allowance": {
                "days": s.meal.days,
                "rate": _rupiah(s.meal.rate),
                "gross": _rupiah(s.meal.gross),
                "tax": _rupiah(s.meal.tax),
                "net": _rupiah(s.meal.net),
            },
            "discipline": {
                "year_absent_days": y.tk_days,
                "year_late_early_minutes": y.tl_psw_minutes,
                "days_not_at_work": y.days_absent,
                "longest_absent_streak": y.streaks.longest,
                "sanction": y.sanction.id if y.sanction else None,
                "level": y.sanction.level if y.sanction else None,
                "next_threshold": _threshold(y.next_threshold),
                "streak_threshold": _threshold(y.streak_threshold),
            },
        }


def _threshold(threshold: Threshold | None) -> dict[str, Any] | None:
    """A warning before a rung (days left in the year) or before the run's dismissal (working
    days of TK in a row left)."""
    if threshold is None:
        return None
    return {"sanction": threshold.sanction_id, "days_left": threshold.days_left}


def _rupiah(value: Decimal) -> int:
    return int(value)


def month_members(unit: Unit, month: date) -> QuerySet[Employee]:
    """The employees whose ``month`` is ``unit``'s (or a unit's under it): those in it on the
    month's last day (:func:`hadir.org.placements.placed_in`)."""
    return Employee.objects.filter(placed_in(unit, month_bounds(month)[1]))


def recap_month(
    *, employees: QuerySet[Employee], month: date, ensure: bool = True, days: bool = False
) -> Iterator[EmployeeMonth]:
    """Each employee evaluated in ``month`` (attendance period overlapping it), in NIP order.

    With ``ensure``, days nobody touched yet are evaluated first, so the recap reflects every
    punch and request recorded so far. With ``days``, each recap carries the month's stored days.
    """
    first, last = month_bounds(month)
    people = list(
        employees.filter(start__lte=last)
        .filter(Q(end__isnull=True) | Q(end__gte=first))
        .prefetch_related("unit")
        .order_by("nip")
    )
    # As committed now, not from this process's cache (up to a few seconds old): a month is
    # priced here, and a closing signs what this prices.
    policy = policy_as_of(last)
    for offset in range(0, len(people), CHUNK):
        batch = people[offset : offset + CHUNK]
        yield from _batch(batch, first, last, policy, ensure=ensure, with_days=days)


class MonthRow(NamedTuple):
    """What a recap reads of an employee's stored month tally."""

    employee_id: int
    month: date
    tally: dict[str, Any]
    evaluated_mask: int
    late_mask: int
    absent_mask: int
    ytd_tk_days: int
    ytd_minutes: int
    ytd_longest: int
    ytd_tail: int
    ytd_evaluated: int


def _latest_rows(ids: list[int], first: date) -> dict[int, MonthRow]:
    """Each employee's tally of ``first``'s month, or of the latest month before it that year
    (whose year-to-date figures still hold when nothing of this month is stored). Months marked
    stale by check-ins are recounted first."""
    tallies_settle(ids, until=first)
    rows = EmployeeMonthTally.objects.filter(employee_id__in=ids, month=first)
    found = {row.employee_id: row for row in _month_rows(rows)}
    absent = [i for i in ids if i not in found]
    if absent:
        earlier = EmployeeMonthTally.objects.filter(
            employee_id__in=absent, month__range=(first.replace(month=1), first)
        )
        for row in _month_rows(earlier.order_by("month")):
            found[row.employee_id] = row
    return found


def _month_rows(tallies: QuerySet[EmployeeMonthTally]) -> list[MonthRow]:
    return [MonthRow._make(row) for row in read_rows(tallies.values_list(*MonthRow._fields))]


def _unevaluated(
    batch: Sequence[Employee], rows: dict[int, MonthRow], first: date, last: date
) -> list[Employee]:
    """Who may have a day from January to ``last`` (and over: :func:`lived_until`) that nobody
    evaluated: fewer days stored this year than days in their attendance period so far."""
    over = lru_cache(maxsize=None)(lived_until)
    suspects = []
    for employee in batch:
        row = rows.get(employee.pk)
        begin = max(first.replace(month=1), employee.start)
        end = min(last, over(employee.unit))
        until = min(end, employee.end) if employee.end else end
        wanted = (until - begin).days + 1
        if wanted <= 0:
            continue
        stored = 0
        if row is not None:
            stored = row.ytd_evaluated
            if row.month == until.replace(
                day=1
            ):  # days stored after ``until`` (today's) do not count
                stored -= (row.evaluated_mask >> until.day).bit_count()
        if stored < wanted:
            suspects.append(employee)
    return suspects


def _december_ensure(batch: Sequence[Employee], year: int) -> bool:
    """Evaluate the days of the December before ``year`` nobody has: a run of TK open at its
    end goes on into January (ten working days in a row, from 20 December to 5 January,
    propose a dismissal), and a December never read would leave it uncounted. Whether any
    day was stored (one query of the month's marks otherwise)."""
    december = date(year - 1, 12, 1)
    there = [e for e in batch if e.start <= month_bounds(december)[1]]
    return (
        bool(there)
        and days_ensure(employees=there, start=december, end=month_bounds(december)[1]) > 0
    )


def sanctions_in_force(employee_ids: Iterable[int], month: date) -> dict[int, str]:
    """The sanction each of ``employee_ids`` has running in ``month`` (one query)."""
    month = month.replace(day=1)
    running = SanctionDecision.objects.filter(
        employee_id__in=list(employee_ids),
        revoked_at__isnull=True,
        months__gt=0,
        first_month__lte=month,
    ).order_by("first_month", "pk")
    return {
        d.employee_id: d.sanction
        for d in running.only("employee_id", "sanction", "first_month", "months")
        if (last := d.last_month()) is not None and month <= last
    }


def sanctions_decided(nips: Iterable[str], month: date) -> dict[str, SanctionDecision]:
    """The latest decision (not revoked) each of ``nips`` has for ``month``'s year, decreed by
    the month's end: what the discipline list sets beside the ladder's proposal (one query).
    December's list is the year's last word, so it also shows decrees made for the year after
    it ended (the January SK judging the year before)."""
    decided = SanctionDecision.objects.filter(
        employee__nip__in=list(nips), revoked_at__isnull=True, for_year=month.year
    ).select_related("employee")
    if month.month != 12:
        decided = decided.filter(decided_on__lte=month_bounds(month)[1])
    return {d.employee.nip: d for d in decided.order_by("decided_on", "pk")}


def _batch(
    batch: Sequence[Employee],
    first: date,
    last: date,
    policy: Policy,
    *,
    ensure: bool,
    with_days: bool,
) -> Iterator[EmployeeMonth]:
    ids = [e.pk for e in batch]
    rows = _latest_rows(ids, first)
    if ensure:
        suspects = _unevaluated(batch, rows, first, last)
        written = _december_ensure(batch, first.year)
        if suspects and days_ensure(employees=suspects, start=first.replace(month=1), end=last):
            written = True
        if written:
            rows = _latest_rows(ids, first)
    month_days: dict[int, list[StoredDay]] = defaultdict(list)
    if with_days:
        stored = EmployeeDay.objects.filter(employee_id__in=ids, date__range=(first, last))
        for employee_id, *values in (
            stored.order_by("date")
            .values_list("employee_id", *DAY_FIELDS)
            .iterator(chunk_size=20_000)
        ):
            month_days[employee_id].append(StoredDay(*values))
    units = units_on(batch, last)
    held = golongans_on(batch, last)
    sanctioned = sanctions_in_force(ids, first)
    for employee in batch:
        row = rows.get(employee.pk)
        tally, late, absent = MonthTally(), 0, 0
        if row is not None and row.month == first:
            tally, late, absent = tally_of(row.tally), row.late_mask, row.absent_mask
        yield EmployeeMonth(
            employee=employee,
            month=first,
            unit=units[employee.pk],
            golongan=held[employee.pk],
            summary=summarise(
                tally, held[employee.pk], policy, sanction_in_force=sanctioned.get(employee.pk)
            ),
            year=year_standing(
                tk_days=row.ytd_tk_days if row else 0,
                minutes=row.ytd_minutes if row else 0,
                streaks=TkStreaks(row.ytd_longest, row.ytd_tail) if row else TkStreaks(0, 0),
                policy=policy,
            ),
            days=tuple(month_days.get(employee.pk, ())),
            late_mask=late,
            absent_mask=absent,
        )


def daily_rows(
    recaps: Sequence[EmployeeMonth] | Iterator[EmployeeMonth],
) -> Iterator[dict[str, Any]]:
    """One object per employee-day, in the shape of ``manage.py recap --daily``."""
    for recap in recaps:
        for day in recap.days:
            yield {
                "nip": recap.employee.nip,
                "name": recap.employee.name,
                "unit": recap.unit.code,
                "date": day.date.isoformat(),
                "status": day.status,
                "datang": f"{day.datang:%H:%M}" if day.datang else None,
                "pulang": f"{day.pulang:%H:%M}" if day.pulang else None,
                "late_minutes": day.tl_minutes,
                "early_minutes": day.psw_minutes,
                "late_class": day.tl_class,
                "early_class": day.psw_class,
                "meal": day.meal,
            }
