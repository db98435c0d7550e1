"""The JSON API and the live board (papan presensi hari ini) in practice: every answer the
OpenAPI schema declares, JSON errors, roles ending on the holder's own clock, the phone's
morning before the first punch, and the board reading punches as the rules do. Each found by
a review helper, failing on the code before it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from django.test import Client

from hadir.accounts.models import User
from hadir.org.models import Employee, Role, Unit
from hadir.presence.imports import OUTSIDE_SERVICE, punches_import
from hadir.presence.models import Punch
from hadir.presence.selectors import day_standing, live_board
from tests.conftest import Org, user_with_role
from tests.factories import EmployeeFactory, UnitFactory, pattern
from tests.presence.support import MONDAY, WIT, add_location, freeze_clock, local
from tests.requests.support import approve, file_request


def board_of(unit: Unit, at: datetime) -> dict[str, str]:
    rows = live_board(employees=Employee.objects.filter(unit__path__startswith=unit.path), now=at)
    return {row.employee.name: row.state for row in rows}


def test_a_nul_in_an_api_path_is_answered_in_json_like_every_other_api_not_found(
    client: Client, org: Org, operator_kua_a: User
) -> None:
    """README: errors are JSON with a ``detail``, a path holding a NUL's "not found" too."""
    client.force_login(operator_kua_a)

    response = client.get(f"/api/units/{org.kua_a.pk}%00/employees")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {"detail": "Tidak ditemukan."}


def test_the_live_board_counts_a_machine_punch_the_rules_count_after_her_start_was_corrected(
    db: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """She starts today; her record said tomorrow when this morning's machine log was imported.
    Once her start is corrected the board reads her punch as the day's evaluation does: in."""
    kua = UnitFactory.create(code="KUA-NEW", name="KUA Baru", default_pattern=pattern())
    add_location(kua)
    siti = EmployeeFactory.create(unit=kua, name="Siti", start=MONDAY + timedelta(days=1))
    freeze_clock(monkeypatch, local(MONDAY, "09:00"))
    path = tmp_path / "mesin.csv"
    path.write_text(f"nip,time\n{siti.nip},2024-03-04 07:20\n", encoding="utf-8")
    punches_import(path=path)
    assert Punch.objects.get().flags == OUTSIDE_SERVICE
    siti.start = MONDAY  # the correction
    siti.save(update_fields=["start"])

    fresh = day_standing(siti, MONDAY)
    assert (fresh.status, f"{fresh.datang:%H:%M}", fresh.tl_minutes) == ("H", "07:20", 0)

    assert board_of(kua, local(MONDAY, "09:00")) == {"Siti": "on_time"}


def test_a_check_in_body_that_is_not_json_gets_an_answer_the_openapi_schema_declares(
    client: Client, employee: Employee, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The phone's generated client has a type for every answer: a body that is not JSON gets
    the 400 the schema declares."""
    assert employee.user is not None
    client.force_login(employee.user)
    freeze_clock(monkeypatch, local(MONDAY, "07:42:05"))
    declared = client.get("/api/openapi.json").json()["paths"]["/api/presensi/check-in"]["post"]

    response = client.generic(
        "POST", "/api/presensi/check-in", '{"latitude": -7.7', "application/json"
    )

    assert 400 <= response.status_code < 500
    assert str(response.status_code) in declared["responses"]
    assert not Punch.objects.exists()


def test_an_operator_in_a_wit_unit_loses_api_access_when_their_last_day_ends_on_their_clock(
    client: Client, org: Org, monkeypatch: pytest.MonkeyPatch
) -> None:
    """README: roles end with their holder's attendance period, at midnight on their own unit's
    clock: an operator of a Jayapura KUA whose last day was Monday reads nothing at 00:30 WIT."""
    papua = UnitFactory.create(
        code="KUA-JPR", name="KUA Jayapura", timezone=WIT, default_pattern=pattern()
    )
    staff = EmployeeFactory.create(unit=papua, name="Yohana")
    operator = user_with_role(Role.OPERATOR, papua)
    EmployeeFactory.create(unit=papua, name="Operator", user=operator, end=MONDAY)
    freeze_clock(monkeypatch, local(MONDAY + timedelta(days=1), "00:30", WIT))
    client.force_login(operator)

    units = client.get("/api/units").json()
    employees = client.get(f"/api/units/{papua.pk}/employees")

    assert units == {"items": [], "count": 0}
    assert employees.status_code == 404
    assert staff.nip not in employees.content.decode()


def test_every_api_answer_to_an_account_that_must_change_its_password_is_in_the_schema(
    client: Client, employee: Employee
) -> None:
    """An account flagged ``must_change_password`` (a legacy password) gets a 403 from every
    API call until it changes it; every operation's schema declares that answer."""
    user = employee.user
    assert user is not None
    user.must_change_password = True
    user.save(update_fields=["must_change_password"])
    paths = client.get("/api/openapi.json").json()["paths"]
    client.force_login(user)
    calls = [
        ("/api/me", "/api/me"),
        ("/api/units", "/api/units"),
        ("/api/units/{unit_id}/employees", f"/api/units/{employee.unit_id}/employees"),
        ("/api/presensi/today", "/api/presensi/today"),
    ]

    undeclared = []
    for route, url in calls:
        status = client.get(url).status_code
        if str(status) not in paths[route]["get"]["responses"]:
            undeclared.append((route, status))

    assert undeclared == []


def test_with_an_afternoon_waiver_the_phone_says_not_yet_in_the_morning_not_tl4(
    client: Client, employee: Employee, monkeypatch: pytest.MonkeyPatch
) -> None:
    """06:30, an approved tugas luar for this afternoon (SORE), no punch yet: she may still check
    in for five hours. The phone says "not yet", as the live board does, not TL4."""
    freeze_clock(monkeypatch, local(MONDAY, "06:30"))
    approve(
        file_request(employee, "TUGAS_LUAR", MONDAY, session="SORE", reason="Rapat di Kanwil."),
        user_with_role(Role.VERIFIER, employee.unit),
    )
    assert employee.user is not None
    client.force_login(employee.user)
    board = live_board(
        employees=Employee.objects.filter(pk=employee.pk), now=local(MONDAY, "06:30")
    )
    assert [row.state for row in board] == ["absent"]  # the board: not yet

    summary = client.get("/api/presensi/today").json()["standing"]["summary"]

    assert not any("225" in line or "TL4" in line for line in summary), summary
