"""Importing punches: fingerprint-machine logs (ZKTeco attlog) and CSV files.

A bad file is refused whole with every problem listed; a good one is written in one transaction.
Rows already recorded (same employee, instant and source) are skipped, so importing the same log
twice records each punch once. Rows outside the presensi window are kept but flagged and do not
count, as DOMAIN.md §3 asks.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import QuerySet

from hadir.common.audit import audit_record
from hadir.common.locks import (
    first_line_past_limit,
    lock_employees,
    too_many_employees,
)
from hadir.common.tables import Problem, TableRefused
from hadir.org.models import Employee
from hadir.presence.models import Machine, MachinePin, Punch
from hadir.presence.services import punch_append
from hadir.recap.services import days_refresh
from hadir.schedules import cache

OUTSIDE_WINDOW = "OUTSIDE_WINDOW"
IMPORT_SOURCES = {"MACHINE": Punch.Source.MACHINE, "IMPORT": Punch.Source.IMPORT}


@dataclass(frozen=True)
class PunchRow:
    """One validated row, ready to append."""

    line: int
    employee: Employee
    at: datetime
    source: str
    latitude: Decimal | None = None
    longitude: Decimal | None = None


@dataclass
class PunchImportReport:
    recorded: int = 0
    duplicates: int = 0
    outside_window: int = 0
    dry_run: bool = False
    employees: set[int] = field(default_factory=set)

    def __str__(self) -> str:
        verb = "akan dicatat / would record" if self.dry_run else "dicatat / recorded"
        return (
            f"{verb}: {self.recorded}, duplikat dilewati / duplicates skipped: {self.duplicates}, "
            f"di luar rentang presensi (disimpan, tidak dihitung) / outside the window (kept, not counted): "
            f"{self.outside_window}"
        )


def punches_import(
    *,
    path: Path,
    machine: Machine | None = None,
    actor: Any | None = None,
    actor_label: str = "",
    dry_run: bool = False,
    employees: QuerySet[Employee] | None = None,
) -> PunchImportReport:
    """Import ``path``: CSV (``nip,time[,lat,lng,source]``) or, with a machine, its attlog.

    ``employees`` limits whom the file may record punches for (an operator's scope); anyone
    else reads as an unknown NIP or PIN, exactly like someone who does not exist.
    """
    scope = employees if employees is not None else Employee.objects.all()
    name = path.name
    if not path.is_file():
        raise TableRefused([Problem(name, 0, "", "berkas tidak ditemukan / file not found")])
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise TableRefused(
            [Problem(name, 0, "", "berkas bukan teks UTF-8 / not a UTF-8 text file")]
        ) from None
    if _looks_like_csv(text):
        rows = _csv_rows(name, text, scope)
    else:
        if machine is None:
            raise TableRefused(
                [
                    Problem(
                        name,
                        1,
                        "",
                        "log mesin (attlog) butuh --machine SERIAL / a machine log needs --machine",
                    )
                ]
            )
        rows = _attlog_rows(name, text, machine, scope)
    _check_closed_months(name, rows, actor)
    past = first_line_past_limit((row.line, row.employee.pk) for row in rows)
    if past is not None:
        raise TableRefused([Problem(name, past, "nip", too_many_employees())])
    return _record(
        rows, name=name, machine=machine, actor=actor, actor_label=actor_label, dry_run=dry_run
    )


def _unknown_nip(name: str, line: int, nip: str) -> Problem:
    """A NIP nobody in the importer's scope has (whether or not they exist elsewhere)."""
    return Problem(name, line, "nip", f"pegawai dengan NIP '{nip}' tidak ada / no such employee")


def _check_closed_months(name: str, rows: list[PunchRow], actor: Any) -> None:
    """Rows in a month closed for the employee's unit need an admin: refuse them, listed."""
    from hadir.recap.periods import PeriodClosed, period_guard

    user = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    problems = []
    for row in rows:
        local_day = row.at.astimezone(ZoneInfo(row.employee.unit.timezone)).date()
        try:
            period_guard(actor=user, employee=row.employee, dates=[local_day])
        except PeriodClosed as closed:
            problems.append(Problem(name, row.line, "time", str(closed)))
    if problems:
        raise TableRefused(problems)


def _looks_like_csv(text: str) -> bool:
    first = text.lstrip().splitlines()[0].lower() if text.strip() else ""
    return first.replace(" ", "").startswith("nip,") or first.replace(" ", "").startswith("nip;")


def _csv_rows(name: str, text: str, scope: QuerySet[Employee]) -> list[PunchRow]:
    first = text.splitlines()[0]
    reader = csv.DictReader(
        io.StringIO(text), delimiter=";" if ";" in first and "," not in first else ","
    )
    columns = {c.strip().lower() for c in (reader.fieldnames or [])}
    problems = [
        Problem(name, 1, c, "kolom wajib tidak ada / required column missing")
        for c in ("nip", "time")
        if c not in columns
    ]
    unknown = columns - {"nip", "time", "lat", "lng", "source"}
    problems += [
        Problem(name, 1, c, "kolom tidak dikenal / unknown column") for c in sorted(unknown)
    ]
    if problems:
        raise TableRefused(problems)
    raw = [
        (reader.line_num, {k.strip().lower(): (v or "").strip() for k, v in row.items() if k})
        for row in reader
    ]
    raw = [(line, values) for line, values in raw if any(values.values())]
    employees = {
        e.nip: e for e in scope.select_related("unit").filter(nip__in={v["nip"] for _, v in raw})
    }
    rows: list[PunchRow] = []
    for line, values in raw:
        employee = employees.get(values["nip"])
        if employee is None:
            problems.append(_unknown_nip(name, line, values["nip"]))
            continue
        at = _parse_time(values["time"], ZoneInfo(employee.unit.timezone))
        if at is None:
            problems.append(
                Problem(
                    name,
                    line,
                    "time",
                    f"waktu '{values['time']}' tidak valid; contoh 2024-03-04T07:12:00+07:00 / invalid time",
                )
            )
            continue
        source = values.get("source", "").upper() or "IMPORT"
        if source not in IMPORT_SOURCES:
            problems.append(
                Problem(
                    name, line, "source", f"sumber '{values['source']}' harus MACHINE atau IMPORT"
                )
            )
            continue
        try:
            lat = _coordinate(values.get("lat", ""), -90, 90)
            lng = _coordinate(values.get("lng", ""), -180, 180)
        except ValueError:
            lat = lng = None
            values["lat"] = "invalid"
        if values.get("lat") == "invalid" or (lat is None) != (lng is None):
            problems.append(
                Problem(
                    name,
                    line,
                    "lat,lng",
                    "koordinat tidak valid (isi keduanya, derajat desimal) / invalid coordinates",
                )
            )
            continue
        rows.append(PunchRow(line, employee, at, IMPORT_SOURCES[source], lat, lng))
    if problems:
        raise TableRefused(problems)
    if not rows:
        raise TableRefused(
            [Problem(name, 1, "", "berkas tidak berisi data / file has no data rows")]
        )
    return rows


def _attlog_rows(
    name: str, text: str, machine: Machine, scope: QuerySet[Employee]
) -> list[PunchRow]:
    """ZKTeco ``attlog.dat``: tab-separated PIN, ``YYYY-MM-DD HH:MM:SS``, then status columns."""
    pins = {
        p.pin: p.employee
        for p in MachinePin.objects.filter(machine=machine, employee__in=scope).select_related(
            "employee__unit"
        )
    }
    problems: list[Problem] = []
    rows: list[PunchRow] = []
    for line, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        tabbed = "\t" in raw
        parts = [p.strip() for p in raw.split("\t")] if tabbed else raw.split()
        # Tab-separated logs keep "date time" in one field; space-separated ones split it in two.
        when = parts[1] if tabbed and len(parts) >= 2 else " ".join(parts[1:3])
        if len(parts) < (2 if tabbed else 3) or not parts[0]:
            problems.append(
                Problem(
                    name, line, "", "baris tidak berisi PIN dan waktu / line lacks PIN and time"
                )
            )
            continue
        pin = parts[0]
        employee = pins.get(pin)
        if employee is None:
            problems.append(
                Problem(
                    name,
                    line,
                    "PIN",
                    f"PIN {pin} tidak dipetakan ke NIP untuk mesin {machine.serial}",
                )
            )
            continue
        at = _parse_time(when, ZoneInfo(employee.unit.timezone))
        if at is None:
            problems.append(
                Problem(name, line, "time", f"waktu '{when}' tidak valid / invalid time")
            )
            continue
        rows.append(PunchRow(line, employee, at, Punch.Source.MACHINE))
    if problems:
        raise TableRefused(problems)
    if not rows:
        raise TableRefused(
            [Problem(name, 1, "", "berkas tidak berisi data / file has no data rows")]
        )
    return rows


def _parse_time(text: str, tz: ZoneInfo) -> datetime | None:
    """ISO 8601 with an offset, or without one meaning the employee's unit time zone."""
    try:
        moment = datetime.fromisoformat(text.strip().replace(" ", "T", 1))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=tz)


def _coordinate(text: str, low: int, high: int) -> Decimal | None:
    """Decimal degrees within ``low``–``high``; None when blank; ValueError when invalid."""
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError(text) from None
    if not value.is_finite() or not low <= value <= high:
        raise ValueError(text)
    return value.quantize(Decimal("0.000001"))


def _record(
    rows: list[PunchRow],
    *,
    name: str,
    machine: Machine | None,
    actor: Any,
    actor_label: str,
    dry_run: bool,
) -> PunchImportReport:
    report = PunchImportReport(dry_run=dry_run)
    by_employee: dict[int, list[PunchRow]] = {}
    for row in rows:
        by_employee.setdefault(row.employee.pk, []).append(row)
    user = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    touched: dict[int, tuple[Employee, set[date]]] = {}
    with transaction.atomic():
        lock_employees(by_employee)  # all at once, in id order: two imports cannot deadlock
        for employee_id, employee_rows in by_employee.items():
            employee = employee_rows[0].employee
            times = [r.at for r in employee_rows]
            existing = set(
                Punch.objects.filter(
                    employee_id=employee_id, at__gte=min(times), at__lte=max(times)
                ).values_list("at", "source")
            )
            for row in sorted(employee_rows, key=lambda r: r.at):
                if (row.at, row.source) in existing:
                    report.duplicates += 1
                    continue
                existing.add((row.at, row.source))
                inside = _inside_window(row.at, employee)
                report.outside_window += 0 if inside else 1
                punch_append(
                    employee,
                    Punch(
                        employee=employee,
                        at=row.at,
                        source=row.source,
                        latitude=row.latitude,
                        longitude=row.longitude,
                        counts=inside,
                        flags="" if inside else OUTSIDE_WINDOW,
                        machine=machine,
                        recorded_by=user,
                    ),
                )
                report.recorded += 1
                report.employees.add(employee_id)
                touched.setdefault(employee_id, (employee, set()))[1].add(
                    row.at.astimezone(ZoneInfo(employee.unit.timezone)).date()
                )
        for employee, dates in touched.values():
            days_refresh(employee=employee, dates=dates)
        audit_record(
            actor=actor,
            actor_label=actor_label,
            action="presence.punches_import",
            summary=f"{name}: {report}",
            after={
                "file": name,
                "machine": machine.serial if machine else None,
                "recorded": report.recorded,
                "duplicates": report.duplicates,
                "outside_window": report.outside_window,
            },
        )
        if dry_run:
            transaction.set_rollback(True)
    return report


def _inside_window(at: datetime, employee: Employee) -> bool:
    local = at.astimezone(ZoneInfo(employee.unit.timezone))
    policy = cache.policy(local.date())
    minute = local.hour * 60 + local.minute
    return policy.window_start_min <= minute < policy.window_end_min


PIN_PATTERN = re.compile(r"[A-Za-z0-9]{1,20}")


def machine_pins_import(
    *, path: Path, machine: Machine, actor: Any, employees: QuerySet[Employee]
) -> str:
    """Replace ``machine``'s PIN map with ``path`` (CSV or Excel, columns ``pin,nip``).

    The file is the whole map of the operator's ``employees``, as the machine's own user list
    exports it: their PINs missing from it are unmapped. PINs of employees outside that scope
    (mapped by an admin or another unit's operator) stay, and the file may not take them over.
    Refused whole on any problem; a NIP outside the scope reads as unknown. Returns the report.
    """
    from hadir.accounts.services import normalise_nip
    from hadir.common.tables import read_table

    name = path.name
    rows = read_table(path, required={"pin", "nip"})
    nips = {normalise_nip(row.get("nip")) for row in rows}
    known = {e.nip: e for e in employees.filter(nip__in=nips)}
    problems: list[Problem] = []
    first_line: dict[str, int] = {}
    pins: list[MachinePin] = []
    for row in rows:
        pin, nip = row.get("pin"), normalise_nip(row.get("nip"))
        if not PIN_PATTERN.fullmatch(pin):
            problems.append(
                Problem(
                    name,
                    row.line,
                    "pin",
                    f"PIN '{pin}' harus 1–20 huruf atau angka / PIN must be 1-20 letters or digits",
                )
            )
            continue
        if pin in first_line:
            problems.append(
                Problem(
                    name,
                    row.line,
                    "pin",
                    f"PIN {pin} sudah ada di baris {first_line[pin]} / PIN {pin} already on line "
                    f"{first_line[pin]}",
                )
            )
            continue
        first_line[pin] = row.line
        employee = known.get(nip)
        if employee is None:
            problems.append(_unknown_nip(name, row.line, nip))
            continue
        pins.append(MachinePin(machine=machine, pin=pin, employee=employee))
    with transaction.atomic():
        # One replacement at a time per machine: a double-clicked form must not collide.
        Machine.objects.select_for_update().filter(pk=machine.pk).exists()
        theirs = set(machine.pins.exclude(employee__in=employees).values_list("pin", flat=True))
        problems += [
            Problem(
                name,
                first_line[pin.pin],
                "pin",
                f"PIN {pin.pin} milik pegawai di luar unit Anda / PIN {pin.pin} belongs to an "
                "employee outside your units",
            )
            for pin in pins
            if pin.pin in theirs
        ]
        if problems:
            raise TableRefused(sorted(problems, key=lambda p: p.line))
        mine = machine.pins.filter(employee__in=employees)
        before = mine.count()
        mine.delete()
        MachinePin.objects.bulk_create(pins)
        audit_record(
            actor=actor,
            action="presence.machine_pins_import",
            obj=machine,
            summary=f"{machine.serial}: {len(pins)} PIN ({before} sebelumnya) dari {name}",
            before={"pins": before},
            after={"pins": len(pins), "file": name},
        )
    return (
        f"{len(pins)} PIN dipetakan (sebelumnya {before}) / "
        f"{len(pins)} PINs mapped ({before} before)"
    )
