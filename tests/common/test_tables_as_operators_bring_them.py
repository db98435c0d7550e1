"""Messy files as operators really bring them, through the web upload and the commands: times
written the Indonesian way, files from Excel on Windows and Mac, workbooks with their header
low or a value far right, web pages named .xls, invisible characters and quoted line breaks.

Dates are fixed: Monday 4 March 2024 is a working day on the office pattern."""

from __future__ import annotations

import os
from datetime import date, datetime, time
from decimal import Decimal
from io import StringIO
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook

from hadir.common.models import AuditEvent
from hadir.org.models import Employee, Role
from hadir.presence.models import Machine, MachinePin, Punch
from hadir.requests.models import Request
from tests.conftest import Org
from tests.factories import (
    EmployeeFactory,
    RoleAssignmentFactory,
    UnitFactory,
    UserFactory,
    pattern,
)

pytestmark = pytest.mark.django_db

WIB = ZoneInfo("Asia/Jakarta")
MONDAY = date(2024, 3, 4)
EMPLOYEE_HEADER = "nip,name,unit,pattern,golongan,start"
NEW_NIP = "198712112010121007"


def at(hhmm: str) -> datetime:
    return datetime.combine(MONDAY, time.fromisoformat(hhmm), tzinfo=WIB)


@pytest.fixture
def siti(db: None) -> Employee:
    unit = UnitFactory.create(code="KUA-MLATI", name="KUA Mlati", default_pattern=pattern())
    return EmployeeFactory.create(name="Siti Hasanah", unit=unit)


@pytest.fixture
def operator(client: Client, siti: Employee) -> Client:
    user = UserFactory.create()
    RoleAssignmentFactory.create(user=user, role=Role.OPERATOR, unit=siti.unit)
    client.force_login(user)
    return client


@pytest.fixture
def lobby(siti: Employee) -> Machine:
    machine = Machine.objects.create(unit=siti.unit, name="Mesin lobi", serial="ZK-0042")
    MachinePin.objects.create(machine=machine, pin="99", employee=siti)
    return machine


def upload_punches(operator: Client, name: str, data: bytes, machine: Machine | None = None):  # type: ignore[no-untyped-def]
    post: dict[str, object] = {"file": SimpleUploadedFile(name, data, content_type="text/csv")}
    if machine is not None:
        post["machine"] = machine.pk
    response = operator.post(reverse("presence:import"), post)
    assert response.status_code == 200
    return response


def upload_pins(operator: Client, machine: Machine, name: str, data: bytes):  # type: ignore[no-untyped-def]
    response = operator.post(
        reverse("presence:machine", args=[machine.pk]),
        {"file": SimpleUploadedFile(name, data, content_type="text/csv")},
    )
    assert response.status_code == 200
    return response


def problems(response) -> list[str]:  # type: ignore[no-untyped-def]
    return [str(p) for p in response.context["problems"] or []]


def recorded(employee: Employee) -> list[datetime]:
    return list(Punch.objects.filter(employee=employee).values_list("at", flat=True))


def run(command: str, path: Path, *args: str) -> str:
    out = StringIO()
    call_command(command, str(path), *args, stdout=out, stderr=StringIO())
    return out.getvalue()


# ------------------------------------------------- times written the Indonesian way (07.45)


def test_a_punch_time_written_with_the_indonesian_dot_is_not_recorded_at_the_top_of_the_hour(
    operator: Client, siti: Employee
) -> None:
    """Indonesians write "pukul 07.45", and Excel in the Indonesian locale saves hh:mm as
    hh.mm. Python reads "07.45" as 07:00:00.45: a 45-minute late arrival lands on time."""
    response = upload_punches(
        operator, "punches.csv", f"nip,time\n{siti.nip},2024-03-04 07.45\n".encode()
    )

    assert problems(response) == []
    assert recorded(siti) == [at("07:45")]


def test_a_punch_time_with_an_hour_alone_is_refused_not_put_on_the_hour(
    operator: Client, siti: Employee
) -> None:
    response = upload_punches(
        operator, "punches.csv", f"nip,time\n{siti.nip},2024-03-04 07\n".encode()
    )

    assert problems(response) == [
        "punches.csv:2: time: jam '2024-03-04 07' tanpa menit: tulis sebagai JJ:MM"
    ]
    assert recorded(siti) == []


def test_an_attlog_time_written_with_a_dot_is_not_recorded_at_the_top_of_the_hour(
    tmp_path: Path, siti: Employee, lobby: Machine
) -> None:
    path = tmp_path / "attlog.txt"
    path.write_text("99\t2024-03-04 07.45\t1\t0\n")

    run("import_punches", path, "--machine", "ZK-0042")

    assert recorded(siti) == [at("07:45")]


def test_a_pin_handover_time_written_with_a_dot_is_not_moved_to_the_top_of_the_hour(
    operator: Client, siti: Employee, lobby: Machine
) -> None:
    upload_pins(
        operator, lobby, "pins.csv", f"pin,nip,since\n99,{siti.nip},2024-03-04 12.30\n".encode()
    )

    since = MachinePin.objects.get(machine=lobby, pin="99").since
    assert since == at("12:30")


# ------------------------------------------------- a file name from a Windows USB stick


def test_the_excuses_command_reads_a_file_named_in_another_encoding(
    org: Org, tmp_path: Path
) -> None:
    """The file's name, read off the disk as undecodable bytes, goes into each request's reason
    made storable, not as a traceback."""
    employee = org.employees(org.kua_a)[0]
    path = tmp_path / os.fsdecode(b"izin-\xe9.csv")
    path.write_text(f"nip,code,start,end,session\n{employee.nip},DL,2024-03-04,2024-03-05,\n")

    run("import_excuses", str(path))  # type: ignore[arg-type]

    assert Request.objects.get().reason == "Impor izin-\ufffd.csv"


# ------------------------------------------------- spreadsheets as other programs save them


def test_a_csv_saved_by_excel_for_mac_keeps_its_names_ungarbled(org: Org, tmp_path: Path) -> None:
    """Excel for Mac's "CSV (Macintosh)" ends lines with a lone CR and writes Mac Roman: read
    as Windows-1252, the curly apostrophe of Ma’ruf (0xD5) would be stored as "Õ"."""
    path = tmp_path / "pegawai.csv"
    path.write_bytes(
        f"{EMPLOYEE_HEADER}\r{NEW_NIP},Muhammad Ma\u2019ruf,KUA-A,,III/b,2024-01-01\r".encode(
            "mac_roman"
        )
    )

    run("import_employees", path)

    names = list(Employee.objects.filter(nip=NEW_NIP).values_list("name", flat=True))
    assert names == ["Muhammad Ma\u2019ruf"]


def test_a_workbook_value_two_columns_past_the_header_is_refused_as_in_a_csv(
    org: Org, tmp_path: Path
) -> None:
    """As a CSV with a value under no column is, on its line: the value is not dropped, with a
    blank column between it and the header."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["nip", "name", "unit", "pattern", "golongan", "start"])
    sheet.append([NEW_NIP, "Ahmad", "KUA-A", None, "III/b", "2024-01-01", None, "ahmad@x.org"])
    path = tmp_path / "pegawai.xlsx"
    book.save(path)

    err = StringIO()
    with pytest.raises(CommandError):
        call_command("import_employees", str(path), stdout=StringIO(), stderr=err)

    assert err.getvalue().startswith("pegawai.xlsx:2:")
    assert not Employee.objects.filter(nip=NEW_NIP).exists()


def test_a_workbook_whose_header_sits_below_twenty_blank_rows_is_not_called_empty(
    org: Org, tmp_path: Path
) -> None:
    """As the same table as CSV below the same blank lines is read."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for column, name in enumerate(EMPLOYEE_HEADER.split(","), start=1):
        sheet.cell(row=24, column=column, value=name)
    for column, cell in enumerate([NEW_NIP, "Ahmad", "KUA-A", None, "III/b", "2024-01-01"], 1):
        sheet.cell(row=25, column=column, value=cell)
    path = tmp_path / "pegawai.xlsx"
    book.save(path)

    run("import_employees", path)

    assert Employee.objects.filter(nip=NEW_NIP).exists()


def test_a_pin_map_exported_as_a_web_page_named_xls_is_refused_in_one_plain_reason(
    operator: Client, siti: Employee, lobby: Machine
) -> None:
    """SIMPEG-style "Excel" exports are HTML tables named .xls: read as CSV, the whole markup
    would be one unknown column beside two missing ones."""
    page = (
        "<html><body><table><tr><td>pin</td><td>nip</td></tr>"
        f"<tr><td>99</td><td>{siti.nip}</td></tr></table></body></html>"
    )
    response = upload_pins(operator, lobby, "pins.xls", page.encode())

    found = problems(response)
    assert len(found) == 1, found
    assert "<html" not in found[0]


# ------------------------------------------------- the punch CSV reads cells unlike the others


def test_a_punch_csv_nip_pasted_with_a_zero_width_space_finds_its_employee(
    operator: Client, siti: Employee, lobby: Machine
) -> None:
    """As the shared table reader does: "no employee with NIP" beside the employee's exact NIP
    would leave the operator nothing to mend."""
    response = upload_punches(
        operator, "punches.csv", f"nip,time\n{siti.nip}\u200b,2024-03-04 07:12\n".encode()
    )

    assert problems(response) == []
    assert recorded(siti) == [at("07:12")]


def test_a_punch_csv_cell_with_a_quoted_line_break_is_not_said_to_have_an_unclosed_quote(
    operator: Client, siti: Employee
) -> None:
    """A NIP pasted with its line break (Alt+Enter in Excel) is saved quoted and closed: it is
    read, as the PIN map reads it."""
    response = upload_punches(
        operator, "punches.csv", f'nip,time\n"{siti.nip}\n",2024-03-04 07:12\n'.encode()
    )

    assert not any("tidak pernah ditutup" in p for p in problems(response)), problems(response)


def test_a_punch_csv_saved_by_excel_on_windows_is_read_like_the_other_imports(
    tmp_path: Path, siti: Employee
) -> None:
    """Excel's "CSV (Comma delimited)" is Windows-1252, as employees, PIN maps and excuses
    read it."""
    path = tmp_path / "presensi.csv"
    path.write_bytes(
        f"Rekap presensi \u2013 KUA Mlati\nnip,time\n{siti.nip},2024-03-04 07:12\n".encode("cp1252")
    )

    run("import_punches", path)

    assert recorded(siti) == [at("07:12")]
    assert AuditEvent.objects.filter(action="presence.punches_import").count() == 1


def test_coordinates_with_a_decimal_comma_in_a_semicolon_csv_are_read(
    operator: Client, siti: Employee
) -> None:
    """Excel in the Indonesian locale writes ; between cells and , in numbers."""
    response = upload_punches(
        operator,
        "punches.csv",
        f"nip;time;lat;lng\n{siti.nip};2024-03-04 07:12;-7,716700;110,355500\n".encode(),
    )

    assert problems(response) == []
    punch = Punch.objects.get(employee=siti)
    assert (punch.latitude, punch.longitude) == (Decimal("-7.716700"), Decimal("110.355500"))
