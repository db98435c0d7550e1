"""Organisation files as operators send them: a tree set upright again, a new employee's
move date, a formula's error in a cell, cells merged down a column, data on two sheets."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import Workbook

from hadir.common.tables import TableRefused
from hadir.org.models import Employee, Unit
from hadir.org.services import employees_import, units_import
from tests.conftest import Org
from tests.factories import UnitFactory, valid_nip

HEADER = ["nip", "name", "unit", "pattern", "golongan", "start"]


# ---------------------------------------------------------------- false cycle


def test_making_a_unit_a_root_and_hanging_its_former_parent_under_it_is_not_a_cycle(
    db: None, tmp_path: Path
) -> None:
    """An earlier file put the Kanwil under the Kankemenag by mistake; the corrected file puts
    the Kanwil at the top and the Kankemenag under it. The new tree has no loop."""
    kab = UnitFactory.create(code="KAB-S", name="Kankemenag", kind=Unit.Kind.KANKEMENAG)
    kanwil = UnitFactory.create(code="KANWIL-S", name="Kanwil", kind=Unit.Kind.KANWIL, parent=kab)
    path = tmp_path / "unit.csv"
    path.write_text(
        "code,name,kind,parent,timezone,pattern\n"
        "KANWIL-S,Kanwil,KANWIL,,WIB,KANTOR_5H\n"
        "KAB-S,Kankemenag,KANKEMENAG,KANWIL-S,WIB,KANTOR_5H\n",
        encoding="utf-8",
    )

    units_import(path=path, actor_label="test")  # refused today: "rantai induk berputar"

    kanwil.refresh_from_db()
    kab.refresh_from_db()
    assert kanwil.parent is None
    assert kab.parent == kanwil
    assert kab.path == f"/{kanwil.pk}/{kab.pk}/"


# ---------------------------------------------------------------- unit_since, new employee


@pytest.mark.parametrize("since", ["2030-01-01", "2024-03-18"])
def test_unit_since_of_a_new_employee_is_not_silently_ignored(
    org: Org, tmp_path: Path, since: str
) -> None:
    """Attendance counts from 2024-01-02, but the row says the person is in KUA-A only since
    ``since``. For an existing employee a date to come is refused and any other date is
    honoured; for a new one the column is dropped without a word, and every day from the
    start is evaluated in KUA-A: the line is refused, saying why."""
    nip = valid_nip(970)
    path = tmp_path / "pegawai.csv"
    path.write_text(
        ",".join([*HEADER, "unit_since"]) + f"\n{nip},Ahmad Baru,KUA-A,,III/a,2024-01-02,{since}\n",
        encoding="utf-8",
    )
    with pytest.raises(TableRefused) as refused:
        employees_import(path=path, actor_label="test")

    assert [(p.line, p.column) for p in refused.value.problems] == [(2, "unit_since")]
    assert not Employee.objects.filter(nip=nip).exists()


# ---------------------------------------------------------------- formula errors


def test_an_excel_formula_error_is_not_imported_as_a_name(org: Org, tmp_path: Path) -> None:
    """A VLOOKUP that found nothing leaves #N/A (an error cell, t="e") in the name column and
    #REF! in the position: both are taken as text."""
    nip = valid_nip(971)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append([*HEADER, "position"])
    sheet.append([nip, "#N/A", "KUA-A", None, "III/a", "2024-01-02", "#REF!"])
    assert sheet["B2"].data_type == "e"  # what Excel stores for a formula's error result
    path = tmp_path / "pegawai.xlsx"
    book.save(path)

    with pytest.raises(TableRefused) as refused:
        employees_import(path=path, actor_label="test")  # today: creates "#N/A"

    located = {(p.line, p.column) for p in refused.value.problems}
    assert {(2, "name"), (2, "position")} <= located
    assert not Employee.objects.filter(nip=nip).exists()


# ---------------------------------------------------------------- merged cells


def test_a_merged_pattern_cell_does_not_silently_leave_the_rows_below_it_on_the_default(
    org: Org, tmp_path: Path
) -> None:
    """Two teachers of a private madrasah on a 6-day pattern, the pattern cell merged over
    both rows (as operators group rows). The second row's cell is empty in the file: it is
    read as "the unit's pattern" without a word."""
    first, second = valid_nip(972), valid_nip(973)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER)
    sheet.append([first, "Guru Satu", "MAN-A", "MADRASAH_6H_MINGGU", "III/a", "2024-01-02"])
    sheet.append([second, "Guru Dua", "MAN-A", None, "III/b", "2024-01-02"])
    sheet.merge_cells("D2:D3")
    path = tmp_path / "pegawai.xlsx"
    book.save(path)

    with pytest.raises(TableRefused) as refused:
        employees_import(path=path, actor_label="test")

    assert [(p.line, p.column) for p in refused.value.problems] == [(3, "pattern")]


# ---------------------------------------------------------------- a second sheet


def test_employees_on_a_second_visible_sheet_are_not_silently_left_out(
    org: Org, tmp_path: Path
) -> None:
    """A SIMPEG workbook split by kind: sheet "PNS" and sheet "PPPK", both with the header.
    Only the sheet the workbook opens on is read; the PPPK are dropped and the import reports
    success ("dibuat: 1")."""
    pns, pppk = valid_nip(974), valid_nip(975, pppk=True)
    book = Workbook()
    first = book.active
    assert first is not None
    first.title = "PNS"
    first.append(HEADER)
    first.append([pns, "Ahmad PNS", "KUA-A", None, "III/a", "2024-01-02"])
    second = book.create_sheet("PPPK")
    second.append(HEADER)
    second.append([pppk, "Siti PPPK", "KUA-A", None, "IX", "2024-01-02"])
    path = tmp_path / "pegawai.xlsx"
    book.save(path)

    try:
        report = employees_import(path=path, actor_label="test")
    except TableRefused:
        assert not Employee.objects.filter(nip__in=[pns, pppk]).exists()
        return
    assert sorted(report.created) == sorted([pns, pppk]), f"only {report.created} imported"


# ---------------------------------------------------------------- formulas without values


def test_a_start_date_written_as_a_formula_never_computed_is_refused_not_read_as_empty(
    org: Org, tmp_path: Path
) -> None:
    """A workbook made by a script (openpyxl stores a formula, not its value): Excel would
    compute =DATE(2024,1,2) on opening, but the file itself holds no date, so the import read
    an empty start. The line is refused, saying why, and nobody is created."""
    nip = valid_nip(976)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER)
    sheet.append([nip, "Ahmad Rumus", "KUA-A", None, "III/a", "=DATE(2024,1,2)"])
    path = tmp_path / "pegawai.xlsx"
    book.save(path)

    with pytest.raises(TableRefused) as refused:
        employees_import(path=path, actor_label="test")

    assert [(p.line, p.column) for p in refused.value.problems] == [(2, "start")]
    assert "LibreOffice" in refused.value.problems[0].reason
    assert not Employee.objects.filter(nip=nip).exists()


def test_formulas_saved_with_their_values_import_as_their_values(org: Org, tmp_path: Path) -> None:
    """As Excel saves them: the formula and, beside it, its value (a text result included,
    the empty text of an IF that found nothing among them)."""
    nip = valid_nip(977)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append([*HEADER, "position"])
    sheet.append([nip, "=B1", "KUA-A", None, "III/a", "2024-01-02", '=IF(FALSE,"x","")'])
    path = tmp_path / "pegawai.xlsx"
    book.save(path)
    computed = {
        b'<c r="B2"><f>B1</f><v />': b'<c r="B2" t="str"><f>B1</f><v>Ahmad Rumus</v>',
        b'<c r="G2"><f>IF(FALSE,"x","")</f><v />': b'<c r="G2" t="str"><f>IF(FALSE,"x","")</f><v></v>',
    }
    excel_saved(path, computed)

    employees_import(path=path, actor_label="test")

    assert Employee.objects.get(nip=nip).name == "Ahmad Rumus"


def excel_saved(path: Path, replacements: dict[bytes, bytes]) -> None:
    """Rewrite the sheet of ``path`` as Excel saves it, each formula cell with its value."""
    import zipfile

    with zipfile.ZipFile(path) as book:
        parts = {name: book.read(name) for name in book.namelist()}
    sheet = parts["xl/worksheets/sheet1.xml"]
    for old, new in replacements.items():
        assert old in sheet
        sheet = sheet.replace(old, new)
    parts["xl/worksheets/sheet1.xml"] = sheet
    with zipfile.ZipFile(path, "w") as book:
        for name, data in parts.items():
            book.writestr(name, data)
