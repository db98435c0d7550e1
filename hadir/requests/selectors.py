"""Reads for requests: an employee's list, their gaps, a verifier's queue with context."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import reduce
from operator import or_
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Q, QuerySet
from django.utils import timezone

from hadir.common.access import requests_to_verify
from hadir.org.models import Employee
from hadir.org.placements import unit_on
from hadir.recap.evaluation import evaluate_dates, reasons_text
from hadir.recap.models import EmployeeDay
from hadir.recap.services import days_as_they_stand, days_ensure, still_lived
from hadir.recap.tallies import DAY_FIELDS, StoredDay, month_bounds
from hadir.requests.models import Category, Request, Status
from hadir.rules.day import DayResult, session_of, session_sides
from hadir.rules.explain import Lang

GAP_CONTEXT_DAYS = 2


@dataclass(frozen=True)
class Gap:
    """A day with a missing punch or TK, and the request that would fix it."""

    day: DayResult
    code: str
    category: str
    session: str

    @property
    def date(self) -> date:
        return self.day.day


def open_period(today: date) -> tuple[date, date]:
    """The period whose gaps may still be fixed: this month and last month. A request about
    last month is accepted until the month is closed, which no day of the month fixes (the
    policy's ``recap.close_after_days`` is only the earliest): :func:`gaps` leaves out the days
    of a closed month."""
    last_month = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    return last_month, today


def month_days(employee: Employee, today: date) -> list[DayResult]:
    """Every evaluated day of the open period, oldest first, leaving out a month already
    closed for the unit: nothing can be asked about its days any more."""
    start, end = open_period(today)
    start = max(start, employee.start)
    dates = [start + timedelta(days=n) for n in range((end - start).days + 1)]
    closed = _closed_months(employee, {d.replace(day=1) for d in dates})
    return list(
        evaluate_dates(employee, [d for d in dates if d.replace(day=1) not in closed]).values()
    )


def gaps(employee: Employee, today: date, days: list[DayResult] | None = None) -> list[Gap]:
    """Days to fix: TK, or a missing datang/pulang, not already covered by a pending request
    (a pending waiver covers its own session only; an absence, the whole day), among ``days``
    (by default :func:`month_days`, which leaves out a closed month: a request there is refused).

    Today, until its presensi window closes, counts only for a missing datang once its pivot
    has passed: the pulang may still come, and so may the datang before the pivot.
    """
    days = days if days is not None else month_days(employee, today)
    pending = Request.objects.filter(
        employee=employee, status=Status.SUBMITTED, end__gte=days[0].day if days else today
    ).values_list("start", "end", "session")
    asked_pagi: set[date] = set()
    asked_sore: set[date] = set()
    for start, end, session in pending:
        pagi, sore = session_sides(session) if session else (True, True)
        dates = {start + timedelta(days=n) for n in range((end - start).days + 1)}
        asked_pagi |= dates if pagi else set()
        asked_sore |= dates if sore else set()
    now = timezone.localtime(timezone=ZoneInfo(employee.unit.timezone))
    found = []
    for day in days:
        open_pagi, open_sore = day.day not in asked_pagi, day.day not in asked_sore
        if not (open_pagi or open_sore) or not day.working:
            continue
        over = day.day < today or not still_lived(employee.unit, day.day)
        past_pivot = (
            over or day.pulang is not None or now.hour * 60 + now.minute >= day.schedule.pivot_min
        )
        missing_in = (
            open_pagi and day.status == "H" and day.datang is None and not day.tl_waived
        ) and past_pivot
        missing_out = (
            open_sore and day.status == "H" and day.pulang is None and not day.psw_waived
        ) and over
        if day.status == "TK" and over:
            # Present but unrecorded (machine or app failure) is a complaint for the whole day;
            # the page also offers the absence form (DL, cuti) for a day truly away.
            session = session_of(open_pagi, open_sore)
            found.append(Gap(day, "SISTEM_ERROR", Category.PENGADUAN, session))
        elif missing_in or missing_out:
            session = session_of(missing_in, missing_out)
            found.append(Gap(day, "SISTEM_ERROR", Category.PENGADUAN, session))
    return found


def my_requests(employee: Employee, category: str) -> QuerySet[Request]:
    return (
        Request.objects.filter(employee=employee, category=category)
        .select_related("evidence")
        .order_by("-created_at")
    )


def verification_queue(*, user: Any, status: str = Status.SUBMITTED) -> QuerySet[Request]:
    """Requests to verify, oldest first."""
    return (
        requests_to_verify(user)
        .filter(status=status)
        .select_related("employee__unit", "evidence")
        .order_by("submitted_at", "id")
    )


def _as_stored(result: DayResult) -> StoredDay:
    """A day evaluated as it stands, in the shape of a stored one."""
    return StoredDay(
        result.day,
        result.status,
        result.working,
        result.datang.time() if result.datang else None,
        result.pulang.time() if result.pulang else None,
        result.tl_minutes,
        result.psw_minutes,
        result.tl_class,
        result.psw_class,
        result.meal,
    )


def _closed_months(employee: Employee, months: set[date]) -> set[date]:
    """Those of ``months`` closed for the unit the employee was in at their end."""
    from hadir.recap.periods import closed_period

    return {m for m in months if closed_period(unit_on(employee, month_bounds(m)[1]), m)}


def days_around(requests: Sequence[Request], lang: Lang = "id") -> dict[int, list[dict[str, Any]]]:
    """For each request, the employee's days from two days before to two days after it.

    One pass for the whole list (past days without a stored row are evaluated and stored
    first), so the verification queue costs the same number of queries for 5 or 200 requests.
    Each day is ``{"day": <stored day>, "reasons": [text, ...]}``.
    """
    if not requests:
        return {}
    employees = list({r.employee_id: r.employee for r in requests}.values())
    spans: dict[int, tuple[date, date]] = {}
    for r in requests:
        first = r.start - timedelta(days=GAP_CONTEXT_DAYS)
        last = r.end + timedelta(days=GAP_CONTEXT_DAYS)
        known = spans.get(r.employee_id, (first, last))
        spans[r.employee_id] = (min(known[0], first), max(known[1], last))
    start, end = min(s for s, _ in spans.values()), max(e for _, e in spans.values())
    days_ensure(employees=employees, start=start, end=end, spans=spans)
    by_employee: dict[int, list[dict[str, Any]]] = defaultdict(list)
    own_days = reduce(or_, (Q(employee_id=pk, date__range=span) for pk, span in spans.items()))
    rows = EmployeeDay.objects.filter(own_days).order_by("date")
    for employee_id, reasons, *values in rows.values_list("employee_id", "reasons", *DAY_FIELDS):
        by_employee[employee_id].append(
            {"day": StoredDay(*values), "reasons": reasons_text(reasons, lang)}
        )
    # Today, asked about: until it is over, evaluated for the page, not stored (one pass for
    # everyone, by the date today is on each unit's clock).
    asked: dict[date, dict[int, Employee]] = defaultdict(dict)
    for r in requests:
        today = r.employee.unit.today()
        if r.start <= today <= r.end and still_lived(r.employee.unit, today):
            asked[today][r.employee_id] = r.employee
    for today, people in asked.items():
        for employee_id, result in days_as_they_stand(list(people.values()), today).items():
            by_employee[employee_id].append(
                {
                    "day": _as_stored(result),
                    "reasons": [r.text(lang) for r in result.reasons],
                    "open": True,  # not over: shown as it stands (requests/_days.html)
                }
            )
    around = {}
    for request in requests:
        first = request.start - timedelta(days=GAP_CONTEXT_DAYS)
        last = request.end + timedelta(days=GAP_CONTEXT_DAYS)
        around[request.pk] = [
            d for d in by_employee[request.employee_id] if first <= d["day"].day <= last
        ]
    return around
