"""Stored employee-days change only where a change reaches, and the nightly run fills the rest.

A check-in refreshes its own day; an import of machine logs the days it has punches for;
approving a request its dates; a holiday added for a unit that date for that unit's employees
(a national one for everyone); a policy edit the stored days from its effective date. Every
other stored row keeps every value, ``evaluated_at`` included, and no row appears that was not
there. ``finalize_days`` turns a past day without punches into TK and never evaluates a day
before the employee's start.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date, time, timedelta
from io import StringIO
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import OperationalError, transaction
from django.test import TestCase

from hadir.accounts.models import User
from hadir.common.locks import lock_employees
from hadir.org.models import Employee, Role, Unit
from hadir.org.services import employees_import, unit_paths_refresh
from hadir.presence.imports import punches_import
from hadir.presence.selectors import day_standing
from hadir.presence.services import punch_check_in
from hadir.recap import refreshes, services
from hadir.recap.models import DayRefresh, EmployeeDay
from hadir.recap.services import days_refresh, days_refresh_many
from hadir.requests.evidence import evidence_store
from hadir.requests.services import NewRequest, request_decide, request_submit
from hadir.schedules.models import Holiday, PolicyValue
from hadir.schedules.services import holiday_add, holiday_drop
from tests.clock import Clock
from tests.conftest import user_with_role
from tests.factories import UnitFactory, pattern
from tests.presence.support import add_location, at_point, needs_concurrent_writers
from tests.recap.support import (
    Sleman,
    attend,
    committed,
    dates,
    local,
    locks_held_at,
    march,
    person,
    punch,
    recap_json,
    stored,
)
from tests.requests.support import pdf_letter

WEEKS = dates(march(18), march(26))


@pytest.fixture
def siti(sleman: Sleman) -> Employee:
    """A Pegawai of KUA Mlati with an account, on time every day of the weeks of 18 and 25
    March so far."""
    siti = person(sleman.kua, "Siti Hasanah", account=True)
    attend(siti, [d for d in WEEKS if d.weekday() < 5], "07:25", "16:05")
    return siti


@pytest.fixture
def rina(sleman: Sleman) -> Employee:
    """Siti's colleague, who never punched."""
    return person(sleman.kua, "Rina Marlina", account=True)


@pytest.fixture
def guru(sleman: Sleman) -> Employee:
    """A teacher at MAN 2 Sleman (another unit under the same Kankemenag)."""
    guru = person(sleman.man, "Guru Madrasah")
    attend(guru, [d for d in WEEKS if d.weekday() < 5], "06:50", "15:35")
    return guru


@pytest.fixture
def stored_weeks(siti: Employee, rina: Employee, guru: Employee, clock: Clock) -> None:
    """The three people's days of 18–26 March stored, as the nightly run left them on the 27th
    at 01:00."""
    clock.set(local(march(27), "01:00"))
    days_refresh_many(employees=[siti, rina, guru], start=march(18), end=march(26))


def unchanged_except(
    before: dict[date, dict[str, Any]], after: dict[date, dict[str, Any]], *changed: date
) -> None:
    """Every row of ``before`` but ``changed`` is in ``after`` with every value equal, and no
    row other than ``changed`` appeared."""
    assert set(after) - set(before) <= set(changed), "a row appeared that nothing touched"
    for day, row in before.items():
        if day not in changed:
            assert after[day] == row, f"{day} must be left alone"


# ---------------------------------------------------------------- punches


@pytest.mark.usefixtures("stored_weeks")
def test_a_check_in_and_a_check_out_store_their_day_once_it_is_over_and_no_other(
    sleman: Sleman, siti: Employee, rina: Employee, guru: Employee, clock: Clock
) -> None:
    """At 07:20 Siti's pulang is still to come: her day is not stored (stored, its missing
    pulang would read PSW4 in the month until 16:10). The nightly evaluation stores it."""
    add_location(sleman.kua)
    before = {e.name: stored(e) for e in (siti, rina, guru)}

    clock.set(local(march(27), "07:20"))
    assert punch_check_in(employee=siti, check_in=at_point()).accepted
    assert stored(siti) == before["Siti Hasanah"]

    clock.set(local(march(27), "16:10"))
    assert punch_check_in(employee=siti, check_in=at_point()).accepted
    assert stored(siti) == before["Siti Hasanah"]

    finalized = clock.set(local(march(28), "00:30"))
    call_command("finalize_days", stdout=StringIO())
    later = stored(siti)
    today = later[march(27)]
    assert (today["datang"], today["pulang"], today["psw_minutes"], today["meal"]) == (
        time(7, 20),
        time(16, 10),
        0,
        True,
    )
    assert today["evaluated_at"] == finalized
    unchanged_except(before["Siti Hasanah"], later, march(27))
    assert stored(rina) == {**before["Rina Marlina"], march(27): stored(rina)[march(27)]}
    assert stored(guru) == {**before["Guru Madrasah"], march(27): stored(guru)[march(27)]}


@pytest.mark.usefixtures("stored_weeks")
def test_importing_machine_logs_refreshes_only_the_dates_punched(
    siti: Employee, rina: Employee, guru: Employee, clock: Clock, tmp_path: Path
) -> None:
    """Rina's fingerprints of the 20th and 21st arrive late from the machine."""
    before = {e.name: stored(e) for e in (siti, rina, guru)}
    log = tmp_path / "mesin.csv"
    log.write_text(
        "nip,time,source\n"
        f"{rina.nip},2024-03-20T07:10:00+07:00,MACHINE\n"
        f"{rina.nip},2024-03-20T16:02:00+07:00,MACHINE\n"
        f"{rina.nip},2024-03-21T08:05:00+07:00,MACHINE\n",
        encoding="utf-8",
    )
    imported = clock.set(local(march(27), "09:00"))
    punches_import(path=log, actor_label="test")
    after = stored(rina)
    assert (after[march(20)]["status"], after[march(20)]["meal"]) == ("H", True)
    assert (after[march(21)]["tl_minutes"], after[march(21)]["psw_minutes"]) == (35, 225)
    assert after[march(20)]["evaluated_at"] == after[march(21)]["evaluated_at"] == imported
    unchanged_except(before["Rina Marlina"], after, march(20), march(21))
    assert stored(siti) == before["Siti Hasanah"]
    assert stored(guru) == before["Guru Madrasah"]


# ---------------------------------------------------------------- requests


@pytest.mark.usefixtures("stored_weeks")
def test_approving_a_request_refreshes_only_its_dates_and_the_recap_follows(
    sleman: Sleman, siti: Employee, rina: Employee, clock: Clock
) -> None:
    """Rina was on dinas luar on Thursday 21 and Friday 22 March: two TK days become DL."""
    verifier = user_with_role(Role.VERIFIER, sleman.kankemenag)
    assert rina.user is not None
    request = request_submit(
        actor=rina.user,
        employee=rina,
        new=NewRequest(code="DL", start=march(21), end=march(22), reason="Dinas luar ke Kanwil."),
        evidence=evidence_store(content=pdf_letter(), original_name="spt.pdf", user=rina.user),
    )
    before = {e.name: stored(e) for e in (siti, rina)}
    assert [before["Rina Marlina"][march(d)]["status"] for d in (21, 22)] == ["TK", "TK"]

    decided = clock.set(local(march(27), "11:00"))
    request_decide(actor=verifier, request=request, approve=True)
    after = stored(rina)
    assert [(after[march(d)]["status"], after[march(d)]["evaluated_at"]) for d in (21, 22)] == [
        ("DL", decided),
        ("DL", decided),
    ]
    unchanged_except(before["Rina Marlina"], after, march(21), march(22))
    assert stored(siti) == before["Siti Hasanah"]


# ---------------------------------------------------------------- calendar


@pytest.fixture
def operator(sleman: Sleman) -> User:
    return user_with_role(Role.OPERATOR, sleman.kua)


@pytest.mark.usefixtures("stored_weeks")
def test_a_holiday_added_for_a_unit_refreshes_that_date_for_that_units_employees_only(
    siti: Employee, rina: Employee, guru: Employee, sleman: Sleman, operator: User, clock: Clock
) -> None:
    """The KUA closes on Friday 22 March (a local holiday); the madrasah works as usual."""
    before = {e.name: stored(e) for e in (siti, rina, guru)}
    added = clock.set(local(march(27), "12:00"))
    with committed():
        holiday_add(unit=sleman.kua, day=march(22), name="Hari jadi KUA Mlati", actor=operator)

    for employee in (siti, rina):
        after = stored(employee)
        friday = after[march(22)]
        assert (friday["status"], friday["working"], friday["evaluated_at"]) == (
            "LIBUR",
            False,
            added,
        )
        unchanged_except(before[employee.name], after, march(22))
    assert stored(guru) == before["Guru Madrasah"]


@pytest.mark.usefixtures("stored_weeks")
def test_a_national_holiday_dropped_for_a_unit_turns_that_date_into_a_working_day_there_only(
    siti: Employee, rina: Employee, guru: Employee, sleman: Sleman, operator: User, clock: Clock
) -> None:
    """Nyepi (11 March) becomes a working day for the KUA: Rina, who did not come, is TK."""
    for employee in (siti, rina, guru):
        days_refresh(employee=employee, dates=[march(11)])
    before = {e.name: stored(e) for e in (siti, rina, guru)}
    assert before["Rina Marlina"][march(11)]["status"] == "LIBUR"

    dropped = clock.set(local(march(27), "12:30"))
    with committed():
        holiday_drop(unit=sleman.kua, day=march(11), actor=operator)
    after = stored(rina)
    assert (after[march(11)]["status"], after[march(11)]["evaluated_at"]) == ("TK", dropped)
    unchanged_except(before["Rina Marlina"], after, march(11))
    unchanged_except(before["Siti Hasanah"], stored(siti), march(11))
    assert stored(guru) == before["Guru Madrasah"]


@pytest.mark.usefixtures("stored_weeks")
def test_a_national_holiday_refreshes_that_date_for_everyone_with_it_stored(
    siti: Employee, rina: Employee, guru: Employee, clock: Clock
) -> None:
    before = {e.name: stored(e) for e in (siti, rina, guru)}
    added = clock.set(local(march(27), "13:00"))
    with committed():
        Holiday.objects.create(date=march(20), name="Hari libur nasional tambahan")
    for employee in (siti, rina, guru):
        after = stored(employee)
        assert (after[march(20)]["status"], after[march(20)]["evaluated_at"]) == ("LIBUR", added)
        unchanged_except(before[employee.name], after, march(20))


def test_a_holiday_saved_during_a_long_evaluation_is_not_undone_by_the_chunks_after_it(
    siti: Employee, rina: Employee, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A month's evaluation takes its employees a chunk at a time, for minutes. A holiday an
    operator saves meanwhile refreshes the stored days of everyone at once; the chunks still
    to come must evaluate with it too, not with the calendar read before it."""
    from hadir.recap import services

    evaluate = services._evaluate_batch
    chunks: list[int] = []

    def evaluate_then_a_holiday_is_saved(*args: Any, **kwargs: Any) -> Any:
        result = evaluate(*args, **kwargs)
        if not chunks:
            Holiday.objects.create(date=march(20), name="Hari libur nasional tambahan")
        chunks.append(len(args[0]))
        return result

    monkeypatch.setattr(services, "_evaluate_batch", evaluate_then_a_holiday_is_saved)
    clock.set(local(march(27), "01:00"))

    days_refresh_many(employees=[siti, rina], start=march(18), end=march(22), chunk=1)

    assert chunks == [1, 1]
    assert stored(rina)[march(20)]["status"] == "LIBUR"
    assert stored(rina)[march(19)]["status"] == "TK"


def test_a_corrected_start_drops_the_days_before_it_and_their_tk_stops_counting(
    rina: Employee, stored_weeks: None
) -> None:
    """Rina's decree said 1 March; the operator corrects it to Monday 25 March. Her TK days
    before it were never hers to owe."""
    assert recap_json(unit="KUA-MLATI")["Rina Marlina"]["absent_days"] == 16  # 1–26 March
    rina.start = march(25)
    with committed():
        rina.save()
    assert min(stored(rina)) == march(25)
    row = recap_json(unit="KUA-MLATI")["Rina Marlina"]
    assert (row["absent_days"], row["discipline"]["year_absent_days"]) == (2, 2)


def test_a_new_work_pattern_re_evaluates_the_stored_days(
    siti: Employee, stored_weeks: None
) -> None:
    """Siti moves to a six-day madrasah timetable: her stored Saturday 23 March, LIBUR on the
    office's five days, becomes a working day she did not come to (TK)."""
    assert stored(siti)[march(23)]["status"] == "LIBUR"
    siti.pattern = pattern("MADRASAH_6H_MINGGU")
    with committed():
        siti.save()
    assert stored(siti)[march(23)]["status"] == "TK"


def test_a_policy_edit_re_evaluates_stored_days_from_its_date_and_creates_none(
    siti: Employee, rina: Employee, sleman: Sleman, clock: Clock
) -> None:
    """On Wednesday 27 March at 08:00 Siti has checked in (07:40: 10 minutes late, TL1) and Rina
    has not come yet. An admin narrows TL1 to 1–5 minutes from 25 March on: their stored days
    from the 25th are re-evaluated, earlier ones are not; Siti's standing today is TL2 now, and
    nobody's day 27 is stored before it is over (Rina's would read TK)."""
    add_location(sleman.kua)
    clock.set(local(march(27), "01:00"))
    days_refresh_many(employees=[siti, rina], start=march(18), end=march(26))
    clock.set(local(march(27), "07:40"))
    assert punch_check_in(employee=siti, check_in=at_point()).accepted
    before = {e.name: stored(e) for e in (siti, rina)}
    assert day_standing(siti, march(27)).tl_class == 1

    edited = clock.set(local(march(27), "08:00"))
    with committed():
        PolicyValue.objects.create(key="class.bounds", effective_from=march(25), value="5,60,90")

    after = stored(siti)
    assert march(27) not in after, "Siti's day is not over: it is stored once it is"
    assert day_standing(siti, march(27)).tl_class == 2
    assert {d for d, row in after.items() if row["evaluated_at"] == edited} == {
        march(25),
        march(26),
    }
    unchanged_except(before["Siti Hasanah"], after, march(25), march(26))
    rina_after = stored(rina)
    assert march(27) not in rina_after, "Rina's day is not over: nothing may call it TK yet"
    assert {d for d, row in rina_after.items() if row["evaluated_at"] == edited} == {
        march(25),
        march(26),
    }
    unchanged_except(before["Rina Marlina"], rina_after, march(25), march(26))


def test_a_policy_value_moved_later_returns_the_days_between_to_the_value_before_it(
    rina: Employee, stored_weeks: None
) -> None:
    """TL1 narrowed from 18 March, then the admin corrects the date to 25 March: Rina's 10
    minutes late on Monday 18 March are TL1 again, as before the edit."""
    monday = march(18)
    punch(rina, monday, "07:40")
    days_refresh(employee=rina, dates=[monday])
    assert stored(rina)[monday]["tl_class"] == 1
    with committed():
        value = PolicyValue.objects.create(
            key="class.bounds", effective_from=monday, value="5,60,90"
        )
    assert stored(rina)[monday]["tl_class"] == 2

    value.effective_from = march(25)
    with committed():
        value.save()

    assert stored(rina)[monday]["tl_class"] == 1


def test_a_units_new_default_pattern_re_evaluates_the_stored_days_of_its_employees(
    siti: Employee, guru: Employee, sleman: Sleman, stored_weeks: None
) -> None:
    """KUA Mlati moves to a six-day week: Siti (on the unit's pattern) owes Saturday 23 March;
    the madrasah's teacher is untouched."""
    before = stored(guru)
    assert stored(siti)[march(23)]["status"] == "LIBUR"
    sleman.kua.default_pattern = pattern("MADRASAH_6H_MINGGU")
    with committed():
        sleman.kua.save()
    assert stored(siti)[march(23)]["status"] == "TK"
    assert stored(guru) == before


@pytest.mark.usefixtures("stored_weeks")
def test_saving_a_work_pattern_owes_a_refresh_only_when_its_flexible_break_changes() -> None:
    """The admin saves the pattern with its hours; the hours refresh for themselves."""
    office = pattern("KANTOR_5H")
    with TestCase.captureOnCommitCallbacks():
        office.save()
        assert not DayRefresh.objects.exists()
        office.flexible_break = not office.flexible_break
        office.save()
        assert list(DayRefresh.objects.values_list("scope", flat=True)) == [
            {"patterns": [office.pk]}
        ]


def test_a_unit_moved_under_another_office_takes_its_holidays_for_everyone_below_it(
    siti: Employee, sleman: Sleman, stored_weeks: None
) -> None:
    """KUA Mlati (and a sub-office of it) moves under Kankemenag Bantul, closed on Friday 22
    March for the regency's anniversary."""
    pos = UnitFactory.create(code="POS-MLATI", parent=sleman.kua, default_pattern=pattern())
    staff = person(pos, "Petugas Pos")
    days_refresh_many(employees=[staff], start=march(18), end=march(26))
    bantul = UnitFactory.create(code="KAB-BANTUL", kind=Unit.Kind.KANKEMENAG)
    with committed():
        Holiday.objects.create(date=march(22), unit=bantul, name="Hari jadi Bantul")
    assert {stored(e)[march(22)]["status"] for e in (siti, staff)} == {"H", "TK"}

    sleman.kua.parent = bantul
    with committed():
        sleman.kua.save()
        unit_paths_refresh(sleman.kua)

    assert {stored(e)[march(22)]["status"] for e in (siti, staff)} == {"LIBUR"}


def test_a_units_own_pattern_or_time_zone_is_not_the_units_below_it(sleman: Sleman) -> None:
    """Every unit has its own default pattern and time zone: editing the Kankemenag's owes
    the refresh of its own employees only, not of every KUA and madrasah below it."""
    sleman.kankemenag.timezone = "Asia/Makassar"
    with TestCase.captureOnCommitCallbacks():
        sleman.kankemenag.save()
        assert [r.scope for r in DayRefresh.objects.all()] == [
            {"unit_only": [sleman.kankemenag.pk]}
        ]


def test_hours_moved_to_another_pattern_owe_the_refresh_of_both_patterns(
    stored_weeks: None,
) -> None:
    office, madrasah = pattern("KANTOR_5H"), pattern("MADRASAH_5H")
    friday = office.days.get(weekday=4)
    friday.pattern = madrasah
    friday.weekday = 5
    with TestCase.captureOnCommitCallbacks():
        friday.save()
        assert [r.scope for r in DayRefresh.objects.all()] == [
            {"patterns": sorted([office.pk, madrasah.pk])}
        ]


# ---------------------------------------------------------------- after the commit


@pytest.mark.usefixtures("stored_weeks")
def test_a_holiday_refreshes_the_stored_days_once_it_is_committed_not_before(
    siti: Employee, sleman: Sleman, operator: User
) -> None:
    with TestCase.captureOnCommitCallbacks() as waiting:
        holiday_add(unit=sleman.kua, day=march(22), name="Hari jadi KUA Mlati", actor=operator)
        assert stored(siti)[march(22)]["status"] == "H"
        assert DayRefresh.objects.count() == 1
    for callback in waiting:
        callback()
    assert stored(siti)[march(22)]["status"] == "LIBUR"
    assert not DayRefresh.objects.exists()


@pytest.mark.usefixtures("stored_weeks")
def test_an_edit_rolled_back_owes_no_refresh(
    siti: Employee, sleman: Sleman, operator: User
) -> None:
    with TestCase.captureOnCommitCallbacks(execute=True) as ran, transaction.atomic():
        holiday_add(unit=sleman.kua, day=march(22), name="Salah tanggal", actor=operator)
        transaction.set_rollback(True)  # a dry run, or a request failing after the save
    assert (ran, DayRefresh.objects.count()) == ([], 0)
    assert stored(siti)[march(22)]["status"] == "H"


@pytest.mark.usefixtures("stored_weeks")
def test_employees_moved_together_are_refreshed_by_one_run_after_the_commit(
    siti: Employee, guru: Employee
) -> None:
    """An import moving employees owes a refresh per employee; the commit runs them at once."""
    with TestCase.captureOnCommitCallbacks(execute=True) as ran, transaction.atomic():
        for employee in (siti, guru):
            employee.pattern = pattern("MADRASAH_6H_MINGGU")
            employee.save()
    assert len(ran) == 1
    assert [stored(e)[march(23)]["status"] for e in (siti, guru)] == ["TK", "TK"]
    assert not DayRefresh.objects.exists()


@pytest.mark.usefixtures("stored_weeks")
def test_a_refresh_that_fails_keeps_the_holiday_and_waits_for_refresh_days_with_its_error(
    siti: Employee, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def out_of_memory(**kwargs: Any) -> int:
        raise OperationalError("out of shared memory")

    monkeypatch.setattr(refreshes, "days_refresh_many", out_of_memory)
    with committed():
        Holiday.objects.create(date=march(20), name="Hari libur nasional tambahan")
    assert Holiday.objects.filter(date=march(20)).exists()
    assert stored(siti)[march(20)]["status"] == "H"
    owed = DayRefresh.objects.get()
    assert (owed.error, owed.attempts, owed.claim) == ("out of shared memory", 1, "")
    assert "day refresh" in caplog.text

    with pytest.raises(CommandError, match="out of shared memory"):
        call_command("refresh_days", stdout=StringIO())
    assert DayRefresh.objects.get().attempts == 2

    monkeypatch.undo()
    out = StringIO()
    call_command("refresh_days", stdout=out)
    assert stored(siti)[march(20)]["status"] == "LIBUR"
    assert not DayRefresh.objects.exists()
    assert "3 hari dihitung ulang" in out.getvalue()  # Siti, Rina and the teacher


@pytest.mark.usefixtures("stored_weeks")
def test_a_day_refreshed_by_a_process_with_an_older_calendar_keeps_a_holiday_saved_elsewhere(
    siti: Employee, in_another_process: Callable[[], Any]
) -> None:
    """A decided request re-evaluates its date with this process's cached calendar; a holiday
    saved in another process since must not be undone by it."""
    days_refresh(employee=siti, dates=[march(22)])  # the calendar of the 22nd is now cached
    with in_another_process():
        Holiday.objects.create(date=march(22), name="Hari libur nasional tambahan")
    assert stored(siti)[march(22)]["status"] == "LIBUR"

    days_refresh(employee=siti, dates=[march(22)])

    assert stored(siti)[march(22)]["status"] == "LIBUR"


def test_todays_first_row_stored_by_a_check_in_while_a_holiday_commits_is_refreshed_too(
    siti: Employee, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Friday 22 March, 07:35: the Kanwil closes every office (flood) while Siti taps. Her
    check-in took its lock before the holiday committed and read the calendar without it; it
    stores her first row of the day just as the refresh starts. The refresh lists the days
    again under her lock, so her row is among them."""
    today = march(22)
    clock.set(local(today, "07:35"))
    assert today not in stored(siti)

    def her_check_in_commits_first(ids: Any) -> None:
        if not EmployeeDay.objects.filter(employee=siti, date=today).exists():
            EmployeeDay.objects.create(employee=siti, date=today, status="H", working=True)
        lock_employees(ids)

    monkeypatch.setattr(refreshes, "lock_employees", her_check_in_commits_first)
    with committed():
        Holiday.objects.create(date=today, name="Banjir: semua kantor tutup")

    assert stored(siti)[today]["status"] == "LIBUR"


@pytest.mark.usefixtures("stored_weeks")
def test_a_national_edit_refreshes_in_a_background_thread_and_a_units_edit_at_once(
    siti: Employee,
    sleman: Sleman,
    operator: User,
    settings: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A national holiday or a policy value reaches every employee's stored days: minutes at
    national scale, not to be waited for by the admin's page."""
    settings.HADIR_REFRESH_IN_BACKGROUND = True
    started: list[tuple[Any, ...]] = []

    class NotStarted:
        """Stands in for ``threading.Thread``: records what it would run."""

        def __init__(self, *, target: Any, args: tuple[Any, ...], **kwargs: Any) -> None:
            self.args = args

        def start(self) -> None:
            started.append(self.args)

    monkeypatch.setattr(refreshes, "threading", SimpleNamespace(Thread=NotStarted))
    with committed():
        holiday_add(unit=sleman.kua, day=march(22), name="Hari jadi KUA Mlati", actor=operator)
    assert (stored(siti)[march(22)]["status"], started) == ("LIBUR", [])

    with committed():
        Holiday.objects.create(date=march(20), name="Hari libur nasional tambahan")
    assert stored(siti)[march(20)]["status"] == "H"
    owed = list(DayRefresh.objects.values_list("pk", flat=True))
    assert started == [(owed,)]

    refreshes.refresh_pending(*started[0])
    assert stored(siti)[march(20)]["status"] == "LIBUR"
    assert not DayRefresh.objects.exists()


@pytest.mark.usefixtures("stored_weeks")
def test_an_edit_runs_its_own_refresh_and_leaves_another_edits_to_it(
    siti: Employee, sleman: Sleman, operator: User
) -> None:
    """Someone's policy edit dated months back owes a refresh of minutes; an operator's holiday
    saved meanwhile must not wait for it."""
    someone_elses = DayRefresh.objects.create(scope={"all": True}, start=march(1), end=march(31))
    with committed():
        holiday_add(unit=sleman.kua, day=march(22), name="Hari jadi KUA Mlati", actor=operator)
    assert stored(siti)[march(22)]["status"] == "LIBUR"
    assert list(DayRefresh.objects.values_list("pk", "attempts")) == [(someone_elses.pk, 0)]


@pytest.mark.usefixtures("stored_weeks")
def test_refresh_days_leaves_a_running_refresh_to_its_process_and_takes_over_a_lost_one(
    siti: Employee, clock: Clock
) -> None:
    now = clock.set(local(march(27), "13:00"))
    running = DayRefresh.objects.create(
        scope={"employees": [siti.pk]}, start=march(20), end=march(20), claim="other",
        claimed_at=now - timedelta(minutes=5), attempts=1,
    )  # fmt: skip
    out = StringIO()
    call_command("refresh_days", stdout=out)
    assert "0 hari dihitung ulang" in out.getvalue()
    assert f"#{running.pk} sedang dihitung sejak 2024-03-27 12:55" in out.getvalue()

    DayRefresh.objects.filter(pk=running.pk).update(
        claimed_at=now - refreshes.CLAIM_EXPIRES - timedelta(minutes=1)
    )
    call_command("refresh_days", stdout=StringIO())
    assert not DayRefresh.objects.exists()
    assert stored(siti)[march(20)]["evaluated_at"] == now


@pytest.mark.django_db(transaction=True)
def test_an_edit_saved_outside_a_transaction_refreshes_at_once(
    sleman: Sleman, clock: Clock
) -> None:
    """A script or shell saving a holiday in autocommit: its refresh runs there and then."""
    siti = person(sleman.kua, "Siti Hasanah")
    clock.set(local(march(27), "01:00"))
    days_refresh_many(employees=[siti], start=march(18), end=march(26))
    Holiday.objects.create(date=march(22), name="Hari libur nasional tambahan")
    assert stored(siti)[march(22)]["status"] == "LIBUR"
    assert not DayRefresh.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_national_holiday_saved_for_real_is_refreshed_by_its_background_thread(
    sleman: Sleman, clock: Clock, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    needs_concurrent_writers()
    settings.HADIR_REFRESH_IN_BACKGROUND = True
    siti = person(sleman.kua, "Siti Hasanah")
    clock.set(local(march(27), "01:00"))
    days_refresh_many(employees=[siti], start=march(18), end=march(26))
    ran_in: list[threading.Thread] = []
    began = threading.Event()
    in_background = refreshes._in_background

    def recorded(ids: list[int]) -> None:
        ran_in.append(threading.current_thread())
        began.set()
        in_background(ids)

    monkeypatch.setattr(refreshes, "_in_background", recorded)
    Holiday.objects.create(date=march(20), name="Hari libur nasional tambahan")
    assert began.wait(timeout=10)
    ran_in[0].join(timeout=30)

    assert [thread.name for thread in ran_in] == ["day-refresh"]
    assert stored(siti)[march(20)]["status"] == "LIBUR"
    assert not DayRefresh.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_holiday_for_many_employees_holds_one_chunks_locks_at_a_time(
    sleman: Sleman, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A Kanwil-wide holiday reaches tens of thousands of stored days: one lock per employee
    held to the end of the holiday's transaction overflowed PostgreSQL's lock table. The
    refresh runs after the commit, each chunk releasing its locks."""
    needs_concurrent_writers()
    staff = [person(sleman.kua, f"Pegawai {n}") for n in range(25)]
    clock.set(local(march(27), "01:00"))
    days_refresh_many(employees=staff, start=march(22), end=march(22))
    held = locks_held_at(monkeypatch, services, "_evaluate_batch")
    monkeypatch.setattr(refreshes, "REFRESH_CHUNK", 10)
    operator = user_with_role(Role.OPERATOR, sleman.kankemenag)
    holiday_add(unit=sleman.kankemenag, day=march(22), name="Hari jadi Sleman", actor=operator)

    assert held == [10, 10, 5]
    assert {day[march(22)]["status"] for day in map(stored, staff)} == {"LIBUR"}
    assert not DayRefresh.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_an_import_correcting_many_starts_drops_their_days_one_employee_per_transaction(
    sleman: Sleman, clock: Clock, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The decrees said 1 March; the Kanwil's file corrects everyone to 25 March. Dropping the
    days before it inside the import's transaction held a lock per employee to its end."""
    needs_concurrent_writers()
    staff = [person(sleman.kua, f"Pegawai {n}") for n in range(5)]
    clock.set(local(march(27), "01:00"))
    days_refresh_many(employees=staff, start=march(18), end=march(26))
    held = locks_held_at(monkeypatch, services, "months_refresh")
    sheet = tmp_path / "pegawai.csv"
    sheet.write_text(
        "nip,name,unit,pattern,golongan,start\n"
        + "".join(f"{e.nip},{e.name},KUA-MLATI,,III/a,2024-03-25\n" for e in staff),
        encoding="utf-8",
    )

    employees_import(path=sheet)

    assert held == [1] * len(staff)
    assert {min(stored(e)) for e in staff} == {march(25)}
    assert not DayRefresh.objects.exists()


# ---------------------------------------------------------------- finalize_days


def finalize(*args: str) -> str:
    from io import StringIO

    out = StringIO()
    call_command("finalize_days", *args, stdout=out)
    return out.getvalue()


def test_finalize_days_turns_yesterday_without_punches_into_tk(
    siti: Employee, rina: Employee
) -> None:
    """The clock reads Tuesday 2 April: yesterday, Monday 1 April, was a working day."""
    finalize()
    assert EmployeeDay.objects.get(employee=rina, date=date(2024, 4, 1)).status == "TK"
    assert EmployeeDay.objects.get(employee=siti, date=date(2024, 4, 1)).status == "TK"
    assert not EmployeeDay.objects.filter(date=date(2024, 4, 2)).exists()


@pytest.mark.parametrize("workers", ["1", "2"])
def test_finalize_days_evaluates_a_range_and_skips_days_before_an_employees_start(
    transactional_db: None, sleman: Sleman, siti: Employee, workers: str
) -> None:
    """The same with two worker processes (on PostgreSQL; SQLite stays in one): committed data,
    because each process has its own connection."""
    newcomer = person(sleman.kua, "Pegawai Baru", start=march(27))
    attend(newcomer, [march(28)], "07:20", "16:10")
    output = finalize("--from", "2024-03-25", "--to", "2024-03-29", "--workers", workers)
    assert {d: row["status"] for d, row in stored(newcomer).items()} == {
        march(27): "TK",
        march(28): "H",
        march(29): "LIBUR",
    }
    assert {d: row["status"] for d, row in stored(siti).items()} == {
        march(25): "H",
        march(26): "H",
        march(27): "TK",
        march(28): "TK",
        march(29): "LIBUR",
    }
    assert "2024-03-25" in output


def test_finalize_days_refuses_today_and_nonsense_dates(siti: Employee) -> None:
    with pytest.raises(CommandError):
        finalize("--date", "2024-04-02")
    with pytest.raises(CommandError):
        finalize("--date", "2024-02-30")
    with pytest.raises(CommandError):
        finalize("--from", "2024-03-10", "--to", "2024-03-01")
    with pytest.raises(CommandError):
        finalize("--date", "2024-03-29", "--workers", "0")
    assert not EmployeeDay.objects.exists()


def test_the_recap_of_a_month_counts_finalized_tk_days_of_an_employee_who_never_came(
    rina: Employee,
) -> None:
    """Rina (III/a, from 1 March) never punched: 18 TK days, 54 % of TUKIN, and a run of 18
    working days (holidays between do not break it) proposes dismissal."""
    finalize("--from", "2024-03-01", "--to", "2024-03-31")
    row = recap_json(unit="KUA-MLATI")["Rina Marlina"]
    assert (row["workdays"], row["absent_days"], row["tukin_deduction_percent"]) == (
        18,
        18,
        "54.00",
    )
    assert row["discipline"]["longest_absent_streak"] == 18
    assert row["discipline"]["sanction"] == "PEMBERHENTIAN"
