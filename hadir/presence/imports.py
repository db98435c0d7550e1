"""Importing punches: fingerprint-machine logs (ZKTeco attlog) and CSV files.

A bad file is refused whole with every problem listed as ``file:line: field: reason``; a good
one is written in one transaction. A punch already recorded from a machine log or an import
(same employee, same instant) is skipped, whichever of the two formats brought it, so importing
the same punches twice records each once; the app's own punches are other records, even at the
same second. Rows outside the presensi window are kept but flagged and do not count, as
DOMAIN.md §3 asks.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Final, NamedTuple
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import OuterRef, Prefetch, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from hadir.common import bulk
from hadir.common.audit import audit_record
from hadir.common.locks import (
    first_line_past_limit,
    lock_employees,
    lock_months_read,
    too_many_employees,
)
from hadir.common.tables import (
    Problem,
    TableRefused,
    UnclearTime,
    csv_delimiter,
    csv_header_index,
    csv_text,
    header_problems,
    looks_like_a_web_page,
    read_moment,
    unknown_nip,
    visible,
    web_page,
)
from hadir.org.models import Employee, Unit
from hadir.org.placements import PLACEMENTS, clock_at, clock_on, unit_on
from hadir.presence.chain import GENESIS, degrees, punch_seal
from hadir.presence.models import Machine, MachinePin, Punch
from hadir.recap.selectors import month_bounds
from hadir.recap.services import days_refresh_many, still_lived
from hadir.schedules import cache

OUTSIDE_WINDOW = Punch.Flag.OUTSIDE_WINDOW
OUTSIDE_SERVICE = Punch.Flag.OUTSIDE_SERVICE
IMPORT_SOURCES = {"MACHINE": Punch.Source.MACHINE, "IMPORT": Punch.Source.IMPORT}

EMPLOYEE_RELATED: Final = ("unit", "pattern", "unit__default_pattern")
"""What an imported row's employee is read with: its unit's time zone and its work pattern (for
the presensi window and the day's refresh) without a query per employee."""

EARLIEST_YEAR: Final = 2000
"""A punch before this year is a mistyped year: no machine log or spreadsheet goes back so far."""
OFFSETS_ON_EARTH: Final = (timedelta(hours=-12), timedelta(hours=14))
"""The offsets of the world's time zones: anything else is a typo (and PostgreSQL refuses
offsets past 16 hours)."""

CLOCK_SKEW: Final = timedelta(minutes=10)
"""How far past the server's clock a punch may lie: a machine's clock drifts a little. Later than
that, the year is mistyped or the machine's clock is wrong, and the punch would count ahead."""

BINARY_MAGIC: Final = (b"%PDF", b"PK\x03\x04", b"\xd0\xcf\x11\xe0", b"\x89PNG", b"\xff\xd8\xff")
"""How PDFs, Excel workbooks (new and old), PNGs and JPEGs begin: files uploaded by mistake."""

DATE_ONLY: Final = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
CLOCK_TIME: Final = re.compile(
    r"[0-9]{1,2}(?::[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?|\.[0-9]{2}(?:\.[0-9]{2})?)"
)
"""A machine's time of day as a log split by spaces gives it apart from its date: 07:45, 7:45,
07:45:30.5, or written the Indonesian way, 07.45 or 07.45.30."""
ATTLOG_LINE: Final = re.compile(r"\s*[A-Za-z0-9]{1,20}[\t ]+[0-9]{4}-[0-9]{2}-[0-9]{2}")
"""How a ZKTeco attlog line begins: the PIN, then the date."""
PUNCH_HEADER: Final = frozenset({"nip", "time"})
"""The columns that tell a CSV of punches by its header (either one: a header missing the
other is refused with its line, not taken for a machine log)."""


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
    outside_service: int = 0
    earlier_holder: int = 0
    """A machine log's rows of a PIN from before its holder had it: not theirs, not recorded."""
    elsewhere: int = 0
    """A machine log's rows of PINs mapped to employees outside the importer's units (who
    moved away): theirs to import, not recorded here."""
    unmapped: int = 0
    """A machine log's rows of PINs taken off the map (someone who left): nobody's."""
    own: int = 0
    """A machine log's rows of the importer's own PIN: another operator or an admin records
    them (nobody records their own punches)."""
    dry_run: bool = False
    employees: set[int] = field(default_factory=set)

    def __str__(self) -> str:
        counts = {
            "recorded": self.recorded,
            "duplicates": self.duplicates,
            "outside": self.outside_window,
            "service": self.outside_service,
            "earlier": self.earlier_holder,
            "elsewhere": self.elsewhere,
            "unmapped": self.unmapped,
            "own": self.own,
        }
        if self.dry_run:
            text = _(
                "would record: %(recorded)s, duplicates skipped: %(duplicates)s, outside the "
                "window (kept, not counted): %(outside)s"
            )
        else:
            text = _(
                "recorded: %(recorded)s, duplicates skipped: %(duplicates)s, outside the window "
                "(kept, not counted): %(outside)s"
            )
        if self.outside_service:
            text += _(", outside the employee's service dates (kept, not counted): %(service)s")
        if self.earlier_holder:
            text += _(", a PIN's previous holder's (skipped): %(earlier)s")
        if self.elsewhere:
            text += _(", of employees outside your units (skipped): %(elsewhere)s")
        if self.unmapped:
            text += _(", of PINs taken off the map (skipped): %(unmapped)s")
        if self.own:
            text += _(
                ", your own (skipped: another Pengelola Presensi or an admin imports them): %(own)s"
            )
        return text % counts


class CsvStart(NamedTuple):
    """Where a CSV of punches starts: the index of its header among its lines (a title or a
    ``sep=`` line may stand above it), and the delimiter of its cells."""

    header: int
    delimiter: str


class InvalidValue(ValueError):
    """A value of a row that cannot be taken; its message is the reason, for the operator."""


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
    else reads as an unknown NIP or PIN, exactly like someone who does not exist. Nobody
    records their own punches (as nobody resets their own phone or decides their own request):
    a CSV row of the ``actor``'s own record refuses the file, a machine log's are skipped. A
    CSV's punches come from no machine, even when one is given (a form may have one picked).
    """
    scope = employees if employees is not None else Employee.objects.all()
    own = _own_record(actor)
    name = path.name
    if not path.is_file():
        raise TableRefused([Problem(name, 0, "", _("file not found"))])
    text = _text(name, path.read_bytes())
    latest = timezone.now() + CLOCK_SKEW
    start = _csv_start(text)
    report = PunchImportReport(dry_run=dry_run)
    if start is not None:
        rows = _csv_rows(name, text, start, scope, latest, own)
        machine = None
    elif machine is not None:
        rows = _attlog_rows(name, text, machine, scope, latest, report, own)
        if not rows:  # only rows that are not the importer's to record
            return report
    elif ATTLOG_LINE.match(text):
        raise TableRefused(
            [
                Problem(
                    name,
                    _first_line(text),
                    "",
                    _(
                        "a machine log (attlog): choose its fingerprint machine"
                        " (on the command line: --machine SERIAL)"
                    ),
                )
            ]
        )
    else:
        raise TableRefused([Problem(name, _first_line(text), "", _neither())])
    past = first_line_past_limit((row.line, row.employee.pk) for row in rows)
    if past is not None:
        raise TableRefused([Problem(name, past, "nip", too_many_employees())])
    return _record(rows, report, name=name, machine=machine, actor=actor, actor_label=actor_label)


def _own_record(actor: Any | None) -> int | None:
    """The employee record of the account importing, if any."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return None
    own: int | None = Employee.objects.filter(user_id=actor.pk).values_list("pk", flat=True).first()
    return own


def _not_text() -> str:
    return _("not a text file (CSV or attlog)")


def _neither() -> str:
    return _("neither a CSV with a nip,time header nor a fingerprint machine's log (attlog)")


def _own_punches() -> str:
    return _("these are your own punches: another Pengelola Presensi or an admin imports them")


def _unclosed_quote() -> str:
    return _('a quotation mark (") opened on this line is never closed')


def _text(name: str, raw: bytes) -> str:
    """The file as text whose lines end in ``\\n`` (old Macs and some exports end them with a
    lone CR), read as the other imports read a CSV (:func:`~hadir.common.tables.csv_text`),
    or refused: not text, or empty."""
    if raw.startswith(BINARY_MAGIC):
        raise TableRefused([Problem(name, 0, "", _not_text())])
    if looks_like_a_web_page(raw):
        raise TableRefused([Problem(name, 0, "", web_page())])
    text = csv_text(name, raw)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise TableRefused([Problem(name, line, "", _not_text())])
    if not text.strip():
        raise TableRefused([Problem(name, 1, "", _("the file is empty"))])
    return text


def _first_line(text: str) -> int:
    """The number of the first line that is not blank."""
    return next(n for n, line in enumerate(text.split("\n"), start=1) if line.strip())


def _csv_start(text: str) -> CsvStart | None:
    """Where a CSV of punches starts, or None when the file is not such a CSV.

    Its header is found as the other imports find theirs: the first line naming ``nip`` or
    ``time`` among the first lines with a value, since a report's title or Excel's ``sep=``
    line may stand above it. Its delimiter is the header's: a comma, Excel's semicolon, or the
    tab of Excel's "Unicode Text" (a ``sep=`` line declares the same one the header shows).
    """
    lines = text.split("\n")
    header = csv_header_index(lines, set(PUNCH_HEADER))
    delimiter = csv_delimiter(lines[header])
    try:
        cells = next(csv.reader([lines[header]], delimiter=delimiter), [])
    except csv.Error:  # one line past the csv module's field limit: not a header
        return None
    named = {cell.strip().lower() for cell in cells} & PUNCH_HEADER
    return CsvStart(header, delimiter) if named else None


def _month_of(row: PunchRow) -> tuple[date, Unit]:
    """The month a row's punch falls in, on its day's clock, and the unit that holds that month
    (the one the employee was in on its last day: its closing froze it)."""
    day = row.at.astimezone(clock_at(row.employee, row.at)).date()
    return day.replace(day=1), unit_on(row.employee, month_bounds(day)[1])


def _month_holders(rows: list[PunchRow]) -> set[Unit]:
    """The units whose months the rows change: a moved employee's rows before the move belong
    to the former unit's months, whose closing the import must wait for like the present's."""
    return {_month_of(row)[1] for row in rows}


def _check_closed_months(name: str, rows: list[PunchRow], actor: Any) -> None:
    """Rows in a month closed for the employee's unit need an admin: refuse them, listed.

    The guard depends on the month and the unit the employee was in at its end only: asked
    once for each pair in the file.
    """
    from hadir.recap.periods import PeriodClosed, period_guard

    user = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    verdicts: dict[tuple[int, date], str] = {}
    problems = []
    for row in rows:
        month, holder = _month_of(row)
        key = (holder.pk, month)
        if key not in verdicts:
            try:
                period_guard(actor=user, employee=row.employee, dates=[month])
                verdicts[key] = ""
            except PeriodClosed as closed:
                verdicts[key] = str(closed)
        if verdicts[key]:
            problems.append(Problem(name, row.line, "time", verdicts[key]))
    if problems:
        raise TableRefused(problems)


def _csv_records(
    name: str, text: str, start: CsvStart
) -> tuple[list[tuple[int, int, list[str]]], list[Problem]]:
    """The records of a CSV from its header on that are not blank, as ``(first line, last
    line, cells)``, and the problem that stopped the reading, if any (a quote left open past
    the csv module's limit). The lines above the header are not read (a title's stray quote
    would swallow the table) but counted: each line keeps its number in the file."""
    lines = text.split("\n")
    below = "\n".join(lines[start.header :])
    reader = csv.reader(io.StringIO(below, newline=""), delimiter=start.delimiter)
    records: list[tuple[int, int, list[str]]] = []
    end = start.header
    try:
        for cells in reader:
            begin, end = end + 1, start.header + reader.line_num
            if any(cell.strip() for cell in cells):
                records.append((begin, end, cells))
    except csv.Error as error:
        if "field limit" not in str(error):
            reason = _("unreadable CSV (%(error)s)") % {"error": error}
        elif len(lines[end]) > csv.field_size_limit():  # a line that long is one cell at least
            reason = _("at most %(count)s characters") % {"count": csv.field_size_limit()}
        else:  # a quote left open ran on over the lines below it
            reason = _unclosed_quote()
        return records, [Problem(name, end + 1, "", reason)]
    return records, []


def _quote_left_open(cells: list[str], lines: list[str], delimiter: str) -> int | None:
    """The index of the cell a quotation mark left open ran on from, swallowing the lines
    below it, or None. Such a cell holds a line break, and either the quote never closes (the
    record's quotation marks are odd in number) or it closed on a later line, the cells of the
    lines between inside it. A line break a cell holds by itself (Alt+Enter in Excel, or a
    paste) is saved quoted and closed: it is no such cell. ``lines`` are the record's own."""
    record = "\n".join(lines)
    for index, cell in enumerate(cells):
        if "\n" not in cell:
            continue
        inner = cell.strip()
        if record.count('"') % 2 or ("\n" in inner and delimiter in inner):
            return index
    return None


def _csv_rows(
    name: str,
    text: str,
    start: CsvStart,
    scope: QuerySet[Employee],
    latest: datetime,
    own: int | None,
) -> list[PunchRow]:
    """The rows of a CSV of punches starting at ``start``, or refused with every problem on
    its line in the file (the lines above the header count too: the operator looks there)."""
    from hadir.accounts.services import normalise_nip

    records, stopped = _csv_records(name, text, start)
    if not records:
        raise TableRefused(stopped)
    header_line, _end, header = records[0]
    columns = [visible(c).strip().lower() for c in header]
    problems = header_problems(
        name, header_line, columns, {"nip", "time"}, {"lat", "lng", "source"}
    )
    if problems:
        raise TableRefused(problems)
    lines = text.split("\n")
    raw: list[tuple[int, dict[str, str]]] = []
    for line, end, cells in records[1:]:
        broken = any("\n" in cell for cell in cells)  # rare: most rows skip the check
        opened = _quote_left_open(cells, lines[line - 1 : end], start.delimiter) if broken else None
        if opened is not None:
            column = columns[opened] if opened < len(columns) else ""
            problems.append(Problem(name, line, column, _unclosed_quote()))
            continue
        # A line break a cell holds by itself reads as the space Excel shows it as.
        cells = [" ".join(visible(cell).split("\n")).strip() for cell in cells]
        filled = [n for n, cell in enumerate(cells, start=1) if cell]
        if filled[-1] > len(columns):
            problems.append(
                Problem(
                    name,
                    line,
                    "",
                    _("more fields than the header (%(fields)s, the header has %(columns)s)")
                    % {"fields": filled[-1], "columns": len(columns)},
                )
            )
            continue
        unnamed = [n for n in filled if not columns[n - 1]]
        if unnamed:
            problems.append(
                Problem(
                    name,
                    line,
                    "",
                    _("a value in column %(number)s, which has no name in the header")
                    % {"number": unnamed[0]},
                )
            )
            continue
        raw.append((line, {c: cell for c, cell in zip(columns, cells, strict=False) if c}))
    employees = {
        e.nip: e
        for e in scope.select_related(*EMPLOYEE_RELATED)
        .prefetch_related(PLACEMENTS)
        .filter(nip__in={normalise_nip(v.get("nip", "")) for _line, v in raw})
    }
    rows: list[PunchRow] = []
    for line, values in raw:
        written = values.get("nip", "")
        employee = employees.get(normalise_nip(written))
        if employee is None:
            problems.append(unknown_nip(name, line, written))
            continue
        if employee.pk == own:
            problems.append(Problem(name, line, "nip", _own_punches()))
            continue
        written_time = values.get("time", "")
        try:
            at = _parse_time(
                written_time,
                _clock_written(employee, written_time),
                latest=latest,
                invalid=_("invalid time '%(time)s'; example 2024-03-04T07:12:00+07:00")
                % {"time": written_time},
            )
        except InvalidValue as invalid:
            problems.append(Problem(name, line, "time", str(invalid)))
            continue
        source = values.get("source", "").upper() or "IMPORT"
        if source not in IMPORT_SOURCES:
            problems.append(
                Problem(
                    name,
                    line,
                    "source",
                    _("source '%(source)s' must be MACHINE or IMPORT")
                    % {"source": values["source"]},
                )
            )
            continue
        try:
            comma = start.delimiter == ";"
            lat = _coordinate(values.get("lat", ""), -90, 90, comma=comma)
            lng = _coordinate(values.get("lng", ""), -180, 180, comma=comma)
            if (lat is None) != (lng is None):
                raise ValueError("one coordinate without the other")
        except ValueError:
            problems.append(Problem(name, line, "lat,lng", _coordinates_problem(values)))
            continue
        rows.append(PunchRow(line, employee, at, IMPORT_SOURCES[source], lat, lng))
    problems += stopped
    if problems:
        raise TableRefused(problems)
    if not rows:
        raise TableRefused([Problem(name, header_line, "", _("file has no data rows"))])
    return rows


def _attlog_rows(
    name: str,
    text: str,
    machine: Machine,
    scope: QuerySet[Employee],
    latest: datetime,
    report: PunchImportReport,
    own: int | None,
) -> list[PunchRow]:
    """ZKTeco ``attlog.dat``: the PIN, the time, then status columns, separated by tabs (or
    spaces). The time is ``YYYY-MM-DD HH:MM:SS`` in one tab-separated field, or its date and
    hour in two fields (some exports, and every space-separated log), or one ISO ``…T…``.

    A machine's clock shows the time where it stands, so its times are read in its unit's time
    zone, whichever unit the employee who punched belongs to. A PIN's punches from before its
    holder had it (:attr:`MachinePin.since`), those of PINs taken off the map, and those of PINs
    mapped to employees outside ``scope`` (who moved away: the log keeps their history) or to
    the importer (``own``), are left out and counted in ``report``."""
    tz = ZoneInfo(machine.unit.timezone)
    mapped = machine.pins.mapped()
    pins = {
        p.pin: (p.employee, p.since)
        for p in mapped.filter(employee__in=scope)
        .select_related(*(f"employee__{name}" for name in EMPLOYEE_RELATED))
        .prefetch_related(Prefetch("employee__placements", queryset=PLACEMENTS.queryset))
    }
    others = dict(
        MachinePin.objects.filter(machine=machine)
        .exclude(pin__in=list(pins))
        .values_list("pin", "unmapped_at")
    )
    unmapped = {pin for pin, at in others.items() if at is not None}
    theirs = {pin for pin, at in others.items() if at is None}
    problems: list[Problem] = []
    rows: list[PunchRow] = []
    for line, raw in enumerate(text.split("\n"), start=1):
        if not raw.strip():
            continue
        parts = [p.strip() for p in raw.split("\t")] if "\t" in raw else raw.split()
        if len(parts) < 2 or not parts[0] or not parts[1]:
            problems.append(Problem(name, line, "", _("line lacks PIN and time")))
            continue
        pin, when = parts[0], parts[1]
        if DATE_ONLY.fullmatch(when) and len(parts) > 2 and CLOCK_TIME.fullmatch(parts[2]):
            clock = parts[2] if parts[2][1].isdigit() else "0" + parts[2]  # 7:05 is 07:05
            when = f"{when} {clock}"
        employee, since = pins.get(pin, (None, None))
        if employee is None and pin in theirs:
            report.elsewhere += 1
            continue
        if employee is None and pin in unmapped:
            report.unmapped += 1
            continue
        if employee is None:
            problems.append(
                Problem(
                    name,
                    line,
                    "PIN",
                    _("PIN %(pin)s is not mapped to a NIP for machine %(serial)s")
                    % {"pin": pin, "serial": machine.serial},
                )
            )
            continue
        try:
            at = _parse_time(
                when,
                tz,
                latest=latest,
                invalid=_("invalid time '%(time)s'") % {"time": when},
            )
        except InvalidValue as invalid:
            problems.append(Problem(name, line, "time", str(invalid)))
            continue
        if since is not None and at < since:
            report.earlier_holder += 1  # the PIN's previous holder's punch
            continue
        if employee.pk == own:
            report.own += 1
            continue
        rows.append(PunchRow(line, employee, at, Punch.Source.MACHINE))
    if problems:
        raise TableRefused(problems)
    if not rows and not report.earlier_holder + report.elsewhere + report.unmapped + report.own:
        raise TableRefused([Problem(name, 1, "", _("file has no data rows"))])
    return rows


def _clock_written(employee: Employee, text: str) -> ZoneInfo:
    """The clock a time written without an offset is read on: that of the unit the employee
    was in on the date written (their present unit's for anything unreadable)."""
    try:
        day = read_moment(text).date()
    except ValueError:
        return ZoneInfo(employee.unit.timezone)
    return clock_on(employee, day)


def _parse_time(text: str, tz: ZoneInfo, *, latest: datetime, invalid: str) -> datetime:
    """ISO 8601 with an offset, or without one meaning ``tz``.

    Raises :class:`InvalidValue` with ``invalid`` for what is no time at all, and with its own
    reason for a date without an hour (it would read as midnight) and for a mistyped year:
    before :data:`EARLIEST_YEAR` or later than ``latest``.
    """
    text = text.strip()
    try:
        moment = read_moment(text)
    except UnclearTime as unclear:
        raise InvalidValue(str(unclear)) from None
    except ValueError:
        raise InvalidValue(invalid) from None
    try:
        date.fromisoformat(text)
    except ValueError:
        pass
    else:
        raise InvalidValue(_("time '%(time)s' has no hour") % {"time": text})
    if moment.year < EARLIEST_YEAR:
        raise InvalidValue(
            _("time '%(time)s' is before %(year)s: check the year")
            % {"time": text, "year": EARLIEST_YEAR}
        )
    offset = moment.utcoffset()
    if offset is not None and not OFFSETS_ON_EARTH[0] <= offset <= OFFSETS_ON_EARTH[1]:
        raise InvalidValue(
            _("time '%(time)s' has an offset no time zone has (from -12:00 to +14:00)")
            % {"time": text}
        )
    moment = moment if moment.tzinfo is not None else moment.replace(tzinfo=tz)
    # The year first (a local year may be one ahead of UTC's): comparing a time near year 9999
    # would overflow converting it to UTC.
    if moment.year > latest.year + 1 or moment > latest:
        raise InvalidValue(
            _("time '%(time)s' is later than now: check the year, and the machine's clock")
            % {"time": text}
        )
    return moment


def _coordinates_problem(values: dict[str, str]) -> str:
    """Why a row's coordinates are refused: a decimal comma where it is ambiguous (the file's
    cells are split by commas, or the number holds more than one) is told apart, since the
    operator sees a number that looks right."""
    if "," in values.get("lat", "") + values.get("lng", ""):
        return _("invalid coordinates: write their decimals with a point (-7.716700)")
    return _("invalid coordinates (fill in both, in decimal degrees)")


def _coordinate(text: str, low: int, high: int, *, comma: bool = False) -> Decimal | None:
    """Decimal degrees within ``low``–``high``; None when blank; ValueError when invalid.

    ``comma``: the file's cells are split by semicolons, as Excel in the Indonesian locale
    saves a CSV, whose decimal separator is then the comma ("-7,716700"): one comma alone is
    read as the point."""
    if not text:
        return None
    if comma and text.count(",") == 1 and "." not in text:
        text = text.replace(",", ".")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError(text) from None
    if not value.is_finite() or not low <= value <= high:
        raise ValueError(text)
    return degrees(value)


def _recorded_instants(rows: list[PunchRow]) -> dict[int, set[datetime]]:
    """The instants already recorded for the file's employees from a machine or an import,
    within the file's span: a machine's punch is one punch whether its log or a CSV brought
    it. The app's punches are other records, even at the same second."""
    recorded: dict[int, set[datetime]] = {}
    existing = (
        Punch.objects.filter(
            employee_id__in={row.employee.pk for row in rows},
            at__gte=min(row.at for row in rows),
            at__lte=max(row.at for row in rows),
        )
        .exclude(source=Punch.Source.APP)
        .values_list("employee_id", "at")
    )
    for employee_id, at in existing:
        recorded.setdefault(employee_id, set()).add(at)
    return recorded


def _chain_tails(employee_ids: list[int]) -> dict[int, str]:
    """The hash of each employee's last punch (read under their locks), in one query."""
    last = Punch.objects.filter(employee_id=OuterRef("pk")).order_by("-id").values("hash")[:1]
    return dict(
        Employee.objects.filter(pk__in=employee_ids)
        .annotate(tail=Subquery(last))
        .exclude(tail=None)
        .values_list("pk", "tail")
    )


_PUNCH_COLUMNS: Final = [field for field in Punch._meta.concrete_fields if not field.primary_key]
PUNCH_FIELDS: Final = tuple(field.name for field in _PUNCH_COLUMNS)


def _values(punch: Punch) -> tuple[Any, ...]:
    """The row of ``punch`` for :func:`hadir.common.bulk.insert` (every column: a database
    default is not a model default)."""
    return tuple(getattr(punch, field.attname) for field in _PUNCH_COLUMNS)


def _record(
    rows: list[PunchRow],
    report: PunchImportReport,
    *,
    name: str,
    machine: Machine | None,
    actor: Any,
    actor_label: str,
) -> PunchImportReport:
    """Write the new punches, each employee's in time order, sealed onto their chain, and
    count them into ``report`` (a dry run's: then roll back).

    Holding the employees' locks, nobody else appends to their chains meanwhile: the tails and
    the instants already recorded are read for all of them at once, each tail is carried from
    punch to punch, and the punches go in one bulk insert (in list order, so their ids follow
    the chain: COPY on PostgreSQL keeps their order).
    """
    by_employee: dict[int, list[PunchRow]] = {}
    for row in rows:
        by_employee.setdefault(row.employee.pk, []).append(row)
    user = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    touched: dict[int, tuple[Employee, set[date]]] = {}
    punches: list[Punch] = []
    fresh: list[PunchRow] = []
    with transaction.atomic():
        # The closed-month check's locks before the employees' (as a close takes them), so a
        # close under way and this import wait for each other, never both.
        lock_months_read({pk for unit in _month_holders(rows) for pk in unit.ancestor_ids})
        lock_employees(by_employee)  # all at once, in id order: two imports cannot deadlock
        recorded_at = _recorded_instants(rows)
        now = timezone.now()  # when the file is recorded: every punch's hash covers it
        tails = _chain_tails(list(by_employee))
        for employee_id, employee_rows in by_employee.items():
            employee = employee_rows[0].employee
            recorded = recorded_at.get(employee_id, set())
            tail = tails.get(employee_id) or GENESIS
            for row in sorted(employee_rows, key=lambda r: r.at):
                if row.at in recorded:
                    report.duplicates += 1
                    continue
                recorded.add(row.at)
                fresh.append(row)
                flag = _flag(row.at, employee)
                report.outside_window += flag == OUTSIDE_WINDOW
                report.outside_service += flag == OUTSIDE_SERVICE
                punch = Punch(
                    employee=employee,
                    at=row.at,
                    source=row.source,
                    latitude=row.latitude,
                    longitude=row.longitude,
                    counts=not flag,
                    flags=flag,
                    machine=machine,
                    recorded_by=user,
                    recorded_at=now,
                )
                punch_seal(punch, tail)
                tail = punch.hash
                punches.append(punch)
                report.recorded += 1
                report.employees.add(employee_id)
                touched.setdefault(employee_id, (employee, set()))[1].add(
                    row.at.astimezone(clock_at(employee, row.at)).date()
                )
        # Only what the file adds: a machine's whole log, uploaded again, repeats rows of
        # months closed since, which change nothing there.
        _check_closed_months(name, fresh, actor)
        bulk.insert(Punch, PUNCH_FIELDS, [_values(punch) for punch in punches])
        for employee, dates in touched.values():  # today is stored once it is over
            dates.difference_update({d for d in dates if still_lived(employee.unit, d)})
        touched = {pk: (employee, dates) for pk, (employee, dates) in touched.items() if dates}
        if touched:
            # Set-wise, only the dates the file touched: the calendars of the employees' units
            # are read once, not once per employee (the file's locks are held already).
            every = [day for _employee, dates in touched.values() for day in dates]
            days_refresh_many(
                employees=[employee for employee, _dates in touched.values()],
                start=min(every),
                end=max(every),
                only={pk: dates for pk, (_employee, dates) in touched.items()},
                analyze=False,
            )
        audit_record(
            actor=actor,
            actor_label=actor_label,
            action="presence.punches_import",
            summary=lambda: f"{name}: {report}",
            after={
                "file": name,
                "machine": machine.serial if machine else None,
                "recorded": report.recorded,
                "duplicates": report.duplicates,
                "outside_window": report.outside_window,
                "outside_service": report.outside_service,
            },
        )
        if report.dry_run:
            transaction.set_rollback(True)
    return report


def _flag(at: datetime, employee: Employee) -> str:
    """Why an imported punch is kept but does not count, or empty when it counts."""
    local = at.astimezone(clock_at(employee, at))
    day = local.date()
    if day < employee.start or (employee.end is not None and day > employee.end):
        return OUTSIDE_SERVICE
    policy = cache.policy(day)
    minute = local.hour * 60 + local.minute
    return "" if policy.window_start_min <= minute < policy.window_end_min else OUTSIDE_WINDOW


PIN_PATTERN = re.compile(r"[A-Za-z0-9]{1,20}")


def _hand_over(pins: list[MachinePin], held: dict[str, MachinePin]) -> int:
    """Date each new mapping that the file did not date itself: a PIN kept by its holder keeps
    its date; one handed to someone else is theirs from now (the machine's log still holds the
    previous holder's punches), and so is one taken off the map that goes to someone else (one
    given back to its holder is theirs as before); a PIN new to the map has been its holder's
    all along. Returns how many PINs changed hands."""
    now = timezone.now()
    handed = 0
    for pin in pins:
        before = held.get(pin.pin)
        changed = before is not None and before.employee_id != pin.employee_id
        handed += changed
        if pin.since is None and before is not None:
            pin.since = now if changed else before.since
    return handed


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
    from hadir.common.tables import read_table, table_moment

    name = path.name
    rows = read_table(path, required={"pin", "nip"}, optional={"since"})
    nips = {normalise_nip(row.get("nip")) for row in rows}
    tz = ZoneInfo(machine.unit.timezone)
    today = timezone.now().astimezone(tz).date()
    known = {e.nip: e for e in employees.filter(nip__in=nips)}
    problems: list[Problem] = []
    first_line: dict[str, int] = {}
    pins: list[MachinePin] = []
    for row in rows:
        pin, written = row.get("pin"), row.get("nip")
        if not PIN_PATTERN.fullmatch(pin):
            problems.append(
                Problem(
                    name,
                    row.line,
                    "pin",
                    _("PIN '%(pin)s' must be 1-20 letters or digits") % {"pin": pin},
                )
            )
            continue
        if pin in first_line:
            problems.append(
                Problem(
                    name,
                    row.line,
                    "pin",
                    _("PIN %(pin)s already on line %(line)s")
                    % {"pin": pin, "line": first_line[pin]},
                )
            )
            continue
        first_line[pin] = row.line
        employee = known.get(normalise_nip(written))
        if employee is None:
            problems.append(unknown_nip(name, row.line, written))
            continue
        line = row.line

        def bad(column: str, reason: str, line: int = line) -> None:
            problems.append(Problem(name, line, column, reason))

        since = table_moment(row.get("since"), "since", bad, tz)
        if since is not None and not date(EARLIEST_YEAR, 1, 1) <= since.date() <= today:
            bad(
                "since",
                _("date %(date)s is before %(year)s or later than today: check the year")
                % {"date": since.date().isoformat(), "year": EARLIEST_YEAR},
            )
            since = None
        pins.append(MachinePin(machine=machine, pin=pin, employee=employee, since=since))
    with transaction.atomic():
        # One replacement at a time per machine: a double-clicked form must not collide.
        Machine.objects.select_for_update().filter(pk=machine.pk).exists()
        mapped = machine.pins.mapped()
        theirs = set(mapped.exclude(employee__in=employees).values_list("pin", flat=True))
        problems += [
            Problem(
                name,
                first_line[pin.pin],
                "pin",
                _("PIN %(pin)s belongs to an employee outside your units") % {"pin": pin.pin},
            )
            for pin in pins
            if pin.pin in theirs
        ]
        if problems:
            raise TableRefused(sorted(problems, key=lambda p: p.line))
        mine = mapped.filter(employee__in=employees)
        held = {p.pin: p for p in mine.union(machine.pins.unmapped())}
        handed = _hand_over(pins, held)
        before = mine.count()
        given = [pin.pin for pin in pins]
        # Kept, marked: given back to the same holder it is theirs as before; to someone else,
        # theirs from then on.
        unmapped = mine.exclude(pin__in=given).update(unmapped_at=timezone.now())
        machine.pins.filter(pin__in=given).delete()
        MachinePin.objects.bulk_create(pins)

        def report() -> str:
            text = ngettext(
                "%(count)s PIN mapped (%(before)s before)",
                "%(count)s PINs mapped (%(before)s before)",
                len(pins),
            ) % {"count": len(pins), "before": before}
            if handed:
                text += ngettext(
                    "; %(handed)s PIN handed to another employee: its earlier punches stay its"
                    " previous holder's (a since column dates the handover)",
                    "; %(handed)s PINs handed to other employees: their earlier punches stay"
                    " their previous holders' (a since column dates the handover)",
                    handed,
                ) % {"handed": handed}
            if unmapped:
                text += ngettext(
                    "; %(unmapped)s PIN taken off the map: its punches in the machine's log are"
                    " skipped",
                    "; %(unmapped)s PINs taken off the map: their punches in the machine's log"
                    " are skipped",
                    unmapped,
                ) % {"unmapped": unmapped}
            return text

        audit_record(
            actor=actor,
            action="presence.machine_pins_import",
            obj=machine,
            summary=lambda: f"{machine.serial} {name}: {report()}",
            before={"pins": before},
            after={"pins": len(pins), "unmapped": unmapped, "file": name},
        )
    return report()
