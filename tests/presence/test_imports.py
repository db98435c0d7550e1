"""Importing punches: CSV files and fingerprint-machine logs, taken whole or refused whole."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from datetime import UTC, date, timedelta
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from hadir.common import bulk, locks
from hadir.common.models import AuditEvent
from hadir.common.tables import TableRefused
from hadir.org.models import Employee
from hadir.presence.imports import OUTSIDE_SERVICE, OUTSIDE_WINDOW, punches_import
from hadir.presence.models import Machine, MachinePin, Punch
from hadir.presence.selectors import day_standing
from hadir.presence.services import punch_check_in
from tests.factories import EmployeeFactory, UnitFactory, pattern
from tests.presence.support import MONDAY, WITA, at_point, freeze_clock, local

HEADER = "nip,time,lat,lng,source"


def write(tmp_path: Path, name: str, lines: Sequence[str], encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding=encoding)
    return path


def run(path: Path, *args: str) -> str:
    out = StringIO()
    call_command("import_punches", str(path), *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def write_bytes(tmp_path: Path, name: str, content: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(content)
    return path


def refusal(path: Path, **options: Any) -> list[str]:
    """Import a file that must be refused: its problems (in English), after checking that
    nothing was written."""
    with translation.override("en"), pytest.raises(TableRefused) as refused_whole:
        punches_import(path=path, **options)
    assert not Punch.objects.exists()
    assert not AuditEvent.objects.filter(action="presence.punches_import").exists()
    return [str(problem) for problem in refused_whole.value.problems]


def refused(path: Path, *args: str) -> list[str]:
    """Run the command on a file it must refuse; the problems it printed, one per line."""
    err = StringIO()
    with pytest.raises(CommandError, match="tidak ada yang disimpan"):
        call_command("import_punches", str(path), *args, stdout=StringIO(), stderr=err)
    return err.getvalue().splitlines()


@pytest.fixture
def makassar(db: None) -> Employee:
    """An employee of a KUA in Makassar (WITA, one hour ahead of WIB)."""
    unit = UnitFactory.create(code="KUA-MKS", timezone=WITA, default_pattern=pattern())
    return EmployeeFactory.create(unit=unit)


# --- CSV ------------------------------------------------------------------------------------


def test_a_good_csv_is_recorded_with_offsets_or_in_the_employees_local_time(
    tmp_path: Path, employee: Employee, makassar: Employee
) -> None:
    path = write(
        tmp_path,
        "punches.csv",
        [
            HEADER,
            f"{employee.nip},2024-03-04T07:12:00+07:00,-7.7167,110.3555,",
            f"{employee.nip},2024-03-04 16:05:30,,,MACHINE",
            f"{makassar.nip},2024-03-04 07:40,,,",
        ],
    )

    report = punches_import(path=path, actor_label="test")

    assert (report.recorded, report.duplicates, report.outside_window) == (3, 0, 0)
    mine = list(Punch.objects.filter(employee=employee).order_by("at"))
    assert [p.at for p in mine] == [local(MONDAY, "07:12"), local(MONDAY, "16:05:30")]
    assert [p.source for p in mine] == [Punch.Source.IMPORT, Punch.Source.MACHINE]
    assert str(mine[0].latitude) == "-7.716700"
    assert mine[1].latitude is None
    assert all(p.counts and p.flags == "" for p in mine)
    theirs = Punch.objects.get(employee=makassar)
    assert theirs.at == local(MONDAY, "07:40", WITA) == local(MONDAY, "06:40")
    assert AuditEvent.objects.filter(action="presence.punches_import").count() == 1


def test_imported_punches_count_in_the_day(tmp_path: Path, makassar: Employee) -> None:
    path = write(
        tmp_path,
        "punches.csv",
        ["nip,time", f"{makassar.nip},2024-03-04 07:40", f"{makassar.nip},2024-03-04 16:00"],
    )
    punches_import(path=path)

    day = day_standing(makassar, MONDAY)

    assert (day.status, day.tl_minutes, day.psw_minutes) == ("H", 10, 0)


def test_a_semicolon_csv_with_a_byte_order_mark_is_read(tmp_path: Path, employee: Employee) -> None:
    path = write(
        tmp_path, "excel.csv", ["NIP;Time", f"{employee.nip};2024-03-04 07:12"], "utf-8-sig"
    )
    assert "dicatat: 1, duplikat dilewati: 0" in run(path)


def test_a_duplicate_row_and_a_reimport_are_recorded_once(
    tmp_path: Path, employee: Employee
) -> None:
    path = write(
        tmp_path,
        "punches.csv",
        [
            "nip,time",
            f"{employee.nip},2024-03-04 07:12:00",
            f"{employee.nip},2024-03-04T07:12:00+07:00",  # the same instant, written otherwise
            f"{employee.nip},2024-03-04 16:05:00",
        ],
    )

    first = punches_import(path=path)
    second = punches_import(path=path)

    assert (first.recorded, first.duplicates) == (2, 1)
    assert (second.recorded, second.duplicates) == (0, 3)
    assert Punch.objects.count() == 2
    assert "OK: 2 presensi" in _verify()


def test_a_bad_csv_is_refused_whole_with_every_problem_located(
    tmp_path: Path, employee: Employee
) -> None:
    path = write(
        tmp_path,
        "punches.csv",
        [
            HEADER,
            f"{employee.nip},2024-03-04 07:12,,,",
            "199001012015011999,2024-03-04 07:12,,,",
            f"{employee.nip},besok pagi,,,",
            f"{employee.nip},2024-03-04 07:13,-95,110,",
            f"{employee.nip},2024-03-04 07:14,-7.7,,",
            f"{employee.nip},2024-03-04 07:15,,,PONSEL",
        ],
    )

    problems = refused(path)

    assert [p.split(": ", 1)[0] for p in problems] == [
        "punches.csv:3",
        "punches.csv:4",
        "punches.csv:5",
        "punches.csv:6",
        "punches.csv:7",
    ]
    assert "NIP '199001012015011999' tidak ada" in problems[0]
    assert "waktu 'besok pagi' tidak valid" in problems[1]
    assert "koordinat tidak valid" in problems[2]
    assert "koordinat tidak valid" in problems[3]
    assert "sumber 'PONSEL' harus MACHINE atau IMPORT" in problems[4]
    assert not Punch.objects.exists()
    assert not AuditEvent.objects.filter(action="presence.punches_import").exists()


@pytest.mark.django_db
def test_a_file_covering_more_employees_than_one_transaction_may_lock_is_refused_at_the_first_past_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file is written in one transaction, one lock per employee; PostgreSQL's lock table is
    shared and small (6,400 by default), so a Kanwil-wide file is refused, not half-failed."""
    monkeypatch.setattr(locks, "EMPLOYEES_PER_FILE", 2)
    one, two, three = EmployeeFactory.create_batch(3, unit__default_pattern=pattern())
    path = write(
        tmp_path,
        "kanwil.csv",
        [HEADER]
        + [f"{e.nip},2024-03-04 07:{m:02d},,," for m, e in enumerate([one, two, one, three, two])],
    )

    problems = refused(path)

    assert problems == ["kanwil.csv:5: nip: berkas memuat lebih dari 2 pegawai: bagi per unit"]
    assert not Punch.objects.exists()


def test_missing_and_unknown_columns_are_refused_on_the_header_line(tmp_path: Path) -> None:
    path = write(tmp_path, "punches.csv", ["nip,jam,lokasi", "1,2,3"])
    assert refused(path) == [
        "punches.csv:1: time: kolom wajib tidak ada",
        "punches.csv:1: jam: kolom tidak dikenal",
        "punches.csv:1: lokasi: kolom tidak dikenal",
    ]


def test_a_file_with_only_a_header_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "punches.csv", ["nip,time"])
    assert refused(path) == ["punches.csv:1: berkas tidak berisi data"]


def test_a_file_that_is_not_text_is_refused_naming_the_line_where_it_stops_being(
    tmp_path: Path,
) -> None:
    path = tmp_path / "punches.csv"
    path.write_bytes(b"nip,time\n\xff\xfe\x00\x01")
    assert refused(path) == ["punches.csv:2: bukan berkas teks (CSV atau attlog)"]


def test_rows_outside_the_window_are_kept_but_flagged_and_do_not_count(
    tmp_path: Path, employee: Employee
) -> None:
    path = write(
        tmp_path,
        "punches.csv",
        [
            "nip,time",
            f"{employee.nip},2024-03-04 05:59",
            f"{employee.nip},2024-03-04 07:20",
            f"{employee.nip},2024-03-04 21:00",
        ],
    )

    report = punches_import(path=path)

    assert (report.recorded, report.outside_window) == (3, 2)
    rows = list(Punch.objects.order_by("at").values_list("counts", "flags"))
    assert rows == [(False, OUTSIDE_WINDOW), (True, ""), (False, OUTSIDE_WINDOW)]
    day = day_standing(employee, MONDAY)
    assert day.datang is not None
    assert f"{day.datang:%H:%M}" == "07:20"
    assert day.pulang is None


def test_punches_before_the_employees_start_or_after_their_end_are_kept_and_do_not_count(
    tmp_path: Path, employee: Employee
) -> None:
    """A machine's PIN handed to a newcomer still holds the log of whoever had it before."""
    employee.start, employee.end = MONDAY, MONDAY
    employee.save()
    path = write(
        tmp_path,
        "punches.csv",
        [
            "nip,time",
            f"{employee.nip},2024-03-01 07:05",
            f"{employee.nip},2024-03-04 07:20",
            f"{employee.nip},2024-03-05 07:10",
        ],
    )

    output = run(path)

    assert "di luar masa kerja pegawai (disimpan, tidak dihitung): 2" in output
    rows = list(Punch.objects.order_by("at").values_list("counts", "flags"))
    assert rows == [(False, OUTSIDE_SERVICE), (True, ""), (False, OUTSIDE_SERVICE)]


def test_a_dry_run_reports_and_writes_nothing(tmp_path: Path, employee: Employee) -> None:
    path = write(
        tmp_path,
        "punches.csv",
        ["nip,time", f"{employee.nip},2024-03-04 07:20", f"{employee.nip},2024-03-04 22:00"],
    )

    output = run(path, "--dry-run")

    assert output.strip() == (
        "akan dicatat: 2, duplikat dilewati: 0, di luar rentang presensi (disimpan, tidak "
        "dihitung): 1"
    )
    assert not Punch.objects.exists()
    assert not AuditEvent.objects.filter(action="presence.punches_import").exists()


def test_an_import_continues_the_employees_chain_after_app_punches(
    tmp_path: Path, employee: Employee
) -> None:
    app = punch_check_in(employee=employee, check_in=at_point(), now=local(MONDAY, "07:20"))
    path = write(tmp_path, "punches.csv", ["nip,time", f"{employee.nip},2024-03-04 16:10"])

    punches_import(path=path)

    imported = Punch.objects.get(source=Punch.Source.IMPORT)
    assert app.punch is not None
    assert imported.prev_hash == app.punch.hash
    assert "OK: 2 presensi" in _verify()


def test_an_operators_import_cannot_record_punches_for_employees_outside_their_scope(
    tmp_path: Path, employee: Employee, makassar: Employee
) -> None:
    path = write(
        tmp_path,
        "punches.csv",
        ["nip,time", f"{employee.nip},2024-03-04 07:20", f"{makassar.nip},2024-03-04 07:20"],
    )

    with pytest.raises(TableRefused) as refusal:
        punches_import(path=path, employees=Employee.objects.filter(unit=employee.unit))

    assert [str(p) for p in refusal.value.problems] == [
        f"punches.csv:3: nip: pegawai dengan NIP '{makassar.nip}' tidak ada"
    ]
    assert not Punch.objects.exists()


# --- messy files operators upload ---------------------------------------------------------


@pytest.mark.parametrize(
    "content",
    [
        b'"nip","time"\r\n"{nip}","2024-03-04 07:12"\r\n',
        b'"NIP";"Time"\r\n"{nip}";"2024-03-04 07:12"\r\n',
        b"\n\r\n  \nnip,time\n{nip},2024-03-04 07:12\n",
        b"nip;time;\r\n{nip};2024-03-04 07:12;\r\n;;\r\n",
        b"nip,time\r{nip},2024-03-04 07:12\r",
    ],
    ids=[
        "quoted-header",
        "quoted-semicolon-header",
        "blank-lines-first",
        "excel-empty-column",
        "cr",
    ],
)
def test_a_csv_as_spreadsheets_save_it_is_read_as_a_csv(
    tmp_path: Path, employee: Employee, content: bytes
) -> None:
    path = write_bytes(tmp_path, "punches.csv", content.replace(b"{nip}", employee.nip.encode()))

    assert punches_import(path=path).recorded == 1
    assert Punch.objects.get().at == local(MONDAY, "07:12")


def test_problems_of_a_csv_with_lone_cr_line_ends_name_their_lines(
    tmp_path: Path, employee: Employee
) -> None:
    path = write_bytes(
        tmp_path,
        "punches.csv",
        f"nip,time\r{employee.nip},2024-03-04 07:12\r{employee.nip},pagi\r".encode(),
    )

    assert refusal(path) == [
        "punches.csv:3: time: invalid time 'pagi'; example 2024-03-04T07:12:00+07:00"
    ]


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"", "punches.csv:1: the file is empty"),
        (b"\r\n  \n", "punches.csv:1: the file is empty"),
        (
            b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n",
            "punches.csv:0: not a text file (CSV or attlog)",
        ),
        (b"PK\x03\x04\x14\x00\x06\x00", "punches.csv:0: not a text file (CSV or attlog)"),
        (b"nip,time\n1,2024-03-04 07:12\x00\n", "punches.csv:2: not a text file (CSV or attlog)"),
        (
            b"Daftar hadir Maret\n",
            "punches.csv:1: neither a CSV with a nip,time header nor a fingerprint machine's "
            "log (attlog)",
        ),
    ],
    ids=["empty", "blank", "pdf", "workbook", "nul-byte", "other-text"],
)
def test_a_file_that_is_no_csv_or_attlog_is_refused_for_what_it_is(
    tmp_path: Path, db: None, content: bytes, problem: str
) -> None:
    path = write_bytes(tmp_path, "punches.csv", content)
    assert refusal(path) == [problem]


def test_an_unclosed_quote_is_refused_on_the_line_it_opens(
    tmp_path: Path, employee: Employee
) -> None:
    path = write(
        tmp_path,
        "punches.csv",
        ["nip,time", f"{employee.nip},2024-03-04 07:12", f'{employee.nip},"2024-03-04 07:13']
        + [f"{employee.nip},2024-03-04 16:{m % 60:02d}" for m in range(4)],
    )

    assert refusal(path) == [
        'punches.csv:3: time: a quotation mark (") opened on this line is never closed'
    ]


def test_an_unclosed_quote_past_the_csv_modules_field_limit_is_refused_not_crashing(
    tmp_path: Path, employee: Employee
) -> None:
    """Python's csv module gives up on a field past 128 KB: the quote swallowed the file."""
    path = write(
        tmp_path,
        "punches.csv",
        ["nip,time", f"{employee.nip},2024-03-04 07:12", f'{employee.nip},"2024-03-04 07:13']
        + [f"{employee.nip},2024-03-04 16:{m % 60:02d}" for m in range(8000)],
    )

    assert refusal(path) == [
        'punches.csv:3: a quotation mark (") opened on this line is never closed'
    ]


@pytest.mark.parametrize(
    ("time", "reason"),
    [
        ("0001-01-01T07:00", "time '0001-01-01T07:00' is before 2000: check the year"),
        ("1999-12-31 07:00", "time '1999-12-31 07:00' is before 2000: check the year"),
        (
            "9999-12-31T23:59-01:00",
            "time '9999-12-31T23:59-01:00' is later than now: check the year, and the machine's "
            "clock",
        ),
        (
            "2024-03-04 12:30",
            "time '2024-03-04 12:30' is later than now: check the year, and the machine's clock",
        ),
        ("2024-03-04", "time '2024-03-04' has no hour"),
    ],
    ids=["year-1", "last-century", "year-9999", "later-today", "date-only"],
)
def test_a_mistyped_year_or_a_time_without_its_hour_is_refused_on_its_line(
    tmp_path: Path, employee: Employee, monkeypatch: pytest.MonkeyPatch, time: str, reason: str
) -> None:
    freeze_clock(monkeypatch, local(MONDAY, "12:00"))
    path = write(
        tmp_path,
        "punches.csv",
        ["nip,time", f"{employee.nip},2024-03-04 07:12", f"{employee.nip},{time}"],
    )

    assert refusal(path) == [f"punches.csv:3: time: {reason}"]


def test_a_punch_a_few_minutes_ahead_of_the_servers_clock_is_taken(
    tmp_path: Path, employee: Employee, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The machine's clock may run a little fast; the time is the one the machine logged."""
    freeze_clock(monkeypatch, local(MONDAY, "12:00"))
    path = write(tmp_path, "punches.csv", ["nip,time", f"{employee.nip},2024-03-04 12:05"])

    assert punches_import(path=path).recorded == 1


def test_a_punch_early_on_new_years_morning_is_not_later_than_now(
    tmp_path: Path, employee: Employee, monkeypatch: pytest.MonkeyPatch
) -> None:
    """06:30 WIB on 1 January is still the old year in UTC, the server's clock."""
    freeze_clock(monkeypatch, local(date(2025, 1, 1), "06:30").astimezone(UTC))
    path = write(tmp_path, "punches.csv", ["nip,time", f"{employee.nip},2025-01-01 06:20"])

    assert punches_import(path=path).recorded == 1


def test_a_nip_written_with_spaces_is_the_employees(tmp_path: Path, employee: Employee) -> None:
    nip = employee.nip
    spaced = f"{nip[:8]} {nip[8:14]} {nip[14]} {nip[15:]}"
    path = write(tmp_path, "punches.csv", ["nip,time", f"{spaced},2024-03-04 07:12"])

    assert punches_import(path=path).recorded == 1
    assert Punch.objects.get().employee == employee


def test_a_nip_excel_turned_into_a_number_is_refused_saying_so(
    tmp_path: Path, employee: Employee
) -> None:
    path = write(tmp_path, "punches.csv", ["nip;time", "1,99001E+17;2024-03-04 07:12"])

    assert refusal(path) == [
        "punches.csv:2: nip: NIP 1,99001E+17 was turned into a number by Excel, which loses its "
        "last digits: format the column as Text and type the NIPs again"
    ]


def test_a_nip_with_a_decimal_tail_is_refused_as_one_that_went_through_a_number(
    tmp_path: Path, employee: Employee
) -> None:
    """Even when its 18 digits are the employee's: a float written back out may have rounded
    any other row's, so the column is retyped, not trusted."""
    path = write(tmp_path, "punches.csv", ["nip,time", f"{employee.nip}.0,2024-03-04 07:12"])

    assert refusal(path) == [
        f"punches.csv:2: nip: NIP {employee.nip}.0 was turned into a number by Excel, which "
        "loses its last digits: format the column as Text and type the NIPs again"
    ]


def test_a_row_with_more_fields_than_the_header_is_refused(
    tmp_path: Path, employee: Employee
) -> None:
    """An unquoted decimal comma, or a column left out of the header: the values would shift."""
    path = write(
        tmp_path,
        "punches.csv",
        [
            "nip,time,",
            f"{employee.nip},2024-03-04 07:12,",
            f"{employee.nip},2024-03-04 07:13,-7,7167",
            f"{employee.nip},2024-03-04 07:14,-7.7167",
        ],
    )

    assert refusal(path) == [
        "punches.csv:3: more fields than the header (4, the header has 3)",
        "punches.csv:4: a value in column 3, which has no name in the header",
    ]


def test_a_punch_imported_in_both_formats_is_recorded_once(
    tmp_path: Path, employee: Employee, machine: Machine
) -> None:
    log = write(tmp_path, "attlog.dat", ["7\t2024-03-04 07:12:09\t1\t0"])
    sheet = write(
        tmp_path,
        "punches.csv",
        [
            "nip,time,source",
            f"{employee.nip},2024-03-04 07:12:09,",
            f"{employee.nip},2024-03-04 16:05:00,MACHINE",
            f"{employee.nip},2024-03-04 16:05:00,IMPORT",
        ],
    )

    punches_import(path=log, machine=machine)
    report = punches_import(path=sheet)

    assert (report.recorded, report.duplicates) == (1, 2)
    assert list(Punch.objects.order_by("at").values_list("at", "source")) == [
        (local(MONDAY, "07:12:09"), Punch.Source.MACHINE),
        (local(MONDAY, "16:05"), Punch.Source.MACHINE),
    ]
    assert "OK: 2 presensi" in _verify()


def test_an_imported_punch_at_the_second_of_an_app_punch_is_another_record(
    tmp_path: Path, employee: Employee
) -> None:
    punch_check_in(employee=employee, check_in=at_point(), now=local(MONDAY, "07:20"))
    path = write(tmp_path, "punches.csv", ["nip,time", f"{employee.nip},2024-03-04 07:20:00"])

    report = punches_import(path=path)

    assert (report.recorded, report.duplicates) == (1, 0)
    assert sorted(Punch.objects.values_list("source", flat=True)) == ["APP", "IMPORT"]


def test_a_csv_imported_with_a_machine_given_comes_from_no_machine(
    tmp_path: Path, employee: Employee, machine: Machine
) -> None:
    path = write(tmp_path, "punches.csv", ["nip,time", f"{employee.nip},2024-03-04 07:12"])

    punches_import(path=path, machine=machine)

    assert Punch.objects.get().machine is None
    audit = AuditEvent.objects.get(action="presence.punches_import")
    assert audit.after is not None
    assert audit.after["machine"] is None


def test_an_imports_queries_stay_flat_as_its_rows_grow(tmp_path: Path, employee: Employee) -> None:
    def queries(rows: int) -> int:
        path = write(
            tmp_path,
            f"{rows}.csv",
            ["nip,time"]
            + [f"{employee.nip},2024-03-04 07:{m:02d}:{rows % 60:02d}" for m in range(rows)],
        )
        with CaptureQueriesContext(connection) as captured:
            assert punches_import(path=path).recorded == rows
        return len(captured)

    queries(3)  # the first import of the day loads the calendar and policy cache
    assert queries(5) == queries(40)


def test_a_large_file_is_written_in_chain_order_and_verifies(
    tmp_path: Path, employee: Employee
) -> None:
    """Past a hundred rows PostgreSQL gets the punches by COPY: each employee's chain must
    still follow their punches' ids, after what they already had."""
    staff = [employee, *EmployeeFactory.create_batch(3, unit=employee.unit)]
    punch_check_in(employee=employee, check_in=at_point(), now=local(MONDAY, "06:30"))
    days = [
        MONDAY + timedelta(days=d) for d in range(35) if (MONDAY + timedelta(days=d)).weekday() < 5
    ]
    lines = ["nip,time"] + [
        f"{e.nip},{day} {hhmm}"
        for day in reversed(days)
        for e in staff
        for hhmm in ("07:10", "16:05")
    ]
    path = write(tmp_path, "month.csv", lines)

    assert punches_import(path=path).recorded == len(lines) - 1 > bulk.COPY_FROM_ROWS
    for person in staff:
        ids_by_time = list(
            Punch.objects.filter(employee=person).order_by("at").values_list("id", flat=True)
        )
        assert ids_by_time == sorted(ids_by_time)
    assert f"OK: {len(lines)} presensi" in _verify()


def test_an_imports_queries_stay_flat_as_its_employees_grow(
    tmp_path: Path, employee: Employee
) -> None:
    """A Kabupaten's file names thousands of employees: their chains, what they already have
    recorded and their days are read and written set-wise, not employee by employee."""
    staff = [employee, *EmployeeFactory.create_batch(20, unit=employee.unit)]

    def queries(count: int) -> int:
        path = write(
            tmp_path,
            f"{count}.csv",
            ["nip,time"] + [f"{e.nip},2024-03-04 07:{count:02d}:00" for e in staff[:count]],
        )
        with CaptureQueriesContext(connection) as captured:
            assert punches_import(path=path).recorded == count
        return len(captured)

    queries(2)  # the first import of the day loads the calendar and policy cache
    assert queries(5) == queries(20)


# --- fingerprint-machine logs (ZKTeco attlog) ---------------------------------------------


@pytest.fixture
def machine(employee: Employee, makassar: Employee) -> Machine:
    """The office's fingerprint machine: PIN 7 is Siti, PIN 12 is the Makassar employee."""
    machine = Machine.objects.create(unit=employee.unit, name="Mesin lobi", serial="ZK-0042")
    MachinePin.objects.create(machine=machine, pin="7", employee=employee)
    MachinePin.objects.create(machine=machine, pin="12", employee=makassar)
    return machine


def test_an_attlog_maps_machine_pins_to_employees(
    tmp_path: Path, machine: Machine, employee: Employee, makassar: Employee
) -> None:
    path = write(
        tmp_path,
        "attlog.dat",
        [
            "        7\t2024-03-04 07:12:09\t1\t0\t1\t0",
            "       12\t2024-03-04 07:35:00\t1\t0\t1\t0",
            "",
            "7 2024-03-04 16:05:00 1 1 1 0",
        ],
    )

    output = run(path, "--machine", "ZK-0042")

    assert "dicatat: 3, duplikat dilewati: 0" in output
    assert list(
        Punch.objects.filter(employee=employee).order_by("at").values_list("at", "source")
    ) == [
        (local(MONDAY, "07:12:09"), Punch.Source.MACHINE),
        (local(MONDAY, "16:05"), Punch.Source.MACHINE),
    ]
    # The machine stands in a WIB office: its clock shows WIB, whoever punches on it.
    assert Punch.objects.get(employee=makassar).at == local(MONDAY, "07:35")
    assert set(Punch.objects.values_list("machine", flat=True)) == {machine.pk}


@pytest.fixture
def makassar_machine(makassar: Employee, employee: Employee) -> Machine:
    """The Makassar KUA's own machine, its clock on WITA: PIN 3 is the Makassar employee, PIN 4
    Siti of the WIB office, visiting."""
    machine = Machine.objects.create(unit=makassar.unit, name="Mesin KUA", serial="ZK-0777")
    MachinePin.objects.create(machine=machine, pin="3", employee=makassar)
    MachinePin.objects.create(machine=machine, pin="4", employee=employee)
    return machine


def test_an_attlog_is_read_in_the_time_zone_where_its_machine_stands(
    tmp_path: Path, makassar_machine: Machine, makassar: Employee, employee: Employee
) -> None:
    path = write(
        tmp_path, "attlog.dat", ["3\t2024-03-04 07:35:00\t1\t0", "4\t2024-03-04 07:40:00\t1\t0"]
    )

    punches_import(path=path, machine=makassar_machine)

    assert Punch.objects.get(employee=makassar).at == local(MONDAY, "07:35", WITA)
    # Siti's own clock would have said 06:40 (WIB)
    assert Punch.objects.get(employee=employee).at == local(MONDAY, "07:40", WITA)


def test_the_same_attlog_imported_twice_records_each_punch_once(
    tmp_path: Path, machine: Machine
) -> None:
    path = write(tmp_path, "attlog.dat", ["7\t2024-03-04 07:12:09\t1\t0", "7\t2024-03-04 07:12:09"])

    first = punches_import(path=path, machine=machine)
    second = punches_import(path=path, machine=machine)

    assert (first.recorded, first.duplicates, second.recorded, second.duplicates) == (1, 1, 0, 2)
    assert Punch.objects.count() == 1


# --- nobody records their own punches ------------------------------------------------------


def operator_of(employee: Employee) -> Any:
    """A Pengelola Presensi of ``employee``'s unit, who is themself an employee there."""
    from hadir.org.models import Role
    from tests.factories import RoleAssignmentFactory, UserFactory

    user = UserFactory.create()
    EmployeeFactory.create(name="Operator KUA", unit=employee.unit, user=user)
    RoleAssignmentFactory.create(user=user, role=Role.OPERATOR, unit=employee.unit)
    return user


def as_operator(path: Path, user: Any, machine: Machine | None = None) -> Any:
    """Import ``path`` as the upload page does for ``user``."""
    from hadir.common.access import MANAGE_ROLES, employees_in_scope

    return punches_import(
        path=path, machine=machine, actor=user, employees=employees_in_scope(user, MANAGE_ROLES)
    )


def test_an_operators_csv_with_their_own_punches_is_refused_whole(
    tmp_path: Path, employee: Employee
) -> None:
    user = operator_of(employee)
    path = write(
        tmp_path,
        "manual.csv",
        [
            "nip,time",
            f"{employee.nip},2024-03-04T07:10:00",
            f"{user.employee.nip},2024-03-04T07:25:00",
        ],
    )

    with pytest.raises(TableRefused) as refused_whole:
        as_operator(path, user)

    assert [str(problem) for problem in refused_whole.value.problems] == [
        "manual.csv:3: nip: ini presensi Anda sendiri: Pengelola Presensi lain atau admin"
        " yang mengimpornya"
    ]
    assert not Punch.objects.exists()


def test_an_operators_own_rows_in_a_machine_log_wait_for_another_operator(
    tmp_path: Path, employee: Employee, machine: Machine
) -> None:
    user = operator_of(employee)
    MachinePin.objects.create(machine=machine, pin="30", employee=user.employee)
    path = write(
        tmp_path, "attlog.dat", ["7\t2024-03-04 07:12:09\t1", "30\t2024-03-04 07:20:00\t1"]
    )

    report = as_operator(path, user, machine)

    assert (report.recorded, report.own) == (1, 1)
    assert "milik Anda sendiri (dilewati" in str(report)
    assert not Punch.objects.filter(employee=user.employee).exists()
    colleague = operator_of(employee)
    again = as_operator(path, colleague, machine)
    assert (again.recorded, again.duplicates) == (1, 1)
    assert Punch.objects.get(employee=user.employee).at == local(MONDAY, "07:20")


def test_an_unknown_pin_refuses_the_whole_log(tmp_path: Path, machine: Machine) -> None:
    path = write(
        tmp_path,
        "attlog.dat",
        ["7\t2024-03-04 07:12:09\t1", "99\t2024-03-04 07:15:00\t1", "7\tkemarin\t1", "7"],
    )

    assert refused(path, "--machine", "ZK-0042") == [
        "attlog.dat:2: PIN: PIN 99 tidak dipetakan ke NIP untuk mesin ZK-0042",
        "attlog.dat:3: time: waktu 'kemarin' tidak valid",
        "attlog.dat:4: baris tidak berisi PIN dan waktu",
    ]
    assert not Punch.objects.exists()


def test_an_attlog_without_its_machine_is_refused(tmp_path: Path, machine: Machine) -> None:
    path = write(tmp_path, "attlog.dat", ["7\t2024-03-04 07:12:09\t1"])

    problems = refused(path)

    assert problems == [
        "attlog.dat:1: log mesin (attlog): pilih mesin absensinya"
        " (di baris perintah: --machine SERIAL)"
    ]
    assert not Punch.objects.exists()


def test_the_command_finds_the_machine_by_its_serial_typed_as_the_form_accepts_it(
    tmp_path: Path, machine: Machine, employee: Employee
) -> None:
    path = write(tmp_path, "attlog.dat", ["7\t2024-03-04 07:12:09\t1"])

    run(path, "--machine", " zk-0042\u200b")

    assert Punch.objects.get(employee=employee).machine == machine


def test_the_command_finds_a_machine_stored_in_lower_case_before_serials_were_cleaned(
    tmp_path: Path, employee: Employee
) -> None:
    machine = Machine.objects.create(unit=employee.unit, name="Mesin lama", serial="zk-0099")
    MachinePin.objects.create(machine=machine, pin="7", employee=employee)
    path = write(tmp_path, "attlog.dat", ["7\t2024-03-04 07:12:09\t1"])

    run(path, "--machine", "zk-0099")

    assert Punch.objects.get(employee=employee).machine == machine


def test_the_admin_stores_a_serial_as_the_machine_form_does(employee: Employee) -> None:
    from django.test import Client

    from tests.factories import UserFactory

    client = Client()
    client.force_login(UserFactory.create(is_superuser=True, is_staff=True))
    response = client.post(
        "/admin/presence/machine/add/",
        {
            "name": "Mesin lobi",
            "serial": " zk-0042\u200b",
            "unit": employee.unit.pk,
            "pins-TOTAL_FORMS": "0",
            "pins-INITIAL_FORMS": "0",
            "pins-MIN_NUM_FORMS": "0",
            "pins-MAX_NUM_FORMS": "1000",
        },
    )

    assert response.status_code == 302
    assert Machine.objects.get().serial == "ZK-0042"


def test_an_unknown_machine_serial_is_an_error(tmp_path: Path, machine: Machine) -> None:
    path = write(tmp_path, "attlog.dat", ["7\t2024-03-04 07:12:09\t1"])
    with pytest.raises(CommandError, match=r"^mesin dengan nomor seri 'ZK-9999' tidak ada$"):
        run(path, "--machine", "ZK-9999")


def test_an_attlog_row_outside_the_window_is_kept_and_flagged(
    tmp_path: Path, makassar_machine: Machine
) -> None:
    # 05:30 on the Makassar machine's clock (WITA) is before the window opens at 06:00
    path = write(tmp_path, "attlog.dat", ["3\t2024-03-04 05:30:00", "3\t2024-03-04 06:00:00"])

    report = punches_import(path=path, machine=makassar_machine)

    assert report.outside_window == 1
    assert list(Punch.objects.order_by("at").values_list("counts", "flags")) == [
        (False, OUTSIDE_WINDOW),
        (True, ""),
    ]


def test_an_operators_attlog_skips_employees_outside_their_scope_and_says_how_many(
    tmp_path: Path, machine: Machine, employee: Employee, makassar: Employee
) -> None:
    """PIN 12 is someone else's to import (another unit sharing the machine, or who moved
    away: the log keeps their history); it neither records them nor stops the file."""
    path = write(tmp_path, "attlog.dat", ["7\t2024-03-04 07:12:09", "12\t2024-03-04 07:13:00"])

    report = punches_import(
        path=path, machine=machine, employees=Employee.objects.filter(unit=employee.unit)
    )

    assert (report.recorded, report.elsewhere) == (1, 1)
    assert "di luar unit Anda (dilewati): 1" in str(report)
    assert list(Punch.objects.values_list("employee", flat=True)) == [employee.pk]


@pytest.mark.parametrize(
    "line",
    ["7\t2024-03-04\t07:12:09\t1\t0", "7 2024-03-04T07:12:09 1 0", "7\t2024-03-04T07:12:09"],
    ids=["date-and-hour-in-two-tab-fields", "iso-time-space-separated", "iso-time-tabbed"],
)
def test_an_attlog_time_written_otherwise_is_read_whole(
    tmp_path: Path, machine: Machine, line: str
) -> None:
    path = write(tmp_path, "attlog.dat", [line])

    punches_import(path=path, machine=machine)

    assert Punch.objects.get().at == local(MONDAY, "07:12:09")


def test_an_attlog_line_with_a_date_but_no_hour_is_refused_saying_so(
    tmp_path: Path, machine: Machine
) -> None:
    path = write(tmp_path, "attlog.dat", ["7 2024-03-04 1 0", "7\t2024-03-04\t1\t0"])

    assert refusal(path, machine=machine) == [
        "attlog.dat:1: time: time '2024-03-04' has no hour",
        "attlog.dat:2: time: time '2024-03-04' has no hour",
    ]


def _verify() -> str:
    out = StringIO()
    call_command("verify_punches", stdout=out, stderr=StringIO())
    return out.getvalue()


# --- times, line breaks, decimals and pages as spreadsheets and operators write them --------


def test_a_punch_time_with_a_fraction_for_its_minutes_is_refused_on_its_line(
    tmp_path: Path, employee: Employee
) -> None:
    """Python would read 07.4 as 07:00 and 0.4 seconds: a late arrival on the hour."""
    path = write(tmp_path, "punches.csv", ["nip,time", f"{employee.nip},2024-03-04 07.4"])

    assert refusal(path) == [
        "punches.csv:2: time: time '2024-03-04 07.4' has a fraction where its minutes or"
        " seconds belong: write it as HH:MM or HH:MM:SS"
    ]


def test_an_attlog_split_by_spaces_with_a_dotted_time_is_read_as_hours_and_minutes(
    tmp_path: Path, employee: Employee, lobby: Machine
) -> None:
    """A log split by spaces gives the time apart from its date: 07.45 was taken for no time
    at all, and the line refused as a date without its hour."""
    path = write(tmp_path, "attlog.dat", ["99 2024-03-04 07.45 1 0", "99 2024-03-04 7.50 1 0"])

    punches_import(path=path, machine=lobby)

    assert [p.at for p in Punch.objects.order_by("at")] == [
        local(MONDAY, "07:45"),
        local(MONDAY, "07:50"),
    ]


def test_a_line_break_inside_a_quoted_cell_reads_as_the_space_excel_shows(
    tmp_path: Path, employee: Employee
) -> None:
    """Saved quoted and closed, it is no quote left open: the NIP, pasted with its groups on
    two lines, and the time are read."""
    nip = employee.nip
    path = write_bytes(
        tmp_path,
        "punches.csv",
        f'nip,time\n"{nip[:8]}\n{nip[8:]}","2024-03-04\n07:12"\n'.encode(),
    )

    punches_import(path=path)

    assert [p.at for p in Punch.objects.filter(employee=employee)] == [local(MONDAY, "07:12")]


def test_a_quote_never_closed_on_the_last_line_is_refused_as_such(
    tmp_path: Path, employee: Employee
) -> None:
    """The quote swallows only the line's own end: read as a cell, the row would be a NIP
    holding its time, and no employee has that."""
    path = write(
        tmp_path,
        "punches.csv",
        ["nip,time", f"{employee.nip},2024-03-04 07:12", f'"{employee.nip},2024-03-04 07:13'],
    )

    assert refusal(path) == [
        'punches.csv:3: nip: a quotation mark (") opened on this line is never closed'
    ]


def test_an_over_long_cell_is_refused_for_its_length_not_for_a_quote(
    tmp_path: Path, employee: Employee
) -> None:
    path = write(
        tmp_path,
        "punches.csv",
        ["nip,time", f"{employee.nip},2024-03-04 07:12", f"{employee.nip},{'9' * 200_000}"],
    )

    assert refusal(path) == [f"punches.csv:3: at most {csv.field_size_limit()} characters"]


def test_a_decimal_comma_where_it_is_ambiguous_is_told_to_be_a_point(
    tmp_path: Path, employee: Employee
) -> None:
    """In a file split by commas, a quoted "-7,7167" reads as Excel wrote it, but the point is
    what the import takes; a semicolon file's own decimal comma is read (one comma alone)."""
    path = write(
        tmp_path,
        "punches.csv",
        ["nip,time,lat,lng", f'{employee.nip},2024-03-04 07:12,"-7,7167","110,3555"'],
    )

    assert refusal(path) == [
        "punches.csv:2: lat,lng: invalid coordinates: write their decimals with a point (-7.716700)"
    ]


def test_a_web_page_uploaded_as_punches_is_refused_in_one_plain_reason(
    tmp_path: Path, employee: Employee
) -> None:
    """Web apps export "Excel" as an HTML table named .xls."""
    page = (
        "<!DOCTYPE html>\n<html><body><table><tr><td>nip</td><td>time</td></tr>"
        f"<tr><td>{employee.nip}</td><td>2024-03-04 07:12</td></tr></table></body></html>\n"
    )
    path = write_bytes(tmp_path, "presensi.xls", page.encode())

    assert refusal(path) == [
        "presensi.xls:0: this is a web page (HTML), not a CSV or Excel file: open it in Excel"
        " and save it as .xlsx or CSV"
    ]


def test_a_header_with_invisible_characters_is_read_as_the_operator_sees_it(
    tmp_path: Path, employee: Employee
) -> None:
    """A second byte-order mark (two files pasted together), a zero-width space and a
    non-breaking space copied from a web page: "time missing" beside a time column would leave
    the operator nothing to mend."""
    path = write(
        tmp_path,
        "punches.csv",
        ["\ufeffnip\u200b,\u00a0time", f"\u200b{employee.nip}\u00a0,2024-03-04 07:12"],
        encoding="utf-8-sig",
    )

    punches_import(path=path)

    assert Punch.objects.filter(employee=employee).count() == 1
