"""Spreadsheets as operators really send them: Excel's dates of 1900, a row typed in Notepad,
characters pasted from a web page, a template opening on its instructions, codes in small
letters, a workbook that unpacks to hundreds of megabytes."""

from __future__ import annotations

import contextlib
import tracemalloc
import zipfile
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference

from hadir.common.tables import TableRefused, read_table
from hadir.org.models import Employee, Unit
from hadir.org.services import employees_import, units_import
from tests.conftest import Org
from tests.factories import valid_nip

HEADER = ["nip", "name", "unit", "pattern", "golongan", "start"]


def workbook(path: Path, rows: Sequence[Sequence[object]]) -> Path:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


# ---------------------------------------------------------------- employees


@pytest.mark.parametrize("start", [datetime(1900, 1, 1), "1024-01-02"])
def test_an_attendance_start_before_the_birth_date_in_the_nip_is_refused_on_its_line(
    org: Org, tmp_path: Path, start: object
) -> None:
    """A date cell holding Excel's serial 1 (1900-01-01), or a year typed 1024 for 2024, is
    taken as the first day of attendance of someone whose NIP says they were born in 1972:
    the employee is created counting from a century before their birth. The operator gets no
    word; the line should be refused on its ``start``."""
    nip = valid_nip(802)
    path = workbook(
        tmp_path / "pegawai.xlsx", [HEADER, [nip, "Ahmad Fauzi", "KUA-A", "", "III/a", start]]
    )

    with pytest.raises(TableRefused) as refused:
        employees_import(path=path, actor_label="test")

    assert [(p.line, p.column) for p in refused.value.problems] == [(2, "start")]
    assert not Employee.objects.filter(nip=nip).exists()


def test_a_csv_mixing_utf8_names_with_one_windows_1252_line_does_not_garble_the_utf8_names(
    org: Org, tmp_path: Path
) -> None:
    """The operator appended one row typed in Notepad (Windows-1252: ``Ma'ruf`` with a curly
    apostrophe) to a UTF-8 file that holds ``Şükrü``. One byte is not UTF-8, so the whole
    file is read as Windows-1252 and Şükrü is saved as ``ÅžÃ¼krÃ¼`` without a word. The file
    should be refused naming the line that is not UTF-8 (or every name read right)."""
    sukru, maruf = valid_nip(803), valid_nip(804)
    path = tmp_path / "pegawai.csv"
    path.write_bytes(
        b"nip,name,unit,pattern,golongan,start\n"
        + f"{sukru},\u015e\u00fckr\u00fc,KUA-A,,III/a,2024-01-02\n".encode()
        + f"{maruf},Ma\u2019ruf,KUA-A,,III/a,2024-01-02\n".encode("cp1252")
    )

    with pytest.raises(TableRefused) as refused:
        employees_import(path=path, actor_label="test")

    assert [(p.line, p.column) for p in refused.value.problems] == [(3, "")]
    assert "UTF-8" in refused.value.problems[0].reason
    assert not Employee.objects.filter(nip__in=[sukru, maruf]).exists()


def test_a_unit_code_pasted_with_a_zero_width_space_is_not_reported_as_a_unit_that_does_not_exist(
    org: Org, tmp_path: Path
) -> None:
    """A unit code copied from a web page carries an invisible zero-width space. The refusal
    reads ``unit 'KUA-A' not found`` while KUA-A is right there in the unit list: the operator
    cannot see what to fix. The code should be read as KUA-A (machine serials already drop
    such characters), or the refusal should name the invisible character."""
    nip = valid_nip(806)
    path = tmp_path / "pegawai.csv"
    path.write_text(
        f"nip,name,unit,pattern,golongan,start\n{nip},Ahmad,KUA-A\u200b,,III/a,2024-01-02\n",
        encoding="utf-8",
    )

    employees_import(path=path, actor_label="test")

    assert Employee.objects.get(nip=nip).unit == org.kua_a


def test_a_workbook_opening_on_its_instructions_sheet_is_not_said_to_hold_data_on_several_sheets(
    org: Org, tmp_path: Path
) -> None:
    """The office's template opens on a *Petunjuk* sheet of instructions; every employee is on
    the *Data* sheet. The refusal says "the workbook holds data on several sheets (Petunjuk,
    Data): put it on one", but the data is on one sheet already, and the operator cannot do
    what it asks. It should read the Data sheet, or say the workbook opens on a sheet without
    the header and name the sheet that has it."""
    nip = valid_nip(809)
    book = Workbook()
    instructions = book.active
    instructions.title = "Petunjuk"
    instructions.append(["Isi lembar Data: satu pegawai per baris, tanggal YYYY-MM-DD."])
    data = book.create_sheet("Data")
    data.append(HEADER)
    data.append([nip, "Ahmad", "KUA-A", "", "III/a", "2024-01-02"])
    book.active = 0
    path = tmp_path / "pegawai.xlsx"
    book.save(path)

    employees_import(path=path, actor_label="test")

    assert Employee.objects.filter(nip=nip).exists()


def test_a_workbook_opening_on_a_chart_is_read_from_its_data_sheet_not_called_invalid(
    org: Org, tmp_path: Path
) -> None:
    """A recap workbook with its chart of employees per unit in front: a chartsheet holds no
    cells, so the data sheet behind it is the one read."""
    nip = valid_nip(814)
    book = Workbook()
    data = book.active
    data.title = "Data"
    data.append(HEADER)
    data.append([nip, "Ahmad", "KUA-A", "", "III/a", "2024-01-02"])
    chart = BarChart()
    chart.add_data(Reference(data, min_col=1, min_row=1, max_row=2))
    book.create_chartsheet("Grafik", 0).add_chart(chart)
    book.active = 0
    path = tmp_path / "pegawai.xlsx"
    book.save(path)

    employees_import(path=path, actor_label="test")

    assert Employee.objects.filter(nip=nip).exists()


def test_a_sheet_missing_a_column_is_refused_not_passed_over_for_an_older_complete_copy(
    org: Org, tmp_path: Path
) -> None:
    """The operator edited the sheet the workbook opens on but dropped its start column; an
    older copy with every column sits on a second sheet. The refusal names the missing column:
    importing the older copy instead would write what she did not mean."""
    book = Workbook()
    edited = book.active
    edited.title = "Baru"
    edited.append(HEADER[:-1])
    edited.append([valid_nip(812), "Ahmad", "KUA-A", "", "III/a"])
    older = book.create_sheet("Lama")
    older.append(HEADER)
    older.append([valid_nip(813), "Budi", "KUA-A", "", "III/a", "2024-01-02"])
    book.active = 0
    path = tmp_path / "pegawai.xlsx"
    book.save(path)

    with pytest.raises(TableRefused) as refused:
        employees_import(path=path, actor_label="test")

    assert "start" in str(refused.value)
    assert not Employee.objects.filter(nip__in=[valid_nip(812), valid_nip(813)]).exists()


# ---------------------------------------------------------------- units


def test_a_unit_code_typed_in_small_letters_updates_its_unit_instead_of_duplicating_it(
    org: Org, tmp_path: Path
) -> None:
    """The units file is re-imported after someone ran LOWER() on the code column: ``kua-a``
    is KUA-A, as kinds, patterns and time zones are read in any case. README: "Re-importing
    updates and never duplicates"."""
    path = tmp_path / "units.csv"
    path.write_text(
        "code,name,kind,parent,timezone,pattern\nkua-a,KUA A,KUA,KAB-A,WIB,KANTOR_5H\n",
        encoding="utf-8",
    )

    report = units_import(path=path, actor_label="test")

    assert Unit.objects.filter(code__iexact="KUA-A").get() == org.kua_a
    assert report.created == []


# ---------------------------------------------------------------- spreadsheets, hostile


def test_a_small_workbook_that_unpacks_to_hundreds_of_megabytes_is_not_read_into_memory(
    db: None, tmp_path: Path
) -> None:
    """A PIN map of 200 KB (well under the 10 MB upload limit) whose sheet unpacks to 100 MB
    takes over 200 MB of the worker's memory to read; a 10 MB one (a zip bomb) would take
    tens of gigabytes and kill the worker: a server error for the operator and everyone on
    that worker. Its unpacked size should be checked before it is read (refused saying so)."""
    path = workbook(tmp_path / "pins.xlsx", [["pin", "nip"], ["7", valid_nip(810)]])
    with zipfile.ZipFile(path) as book:
        parts = {name: book.read(name) for name in book.namelist()}
    sheet = "xl/worksheets/sheet1.xml"
    parts[sheet] = parts[sheet].replace(b"</sheetData>", b" " * (100 << 20) + b"</sheetData>")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as book:
        for name, data in parts.items():
            book.writestr(name, data)
    assert path.stat().st_size < 1 << 20

    tracemalloc.start()
    try:
        with contextlib.suppress(TableRefused):
            read_table(path, required={"pin", "nip"})
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()

    assert peak < 64 << 20, f"peak {peak >> 20} MB for a {path.stat().st_size >> 10} KB file"


def test_an_employee_placed_in_a_unit_code_typed_in_small_letters_lands_in_that_unit(
    org: Org, tmp_path: Path
) -> None:
    nip = valid_nip(811)
    path = tmp_path / "pegawai.csv"
    path.write_text(
        f"nip,name,unit,pattern,golongan,start\n{nip},Ahmad,kua-a,,III/a,2024-01-02\n",
        encoding="utf-8",
    )

    employees_import(path=path, actor_label="test")

    assert Employee.objects.get(nip=nip).unit == org.kua_a
