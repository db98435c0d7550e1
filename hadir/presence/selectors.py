"""Reads for presensi: an employee's allowed areas, their punches, the day's standing."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db import connection
from django.db.models import Q, QuerySet
from django.utils.translation import gettext

from hadir.common.bulk import read_sql
from hadir.common.i18n import current_lang
from hadir.org.models import Employee, Location, LocationGrant, Unit, attends_on
from hadir.org.placements import days_and_clocks, earlier_placements
from hadir.presence.models import Punch, Refusal
from hadir.rules.day import Absence, DayResult, Waiver, evaluate_day
from hadir.rules.explain import format_decimal
from hadir.rules.geo import Area, Point
from hadir.rules.schedule import Schedule
from hadir.schedules import cache
from hadir.schedules.models import WorkPattern

logger = logging.getLogger(__name__)


def _area(location: Location) -> Area:
    vertices = tuple(Point(float(lat), float(lng)) for lat, lng in (location.polygon or []))
    return Area(
        key=location.pk,
        name=location.name,
        centre=Point(float(location.latitude), float(location.longitude)),
        radius_m=float(location.radius_m),
        accuracy_tolerance_m=float(location.accuracy_tolerance_m),
        vertices=vertices,
    )


def allowed_areas(employee: Employee, *, fresh: bool = False) -> list[Area]:
    """The unit's active locations plus those granted to the employee and approved.

    Most employees have no extra location: who has one, and every unit's locations, come from
    the short-lived per-process cache (an operator's edit moves the cache generation, which a
    check-in reads under its lock: see :mod:`hadir.schedules.cache`), so most check-ins read
    no location at all.
    ``fresh`` reads past the cache: a check-in about to be refused asks again, so that an
    approval or a new location counts at once in every process.
    """
    if not fresh and employee.pk not in cache.cached(("granted",), _granted_employees):
        return list(cache.cached(("locations",), _areas_by_unit).get(employee.unit_id, ()))
    granted = LocationGrant.objects.filter(
        employee=employee, status=LocationGrant.Status.APPROVED
    ).values("location_id")
    own = Location.objects.filter(unit_id=employee.unit_id).values("pk")
    # A union of two indexed reads, not ``unit = … OR pk IN …``: PostgreSQL answers an OR
    # across the two only by scanning every location (and every unit, for the ordering).
    locations = Location.objects.filter(active=True, pk__in=own.union(granted))
    return [area for _location, area in _usable(locations)]


def _granted_employees() -> frozenset[int]:
    """Who has at least one approved extra location."""
    approved = LocationGrant.objects.filter(status=LocationGrant.Status.APPROVED)
    return frozenset(approved.values_list("employee_id", flat=True).distinct())


def _areas_by_unit() -> dict[int, tuple[Area, ...]]:
    """Every active location by unit, each unit's in the model's order (by name)."""
    by_unit: dict[int, list[Area]] = {}
    for location, area in _usable(Location.objects.filter(active=True)):
        by_unit.setdefault(location.unit_id, []).append(area)
    return {unit_id: tuple(areas) for unit_id, areas in by_unit.items()}


def _usable(locations: Iterable[Location]) -> Iterator[tuple[Location, Area]]:
    """Each location with its area, leaving out (and logging) one no check-in can be judged
    against: a broken row written past :meth:`Location.clean` (a bulk update, an old row) must
    not stop the check-ins of every unit, which share this cache."""
    for location in locations:
        try:
            area = _area(location)
        except (ValueError, TypeError):
            logger.exception("location %s cannot be a geofence; left out", location.pk)
            continue
        yield location, area


def day_standing(employee: Employee, day: date) -> DayResult:
    """The employee's day as it stands now (punches and approved requests), not stored."""
    from hadir.recap.evaluation import evaluate_dates

    results = evaluate_dates(employee, [day])
    if day in results:
        return results[day]
    # Outside the attendance period: the schedule alone, so the page can still show it.
    pattern_code = employee.effective_pattern_code
    schedule = cache.schedule(employee.unit, pattern_code, day)
    return evaluate_day(schedule, (), tz=ZoneInfo(employee.unit.timezone), policy=cache.policy(day))


ATTEMPTS_SHOWN = 50
"""The most check-in attempts shown for one request (a long absence may span many days)."""


@dataclass(frozen=True)
class Attempt:
    """A punch or a refused check-in, as the verifier deciding a complaint reads it."""

    at: datetime
    """In the employee's unit time zone."""
    recorded: bool
    how: str
    """The punch's source, or the refusal's reason."""
    place: str
    """The location (app) or machine the punch was taken at; empty for a refusal."""
    note: str
    """Why a kept punch counts for nothing, or the refusal's message as the employee read it."""


@dataclass
class Attempts:
    """An employee's attempts within some dates: the first :data:`ATTEMPTS_SHOWN`, and how
    many there were in all."""

    shown: list[Attempt] = field(default_factory=list)
    total: int = 0

    @property
    def more(self) -> int:
        return self.total - len(self.shown)


def attempts_within[K](spans: dict[K, tuple[Employee, date, date]]) -> dict[K, Attempts]:
    """For each span (employee, first date, last date), every punch and refused check-in of
    the employee on those dates of their unit's calendar, in time order: the evidence beside a
    complaint that the machine or the app failed. Two queries for any number of spans."""
    # On the clock of the unit each day was lived in (a move between time zones); the
    # placements of everyone who moved are read once for all the spans.
    since = min((first for _e, first, _l in spans.values()), default=date.max)
    employees = list({e.pk: e for e, _f, _l in spans.values()}.values())
    earlier = earlier_placements(employees, since - timedelta(days=1))
    measured = {
        key: days_and_clocks(employee, first, last, earlier.get(employee.pk, []))
        for key, (employee, first, last) in spans.items()
    }
    bounds = {key: span for key, (span, _clock) in measured.items()}
    within = Q()
    for key, (employee, _first, _last) in spans.items():
        start, end = bounds[key]
        within |= Q(employee_id=employee.pk, at__gte=start, at__lt=end)
    by_employee: dict[int, list[Attempt]] = defaultdict(list)
    if spans:
        punches = Punch.objects.filter(within).values_list(
            "employee_id", "at", "source", "location__name", "machine__name", "flags"
        )
        for employee_id, at, source, location, machine, flags in punches:
            by_employee[employee_id].append(_punch_attempt(at, source, location, machine, flags))
        refusals = Refusal.objects.filter(within).values_list(
            "employee_id", "at", "reason", "message"
        )
        reasons = dict(Refusal.Reason.choices)
        for employee_id, at, reason, message in refusals:
            by_employee[employee_id].append(
                Attempt(at, False, str(reasons.get(reason, reason)), "", message)
            )
    result = {}
    for key, (employee, _first, _last) in spans.items():
        (start, end), clock = measured[key]
        mine = sorted(
            (a for a in by_employee[employee.pk] if start <= a.at < end),
            key=lambda a: (a.at, not a.recorded),
        )
        result[key] = Attempts(
            shown=[replace(a, at=a.at.astimezone(clock(a.at))) for a in mine[:ATTEMPTS_SHOWN]],
            total=len(mine),
        )
    return result


def _punch_attempt(
    at: datetime, source: str, location: str | None, machine: str | None, flags: str
) -> Attempt:
    sources, reasons = dict(Punch.Source.choices), dict(Punch.Flag.choices)
    note = "; ".join(str(reasons.get(flag, flag)) for flag in flags.split(",") if flag)
    return Attempt(at, True, str(sources.get(source, source)), location or machine or "", note)


LIVE_FIELDS = ("pk", "nip", "name", "unit_id", "pattern_id", "start", "end")


@dataclass(frozen=True, slots=True)
class LivePerson:
    """What the board shows of an employee: a Kanwil's 100,000 without a model object each."""

    pk: int
    nip: str
    name: str
    unit: Unit
    pattern_id: int | None

    @property
    def unit_id(self) -> int:
        return self.unit.pk


@dataclass(frozen=True)
class LiveRow:
    """One employee on the live board: when they arrived and how late, or not yet, or excused
    (an approved absence such as DL, or a waived morning)."""

    employee: LivePerson
    datang: datetime | None
    late_minutes: int
    """As counted: capped, and a missing datang counts the most (DOMAIN.md §4)."""
    late_class: int
    working: bool
    excuse: str = ""
    """The approved request that excuses the morning (its label), or empty."""
    late_by: int = 0
    """Minutes after the start, as read off the clock (uncapped)."""
    punched: bool = False
    """Whether a punch the day's rule counts came today (one after the pivot is a pulang, not a
    datang; one outside the presensi window counts for nothing)."""
    closed: bool = False
    """Whether the presensi window has closed for the day: no punch can come any more."""
    present: bool = False
    """Whether the rules count the day as present (H) as it stands: with a punch, or with
    neither but an approved afternoon waiver (then the missing datang is the most late)."""

    @property
    def state(self) -> str:
        if not self.working:
            return "off"
        if self.excuse and (self.datang is None or not self.late_minutes):
            return "excused"
        if self.datang is None:
            # Came only after the pivot, or excused in the afternoon and the day is over:
            # present, counted as the most late.
            return "late" if self.punched or (self.closed and self.present) else "absent"
        return "late" if self.late_minutes else "on_time"


def live_board(*, employees: QuerySet[Employee], now: datetime) -> list[LiveRow]:
    """Today for ``employees`` (a unit and those below it): who has checked in, who is late, who has not yet, and
    who is excused by an approved request. "Today" is each employee's own unit's date.

    A few queries whatever the head count: the employees (as the few values the board shows, no
    model object each), their units and the pattern codes each read once and shared, the day's punches, its
    approved requests. Each employee's day is evaluated by the rules library against a schedule
    computed once per unit, pattern and date (a Kanwil's board: 100,000 people, about 2,000
    schedules); everyone with no punch and no request on the same schedule shares one
    evaluation (before the morning's check-ins, nearly all of them).
    """
    # The patterns and calendar come from this process's cache: drop it if another process
    # changed them, or a pattern made there (and read fresh below) would be missing here.
    cache.observe(cache.generation())
    units = _units_of(employees)
    codes = dict(WorkPattern.objects.values_list("pk", "code"))
    people, today = [], {}
    days = {unit.pk: now.astimezone(ZoneInfo(unit.timezone)).date() for unit in units.values()}
    listed = employees.order_by("unit__name", "name").values_list(*LIVE_FIELDS)
    for pk, nip, name, unit_id, pattern_id, start, end in listed:
        if attends_on(start, end, days[unit_id]):
            people.append(LivePerson(pk, nip, name, units[unit_id], pattern_id))
            today[pk] = days[unit_id]
    if not people:
        return []
    ids = employees.order_by().values("pk")
    punches = _punches_today(people, today)
    excuses = _excuses_today(ids, today)
    schedules: dict[tuple[int, str, date], Schedule] = {}
    nobody_came: dict[tuple[int, str, date], LiveRow] = {}
    rows = []
    for e in people:
        code = codes[e.pattern_id or e.unit.default_pattern_id]
        key = (e.unit_id, code, today[e.pk])
        if key not in schedules:
            schedules[key] = cache.schedule(e.unit, code, key[2])
        came, excused = punches.get(e.pk, []), excuses.get(e.pk)
        if came or excused:
            rows.append(_live_row(e, now, schedules[key], came, excused))
            continue
        if key not in nobody_came:
            nobody_came[key] = _live_row(e, now, schedules[key], [], None)
        rows.append(replace(nobody_came[key], employee=e))
    return rows


def _units_of(employees: QuerySet[Employee]) -> dict[int, Unit]:
    return {u.pk: u for u in Unit.objects.filter(pk__in=employees.order_by().values("unit_id"))}


def _punches_today(people: list[LivePerson], today: dict[int, date]) -> dict[int, list[datetime]]:
    """Each employee's counting punches of their own local date (its bounds as instants, so a
    Kanwil's 100,000 punches are compared, not each converted to local time)."""
    bounds, zones_days = {}, {}
    for e in people:
        zone_day = (e.unit.timezone, today[e.pk])
        if zone_day not in zones_days:
            start = datetime.combine(zone_day[1], time.min, tzinfo=ZoneInfo(zone_day[0]))
            zones_days[zone_day] = (start.astimezone(UTC), (start + timedelta(1)).astimezone(UTC))
        bounds[e.pk] = zones_days[zone_day]
    since = min(first for first, _ in zones_days.values())
    until = max(after for _, after in zones_days.values())
    punches: dict[int, list[datetime]] = {}
    for employee_id, at in _counting_punches(list(bounds), since, until):
        first, after = bounds[employee_id]
        if first <= at < after:
            punches.setdefault(employee_id, []).append(at)
    return punches


COUNTING_PUNCHES = """
SELECT employee_id, at FROM presence_punch
WHERE employee_id = ANY(%s) AND at >= %s AND at < %s ORDER BY at
"""


def _counting_punches(
    ids: list[int], since: datetime, until: datetime
) -> Iterable[tuple[int, datetime]]:
    """The punches of ``ids`` from ``since`` until ``until``: every kept one, as the day's
    evaluation reads them (the rules judge the window and the service period as they stand).

    On PostgreSQL as one array, which it reads by probing each employee's index: a Kanwil's
    100,000 in milliseconds per thousand, however many punches the table holds. Put as a join
    or a list of ids, that many made it scan every punch ever taken (10 M: one to four seconds,
    each minute the page is open). SQLite (development) takes the plain query.
    """
    if connection.vendor == "postgresql":
        return read_sql(COUNTING_PUNCHES, [ids, since, until])
    return (
        Punch.objects.filter(employee_id__in=ids, at__gte=since, at__lt=until)
        .order_by("at")
        .values_list("employee_id", "at")
    )


def _excuses_today(
    ids: QuerySet[Employee, Any], today: dict[int, date]
) -> dict[int, tuple[list[Absence], list[Waiver]]]:
    """Each employee's approved requests covering their own local date, as rules values."""
    from hadir.recap.evaluation import request_excuses
    from hadir.requests.models import Request, Status

    days = set(today.values())
    excuses: dict[int, tuple[list[Absence], list[Waiver]]] = {}
    requests = Request.objects.filter(
        employee__in=ids,
        status=Status.APPROVED,
        start__lte=max(days),
        end__gte=min(days),
    ).order_by("-created_at")
    for request in requests.only("employee_id", "reference", "code", "start", "end", "session"):
        day = today.get(request.employee_id)
        if day is not None and request.start <= day <= request.end:
            absences, waivers = excuses.setdefault(request.employee_id, ([], []))
            request_excuses(request, absences, waivers)
    return excuses


def _live_row(
    employee: LivePerson,
    now: datetime,
    schedule: Schedule,
    punches: list[datetime],
    excuses: tuple[list[Absence], list[Waiver]] | None,
) -> LiveRow:
    from hadir.requests.models import Code

    absences, waivers = excuses or ([], [])
    tz = ZoneInfo(employee.unit.timezone)
    policy = cache.policy(schedule.day)
    result = evaluate_day(
        schedule, punches, tz=tz, absences=absences, waivers=waivers, policy=policy
    )
    morning = next((w for w in result.waivers if w.pagi), None)
    excuse = result.absence.code if result.absence else morning.kind if morning else ""
    punched = result.datang is not None or result.pulang is not None
    closed = now.astimezone(tz).time() >= policy.window_end
    present = result.status == "H"
    counted = punched or (closed and present)
    return LiveRow(
        employee=employee,
        datang=result.datang,
        late_minutes=result.tl_minutes if counted else 0,
        late_class=result.tl_class if counted else 0,
        working=schedule.working,
        excuse=str(Code(excuse).label) if excuse else "",
        late_by=result.off_timetable(morning=True),
        punched=punched,
        closed=closed,
        present=present,
    )


LIVE_STATES = ("on_time", "late", "excused", "absent", "off")


@dataclass(frozen=True)
class LiveTally:
    """The live board's counts for a unit and everything below it."""

    unit: Unit
    counts: dict[str, int]


def live_tallies(board: list[LiveRow], unit: Unit, below: list[Unit]) -> list[LiveTally]:
    """The board counted for each unit directly ``below`` ``unit``, with everything below it
    (a Kanwil's head looks at their Kankemenag first, then opens one)."""
    depth = len(unit.ancestor_ids)
    rows_of: dict[int, list[LiveRow]] = {child.pk: [] for child in below}
    for row in board:
        ids = row.employee.unit.ancestor_ids
        if len(ids) > depth and ids[depth] in rows_of:
            rows_of[ids[depth]].append(row)
    return [LiveTally(child, live_counts(rows_of[child.pk])) for child in below]


@dataclass(frozen=True)
class LiveSummary:
    """What the live page shows of a unit: the counts, each unit below counted, and the names
    (all of them, or past ``names_at_most`` only the unit's own staff, whom no unit row leads
    to)."""

    at: datetime
    total: int
    counts: dict[str, int]
    tallies: list[LiveTally]
    names: list[LiveRow]


def live_summary(
    *,
    unit: Unit,
    employees: QuerySet[Employee],
    below: list[Unit],
    now: datetime,
    names_at_most: int,
) -> LiveSummary:
    board = live_board(employees=employees, now=now)
    names = (
        board
        if len(board) <= names_at_most or not below
        else [row for row in board if row.employee.unit_id == unit.pk]
    )
    return LiveSummary(now, len(board), live_counts(board), live_tallies(board, unit, below), names)


def live_counts(board: list[LiveRow]) -> dict[str, int]:
    counts = dict.fromkeys(LIVE_STATES, 0)
    for row in board:
        counts[row.state] += 1
    return counts


# ---------------------------------------------------------------- a refusal's words


def refusal_text(refusal: Refusal) -> str:
    """A refusal's message in the language of whoever reads it now: its words are kept as a
    source text with parameters. One kept before they were is shown as it was stored."""
    said = refusal.detail.get("said")
    return said_text(said) if isinstance(said, dict) else refusal.message


def said_text(said: dict[str, Any]) -> str:
    """Kept words said in the current language; a distance reads as that language writes it."""
    params = dict(said["params"])
    if "metres" in params:
        params["distance"] = distance_text(params.pop("metres"))
    return gettext(said["message"]) % params


def metres_outside(metres: float) -> int:
    """A distance outside an area in whole metres, never 0: "0 m away" is no reason for a
    refusal, and the verifier reading the evidence would take it for a fault."""
    return max(1, round(metres))


def distance_text(metres: float) -> str:
    """ "2,0 km" in Indonesian ("2.0" reads as two thousand there), "2.0 km" in English."""
    if metres < 1000:
        return f"{metres_outside(metres)} m"
    return format_decimal(f"{metres / 1000:.1f}", current_lang()) + " km"
