"""Adapters between stored rows and the rules library: evaluate an employee's dates.

Everything an evaluation needs for a date range is read in a fixed number of queries (punches,
approved requests, holidays, special periods), whatever the range's length; the rules library
does the rest in memory.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, cast

from hadir.common import hot
from hadir.org.models import Employee
from hadir.org.placements import Stint, employee_stints, local_day, stints_span
from hadir.presence.models import Punch
from hadir.requests.models import Request, Status
from hadir.rules.day import Absence, AbsenceCode, DayResult, Waiver, WaiverKind, evaluate_day
from hadir.rules.day import Session as SessionCode
from hadir.rules.explain import Lang, Reason
from hadir.rules.schedule import Schedule, ScheduleBook
from hadir.schedules import cache, selectors


@dataclass(frozen=True)
class DayInputs:
    """What an evaluation of an employee's dates reads of their records: the counting punches
    by local date and the approved requests (as rules values)."""

    punches: dict[date, list[datetime]]
    absences: list[Absence]
    waivers: list[Waiver]

    def with_punch(self, day: date, at: datetime) -> DayInputs:
        """These inputs and a counting punch at ``at`` on ``day`` (one not stored yet)."""
        punches = {**self.punches, day: sorted([*self.punches.get(day, ()), at])}
        return DayInputs(punches, self.absences, self.waivers)


_REQUEST_FIELDS = ("id", "reference", "code", "start", "end", "session")
_REQUEST_COLUMNS = tuple((Request, name) for name in _REQUEST_FIELDS)
_PUNCH_COLUMNS = ((Punch, "at"),)


def inputs_statements(
    employee: Employee, start: date, end: date, stints: Sequence[Stint] | None = None
) -> list[hot.Statement]:
    """The reads of :class:`DayInputs` from ``start`` to ``end``, for a :func:`hot.batch`
    (hand-written, :mod:`hadir.common.hot`: every check-in evaluates its day through here);
    :func:`inputs_from` reads their rows. ``stints`` are the employee's over those dates,
    when the caller has them."""
    since, until = stints_span(stints or employee_stints(employee, start, end))
    return [
        hot.Statement(
            # Every kept punch, those an import flagged included: the rules judge the window
            # and the service period as they stand now (a start corrected since, a time zone).
            f"SELECT at FROM {Punch._meta.db_table}"  # noqa: S608
            " WHERE employee_id = %s AND at >= %s AND at < %s",
            [employee.pk, hot.value(Punch, "at", since), hot.value(Punch, "at", until)],
            _PUNCH_COLUMNS,
        ),
        hot.Statement(
            f"SELECT {hot.columns(Request, _REQUEST_FIELDS)}"  # noqa: S608
            f" FROM {Request._meta.db_table}"
            ' WHERE employee_id = %s AND status = %s AND start <= %s AND "end" >= %s'
            " ORDER BY created_at DESC",
            [
                employee.pk,
                Status.APPROVED,
                hot.value(Request, "start", end),
                hot.value(Request, "end", start),
            ],
            _REQUEST_COLUMNS,
        ),
    ]


def inputs_from(
    stints: Sequence[Stint], punch_rows: list[tuple[Any, ...]], request_rows: list[tuple[Any, ...]]
) -> DayInputs:
    """:class:`DayInputs` from the rows of :func:`inputs_statements`, in order, each punch on
    the date of the clock it was made under (``stints``: the employee's over the dates read)."""
    grouped: dict[date, list[datetime]] = defaultdict(list)
    for (at,) in punch_rows:
        grouped[local_day(at, stints)].append(at)
    absences: list[Absence] = []
    waivers: list[Waiver] = []
    for request in hot.built(Request, _REQUEST_FIELDS, request_rows):
        request_excuses(request, absences, waivers)
    return DayInputs(dict(grouped), absences, waivers)


def inputs_read(employee: Employee, stints: Sequence[Stint]) -> DayInputs:
    """:class:`DayInputs` of ``employee`` over ``stints``, in one round trip."""
    start, end = stints[0].first, stints[-1].last
    punch_rows, request_rows = hot.batch(inputs_statements(employee, start, end, stints))
    return inputs_from(stints, punch_rows, request_rows)


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


def evaluate_dates(
    employee: Employee, dates: Iterable[date], *, inputs: DayInputs | None = None
) -> dict[date, DayResult]:
    """The rules' verdict for each of ``dates`` within the employee's attendance period, from
    ``inputs`` when the caller has read them (they must cover the dates), else read here."""
    wanted = sorted(
        {d for d in dates if d >= employee.start and (employee.end is None or d <= employee.end)}
    )
    if not wanted:
        return {}
    stints = employee_stints(employee, wanted[0], wanted[-1])
    if inputs is None:
        inputs = inputs_read(employee, stints)
    results: dict[date, DayResult] = {}
    for stint in stints:
        schedule_of = _schedules(stint, single=len(wanted) == 1)
        for day in wanted:
            if stint.holds(day):
                results[day] = evaluate_day(
                    schedule_of(stint.pattern_code, day),
                    inputs.punches.get(day, ()),
                    tz=stint.tz,
                    absences=inputs.absences,
                    waivers=inputs.waivers,
                    policy=cache.policy(day),
                )
    return results


def _schedules(stint: Stint, *, single: bool) -> Callable[[str, date], Schedule]:
    """The schedule of a pattern on a date of ``stint``, in its unit."""
    unit = stint.unit
    if single:
        # The check-in path: one day, its schedule from the short-lived cache.
        def schedule_of(code: str, day: date) -> Schedule:
            return cache.schedule(unit, code, day)

        return schedule_of
    return ScheduleBook(
        cache.patterns(),
        holidays=selectors.holiday_dates(unit, stint.first, stint.last),
        special_periods=selectors.special_periods_for(unit, stint.first, stint.last),
    ).get


def reasons_to_json(reasons: tuple[Reason, ...]) -> list[dict[str, object]]:
    """The stored form of reasons."""
    return [{"code": r.code, "params": dict(r.params)} for r in reasons]


def reasons_text(stored: list[dict[str, object]], lang: Lang) -> list[str]:
    """Stored reasons rendered in a language."""
    return [Reason(str(r["code"]), tuple(dict(r["params"]).items())).text(lang) for r in stored]  # type: ignore[call-overload]
