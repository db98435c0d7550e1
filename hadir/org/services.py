"""Writes to the organisation: units and employees, one by one or imported from SIMPEG files.

Imports validate the whole file first and write nothing unless every line is good, inside one
transaction, so an operator never ends up with half a migration.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models.functions import Upper
from django.utils.translation import gettext as _

from hadir.accounts.services import account_email_follow
from hadir.common.audit import audit_record
from hadir.common.i18n import rule_text
from hadir.common.tables import Problem, Row, TableRefused, read_table, table_date, unfit_text
from hadir.org.golongan import (
    employee_promote,
    golongan_since_unused,
    promotion_problem,
)
from hadir.org.models import (
    Employee,
    Location,
    LocationGrant,
    Placement,
    Role,
    RoleAssignment,
    Unit,
    UnitPattern,
)
from hadir.rules.golongan import parse_golongan
from hadir.rules.nip import InvalidNip, parse_nip
from hadir.schedules.models import WorkPattern

TIMEZONE_ALIASES = {
    "asia/jakarta": "Asia/Jakarta",
    "wib": "Asia/Jakarta",
    "asia/makassar": "Asia/Makassar",
    "wita": "Asia/Makassar",
    "asia/jayapura": "Asia/Jayapura",
    "wit": "Asia/Jayapura",
}
CODE_RE = re.compile(r"^[A-Za-z0-9_-]{1,40}$")


@dataclass
class ImportReport:
    """What an import did (or, in a dry run, would do)."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    grants_ended: int = 0
    moved: list[tuple[str, str]] = field(default_factory=list)
    """(NIP, first day in the new unit) of each move: the date decides the days it keeps."""
    promoted: list[tuple[str, str]] = field(default_factory=list)
    """(NIP, first day of the new golongan) of each promotion: the months before keep theirs."""
    repatterned: list[tuple[str, str]] = field(default_factory=list)
    """(unit code, first day of its new pattern): the days lived before keep the former."""
    roles_to_check: list[str] = field(default_factory=list)
    """Roles a moved employee still holds over units that no longer hold them (see
    :func:`roles_elsewhere`), named for whoever imported the move to check."""
    dry_run: bool = False

    def __str__(self) -> str:
        counts = {
            "created": len(self.created),
            "updated": len(self.updated),
            "unchanged": len(self.unchanged),
            "ended": self.grants_ended,
            "moved": len(self.moved),
            "promoted": len(self.promoted),
            "repatterned": len(self.repatterned),
            "roles": "; ".join(self.roles_to_check),
        }
        if self.dry_run:
            text = _(
                "would create: %(created)s, would update: %(updated)s, unchanged: %(unchanged)s"
            )
        else:
            text = _("created: %(created)s, updated: %(updated)s, unchanged: %(unchanged)s")
        if self.grants_ended and self.dry_run:
            text += _(", extra locations that would end by a move to another unit: %(ended)s")
        elif self.grants_ended:
            text += _(", extra locations ended by a move to another unit: %(ended)s")
        if self.moved:  # each dated by unit_since, else today: the days before keep the unit
            text += _(", moves (mutasi) dated: %(moved)s")
        if self.promoted:  # each dated by golongan_since, else today
            text += _(", new golongan dated: %(promoted)s")
        if self.repatterned:  # each dated by pattern_since, else today
            text += _(", new unit patterns dated: %(repatterned)s")
        if self.roles_to_check:
            text += _(", roles kept over another unit, to check: %(roles)s")
        return text % counts


def unit_path(unit: Unit) -> str:
    """The materialised ancestor path of ``unit`` (its parent's path plus its own id)."""
    prefix = unit.parent.path if unit.parent is not None else "/"
    return f"{prefix}{unit.pk}/"


def unit_paths_refresh(root: Unit) -> None:
    """Recompute the path of ``root`` and every unit below it (after a move)."""
    root.path = unit_path(root)
    root.save(update_fields=["path"])
    for child in root.children.all():
        unit_paths_refresh(child)


# ---------------------------------------------------------------- units


@dataclass
class _UnitLine:
    line: int
    code: str
    name: str
    kind: str
    parent: str
    timezone: str
    pattern: WorkPattern
    pattern_since: date | None = None


def units_import(
    *, path: Path, actor: Any | None = None, actor_label: str = "", dry_run: bool = False
) -> ImportReport:
    """Create or update units from ``code,name,kind,parent,timezone,pattern[,pattern_since]``.

    Parents may appear before or after their children in the file, or already exist. Another
    default pattern applies from ``pattern_since`` (today on the unit's clock when empty): the
    days lived before keep the former one (:func:`unit_pattern_change`).
    """
    rows = read_table(
        path,
        required={"code", "name", "kind", "parent", "timezone", "pattern"},
        optional={"pattern_since"},
    )
    lines = _validate_units(path.name, rows)
    report = ImportReport(dry_run=dry_run)
    with transaction.atomic():
        existing = {
            u.code: u
            for u in Unit.objects.select_for_update().filter(code__in=[ln.code for ln in lines])
        }
        problems = [
            Problem(path.name, ln.line, "pattern_since", problem)
            for ln in lines
            if (problem := _pattern_since_problem(existing.get(ln.code), ln, actor))
        ]
        if problems:
            raise TableRefused(problems)
        for ln in _parents_first(lines):
            unit = existing.get(ln.code)
            repatterned = unit is not None and unit.default_pattern_id != ln.pattern.pk
            if unit is not None and repatterned:
                since = ln.pattern_since or unit.today()
                unit_pattern_change(unit, pattern=ln.pattern, since=since)
                report.repatterned.append((ln.code, since.isoformat()))
            values = {
                "name": ln.name,
                "kind": ln.kind,
                "timezone": ln.timezone,
                "default_pattern": ln.pattern,
                "parent": Unit.objects.get(code=ln.parent) if ln.parent else None,
            }
            if unit is None:
                unit = Unit.objects.create(code=ln.code, **values)
                report.created.append(ln.code)
            elif repatterned or any(getattr(unit, k) != v for k, v in values.items()):
                for k, v in values.items():
                    setattr(unit, k, v)
                unit.save()
                report.updated.append(ln.code)
            else:
                report.unchanged.append(ln.code)
                continue
            unit_paths_refresh(unit)
        audit_record(
            actor=actor,
            actor_label=actor_label,
            action="org.units_import",
            summary=lambda: f"{path.name}: {report}",
            after={
                "file": path.name,
                "created": report.created,
                "updated": report.updated,
                "repatterned": report.repatterned,
            },
        )
        if dry_run:
            transaction.set_rollback(True)
    return report


def _pattern_since_problem(unit: Unit | None, line: _UnitLine, actor: Any) -> str | None:
    """Why a line's ``pattern_since`` (or the change it dates) is refused, if so."""
    if unit is None:
        if line.pattern_since:
            return _("a new unit has its pattern from its first day: leave pattern_since empty")
        return None
    return pattern_change_problem(unit, line.pattern, line.pattern_since, actor)


def pattern_change_problem(
    unit: Unit, pattern: WorkPattern, since: date | None, actor: Any
) -> str | None:
    """Why ``unit`` (as stored) cannot take the default ``pattern`` from ``since`` (None:
    today), if so: a date without another pattern, a date to come, a closed month."""
    from hadir.recap.periods import PeriodClosed, period_guard_calendar

    if unit.default_pattern_id == pattern.pk:
        if since and since != unit.pattern_since:  # restating the date recorded is fine
            return _("the pattern is unchanged: a pattern's date is given with its new pattern")
        return None
    since = since or unit.today()
    if unit.pattern_since is not None and since < unit.pattern_since:
        return _(
            "the present pattern applies since %(since)s; a new one cannot start before it"
        ) % {"since": f"{unit.pattern_since:%d-%m-%Y}"}
    if since > unit.today():
        return _("a new pattern is entered from its date on: %(since)s is still to come") % {
            "since": f"{since:%d-%m-%Y}"
        }
    try:  # the days from ``since`` change: none of them in a closed month
        period_guard_calendar(actor=actor, unit=unit, dates=_month_firsts(since, unit.today()))
    except PeriodClosed as closed:
        return str(closed)
    return None


def _month_firsts(first: date, last: date) -> list[date]:
    months, month = [], first.replace(day=1)
    while month <= last:
        months.append(month)
        month = (month + timedelta(days=32)).replace(day=1)
    return months


def unit_pattern_change(unit: Unit, *, pattern: WorkPattern, since: date) -> None:
    """Give ``unit`` (as stored) the default ``pattern`` from ``since``; the caller saves it.

    The days lived before ``since`` keep the former default (a :class:`UnitPattern` until the
    day before), for everyone on the unit's default whenever they were entered or moved in.
    A ``since`` on the present pattern's first day (or none before it) corrects that pattern's
    days instead. :func:`pattern_change_problem` must have found nothing.
    """
    if unit.pattern_since is None or since > unit.pattern_since:
        UnitPattern.objects.create(
            unit=unit, pattern_id=unit.default_pattern_id, until=since - timedelta(days=1)
        )
        unit.pattern_since = since
    unit.default_pattern = pattern
    unit._pattern_since = since  # type: ignore[attr-defined]  # the refresh starts there


def _validate_units(name: str, rows: list[Row]) -> list[_UnitLine]:
    problems: list[Problem] = []
    patterns = patterns_by_code()
    kinds = {k.value for k in Unit.Kind}
    seen: dict[str, int] = {}
    lines: list[_UnitLine] = []
    spell = unit_spelling([r.get("code") for r in rows] + [r.get("parent") for r in rows])
    for row in rows:

        def bad(column: str, reason: str, row: Row = row) -> None:
            problems.append(Problem(name, row.line, column, reason))

        code = spell(row.get("code"))
        if not CODE_RE.match(code):
            bad(
                "code",
                _("invalid code '%(code)s': letters, digits, - or _, at most 40") % {"code": code},
            )
        elif code in seen:
            bad(
                "code",
                _("code '%(code)s' already used on line %(line)s")
                % {"code": code, "line": seen[code]},
            )
        else:
            seen[code] = row.line
        unit_name = row.get("name")
        if not unit_name:
            bad("name", _("name is required"))
        for column, reason in unfit_text(row, Unit, ("name",)):
            bad(column, reason)
        kind = row.get("kind").upper()
        if kind not in kinds:
            bad(
                "kind",
                _("unknown kind '%(kind)s'; choices: %(choices)s")
                % {"kind": row.get("kind"), "choices": ", ".join(sorted(kinds))},
            )
        tz = TIMEZONE_ALIASES.get(row.get("timezone").lower())
        if tz is None:
            bad(
                "timezone",
                _("unknown time zone '%(timezone)s'; choices: %(choices)s")
                % {
                    "timezone": row.get("timezone"),
                    "choices": "Asia/Jakarta, Asia/Makassar, Asia/Jayapura",
                },
            )
        pattern = patterns.get(row.get("pattern").upper())
        if pattern is None:
            bad("pattern", _unknown_pattern(row.get("pattern"), patterns))
        since = table_date(row.get("pattern_since"), "pattern_since", bad, required=False)
        if pattern is not None and tz is not None and unit_name and kind in kinds:
            lines.append(
                _UnitLine(
                    row.line, code, unit_name, kind, spell(row.get("parent")), tz, pattern, since
                )
            )
    # Every line's parent is checked, also on lines with other problems: the operator gets the
    # whole list at once.
    in_file = {spell(row.get("code")) for row in rows}
    wanted = {spell(row.get("parent")) for row in rows if row.get("parent")}
    in_db = set(Unit.objects.filter(code__in=wanted).values_list("code", flat=True))
    for row in rows:
        parent = spell(row.get("parent"))
        if parent and parent not in in_file and parent not in in_db:
            problems.append(
                Problem(
                    name,
                    row.line,
                    "parent",
                    _("parent unit '%(code)s' not found") % {"code": parent},
                )
            )
        elif parent and parent == spell(row.get("code")):
            problems.append(
                Problem(
                    name,
                    row.line,
                    "parent",
                    _("a unit cannot be its own parent"),
                )
            )
    problems += _cycles(name, lines)
    if problems:
        raise TableRefused(sorted(problems, key=lambda p: (p.line, p.column)))
    return lines


def unit_spelling(typed: list[str]) -> Callable[[str], str]:
    """Each unit code as a unit already spells it, whatever the case it is typed in (``kua-a``
    is KUA-A: a LOWER() run over a spreadsheet must not make a twin unit, or send people to
    one), else as the file first spells it (one query)."""
    wanted = {code.upper() for code in typed if code}
    stored = Unit.objects.annotate(upper=Upper("code")).filter(upper__in=wanted)
    spelled = {code.upper(): code for code in stored.values_list("code", flat=True)}
    for code in typed:
        spelled.setdefault(code.upper(), code)
    return lambda code: spelled.get(code.upper(), code)


def _cycles(name: str, lines: list[_UnitLine]) -> list[Problem]:
    """Parent chains that loop back (a → b → a), within the file or through existing units."""
    parent_of = dict(Unit.objects.filter(parent__isnull=False).values_list("code", "parent__code"))
    # Every line, a root's too: made a root, a unit's stored parent no longer counts.
    parent_of.update({ln.code: ln.parent for ln in lines})
    problems = []
    for ln in lines:
        if ln.parent == ln.code:
            continue  # reported as its own parent already
        seen = {ln.code}
        current = parent_of.get(ln.code)
        while current:
            if current in seen:
                problems.append(
                    Problem(
                        name,
                        ln.line,
                        "parent",
                        _("the parent chain loops through '%(code)s'") % {"code": current},
                    )
                )
                break
            seen.add(current)
            current = parent_of.get(current)
    return problems


def _parents_first(lines: list[_UnitLine]) -> list[_UnitLine]:
    by_code = {ln.code: ln for ln in lines}
    ordered: list[_UnitLine] = []
    placed: set[str] = set()

    def place(ln: _UnitLine) -> None:
        if ln.code in placed:
            return
        if ln.parent in by_code:
            place(by_code[ln.parent])
        placed.add(ln.code)
        ordered.append(ln)

    for ln in lines:
        place(ln)
    return ordered


# ---------------------------------------------------------------- employees

EMPLOYEE_COLUMNS = {"nip", "name", "unit", "pattern", "golongan", "start"}
EMPLOYEE_OPTIONAL = {"email", "position", "end", "unit_since", "golongan_since"}
PLACED = ("unit", "pattern")
"""The fields a move (mutasi) changes from a date: :func:`employee_place`."""


def placement_problem(employee: Employee, unit: Unit, since: date) -> str | None:
    """Why ``employee`` (as stored) cannot be placed in ``unit`` from ``since``, if so."""
    if since > unit.today():
        return _("a move is entered from its date on: %(since)s is still to come in %(unit)s") % {
            "since": f"{since:%d-%m-%Y}",
            "unit": unit.code,
        }
    if employee.placed_since is not None and since < employee.placed_since:
        return _("the present unit applies since %(placed)s; a move cannot start before it") % {
            "placed": f"{employee.placed_since:%d-%m-%Y}"
        }
    return None


def placement_state(employee: Employee) -> dict[str, Any]:
    """What a move changes, for the audit trail."""
    return {
        "unit": employee.unit.code,
        "pattern": employee.pattern.code if employee.pattern else None,
        "placed_since": employee.placed_since.isoformat() if employee.placed_since else None,
    }


def new_since_problem(unit: Unit, since: date, start: date) -> str | None:
    """Why a new employee's ``unit_since`` is refused: after the first day of attendance it
    says they were elsewhere first (enter them there, then the move), or it is still to come."""
    if since <= start:  # no move: they count here from their first day (maybe to come)
        return None
    if since > unit.today():
        return placement_problem(Employee(placed_since=None, start=start), unit, since)
    if since > start:
        return _(
            "a new employee counts in this unit from %(start)s: a move on %(since)s needs "
            "the unit before it (import that first, then the move)"
        ) % {"start": f"{start:%d-%m-%Y}", "since": f"{since:%d-%m-%Y}"}
    return None


def since_unused(employee: Employee, since: date, start: date) -> str | None:
    """Why a move's date given without a move is refused, if it is: it names another first day
    in the present unit than the one recorded (a move entered without its date counts from the
    day it was entered; a date earlier than that cannot be honoured, and silence would leave
    the days between in the wrong unit). A date on or before the first day of attendance, for
    someone never moved, says nothing new."""
    placed = employee.placed_since
    if since == placed or (placed is None and since <= start):
        return None
    return _(
        "the unit and pattern are unchanged, in %(unit)s since %(since)s: a move's date is "
        "given with the move"
    ) % {"unit": employee.unit.code, "since": f"{placed or start:%d-%m-%Y}"}


def employee_place(
    employee: Employee, *, unit: Unit, pattern: WorkPattern | None, since: date
) -> None:
    """Put ``employee`` (as stored) in ``unit`` on ``pattern`` from ``since``; the caller saves.

    A move from a date after the present placement's first day keeps the days before it in
    the unit they were lived in (a :class:`Placement` until the day before); the days from
    ``since`` on are evaluated anew. A ``since`` on that first day (or before the attendance
    period) corrects the present placement: every day of it is evaluated anew.
    :func:`placement_problem` must have found nothing.
    """
    if since > (employee.placed_since or employee.start):
        Placement.objects.create(
            employee=employee,
            unit_id=employee.unit_id,
            pattern_id=employee.pattern_id,
            until=since - timedelta(days=1),
        )
        employee.placed_since = since
    employee.unit, employee.pattern = unit, pattern


def employees_import(
    *, path: Path, actor: Any | None = None, actor_label: str = "", dry_run: bool = False
) -> ImportReport:
    """Create or update employees from ``nip,name,unit,pattern,golongan,start[,email,position,
    end,unit_since,golongan_since]``. Another unit or pattern is a move from ``unit_since``
    (today on the new unit's clock when empty): :func:`employee_place`; another golongan is a
    promotion from ``golongan_since`` (today when empty): :func:`employee_promote`."""
    rows = read_table(path, required=EMPLOYEE_COLUMNS, optional=EMPLOYEE_OPTIONAL)
    values_by_nip = _validate_employees(path.name, rows)
    report = ImportReport(dry_run=dry_run)
    with transaction.atomic():
        existing = {
            e.nip: e
            # NO KEY: a check-in holding an employee's lock (hadir.common.locks) checks its
            # punch's foreign key at commit; a full FOR UPDATE here would deadlock with it.
            for e in Employee.objects.select_for_update(no_key=True).filter(
                nip__in=list(values_by_nip)
            )
        }
        problems: list[Problem] = []
        for nip, values in values_by_nip.items():
            employee = existing.get(nip)
            line, since = values.pop("line"), values.pop("unit_since")
            promoted_since = values.pop("golongan_since")
            if employee is None:
                problem = since and new_since_problem(values["unit"], since, values["start"])
                if problem:
                    problems.append(Problem(path.name, line, "unit_since", problem))
                    continue
                if promoted_since and promoted_since > values["start"]:
                    problems.append(
                        Problem(path.name, line, "golongan_since", new_golongan_problem(values))
                    )
                    continue
                Employee.objects.create(nip=nip, **values)
                report.created.append(nip)
                continue
            placed = {k: values.pop(k) for k in PLACED}
            moves = any(getattr(employee, k) != v for k, v in placed.items())
            golongan = values.pop("golongan")
            promotes = golongan != employee.golongan
            problem = (
                None if moves or since is None else since_unused(employee, since, values["start"])
            )
            rank_problem = (
                None
                if promotes or promoted_since is None
                else golongan_since_unused(employee, promoted_since, values["start"])
            )
            if (
                not problem
                and not rank_problem
                and not moves
                and not promotes
                and all(getattr(employee, k) == v for k, v in values.items())
            ):
                report.unchanged.append(nip)
                continue
            unit_before, email_before = employee.unit_id, employee.email
            for k, v in values.items():  # first: a move is compared with the row's start
                setattr(employee, k, v)
            if moves and not problem:
                since = since or placed["unit"].today()
                problem = placement_problem(employee, placed["unit"], since)
            if promotes and not rank_problem:
                promoted_since = promoted_since or placed["unit"].today()
                rank_problem = promotion_problem(employee, promoted_since, placed["unit"].today())
            if problem or rank_problem:
                problems += [
                    Problem(path.name, line, column, reason)
                    for column, reason in (
                        ("unit_since", problem),
                        ("golongan_since", rank_problem),
                    )
                    if reason
                ]
                continue
            if promotes:
                employee_promote(employee, golongan=golongan, since=promoted_since)
                report.promoted.append((nip, promoted_since.isoformat()))
            if moves:
                employee_place(
                    employee, unit=placed["unit"], pattern=placed["pattern"], since=since
                )
                report.moved.append((nip, since.isoformat()))
            employee.save()
            if employee.email != email_before:
                account_email_follow(employee=employee, actor=actor, actor_label=actor_label)
            if employee.unit_id != unit_before:
                report.grants_ended += location_grants_end(
                    employee=employee, actor=actor, actor_label=actor_label
                )
                report.roles_to_check += [f"{nip} {role}" for role in roles_elsewhere(employee)]
            report.updated.append(nip)
        if problems:
            raise TableRefused(problems)
        audit_record(
            actor=actor,
            actor_label=actor_label,
            action="org.employees_import",
            summary=lambda: f"{path.name}: {report}",
            after={
                "file": path.name,
                "created": report.created,
                "updated": report.updated,
                "moved": report.moved,
            },
        )
        if dry_run:
            transaction.set_rollback(True)
    return report


def _validate_employees(name: str, rows: list[Row]) -> dict[str, dict[str, Any]]:
    problems: list[Problem] = []
    spell = unit_spelling([r.get("unit") for r in rows])
    units = {u.code: u for u in Unit.objects.filter(code__in={spell(r.get("unit")) for r in rows})}
    patterns = patterns_by_code()
    seen: dict[str, int] = {}
    result: dict[str, dict[str, Any]] = {}
    for row in rows:
        row_problems: list[Problem] = []

        def bad(
            column: str, reason: str, row: Row = row, sink: list[Problem] = row_problems
        ) -> None:
            sink.append(Problem(name, row.line, column, reason))

        nip_info = None
        try:
            nip_info = parse_nip(row.get("nip"))
        except InvalidNip as error:
            bad("nip", rule_text(error))
        if nip_info is not None and nip_info.number in seen:
            bad(
                "nip",
                _("NIP %(nip)s already on line %(line)s")
                % {"nip": nip_info.number, "line": seen[nip_info.number]},
            )
        elif nip_info is not None:
            seen[nip_info.number] = row.line
        if not row.get("name"):
            bad("name", _("name is required"))
        for column, reason in unfit_text(row, Employee, ("name", "position", "email")):
            bad(column, reason)
        unit = units.get(spell(row.get("unit")))
        if unit is None:
            bad("unit", _("unit '%(code)s' not found") % {"code": row.get("unit")})
        pattern = None
        if row.get("pattern"):
            pattern = patterns.get(row.get("pattern").upper())
            if pattern is None:
                bad("pattern", _unknown_pattern(row.get("pattern"), patterns))
        golongan = None
        try:
            golongan = parse_golongan(row.get("golongan"))
        except ValueError as error:
            bad("golongan", rule_text(error))
        if golongan is not None and nip_info is not None and golongan.kind != nip_info.kind:
            bad(
                "golongan",
                _("golongan %(golongan)s is %(kind)s, but the NIP is %(nip_kind)s")
                % {"golongan": golongan.text, "kind": golongan.kind, "nip_kind": nip_info.kind},
            )
        start = table_date(row.get("start"), "start", bad)
        end = table_date(row.get("end"), "end", bad, required=False)
        unit_since = table_date(row.get("unit_since"), "unit_since", bad, required=False)
        golongan_since = table_date(
            row.get("golongan_since"), "golongan_since", bad, required=False
        )
        if start and end and end < start:
            bad(
                "end",
                _("end date %(end)s before start date %(start)s") % {"end": end, "start": start},
            )
        if nip_info is not None:
            dates = (
                ("start", start),
                ("end", end),
                ("unit_since", unit_since),
                ("golongan_since", golongan_since),
            )
            for column, day in dates:
                if day is not None and day < nip_info.birth_date:  # Excel's 1900, a year typo
                    bad(
                        column,
                        _("%(date)s is before the birth date in the NIP (%(born)s)")
                        % {"date": day, "born": nip_info.birth_date},
                    )
        email = row.get("email")
        if email:
            try:
                validate_email(email)
            except ValidationError:
                bad("email", _("invalid e-mail address '%(email)s'") % {"email": email})
        problems += row_problems
        if not row_problems and nip_info is not None and golongan is not None and unit is not None:
            result[nip_info.number] = {
                "name": row.get("name"),
                "kind": nip_info.kind,
                "golongan": golongan.text,
                "unit": unit,
                "pattern": pattern,
                "start": start,
                "end": end,
                "email": email,
                "position": row.get("position"),
                "unit_since": unit_since,
                "golongan_since": golongan_since,
                "line": row.line,
            }
    if problems:
        raise TableRefused(problems)
    return result


def new_golongan_problem(values: dict[str, Any]) -> str:
    """Why a new employee's ``golongan_since`` after their first day is refused: the months
    before it would need the golongan held then, which the row does not give."""
    return _(
        "a new employee holds %(golongan)s from %(start)s: enter them with the former golongan "
        "first, then the promotion"
    ) % {"golongan": values["golongan"], "start": f"{values['start']:%d-%m-%Y}"}


def patterns_by_code() -> dict[str, WorkPattern]:
    """Work patterns by their code in capitals, as a spreadsheet's column is looked up: an
    operator types "kantor_5h", and an admin may have saved a code in small letters."""
    return {p.code.upper(): p for p in WorkPattern.objects.all()}


def _unknown_pattern(code: str, patterns: dict[str, WorkPattern]) -> str:
    """Why a work pattern column naming no pattern is refused."""
    return _("unknown work pattern '%(pattern)s'; choices: %(choices)s") % {
        "pattern": code,
        "choices": ", ".join(sorted(p.code for p in patterns.values())),
    }


# ---------------------------------------------------------------- locations


def location_save(
    *, actor: Any, unit: Unit, values: dict[str, Any], location: Location | None = None
) -> Location:
    """Create or change a unit's check-in location (operators, on the map page)."""
    with transaction.atomic():
        # As stored: the page's form has already written the new values into ``location``.
        stored = (
            Location.objects.select_for_update().filter(pk=location.pk).first()
            if location is not None and location.pk
            else None
        )
        before = _location_snapshot(stored) if stored is not None else None
        location = location or Location(unit=unit)
        for key, value in values.items():
            setattr(location, key, value)
        location.full_clean()
        location.save()
        audit_record(
            actor=actor,
            action="org.location_save",
            obj=location,
            summary=f"{unit.code}: {location.name}",
            before=before,
            after=_location_snapshot(location),
        )
    return location


def _location_snapshot(location: Location) -> dict[str, Any]:
    return {
        "name": location.name,
        "latitude": str(location.latitude),
        "longitude": str(location.longitude),
        "radius_m": location.radius_m,
        "accuracy_tolerance_m": location.accuracy_tolerance_m,
        "polygon": location.polygon,
        "active": location.active,
    }


def location_grant_request(
    *, actor: Any, employee: Employee, location: Location, reason: str
) -> LocationGrant:
    """Ask for an extra check-in location for ``employee``; it counts once approved.

    Asking again for a location already granted or awaiting a decision changes nothing: it
    must not take back an approval.
    """
    with transaction.atomic():
        # The row is locked whatever its status: an operator approving a rejected request at
        # this moment must not be overwritten back to "requested".
        grant, created = LocationGrant.objects.select_for_update().get_or_create(
            employee=employee, location=location, defaults={"requested_by": actor}
        )
        if not created and grant.status in (
            LocationGrant.Status.APPROVED,
            LocationGrant.Status.REQUESTED,
        ):
            return grant
        before = None if created else _grant_state(grant)
        grant.status = LocationGrant.Status.REQUESTED
        grant.reason, grant.requested_by = reason[:300], actor
        grant.decided_by = grant.decided_at = None
        grant.save()
        audit_record(
            actor=actor,
            action="org.location_grant_request",
            obj=grant,
            summary=f"{employee.nip} → {location.name}",
            before=before,
            after=_grant_state(grant),
        )
    return grant


def _grant_state(grant: LocationGrant) -> dict[str, Any]:
    """What an audit row keeps of a grant: its status, reason and who decided it when."""
    return {
        "status": grant.status,
        "reason": grant.reason,
        "decided_by": grant.decided_by_id,
        "decided_at": grant.decided_at.isoformat() if grant.decided_at else None,
    }


def roles_elsewhere(employee: Employee) -> list[str]:
    """The roles the employee's account holds over units that do not hold their unit, as
    "Verifikator KUA-MLATI". A move keeps them: none can be ended by rule (a Pengawas rightly
    supervises sibling madrasah), so they are named to whoever made the move, to check."""
    if employee.user_id is None:
        return []
    held = (
        RoleAssignment.objects.in_force()
        .filter(user_id=employee.user_id)
        .exclude(role=Role.ADMIN)
        .select_related("unit")
        .order_by("role", "unit__code")
    )
    return [
        f"{role.get_role_display()} {role.unit.code}"
        for role in held
        if role.unit is not None and not employee.unit.path.startswith(role.unit.path)
    ]


def location_grants_end(*, employee: Employee, actor: Any, actor_label: str = "") -> int:
    """End an employee's extra locations when they move to another unit: a grant was given for
    the work of their old post (a teacher's hours at a second madrasah), and the new post asks
    again (an ended grant cannot simply be approved again). Each grant is saved on its own, so
    every process's location cache hears of it. Returns how many ended."""
    from django.utils import timezone

    user = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    standing = LocationGrant.objects.select_related("location").filter(
        employee=employee,
        status__in=[LocationGrant.Status.APPROVED, LocationGrant.Status.REQUESTED],
    )
    ended = 0
    for grant in standing:
        before = grant.status
        grant.status = LocationGrant.Status.ENDED
        grant.decided_by, grant.decided_at = user, timezone.now()
        grant.save(update_fields=["status", "decided_by", "decided_at"])
        audit_record(
            actor=actor,
            actor_label=actor_label,
            action="org.location_grant_end",
            obj=grant,
            summary=f"{employee.nip} → {grant.location.name}: {grant.status}",
            before={"status": before},
            after={"status": grant.status, "unit": employee.unit_id},
        )
        ended += 1
    return ended


GRANT_MOVES: dict[str, tuple[frozenset[str], str]] = {
    "approve": (
        frozenset(
            {
                LocationGrant.Status.REQUESTED,
                LocationGrant.Status.REJECTED,
                LocationGrant.Status.REVOKED,
            }
        ),
        LocationGrant.Status.APPROVED,
    ),
    "reject": (frozenset({LocationGrant.Status.REQUESTED}), LocationGrant.Status.REJECTED),
    "revoke": (frozenset({LocationGrant.Status.APPROVED}), LocationGrant.Status.REVOKED),
}
"""An extra location's workflow as data: which decision moves which status where."""


def grant_moves(status: str) -> list[str]:
    """The decisions :data:`GRANT_MOVES` allows from ``status``, in its order."""
    return [decision for decision, (allowed, _to) in GRANT_MOVES.items() if status in allowed]


class GrantMoveRefused(ValueError):
    """The decision does not apply to the grant as it stands (decided meanwhile elsewhere)."""


def location_grant_decide(*, actor: Any, grant: LocationGrant, decision: str) -> LocationGrant:
    """An operator approves or rejects (or later revokes) an extra location; never their own
    (the pages offer it only to others: :func:`hadir.org.selectors.grants_to_decide`).
    Raises :class:`GrantMoveRefused` for a decision :data:`GRANT_MOVES` does not allow."""
    from django.core.exceptions import PermissionDenied
    from django.utils import timezone

    if grant.employee.user_id is not None and grant.employee.user_id == getattr(actor, "pk", None):
        raise PermissionDenied("an extra location is decided by someone other than its employee")
    with transaction.atomic():
        # Decided on the row as it stands now, not as the page read it.
        locked = LocationGrant.objects.select_for_update().get(pk=grant.pk)
        if decision not in GRANT_MOVES:
            raise GrantMoveRefused(_("Unknown decision: choose one of the page's buttons."))
        allowed_from, target = GRANT_MOVES[decision]
        if locked.status not in allowed_from:
            raise GrantMoveRefused(
                _("This request was decided meanwhile (now: %(status)s). Refresh the page.")
                % {"status": locked.get_status_display()}
            )
        before = locked.status
        grant.status = target
        grant.decided_by = actor
        grant.decided_at = timezone.now()
        grant.save(update_fields=["status", "decided_by", "decided_at"])
        audit_record(
            actor=actor,
            action="org.location_grant_decide",
            obj=grant,
            summary=f"{grant.employee.nip} → {grant.location.name}: {grant.status}",
            before={"status": before},
            after={"status": grant.status},
        )
    return grant
