"""Writes of materialised employee-days: refresh exactly the dates a change touched."""

from __future__ import annotations

import json
import multiprocessing
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from django.db import connection, connections, transaction
from django.utils import timezone

from hadir.common.bulk import EncodedJson, insert, read_rows, upsert, upsert_statement
from hadir.common.hot import Statement, batch
from hadir.common.locks import lock_employees, lock_statements
from hadir.org.models import Employee, Unit
from hadir.org.placements import Stint, earlier_placements, employee_stints, local_day, stints_span
from hadir.presence.models import Punch
from hadir.recap.evaluation import evaluate_dates, reasons_to_json
from hadir.recap.models import EmployeeDay, EmployeeMonthTally, StaleTally
from hadir.recap.tallies import (
    DAY_FIELDS,
    TALLY_FIELDS,
    StoredDay,
    TallyRow,
    mask_days,
    month_bounds,
    run_carried,
    tally_row,
    year_to_date,
)
from hadir.requests.models import Request, Status
from hadir.rules.day import Absence, DayFacts, DayResult, Waiver, evaluate_day
from hadir.rules.policy import Policy
from hadir.rules.schedule import ScheduleBook
from hadir.schedules import cache

ANALYZE_AFTER_ROWS = 100_000
SETTLE_CHUNK = 500
"""Employees whose marked months one transaction recounts: a Kanwil's recap or closing settles
tens of thousands, and their locks, one each, would not fit PostgreSQL's lock table at once."""
EXPLANATIONS_KEPT = 100_000
"""Distinct explanations a bulk evaluation keeps encoded for reuse (about 70 MB at most)."""
DAY_COLUMNS = ("employee", "date", "status", "working", "datang", "pulang", "tl_minutes",
               "psw_minutes", "tl_class", "psw_class", "meal", "reasons", "evaluated_at")  # fmt: skip
TALLY_COLUMNS = ("employee", "month", *TALLY_FIELDS, "evaluated_at")

MonthKey = tuple[int, date]
"""An employee id and the first day of a month."""


def days_refresh(*, employee: Employee, dates: Iterable[date]) -> dict[date, DayResult]:
    """Re-evaluate ``employee`` on ``dates`` (and only those) and store the results; mark the
    months they fall in for a recount (:class:`StaleTally`), which the next read of their
    tallies does.

    Dates outside the employee's attendance period are skipped: days before ``start`` are never
    evaluated. So are days still being lived on the unit's clock (:func:`still_lived`): a
    request approved for next week must not make them TK now, nor today's
    missing pulang count PSW4 in the month before the day is over. A row stored for one of
    them earlier is removed. The punches and requests are read under the writers' lock,
    so a writer that read them earlier cannot store its older verdict after this one.
    """
    dates = set(dates)
    coming = sorted(d for d in dates if still_lived(employee.unit, d))
    with transaction.atomic():
        # With the lock, the cache generation: a single date is evaluated with this process's
        # cached calendar, which must not undo a holiday saved in another process.
        *_, generation = batch([*lock_statements([employee.pk]), cache.GENERATION])
        cache.observe(generation[0][0])
        results = evaluate_dates(employee, sorted(dates - set(coming)))
        if results:
            batch(day_statements(employee, results.values()))
        if coming and EmployeeDay.objects.filter(employee=employee, date__in=coming).delete()[0]:
            marks = sorted({(employee.pk, day.replace(day=1)) for day in coming})
            batch(
                [upsert_statement(StaleTally, ("employee", "month"), ("employee", "month"), marks)]
            )
        return results


def still_lived(unit: Unit, day: date) -> bool:
    """Whether ``day`` is not over on ``unit``'s clock: a later date, or today before the
    presensi window closes. Such a day is evaluated for whoever asks (the check-in's answer,
    the live board) but not stored: stored at 07:10, today's missing pulang would count PSW4
    (and its 225 minutes) in the month's recap, the discipline list and the employee's own
    month until the check-out; ``finalize_days`` stores it once it is over."""
    now = timezone.localtime(timezone=ZoneInfo(unit.timezone))
    if day != now.date():
        return day > now.date()
    return now.hour * 60 + now.minute < cache.policy(day).window_end_min


def lived_until(unit: Unit) -> date:
    """The last date that is over on ``unit``'s clock: today once its presensi window has
    closed, else yesterday."""
    today = unit.today()
    return today if not still_lived(unit, today) else today - timedelta(days=1)


def day_statements(employee: Employee, results: Iterable[DayResult]) -> list[Statement]:
    """The writes that store evaluated days: the rows, and a mark on each month they fall in
    (for a :func:`~hadir.common.hot.batch`; the caller, :func:`days_refresh`, holds the
    employee's lock)."""
    now = timezone.now()
    rows = [_day_values(employee.pk, r, reasons_to_json(r.reasons), now) for r in results]
    marks = sorted({(employee.pk, row[1].replace(day=1)) for row in rows})
    return [
        upsert_statement(EmployeeDay, DAY_COLUMNS, ("employee", "date"), rows),
        upsert_statement(StaleTally, ("employee", "month"), ("employee", "month"), marks),
    ]


def tallies_settle(employee_ids: Iterable[int], *, until: date | None = None) -> int:
    """Recount the months marked stale for these employees (those up to ``until``'s month
    only, if given: a tally and its year-to-date figures depend on no later month), before
    their tallies are read.

    One query when nothing is marked (the usual read). Otherwise the marked employees are
    locked, :data:`SETTLE_CHUNK` per transaction, and only their marks are read again and
    deleted under the lock: a writer that marked a month before has committed its day by then,
    and one that marks it after waits for the lock and leaves a fresh mark. Returns the tallies
    written.
    """
    marked = sorted(
        set(_marks(sorted(set(employee_ids)), until).values_list("employee_id", flat=True))
    )
    written = 0
    for offset in range(0, len(marked), SETTLE_CHUNK):
        locked = marked[offset : offset + SETTLE_CHUNK]
        with transaction.atomic():
            lock_employees(locked)
            mine = _marks(locked, until)
            keys = set(mine.values_list("employee_id", "month"))
            mine.delete()
            written += months_refresh(keys)
    return written


def _marks(employee_ids: list[int], until: date | None) -> Any:
    marks = StaleTally.objects.filter(employee_id__in=employee_ids)
    return marks if until is None else marks.filter(month__lte=until)


def days_refresh_many(
    *,
    employees: Sequence[Employee],
    start: date,
    end: date,
    chunk: int = 1000,
    only: Mapping[int, set[date]] | None = None,
    analyze: bool = True,
) -> int:
    """Evaluate and store every employee-day from ``start`` to ``end`` for ``employees``, and
    the tallies of the months they fall in.

    Set-wise, per chunk of employees: the calendars of their units and the policies in a few
    queries, one query for punches, one for approved requests and bulk upserts, however many
    days.
    Days outside an employee's attendance period are skipped; with ``only`` (dates by employee
    id), so is every date not listed for the employee. A month evaluated whole is tallied from
    the results in memory; a month evaluated in part, from its stored days. Returns the rows
    written.
    """
    if not employees or end < start:
        return 0
    explained: dict[tuple[object, ...], EncodedJson] = {}
    written = 0
    for offset in range(0, len(employees), chunk):
        batch = list(employees[offset : offset + chunk])
        ids = [e.pk for e in batch]
        with transaction.atomic():
            # The lock comes before the reads: a writer that read the punches earlier cannot
            # then store its older verdict over this one (nor this one over a newer). The
            # calendars and policies too: a holiday saved while a month is evaluated has
            # refreshed the days of the chunks still to come, which must not undo it.
            lock_employees(ids)
            _periods_as_committed(batch)
            stints = _stints_of(batch, start, end)
            books, policies = _rules_in_force(stints, start, end)
            rows, tallies, partial = _evaluate_batch(
                batch, stints, only, books=books, policies=policies, explained=explained
            )
            if only is None:
                # Every date of the range is evaluated: replace the range's rows (a stored day
                # outside an employee's period goes too), cheaper than updating them in place.
                EmployeeDay.objects.filter(employee_id__in=ids, date__range=(start, end)).delete()
                insert(EmployeeDay, DAY_COLUMNS, rows)
            else:
                upsert(EmployeeDay, DAY_COLUMNS, ("employee", "date"), rows)
            tallies.update(_recount(partial))
            _store_tallies(tallies)
        written += len(rows)
    if analyze and written >= ANALYZE_AFTER_ROWS:
        # A month's evaluation rewrites millions of rows; fresh statistics keep the recap's
        # per-employee index scans from turning into sequential scans.
        days_analyze()
    return written


def _rules_in_force(
    stints: Mapping[int, list[Stint]], start: date, end: date
) -> tuple[dict[int, ScheduleBook], dict[date, Policy]]:
    """The schedule book of each unit of ``stints`` and the policy of each date, as committed now:
    not from this process's cache, which may be a few seconds old (an edit made by another
    process during a long evaluation)."""
    from hadir.schedules.selectors import unit_calendars, work_patterns

    units = {s.unit.pk: s.unit for each in stints.values() for s in each}
    patterns = work_patterns()
    books = {
        unit_id: ScheduleBook(patterns, holidays=holidays, special_periods=periods)
        for unit_id, (holidays, periods) in unit_calendars(list(units.values()), start, end).items()
    }
    return books, policies_for(start, end)


def days_as_they_stand(employees: Sequence[Employee], day: date) -> dict[int, DayResult]:
    """Each employee's ``day`` evaluated as it stands, not stored (a day still being lived),
    set-wise: the same few queries for any number of employees."""
    wanted = [e.pk for e in employees if e.attends_on(day)]
    if not wanted:
        return {}
    batch = list(  # with their patterns, read once (a stint names its pattern)
        Employee.objects.filter(pk__in=wanted).select_related("unit__default_pattern", "pattern")
    )
    stints = _stints_of(batch, day, day)
    books, policies = _rules_in_force(stints, day, day)
    punches, excuses = _punches_for(stints), _excuses_for(stints)
    results = {}
    for employee in batch:
        absences, waivers = excuses.get(employee.pk, ([], []))
        for stint in stints[employee.pk]:
            results[employee.pk] = evaluate_day(
                books[stint.unit.pk].get(stint.pattern_code, day),
                punches.get(employee.pk, {}).get(day, ()),
                tz=stint.tz,
                absences=absences,
                waivers=waivers,
                policy=policies[day],
            )
    return results


def _stints_of(batch: list[Employee], start: date, end: date) -> dict[int, list[Stint]]:
    """Each employee's stints over their dates from ``start`` to ``end`` (one query for those
    who moved in that time, none otherwise)."""
    earlier = earlier_placements(batch, start)
    return {
        e.pk: employee_stints(
            e, max(start, e.start), min(end, e.end) if e.end else end, earlier.get(e.pk, [])
        )
        for e in batch
    }


def _evaluate_batch(
    batch: list[Employee],
    stints: Mapping[int, list[Stint]],
    only: Mapping[int, set[date]] | None,
    *,
    books: Mapping[int, ScheduleBook],
    policies: Mapping[date, Policy],
    explained: dict[tuple[object, ...], EncodedJson],
) -> tuple[list[tuple[Any, ...]], dict[MonthKey, TallyRow], set[MonthKey]]:
    """The day rows of ``batch`` over their ``stints`` (punches and requests read in two
    queries), the tallies of the months evaluated whole, and the months evaluated in part (to
    recount from stored days).

    ``explained`` keeps each distinct explanation encoded once, across batches.
    """
    punches = _punches_for(stints)
    excuses = _excuses_for(stints)
    now = timezone.now()
    rows: list[tuple[Any, ...]] = []
    tallies: dict[MonthKey, TallyRow] = {}
    partial: set[MonthKey] = set()
    for employee in batch:
        absences, waivers = excuses.get(employee.pk, ([], []))
        own = punches.get(employee.pk, {})
        listed = only.get(employee.pk, set()) if only is not None else None
        months: dict[date, list[DayResult]] = defaultdict(list)
        for stint in stints[employee.pk]:
            book, code, tz = books[stint.unit.pk], stint.pattern_code, stint.tz
            for day in stint.dates():
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
                key = result.explanation_key
                reasons = explained.get(key)
                if reasons is None:
                    if len(explained) >= EXPLANATIONS_KEPT:
                        explained.clear()
                    reasons = explained[key] = EncodedJson(
                        json.dumps(reasons_to_json(result.reasons))
                    )
                rows.append(_day_values(employee.pk, result, reasons, now))
                months[day.replace(day=1)].append(result)
        for month, results in months.items():
            if len(results) == _period_days_in(employee, month):
                tallies[employee.pk, month] = tally_row(results)
            else:
                partial.add((employee.pk, month))
    return rows, tallies, partial


def days_refresh_parallel(
    *, employee_ids: Sequence[int], start: date, end: date, workers: int
) -> int:
    """:func:`days_refresh_many` for many employees, split between ``workers`` processes.

    For the nightly run and month-end evaluation on a server with more than one core: the
    evaluation is Python and holds one core, so a worker per core (each with its own database
    connection) shares the work with PostgreSQL. SQLite has one writer: there it runs in this
    process. Returns the rows written.
    """
    if workers <= 1 or connection.vendor != "postgresql" or len(employee_ids) < workers:
        return _refresh_ids((list(employee_ids), start, end), analyze=True)
    size = -(-len(employee_ids) // workers)
    parts = [
        (list(employee_ids[i : i + size]), start, end) for i in range(0, len(employee_ids), size)
    ]
    connections.close_all()  # each process opens its own; none may share this one's socket
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        written = sum(pool.map(_refresh_in_worker, parts))
    if written >= ANALYZE_AFTER_ROWS:
        days_analyze()
    return written


def _refresh_ids(part: tuple[list[int], date, date], *, analyze: bool) -> int:
    ids, start, end = part
    employees = Employee.objects.filter(pk__in=ids).select_related(
        "unit__default_pattern", "pattern"
    )
    return days_refresh_many(
        employees=list(employees.order_by("pk")), start=start, end=end, analyze=analyze
    )


def _refresh_in_worker(part: tuple[list[int], date, date]) -> int:
    """One worker's share, on its own connection (the parent analyses once at the end)."""
    _forget_inherited_connections()
    try:
        return _refresh_ids(part, analyze=False)
    finally:
        connections.close_all()


_INHERITED: list[object] = []


def _forget_inherited_connections() -> None:
    """In a forked worker: drop the connection objects copied from the parent, unclosed.

    They may hold the parent's socket or transaction state (a test server thread's, say);
    closing one here, or letting it be freed, would end the parent's session: they are kept
    until the worker exits (by ``os._exit``, which frees nothing). Each worker opens its own.
    """
    for conn in connections.all(initialized_only=True):
        _INHERITED.append(conn.connection)
        conn.connection = None
        conn.in_atomic_block = False
        conn.savepoint_ids = []
        conn.needs_rollback = False
        conn.closed_in_transaction = False
        conn.run_on_commit = []


def days_analyze() -> None:
    """Fresh statistics after a bulk write, so the recap's index scans stay index scans."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE recap_employeeday")
            cursor.execute("ANALYZE recap_employeemonthtally")


def _periods_as_committed(batch: list[Employee]) -> None:
    """The attendance periods as committed now, under the lock: a start corrected since the
    batch was read drops its days outside (after its commit, under this lock); days evaluated
    from the old start would land after that drop and stay."""
    periods = {
        pk: (start, end)
        for pk, start, end in Employee.objects.filter(pk__in=[e.pk for e in batch]).values_list(
            "pk", "start", "end"
        )
    }
    for employee in batch:
        employee.start, employee.end = periods.get(employee.pk, (employee.start, employee.end))


def days_drop_outside_period(employee: Employee) -> int:
    """Delete the employee's stored days outside their attendance period, and recount those
    months: after a corrected start or end, a TK day before the start must not count against
    the year. Returns the days deleted."""
    with transaction.atomic():
        lock_employees([employee.pk])
        employee.refresh_from_db(fields=["start", "end"])  # a later correction may have landed
        outside = EmployeeDay.objects.filter(employee=employee).exclude(
            date__range=(employee.start, employee.end or date.max)
        )
        months = {day.replace(day=1) for day in outside.values_list("date", flat=True)}
        if not months:
            return 0
        deleted, _ = outside.delete()
        months_refresh({(employee.pk, month) for month in months})
    return deleted


def months_refresh(keys: Iterable[MonthKey]) -> int:
    """Recount the tallies of these employee-months from their stored days (a query a month),
    and the year-to-date figures of the same employees' later months."""
    return _store_tallies(_recount(keys))


def _recount(keys: Iterable[MonthKey]) -> dict[MonthKey, TallyRow]:
    by_month: dict[date, set[int]] = defaultdict(set)
    for employee_id, month in keys:
        by_month[month].add(employee_id)
    counted: dict[MonthKey, TallyRow] = {}
    for month, ids in by_month.items():
        days: dict[int, list[DayFacts]] = {employee_id: [] for employee_id in ids}
        stored = EmployeeDay.objects.filter(
            employee_id__in=ids, date__range=(month, _month_end(month))
        ).values_list("employee_id", *DAY_FIELDS)
        for employee_id, *values in read_rows(stored):
            days[employee_id].append(StoredDay(*values))
        counted.update(((employee_id, month), tally_row(own)) for employee_id, own in days.items())
    return counted


def _store_tallies(fresh: Mapping[MonthKey, TallyRow]) -> int:
    """Write ``fresh`` tallies with their year-to-date figures, and rewrite those figures for
    the later months of the same years (one query a year to read what is stored), and of the
    next year when a December was rewritten: its open TK run goes on into January."""
    since: dict[tuple[int, int], date] = {}  # (employee, year): the first month to write
    for employee_id, month in fresh:
        key = (employee_id, month.year)
        since[key] = min(month, since.get(key, month))
    now = timezone.now()
    rows: list[tuple[Any, ...]] = []
    decembers: dict[int, TallyRow] = {}  # as rewritten here, by employee
    while since:
        year = min(year for _, year in since)
        firsts = {e: since.pop((e, y)) for e, y in list(since) if y == year}
        months = _year_tallies(list(firsts), year, fresh)
        before = date(year - 1, 12, 1)
        for employee_id, first in firsts.items():
            stored_december = months[employee_id].pop(before, None)
            carried = run_carried(before, decembers.pop(employee_id, stored_december))
            own = sorted(months[employee_id].items())
            for (month, _), row in zip(own, year_to_date(own, carried), strict=True):
                if month < first:
                    continue
                rows.append((employee_id, month, *(getattr(row, n) for n in TALLY_FIELDS), now))
                if month.month == 12:  # its open run goes on: the next year, from January
                    decembers[employee_id] = row
                    since[employee_id, year + 1] = date(year + 1, 1, 1)
    upsert(EmployeeMonthTally, TALLY_COLUMNS, ("employee", "month"), rows)
    return len(rows)


def _year_tallies(
    ids: list[int], year: int, fresh: Mapping[MonthKey, TallyRow]
) -> dict[int, dict[date, TallyRow]]:
    """Each employee's tallies of ``year`` and of the December before, as stored, with the
    ``fresh`` ones in their place."""
    months: dict[int, dict[date, TallyRow]] = defaultdict(dict)
    stored = EmployeeMonthTally.objects.filter(
        employee_id__in=ids, month__range=(date(year - 1, 12, 1), date(year, 12, 1))
    ).values_list("employee_id", "month", *TALLY_FIELDS)
    for employee_id, month, *values in read_rows(stored):
        months[employee_id][month] = TallyRow(*values)
    for (employee_id, month), row in fresh.items():
        if month.year == year:
            months[employee_id][month] = row
    return months


def _period_days_in(employee: Employee, month: date) -> int:
    """How many dates of ``month`` fall in the employee's attendance period."""
    first = max(month, employee.start)
    last = min(_month_end(month), employee.end) if employee.end else _month_end(month)
    return max((last - first).days + 1, 0)


def _month_end(month: date) -> date:
    return month_bounds(month)[1]


def _day_values(
    employee_id: int, result: DayResult, reasons: object, now: datetime
) -> tuple[Any, ...]:
    return (
        employee_id,
        result.day,
        result.status,
        result.working,
        result.datang.time().replace(microsecond=0) if result.datang else None,
        result.pulang.time().replace(microsecond=0) if result.pulang else None,
        result.tl_minutes,
        result.psw_minutes,
        result.tl_class,
        result.psw_class,
        result.meal,
        reasons,
        now,
    )


def policies_for(start: date, end: date) -> dict[date, Policy]:
    """The policy in force on each date from ``start`` to ``end``, read once per change.

    A policy changes only on the effective dates of its values, so each date takes the policy
    of the latest change on or before it: a few queries for a year of days, not one per day.
    """
    from hadir.schedules.models import PolicyValue
    from hadir.schedules.selectors import policy_as_of

    changes = sorted(
        set(
            PolicyValue.objects.filter(effective_from__lte=end)
            .order_by()
            .values_list("effective_from", flat=True)
        )
    )
    in_force: dict[date, Policy] = {}
    policies = {}
    for day in _dates(start, end):
        index = bisect_right(changes, day)
        since = changes[index - 1] if index else start
        if since not in in_force:
            in_force[since] = policy_as_of(since)
        policies[day] = in_force[since]
    return policies


def _dates(start: date, end: date) -> list[date]:
    return [start + timedelta(days=n) for n in range((end - start).days + 1)]


def _punches_for(stints: Mapping[int, list[Stint]]) -> dict[int, dict[date, list[datetime]]]:
    """Punches over each employee's ``stints``, by employee and local date (one query): every
    kept punch, those an import flagged as outside the window or the service period included,
    which the rules judge again as the employee's dates and clock now stand."""
    spans = [stints_span(each) for each in stints.values() if each]
    grouped: dict[int, dict[date, list[datetime]]] = defaultdict(lambda: defaultdict(list))
    if not spans:
        return grouped
    rows = Punch.objects.filter(
        employee_id__in=[pk for pk, each in stints.items() if each],
        at__gte=min(since for since, _ in spans),
        at__lt=max(until for _, until in spans),
    ).values_list("employee_id", "at")
    for employee_id, at in read_rows(rows):
        grouped[employee_id][local_day(at, stints[employee_id])].append(at)
    return grouped


def _excuses_for(
    stints: Mapping[int, list[Stint]],
) -> dict[int, tuple[list[Absence], list[Waiver]]]:
    """Approved requests overlapping each employee's ``stints``, as rules values (one query)."""
    from hadir.recap.evaluation import request_excuses

    grouped: dict[int, tuple[list[Absence], list[Waiver]]] = {}
    held = [each for each in stints.values() if each]
    if not held:
        return grouped
    rows = Request.objects.filter(
        employee_id__in=[pk for pk, each in stints.items() if each],
        status=Status.APPROVED,
        start__lte=max(each[-1].last for each in held),
        end__gte=min(each[0].first for each in held),
    ).only("employee_id", "reference", "code", "start", "end", "session")
    for request in rows:
        absences, waivers = grouped.setdefault(request.employee_id, ([], []))
        request_excuses(request, absences, waivers)
    return grouped


def days_ensure(
    *,
    employees: Sequence[Employee],
    start: date,
    end: date,
    spans: Mapping[int, tuple[date, date]] | None = None,
) -> int:
    """Evaluate the days in the range that nobody has evaluated yet (a day nobody touched is
    still a day: without punches it is TK once it has passed). Only days that are over
    (:func:`lived_until`);
    with ``spans``, only each employee's own dates within it (a queue of requests weeks apart
    evaluates the days around each request, not the weeks between).

    The month tallies' masks say which days are stored, so this reads one small row per
    employee-month, not every day.
    """
    end = min(end, timezone.localdate() + timedelta(days=1))  # no clock is further on
    if end < start or not employees:
        return 0
    over = lru_cache(maxsize=None)(lived_until)
    masks = {
        (employee_id, month): mask
        for employee_id, month, mask in EmployeeMonthTally.objects.filter(
            employee_id__in=[e.pk for e in employees], month__range=(start.replace(day=1), end)
        ).values_list("employee_id", "month", "evaluated_mask")
    }
    wanted = lru_cache(maxsize=None)(_wanted_mask)
    missing: dict[int, set[date]] = {}
    for employee in employees:
        own_start, own_end = spans[employee.pk] if spans else (start, end)
        first = max(start, own_start, employee.start)
        last = min(end, own_end, employee.end or end, over(employee.unit))
        month = first.replace(day=1)
        while month <= last:
            absent = wanted(month, first, last) & ~masks.get((employee.pk, month), 0)
            if absent:
                missing.setdefault(employee.pk, set()).update(
                    month + timedelta(days=day - 1) for day in mask_days(absent)
                )
            month = _month_end(month) + timedelta(days=1)
    if not missing:
        return 0
    people = Employee.objects.filter(pk__in=list(missing)).select_related(
        "unit__default_pattern", "pattern"
    )
    return days_refresh_many(
        employees=list(people.order_by("pk")),
        start=min(min(days) for days in missing.values()),
        end=max(max(days) for days in missing.values()),
        only=missing,
    )


def _wanted_mask(month: date, first: date, last: date) -> int:
    """The bits of the days of ``month`` from ``first`` to ``last``."""
    low = max(first, month)
    high = min(last, _month_end(month))
    return (1 << high.day) - (1 << (low.day - 1))
