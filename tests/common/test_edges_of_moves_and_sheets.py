"""At the edges of moves and of workbooks: a request across the month of a move, the queue's
and the attempts' cost for people who moved or complain about today, a new employee who starts
next month, a lookup sheet beside the data."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import Workbook

from hadir.org.models import Employee, Placement, Role
from hadir.org.services import employees_import
from hadir.presence.selectors import attempts_within
from hadir.recap.periods import period_close, period_guard
from hadir.requests.models import Request
from hadir.requests.selectors import days_around
from tests.clock import Clock
from tests.conftest import Org, user_with_role
from tests.factories import EmployeeFactory, UnitFactory, UserFactory, pattern, valid_nip
from tests.presence.support import MONDAY, freeze_clock, local
from tests.recap.conftest import sleman  # noqa: F401  (the fixture)
from tests.recap.support import Sleman, person
from tests.recap.support import local as wib
from tests.recap.test_moves import move
from tests.requests.support import file_request, punch

HEADER = ["nip", "name", "unit", "pattern", "golongan", "start"]


# ---------------------------------------------------------------- 8976e53: period_guard


def test_a_request_across_a_month_end_move_is_not_refused_by_the_former_units_later_closing(
    sleman: Sleman,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    """Rina is at KUA Mlati in February and at the MTs from 1 March. Her February is the KUA's
    (open), her March the MTs' (open); KUA Mlati has closed *its* March, which does not list
    her. Each date alone passes the guard, but a DL for 29 February - 1 March is refused:
    period_guard gathers the units of all months and then matches any of their closings
    against any of the months (KUA x March)."""
    clock = Clock(wib(date(2024, 4, 8), "08:00"))
    monkeypatch.setattr(timezone, "now", lambda: clock.now)
    rina = person(sleman.kua, "Rina Lestari", start=date(2024, 2, 1))
    move(tmp_path, rina, "MTS-AL-IKHLAS", "2024-03-01")
    rina = Employee.objects.select_related("unit").get(pk=rina.pk)
    assert rina.unit_id == sleman.mts.pk
    assert rina.placed_since == date(2024, 3, 1)
    kua_operator = user_with_role(Role.OPERATOR, sleman.kua)
    mts_operator = user_with_role(Role.OPERATOR, sleman.mts)
    closing = period_close(actor=kua_operator, unit=sleman.kua, month=date(2024, 3, 1))
    assert rina.nip not in {row["nip"] for row in closing.snapshot}
    feb_29, mar_1 = date(2024, 2, 29), date(2024, 3, 1)
    period_guard(actor=mts_operator, employee=rina, dates=[feb_29])  # KUA's Feb: open
    period_guard(actor=mts_operator, employee=rina, dates=[mar_1])  # MTs' March: open

    period_guard(actor=mts_operator, employee=rina, dates=[feb_29, mar_1])  # raises 03-2024


# ---------------------------------------------------------------- 9bf0eb1: days_around


def test_the_queue_context_costs_the_same_queries_however_many_people_complain_about_today(
    org: Org, monkeypatch: pytest.MonkeyPatch
) -> None:
    """days_around promises one pass for the page ("the same number of queries for 5 or 200
    requests"). Since 9bf0eb1 each employee whose request covers today is evaluated on its
    own (evaluate_dates per employee): a 10:00 queue of 200 complaints about this morning
    costs 200 evaluations' queries."""
    freeze_clock(monkeypatch, local(MONDAY, "10:00"))
    people = EmployeeFactory.create_batch(4, unit=org.kua_a, start=date(2024, 1, 2))
    for employee in people:
        employee.user = UserFactory.create(username=employee.nip)
        employee.save(update_fields=["user"])
        punch(employee, MONDAY, "13:05")  # the machine missed the datang
    pks = [file_request(e, "SISTEM_ERROR", MONDAY, session="PAGI").pk for e in people]

    def queries(count: int) -> int:
        requests = list(
            Request.objects.filter(pk__in=pks[:count])
            .select_related("employee__unit", "evidence")
            .order_by("pk")
        )
        with CaptureQueriesContext(connection) as captured:
            around = days_around(requests)
        assert all(any(d["day"].day == MONDAY for d in days) for days in around.values())
        return len(captured)

    queries(4)  # warm: past days stored, calendar and policy cached
    one, four = queries(1), queries(4)

    assert four == one, f"1 request: {one} queries; 4 requests: {four}"


# ---------------------------------------------------------------- 9bf0eb1: attempts_within


def test_attempts_before_a_move_cost_no_query_each(db: None) -> None:
    """attempts_within: "Two queries for any number of spans". For someone who moved, each
    attempt shown calls clock_at, which reads the placements again (employee_stints without
    ``earlier``): one query per attempt, up to ATTEMPTS_SHOWN (50) per request in the queue."""
    office = UnitFactory.create(code="KUA-MLATI", default_pattern=pattern("KANTOR_5H"))
    former = UnitFactory.create(code="KUA-DEPOK", default_pattern=pattern("KANTOR_5H"))
    moved = EmployeeFactory.create(
        unit=office, start=date(2024, 1, 2), placed_since=date(2024, 3, 11)
    )
    Placement.objects.create(employee=moved, unit=former, until=date(2024, 3, 10))
    for hhmm in ("07:20", "07:21", "07:22", "16:05", "16:06", "16:07"):
        punch(moved, MONDAY, hhmm)  # Monday 4 March: lived at KUA Depok
    employee = Employee.objects.select_related("unit").get(pk=moved.pk)

    with CaptureQueriesContext(connection) as captured:
        shown = attempts_within({1: (employee, MONDAY, MONDAY)})[1].shown

    assert len(shown) == 6
    placements = [q for q in captured.captured_queries if "org_placement" in q["sql"]]
    assert len(placements) <= 1, f"placements read {len(placements)} times for 6 attempts"


# ---------------------------------------------------------------- 2291102: new_since_problem


def test_a_new_employee_starting_next_month_in_the_unit_is_not_refused_as_a_move_to_come(
    org: Org, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A CPNS appointed from 1 April (TMT) is entered on 4 March, the SIMPEG export giving
    unit_since = start = 2024-04-01: no move at all (since_unused says so for the same row of
    an existing employee). new_since_problem judges "still to come" before comparing with the
    start, and refuses the line: "a move is entered from its date on: 01-04-2024 is still to
    come". The same row without unit_since is accepted."""
    freeze_clock(monkeypatch, local(MONDAY, "10:00"))
    nip = valid_nip(981)
    path = tmp_path / "pegawai.csv"
    path.write_text(
        ",".join([*HEADER, "unit_since"])
        + f"\n{nip},Ahmad Baru,KUA-A,,III/a,2024-04-01,2024-04-01\n",
        encoding="utf-8",
    )

    report = employees_import(path=path, actor_label="test")

    assert report.created == [nip]


# ---------------------------------------------------------------- 2291102: several sheets


def test_a_visible_lookup_sheet_is_not_data_on_a_second_sheet(org: Org, tmp_path: Path) -> None:
    """The operator's workbook keeps the golongan list its VLOOKUP and drop-downs read on a
    second, visible sheet ("golongan | pangkat"). _names_a_column takes ANY required column
    name in its first 20 rows for a second data sheet, and the whole file is refused: "the
    workbook holds data on several sheets (Pegawai, Golongan)". The PNS/PPPK split the check
    was made for has the whole header on both sheets."""
    nip = valid_nip(982)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Pegawai"
    sheet.append(HEADER)
    sheet.append([nip, "Ahmad Lookup", "KUA-A", None, "III/a", "2024-01-02"])
    lookup = book.create_sheet("Golongan")
    lookup.append(["golongan", "pangkat"])
    lookup.append(["III/a", "Penata Muda"])
    lookup.append(["III/b", "Penata Muda Tingkat I"])
    path = tmp_path / "pegawai.xlsx"
    book.save(path)

    report = employees_import(path=path, actor_label="test")

    assert report.created == [nip]
