"""Exports of the unit recap and the daily detail: JSON, CSV, Excel and PDF (kop surat).

Every format is deterministic for the same data (fixed timestamps inside the files), so the
recap of a closed month comes out byte for byte the same every time.
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
import zipfile
from collections.abc import Sequence
from datetime import UTC, date, datetime, time
from typing import Any

from hadir.rules.explain import format_decimal

FIXED_TIMESTAMP = (2000, 1, 1, 0, 0, 0)

MONTH_COLUMNS = [
    ("nip", "NIP"),
    ("name", "Nama"),
    ("unit", "Unit"),
    ("golongan", "Gol."),
    ("workdays", "Hari kerja"),
    ("present_days", "Hadir"),
    ("absent_days", "TK"),
    ("absences", "Ketidakhadiran sah"),
    ("late_1", "TL1"),
    ("late_2", "TL2"),
    ("late_3", "TL3"),
    ("late_4", "TL4"),
    ("late_minutes", "Menit TL"),
    ("early_1", "PSW1"),
    ("early_2", "PSW2"),
    ("early_3", "PSW3"),
    ("early_4", "PSW4"),
    ("early_minutes", "Menit PSW"),
    ("tukin_deduction_percent", "Potongan TUKIN %"),
    ("meal_days", "Hari UM"),
    ("meal_rate", "Tarif UM"),
    ("meal_gross", "UM bruto"),
    ("meal_tax", "PPh 21"),
    ("meal_net", "UM neto"),
    ("days_not_at_work", "Hari tidak masuk (tahun)"),
    ("longest_absent_streak", "TK beruntun"),
    ("sanction", "Sanksi"),
]
DAILY_COLUMNS = [
    ("nip", "NIP"),
    ("name", "Nama"),
    ("unit", "Unit"),  # a Kankemenag's export holds many units' days
    ("date", "Tanggal"),
    ("status", "Status"),
    ("datang", "Datang"),
    ("pulang", "Pulang"),
    ("late_minutes", "Menit TL"),
    ("late_class", "TL"),
    ("early_minutes", "Menit PSW"),
    ("early_class", "PSW"),
    ("meal", "UM"),
]
MONEY_KEYS = ("meal_rate", "meal_gross", "meal_tax", "meal_net")


def flat_month_row(row: dict[str, Any]) -> dict[str, Any]:
    """A recap row (the JSON shape) flattened to one value per column."""
    flat = {key: row.get(key) for key, _ in MONTH_COLUMNS}
    flat["absences"] = " ".join(f"{code}:{days}" for code, days in sorted(row["absences"].items()))
    for side, prefix in (("late", "late"), ("early", "early")):
        for cls in "1234":
            flat[f"{prefix}_{cls}"] = row[side][cls]
        flat[f"{prefix}_minutes"] = row[side]["minutes"]
    for key in ("days", "rate", "gross", "tax", "net"):
        flat[f"meal_{key}"] = row["meal_allowance"][key]
    discipline = row["discipline"]
    flat["days_not_at_work"] = discipline["days_not_at_work"]
    flat["longest_absent_streak"] = discipline["longest_absent_streak"]
    flat["sanction"] = discipline["sanction"] or ""
    return flat


def to_json(rows: Sequence[dict[str, Any]]) -> bytes:
    return (json.dumps(list(rows), ensure_ascii=False, indent=2) + "\n").encode()


FORMULA_SIGNS = ("=", "+", "-", "@", "\t", "\r")
"""What makes a spreadsheet read a cell as a formula (OWASP's "CSV injection")."""
LIST_SEPARATED_FORMULA = re.compile(r";(?=[=+\-@\t\r])")
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
"""What an xlsx cannot hold."""


def _csv_cell(value: Any) -> Any:
    """A value as CSV text: a name that opens like a formula (``=HYPERLINK(…)``, typed into
    SIMPEG) is quoted with ``'`` so that Excel shows it instead of running it."""
    if value is None:
        return ""
    if not isinstance(value, str):
        return value
    # Excel set to Indonesian splits a CSV at ";" too: a sign after one starts a formula.
    value = LIST_SEPARATED_FORMULA.sub(";'", value)
    return "'" + value if value.startswith(FORMULA_SIGNS) else value


def to_csv(rows: Sequence[dict[str, Any]], *, daily: bool) -> bytes:
    columns = DAILY_COLUMNS if daily else MONTH_COLUMNS
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([key for key, _ in columns])
    for row in rows:
        flat = row if daily else flat_month_row(row)
        writer.writerow([_csv_cell(flat.get(key)) for key, _ in columns])
    return buffer.getvalue().encode("utf-8-sig")


def to_xlsx(rows: Sequence[dict[str, Any]], *, daily: bool, title: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    columns = DAILY_COLUMNS if daily else MONTH_COLUMNS
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Harian" if daily else "Rekap"
    sheet.append([CONTROL.sub("\ufffd", title)])
    sheet["A1"].font = Font(bold=True, size=12)
    sheet.append([label for _, label in columns])
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for row in rows:
        flat = row if daily else flat_month_row(row)
        values = []
        for key, _ in columns:
            value = flat.get(key)
            if key == "tukin_deduction_percent" and value is not None:
                value = float(value)
            elif key in XLSX_FORMATS and isinstance(value, str):
                value = _date_or_time(value)
            elif isinstance(value, str):
                value = CONTROL.sub("\ufffd", value)  # openpyxl refuses the workbook over one
            values.append(value)
        sheet.append(values)
    _as_text(sheet)
    if not daily:
        for column_index, (key, _) in enumerate(columns, start=1):
            if key in MONEY_KEYS:
                for (cell,) in sheet.iter_rows(
                    min_row=3, min_col=column_index, max_col=column_index
                ):
                    cell.number_format = "#,##0"
    for column_index, (key, _) in enumerate(columns, start=1):
        if key in XLSX_FORMATS:
            for (cell,) in sheet.iter_rows(min_row=3, min_col=column_index, max_col=column_index):
                cell.number_format = XLSX_FORMATS[key]
    sheet.freeze_panes = "C3"
    fixed = datetime(*FIXED_TIMESTAMP, tzinfo=UTC).replace(tzinfo=None)  # openpyxl wants naive
    book.properties.created = fixed
    book.properties.modified = fixed
    buffer = io.BytesIO()
    book.save(buffer)
    return _fixed_zip(buffer.getvalue())


XLSX_FORMATS = {"date": "DD-MM-YYYY", "datang": "HH:MM", "pulang": "HH:MM"}
"""The daily sheet's dates and times, written as Excel's own, to sort, filter and compute."""


def _date_or_time(value: str) -> date | time | str:
    """A row's ISO date ("2024-03-01") or punch time ("07:25") as a date or a time."""
    try:
        return time.fromisoformat(value) if ":" in value else date.fromisoformat(value)
    except ValueError:
        return value


def _as_text(sheet: Any) -> None:
    """Every text cell as text, even a name typed as "=HYPERLINK(…)", which openpyxl would store
    as a formula for whoever opens the file to run."""
    for row in sheet.iter_rows():
        for cell in row:
            if isinstance(cell.value, str):
                cell.data_type = "s"


def _fixed_zip(data: bytes) -> bytes:
    """Rewrite a zip (xlsx) with fixed entry timestamps, so equal content gives equal bytes."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=FIXED_TIMESTAMP)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":  # openpyxl stamps "modified" on save
                content = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>2000-01-01T00:00:00Z", content
                )
            target.writestr(fixed, content)
    return out.getvalue()


def to_pdf(
    rows: Sequence[dict[str, Any]],
    *,
    daily: bool,
    unit_name: str,
    month: date,
    head_name: str,
    head_nip: str,
    place: str,
    signed_on: date,
    office_name: str = "",
    signed: bool = True,
) -> bytes:
    """The recap on A4 landscape with the Kemenag letterhead and the unit head's signature;
    unsigned (``signed=False``) for a recap of every unit, which no one head signs."""
    from fpdf import FPDF
    from fpdf.fonts import FontFace

    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.set_creation_date(datetime(*FIXED_TIMESTAMP, tzinfo=UTC))
    pdf.set_title(f"Rekap presensi {unit_name} {month:%Y-%m}")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    _letterhead(pdf, unit_name, office_name)
    pdf.set_font("Helvetica", "B", 11)
    what = "REKAP PRESENSI HARIAN" if daily else "REKAP PRESENSI, UANG MAKAN DAN POTONGAN TUKIN"
    pdf.cell(0, 6, f"{what} - {_month_name(month)}", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    columns = _pdf_columns(daily)
    totals = {"meal_gross": 0, "meal_tax": 0, "meal_net": 0}
    pdf.set_font("Helvetica", "", 7)
    # fpdf2's table wraps a long name within its cell and repeats the headings on every page.
    with pdf.table(
        col_widths=tuple(w for _, _, w in columns),
        width=pdf.epw,
        line_height=3.5,
        repeat_headings=1,
        headings_style=FontFace(emphasis="BOLD", size_pt=6),
        text_align="LEFT",
        v_align="TOP",
        padding=0.6,
    ) as table:
        headings = table.row()
        for _, label, _ in columns:
            headings.cell(label, align="C")
        for row in rows:
            flat = row if daily else flat_month_row(row)
            for key in totals:
                totals[key] += int(flat.get(key) or 0)
            cells = table.row()
            for key, _, _ in columns:
                cells.cell(_latin(_pdf_text(key, flat.get(key))))
    if not daily:
        pdf.set_font("Helvetica", "B", 8)
        pdf.ln(1)
        pdf.cell(
            0,
            6,
            "Jumlah: {} pegawai; uang makan bruto Rp {}, PPh 21 Rp {}, neto Rp {}".format(
                len(rows),
                *(
                    f"{totals[k]:,}".replace(",", ".")
                    for k in ("meal_gross", "meal_tax", "meal_net")
                ),
            ),
            new_x="LMARGIN",
            new_y="NEXT",
        )
    if not signed:
        return bytes(pdf.output())
    if pdf.will_page_break(SIGNATURE_HEIGHT_MM):  # signed as one block, on one page
        pdf.add_page()
    _signature(
        pdf,
        unit_name=unit_name,
        head_name=head_name,
        head_nip=head_nip,
        place=place,
        signed_on=signed_on,
    )
    return bytes(pdf.output())


SIGNATURE_HEIGHT_MM = 45
"""The signature block's height: the place and date, the office, room to sign, name, NIP."""


def _pdf_text(key: str, value: Any) -> str:
    """A cell of the letter written the Indonesian way: Rp 1.242.000, a TUKIN cut of 54,00 (a
    dot there would read as a thousands separator beside the rupiah)."""
    if value is None:
        return ""
    if key in MONEY_KEYS:
        return f"{value:,}".replace(",", ".")
    if key == "tukin_deduction_percent":
        return format_decimal(str(value), "id")
    if isinstance(value, bool):
        return "Ya" if value else "Tidak"
    if key == "sanction":
        return str(value).replace("_", " ")  # PERNYATAAN TIDAK PUAS wraps within its cell
    return str(value)


def _pdf_columns(daily: bool) -> list[tuple[str, str, float]]:
    if daily:
        daily_wide = {"name": 3.0, "unit": 2.0}
        return [(k, label, daily_wide.get(k, 1.5)) for k, label in DAILY_COLUMNS]
    keep = [
        "nip", "name", "workdays", "present_days", "absent_days", "absences", "late_1", "late_2", "late_3", "late_4",
        "early_1", "early_2", "early_3", "early_4", "tukin_deduction_percent", "meal_days", "meal_gross", "meal_tax",
        "meal_net", "days_not_at_work", "sanction",
    ]  # fmt: skip
    labels = {
        **dict(MONTH_COLUMNS),
        "workdays": "HK",
        "present_days": "H",
        "absences": "Ket. sah",
        "tukin_deduction_percent": "TUKIN %",
        "meal_days": "Hr UM",
        "days_not_at_work": "Hr/th",
    }
    wide = {
        "nip": 3.6,
        "name": 4.5,
        "absences": 2.2,
        "sanction": 3.8,
        "meal_gross": 1.8,
        "meal_tax": 1.6,
        "meal_net": 1.8,
        "tukin_deduction_percent": 1.5,
    }
    return [(k, labels[k], wide.get(k, 1.2)) for k in keep]


def _letterhead(pdf: Any, unit_name: str, office_name: str) -> None:
    pdf.set_font("Helvetica", "B", 13)
    pdf.cell(0, 6, "KEMENTERIAN AGAMA REPUBLIK INDONESIA", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "B", 12)
    for line in dict.fromkeys(filter(None, (office_name, unit_name))):
        pdf.cell(0, 6, _latin(line.upper()), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_line_width(0.8)
    y = pdf.get_y() + 2
    pdf.line(pdf.l_margin, y, pdf.w - pdf.r_margin, y)
    pdf.set_line_width(0.2)
    pdf.line(pdf.l_margin, y + 1.2, pdf.w - pdf.r_margin, y + 1.2)
    pdf.ln(6)


def _signature(
    pdf: Any, *, unit_name: str, head_name: str, head_nip: str, place: str, signed_on: date
) -> None:
    pdf.ln(6)
    x = pdf.w - pdf.r_margin - 80
    pdf.set_font("Helvetica", "", 9)
    for text in (
        f"{place}, {signed_on.day} {_month_name(signed_on)}",
        f"Kepala {unit_name}",
        "",
        "",
        "",
    ):
        pdf.set_x(x)
        pdf.cell(80, 5, _latin(text), new_x="LMARGIN", new_y="NEXT")
    pdf.set_x(x)
    pdf.set_font("Helvetica", "BU", 9)
    pdf.cell(
        80,
        5,
        _latin(head_name or "...................................."),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.set_x(x)
    pdf.set_font("Helvetica", "", 9)
    pdf.cell(80, 5, f"NIP {head_nip}" if head_nip else "NIP", new_x="LMARGIN", new_y="NEXT")


MONTHS_ID = [
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
]


def _month_name(day: date) -> str:
    return f"{MONTHS_ID[day.month - 1]} {day.year}"


TYPOGRAPHIC = str.maketrans(
    {"‘": "'", "’": "'", "‚": "'", "‛": "'", "“": '"', "”": '"', "„": '"', "–": "-", "—": "-",
     "‐": "-", "‑": "-", "…": "...", "\u00a0": " ", "\u202f": " "}
)  # fmt: skip
"""What Word and SIMPEG put in a name ("Ma’ruf") that Latin-1 lacks, as typed on a keyboard."""


def _latin(text: str) -> str:
    """The core PDF fonts speak Latin-1; what they cannot draw is written as typed on a
    keyboard, else without its accents (NFKD), else as "?"."""
    text = text.translate(TYPOGRAPHIC)
    if text.isascii():
        return text
    return "".join(_latin_char(char) for char in text)


def _latin_char(char: str) -> str:
    try:
        char.encode("latin-1")
    except UnicodeEncodeError:
        plain = unicodedata.normalize("NFKD", char).encode("latin-1", "ignore").decode("latin-1")
        return plain or "?"
    return char
