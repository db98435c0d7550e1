"""Reads for presensi: an employee's allowed areas, their punches, the day's standing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import QuerySet

from hadir.org.models import Employee, Location, LocationGrant, Unit
from hadir.presence.models import Punch
from hadir.rules.day import DayResult, evaluate_day
from hadir.rules.geo import Area, Point
from hadir.schedules import cache


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
    return [_area(location) for location in locations]


def _granted_employees() -> frozenset[int]:
    """Who has at least one approved extra location."""
    approved = LocationGrant.objects.filter(status=LocationGrant.Status.APPROVED)
    return frozenset(approved.values_list("employee_id", flat=True).distinct())


def _areas_by_unit() -> dict[int, tuple[Area, ...]]:
    """Every active location by unit, each unit's in the model's order (by name)."""
    by_unit: dict[int, list[Area]] = {}
    for location in Location.objects.filter(active=True):
        by_unit.setdefault(location.unit_id, []).append(_area(location))
    return {unit_id: tuple(areas) for unit_id, areas in by_unit.items()}


def punches_on(employee: Employee, day: date) -> list[datetime]:
    """The instants of the employee's counting punches on ``day`` in the unit's time zone."""
    tz = ZoneInfo(employee.unit.timezone)
    start = datetime.combine(day, time.min, tzinfo=tz)
    return list(
        Punch.objects.filter(
            employee=employee, counts=True, at__gte=start, at__lt=start + timedelta(days=1)
        )
        .order_by("at")
        .values_list("at", flat=True)
    )


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


@dataclass(frozen=True)
class LiveRow:
    """One employee on the live board: when they arrived and how late, or not yet."""

    employee: Employee
    datang: datetime | None
    late_minutes: int
    late_class: int
    working: bool

    @property
    def state(self) -> str:
        if not self.working:
            return "off"
        if self.datang is None:
            return "absent"
        return "late" if self.late_minutes else "on_time"


def live_board(*, unit: Unit, employees: QuerySet[Employee], now: datetime) -> list[LiveRow]:
    """Today in ``unit`` (and below): who has checked in, who is late, who has not yet.

    One query for the employees and one for the day's punches, whatever the head count; the day
    of each employee is evaluated by the rules library against the cached schedule.
    """
    tz = ZoneInfo(unit.timezone)
    local_now = now.astimezone(tz)
    day = local_now.date()
    start = datetime.combine(day, time.min, tzinfo=tz)
    people = list(
        employees.select_related("unit", "pattern", "unit__default_pattern").order_by(
            "unit__name", "name"
        )
    )
    punches: dict[int, list[datetime]] = {}
    rows = (
        Punch.objects.filter(
            employee__in=[e.pk for e in people],
            counts=True,
            at__gte=start,
            at__lt=start + timedelta(days=1),
        )
        .order_by("at")
        .values_list("employee_id", "at")
    )
    for employee_id, at in rows:
        punches.setdefault(employee_id, []).append(at)
    policy = cache.policy(day)
    board = []
    for employee in people:
        if day < employee.start or (employee.end and day > employee.end):
            continue
        code = employee.effective_pattern_code
        schedule = cache.schedule(employee.unit, code, day)
        result = evaluate_day(
            schedule,
            punches.get(employee.pk, []),
            tz=ZoneInfo(employee.unit.timezone),
            policy=policy,
        )
        datang = result.datang
        board.append(
            LiveRow(
                employee=employee,
                datang=datang,
                late_minutes=result.tl_minutes if datang else 0,
                late_class=result.tl_class if datang else 0,
                working=schedule.working,
            )
        )
    return board
