"""Writes of materialised employee-days: refresh exactly the dates a change touched."""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.utils import timezone

from hadir.org.models import Employee
from hadir.presence.models import Punch
from hadir.recap.evaluation import evaluate_dates, reasons_to_json
from hadir.recap.models import EmployeeDay
from hadir.requests.models import Request, Status
from hadir.rules.day import Absence, DayResult, Waiver, evaluate_day
from hadir.rules.policy import Policy
from hadir.rules.schedule import ScheduleBook

ANALYZE_AFTER_ROWS = 100_000
UPDATED_FIELDS = [
    "status",
    "working",
    "datang",
    "pulang",
    "tl_minutes",
    "psw_minutes",
    "tl_class",
    "psw_class",
    "meal",
    "reasons",
    "evaluated_at",
]


def days_refresh(*, employee: Employee, dates: Iterable[date]) -> dict[date, DayResult]:
    """Re-evaluate ``employee`` on ``dates`` (and only those) and store the results.

    Dates outside the employee's attendance period are skipped: days before ``start`` are never
    evaluated.
    """
    results = evaluate_dates(employee, dates)
    now = timezone.now()
    rows = [_row(employee, result, now) for result in results.values()]
    with transaction.atomic():
        EmployeeDay.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["employee", "date"],
            update_fields=UPDATED_FIELDS,
        )
    return results


def days_refresh_many(
    *,
    employees: Sequence[Employee],
    start: date,
    end: date,
    chunk: int = 500,
    only: Mapping[int, set[date]] | None = None,
) -> int:
    """Evaluate and store every employee-day from ``start`` to ``end`` for ``employees``.

    Set-wise: the calendars of all their units in a few queries, then per chunk of employees
    one query for punches, one for approved requests and bulk upserts, however many days.
    Days outside an employee's attendance period are skipped; with ``only`` (dates by employee
    id), so is every date not listed for the employee. Returns the rows written.
    """
    from hadir.schedules import cache
    from hadir.schedules.selectors import unit_calendars

    if not employees or end < start:
        return 0
    units = {e.unit_id: e.unit for e in employees}
    patterns = cache.patterns()
    books = {
        unit_id: ScheduleBook(patterns, holidays=holidays, special_periods=periods)
        for unit_id, (holidays, periods) in unit_calendars(list(units.values()), start, end).items()
    }
    policies = policies_for(start, end)
    written = 0
    for offset in range(0, len(employees), chunk):
        batch = list(employees[offset : offset + chunk])
        punches = _punches_for(batch, start, end)
        excuses = _excuses_for(batch, start, end)
        now = timezone.now()
        rows = []
        for employee in batch:
            tz = ZoneInfo(employee.unit.timezone)
            book = books[employee.unit_id]
            code = (
                employee.pattern.code
                if employee.pattern is not None
                else employee.unit.default_pattern.code
            )
            absences, waivers = excuses.get(employee.pk, ([], []))
            own = punches.get(employee.pk, {})
            first = max(start, employee.start)
            last = min(end, employee.end) if employee.end else end
            listed = only.get(employee.pk, set()) if only is not None else None
            for day in _dates(first, last):
                if listed is not None and day not in listed:
                    continue
                result = evaluate_day(
                    book.get(code, day),
                    own.get(day, ()),
                    tz=tz,
                    absences=absences,
                    waivers=waivers,
                    policy=policies[day],
                )
                rows.append(_row(employee, result, now))
        with transaction.atomic():
            EmployeeDay.objects.bulk_create(
                rows,
                update_conflicts=True,
                unique_fields=["employee", "date"],
                update_fields=UPDATED_FIELDS,
                batch_size=2000,
            )
        written += len(rows)
    if written >= ANALYZE_AFTER_ROWS and connection.vendor == "postgresql":
        # A month's evaluation rewrites millions of rows; fresh statistics keep the recap's
        # per-employee index scans from turning into sequential scans.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE recap_employeeday")
    return written


def policies_for(start: date, end: date) -> dict[date, Policy]:
    """The policy in force on each date from ``start`` to ``end``, read once per change.

    A policy changes only on the effective dates of its values, so each date takes the policy
    of the latest change on or before it: a few queries for a year of days, not one per day.
    """
    from hadir.schedules import cache
    from hadir.schedules.models import PolicyValue

    changes = sorted(
        set(
            PolicyValue.objects.filter(effective_from__lte=end)
            .order_by()
            .values_list("effective_from", flat=True)
        )
    )
    policies = {}
    for day in _dates(start, end):
        index = bisect_right(changes, day)
        policies[day] = cache.policy(changes[index - 1] if index else start)
    return policies


def _dates(start: date, end: date) -> list[date]:
    return [start + timedelta(days=n) for n in range((end - start).days + 1)]


def _row(employee: Employee, result: DayResult, now: datetime) -> EmployeeDay:
    return EmployeeDay(
        employee=employee,
        date=result.day,
        status=result.status,
        working=result.working,
        datang=result.datang.time().replace(microsecond=0) if result.datang else None,
        pulang=result.pulang.time().replace(microsecond=0) if result.pulang else None,
        tl_minutes=result.tl_minutes,
        psw_minutes=result.psw_minutes,
        tl_class=result.tl_class,
        psw_class=result.psw_class,
        meal=result.meal,
        reasons=reasons_to_json(result.reasons),
        evaluated_at=now,
    )


def _punches_for(
    employees: list[Employee], start: date, end: date
) -> dict[int, dict[date, list[datetime]]]:
    """Counting punches of ``employees`` by employee and local date (one query)."""
    zones = {e.pk: ZoneInfo(e.unit.timezone) for e in employees}
    since = datetime.combine(start - timedelta(days=1), time.min, tzinfo=UTC)
    until = datetime.combine(end + timedelta(days=2), time.min, tzinfo=UTC)
    grouped: dict[int, dict[date, list[datetime]]] = defaultdict(lambda: defaultdict(list))
    rows = Punch.objects.filter(
        employee_id__in=list(zones), counts=True, at__gte=since, at__lt=until
    ).values_list("employee_id", "at")
    for employee_id, at in rows.iterator(chunk_size=20_000):
        grouped[employee_id][at.astimezone(zones[employee_id]).date()].append(at)
    return grouped


def _excuses_for(
    employees: list[Employee], start: date, end: date
) -> dict[int, tuple[list[Absence], list[Waiver]]]:
    """Approved requests of ``employees`` overlapping the range, as rules values (one query)."""
    from hadir.recap.evaluation import request_excuses

    grouped: dict[int, tuple[list[Absence], list[Waiver]]] = {}
    rows = Request.objects.filter(
        employee_id__in=[e.pk for e in employees],
        status=Status.APPROVED,
        start__lte=end,
        end__gte=start,
    ).only("employee_id", "reference", "code", "start", "end", "session")
    for request in rows:
        absences, waivers = grouped.setdefault(request.employee_id, ([], []))
        request_excuses(request, absences, waivers)
    return grouped


def days_ensure(*, employees: Sequence[Employee], start: date, end: date) -> int:
    """Evaluate the days in the range that have no stored row yet (a day nobody touched is
    still a day: without punches it is TK once it has passed). Only dates before today."""
    end = min(end, timezone.localdate() - timedelta(days=1))  # today is not over yet
    if end < start or not employees:
        return 0
    ids = [e.pk for e in employees]
    expected = {
        e.pk: set(_dates(max(start, e.start), min(end, e.end) if e.end else end)) for e in employees
    }
    stored: dict[int, set[date]] = defaultdict(set)
    for employee_id, day in (
        EmployeeDay.objects.filter(employee_id__in=ids, date__range=(start, end))
        .values_list("employee_id", "date")
        .iterator(chunk_size=20_000)
    ):
        stored[employee_id].add(day)
    missing = [e for e in employees if expected[e.pk] - stored[e.pk]]
    if not missing:
        return 0
    first = min(min(expected[e.pk] - stored[e.pk]) for e in missing)
    return days_refresh_many(employees=missing, start=first, end=end)
