"""Building a unit's monthly report in any export format (used by the command, the pages and
the background export jobs)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import QuerySet

from hadir.org.models import Employee, Role, RoleAssignment, Unit
from hadir.org.placements import placed_in
from hadir.recap import exports
from hadir.recap.models import PeriodClose
from hadir.recap.periods import signed_elsewhere
from hadir.recap.selectors import EmployeeMonth, daily_rows, month_bounds, recap_month

FORMATS = ("json", "csv", "xlsx", "pdf")
CONTENT_TYPES = {
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


@dataclass(frozen=True)
class Report:
    rows: list[dict[str, Any]]
    daily: bool
    unit: Unit | None
    month: date


@dataclass(frozen=True)
class Frozen:
    """What closings froze of a unit's month: all of it (``whole``: the unit, or one above it,
    is closed), or the part under closed units below it. One set of figures per employee-month:
    the first closing that froze someone keeps them, whoever closes later above it."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    daily: list[dict[str, Any]] = field(default_factory=list)
    closing: PeriodClose | None = None
    """The closing covering the unit (its own or one above it), if any."""
    closed: tuple[Unit, ...] = ()
    """The units below whose closings froze their part: nobody else of theirs is live."""

    @property
    def whole(self) -> bool:
        return self.closing is not None

    @property
    def nips(self) -> set[str]:
        return {row["nip"] for row in self.rows}


def frozen_of(unit: Unit | None, month: date) -> Frozen:
    """The frozen part of ``unit``'s ``month`` (``None``: of every unit): rows as they were at
    closing, of everyone who was under the unit then, those moved out since included."""
    from hadir.recap.periods import closed_period

    covering = closed_period(unit, month) if unit is not None else None
    if unit is not None and covering is not None:
        if covering.unit_id == unit.pk:  # all it froze, whatever was renamed or moved since
            return Frozen(covering.snapshot, covering.daily_snapshot, covering)
        # A unit under the one closed: its part of the snapshot, read off the rows' unit codes
        # (the snapshot keeps no ids; a code renamed since loses its rows here, not above).
        codes = set(Unit.objects.filter(path__startswith=unit.path).values_list("code", flat=True))
        return Frozen(
            rows=[row for row in covering.snapshot if row["unit"] in codes],
            daily=[row for row in covering.daily_snapshot if row["unit"] in codes],
            closing=covering,
        )
    rows: list[dict[str, Any]] = []
    daily: list[dict[str, Any]] = []
    below = PeriodClose.objects.filter(month=month.replace(day=1)).order_by("closed_at", "pk")
    if unit is not None:
        below = below.filter(unit__path__startswith=unit.path)
    taken: set[str] = set()
    closed: list[Unit] = []
    for closing in below.select_related("unit"):
        fresh = [row for row in closing.snapshot if row["nip"] not in taken]
        nips = {row["nip"] for row in fresh}
        taken |= nips
        rows += fresh
        daily += [row for row in closing.daily_snapshot if row["nip"] in nips]
        closed.append(closing.unit)
    return Frozen(rows=rows, daily=daily, closed=tuple(closed))


def live_recaps(
    *, employees: QuerySet[Employee], month: date, frozen: Frozen, days: bool = False
) -> list[EmployeeMonth]:
    """The recaps of ``employees`` whose month no closing froze."""
    return list(
        recap_month(employees=live_members(employees, month, frozen), month=month, days=days)
    )


def live_members(employees: QuerySet[Employee], month: date, frozen: Frozen) -> QuerySet[Employee]:
    """Those of ``employees`` whose month no closing froze: neither this unit's, nor one below
    it (someone entered there since counts where the unit signed), nor another unit's."""
    if frozen.whole:
        return employees.none()
    if frozen.rows:  # not recapped again only to be dropped
        employees = employees.exclude(nip__in=frozen.nips)
    first, last = month_bounds(month)
    for unit in frozen.closed:
        employees = employees.exclude(placed_in(unit, last))
    signed = signed_elsewhere(employees, first)
    if signed:
        employees = employees.exclude(nip__in=signed)
    return employees


def report_rows(
    *,
    employees: QuerySet[Employee],
    month: date,
    daily: bool,
    unit: Unit | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[dict[str, Any]]:
    """The recap rows of ``employees`` in ``unit``'s ``month``, in NIP order; where a closing
    froze the month (of the unit, above it or below it), the rows it froze. ``progress`` hears
    (people recapped, people to recap) as the live part is computed (a background export)."""
    frozen = frozen_of(unit, month)
    kept = frozen.daily if daily else frozen.rows
    if frozen.whole:
        return kept
    live_people = live_members(employees, month, frozen)
    total = live_people.count() if progress is not None else 0
    live: list[dict[str, Any]] = []
    for done, recap in enumerate(
        recap_month(employees=live_people, month=month, days=daily), start=1
    ):
        live.extend(daily_rows([recap]) if daily else [recap.as_dict()])
        if progress is not None:
            progress(done, total)
    if not kept:
        return live
    rows = kept + live
    rows.sort(key=lambda row: (row["nip"], row.get("date", "")))
    return rows


def render_report(report: Report, fmt: str) -> bytes:
    """The report's bytes in ``fmt`` (json, csv, xlsx, pdf)."""
    if fmt == "json":
        return exports.to_json(report.rows)
    if fmt == "csv":
        return exports.to_csv(report.rows, daily=report.daily)
    letter = _letter(report)
    if fmt == "xlsx":
        title = (
            f"Rekap {'harian' if report.daily else 'bulanan'} {letter['unit_name']} "
            f"{report.month:%Y-%m}"
        )
        return exports.to_xlsx(report.rows, daily=report.daily, title=title)
    return exports.to_pdf(
        report.rows,
        daily=report.daily,
        unit_name=letter["unit_name"],
        month=report.month,
        head_name=letter["head_name"],
        head_nip=letter["head_nip"],
        place=letter["place"],
        office_name=letter["office_name"],
        signed_on=month_bounds(report.month)[1],
        signed=report.unit is not None,
    )


def letter_of(unit: Unit | None) -> dict[str, str]:
    """What the letter of a report says of its unit now: its name, head, place and office."""
    head_name, head_nip = unit_head(unit)
    return {
        "unit_name": unit.name if unit else "Semua unit",
        "head_name": head_name,
        "head_nip": head_nip,
        "place": letter_place(unit),
        "office_name": office_of(unit).name if unit else "",
    }


def letters_under(unit: Unit) -> dict[str, dict[str, str]]:
    """:func:`letter_of` ``unit`` and of every unit below it, by id (frozen with a closing:
    each of them exports the closed month)."""
    return {
        str(each.pk): letter_of(each)
        for each in Unit.objects.filter(path__startswith=unit.path).order_by("pk")
    }


def _letter(report: Report) -> dict[str, str]:
    """The letter frozen with the report's closed month, else the unit's letter now."""
    from hadir.recap.periods import closed_period

    closing = closed_period(report.unit, report.month) if report.unit is not None else None
    frozen = closing.letter.get(str(report.unit.pk)) if closing and report.unit else None
    return dict(frozen) if frozen else letter_of(report.unit)


def unit_head(unit: Unit | None) -> tuple[str, str]:
    """The name and NIP of the unit's Pimpinan (for the signature block), if one is known."""
    if unit is None:
        return "", ""
    assignment = (
        RoleAssignment.objects.in_force()
        .filter(role=Role.LEADER, unit=unit, user__employee__isnull=False)
        .select_related("user__employee")
        .order_by("id")
        .first()
    )
    if assignment is None:
        return "", ""
    employee = assignment.user.employee
    return employee.name, employee.nip


def office_of(unit: Unit) -> Unit:
    """The nearest Kankemenag above (or at) ``unit``, whose name heads the letter."""
    ids = [int(part) for part in unit.path.strip("/").split("/") if part]
    return Unit.objects.filter(pk__in=ids, kind=Unit.Kind.KANKEMENAG).first() or unit


_REGION = re.compile(r"^.*?\b(?:Kabupaten|Kab\.|Kota|Provinsi|Prov\.)\s+", re.IGNORECASE)
_OFFICE = re.compile(
    r"^(?:Kantor\s+(?:Wilayah\s+)?Kementerian\s+Agama|Kanwil\s+Kemenag|Kankemenag|Kanwil|Kemenag)\s+",
    re.IGNORECASE,
)


def letter_place(unit: Unit | None) -> str:
    """Where the letter is signed: the regency or city of the nearest Kankemenag, as its name
    gives it after the office's words ("Kulon Progo" of "Kantor Kementerian Agama Kabupaten
    Kulon Progo")."""
    if unit is None:
        return ""
    name = office_of(unit).name.strip()
    region = _REGION.sub("", name, count=1)
    return region if region != name else _OFFICE.sub("", name, count=1)
