"""Reading operators' spreadsheets (CSV or Excel) into rows with their line numbers.

Imports from SIMPEG exports are messy: a byte-order mark, semicolons instead of commas, header
case and spacing, blank lines. This module absorbs that; validation of the values themselves
belongs to each importer, which reports problems as ``file:line: column: reason``.
"""

from __future__ import annotations

import codecs
import csv
import io
import logging
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from itertools import islice
from pathlib import Path
from typing import Any, Final
from zoneinfo import ZoneInfo

from django.db.models import Model
from django.utils.translation import gettext as _

from hadir.rules.nip import written_as_number

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Problem:
    """One reason a file is refused, located as precisely as we can."""

    file: str
    line: int
    column: str
    reason: str

    def __str__(self) -> str:
        column = f" {self.column}:" if self.column else ""
        return f"{self.file}:{self.line}:{column} {self.reason}"


class TableRefused(Exception):
    """A file refused whole; ``problems`` lists every reason found."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


@dataclass
class Row:
    """A data row: ``line`` is where it sits in the file (header = line 1)."""

    line: int
    values: dict[str, str] = field(default_factory=dict)

    def get(self, column: str) -> str:
        return self.values.get(column, "").strip()


def read_table(path: Path, *, required: set[str], optional: set[str] = frozenset()) -> list[Row]:  # type: ignore[assignment]
    """Rows of a CSV or XLSX file whose header must hold every ``required`` column."""
    name = path.name
    if not path.is_file():
        raise TableRefused([Problem(name, 0, "", _("file not found"))])
    with path.open("rb") as head:
        start = head.read(WEB_PAGE_WITHIN)
    magic = start[:8]
    if magic.startswith(OLD_EXCEL_MAGIC):
        raise TableRefused([Problem(name, 0, "", old_excel())])
    if looks_like_a_web_page(start):
        raise TableRefused([Problem(name, 0, "", web_page())])
    if magic.startswith(ZIP_MAGIC) or path.suffix.lower() in {".xlsx", ".xlsm"}:
        # By content too: a workbook whose name lost its extension is still one.
        header_line, header, raw_rows = _read_xlsx(path, required)
    else:
        header_line, header, raw_rows = _read_csv(path, required)
    columns = [visible(h).strip().lower() for h in header]
    problems = header_problems(name, header_line, columns, required, optional)
    if problems:
        raise TableRefused(problems)
    rows = []
    for line, cells in raw_rows:
        stray = [
            i
            for i, cell in enumerate(cells)
            if _cell_text(cell).strip() and not (i < len(columns) and columns[i])
        ]
        if stray:  # an unquoted comma, or a value under no column: it would be dropped
            problems.append(Problem(name, line, "", beyond_header()))
        values = {col: _cell_text(cell) for col, cell in zip(columns, cells, strict=False) if col}
        problems += [
            Problem(name, line, col, reason)
            for col, cell in zip(columns, cells, strict=False)
            if col and (reason := _cell_problem(cell))
        ]
        if any(v.strip() for v in values.values()):
            rows.append(Row(line=line, values=values))
    if problems:
        raise TableRefused(problems)
    if not rows:
        raise TableRefused([Problem(name, header_line, "", _("file has no data rows"))])
    return rows


ZIP_MAGIC: Final = b"PK\x03\x04"
OLD_EXCEL_MAGIC: Final = b"\xd0\xcf\x11\xe0"


def header_problems(
    name: str, line: int, columns: list[str], required: set[str], optional: set[str]
) -> list[Problem]:
    """What is wrong with a header: a ``required`` column missing, a column neither required
    nor ``optional``, or one named twice (one of its two values would be lost). A column with
    no name is Excel's trailing delimiter, not a problem."""
    named = {c for c in columns if c}
    missing = sorted(required - named)
    unknown = sorted(named - required - optional)
    repeated = sorted(c for c in named if columns.count(c) > 1)
    problems = [Problem(name, line, c, _("required column missing")) for c in missing]
    problems += [Problem(name, line, c, _("unknown column")) for c in unknown]
    problems += [
        Problem(name, line, c, _("column appears more than once: keep one")) for c in repeated
    ]
    return problems


def old_excel() -> str:
    """Why a workbook in the old binary format (``.xls``) is refused."""
    return _("old Excel files (.xls) are not read: save as .xlsx or CSV")


WEB_PAGE_WITHIN: Final = 1024
WEB_PAGE: Final = re.compile(
    rb"\A(?:\xef\xbb\xbf)?\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*"
    rb"<(?:!doctype html|html|head|body|meta|style|table)\b",
    re.IGNORECASE | re.DOTALL,
)
"""How a web page saved as "Excel" starts (many government web apps export a table so, named
.xls), maybe after an XML declaration or a comment: read as CSV, its whole markup would be one
unknown column."""


def looks_like_a_web_page(start: bytes) -> bool:
    """Whether a file's first bytes open a web page: named .xls or .csv, it is no table."""
    return WEB_PAGE.search(start[:WEB_PAGE_WITHIN]) is not None


def web_page() -> str:
    """Why a web page named as a spreadsheet is refused."""
    return _(
        "this is a web page (HTML), not a CSV or Excel file: open it in Excel and save it as"
        " .xlsx or CSV"
    )


def not_text() -> str:
    """Why a file that is neither text nor a workbook is refused."""
    return _("not a readable CSV or Excel (.xlsx) file")


UTF8_LETTER: Final = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)
"""A letter beyond ASCII as UTF-8 writes it ("ü" is C3 BC): Windows-1252 text hardly ever
holds such a pair."""


def mixed_encoding() -> str:
    """Why a file of UTF-8 text with a line in another encoding is refused."""
    return _(
        "this line is not UTF-8 text, unlike the lines above or below it (a row pasted from"
        ' another program): save the whole file as "CSV UTF-8"'
    )


def decoded(raw: bytes) -> str:
    """Text as spreadsheets and Windows tools save it: UTF-8 (with or without its byte-order
    mark), or UTF-16 with its mark ("Unicode Text"). Raises UnicodeDecodeError otherwise."""
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return raw.decode("utf-16")
    return raw.decode("utf-8-sig")


def csv_text(name: str, raw: bytes) -> str:
    """A CSV's bytes as text: :func:`decoded`, else as Excel saves a "CSV": Mac Roman when its
    lines end in a lone CR ("CSV (Macintosh)"), Windows-1252 otherwise; or refused: a UTF-8
    file with a line pasted from elsewhere (cp1252 would garble its UTF-8 names without a
    word), or no text at all."""
    try:
        return decoded(raw)
    except UnicodeDecodeError as error:
        if UTF8_LETTER.search(raw):
            line = raw.count(b"\n", 0, error.start) + 1
            raise TableRefused([Problem(name, line, "", mixed_encoding())]) from None
        excel_for_mac = b"\r" in raw and b"\n" not in raw
        try:
            return raw.decode("mac_roman" if excel_for_mac else "cp1252")
        except UnicodeDecodeError:
            raise TableRefused([Problem(name, 0, "", not_text())]) from None


def _read_csv(path: Path, required: set[str]) -> tuple[int, list[str], list[tuple[int, list[Any]]]]:
    """The header's line, the header and the rows (each with its line) of a CSV file."""
    text = csv_text(path.name, path.read_bytes())
    # Excel for Mac's "CSV (Macintosh)" ends lines with a lone CR.
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\x00" in text:  # no spreadsheet writes one; the database would refuse it
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise TableRefused([Problem(path.name, line, "", not_text())])
    if not text.strip():
        raise TableRefused([Problem(path.name, 1, "", _("the file is empty"))])
    lines = text.split("\n")
    skipped = csv_header_index(lines, required)  # blank lines, or a title, above the header
    text = "\n".join(lines[skipped:])
    first_line = lines[skipped]
    delimiter = csv_delimiter(first_line)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
        rows = []
        ended = reader.line_num  # a record may span lines (a quoted line break): its first
        for cells in reader:
            rows.append((ended + 1 + skipped, cells))
            ended = reader.line_num
        return skipped + 1, header, rows
    except csv.Error:  # a NUL byte, a field past the csv module's limit
        raise TableRefused(
            [Problem(path.name, reader.line_num + skipped, "", not_text())]
        ) from None


HEADER_WITHIN: Final = 20
"""The rows of a sheet searched for its header (blank rows, a title, above it)."""


def csv_delimiter(line: str) -> str:
    """The header's separator: a comma, Excel's semicolon in Indonesian locales, or the tab of
    Excel's "Unicode Text"."""
    return max((",", ";", "\t"), key=line.count)


def csv_header_index(lines: list[str], required: set[str]) -> int:
    """The index of the header among ``lines``: the first naming a required column among the
    first :data:`HEADER_WITHIN` lines with a value (a report's title may sit above it), else
    the first line with a value (the caller knows there is one)."""
    filled = (i for i, line in enumerate(lines) if line.strip())
    candidates = list(islice(filled, HEADER_WITHIN))
    for index in candidates:
        cells = lines[index].split(csv_delimiter(lines[index]))
        if required & {cell.strip().strip('"').strip().lower() for cell in cells}:
            return index
    return candidates[0]


def _read_xlsx(
    path: Path, required: set[str]
) -> tuple[int, list[str], list[tuple[int, list[Any]]]]:
    from openpyxl import load_workbook

    try:
        # A file object, not the path: openpyxl would judge the file by its name's extension.
        with path.open("rb") as handle:
            if _unpacked_size(handle) > XLSX_UNPACKED_AT_MOST:
                raise TableRefused([Problem(path.name, 0, "", too_big_unpacked())])
            book = load_workbook(handle, read_only=True, data_only=True)
            data_sheets = [
                ws
                for ws in book.worksheets
                if ws.sheet_state == "visible" and _is_a_data_sheet(ws, required)
            ]
            # The sheet the workbook opens on (the first may be hidden), unless it names no
            # column at all and one other sheet has the header (a template opening on its
            # instructions; one naming some columns is a header missing others, refused as
            # such, not passed over for an older copy). Read to its last row whatever size it
            # claims: an exporter that wrote a stale one hid the rest. A workbook opening on a
            # chart (a chartsheet holds no cells) is read like one opening on instructions.
            opening = book.active
            sheet = opening if opening in book.worksheets else None
            if sheet is None or (len(data_sheets) == 1 and not _names_a_column(sheet, required)):
                sheet = data_sheets[0] if len(data_sheets) == 1 else book.worksheets[0]
            sheet.reset_dimensions()
            # Read-only: the sheet parses here. The header is the first row naming a required
            # column (a title, maybe merged across the columns, may sit above it) among the
            # first rows with a value, however many blank rows come before them, else the
            # first row with a value. With its dimensions reset, a sheet that says it reaches
            # column XFD is not padded to 16,384 cells a row: each row is read as far as it
            # holds cells, so a value standing under no column is seen, however far right.
            filled = list(
                islice(
                    (
                        (line, cells)
                        for line, cells in enumerate(sheet.iter_rows(values_only=True), start=1)
                        if any(cell is not None for cell in cells)
                    ),
                    HEADER_WITHIN,
                )
            )
            header_line, first = next(
                (
                    (line, cells)
                    for line, cells in filled
                    if required & {_cell_text(c).strip().lower() for c in cells}
                ),
                filled[0] if filled else (1, ()),
            )
            width = max((i + 1 for i, cell in enumerate(first) if cell is not None), default=1)
            rows = list(sheet.iter_rows(min_row=header_line + 1, values_only=True))
            merged = _merged_ranges(book, sheet)
            unsaved = _formulas_without_value(book, sheet)
            several = [ws.title for ws in data_sheets] if len(data_sheets) > 1 else []
            book.close()
    except TableRefused:
        raise
    except Exception:  # openpyxl raises many types for a broken file
        log.info("unreadable workbook %s", path.name, exc_info=True)
        raise TableRefused([Problem(path.name, 0, "", _("not a valid Excel file"))]) from None
    if not first:
        raise TableRefused([Problem(path.name, 1, "", _("the file is empty"))])
    header = [_cell_text(c) for c in first[:width]]
    if several:  # read whole or refused whole: one sheet's rows alone would be half of it
        raise TableRefused(
            [
                Problem(
                    path.name,
                    0,
                    "",
                    _("the workbook holds data on several sheets (%(sheets)s): put it on one")
                    % {"sheets": ", ".join(several)},
                )
            ]
        )
    spanning = [  # each row the merge leaves empty, named
        Problem(path.name, line, _column_name(header, left), merged_cells(top))
        for top, left, bottom in merged
        for line in range(max(top + 1, header_line + 1), bottom + 1)
    ]
    spanning += [  # a formula's value the file never stored reads as empty
        Problem(path.name, line, _column_name(header, column), formula_unsaved())
        for line, column in unsaved
        if line > header_line and column <= width
    ]
    if spanning:
        raise TableRefused(spanning)
    return (
        header_line,
        header,
        [
            (index, list(cells))
            for index, cells in enumerate(rows, start=header_line + 1)
            # Blank rows are dropped here: the workbook pads the rows it skips, maybe a million.
            if any(cell is not None for cell in cells)
        ],
    )


XLSX_UNPACKED_AT_MOST: Final = 32 << 20
"""The most a workbook may unpack to (its parts as stored in the zip say): a sheet of the
largest import, a few thousand rows, unpacks to a few MB; a small file unpacking to gigabytes
(a zip bomb) would take the worker's memory with it."""


def _unpacked_size(handle: Any) -> int:
    """What the workbook's parts unpack to, as its zip says (reading stops there anyway)."""
    with zipfile.ZipFile(handle) as archive:
        size = sum(info.file_size for info in archive.infolist())
    handle.seek(0)
    return size


def too_big_unpacked() -> str:
    """Why a workbook unpacking past :data:`XLSX_UNPACKED_AT_MOST` is refused."""
    return _(
        "the workbook unpacks to more than %(mb)s MB: save only the data, as CSV or a new .xlsx"
    ) % {"mb": XLSX_UNPACKED_AT_MOST >> 20}


def _is_a_data_sheet(sheet: Any, required: set[str]) -> bool:
    """Whether a row near the top of ``sheet`` is a header naming every ``required`` column
    (a lookup sheet of golongan, or one of instructions, names one or two: not data)."""
    return any(required <= _top_cells(cells) for cells in _top_rows(sheet))


def _names_a_column(sheet: Any, required: set[str]) -> bool:
    """Whether a row near the top of ``sheet`` names any ``required`` column."""
    return any(required & _top_cells(cells) for cells in _top_rows(sheet))


def _top_rows(sheet: Any) -> Iterable[tuple[Any, ...]]:
    return sheet.iter_rows(max_row=HEADER_WITHIN, values_only=True)  # type: ignore[no-any-return]


def _top_cells(cells: tuple[Any, ...]) -> set[str]:
    return {_cell_text(c).strip().lower() for c in cells}


MERGE_REF: Final = re.compile(rb'<mergeCell\b[^>]*\bref="([A-Z]+[0-9]+):([A-Z]+[0-9]+)"')
MERGES_OPEN: Final = b"<mergeCells"
SCAN_CHUNK: Final = 1 << 20


def _merged_ranges(book: Any, sheet: Any) -> list[tuple[int, int, int]]:
    """The sheet's merged ranges as (top row, left column, bottom row): read-only mode keeps
    none, and a value merged down a column stands in its first row only (the rows below it
    would read as empty: a pattern or an end date silently lost).

    The ranges are listed after the sheet's cells: the sheet's XML is scanned as bytes for
    them (a cell's text cannot hold ``<mergeCells``: it would be escaped), not parsed again.
    """
    window = b""
    with book._archive.open(sheet._worksheet_path) as xml:
        while chunk := xml.read(SCAN_CHUNK):
            window = window[-len(MERGES_OPEN) :] + chunk  # a tag cut between two chunks
            at = window.find(MERGES_OPEN)
            if at >= 0:
                return [
                    _merge_span(first, last)
                    for first, last in MERGE_REF.findall(window[at:] + xml.read())
                ]
    return []


CELL_OPEN: Final = re.compile(rb'<c\b[^>]*?\br="([A-Z]+)([0-9]+)"[^>]*>')
FORMULA: Final = re.compile(rb"<f[\s>/]")


def _formulas_without_value(book: Any, sheet: Any) -> list[tuple[int, int]]:
    """(row, column) of each formula cell saved without its value: a file written by a
    program rather than by Excel or LibreOffice stores the formula only, and its cell reads as
    empty (a start date or a pattern silently lost). The sheet's bytes are read whole only
    when they hold a formula at all."""
    from openpyxl.utils.cell import column_index_from_string

    with book._archive.open(sheet._worksheet_path) as xml:
        if not _holds(xml, b"<f"):
            return []
    with book._archive.open(sheet._worksheet_path) as xml:
        data = xml.read()
    found = []
    for formula in FORMULA.finditer(data):
        start = data.rfind(b"<c ", 0, formula.start())
        cell = CELL_OPEN.match(data, start) if start >= 0 else None
        end = data.find(b"</c>", formula.start())
        if cell is None or cell.group().endswith(b"/>") or end < 0:
            continue  # a formula outside the cells (a validation's, a rule's)
        if data.find(b"</c>", cell.end(), formula.start()) >= 0:
            continue  # that cell closed before it
        if not _has_value(data, cell.group(), data.find(b"<v", formula.end(), end)):
            found.append((int(cell.group(2)), column_index_from_string(cell.group(1).decode())))
    return found


EMPTY_VALUE: Final = re.compile(rb"<v\s*/>|<v\s*>\s*</v>")


def _has_value(data: bytes, cell: bytes, at: int) -> bool:
    """Whether a formula cell's value stands at ``at`` (-1: none). An empty one is a value
    only for a text result (``t="str"``: a formula that gave ""); openpyxl writes ``<v />``
    for a formula it never computed."""
    if at < 0:
        return False
    return EMPTY_VALUE.match(data, at) is None or b't="str"' in cell


def _holds(xml: Any, needle: bytes) -> bool:
    """Whether the stream holds ``needle``, read a chunk at a time."""
    window = b""
    while chunk := xml.read(SCAN_CHUNK):
        window = window[-len(needle) :] + chunk  # a needle cut between two chunks
        if needle in window:
            return True
    return False


def formula_unsaved() -> str:
    """Why a row with a formula saved without its value is refused."""
    return _("a formula without its value: open the file in Excel or LibreOffice and save it")


def _merge_span(first: bytes, last: bytes) -> tuple[int, int, int]:
    """A merged range ``A2:A3`` as (top row, left column, bottom row)."""
    from openpyxl.utils.cell import column_index_from_string, coordinate_from_string

    left, top = coordinate_from_string(first.decode())
    _right, bottom = coordinate_from_string(last.decode())
    return top, column_index_from_string(left), bottom


def _column_name(header: list[str], column: int) -> str:
    """The header's name of 1-based ``column`` (its letter past the header)."""
    from openpyxl.utils.cell import get_column_letter

    if 0 < column <= len(header) and header[column - 1].strip():
        return header[column - 1].strip().lower()
    return str(get_column_letter(column))


def merged_cells(top: int) -> str:
    """Why a row under a merged range is refused (its cell reads as empty)."""
    return _("merged with the cell on line %(line)s: unmerge the cells and fill in every row") % {
        "line": top
    }


EXCEL_ERRORS: Final = frozenset(
    {"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#SPILL!", "#CALC!"}
)
"""What a spreadsheet shows where a formula failed (a VLOOKUP that found nothing: #N/A)."""


EXCEL_EXACT_DIGITS: Final = 15


def imprecise_number() -> str:
    """Why a number cell past :data:`EXCEL_EXACT_DIGITS` digits is refused."""
    return _(
        "number longer than 15 digits was rounded by Excel: format the column as Text and re-enter"
    )


def unknown_nip(file: str, line: int, written: str) -> Problem:
    """Why no employee in the importer's scope has the NIP ``written`` (whether or not one
    exists elsewhere). A NIP that Excel turned into a number says so: the operator must retype
    the column, not look for the employee."""
    if written_as_number(written):
        reason = _(
            "NIP %(nip)s was turned into a number by Excel, which loses its last "
            "digits: format the column as Text and type the NIPs again"
        )
    else:
        reason = _("no employee with NIP '%(nip)s'")
    return Problem(file, line, "nip", reason % {"nip": written})


CONTROL: Final = re.compile(r"[\x00-\x1f\x7f-\x9f]")
"""Characters no name, position or e-mail holds: a paste's tab or line break, a stray byte.
Kept, they would break the Excel export (which cannot hold them) and the pages' layout."""


def beyond_header() -> str:
    return _(
        "a value stands where the header names no column (an unquoted comma?): quote the cell,"
        " or name its column"
    )


def unfit_text(row: Row, model: type[Model], columns: Iterable[str]) -> list[tuple[str, str]]:
    """``(column, reason)`` for each of ``columns`` longer than the ``model`` field of the same
    name holds (SQLite would keep it whole, PostgreSQL refuse the whole import with no line) or
    holding a control character."""
    found = []
    for column in columns:
        text = row.get(column)
        limit = getattr(model._meta.get_field(column), "max_length", None)
        control = CONTROL.search(text)
        if limit is not None and len(text) > limit:
            found.append((column, _("at most %(count)s characters") % {"count": limit}))
        elif control:
            found.append(
                (
                    column,
                    _("holds a control character (U+%(code)s): retype the cell")
                    % {"code": f"{ord(control.group()):04X}"},
                )
            )
    return found


def table_date(
    text: str, column: str, bad: Callable[[str, str], None], *, required: bool = True
) -> date | None:
    """An ISO date cell (Excel's date cells arrive as ISO text), or ``None`` after telling
    ``bad(column, reason)`` why not; an empty optional cell is ``None`` without a word."""
    if not text:
        if required:
            bad(column, _("date is required (YYYY-MM-DD)"))
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    try:
        return datetime.fromisoformat(text).date()  # a date cell that also holds a time
    except ValueError:
        if EXCEL_SERIAL.fullmatch(text):  # a date cell pasted as a number: 45352 is 2024-03-01
            bad(
                column,
                _(
                    "'%(date)s' is a date Excel shows as a number: format the column as a date"
                    " (or type YYYY-MM-DD) and save again"
                )
                % {"date": text},
            )
        else:
            bad(column, _("invalid date '%(date)s'; format YYYY-MM-DD") % {"date": text})
        return None


_OFFSET = r"(?:Z|[+-][0-9]{2}(?::?[0-9]{2})?)?"
_DOTTED_TIME: Final = re.compile(
    rf"(?P<day>[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}})[ T](?P<hour>[0-9]{{1,2}})\.(?P<minute>[0-9]{{2}})"
    rf"(?:\.(?P<second>[0-9]{{2}}))?(?P<offset>{_OFFSET})"
)
_HOUR_ONLY: Final = re.compile(rf"[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}[ T][0-9]{{1,2}}{_OFFSET}")
_FRACTION_TOO_EARLY: Final = re.compile(r"[ T][0-9]{1,2}(?::?[0-9]{2})?[.,][0-9]")
"""A fraction right after the hour or the minutes ("07.4", "07:45.30", "07,45"), which Python
reads as a fraction of a second or of a minute; ISO allows one after the seconds only."""


class UnclearTime(ValueError):
    """A time Python's ISO reader would take, but not as its writer meant it; its text is the
    reason to tell them, with how to write it."""


def read_moment(text: str) -> datetime:
    """A date and time as its writer meant it (``ValueError`` for what is none).

    Python's ISO reader takes the Indonesian "2024-03-04 07.45" (pukul 07.45, as Excel in the
    Indonesian locale saves hh:mm) for 07:00 and 0.45 seconds, and "2024-03-04 07" for 07:00:
    a late arrival would land on the hour. The first is read as hours and minutes; the second,
    and any other fraction standing where minutes or seconds belong ("07.4", "07:45.30"), is
    refused (:class:`UnclearTime`) rather than guessed at."""
    text = text.strip()
    dotted = _DOTTED_TIME.fullmatch(text)
    if dotted:
        second = f":{dotted['second']}" if dotted["second"] else ""
        text = f"{dotted['day']}T{int(dotted['hour']):02d}:{dotted['minute']}{second}"
        text += dotted["offset"]
    elif _HOUR_ONLY.fullmatch(text):
        raise UnclearTime(no_minutes(text))
    elif _FRACTION_TOO_EARLY.search(text):
        raise UnclearTime(fraction_too_early(text))
    return datetime.fromisoformat(text.replace(" ", "T", 1))


def table_moment(
    text: str, column: str, bad: Callable[[str, str], None], tz: ZoneInfo
) -> datetime | None:
    """An optional cell holding a date (its midnight) or a date and time ("2024-03-04 12:30"),
    on the clock ``tz``; ``None`` when empty, or after telling ``bad(column, reason)`` why."""
    if not text:
        return None
    try:
        moment = read_moment(text)
    except UnclearTime as unclear:
        bad(column, str(unclear))
        return None
    except ValueError:
        day = table_date(text, column, bad)
        return None if day is None else datetime.combine(day, time.min, tzinfo=tz)
    return moment.replace(tzinfo=tz) if moment.tzinfo is None else moment


def no_minutes(text: str) -> str:
    return _("time '%(time)s' has an hour but no minutes: write it as HH:MM") % {"time": text}


def fraction_too_early(text: str) -> str:
    return _(
        "time '%(time)s' has a fraction where its minutes or seconds belong: write it as HH:MM"
        " or HH:MM:SS"
    ) % {"time": text}


EXCEL_SERIAL: Final = re.compile(r"[1-9][0-9]{4}(\.0+)?")
"""How Excel writes a date it was not told is one: days since 1899-12-30 (2024 is 45292+)."""


def logical() -> str:
    """Why a TRUE/FALSE cell is refused. No column of any import is a yes/no: such a cell is a
    slip (Excel turns a typed TRUE into one), and as text it would become the value "True" (a
    PIN, a name)."""
    return _("cell holds a TRUE/FALSE logical value, not text or a number: re-enter it as text")


def _cell_problem(cell: object) -> str:
    """Why a cell cannot be read as what it shows, or empty."""
    if isinstance(cell, bool):
        return logical()
    if _imprecise_number(cell):
        return imprecise_number()
    if isinstance(cell, str) and cell.strip().upper() in EXCEL_ERRORS:
        return _("cell holds a formula error (%(error)s): mend the formula or type the value") % {
            "error": cell.strip()
        }
    return ""


def _imprecise_number(cell: object) -> bool:
    """Whether a numeric cell is too long for Excel to have kept every digit.

    Excel keeps 15 significant digits, so an 18-digit NIP typed as a number comes back as a
    different, often still valid-looking, NIP: refusing it is the only safe answer.
    """
    if isinstance(cell, bool) or not isinstance(cell, int | float):
        return False
    return abs(cell) >= 10**EXCEL_EXACT_DIGITS


def _cell_text(cell: Any) -> str:
    """Cells as text the importers can validate; Excel dates become ISO dates."""
    if cell is None:
        return ""
    if isinstance(cell, datetime):  # a date, or a date and time (a PIN's handover at noon)
        if cell.time() == time.min:
            return cell.date().isoformat()
        return cell.isoformat(sep=" ", timespec="minutes")
    if isinstance(cell, date):
        return cell.isoformat()
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return visible(str(cell))


def visible(text: str) -> str:
    """``text`` without the invisible format characters a copy from a web page or a document
    carries (a zero-width space, a byte-order mark, a soft hyphen): kept, "KUA-A" with one is
    another code, refused as unknown while the operator sees KUA-A."""
    if text.isascii():
        return text
    return "".join(c for c in text if unicodedata.category(c) != "Cf")
