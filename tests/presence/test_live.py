"""The live view (``/presensi/langsung/<unit>/``): today in a unit and below it, for Pimpinan
and operators: who has checked in, who is late, who is excused, who has not yet."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from hadir.accounts.models import User
from hadir.org.models import Employee, Role, Unit
from hadir.presence import views
from hadir.presence.selectors import LiveRow, day_standing, live_board
from hadir.presence.services import punch_check_in
from hadir.schedules import cache
from hadir.schedules.models import PatternDay, PolicyValue, WorkPattern
from tests.conftest import Org, user_with_role
from tests.factories import EmployeeFactory, UnitFactory, UserFactory, pattern
from tests.presence.support import (
    MONDAY,
    SATURDAY,
    SLEMAN,
    WIT,
    WITA,
    add_location,
    at_point,
    freeze_clock,
    local,
    north_of,
)
from tests.requests.support import approve, file_request, reject

PAPUA = (-2.533000, 140.717000)


def page(user: User, unit: Unit, monkeypatch: pytest.MonkeyPatch, at: datetime) -> Any:
    freeze_clock(monkeypatch, at)
    client = Client()
    client.force_login(user)
    return client.get(reverse("presence:live", args=[unit.pk]))


@pytest.fixture
def kua(db: None) -> Unit:
    unit = UnitFactory.create(code="KUA-X", name="KUA X", default_pattern=pattern())
    add_location(unit)
    return unit


def board_at(unit: Unit, at: datetime) -> dict[str, LiveRow]:
    rows = live_board(employees=Employee.objects.filter(unit__path__startswith=unit.path), now=at)
    return {row.employee.name: row for row in rows}


def test_each_employee_is_on_time_late_or_not_yet_checked_in(kua: Unit) -> None:
    ani, budi, citra = (EmployeeFactory.create(unit=kua, name=n) for n in ("Ani", "Budi", "Citra"))
    punch_check_in(employee=ani, check_in=at_point(), now=local(MONDAY, "07:20"))
    punch_check_in(employee=budi, check_in=at_point(), now=local(MONDAY, "07:42"))
    refused = punch_check_in(
        employee=citra, check_in=at_point(north_of(SLEMAN, 2_000)), now=local(MONDAY, "07:25")
    )
    assert not refused.accepted

    board = board_at(kua, local(MONDAY, "10:00"))

    assert {name: row.state for name, row in board.items()} == {
        "Ani": "on_time",
        "Budi": "late",
        "Citra": "absent",  # a refused check-in counts for nothing
    }
    assert (board["Budi"].late_minutes, board["Budi"].late_class) == (12, 1)


def test_someone_who_came_only_after_the_pivot_is_late_not_missing(
    kua: Unit, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Arriving at 12:00 (pivot 11:45) is a pulang without a datang: present, counted as the
    most late (TL4), never "not yet checked in"."""
    siti = EmployeeFactory.create(unit=kua, name="Siti")
    assert punch_check_in(employee=siti, check_in=at_point(), now=local(MONDAY, "12:00")).accepted

    row = board_at(kua, local(MONDAY, "13:00"))["Siti"]
    html = page(user_with_role(Role.LEADER, kua), kua, monkeypatch, local(MONDAY, "13:00"))

    assert (row.state, row.datang, row.late_class) == ("late", None, 4)
    assert "tanpa presensi datang: dihitung terlambat 225 menit (TL4)" in html.content.decode()


def test_a_late_morning_shows_the_lateness_read_off_the_clock_and_as_counted(
    kua: Unit, monkeypatch: pytest.MonkeyPatch
) -> None:
    """11:40 on a 07:30 day: 250 minutes late, counted as 225 (the cap), as the phone says."""
    siti = EmployeeFactory.create(unit=kua, name="Siti")
    punch_check_in(employee=siti, check_in=at_point(), now=local(MONDAY, "11:40"))

    html = page(user_with_role(Role.LEADER, kua), kua, monkeypatch, local(MONDAY, "12:00"))

    assert "terlambat 250 menit, dihitung 225 (TL4)" in html.content.decode()


def test_after_the_window_closes_no_check_in_reads_as_tk_not_as_not_yet(
    kua: Unit, monkeypatch: pytest.MonkeyPatch
) -> None:
    EmployeeFactory.create(unit=kua, name="Siti")
    leader = user_with_role(Role.LEADER, kua)

    evening = page(leader, kua, monkeypatch, local(MONDAY, "21:30")).content.decode()
    morning = page(leader, kua, monkeypatch, local(MONDAY, "08:00")).content.decode()

    assert "tidak presensi (TK)" in evening
    assert "belum presensi" not in evening.split("<tbody>")[-1]
    assert "belum presensi" in morning.split("<tbody>")[-1]


def test_an_approved_dl_is_excused_not_missing(kua: Unit) -> None:
    siti = EmployeeFactory.create(unit=kua, name="Siti", user=UserFactory.create())
    approve(file_request(siti, "DL", MONDAY), user_with_role(Role.VERIFIER, kua))

    row = board_at(kua, local(MONDAY, "10:00"))["Siti"]

    assert row.state == "excused"
    assert row.excuse == "Dinas luar (DL)"


def test_a_waived_morning_is_excused_before_and_not_late_after_arriving(kua: Unit) -> None:
    siti = EmployeeFactory.create(unit=kua, name="Siti", user=UserFactory.create())
    approve(
        file_request(siti, "TUGAS_LUAR", MONDAY, session="PAGI"), user_with_role(Role.VERIFIER, kua)
    )

    assert board_at(kua, local(MONDAY, "08:00"))["Siti"].state == "excused"

    punch_check_in(employee=siti, check_in=at_point(), now=local(MONDAY, "09:10"))
    row = board_at(kua, local(MONDAY, "10:00"))["Siti"]

    assert row.state == "excused"
    assert (row.late_minutes, row.late_class) == (0, 0)


def test_a_rejected_or_other_days_request_excuses_nothing(kua: Unit) -> None:
    siti = EmployeeFactory.create(unit=kua, name="Siti", user=UserFactory.create())
    verifier = user_with_role(Role.VERIFIER, kua)
    reject(file_request(siti, "DL", MONDAY), verifier)
    approve(file_request(siti, "DL", MONDAY + timedelta(days=1)), verifier)

    assert board_at(kua, local(MONDAY, "10:00"))["Siti"].state == "absent"


def test_a_day_off_is_off(kua: Unit) -> None:
    EmployeeFactory.create(unit=kua, name="Siti")

    assert board_at(kua, local(SATURDAY, "10:00"))["Siti"].state == "off"


def test_employees_outside_their_service_are_left_out(kua: Unit) -> None:
    EmployeeFactory.create(unit=kua, name="Serving", start=date(2020, 1, 1))
    EmployeeFactory.create(unit=kua, name="Starts tomorrow", start=MONDAY + timedelta(days=1))
    EmployeeFactory.create(
        unit=kua, name="Retired", start=date(2020, 1, 1), end=MONDAY - timedelta(days=1)
    )

    assert list(board_at(kua, local(MONDAY, "10:00"))) == ["Serving"]


def test_each_employee_is_judged_on_their_own_units_date_and_clock(db: None) -> None:
    """A Kanwil's board at 23:30 WIB on Sunday: in Jayapura it is already Monday 01:30."""
    kanwil = UnitFactory.create(code="KW", name="Kanwil", default_pattern=pattern())
    jayapura = UnitFactory.create(
        code="KUA-JPR", name="KUA Jayapura", parent=kanwil, timezone=WIT, default_pattern=pattern()
    )
    add_location(jayapura, "KUA Jayapura", PAPUA)
    EmployeeFactory.create(unit=kanwil, name="Jakarta")
    papua = EmployeeFactory.create(unit=jayapura, name="Papua")
    sunday_night = local(MONDAY - timedelta(days=1), "23:30")

    assert {n: r.state for n, r in board_at(kanwil, sunday_night).items()} == {
        "Jakarta": "off",  # Sunday in WIB
        "Papua": "absent",  # Monday 01:30 in WIT: a working day not yet begun
    }
    punch_check_in(employee=papua, check_in=at_point(PAPUA), now=local(MONDAY, "07:20", WIT))
    assert board_at(kanwil, local(MONDAY, "10:00"))["Papua"].state == "on_time"


def test_only_punches_of_the_employees_own_local_date_count(db: None) -> None:
    """At 06:30 WIT on Monday it is still Sunday in WIB: a punch at that instant is Monday's for
    Jayapura and Sunday's for Jakarta, whose Monday begins two hours later."""
    kanwil = UnitFactory.create(code="KW", name="Kanwil", default_pattern=pattern())
    jayapura = UnitFactory.create(
        code="KUA-JPR", name="KUA Jayapura", parent=kanwil, timezone=WIT, default_pattern=pattern()
    )
    add_location(kanwil)
    add_location(jayapura, "KUA Jayapura", PAPUA)
    jakarta = EmployeeFactory.create(unit=kanwil, name="Jakarta")
    papua = EmployeeFactory.create(unit=jayapura, name="Papua")
    early = local(MONDAY, "06:30", WIT)
    sunday = local(MONDAY - timedelta(days=1), "20:30")
    assert punch_check_in(employee=papua, check_in=at_point(PAPUA), now=early).accepted
    assert punch_check_in(employee=jakarta, check_in=at_point(), now=sunday).accepted

    board = board_at(kanwil, local(MONDAY, "10:00"))

    assert (board["Papua"].state, board["Papua"].datang) == ("on_time", early)
    assert (board["Jakarta"].state, board["Jakarta"].punched) == ("absent", False)


def test_everyone_who_has_not_come_keeps_their_own_name_and_unit(db: None) -> None:
    """They share one evaluation of the unit's empty day; not one another's identity."""
    kankemenag = UnitFactory.create(code="KK", name="Kankemenag", default_pattern=pattern())
    kua = UnitFactory.create(
        code="KUA-Y", name="KUA Y", parent=kankemenag, default_pattern=pattern()
    )
    for unit, names in ((kankemenag, ("Ani", "Budi")), (kua, ("Citra", "Dedi"))):
        for name in names:
            EmployeeFactory.create(unit=unit, name=name)

    board = board_at(kankemenag, local(MONDAY, "10:00"))

    assert {name: (row.employee.unit.name, row.state) for name, row in board.items()} == {
        "Ani": ("Kankemenag", "absent"),
        "Budi": ("Kankemenag", "absent"),
        "Citra": ("KUA Y", "absent"),
        "Dedi": ("KUA Y", "absent"),
    }
    assert len({row.employee.pk for row in board.values()}) == 4


def test_the_page_shows_arrivals_and_the_update_in_the_units_own_time(
    db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    makassar = (-5.147700, 119.432700)
    unit = UnitFactory.create(
        code="KUA-MKS", name="KUA Makassar", timezone=WITA, default_pattern=pattern()
    )
    add_location(unit, "KUA Makassar", makassar)
    siti = EmployeeFactory.create(unit=unit, name="Siti")
    punch_check_in(employee=siti, check_in=at_point(makassar), now=local(MONDAY, "07:35", WITA))

    html = page(
        user_with_role(Role.LEADER, unit), unit, monkeypatch, local(MONDAY, "09:05", WITA)
    ).content.decode()

    assert "<td>07:35</td>" in html  # not 06:35, the same instant in WIB
    assert "09:05" in html
    assert "terlambat 5 menit (TL1)" in html


def test_pimpinan_sees_every_unit_below_theirs_once(
    org: Org, monkeypatch: pytest.MonkeyPatch
) -> None:
    response = page(
        user_with_role(Role.LEADER, org.kab_a), org.kab_a, monkeypatch, local(MONDAY, "10:00")
    )

    assert response.status_code == 200
    names = [row.employee.pk for row in response.context["summary"].names]
    expected = {e.pk for unit in (org.kab_a, org.kua_a, org.man_a) for e in org.employees(unit)}
    assert sorted(names) == sorted(expected)
    assert response.context["summary"].counts["absent"] == len(expected)


@pytest.mark.parametrize(
    ("role", "unit_name"),
    [(Role.OPERATOR, "kua_a"), (Role.LEADER, "kab_b")],
)
def test_a_unit_outside_the_callers_scope_is_not_found(
    org: Org, monkeypatch: pytest.MonkeyPatch, role: str, unit_name: str
) -> None:
    caller = user_with_role(role, getattr(org, unit_name))

    response = page(caller, org.kab_a, monkeypatch, local(MONDAY, "10:00"))

    assert response.status_code == 404


def test_an_employee_without_a_role_is_not_found(org: Org, monkeypatch: pytest.MonkeyPatch) -> None:
    response = page(UserFactory.create(), org.kua_a, monkeypatch, local(MONDAY, "10:00"))

    assert response.status_code == 404


def test_a_kanwil_head_sees_each_unit_below_counted_with_everything_under_it(
    org: Org, monkeypatch: pytest.MonkeyPatch
) -> None:
    late = org.employees(org.kua_a)[0]
    add_location(org.kua_a)
    punch_check_in(employee=late, check_in=at_point(), now=local(MONDAY, "07:45"))

    response = page(
        user_with_role(Role.LEADER, org.kanwil), org.kanwil, monkeypatch, local(MONDAY, "10:00")
    )

    tallies = {t.unit.code: t.counts for t in response.context["summary"].tallies}
    assert tallies == {
        "KAB-A": {"on_time": 0, "late": 1, "excused": 0, "absent": 4, "off": 0},
        "KAB-B": {"on_time": 0, "late": 0, "excused": 0, "absent": 3, "off": 0},
    }
    html = response.content.decode()
    assert reverse("presence:live", args=[org.kab_a.pk]) in html
    assert late.name in html  # 8 employees: few enough to list


def test_past_a_pages_worth_of_employees_the_units_are_listed_not_the_names(
    org: Org, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(views, "LIVE_NAMES_AT_MOST", 5)

    response = page(
        user_with_role(Role.LEADER, org.kanwil), org.kanwil, monkeypatch, local(MONDAY, "10:00")
    )

    html = response.content.decode()
    assert response.context["summary"].names == []  # nobody works at the Kanwil itself here
    assert "8 pegawai: pilih unit di atas untuk melihat nama-namanya." in html
    assert all(e.name not in html for e in org.employees(org.kua_a))
    assert response.context["summary"].counts["absent"] == 8


def arrives(employee: Employee, at: datetime) -> None:
    assert punch_check_in(employee=employee, check_in=at_point(), now=at).accepted


def test_a_big_board_is_computed_once_a_minute_and_shared_by_everyone_viewing_it(
    org: Org, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Seconds of a worker for a Kanwil: two heads with the page open pay for it once."""
    monkeypatch.setattr(views, "LIVE_NAMES_AT_MOST", 5)
    add_location(org.kua_a)
    head, deputy = (user_with_role(Role.LEADER, org.kanwil) for _ in range(2))
    first = page(head, org.kanwil, monkeypatch, local(MONDAY, "10:00"))
    arrives(org.employees(org.kua_a)[0], local(MONDAY, "10:00:30"))

    same_minute = page(deputy, org.kanwil, monkeypatch, local(MONDAY, "10:00:40"))
    next_minute = page(deputy, org.kanwil, monkeypatch, local(MONDAY, "10:01"))

    assert same_minute.context["summary"] == first.context["summary"]
    assert "diperbarui 10:00" in same_minute.content.decode()
    assert next_minute.context["summary"].counts["late"] == 1
    assert "diperbarui 10:01" in next_minute.content.decode()


def test_a_board_of_a_page_of_names_shows_a_check_in_at_once(
    org: Org, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An operator watching a KUA's staff arrive sees each one as they tap."""
    add_location(org.kua_a)
    operator = user_with_role(Role.OPERATOR, org.kua_a)
    before = page(operator, org.kua_a, monkeypatch, local(MONDAY, "07:20"))
    arrives(org.employees(org.kua_a)[0], local(MONDAY, "07:20:10"))

    after = page(operator, org.kua_a, monkeypatch, local(MONDAY, "07:20:20"))

    assert before.context["summary"].counts["on_time"] == 0
    assert after.context["summary"].counts["on_time"] == 1


def test_a_unit_without_units_below_lists_its_names_however_many(
    org: Org, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(views, "LIVE_NAMES_AT_MOST", 1)

    response = page(
        user_with_role(Role.LEADER, org.kua_a), org.kua_a, monkeypatch, local(MONDAY, "10:00")
    )

    assert len(response.context["summary"].names) == 2


def test_with_names_hidden_the_units_own_staff_are_still_listed_by_name(
    org: Org, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No unit row leads to the people of the viewed unit itself (its Subbag TU, say)."""
    monkeypatch.setattr(views, "LIVE_NAMES_AT_MOST", 2)

    response = page(
        user_with_role(Role.LEADER, org.kab_a), org.kab_a, monkeypatch, local(MONDAY, "10:00")
    )

    own = org.employees(org.kab_a)
    assert [row.employee.pk for row in response.context["summary"].names] == [e.pk for e in own]
    html = response.content.decode()
    assert "5 pegawai: pilih unit di atas untuk melihat nama-namanya." in html
    assert own[0].name in html
    assert all(e.name not in html for e in org.employees(org.kua_a))


def test_the_board_reads_the_same_few_queries_for_a_large_unit_as_for_a_small_one(
    kua: Unit,
) -> None:
    """A Kanwil's board holds 100,000 people: nothing may be read per employee or per unit."""

    def queries_for_board() -> int:
        cache.clear()  # the day's calendar, patterns and policy are read once, cold or not
        with CaptureQueriesContext(connection) as captured:
            board_at(kua, local(MONDAY, "10:00"))
        return len(captured)

    EmployeeFactory.create(unit=kua, pattern=pattern())
    queries_for_board()  # the year's national holidays are filled the first time it is read
    small = queries_for_board()
    for index in range(4):
        below = UnitFactory.create(parent=kua, code=f"MI-{index}", default_pattern=pattern())
        EmployeeFactory.create_batch(3, unit=below, pattern=pattern())

    assert queries_for_board() == small


def test_after_the_window_closes_an_afternoon_waiver_without_punches_is_late_not_tk(
    kua: Unit, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An approved tugas luar for the afternoon and no punch: the day is H with TL 225 (DOMAIN.md
    §4.6: TK only with no datang, no pulang and no waiver at all), as the recap stores it."""
    siti = EmployeeFactory.create(unit=kua, name="Siti", user=UserFactory.create())
    approve(
        file_request(siti, "TUGAS_LUAR", MONDAY, session="SORE"),
        user_with_role(Role.VERIFIER, kua),
    )
    assert day_standing(siti, MONDAY).status == "H"  # the rules: present, not TK

    html = page(user_with_role(Role.LEADER, kua), kua, monkeypatch, local(MONDAY, "21:30"))

    body = html.content.decode().split("<tbody>")[-1]
    assert "Siti" in body
    assert "tidak presensi (TK)" not in body
    assert html.context["summary"].counts["late"] == 1


def test_a_pattern_made_and_assigned_in_another_process_does_not_break_the_board(
    kua: Unit, monkeypatch: pytest.MonkeyPatch, in_another_process: Callable[[], Any]
) -> None:
    """An operator served by another worker makes a pattern and gives it to Siti; the board open
    in this worker reads the codes fresh and must not look for the pattern in a stale cache."""
    siti = EmployeeFactory.create(unit=kua, name="Siti")
    leader = user_with_role(Role.LEADER, kua)
    assert page(leader, kua, monkeypatch, local(MONDAY, "07:00")).status_code == 200
    with in_another_process():
        khusus = WorkPattern.objects.create(code="KHUSUS", name="Pola khusus")
        PatternDay.objects.bulk_create(
            PatternDay(pattern=khusus, weekday=day, start=time(8), end=time(15)) for day in range(5)
        )
        siti.pattern = khusus
        siti.save(update_fields=["pattern"])

    response = page(leader, kua, monkeypatch, local(MONDAY, "07:00:20"))

    assert response.status_code == 200


def test_a_punch_the_day_rule_ignores_leaves_her_not_yet_checked_in(
    kua: Unit, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A punch at 06:10, then the window's start moved to 06:30 from that day: the rules ignore
    the punch (DOMAIN.md §4.2), so she has not checked in yet and may still."""
    siti = EmployeeFactory.create(unit=kua, name="Siti")
    assert punch_check_in(employee=siti, check_in=at_point(), now=local(MONDAY, "06:10")).accepted
    PolicyValue.objects.create(key="window.start", effective_from=MONDAY, value="06:30")
    assert day_standing(siti, MONDAY).status == "TK"  # the rules: the punch counts for nothing

    response = page(user_with_role(Role.LEADER, kua), kua, monkeypatch, local(MONDAY, "07:00"))

    body = response.content.decode().split("<tbody>")[-1]
    assert "terlambat 0 menit (TL0)" not in body
    assert "belum presensi" in body
    assert response.context["summary"].counts["absent"] == 1
