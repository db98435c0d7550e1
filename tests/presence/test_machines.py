"""Operators register their units' fingerprint machines and keep each one's PIN map from the
web: a whole map per file, refused whole when any line is wrong, every change audited."""

from __future__ import annotations

from io import BytesIO
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from hadir.common.models import AuditEvent
from hadir.org.models import Employee, Unit
from hadir.presence import views
from hadir.presence.models import Machine, MachinePin, Punch
from hadir.presence.services import machine_register
from tests.factories import EmployeeFactory, UnitFactory


@pytest.fixture
def elsewhere(db: None) -> Machine:
    """A machine of a unit the operator does not manage."""
    return Machine.objects.create(unit=UnitFactory.create(), name="Mesin lain", serial="ZK-7777")


def pin_map(*lines: str, name: str = "pins.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, "\n".join(lines).encode(), content_type="text/csv")


def mapped(machine: Machine) -> list[tuple[str, str]]:
    """The PINs given to employees (not those taken off the map)."""
    return list(
        machine.pins.filter(unmapped_at=None).order_by("pin").values_list("pin", "employee__nip")
    )


def test_an_operator_sees_only_the_machines_of_units_they_manage(
    operator: Client, lobby: Machine, elsewhere: Machine
) -> None:
    page = operator.get(reverse("presence:machines")).content.decode()

    assert "Mesin absensi" in page  # Indonesian first
    assert "ZK-0042" in page
    assert "ZK-7777" not in page
    assert operator.get(reverse("presence:machine", args=[elsewhere.pk])).status_code == 404


def test_an_employee_without_a_role_gets_not_found(client: Client, employee: Employee) -> None:
    assert employee.user is not None
    client.force_login(employee.user)

    assert client.get(reverse("presence:machines")).status_code == 404


def test_registering_a_machine_is_audited_and_limited_to_managed_units(
    operator: Client, employee: Employee
) -> None:
    other = UnitFactory.create()
    refused = operator.post(
        reverse("presence:machines"), {"unit": other.pk, "name": "Mesin", "serial": "ZK-1"}
    )
    assert refused.status_code == 200  # the form again, with the unit refused
    assert not Machine.objects.exists()

    response = operator.post(
        reverse("presence:machines"),
        {"unit": employee.unit.pk, "name": "Mesin aula", "serial": "ZK-0100"},
    )

    machine = Machine.objects.get(serial="ZK-0100")
    assert response.status_code == 302
    assert machine.unit == employee.unit
    assert AuditEvent.objects.filter(
        action="presence.machine_register", object_id=str(machine.pk)
    ).exists()


def test_a_duplicate_serial_is_refused_by_the_form(operator: Client, lobby: Machine) -> None:
    response = operator.post(
        reverse("presence:machines"),
        {"unit": lobby.unit_id, "name": "Mesin baru", "serial": "ZK-0042"},
    )

    assert response.status_code == 200
    assert "serial" in response.context["form"].errors
    assert Machine.objects.count() == 1


def test_a_serial_typed_in_lower_case_or_with_an_invisible_character_is_the_same_machine(
    operator: Client, lobby: Machine
) -> None:
    response = operator.post(
        reverse("presence:machines"),
        {"unit": lobby.unit_id, "name": "Mesin baru", "serial": "\u200bzk-0042"},
    )

    assert "serial" in response.context["form"].errors
    assert Machine.objects.count() == 1


def test_a_double_clicked_registration_is_answered_by_the_form_not_a_server_error(
    operator: Client, employee: Employee, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first click's request registers the serial between the second's check and write."""

    def first_click_won(**kwargs: Any) -> Machine:
        Machine.objects.create(unit=kwargs["unit"], name="Mesin aula", serial=kwargs["serial"])
        return machine_register(**kwargs)

    monkeypatch.setattr(views, "machine_register", first_click_won)
    operator.raise_request_exception = False

    response = operator.post(
        reverse("presence:machines"),
        {"unit": employee.unit.pk, "name": "Mesin aula", "serial": "ZK-0100"},
    )

    assert response.status_code == 200
    assert "serial" in response.context["form"].errors
    assert Machine.objects.filter(serial="ZK-0100").count() == 1


def test_a_good_pin_map_replaces_the_machines_map_and_is_audited(
    operator: Client, lobby: Machine, employee: Employee
) -> None:
    colleague = EmployeeFactory.create(unit=employee.unit)
    spaced = f"{colleague.nip[:8]} {colleague.nip[8:14]} {colleague.nip[14:]}"

    response = operator.post(
        reverse("presence:machine", args=[lobby.pk]),
        {"file": pin_map("PIN;NIP", f"7;{employee.nip}", f"12;{spaced}")},
    )

    assert response.status_code == 200
    assert "2 PIN dipetakan (sebelumnya 1)" in response.content.decode()
    assert mapped(lobby) == [("12", colleague.nip), ("7", employee.nip)]
    event = AuditEvent.objects.get(action="presence.machine_pins_import")
    assert (event.before, event.after) == (
        {"pins": 1},
        {"pins": 2, "unmapped": 1, "file": "pins.csv"},
    )


def test_a_bad_pin_map_is_refused_whole_with_every_problem_located(
    operator: Client, lobby: Machine, employee: Employee
) -> None:
    stranger = EmployeeFactory.create(unit=UnitFactory.create())

    response = operator.post(
        reverse("presence:machine", args=[lobby.pk]),
        {
            "file": pin_map(
                "pin,nip",
                f"7,{employee.nip}",
                f"7,{employee.nip}",
                "",
                f"8,{stranger.nip}",
                f"1-2,{employee.nip}",
            )
        },
    )

    problems = [str(p) for p in response.context["problems"]]
    assert problems == [
        "pins.csv:3: pin: PIN 7 sudah ada di baris 2",
        f"pins.csv:5: nip: pegawai dengan NIP '{stranger.nip}' tidak ada",
        "pins.csv:6: pin: PIN '1-2' harus 1–20 huruf atau angka",
    ]
    assert mapped(lobby) == [("99", employee.nip)]
    assert not AuditEvent.objects.filter(action="presence.machine_pins_import").exists()


def test_a_nip_excel_turned_into_a_number_is_refused_naming_excel(
    operator: Client, lobby: Machine, employee: Employee
) -> None:
    response = operator.post(
        reverse("presence:machine", args=[lobby.pk]),
        {"file": pin_map("pin,nip", "7,1.99001E+17")},
    )

    assert [str(p) for p in response.context["problems"]] == [
        "pins.csv:2: nip: NIP 1.99001E+17 diubah Excel menjadi angka sehingga digit "
        "terakhirnya hilang: format kolom sebagai Teks lalu ketik ulang NIP-nya"
    ]
    assert mapped(lobby) == [("99", employee.nip)]


def test_a_pin_map_without_its_columns_is_refused_on_the_header(
    operator: Client, lobby: Machine, employee: Employee
) -> None:
    response = operator.post(
        reverse("presence:machine", args=[lobby.pk]),
        {"file": pin_map("user,nip", f"7,{employee.nip}")},
    )

    assert any("pins.csv:1: pin:" in p for p in response.context["problems"])
    assert mapped(lobby) == [("99", employee.nip)]


def test_a_map_uploaded_here_is_the_one_the_attlog_import_uses(
    operator: Client, lobby: Machine, employee: Employee, office: Unit
) -> None:
    operator.post(
        reverse("presence:machine", args=[lobby.pk]),
        {"file": pin_map("pin,nip", f"7,{employee.nip}")},
    )
    log = SimpleUploadedFile("attlog.dat", b"7\t2024-03-04 07:12:09\t1\t0\t1\t0\n")

    response = operator.post(reverse("presence:import"), {"file": log, "machine": lobby.pk})

    assert "dicatat: 1, duplikat dilewati: 0" in response.content.decode()
    assert Punch.objects.get().employee == employee


def test_a_csv_uploaded_with_a_machine_picked_comes_from_no_machine(
    operator: Client, lobby: Machine, employee: Employee
) -> None:
    sheet = SimpleUploadedFile(
        "punches.csv", f"nip,time\n{employee.nip},2024-03-04 07:12\n".encode()
    )

    operator.post(reverse("presence:import"), {"file": sheet, "machine": lobby.pk})

    punch = Punch.objects.get()
    assert (punch.source, punch.machine) == (Punch.Source.IMPORT, None)


@pytest.mark.parametrize(
    ("content", "line"),
    [
        (b'nip,time\n{nip},"2024-03-04 07:12\n' + b"x" * 140_000 + b"\n", 2),
        (b"nip,time\n{nip},0001-01-01 07:12\n", 2),
        (b"nip,time\n{nip},9999-12-31T23:59-01:00\n", 2),
        (b"%PDF-1.4\n%%EOF\n", 0),
    ],
    ids=["unclosed-quote", "year-1", "year-9999", "pdf"],
)
def test_a_punch_file_the_importer_refuses_is_listed_on_the_page_not_an_error(
    operator: Client, employee: Employee, content: bytes, line: int
) -> None:
    upload = SimpleUploadedFile("punches.csv", content.replace(b"{nip}", employee.nip.encode()))

    response = operator.post(reverse("presence:import"), {"file": upload})

    assert response.status_code == 200
    (problem,) = response.context["problems"]
    assert problem.startswith(f"punches.csv:{line}: ")
    assert not Punch.objects.exists()


REFUSED_PUNCHES = "nip,time\n{nip},pagi\n199001012015011999,2024-03-04 07:12\n{nip},2024-03-04\n"
"""A punch file with three problems: a bad time, an unknown NIP and a date without its hour."""


@pytest.mark.parametrize(
    ("language", "problems"),
    [
        (
            "en",
            [
                "punches.csv:2: time: invalid time 'pagi'; example 2024-03-04T07:12:00+07:00",
                "punches.csv:3: nip: no employee with NIP '199001012015011999'",
                "punches.csv:4: time: time '2024-03-04' has no hour",
            ],
        ),
        (
            "id",
            [
                "punches.csv:2: time: waktu 'pagi' tidak valid; contoh 2024-03-04T07:12:00+07:00",
                "punches.csv:3: nip: pegawai dengan NIP '199001012015011999' tidak ada",
                "punches.csv:4: time: waktu '2024-03-04' tidak berisi jam",
            ],
        ),
        (
            None,
            [
                "punches.csv:2: time: waktu 'pagi' tidak valid; contoh 2024-03-04T07:12:00+07:00",
                "punches.csv:3: nip: pegawai dengan NIP '199001012015011999' tidak ada",
                "punches.csv:4: time: waktu '2024-03-04' tidak berisi jam",
            ],
        ),
    ],
    ids=["english", "indonesian", "default"],
)
def test_a_refused_punch_files_problems_read_in_the_operators_language_and_indonesian_otherwise(
    operator: Client, employee: Employee, language: str | None, problems: list[str]
) -> None:
    if language is not None:
        operator.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    upload = SimpleUploadedFile(
        "punches.csv", REFUSED_PUNCHES.format(nip=employee.nip).encode(), content_type="text/csv"
    )

    response = operator.post(reverse("presence:import"), {"file": upload})

    assert response.context["problems"] == problems
    page = response.content.decode()
    assert all(escape(problem) in page for problem in problems)
    assert not Punch.objects.exists()


def test_an_english_operators_import_reports_in_english_and_is_audited_in_indonesian(
    operator: Client, employee: Employee
) -> None:
    """The audit log is read by anyone, later: it keeps the site's language."""
    operator.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    upload = SimpleUploadedFile(
        "punches.csv", f"nip,time\n{employee.nip},2024-03-04 07:12\n".encode()
    )

    response = operator.post(reverse("presence:import"), {"file": upload})

    assert (
        "recorded: 1, duplicates skipped: 0, outside the window (kept, not counted): 0"
        in response.content.decode()
    )
    assert AuditEvent.objects.get(action="presence.punches_import").summary == (
        "punches.csv: dicatat: 1, duplikat dilewati: 0, di luar rentang presensi (disimpan, "
        "tidak dihitung): 0"
    )


def test_an_excel_pin_map_is_read_like_a_csv(
    operator: Client, lobby: Machine, employee: Employee
) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["PIN", "NIP"])
    sheet.append(["31", employee.nip])
    content = BytesIO()
    book.save(content)

    operator.post(
        reverse("presence:machine", args=[lobby.pk]),
        {"file": SimpleUploadedFile("pins.xlsx", content.getvalue())},
    )

    assert mapped(lobby) == [("31", employee.nip)]


def test_pins_of_employees_outside_the_operators_units_stay_unlisted_and_cannot_be_taken(
    operator: Client, lobby: Machine, employee: Employee
) -> None:
    """An admin mapped PIN 55 to someone of another unit: the operator's upload replaces only
    their own employees' PINs, does not show whose 55 is, and may not reuse it."""
    stranger = EmployeeFactory.create(unit=UnitFactory.create())
    MachinePin.objects.create(machine=lobby, pin="55", employee=stranger)
    url = reverse("presence:machine", args=[lobby.pk])

    taken = operator.post(url, {"file": pin_map("pin,nip", f"55,{employee.nip}")})
    replaced = operator.post(url, {"file": pin_map("pin,nip", f"7,{employee.nip}")})

    assert [str(p) for p in taken.context["problems"]] == [
        "pins.csv:2: pin: PIN 55 milik pegawai di luar unit Anda"
    ]
    assert "1 PIN dipetakan (sebelumnya 1)" in replaced.content.decode()
    assert mapped(lobby) == [("55", stranger.nip), ("7", employee.nip)]
    page = operator.get(url).content.decode()
    assert stranger.nip not in page
    assert stranger.name not in page


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (b"pin,nip\n7,\x81\x8d\x90\n", "pins.csv"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "pins.xls"),
        (b"PK\x03\x04 not really a workbook", "pins.xlsx"),
    ],
    ids=["no-text-encoding", "old-excel", "broken-zip"],
)
def test_a_file_that_is_no_table_is_refused_with_a_reason_not_an_error(
    operator: Client, lobby: Machine, employee: Employee, content: bytes, name: str
) -> None:
    response = operator.post(
        reverse("presence:machine", args=[lobby.pk]),
        {"file": SimpleUploadedFile(name, content)},
    )

    assert response.status_code == 200
    (problem,) = response.context["problems"]
    assert problem.startswith(f"{name}:")
    assert mapped(lobby) == [("99", employee.nip)]
