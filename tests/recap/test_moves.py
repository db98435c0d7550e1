"""A move (mutasi) to another unit is dated: the days lived before it keep their unit.

Siti works at KUA Mlati (KANTOR_5H, Monday to Friday) from 1 March 2024 and moves to MTs
Al-Ikhlas (MADRASAH_6H_MINGGU, Monday to Saturday) from Monday 18 March. Her Saturdays 2, 9
and 16 March were days off at the KUA; Saturdays 23 and 30 March are working days at the MTs.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from hadir.common.tables import TableRefused
from hadir.org.models import Employee, Placement, Role
from hadir.org.services import employees_import
from hadir.presence.imports import punches_import
from hadir.recap.periods import period_close
from hadir.recap.services import days_refresh_many
from hadir.requests.services import RequestRefused
from hadir.schedules.models import Holiday
from hadir.schedules.services import holiday_add
from tests.clock import Clock
from tests.factories import RoleAssignmentFactory, UnitFactory, UserFactory, pattern
from tests.recap.support import (
    FIVE_DAY_WORKDAYS,
    SIX_DAY_SUNDAY_OFF_WORKDAYS,
    Sleman,
    attend,
    committed,
    daily_json,
    file_request,
    import_excuses,
    leader_of,
    local,
    logged_in,
    march,
    person,
    punch,
    recap_json,
    with_account,
)
from tests.recap.test_edits_match_a_fresh_evaluation import recap_from_scratch, stale

MOVED = march(18)
APRIL_8 = date(2024, 4, 8)
BEFORE = [d for d in FIVE_DAY_WORKDAYS if d < MOVED]
AFTER = [d for d in SIX_DAY_SUNDAY_OFF_WORKDAYS if d >= MOVED]


def move(tmp_path: Path, employee: Employee, unit: str, since: str = "") -> Any:
    """The operator imports the master list again with ``employee`` in ``unit`` (``since``
    in the unit_since column)."""
    path = tmp_path / f"pegawai-{len(list(tmp_path.iterdir()))}.csv"
    path.write_text(
        "nip,name,unit,pattern,golongan,start,unit_since\n"
        f"{employee.nip},{employee.name},{unit},,{employee.golongan},"
        f"{employee.start:%Y-%m-%d},{since}\n",
        encoding="utf-8",
    )
    with committed():
        return employees_import(path=path, actor_label="test")


@pytest.fixture
def siti(sleman: Sleman, clock: Clock) -> Employee:
    """At the KUA until 17 March, then at the MTs; every working day worked 07:25–16:05;
    March stored before the move was entered."""
    siti = person(sleman.kua, "Siti Hasanah")
    attend(siti, BEFORE, "07:25", "16:05")
    attend(siti, AFTER, "07:25", "16:05")
    days_refresh_many(employees=[siti], start=march(1), end=march(31))
    return siti


def test_the_saturdays_before_a_move_stay_days_off_and_those_after_are_working_days(
    tmp_path: Path, siti: Employee
) -> None:
    move(tmp_path, siti, "MTS-AL-IKHLAS", "2024-03-18")

    days = daily_json()["Siti Hasanah"]
    assert [days[march(d)]["status"] for d in (2, 9, 16)] == ["LIBUR"] * 3
    assert [days[march(d)]["status"] for d in (23, 30)] == ["H", "H"]
    assert stale(siti) == {}
    row = recap_json()["Siti Hasanah"]
    assert row["unit"] == "MTS-AL-IKHLAS"
    assert row["absent_days"] == 0
    assert row["meal_allowance"]["days"] == len(BEFORE) + len(AFTER)
    assert recap_from_scratch()["Siti Hasanah"] == row


def test_a_move_keeps_the_former_unit_in_its_history(tmp_path: Path, siti: Employee) -> None:
    move(tmp_path, siti, "MTS-AL-IKHLAS", "2024-03-18")

    siti.refresh_from_db()
    assert siti.unit.code == "MTS-AL-IKHLAS"
    assert siti.placed_since == MOVED
    assert list(Placement.objects.filter(employee=siti).values_list("unit__code", "until")) == [
        ("KUA-MLATI", march(17))
    ]


def test_a_move_without_a_date_counts_from_today_on_the_new_units_clock(
    tmp_path: Path, siti: Employee
) -> None:
    move(tmp_path, siti, "MTS-AL-IKHLAS")

    siti.refresh_from_db()
    assert siti.placed_since == date(2024, 4, 2)
    days = daily_json()["Siti Hasanah"]
    assert [days[d]["status"] for d in (march(2), march(23), march(30))] == ["LIBUR"] * 3
    assert stale(siti) == {}


def test_a_move_from_the_first_day_of_attendance_corrects_every_day(
    tmp_path: Path, siti: Employee
) -> None:
    move(tmp_path, siti, "MTS-AL-IKHLAS", "2024-03-01")

    siti.refresh_from_db()
    assert siti.placed_since is None
    assert not Placement.objects.filter(employee=siti).exists()
    assert daily_json()["Siti Hasanah"][march(2)]["status"] == "TK"
    assert stale(siti) == {}


@pytest.mark.parametrize(
    ("since", "says"),
    [("2024-04-10", "masih akan datang"), ("2024-03-10", "tidak dapat dimulai sebelumnya")],
)
def test_a_move_dated_to_come_or_before_the_present_placement_is_refused_on_its_line(
    tmp_path: Path, siti: Employee, since: str, says: str
) -> None:
    move(tmp_path, siti, "KUA-DEPOK", "2024-03-18")
    with pytest.raises(TableRefused) as refused:
        move(tmp_path, siti, "MTS-AL-IKHLAS", since)

    (problem,) = refused.value.problems
    assert (problem.line, problem.column) == (2, "unit_since")
    assert says in problem.reason
    siti.refresh_from_db()
    assert siti.unit.code == "KUA-DEPOK"
    assert Placement.objects.filter(employee=siti).count() == 1


def test_a_holiday_of_the_former_unit_reaches_the_days_lived_there(
    tmp_path: Path, sleman: Sleman, siti: Employee
) -> None:
    move(tmp_path, siti, "MTS-AL-IKHLAS", "2024-03-18")
    admin = UserFactory.create(is_superuser=True)

    with committed():
        holiday_add(unit=sleman.kua, day=march(14), name="Hari jadi KUA", actor=admin)

    assert Holiday.objects.filter(unit=sleman.kua, date=march(14)).exists()
    assert daily_json()["Siti Hasanah"][march(14)]["status"] == "LIBUR"
    assert stale(siti) == {}


def test_the_days_before_a_move_are_read_on_the_former_units_clock(
    tmp_path: Path, sleman: Sleman, clock: Clock
) -> None:
    """07:25 WIB is 09:25 in Jayapura: read on the new unit's clock, Siti's March in Mlati
    would be late every day."""
    UnitFactory.create(
        code="KUA-JAYAPURA",
        parent=sleman.kankemenag,
        timezone="Asia/Jayapura",
        default_pattern=pattern("KANTOR_5H"),
    )
    siti = person(sleman.kua, "Siti Hasanah")
    attend(siti, BEFORE, "07:25", "16:05")
    days_refresh_many(employees=[siti], start=march(1), end=march(17))

    move(tmp_path, siti, "KUA-JAYAPURA", "2024-03-18")

    days = daily_json()["Siti Hasanah"]
    assert {days[d]["late_minutes"] for d in BEFORE} == {0}
    assert {days[d]["status"] for d in BEFORE} == {"H"}
    assert stale(siti) == {}


def test_a_request_before_a_move_is_closed_where_the_day_was_lived(
    tmp_path: Path, sleman: Sleman, siti: Employee, clock: Clock
) -> None:
    """KUA Mlati closes March; Siti moves to the MTs from 1 April. Her March belongs to the
    KUA's signed month: the MTs operator cannot change it with a request."""
    kua_operator, mts_operator = UserFactory.create(), UserFactory.create()
    RoleAssignmentFactory.create(user=kua_operator, role=Role.OPERATOR, unit=sleman.kua)
    RoleAssignmentFactory.create(user=mts_operator, role=Role.OPERATOR, unit=sleman.mts)
    clock.set(local(date(2024, 4, 8), "08:00"))
    period_close(actor=kua_operator, unit=sleman.kua, month=march(1))
    move(tmp_path, siti, "MTS-AL-IKHLAS", "2024-04-01")

    siti.refresh_from_db()

    with pytest.raises(RequestRefused, match="03-2024"):
        file_request(mts_operator, siti, "CT", march(5))


def test_the_admin_dates_a_move_and_refuses_one_to_come(
    tmp_path: Path, sleman: Sleman, siti: Employee
) -> None:
    client = Client()
    client.force_login(UserFactory.create(is_superuser=True, is_staff=True))
    url = reverse("admin:org_employee_change", args=[siti.pk])
    form = {
        "nip": siti.nip,
        "name": siti.name,
        "kind": siti.kind,
        "golongan": siti.golongan,
        "position": "",
        "email": "",
        "unit": sleman.mts.pk,
        "pattern": "",
        "start": "2024-03-01",
        "end": "",
        "user": "",
    }

    to_come = client.post(url, {**form, "unit_since": "2024-04-20"})
    assert to_come.status_code == 200
    assert "masih akan datang" in to_come.content.decode()
    with committed():
        response = client.post(url, {**form, "unit_since": "2024-03-18"})

    assert response.status_code == 302
    siti.refresh_from_db()
    assert (siti.unit, siti.placed_since) == (sleman.mts, MOVED)
    assert daily_json()["Siti Hasanah"][march(16)]["status"] == "LIBUR"
    assert daily_json()["Siti Hasanah"][march(23)]["status"] == "H"
    assert stale(siti) == {}
    page = client.get(url).content.decode()
    assert "KUA Mlati ≤ 17-03-2024" in page


# ---------------------------------------------------------------- imports, clocks and closed months around a move


def operator_of(unit: object) -> object:
    user = UserFactory.create()
    RoleAssignmentFactory.create(user=user, role=Role.OPERATOR, unit=unit)
    return user


def import_punches(tmp_path: Path, actor: object, *lines: str) -> Any:
    path = tmp_path / f"punches-{len(list(tmp_path.iterdir()))}.csv"
    path.write_text("\n".join(["nip,time", *lines]) + "\n", encoding="utf-8")
    with committed():
        return punches_import(path=path, actor=actor)


# ---------------------------------------------------------------- requests import


def test_a_sistem_error_range_before_a_move_covers_the_former_units_saturday(
    tmp_path: Path, sleman: Sleman, clock: Clock
) -> None:
    """Dewi taught at the MTs (six days) until 17 March, then the KUA (five days). The MTs'
    machine was broken 4–9 March: the operator imports one SISTEM_ERROR for the week. Saturday
    9 March was a working day at the MTs: it needs its waiver like the other five."""
    dewi = person(sleman.mts, "Dewi Sartika")
    attend(dewi, [d for d in SIX_DAY_SUNDAY_OFF_WORKDAYS if not march(4) <= d <= march(9)],
           "06:55", "16:35")  # fmt: skip
    move(tmp_path, dewi, "KUA-MLATI", "2024-03-18")

    with committed():
        import_excuses(tmp_path, f"{dewi.nip},SISTEM_ERROR,2024-03-04,2024-03-09,PAGI_SORE")

    days = daily_json()["Dewi Sartika"]
    assert [days[march(d)]["status"] for d in (4, 5, 6, 7, 8)] == ["H"] * 5
    assert days[march(9)]["status"] == "H"  # TK: no waiver written for the MTs' Saturday


# ---------------------------------------------------------------- closed months


def test_a_request_before_a_move_in_a_month_the_present_unit_closed_is_refused(
    sleman: Sleman, siti: Employee, tmp_path: Path, clock: Clock
) -> None:
    """The MTs closes March with Siti's whole March in its signed recap (the days at the KUA
    included). A request on 5 March changes those signed figures: only an admin may."""
    move(tmp_path, siti, "MTS-AL-IKHLAS", "2024-03-18")
    mts_operator = operator_of(sleman.mts)
    clock.set(local(APRIL_8, "08:00"))
    closing = period_close(actor=mts_operator, unit=sleman.mts, month=march(1))
    assert siti.nip in {row["nip"] for row in closing.snapshot}
    siti.refresh_from_db()

    with pytest.raises(RequestRefused, match="03-2024"):
        file_request(mts_operator, siti, "CT", march(5))


def test_a_machine_punch_after_a_move_in_a_month_the_present_unit_closed_is_refused(
    sleman: Sleman, siti: Employee, tmp_path: Path, clock: Clock
) -> None:
    """The MTs closes March; a punch file then adds a punch on Saturday 23 March, a day lived
    at the MTs. The guard asks about 1 March (lived at the KUA, not closed) and lets it in."""
    move(tmp_path, siti, "MTS-AL-IKHLAS", "2024-03-18")
    mts_operator = operator_of(sleman.mts)
    clock.set(local(APRIL_8, "08:00"))
    period_close(actor=mts_operator, unit=sleman.mts, month=march(1))
    siti.refresh_from_db()

    with pytest.raises(TableRefused) as refused:
        import_punches(tmp_path, mts_operator, f"{siti.nip},2024-03-23 12:00")
    assert "03-2024" in refused.value.problems[0].reason


def test_a_machine_punch_in_the_former_units_closed_month_is_refused_whoever_comes_first(
    sleman: Sleman, siti: Employee, tmp_path: Path, clock: Clock
) -> None:
    """KUA Mlati closed March; Siti moved to the MTs from 1 April. A punch file of the MTs
    holds a row of Citra (always at the MTs) and then one of Siti on 5 March: Siti's row is
    in the KUA's closed month. The verdict is cached by the present unit, so Citra's open
    March answers for Siti's closed one."""
    kua_operator, mts_operator = operator_of(sleman.kua), operator_of(sleman.mts)
    citra = person(sleman.mts, "Citra Lestari")
    clock.set(local(APRIL_8, "08:00"))
    period_close(actor=kua_operator, unit=sleman.kua, month=march(1))
    move(tmp_path, siti, "MTS-AL-IKHLAS", "2024-04-01")
    siti.refresh_from_db()

    with pytest.raises(TableRefused) as refused:
        import_punches(
            tmp_path,
            mts_operator,
            f"{citra.nip},2024-03-23 12:00",
            f"{siti.nip},2024-03-05 12:00",
        )
    assert [p.line for p in refused.value.problems] == [3]


# ---------------------------------------------------------------- another time zone


@pytest.fixture
def from_jayapura(sleman: Sleman, tmp_path: Path, clock: Clock) -> Employee:
    """Siti at KUA Jayapura (WIT, UTC+9) until 17 March, at KUA Mlati (WIB) from the 18th;
    no punch recorded yet for her days in Jayapura."""
    jayapura = UnitFactory.create(
        code="KUA-JAYAPURA",
        parent=sleman.kankemenag,
        timezone="Asia/Jayapura",
        default_pattern=pattern("KANTOR_5H"),
    )
    siti = person(jayapura, "Siti Hasanah")
    move(tmp_path, siti, "KUA-MLATI", "2024-03-18")
    siti.refresh_from_db()
    assert siti.placed_since == march(18)
    return siti


def test_a_punch_file_reads_a_time_before_a_move_on_the_former_units_clock(
    tmp_path: Path, from_jayapura: Employee
) -> None:
    """The Jayapura machine's times, written without an offset, are Jayapura times: 07:25
    on 5 March is on time there, not 09:25 WIT (115 minutes late)."""
    siti = from_jayapura
    import_punches(tmp_path, None, f"{siti.nip},2024-03-05 07:25", f"{siti.nip},2024-03-05 16:05")

    day = daily_json()["Siti Hasanah"][march(5)]
    assert (day["status"], day["late_minutes"]) == ("H", 0)


def test_a_punch_before_a_move_is_inside_the_window_on_the_former_units_clock(
    tmp_path: Path, from_jayapura: Employee
) -> None:
    """06:45 WIT on 5 March is inside Jayapura's 06:00–21:00 window; judged on the WIB clock
    (04:45) it is kept as outside the window and counts for nothing: no datang, TL 225."""
    siti = from_jayapura
    report = import_punches(
        tmp_path,
        None,
        f"{siti.nip},2024-03-05T06:45:00+09:00",
        f"{siti.nip},2024-03-05T16:05:00+09:00",
    )

    assert report.outside_window == 0
    day = daily_json()["Siti Hasanah"][march(5)]
    assert (day["status"], day["late_minutes"]) == ("H", 0)


# ---------------------------------------------------------------- the employees import


def test_a_move_dated_on_the_old_start_with_an_earlier_start_in_the_same_row_keeps_the_former_unit(
    tmp_path: Path, sleman: Sleman, clock: Clock
) -> None:
    """Siti was entered at the KUA from Monday 4 March. The corrected row says: attendance from
    Friday 1 March, and at the MTs since 4 March (so 1–3 March at the KUA; the admin's form,
    which reads the new start, records it so). The import compares the move with the stored
    start (4 March): no earlier placement, and Saturday 2 March becomes a working day of the
    MTs, without a punch: TK."""
    siti = person(sleman.kua, "Siti Hasanah", start=march(4))
    attend(siti, [march(1)], "07:25", "16:35")
    path = tmp_path / "pegawai.csv"
    path.write_text(
        "nip,name,unit,pattern,golongan,start,unit_since\n"
        f"{siti.nip},{siti.name},MTS-AL-IKHLAS,,{siti.golongan},2024-03-01,2024-03-04\n",
        encoding="utf-8",
    )
    with committed():
        employees_import(path=path, actor_label="test")

    siti.refresh_from_db()
    assert (siti.start, siti.placed_since) == (march(1), march(4))
    assert daily_json()["Siti Hasanah"][march(2)]["status"] == "LIBUR"


def test_a_move_date_given_for_an_unchanged_unit_is_not_silently_dropped(
    tmp_path: Path, siti: Employee
) -> None:
    """The operator entered the move without a date (it counted from today, 2 April) and
    imports the row again with its date, 18 March. The report says 'unchanged', nothing is
    refused, and Siti's Saturdays 23 and 30 March stay days off at the KUA although she worked
    them at the MTs."""
    move(tmp_path, siti, "MTS-AL-IKHLAS")
    try:
        report = move(tmp_path, siti, "MTS-AL-IKHLAS", "2024-03-18")
    except TableRefused:
        return  # refused on its line: the operator knows the date was not taken
    siti.refresh_from_db()
    assert siti.nip not in report.unchanged
    assert siti.placed_since == march(18)


# ---------------------------------------------------------------- whose month it is


def test_a_month_belongs_to_the_unit_of_its_last_day(tmp_path: Path, siti: Employee) -> None:
    """Moved from 1 April (entered on 2 April): all of March was lived at KUA Mlati, which
    lists, pays and signs it; the MTs lists her from April."""
    move(tmp_path, siti, "MTS-AL-IKHLAS", "2024-04-01")

    kua = recap_json(unit="KUA-MLATI")
    assert kua["Siti Hasanah"]["unit"] == "KUA-MLATI"
    assert kua["Siti Hasanah"]["meal_allowance"]["days"] == len(FIVE_DAY_WORKDAYS)
    assert "Siti Hasanah" not in recap_json(unit="MTS-AL-IKHLAS")
    assert "Siti Hasanah" in recap_json("2024-04", unit="MTS-AL-IKHLAS")


def test_the_month_of_a_move_is_the_new_units(tmp_path: Path, siti: Employee) -> None:
    move(tmp_path, siti, "MTS-AL-IKHLAS", "2024-03-18")

    assert "Siti Hasanah" not in recap_json(unit="KUA-MLATI")
    assert recap_json(unit="MTS-AL-IKHLAS")["Siti Hasanah"]["unit"] == "MTS-AL-IKHLAS"


def test_the_former_unit_closes_the_month_lived_there(
    tmp_path: Path, sleman: Sleman, siti: Employee, clock: Clock
) -> None:
    move(tmp_path, siti, "MTS-AL-IKHLAS", "2024-04-01")
    clock.set(local(APRIL_8, "08:00"))

    closing = period_close(actor=operator_of(sleman.kua), unit=sleman.kua, month=march(1))

    assert [row["name"] for row in closing.snapshot] == ["Siti Hasanah"]
    assert closing.snapshot[0]["unit"] == "KUA-MLATI"


def test_the_former_units_page_lists_the_month_without_opening_the_person(
    tmp_path: Path, sleman: Sleman, siti: Employee
) -> None:
    """The KUA's Pimpinan reads Siti's March on the KUA's page; her own month page is her
    present unit's to open."""
    move(tmp_path, siti, "MTS-AL-IKHLAS", "2024-04-01")
    head = logged_in(leader_of(sleman.kua))

    page = head.get(reverse("recap:unit_month", args=[sleman.kua.pk]), {"bulan": "2024-03"})

    (row,) = [row for row in page.context["page"] if row["name"] == "Siti Hasanah"]
    assert row["id"] is None
    assert head.get(reverse("recap:employee_month", args=[siti.pk])).status_code == 404


def test_the_import_report_counts_the_moves_it_dated(tmp_path: Path, siti: Employee) -> None:
    report = move(tmp_path, siti, "MTS-AL-IKHLAS", "2024-03-18")

    assert report.moved == [(siti.nip, "2024-03-18")]
    assert "mutasi" in str(report)


# ---------------------------------------------------------------- their own pages


def test_gaps_page_my_days_does_not_count_today_psw4_or_tk_before_the_window_closes(
    sleman: Sleman, clock: Clock
) -> None:
    """Wednesday 20 March, 10:00 WIB: Dewi checked in at 07:25 and is at her desk; her pulang
    (16:00) is hours away. Bulan saya says "today counts once the presensi window closes at
    21:00" and the phone says nothing of a check-out, but the gaps page's "My days" lists
    today as PSW4 (225 minutes), and at 06:30, before anyone could check in, as TK."""
    dewi = person(sleman.kua, "Dewi Lestari")
    client = logged_in(with_account(dewi))

    def today_row(at: str) -> tuple[dict[str, Any], str]:
        clock.set(local(march(20), at))
        page = client.get(reverse("requests:gaps"))
        (row,) = [r for r in page.context["days"] if r["day"].day == march(20)]
        return row, page.content.decode()

    early, _ = today_row("06:30")
    punch(dewi, march(20), "07:25")
    morning, html = today_row("10:00")

    assert early["open"], "TK shown at 06:30, before the presensi window could be used"
    assert morning["open"]
    assert "PSW4 (225)" not in html, "PSW4 shown before 16:00"
    assert "hari ini, belum selesai" in html
    evening, html = today_row("21:00")
    assert not evening["open"]
    assert "PSW4 (225)" in html  # the day is over: the missing pulang counts


def test_bulan_saya_names_the_unit_the_month_was_lived_in(
    tmp_path: Path, sleman: Sleman, siti: Employee
) -> None:
    """Siti moved to the MTs from 1 April: March is KUA Mlati's (it lists, pays and closes
    it, and her page's figures say KUA-MLATI), yet her March page is headed with the MTs."""
    move(tmp_path, siti, "MTS-AL-IKHLAS", "2024-04-01")
    siti.refresh_from_db()

    page = logged_in(with_account(siti)).get(reverse("recap:my_month"), {"bulan": "2024-03"})

    assert page.context["recap"]["unit"] == "KUA-MLATI"
    head = page.content.decode().split('<p class="muted">', 1)[1].split("</p>", 1)[0]
    assert "KUA Mlati" in head
    assert "MTs Al-Ikhlas" not in head
