"""Where an employee worked on a date: the stints of their placements (DOMAIN.md §2).

An employee moved to another unit (mutasi) keeps, for the days before the move, the unit they
were lived in: its calendar (holidays, special periods), its work pattern and its clock. Almost
nobody has moved within the dates read, so the present unit is the answer without a query
(:attr:`Employee.placed_since` says whether the dates reach before the present placement).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from django.db.models import Exists, OuterRef, Prefetch, Q

from hadir.org.models import Employee, Placement, Unit, UnitPattern

if TYPE_CHECKING:
    from hadir.schedules.models import WorkPattern


@dataclass(frozen=True)
class Stint:
    """Dates ``first`` to ``last`` of an employee spent in ``unit`` on ``pattern_code``."""

    first: date
    last: date
    unit: Unit
    pattern_code: str

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.unit.timezone)  # zoneinfo keeps one instance per zone

    def holds(self, day: date) -> bool:
        return self.first <= day <= self.last

    def dates(self) -> Iterable[date]:
        day = self.first
        while day <= self.last:
            yield day
            day += timedelta(days=1)


PLACEMENTS = Prefetch(
    "placements", queryset=Placement.objects.select_related("unit__default_pattern", "pattern")
)
"""``prefetch_related(PLACEMENTS)`` on employees read for many dates (an import's rows): their
stints then cost no query each."""


def moved_within(employee: Employee, first: date) -> bool:
    """Whether dates from ``first`` on reach before the employee's present placement."""
    return employee.placed_since is not None and first < employee.placed_since


def employee_stints(
    employee: Employee, first: date, last: date, earlier: Sequence[Placement] | None = None
) -> list[Stint]:
    """The stints covering ``first`` to ``last``, oldest first, cut to those dates.

    ``earlier`` are the employee's earlier placements ending on or after ``first``, when the
    caller has read them (:func:`earlier_placements`); else they are read here, and only when
    the dates reach before the present placement.
    """
    if not moved_within(employee, first):
        return _lived(first, last, employee.unit, employee.pattern)
    if earlier is None:
        # Read with the employee (PLACEMENTS, by a file's worth of rows), else here.
        prefetched = getattr(employee, "_prefetched_objects_cache", {}).get("placements")
        earlier = (
            list(prefetched)
            if prefetched is not None
            else earlier_placements([employee], first)[employee.pk]
        )
    stints: list[Stint] = []
    begins = first
    for placement in sorted(earlier, key=lambda p: p.until):
        end = min(last, placement.until)
        stints += _lived(begins, end, placement.unit, placement.pattern)
        begins = max(begins, placement.until + timedelta(days=1))
    begins = max(begins, employee.placed_since or first)
    return stints + _lived(begins, last, employee.unit, employee.pattern)


def _lived(first: date, last: date, unit: Unit, own: WorkPattern | None) -> list[Stint]:
    """The stints of ``first`` to ``last`` in ``unit``: on the person's ``own`` pattern, else
    on the unit's default of each date (a unit's new pattern is dated: the days before it keep
    the former one). No query unless the dates reach before the unit's present pattern."""
    if first > last:
        return []
    if own is not None:
        return [Stint(first, last, unit, own.code)]
    if unit.pattern_since is None or first >= unit.pattern_since:
        return [Stint(first, last, unit, unit.default_pattern.code)]
    stints: list[Stint] = []
    begins = first
    earlier = UnitPattern.objects.filter(unit=unit, until__gte=first).select_related("pattern")
    for former in earlier.order_by("until"):
        end = min(last, former.until)
        if begins <= end:
            stints.append(Stint(begins, end, unit, former.pattern.code))
        begins = max(begins, former.until + timedelta(days=1))
    if begins <= last:
        stints.append(Stint(begins, last, unit, unit.default_pattern.code))
    return stints


def earlier_placements(employees: Sequence[Employee], first: date) -> Mapping[int, list[Placement]]:
    """The earlier placements of ``employees`` ending on or after ``first``, by employee (one
    query, none when nobody moved since ``first``)."""
    moved = [e.pk for e in employees if moved_within(e, first)]
    found: dict[int, list[Placement]] = defaultdict(list)
    if moved:
        rows = (
            Placement.objects.filter(employee_id__in=moved, until__gte=first)
            .select_related("unit__default_pattern", "pattern")
            .order_by("until")
        )
        for placement in rows:
            found[placement.employee_id].append(placement)
    return found


def local_day(at: datetime, stints: Sequence[Stint]) -> date:
    """The date an instant fell on for the employee: on the clock of the unit they were in.

    A move between time zones leaves an instant that is one stint's date on its clock and the
    next stint's on the other's; the earlier stint's reading wins, as it was lived first.
    """
    for stint in stints:
        day = at.astimezone(stint.tz).date()
        if stint.holds(day):
            return day
    return at.astimezone(stints[-1].tz).date()


def clock_at(employee: Employee, at: datetime) -> ZoneInfo:
    """The clock the employee lived instant ``at`` by: their unit's then (a machine log of the
    days before a move between time zones is read on the former unit's clock)."""
    present = ZoneInfo(employee.unit.timezone)
    day = at.astimezone(present).date()
    if not moved_within(employee, day - timedelta(days=1)):
        return present
    stints = employee_stints(employee, day - timedelta(days=1), day + timedelta(days=1))
    return _clock_in(at, stints)


def days_and_clocks(
    employee: Employee, first: date, last: date, earlier: Sequence[Placement] | None = None
) -> tuple[tuple[datetime, datetime], Callable[[datetime], ZoneInfo]]:
    """The instants of the dates ``first`` to ``last`` (:func:`stints_span`) and the clock of
    each instant in them (:func:`clock_at`), the employee's placements read once for both
    (none when they did not move; ``earlier``: read by the caller for many spans)."""
    before, after = first - timedelta(days=1), last + timedelta(days=1)
    if not moved_within(employee, before):
        present = ZoneInfo(employee.unit.timezone)
        return employee.unit.days_span(first, last), lambda at: present
    if earlier is None:
        earlier = earlier_placements([employee], before)[employee.pk]
    around = employee_stints(employee, before, after, earlier)
    span = stints_span(employee_stints(employee, first, last, earlier))
    return span, lambda at: _clock_in(at, around)


def _clock_in(at: datetime, stints: Sequence[Stint]) -> ZoneInfo:
    """The clock of the stint holding the date ``at`` was lived on."""
    lived = local_day(at, stints)
    return next((s.tz for s in stints if s.holds(lived)), stints[-1].tz)


def clock_on(employee: Employee, day: date) -> ZoneInfo:
    """The clock of the unit the employee was in on ``day`` (a time written without an offset
    for that date is read on it)."""
    return ZoneInfo(unit_on(employee, day).timezone)


def unit_on(employee: Employee, day: date) -> Unit:
    """The unit the employee was in on ``day`` (no query unless they moved after it)."""
    if not moved_within(employee, day):
        return employee.unit  # nor the work pattern read, which a stint names
    return employee_stints(employee, day, day)[0].unit


def placed_in(unit: Unit, day: date) -> Q:
    """Employees who were in ``unit`` (or under it) on ``day``: a month belongs to the unit
    of its last day, so a move from the 1st takes the month before it nowhere."""
    present = Q(unit__path__startswith=unit.path) & (
        Q(placed_since__isnull=True) | Q(placed_since__lte=day)
    )
    # The earlier placement holding ``day``: the first to end on or after it.
    holding = Placement.objects.filter(until__gte=day).exclude(
        Exists(
            Placement.objects.filter(
                employee=OuterRef("employee"), until__gte=day, until__lt=OuterRef("until")
            )
        )
    )
    earlier = holding.filter(unit__path__startswith=unit.path).values("employee_id")
    return present | Q(pk__in=earlier)


def units_on(employees: Sequence[Employee], day: date) -> dict[int, Unit]:
    """The unit each of ``employees`` was in on ``day`` (one query for those who moved after
    it, none otherwise)."""
    earlier = earlier_placements(employees, day)
    return {e.pk: employee_stints(e, day, day, earlier.get(e.pk, []))[0].unit for e in employees}


def stints_span(stints: Sequence[Stint]) -> tuple[datetime, datetime]:
    """The instants from the first stint's first midnight to the last stint's last, each on
    its own unit's clock: the bounds of a query on the stints' stored instants."""
    first, last = stints[0], stints[-1]
    return first.unit.days_span(first.first, first.first)[0], last.unit.days_span(
        last.last, last.last
    )[1]
