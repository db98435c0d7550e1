"""Adapters between stored rows and the rules library: evaluate an employee's dates.

Everything an evaluation needs for a date range is read in a fixed number of queries (punches,
approved requests, holidays, special periods), whatever the range's length; the rules library
does the rest in memory.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import date, datetime, time, timedelta
from typing import cast
from zoneinfo import ZoneInfo

from hadir.common import hot
from hadir.org.models import Employee
from hadir.presence.models import Punch
from hadir.requests.models import Request, Status
from hadir.rules.day import Absence, AbsenceCode, DayResult, Waiver, WaiverKind, evaluate_day
from hadir.rules.day import Session as SessionCode
from hadir.rules.explain import Lang, Reason
from hadir.rules.schedule import Schedule, ScheduleBook
from hadir.schedules import cache, selectors


def approved_excuses(
    employee: Employee, start: date, end: date
) -> tuple[list[Absence], list[Waiver]]:
    """The employee's approved requests overlapping ``start``–``end``, as rules values.

    Hand-written (:mod:`hadir.common.hot`): every check-in evaluates its day through here.
    """
    absences: list[Absence] = []
    waivers: list[Waiver] = []
    fields = ("id", "reference", "code", "start", "end", "session")
    requests = hot.instances(
        Request,
        fields,
        f"SELECT {hot.columns(Request, fields)} FROM {Request._meta.db_table}"  # noqa: S608
        ' WHERE employee_id = %s AND status = %s AND start <= %s AND "end" >= %s'
        " ORDER BY created_at DESC",
        [
            employee.pk,
            Status.APPROVED,
            hot.value(Request, "start", end),
            hot.value(Request, "end", start),
        ],
    )
    for request in requests:
        request_excuses(request, absences, waivers)
    return absences, waivers


def request_excuses(request: Request, absences: list[Absence], waivers: list[Waiver]) -> None:
    """Append an approved request's absence, or its waiver for each date, to the lists."""
    if request.is_waiver:
        kind = cast(WaiverKind, request.code)
        session = cast(SessionCode, request.session)
        day = request.start
        while day <= request.end:
            waivers.append(Waiver(kind=kind, day=day, session=session, ref=request.reference))
            day += timedelta(days=1)
    else:
        code = cast(AbsenceCode, request.code)
        absences.append(
            Absence(code=code, start=request.start, end=request.end, ref=request.reference)
        )


def punches_by_date(employee: Employee, start: date, end: date) -> dict[date, list[datetime]]:
    """Counting punches from ``start`` to ``end`` grouped by local date (hand-written, as
    :func:`approved_excuses`)."""
    tz = ZoneInfo(employee.unit.timezone)
    since = datetime.combine(start, time.min, tzinfo=tz)
    until = datetime.combine(end + timedelta(days=1), time.min, tzinfo=tz)
    grouped: dict[date, list[datetime]] = defaultdict(list)
    rows = hot.fetch(
        Punch,
        ("at",),
        f"SELECT at FROM {Punch._meta.db_table}"  # noqa: S608
        " WHERE employee_id = %s AND counts = %s AND at >= %s AND at < %s",
        [employee.pk, True, hot.value(Punch, "at", since), hot.value(Punch, "at", until)],
    )
    for (at,) in rows:
        grouped[at.astimezone(tz).date()].append(at)
    return grouped


def evaluate_dates(employee: Employee, dates: Iterable[date]) -> dict[date, DayResult]:
    """The rules' verdict for each of ``dates`` within the employee's attendance period."""
    wanted = sorted(
        {d for d in dates if d >= employee.start and (employee.end is None or d <= employee.end)}
    )
    if not wanted:
        return {}
    start, end = wanted[0], wanted[-1]
    unit = employee.unit
    tz = ZoneInfo(unit.timezone)
    pattern_code = employee.effective_pattern_code
    schedule_of: Callable[[str, date], Schedule]
    if len(wanted) == 1:
        # The check-in path: one day, its schedule from the short-lived cache.
        def schedule_of(code: str, day: date) -> Schedule:
            return cache.schedule(unit, code, day)

    else:
        schedule_of = ScheduleBook(
            cache.patterns(),
            holidays=selectors.holiday_dates(unit, start, end),
            special_periods=selectors.special_periods_for(unit, start, end),
        ).get
    absences, waivers = approved_excuses(employee, start, end)
    punches = punches_by_date(employee, start, end)
    return {
        day: evaluate_day(
            schedule_of(pattern_code, day),
            punches.get(day, ()),
            tz=tz,
            absences=absences,
            waivers=waivers,
            policy=cache.policy(day),
        )
        for day in wanted
    }


def reasons_to_json(reasons: tuple[Reason, ...]) -> list[dict[str, object]]:
    """The stored form of reasons."""
    return [{"code": r.code, "params": dict(r.params)} for r in reasons]


def reasons_text(stored: list[dict[str, object]], lang: Lang) -> list[str]:
    """Stored reasons rendered in a language."""
    return [Reason(str(r["code"]), tuple(dict(r["params"]).items())).text(lang) for r in stored]  # type: ignore[call-overload]
