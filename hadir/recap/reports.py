"""Building a unit's monthly report in any export format (used by the command, the pages and
the background export jobs)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import QuerySet

from hadir.org.models import Employee, Role, RoleAssignment, Unit
from hadir.recap import exports
from hadir.recap.selectors import daily_rows, month_bounds, recap_month

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


def report_rows(
    *, employees: QuerySet[Employee], month: date, daily: bool, unit: Unit | None = None
) -> list[dict[str, Any]]:
    """The recap rows; for a closed month of ``unit``, the figures frozen at closing."""
    from hadir.recap.periods import closed_period

    closing = closed_period(unit, month) if unit is not None else None
    if closing is not None:
        nips = set(employees.values_list("nip", flat=True))
        frozen = closing.daily_snapshot if daily else closing.snapshot
        return [row for row in frozen if row["nip"] in nips]
    recaps = recap_month(employees=employees, month=month, days=daily)
    if daily:
        return list(daily_rows(recaps))
    return [recap.as_dict() for recap in recaps]


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
        RoleAssignment.objects.filter(role=Role.LEADER, unit=unit, user__employee__isnull=False)
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


def letter_place(unit: Unit | None) -> str:
    """Where the letter is signed: the regency of the nearest Kankemenag (``Sleman``)."""
    return office_of(unit).name.split()[-1] if unit is not None else ""
