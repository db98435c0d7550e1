"""The monthly recap, computed set-wise from stored employee-days.

A fixed number of queries per chunk of employees, whatever the head count: the month's rows,
the year-to-date totals (TK days and minutes, summed in the database) and the day rows of the
few who have TK days this year (for the consecutive-TK run). The rules library does the money
and the discipline.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, time, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum

from hadir.org.models import Employee
from hadir.recap.models import EmployeeDay
from hadir.recap.services import days_ensure
from hadir.rules.day import DayFacts
from hadir.rules.discipline import TkStreaks, YearSummary, tk_streaks, year_standing
from hadir.rules.month import MonthSummary, month_summary
from hadir.rules.policy import ABSENCE_CODES, CLASSES
from hadir.schedules import cache

CHUNK = 2000


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


@dataclass(frozen=True)
class EmployeeMonth:
    """One employee's month: the rules' summary and year-to-date standing, and the days."""

    employee: Employee
    month: date
    summary: MonthSummary
    year: YearSummary
    days: tuple[StoredDay, ...]

    def as_dict(self) -> dict[str, Any]:
        """The recap row in the shape of ``manage.py recap --format json``."""
        s, y = self.summary, self.year
        counts = s.status_counts
        return {
            "nip": self.employee.nip,
            "name": self.employee.name,
            "unit": self.employee.unit.code,
            "unit_name": self.employee.unit.name,
            "golongan": self.employee.golongan,
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
                "next_threshold": (
                    {
                        "sanction": y.next_threshold.sanction_id,
                        "days_left": y.next_threshold.days_left,
                    }
                    if y.next_threshold
                    else None
                ),
            },
        }


def _rupiah(value: Decimal) -> int:
    return int(value)


def month_bounds(month: date) -> tuple[date, date]:
    first = month.replace(day=1)
    last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    return first, last


def recap_month(
    *, employees: QuerySet[Employee], month: date, ensure: bool = True
) -> Iterator[EmployeeMonth]:
    """Each employee evaluated in ``month`` (attendance period overlapping it), in NIP order.

    With ``ensure``, days nobody touched yet are evaluated first, so the recap reflects every
    punch and request recorded so far.
    """
    first, last = month_bounds(month)
    year_start = first.replace(month=1, day=1)
    people = list(
        employees.filter(start__lte=last)
        .filter(Q(end__isnull=True) | Q(end__gte=first))
        .select_related("unit__default_pattern", "pattern")
        .order_by("nip")
    )
    policy = cache.policy(last)
    for offset in range(0, len(people), CHUNK):
        batch = people[offset : offset + CHUNK]
        if ensure:
            days_ensure(employees=batch, start=year_start, end=last)
        yield from _batch(batch, first, last, year_start, policy)


def _batch(
    batch: Sequence[Employee], first: date, last: date, year_start: date, policy: Any
) -> Iterator[EmployeeMonth]:
    ids = [e.pk for e in batch]
    month_rows: dict[int, list[StoredDay]] = defaultdict(list)
    rows = EmployeeDay.objects.filter(employee_id__in=ids, date__range=(first, last)).order_by(
        "date"
    )
    for employee_id, *values in rows.values_list("employee_id", *DAY_FIELDS).iterator(
        chunk_size=20_000
    ):
        month_rows[employee_id].append(StoredDay(*values))
    totals: dict[int, dict[str, int]] = {
        row["employee_id"]: {"tk": row["tk"], "minutes": row["minutes"] or 0}
        for row in EmployeeDay.objects.filter(employee_id__in=ids, date__range=(year_start, last))
        .values("employee_id")
        .annotate(
            tk=Count("id", filter=Q(status="TK")), minutes=Sum("tl_minutes") + Sum("psw_minutes")
        )
    }
    with_tk = [i for i in ids if totals.get(i, {}).get("tk")]
    streak_days: dict[int, list[DayFacts]] = defaultdict(list)
    streak_rows = EmployeeDay.objects.filter(
        employee_id__in=with_tk, date__range=(year_start, last)
    ).order_by("date")
    for employee_id, *values in streak_rows.values_list("employee_id", *DAY_FIELDS).iterator(
        chunk_size=20_000
    ):
        streak_days[employee_id].append(StoredDay(*values))
    for employee in batch:
        total = totals.get(employee.pk, {"tk": 0, "minutes": 0})
        streaks = (
            tk_streaks(streak_days[employee.pk]) if employee.pk in streak_days else TkStreaks(0, 0)
        )
        yield EmployeeMonth(
            employee=employee,
            month=first,
            summary=month_summary(month_rows[employee.pk], employee.golongan, policy),
            year=year_standing(
                tk_days=total["tk"],
                minutes=total["minutes"],
                streaks=streaks,
                policy=policy,
            ),
            days=tuple(month_rows[employee.pk]),
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
                "unit": recap.employee.unit.code,
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
