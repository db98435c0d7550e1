"""Machine logs as operators really have them: a machine's whole history uploaded again, PINs
that changed hands, files saved by Windows and old Macs, long names, hundreds of problems."""

from __future__ import annotations

from datetime import date
from io import StringIO
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from hadir.accounts.models import User
from hadir.org.models import Employee, Role
from hadir.presence.imports import machine_pins_import, punches_import
from hadir.presence.models import Machine, MachinePin, Punch
from hadir.presence.selectors import day_standing
from hadir.recap.models import PeriodClose
from tests.factories import EmployeeFactory, RoleAssignmentFactory, UnitFactory, UserFactory
from tests.presence.support import MONDAY, local

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator_user(employee: Employee) -> User:
    user = UserFactory.create()
    RoleAssignmentFactory.create(user=user, role=Role.OPERATOR, unit=employee.unit)
    return user


@pytest.fixture
def operator(client: Client, operator_user: User) -> Client:
    client.force_login(operator_user)
    return client


@pytest.fixture
def lobby(employee: Employee) -> Machine:
    machine = Machine.objects.create(unit=employee.unit, name="Mesin lobi", serial="ZK-0042")
    MachinePin.objects.create(machine=machine, pin="7", employee=employee)
    return machine


def pins_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "pins.csv"
    path.write_text(text)
    return path


def test_a_coordinate_of_minus_zero_keeps_the_chain_whole(
    tmp_path: Path, employee: Employee
) -> None:
    """On the equator, written -0.0: stored as 0.000000, it must be sealed as such."""
    path = tmp_path / "punches.csv"
    path.write_text(f"nip,time,lat,lng\n{employee.nip},2024-03-04 07:12,-0.0,109.3\n")
    punches_import(path=path)

    out = StringIO()
    call_command("verify_punches", stdout=out, stderr=StringIO())

    assert "rantai utuh" in out.getvalue()


def test_a_nip_typed_with_excels_apostrophe_or_non_breaking_spaces_is_read(
    tmp_path: Path, employee: Employee
) -> None:
    spaced = f"{employee.nip[:8]}\u00a0{employee.nip[8:14]}\u00a0{employee.nip[14:]}"
    path = tmp_path / "punches.csv"
    path.write_text(
        f"nip,time\n'{employee.nip},2024-03-04 07:12\n{spaced},2024-03-04 16:40\n",
        encoding="utf-8",
    )

    punches_import(path=path)

    assert Punch.objects.filter(employee=employee).count() == 2


def test_an_upload_with_a_long_name_in_any_script_is_read_not_a_server_error(
    operator: Client, employee: Employee
) -> None:
    upload = SimpleUploadedFile(
        "presensi-" + "大" * 100 + ".csv", f"nip,time\n{employee.nip},2024-03-04 07:12\n".encode()
    )

    response = operator.post(reverse("presence:import"), {"file": upload})

    assert response.status_code == 200
    assert response.context["report"].recorded == 1


def test_a_machines_whole_log_again_takes_its_new_rows_though_old_ones_lie_in_a_closed_month(
    tmp_path: Path, operator: Client, employee: Employee, lobby: Machine
) -> None:
    february = "7\t2024-02-26 07:12:09\t1\t0\t1\t0\n"
    first = tmp_path / "attlog.dat"
    first.write_text(february)
    punches_import(path=first, machine=lobby)
    PeriodClose.objects.create(
        unit=employee.unit, month=date(2024, 2, 1), closed_by=UserFactory.create()
    )
    log = (february + "7\t2024-03-04 07:12:09\t1\t0\t1\t0\n").encode()

    response = operator.post(
        reverse("presence:import"),
        {"file": SimpleUploadedFile("attlog.dat", log), "machine": lobby.pk},
    )

    assert response.context["problems"] is None
    assert Punch.objects.filter(employee=employee).count() == 2


def test_a_new_row_in_a_closed_month_is_still_refused(
    tmp_path: Path, employee: Employee, lobby: Machine
) -> None:
    PeriodClose.objects.create(
        unit=employee.unit, month=date(2024, 2, 1), closed_by=UserFactory.create()
    )
    path = tmp_path / "attlog.dat"
    path.write_text("7\t2024-02-26 07:12:09\t1\t0\t1\t0\n")

    with pytest.raises(Exception, match="ditutup"):
        punches_import(path=path, machine=lobby, actor=UserFactory.create())

    assert not Punch.objects.exists()


def test_a_pin_handed_to_someone_else_does_not_bring_the_previous_holders_punches(
    tmp_path: Path, employee: Employee
) -> None:
    """PIN 7 was Ahmad's until he moved away; Budi, who moved in, gets it. The machine's whole
    log uploaded again must not make Ahmad's March punches Budi's."""
    machine = Machine.objects.create(unit=employee.unit, name="Mesin", serial="ZK-1")
    ahmad = EmployeeFactory.create(unit=employee.unit)
    budi = EmployeeFactory.create(unit=employee.unit)
    MachinePin.objects.create(machine=machine, pin="7", employee=ahmad)
    log = tmp_path / "attlog.dat"
    log.write_text("7\t2024-03-04 07:20:00\t1\t0\n7\t2024-03-04 16:10:00\t1\t0\n")
    punches_import(path=log, machine=machine)

    report = machine_pins_import(
        path=pins_file(tmp_path, f"pin,nip\n7,{budi.nip}\n"),
        machine=machine,
        actor=None,
        employees=Employee.objects.all(),
    )
    again = punches_import(path=log, machine=machine)

    assert "1 PIN berpindah ke pegawai lain" in report
    assert (again.recorded, again.earlier_holder) == (0, 2)
    assert not Punch.objects.filter(employee=budi).exists()
    assert day_standing(budi, MONDAY).status != "H"


def test_a_since_column_dates_a_handover_the_operator_records_late(
    tmp_path: Path, employee: Employee, lobby: Machine
) -> None:
    """Budi got PIN 7 on Monday; the map is uploaded days later: his punches since count."""
    budi = EmployeeFactory.create(unit=employee.unit)
    machine_pins_import(
        path=pins_file(tmp_path, f"pin,nip,since\n7,{budi.nip},{MONDAY.isoformat()}\n"),
        machine=lobby,
        actor=None,
        employees=Employee.objects.all(),
    )
    log = tmp_path / "attlog.dat"
    log.write_text("7\t2024-03-01 07:20:00\t1\t0\n7\t2024-03-04 07:20:00\t1\t0\n")

    report = punches_import(path=log, machine=lobby)

    assert (report.recorded, report.earlier_holder) == (1, 1)
    assert Punch.objects.get().employee == budi


def test_a_handover_at_midday_gives_the_morning_to_the_previous_holder(
    tmp_path: Path, employee: Employee, lobby: Machine
) -> None:
    """PIN 7 passes to Budi at 12:00 on Monday (the since column's time, in the unit's zone):
    the 07:20 punch of that day is not his."""
    budi = EmployeeFactory.create(unit=employee.unit)
    machine_pins_import(
        path=pins_file(tmp_path, f"pin,nip,since\n7,{budi.nip},{MONDAY.isoformat()} 12:00\n"),
        machine=lobby,
        actor=None,
        employees=Employee.objects.all(),
    )
    log = tmp_path / "attlog.dat"
    log.write_text("7\t2024-03-04 07:20:00\t1\t0\n7\t2024-03-04 16:40:00\t1\t0\n")

    report = punches_import(path=log, machine=lobby)

    assert lobby.pins.get(pin="7").since == local(MONDAY, "12:00")
    assert (report.recorded, report.earlier_holder) == (1, 1)
    assert Punch.objects.get().at == local(MONDAY, "16:40")


def test_a_pin_kept_by_its_holder_keeps_its_date_and_a_new_pin_has_none(
    tmp_path: Path, employee: Employee, lobby: Machine
) -> None:
    newcomer = EmployeeFactory.create(unit=employee.unit)

    machine_pins_import(
        path=pins_file(tmp_path, f"pin,nip\n7,{employee.nip}\n8,{newcomer.nip}\n"),
        machine=lobby,
        actor=None,
        employees=Employee.objects.all(),
    )

    assert dict(lobby.pins.values_list("pin", "since")) == {"7": None, "8": None}


def test_the_refusal_counts_every_problem_and_says_only_the_first_are_listed(
    operator: Client, employee: Employee
) -> None:
    body = "nip,time\n" + f"{employee.nip},pagi\n" * 600

    response = operator.post(
        reverse("presence:import"), {"file": SimpleUploadedFile("p.csv", body.encode())}
    )

    page = response.content.decode()
    assert "600 masalah" in page
    assert "Hanya 500 yang pertama ditampilkan" in page


def test_a_pin_map_saved_by_excel_for_mac_is_read(
    tmp_path: Path, employee: Employee, lobby: Machine
) -> None:
    """ "CSV (Macintosh)" ends its lines with a lone CR."""
    path = tmp_path / "pins.csv"
    path.write_bytes(f"pin,nip\r8,{employee.nip}\r".encode())

    machine_pins_import(path=path, machine=lobby, actor=None, employees=Employee.objects.all())

    assert list(lobby.pins.filter(unmapped_at=None).values_list("pin", flat=True)) == ["8"]


def test_a_pin_map_below_a_blank_line_names_the_header_s_own_line(
    tmp_path: Path, employee: Employee, lobby: Machine
) -> None:
    from hadir.common.tables import TableRefused

    path = tmp_path / "pins.csv"
    path.write_text(f"\npin,nik\n8,{employee.nip}\n")

    with pytest.raises(TableRefused) as refused:
        machine_pins_import(path=path, machine=lobby, actor=None, employees=Employee.objects.all())

    assert [(p.line, p.column) for p in refused.value.problems] == [(2, "nip"), (2, "nik")]


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be"])
def test_a_unicode_text_file_as_windows_saves_it_is_read(
    tmp_path: Path, employee: Employee, lobby: Machine, encoding: str
) -> None:
    path = tmp_path / "attlog.txt"
    bom = b"\xff\xfe" if encoding == "utf-16" else b"\xfe\xff"
    body = "7\t2024-03-04 07:12:09\t1\t0\t1\t0\r\n".encode(encoding)
    path.write_bytes(body if body.startswith(bom) else bom + body)

    punches_import(path=path, machine=lobby)

    assert Punch.objects.get().at == local(MONDAY, "07:12:09")


def test_a_web_upload_of_an_attlog_without_its_machine_is_told_to_choose_it(
    operator: Client, lobby: Machine
) -> None:
    log = SimpleUploadedFile("attlog.dat", b"7\t2024-03-04 07:12:09\t1\t0\t1\t0\n")

    response = operator.post(reverse("presence:import"), {"file": log})

    (problem,) = response.context["problems"]
    assert "pilih mesin absensinya" in problem


def test_a_pin_handed_over_in_the_admin_is_the_new_holders_from_then(
    employee: Employee, lobby: Machine
) -> None:
    budi = EmployeeFactory.create(unit=UnitFactory.create())
    pin = lobby.pins.get()

    pin.employee = budi
    pin.save()

    assert pin.since is not None


def test_a_pin_taken_off_the_map_and_given_out_later_does_not_bring_its_old_punches(
    tmp_path: Path, employee: Employee, lobby: Machine
) -> None:
    """PIN 7 was Siti's; she leaves and the next map omits her. Weeks later Budi gets PIN 7:
    the machine's whole log, uploaded again, must not make Siti's punches his."""
    log = tmp_path / "attlog.dat"
    log.write_text("7\t2024-03-04 07:20:00\t1\t0\n")
    everyone = Employee.objects.all()
    budi = EmployeeFactory.create(unit=employee.unit)
    machine_pins_import(
        path=pins_file(tmp_path, f"pin,nip\n8,{budi.nip}\n"),
        machine=lobby,
        actor=None,
        employees=everyone,
    )
    machine_pins_import(
        path=pins_file(tmp_path, f"pin,nip\n7,{budi.nip}\n"),
        machine=lobby,
        actor=None,
        employees=everyone,
    )

    report = punches_import(path=log, machine=lobby)

    assert (report.recorded, report.earlier_holder) == (0, 1)
    assert not Punch.objects.exists()


def test_a_log_still_holding_an_unmapped_pin_is_read_and_its_rows_skipped(
    tmp_path: Path, employee: Employee, lobby: Machine
) -> None:
    """Siti left and her PIN came off the map; the machine still holds her old punches."""
    newcomer = EmployeeFactory.create(unit=employee.unit)
    mapped = machine_pins_import(
        path=pins_file(tmp_path, f"pin,nip\n8,{newcomer.nip}\n"),
        machine=lobby,
        actor=None,
        employees=Employee.objects.all(),
    )
    log = tmp_path / "attlog.dat"
    log.write_text("7\t2024-03-04 07:20:00\t1\t0\n8\t2024-03-04 07:25:00\t1\t0\n")

    report = punches_import(path=log, machine=lobby)

    assert "1 PIN dihapus dari peta" in mapped
    assert (report.recorded, report.unmapped) == (1, 1)
    assert Punch.objects.get().employee == newcomer


def test_the_machine_page_counts_unmapped_pins_apart_from_other_units(
    tmp_path: Path, operator: Client, employee: Employee, lobby: Machine
) -> None:
    gone = EmployeeFactory.create(unit=employee.unit)
    MachinePin.objects.create(
        machine=lobby, pin="9", employee=gone, unmapped_at=local(MONDAY, "08:00")
    )

    page = operator.get(reverse("presence:machine", args=[lobby.pk]))
    listing = operator.get(reverse("presence:machines"))

    assert (page.context["others"], page.context["unmapped"]) == (0, 1)
    assert "1 PIN dihapus dari peta" in page.content.decode()
    assert listing.context["machines"].get().pin_count == 1


def test_a_pin_given_back_to_its_holder_keeps_their_punches(
    tmp_path: Path, employee: Employee, lobby: Machine
) -> None:
    """A partial upload took Siti's PIN 7 off the map; the next one gives it back to her: her
    punches still in the machine's log are hers, not a previous holder's."""
    everyone = Employee.objects.all()
    budi = EmployeeFactory.create(unit=employee.unit)
    for text in (f"pin,nip\n8,{budi.nip}\n", f"pin,nip\n7,{employee.nip}\n8,{budi.nip}\n"):
        report = machine_pins_import(
            path=pins_file(tmp_path, text), machine=lobby, actor=None, employees=everyone
        )
    log = tmp_path / "attlog.dat"
    log.write_text("7\t2024-03-04 07:20:00\t1\t0\n")

    imported = punches_import(path=log, machine=lobby)

    assert "berpindah" not in report
    assert (imported.recorded, imported.earlier_holder) == (1, 0)
    assert Punch.objects.get().employee == employee
