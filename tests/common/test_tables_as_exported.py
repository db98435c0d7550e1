"""Files as exporters and machines really write them: a workbook claiming fewer rows than it
holds, a hidden first sheet, an unquoted comma, Excel's "Unicode Text", an attlog hour of one
digit, a quoted line break. Each is read whole or refused naming its line, never cut short."""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from hadir.common.tables import TableRefused
from hadir.org.models import Employee, Unit
from hadir.org.services import employees_import
from hadir.presence.imports import punches_import
from hadir.presence.models import Machine, MachinePin
from tests.conftest import Org
from tests.factories import EmployeeFactory, UnitFactory, valid_nip

pytestmark = pytest.mark.django_db

EMPLOYEE_HEADER = ["nip", "name", "unit", "pattern", "golongan", "start"]


def _set_dimension(path: Path, ref: str) -> None:
    """Rewrite the first sheet's <dimension ref=...> as some exporters leave it (stale)."""
    tmp = path.with_suffix(".tmp")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(tmp, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                text = data.decode()
                if "<dimension" in text:
                    text = re.sub(r'<dimension ref="[^"]*"\s*/>', f'<dimension ref="{ref}"/>', text)
                else:
                    text = text.replace("<sheetViews>", f'<dimension ref="{ref}"/><sheetViews>', 1)
                data = text.encode()
            dst.writestr(item, data)
    shutil.move(tmp, path)


def test_a_workbook_is_read_to_its_last_row_whatever_size_it_claims(
    tmp_path: Path, org: Org
) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(EMPLOYEE_HEADER)
    nips = [valid_nip(900 + n) for n in range(3)]
    for n, nip in enumerate(nips):
        sheet.append([nip, f"Pegawai Baru {n}", "KUA-A", "", "III/a", "2024-01-01"])
    path = tmp_path / "pegawai.xlsx"
    book.save(path)
    _set_dimension(path, "A1:F2")  # the workbook claims 2 rows; it holds 4

    try:
        employees_import(path=path)
    except TableRefused:
        return  # refusing the file is acceptable
    assert set(Employee.objects.filter(nip__in=nips).values_list("nip", flat=True)) == set(nips)


def test_the_sheet_read_is_the_one_the_workbook_opens_on_not_a_hidden_first_one(
    tmp_path: Path, org: Org
) -> None:
    book = Workbook()
    old = book.active
    old.title = "lama"
    old.append(EMPLOYEE_HEADER)
    stale = valid_nip(950)
    old.append([stale, "Pegawai Lama", "KUA-A", "", "III/a", "2020-01-01"])
    old.sheet_state = "hidden"
    new = book.create_sheet("pegawai")
    new.append(EMPLOYEE_HEADER)
    fresh = valid_nip(951)
    new.append([fresh, "Pegawai Baru", "KUA-A", "", "III/a", "2024-01-01"])
    book.active = 1
    path = tmp_path / "pegawai.xlsx"
    book.save(path)

    employees_import(path=path)

    assert not Employee.objects.filter(nip=stale).exists()
    assert Employee.objects.filter(nip=fresh).exists()


def test_a_value_under_no_column_refuses_its_line_instead_of_being_dropped(
    tmp_path: Path, org: Org
) -> None:
    nip = valid_nip(960)
    path = tmp_path / "pegawai.csv"
    path.write_text(
        "nip,name,unit,pattern,golongan,start,position\n"
        f"{nip},Siti,KUA-A,,III/a,2024-01-01,Kepala Seksi, Bimas Islam\n",
        encoding="utf-8",
    )
    with pytest.raises(TableRefused) as refused:
        employees_import(path=path)

    assert [str(p) for p in refused.value.problems] == [
        "pegawai.csv:2: sebuah nilai berada di bawah kolom tanpa nama (koma tanpa tanda kutip?):"
        " beri tanda kutip pada sel, atau beri nama kolomnya"
    ]
    assert not Employee.objects.filter(nip=nip).exists()


def test_excels_unicode_text_tab_separated_is_read(tmp_path: Path, org: Org) -> None:
    nip = valid_nip(970)
    path = tmp_path / "pegawai.txt"
    text = (
        "\t".join(EMPLOYEE_HEADER)
        + "\r\n"
        + "\t".join([nip, "Siti", "KUA-A", "", "III/a", "2024-01-01"])
        + "\r\n"
    )
    path.write_bytes(text.encode("utf-16"))
    employees_import(path=path)
    assert Employee.objects.filter(nip=nip).exists()


@pytest.fixture
def kua(db: None) -> Unit:
    return UnitFactory.create(code="KUA-P", name="KUA P", kind=Unit.Kind.KUA)


@pytest.fixture
def siti(kua: Unit) -> Employee:
    return EmployeeFactory.create(name="Siti", unit=kua)


def test_an_attlog_hour_of_one_digit_is_read(tmp_path: Path, siti: Employee) -> None:
    machine = Machine.objects.create(unit=siti.unit, name="Mesin", serial="ZK-1")
    MachinePin.objects.create(machine=machine, pin="7", employee=siti)
    path = tmp_path / "attlog.dat"
    path.write_text("7\t2024-03-04\t7:05:00\t1\t0\n")
    report = punches_import(path=path, machine=machine)
    assert report.recorded == 1


def test_a_record_with_a_quoted_line_break_is_named_by_its_first_line(
    tmp_path: Path, org: Org
) -> None:
    nip = valid_nip(980)
    path = tmp_path / "pegawai.csv"
    path.write_text(
        ",".join(EMPLOYEE_HEADER) + "\n" + f'{nip},"Siti\nHasanah",KUA-A,,III/a,2024-01-01\n'
    )
    with pytest.raises(TableRefused) as refused:
        employees_import(path=path)
    assert [p.line for p in refused.value.problems] == [2]


def test_a_pin_map_claiming_fewer_rows_keeps_every_pin_it_holds_mapped(
    tmp_path: Path, kua: Unit
) -> None:
    from hadir.presence.imports import machine_pins_import

    people = EmployeeFactory.create_batch(3, unit=kua)
    machine = Machine.objects.create(unit=kua, name="Mesin", serial="ZK-2")
    for n, person in enumerate(people, start=1):
        MachinePin.objects.create(machine=machine, pin=str(n), employee=person)
    book = Workbook()
    sheet = book.active
    sheet.append(["pin", "nip"])
    for n, person in enumerate(people, start=1):
        sheet.append([str(n), person.nip])
    path = tmp_path / "pins.xlsx"
    book.save(path)
    _set_dimension(path, "A1:B2")  # the same map, as an exporter that wrote a stale size

    try:
        machine_pins_import(
            path=path, machine=machine, actor=None, employees=Employee.objects.filter(unit=kua)
        )
    except TableRefused:
        return
    assert set(machine.pins.mapped().values_list("pin", flat=True)) == {"1", "2", "3"}
