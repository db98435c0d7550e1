"""``manage.py import_excuses FILE.csv``: historical requests recorded as approved, all or nothing.

Columns ``nip,code,start,end,session``. A waiver code needs a session and becomes one request
per date; a full-day code must leave the session blank. Every bad line is listed as
``file:line: column: reason`` and then nothing at all is written; ``--dry-run`` checks and
writes nothing either.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from datetime import date
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from hadir.accounts.models import User
from hadir.common import locks
from hadir.common.models import AuditEvent
from hadir.org.models import Employee, Role
from hadir.recap.models import EmployeeDay
from hadir.requests.imports import excuses_import
from hadir.requests.models import ReferenceCounter, Request, Status
from hadir.requests.services import leave_taken
from hadir.rules.leave import leave_balance
from tests.clock import Clock
from tests.conftest import Org, user_with_role
from tests.presence.support import needs_concurrent_writers
from tests.requests.conftest import new_employee
from tests.requests.support import (
    MONDAY,
    TUESDAY,
    account,
    approve,
    file_request,
    local,
    materialise,
    punch,
    stored_days,
)

HEADER = "nip,code,start,end,session"
UNKNOWN_NIP = "199001012015031999"


@pytest.fixture
def operator(org: Org) -> User:
    return user_with_role(Role.OPERATOR, org.kab_a)


def write(tmp_path: Path, lines: Sequence[str], name: str = "excuses.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join([HEADER, *lines]) + "\n", encoding="utf-8")
    return path


def run(path: Path, *args: str) -> str:
    out = StringIO()
    call_command("import_excuses", str(path), *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def refused(path: Path, *args: str) -> list[str]:
    """Run an import that must be refused whole; the problems it listed, one per line."""
    err = StringIO()
    with pytest.raises(CommandError, match="ditolak seluruhnya, tidak ada yang disimpan"):
        call_command("import_excuses", str(path), *args, stdout=StringIO(), stderr=err)
    return err.getvalue().splitlines()


def nothing_written() -> None:
    assert not Request.objects.exists()
    assert not AuditEvent.objects.filter(action="requests.import").exists()
    assert not ReferenceCounter.objects.exists()


# ---------------------------------------------------------------- a good file


def test_a_good_file_records_approved_requests_waivers_one_per_date(
    tmp_path: Path, siti: Employee, man_teacher: Employee, operator: User
) -> None:
    path = write(
        tmp_path,
        [
            f"{siti.nip},SISTEM_ERROR,2024-03-04,2024-03-05,pagi",
            f"{siti.nip},ct,2024-03-13,2024-03-14,",
            f"{man_teacher.nip},DL,2024-03-04,2024-03-08,",
        ],
    )
    out = run(path, "--operator", operator.username)
    assert out.strip() == "dicatat: 4 laporan disetujui"
    rows = list(
        Request.objects.order_by("pk").values_list(
            "reference", "employee", "code", "start", "end", "session", "status"
        )
    )
    assert rows == [
        ("PGD-2024-000001", siti.pk, "SISTEM_ERROR", MONDAY, MONDAY, "PAGI", Status.APPROVED),
        ("PGD-2024-000002", siti.pk, "SISTEM_ERROR", TUESDAY, TUESDAY, "PAGI", Status.APPROVED),
        ("KTH-2024-000001", siti.pk, "CT", date(2024, 3, 13), date(2024, 3, 14), "", "APPROVED"),
        (
            "KTH-2024-000002",
            man_teacher.pk,
            "DL",
            MONDAY,
            date(2024, 3, 8),
            "",
            Status.APPROVED,
        ),
    ]
    for request in Request.objects.all():
        assert request.imported
        assert request.decided_by == operator
        assert request.created_by == operator
        assert request.evidence is None
        assert request.reason == "Impor excuses.csv"


def test_a_waiver_over_a_range_covers_only_its_working_days(
    tmp_path: Path, siti: Employee, clock: Clock
) -> None:
    """Sistem Error from Friday to Wednesday: the weekend, Nyepi (Monday 11 March 2024) and
    its cuti bersama (Tuesday) are not working days, so two waivers are recorded, not six.
    Imported the day after (a sistem error is reported once it happened)."""
    clock.set(local(date(2024, 3, 14), "10:00"))
    run(write(tmp_path, [f"{siti.nip},SISTEM_ERROR,2024-03-08,2024-03-13,PAGI_SORE"]))
    assert list(Request.objects.order_by("start").values_list("start", "end")) == [
        (date(2024, 3, 8), date(2024, 3, 8)),
        (date(2024, 3, 13), date(2024, 3, 13)),
    ]


def test_a_waiver_range_without_a_working_day_is_refused(tmp_path: Path, siti: Employee) -> None:
    problems = refused(write(tmp_path, [f"{siti.nip},SISTEM_ERROR,2024-03-09,2024-03-10,PAGI"]))
    assert problems == ["excuses.csv:2: start: tidak ada hari kerja dalam rentang ini"]
    nothing_written()


def test_a_waiver_range_before_the_employees_start_is_refused_once_not_once_a_day(
    tmp_path: Path, org: Org
) -> None:
    """Tugas luar over a week before she started: one line, one reason (not five alike)."""
    newcomer = new_employee(org, start=date(2024, 3, 18))
    path = write(tmp_path, [f"{newcomer.nip},TUGAS_LUAR,2024-03-04,2024-03-08,PAGI_SORE"])
    assert refused(path) == ["excuses.csv:2: start: Presensi baru dihitung mulai 18-03-2024."]
    nothing_written()


def test_the_import_is_audited_once_with_every_reference(
    tmp_path: Path, siti: Employee, operator: User
) -> None:
    path = write(tmp_path, [f"{siti.nip},TUGAS_LUAR,2024-03-04,2024-03-05,PAGI_SORE"])
    run(path, "--operator", operator.username)
    event = AuditEvent.objects.get(action="requests.import")
    assert event.actor == operator
    assert event.after == {
        "file": "excuses.csv",
        "references": ["PGD-2024-000001", "PGD-2024-000002"],
    }
    assert event.summary.startswith("excuses.csv: ")


def test_without_an_operator_the_command_is_named_as_the_actor(
    tmp_path: Path, siti: Employee
) -> None:
    run(write(tmp_path, [f"{siti.nip},CS,2024-03-04,2024-03-04,"]))
    event = AuditEvent.objects.get(action="requests.import")
    assert (event.actor, event.actor_label) == (None, "command:import_excuses")
    assert Request.objects.get().decided_by is None


def test_imported_requests_re_evaluate_the_days_they_cover(tmp_path: Path, siti: Employee) -> None:
    punch(siti, MONDAY, "16:05")
    before = materialise(siti, [date(2024, 3, 1), MONDAY])
    assert (before[MONDAY].tl_minutes, before[MONDAY].tl_class) == (225, 4)
    run(write(tmp_path, [f"{siti.nip},SISTEM_ERROR,2024-03-04,2024-03-04,PAGI"]))
    after = stored_days(siti)
    assert (after[MONDAY].tl_minutes, after[MONDAY].tl_class) == (0, 0)
    assert after[date(2024, 3, 1)].evaluated_at == before[date(2024, 3, 1)].evaluated_at


def test_historical_leave_is_numbered_in_its_own_year_and_carries_over(
    tmp_path: Path, org: Org
) -> None:
    employee = new_employee(org, start=date(2023, 1, 1))
    run(write(tmp_path, [f"{employee.nip},CT,2023-07-03,2023-07-06,"]))
    assert Request.objects.get().reference == "KTH-2023-000001"
    assert leave_taken(employee) == {2023: 4}
    assert leave_balance(2024, leave_taken(employee), 2023).entitlement == 12 + 6


# ---------------------------------------------------------------- bad files


def test_every_bad_line_is_listed_and_nothing_is_written(tmp_path: Path, siti: Employee) -> None:
    path = write(
        tmp_path,
        [
            f"{UNKNOWN_NIP},SISTEM_ERROR,2024-03-04,2024-03-04,PAGI",
            f"{siti.nip},LEMBUR,2024-03-04,2024-03-04,",
            f"{siti.nip},SISTEM_ERROR,2024-03-04,2024-03-04,",
            f"{siti.nip},IZIN,2024-03-04,2024-03-04,SIANG",
            f"{siti.nip},CT,2024-03-13,2024-03-13,PAGI",
            f"{siti.nip},DL,2024-03-31,2024-03-13,",
            f"{siti.nip},DL,13-03-2024,2024-03-13,",
            f"{siti.nip},SISTEM_ERROR,2024-03-05,2024-03-05,PAGI",
        ],
    )
    assert refused(path) == [
        f"excuses.csv:2: nip: pegawai dengan NIP '{UNKNOWN_NIP}' tidak ada",
        "excuses.csv:3: code: kode 'LEMBUR' tidak dikenal; pilihan: "
        "TUGAS_LUAR SISTEM_ERROR IZIN DL CT CB CS CM CAP CLTN TB",
        "excuses.csv:4: session: sesi wajib PAGI, SORE atau PAGI_SORE untuk kode ini",
        "excuses.csv:5: session: sesi wajib PAGI, SORE atau PAGI_SORE untuk kode ini",
        "excuses.csv:6: session: sesi harus kosong untuk ketidakhadiran sehari penuh",
        "excuses.csv:7: end: tanggal akhir sebelum tanggal mulai",
        "excuses.csv:8: start: tanggal '13-03-2024' tidak valid; format YYYY-MM-DD",
    ]
    nothing_written()


def test_the_approving_operators_own_record_is_refused_whole(
    tmp_path: Path, siti: Employee, budi: Employee
) -> None:
    """Every line is recorded as approved by ``--operator``: nobody approves their own."""
    path = write(
        tmp_path,
        [f"{budi.nip},CS,2024-03-04,2024-03-08,", f"{siti.nip},CS,2024-03-04,2024-03-08,"],
    )

    assert refused(path, "--operator", account(siti).username) == [
        "excuses.csv:3: nip: ini data operator yang menyetujui sendiri:"
        " operator lain yang mengimpornya"
    ]
    nothing_written()


def test_a_request_repeated_in_the_file_is_refused_naming_its_first_line(
    tmp_path: Path, siti: Employee
) -> None:
    """Waivers may overlap in the database (a morning and an afternoon), so a repeated line
    would have become a second approved request."""
    path = write(
        tmp_path,
        [
            f"{siti.nip},IZIN,2024-03-04,2024-03-06,PAGI",
            f"{siti.nip},IZIN,2024-03-05,2024-03-05,SORE",
            f"{siti.nip},IZIN,2024-03-05,2024-03-05,PAGI",
        ],
    )

    assert refused(path) == ["excuses.csv:4: nip: permintaan yang sama dengan baris 2"]
    nothing_written()


def test_a_nip_typed_with_spaces_or_dots_finds_its_employee(tmp_path: Path, siti: Employee) -> None:
    spaced = f"{siti.nip[:8]} {siti.nip[8:14]}.{siti.nip[14:]}"

    run(write(tmp_path, [f"{spaced},DL,2024-03-04,2024-03-04,"]))

    assert Request.objects.get().employee == siti


def test_a_nip_excel_turned_into_a_number_is_refused_naming_excel(
    tmp_path: Path, siti: Employee
) -> None:
    path = write(tmp_path, ['"1,99001E+17",DL,2024-03-04,2024-03-04,'])

    assert refused(path) == [
        "excuses.csv:2: nip: NIP 1,99001E+17 diubah Excel menjadi angka sehingga digit "
        "terakhirnya hilang: format kolom sebagai Teks lalu ketik ulang NIP-nya"
    ]
    nothing_written()


def test_a_line_the_rules_refuse_rejects_the_whole_file_even_after_good_lines(
    tmp_path: Path, siti: Employee, budi: Employee
) -> None:
    path = write(
        tmp_path,
        [
            f"{budi.nip},SISTEM_ERROR,2024-03-04,2024-03-04,PAGI",
            f"{siti.nip},CT,2024-01-15,2024-01-31,",
            f"{siti.nip},DL,2024-03-04,2024-03-05,",
            f"{siti.nip},CS,2024-03-05,2024-03-06,",
        ],
    )
    problems = refused(path)
    assert [problem.split(":")[:3] for problem in problems] == [
        ["excuses.csv", "3", " end"],  # more cuti than the balance holds
        ["excuses.csv", "5", " start"],  # overlaps the DL of line 4
    ]
    assert "2024" in problems[0]
    assert "12" in problems[0]
    nothing_written()


def test_a_line_overlapping_an_approved_absence_in_the_database_is_refused(
    tmp_path: Path, siti: Employee, verifier: User
) -> None:
    approve(file_request(siti, "DL", MONDAY, TUESDAY), verifier)
    [problem] = refused(write(tmp_path, [f"{siti.nip},CS,2024-03-05,2024-03-05,"]))
    assert problem.startswith("excuses.csv:2: start: ")
    assert Request.objects.count() == 1


def test_a_file_covering_more_employees_than_one_transaction_may_lock_is_refused(
    tmp_path: Path, org: Org, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(locks, "EMPLOYEES_PER_FILE", 2)
    one, two, three = (new_employee(org) for _ in range(3))
    path = write(
        tmp_path,
        [
            f"{e.nip},CS,2024-03-0{n},2024-03-0{n},"
            for n, e in zip((4, 5, 6, 7), [one, two, one, three], strict=True)
        ],
    )
    assert refused(path) == [
        "excuses.csv:5: nip: berkas memuat lebih dari 2 pegawai: bagi per unit"
    ]
    nothing_written()


def test_a_file_without_a_required_column_is_refused(tmp_path: Path, siti: Employee) -> None:
    path = tmp_path / "excuses.csv"
    path.write_text(f"nip,code,start,end\n{siti.nip},CS,2024-03-04,2024-03-04\n")
    assert refused(path) == ["excuses.csv:1: session: kolom wajib tidak ada"]
    nothing_written()


def test_an_unknown_operator_is_refused_before_reading_the_file(
    tmp_path: Path, siti: Employee
) -> None:
    path = write(tmp_path, [f"{siti.nip},CS,2024-03-04,2024-03-04,"])
    with pytest.raises(CommandError, match=r"^pengguna 'tidak-ada' tidak ada$"):
        call_command("import_excuses", str(path), "--operator", "tidak-ada")
    nothing_written()


# ---------------------------------------------------------------- dry run


def test_a_dry_run_reports_what_it_would_record_and_writes_nothing(
    tmp_path: Path, siti: Employee, operator: User
) -> None:
    punch(siti, MONDAY, "16:05")
    before = {row.date: row.evaluated_at for row in materialise(siti, [MONDAY, TUESDAY]).values()}
    path = write(
        tmp_path,
        [
            f"{siti.nip},SISTEM_ERROR,2024-03-04,2024-03-05,PAGI",
            f"{siti.nip},CT,2024-03-13,2024-03-14,",
        ],
    )
    out = run(path, "--dry-run", "--operator", operator.username)
    assert out.strip() == "akan dicatat: 3 laporan disetujui"
    nothing_written()
    assert {row.date: row.evaluated_at for row in EmployeeDay.objects.all()} == before
    assert stored_days(siti)[MONDAY].tl_minutes == 225


def test_a_dry_run_of_a_bad_file_lists_the_same_problems(tmp_path: Path, siti: Employee) -> None:
    path = write(tmp_path, [f"{siti.nip},CT,2024-03-13,2024-03-13,SORE"])
    assert refused(path, "--dry-run") == refused(path)
    nothing_written()


def test_an_imported_day_is_not_offered_again_for_withdrawal(
    tmp_path: Path, siti: Employee
) -> None:
    from hadir.requests.services import request_withdraw
    from hadir.requests.workflow import IllegalTransition

    run(write(tmp_path, [f"{siti.nip},CS,2024-03-04,2024-03-04,"]))
    with pytest.raises(IllegalTransition):
        request_withdraw(actor=account(siti), request=Request.objects.get())


def test_an_imported_leave_not_yet_begun_is_not_hers_to_cancel(
    tmp_path: Path, siti: Employee
) -> None:
    """The import records a decision the office took elsewhere; the employee's cancel is for
    what she filed here."""
    from hadir.requests.services import can_cancel, request_withdraw
    from hadir.requests.workflow import IllegalTransition

    run(write(tmp_path, [f"{siti.nip},CT,2024-03-18,2024-03-19,"]))
    imported = Request.objects.get()
    assert not can_cancel(imported)
    with pytest.raises(IllegalTransition):
        request_withdraw(actor=account(siti), request=imported)
    assert Request.objects.get().status == Status.APPROVED


@pytest.mark.django_db(transaction=True)
def test_two_imports_naming_the_same_employees_in_opposite_orders_both_land(
    tmp_path: Path, siti: Employee, man_teacher: Employee, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An import holds what it takes until it commits (each employee's lock, each reference
    counter): taken row by row in file order, two files naming Siti and the teacher in
    opposite orders, with a leave and a waiver each, would wait for each other."""
    needs_concurrent_writers()
    from hadir.recap import services
    from hadir.requests import imports

    refresh = services.days_refresh
    first_held = threading.Event()
    second_held = threading.Event()

    def refresh_then_wait(*, employee: Employee, dates: object) -> object:
        stored = refresh(employee=employee, dates=dates)  # type: ignore[arg-type]
        mine, other = (first_held, second_held) if employee == siti else (second_held, first_held)
        mine.set()
        other.wait(timeout=3)  # the other import holds its first employee too, if it can
        return stored

    monkeypatch.setattr(imports, "days_refresh", refresh_then_wait)
    one = write(
        tmp_path,
        [
            f"{siti.nip},CT,2024-03-04,2024-03-04,",
            f"{man_teacher.nip},SISTEM_ERROR,2024-03-04,2024-03-04,PAGI",
        ],
        "a.csv",
    )
    two = write(
        tmp_path,
        [
            f"{man_teacher.nip},SISTEM_ERROR,2024-03-05,2024-03-05,PAGI",
            f"{siti.nip},CT,2024-03-05,2024-03-05,",
        ],
        "b.csv",
    )
    errors: list[BaseException] = []

    def load(path: Path) -> None:
        try:
            excuses_import(path=path, actor_label="test")
        except BaseException as error:  # surfaced by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=load, args=(path,)) for path in (one, two)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    assert Request.objects.count() == 4
