"""Input that once ended in a server error, a traceback or a silently lost value, found by
fuzzing the upload pages, the import command and the check-in API: each is now refused on its
line with a reason, or read whole."""

from __future__ import annotations

import os
from io import StringIO
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from hadir.common.models import AuditEvent
from hadir.org.models import Employee
from hadir.presence.models import Machine, Punch
from tests.conftest import Org
from tests.presence.support import MONDAY, SLEMAN, freeze_clock, local

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator(operator: Client) -> Client:
    operator.raise_request_exception = False  # a 500 is answered as the browser would see it
    return operator


def upload(name: str, content: str | bytes) -> SimpleUploadedFile:
    data = content.encode() if isinstance(content, str) else content
    return SimpleUploadedFile(name, data, content_type="text/csv")


def problems_of(response: object) -> list[str]:
    assert response.status_code == 200  # type: ignore[attr-defined]
    problems = response.context["problems"]  # type: ignore[attr-defined]
    assert problems, "the file should have been refused"
    return [str(p) for p in problems]


@pytest.mark.parametrize("since", ["0001-01-01", "9999-12-31"])
def test_a_pin_map_dated_in_year_one_or_the_far_future_is_refused_on_its_line(
    operator: Client, lobby: Machine, employee: Employee, since: str
) -> None:
    """Year 1 overflowed on the way to UTC (a 500); 9999 silently skipped every log row."""
    response = operator.post(
        reverse("presence:machine", args=[lobby.pk]),
        {"file": upload("pins.csv", f"pin,nip,since\n77,{employee.nip},{since}\n")},
    )

    assert problems_of(response) == [
        f"pins.csv:2: since: tanggal {since} sebelum tahun 2000 atau setelah hari ini: "
        "periksa tahunnya"
    ]
    assert list(lobby.pins.values_list("pin", flat=True)) == ["99"]


@pytest.mark.parametrize("written", ["2024-03-04T07:00:00+16:00", "2024-03-04T07:00:00+14:01"])
def test_a_time_with_an_offset_no_zone_has_is_refused_on_its_line(
    operator: Client, employee: Employee, written: str
) -> None:
    """PostgreSQL refuses offsets past ±15:59 (a 500); SQLite stored them."""
    response = operator.post(
        reverse("presence:import"),
        {"file": upload("p.csv", f"nip,time\n{employee.nip},{written}\n")},
    )

    (problem,) = problems_of(response)
    assert problem.startswith("p.csv:2: time: ")
    assert "-12:00 sampai +14:00" in problem
    assert not Punch.objects.exists()


def test_a_machine_log_time_with_such_an_offset_is_refused_too(
    operator: Client, lobby: Machine
) -> None:
    response = operator.post(
        reverse("presence:import"),
        {"file": upload("attlog.dat", "99\t2024-03-04T07:00:00+16:00\n"), "machine": lobby.pk},
    )

    (problem,) = problems_of(response)
    assert problem.startswith("attlog.dat:1: time: ")


def test_papua_and_the_line_islands_offsets_are_still_read(
    operator: Client, employee: Employee
) -> None:
    text = f"nip,time\n{employee.nip},2024-03-04T07:00:00+09:00\n{employee.nip},2024-03-04T23:00:00+14:00\n"

    response = operator.post(reverse("presence:import"), {"file": upload("p.csv", text)})

    assert response.context["problems"] is None
    assert Punch.objects.count() == 2


def test_a_pin_map_with_a_nul_byte_is_refused_on_its_line(
    operator: Client, lobby: Machine, employee: Employee
) -> None:
    """The NIP went to PostgreSQL with the NUL in it: a 500."""
    response = operator.post(
        reverse("presence:machine", args=[lobby.pk]),
        {"file": upload("pins.csv", f"pin,nip\n99,{employee.nip}\x00\n")},
    )

    assert problems_of(response) == ["pins.csv:2: berkas bukan CSV atau Excel (.xlsx) yang terbaca"]


def test_a_repeated_column_is_refused_rather_than_one_of_its_values_dropped(
    operator: Client, employee: Employee
) -> None:
    text = f"nip,time,time\n{employee.nip},2024-03-04T07:30:00,2024-03-05T07:30:00\n"

    response = operator.post(reverse("presence:import"), {"file": upload("p.csv", text)})

    assert problems_of(response) == ["p.csv:1: time: kolom muncul lebih dari sekali: sisakan satu"]
    assert not Punch.objects.exists()


def test_a_broken_workbook_is_refused_in_indonesian_alone(operator: Client, lobby: Machine) -> None:
    """The library's English ("File is not a zip file") was pasted into the problem."""
    response = operator.post(
        reverse("presence:machine", args=[lobby.pk]),
        {"file": upload("pins.xlsx", b"PK\x03\x04garbage")},
    )

    assert problems_of(response) == ["pins.xlsx:0: bukan berkas Excel yang valid"]


def test_the_import_command_reads_a_file_named_in_another_encoding(
    tmp_path: Path, employee: Employee
) -> None:
    """A USB stick from Windows: the name's Latin-1 byte reached the audit trail unencodable,
    a traceback after the punches were written (rolled back)."""
    path = tmp_path / os.fsdecode(b"presensi-\xe9.csv")
    path.write_text(f"nip,time\n{employee.nip},2024-03-04T07:30:00+07:00\n")

    call_command("import_punches", str(path), stdout=StringIO(), stderr=StringIO())

    assert Punch.objects.filter(employee=employee).count() == 1
    event = AuditEvent.objects.get(action="presence.punches_import")
    assert (event.after or {})["file"] == "presensi-\ufffd.csv"


def test_an_over_long_idempotency_key_header_is_refused_in_indonesian(
    client: Client, employee: Employee, monkeypatch: pytest.MonkeyPatch
) -> None:
    freeze_clock(monkeypatch, local(MONDAY, "07:42:05"))
    assert employee.user is not None
    client.force_login(employee.user)

    response = client.post(
        "/api/presensi/check-in",
        {"latitude": SLEMAN[0], "longitude": SLEMAN[1], "accuracy_m": 9.5},
        content_type="application/json",
        headers={"Idempotency-Key": "k" * 65},
    )

    assert response.status_code == 422
    assert response.json()["detail"][0]["msg"] == "paling banyak 64 karakter yang dapat dicetak"


def test_a_unit_page_search_with_a_nul_byte_is_answered(
    client: Client, org: Org, operator_kua_a: object
) -> None:
    """The search went to PostgreSQL with the NUL in it: a 500."""
    client.force_login(operator_kua_a)  # type: ignore[arg-type]
    client.raise_request_exception = False

    response = client.get(reverse("org:unit_detail", args=[org.kua_a.pk]), {"q": "a\x00b"})

    assert response.status_code == 200
