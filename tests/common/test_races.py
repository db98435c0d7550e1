"""Two writers at once, on PostgreSQL: each test holds one writer still at a chosen point (an
event it waits on) while another acts, then lets it finish, and checks that the two end as if
one had come after the other: a month closed while it is changed, a calendar edited while a
month is first evaluated, codes printed twice, a cuti filed while an import records a DL."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.db import connection, transaction
from django.utils import timezone

from hadir.org.models import Employee, Role
from hadir.recap import reports
from hadir.recap.periods import period_close
from hadir.requests.models import Request, Status
from hadir.requests.services import request_decide
from tests.clock import Clock
from tests.conftest import user_with_role
from tests.presence.support import needs_concurrent_writers
from tests.recap.conftest import sleman  # noqa: F401  (the fixture)
from tests.recap.support import FIVE_DAY_WORKDAYS, Sleman, attend, file_request, local, person

FIRST_WEEK = [date(2024, 3, d) for d in (4, 5, 6, 7, 8)]


@pytest.fixture(autouse=True)
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """Saturday 20 April 2024, 08:00 WIB: March may be closed (its deadline has passed)."""
    frozen = Clock(local(date(2024, 4, 20), "08:00"))
    monkeypatch.setattr(timezone, "now", lambda: frozen.now)
    return frozen


class Pause:
    """Hold the thread that makes the ``call``-th call of a patched function right after (or
    before) it, until the test lets it go."""

    def __init__(self) -> None:
        self.reached = threading.Event()
        self.go = threading.Event()

    def wrap(self, original: Callable[..., Any], *, call: int = 1, after: bool = True) -> Any:
        calls = [0]

        def paused(*args: Any, **kwargs: Any) -> Any:
            calls[0] += 1
            if not after and calls[0] == call:
                self.reached.set()
                assert self.go.wait(timeout=30)
            result = original(*args, **kwargs)
            if after and calls[0] == call:
                self.reached.set()
                assert self.go.wait(timeout=30)
            return result

        return paused

    def hold(
        self, first: Callable[[], Any], then: Callable[[], Any]
    ) -> tuple[list[Any], list[Any]]:
        """Run ``first`` until it is held, then ``then``, given 5 s (to finish, or to wait for
        ``first`` as it should); let ``first`` go and wait for both. Their results (or errors)."""
        held, held_out = in_thread(first)
        assert self.reached.wait(timeout=30), held_out
        other, other_out = in_thread(then)
        other.join(timeout=5)
        self.go.set()
        held.join(timeout=30)
        other.join(timeout=30)
        return held_out, other_out


def in_thread(work: Callable[[], Any]) -> tuple[threading.Thread, list[Any]]:
    """Start ``work`` in a thread with its own connection; its result (or error) lands in the
    list."""
    out: list[Any] = []

    def run() -> None:
        try:
            out.append(work())
        except Exception as error:  # the test's assertions look at it
            out.append(error)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, out


@pytest.fixture
def closing_ready(transactional_db: None) -> None:
    needs_concurrent_writers()


# ---------------------------------------------------------------- a request and a month close


@pytest.mark.django_db(transaction=True)
def test_a_request_approved_while_the_kankemenag_closes_march_is_in_its_frozen_figures_or_refused(
    closing_ready: None,
    sleman: Sleman,  # noqa: F811  (the fixture imported above)
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The operator of Kankemenag Sleman closes March while a verifier of KUA Mlati approves
    Ani's dinas luar of 4–8 March. The close has read the recap (five TK days for Ani) and not
    yet committed; the approval's period guard finds March open, and it commits first.

    Users see: March closed with Ani's five TK days (3 % TUKIN each) frozen in the signed
    figures, while her calendar shows DL on those days and her request "approved" — the day
    list frozen with the same closing shows DL. A change to a closed month by a non-admin.

    Expected: the approval is either in the frozen figures or waits for the close and is
    refused ("03-2024 is closed for this unit"); both frozen reports agree."""
    ani = person(sleman.kua, "Ani Rahmawati", account=True)
    attend(ani, [d for d in FIVE_DAY_WORKDAYS if d not in FIRST_WEEK], "07:25", "16:35")
    request = file_request(ani.user, ani, "DL", FIRST_WEEK[0], FIRST_WEEK[-1])
    verifier = user_with_role(Role.VERIFIER, sleman.kua)
    operator = user_with_role(Role.OPERATOR, sleman.kankemenag)
    pause = Pause()
    monkeypatch.setattr(reports, "report_rows", pause.wrap(reports.report_rows))

    # the second: done, or waiting for the close (as it should)
    closed, decided = pause.hold(
        lambda: period_close(actor=operator, unit=sleman.kankemenag, month=date(2024, 3, 1)),
        lambda: request_decide(actor=verifier, request=request, approve=True),
    )

    closing = closed[0]
    assert not isinstance(closing, Exception), closing
    status = Request.objects.get(pk=request.pk).status
    row = next(r for r in closing.snapshot if r["nip"] == ani.nip)
    daily = {r["date"]: r["status"] for r in closing.daily_snapshot if r["nip"] == ani.nip}
    frozen_week = [daily[d.isoformat()] for d in FIRST_WEEK]
    if status == Status.APPROVED:
        assert (row["absent_days"], row["absences"]) == (0, {"DL": 5}), (
            f"approved ({decided}), but the close froze {row['absent_days']} TK days"
            f" and its daily list {frozen_week}"
        )
    else:
        assert status == Status.SUBMITTED
        assert row["absent_days"] == 5
    assert frozen_week == (["DL"] * 5 if row["absences"] else ["TK"] * 5), (row, frozen_week)


@pytest.mark.django_db(transaction=True)
def test_a_holiday_added_in_kua_mlati_while_the_kankemenag_closes_march_is_refused(
    closing_ready: None,
    sleman: Sleman,  # noqa: F811  (the fixture imported above)
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An operator of KUA Mlati adds a local holiday on Wednesday 6 March just as the operator
    of the Kankemenag closes March. ``holiday_add`` asks whether March is closed before its
    transaction even begins, and nothing it takes stands in the close's way: the close commits
    between the question and the holiday.

    Users see: March closed and signed, and afterwards a holiday in it, added by an operator
    (not an admin): the 6th turns LIBUR in Ani's calendar while the signed figures still count
    it as a working day.

    Expected: the holiday is refused once March is closed ("03-2024 is closed for this unit;
    only an admin can change it"), or is in the closing's figures."""
    from hadir.recap import periods
    from hadir.schedules.models import Holiday
    from hadir.schedules.services import holiday_add, holiday_year_ensure

    holiday_year_ensure(2024)
    ani = person(sleman.kua, "Ani Rahmawati")
    attend(ani, FIVE_DAY_WORKDAYS, "07:25", "16:35")
    wednesday = date(2024, 3, 6)
    operator_kua = user_with_role(Role.OPERATOR, sleman.kua)
    operator_kab = user_with_role(Role.OPERATOR, sleman.kankemenag)
    pause = Pause()
    monkeypatch.setattr(periods, "period_guard_calendar", pause.wrap(periods.period_guard_calendar))

    # the second: done, or waiting for the holiday
    added, closed = pause.hold(
        lambda: holiday_add(unit=sleman.kua, day=wednesday, name="Hari jadi", actor=operator_kua),
        lambda: period_close(actor=operator_kab, unit=sleman.kankemenag, month=date(2024, 3, 1)),
    )

    holiday = Holiday.objects.filter(unit=sleman.kua, date=wednesday, active=True).exists()
    if isinstance(added[0], periods.PeriodClosed):  # the close came first
        assert not holiday
        assert not isinstance(closed[0], Exception), closed
        return
    # The holiday came first: the close waited for it, and freezes it, or (its days still
    # being refreshed) asks to be run again, and then does.
    assert holiday
    closing = closed[0]
    if isinstance(closing, periods.PeriodClosed):
        assert "close it again" in str(closing) or "tutup lagi" in str(closing)
        closing = period_close(actor=operator_kab, unit=sleman.kankemenag, month=date(2024, 3, 1))
    row = next(r for r in closing.snapshot if r["nip"] == ani.nip)
    assert row["workdays"] == len(FIVE_DAY_WORKDAYS) - 1


# ---------------------------------------------------------------- a calendar edit and a first evaluation


@pytest.mark.django_db(transaction=True)
def test_a_holiday_added_while_march_is_evaluated_for_the_first_time_leaves_no_tk_on_it(
    closing_ready: None,
    sleman: Sleman,  # noqa: F811  (the fixture imported above)
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Nobody has opened March's recap yet; a Pimpinan opens it (its days are evaluated for the
    first time, under Budi's lock, with the calendar read then) just as an operator adds a local
    holiday on Wednesday 6 March. The holiday's refresh lists the stored days of the unit
    without the lock, before the evaluation has committed any: it finds none, and refreshes
    nothing. The evaluation then commits its verdicts made without the holiday.

    Users see: Budi, who stayed home on the holiday, is TK on 6 March (3 % of his TUKIN and a
    day towards a discipline sanction), though the calendar shows the holiday — for good: no
    later refresh is owed.

    Expected: 6 March is LIBUR for Budi once both have committed."""
    from hadir.recap import services
    from hadir.recap.models import EmployeeDay
    from hadir.recap.services import days_ensure
    from hadir.schedules.services import holiday_add, holiday_year_ensure

    holiday_year_ensure(2024)
    wednesday = date(2024, 3, 6)
    budi = person(sleman.kua, "Budi Santoso")
    attend(budi, [d for d in FIVE_DAY_WORKDAYS if d != wednesday], "07:25", "16:35")
    operator = user_with_role(Role.OPERATOR, sleman.kua)
    pause = Pause()
    monkeypatch.setattr(services, "_rules_in_force", pause.wrap(services._rules_in_force))

    def open_the_recap() -> int:
        people = Employee.objects.filter(pk=budi.pk).select_related(
            "unit__default_pattern", "pattern"
        )
        return days_ensure(employees=list(people), start=date(2024, 3, 1), end=date(2024, 3, 31))

    # the second: done, or waiting for the evaluation's lock
    read, added = pause.hold(
        open_the_recap,
        lambda: holiday_add(unit=sleman.kua, day=wednesday, name="Hari jadi", actor=operator),
    )

    assert not isinstance(added[0], Exception), added
    assert read == [31], read
    assert EmployeeDay.objects.get(employee=budi, date=wednesday).status == "LIBUR"


@pytest.mark.django_db(transaction=True)
def test_a_start_corrected_while_march_is_evaluated_leaves_no_days_before_the_new_start(
    closing_ready: None,
    sleman: Sleman,  # noqa: F811  (the fixture imported above)
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Any,
) -> None:
    """The nightly evaluation of March has loaded Budi's record (start 1 March) and waits for
    his lock; meanwhile the Kanwil's file corrects his start to 18 March and its refresh drops
    his days before it (none are stored yet). The evaluation then stores 1–17 March from the
    start it read before the lock: TK days before he was even appointed.

    Users see: eight TK days (and a TUKIN cut) in a half-month Budi did not yet work here;
    nothing owes a refresh any more, so they stay.

    Expected: no stored day before 18 March once both have committed."""
    from hadir.common.locks import lock_employees
    from hadir.org.services import employees_import
    from hadir.recap import services
    from hadir.recap.models import EmployeeDay
    from hadir.recap.services import days_refresh_many
    from hadir.schedules.services import holiday_year_ensure

    holiday_year_ensure(2024)
    budi = person(sleman.kua, "Budi Santoso")
    attend(budi, [d for d in FIVE_DAY_WORKDAYS if d.day >= 18], "07:25", "16:35")
    pause = Pause()
    monkeypatch.setattr(services, "lock_employees", pause.wrap(lock_employees, after=False))

    def nightly() -> int:
        people = Employee.objects.filter(pk=budi.pk).select_related(
            "unit__default_pattern", "pattern"
        )
        return days_refresh_many(
            employees=list(people), start=date(2024, 3, 1), end=date(2024, 3, 31)
        )

    sheet = tmp_path / "pegawai.csv"
    sheet.write_text(
        "nip,name,unit,pattern,golongan,start\n"
        f"{budi.nip},{budi.name},KUA-MLATI,,{budi.golongan},2024-03-18\n",
        encoding="utf-8",
    )
    _wrote, imported = pause.hold(
        nightly,
        lambda: employees_import(path=sheet, actor_label="test"),
    )

    assert not isinstance(imported[0], Exception), imported
    assert Employee.objects.get(pk=budi.pk).start == date(2024, 3, 18)
    early = sorted(
        EmployeeDay.objects.filter(employee=budi, date__lt=date(2024, 3, 18)).values_list(
            "date", "status"
        )
    )
    assert early == [], f"stored before his start: {early}"


# ---------------------------------------------------------------- activation codes


@pytest.mark.django_db(transaction=True)
def test_codes_printed_twice_at_once_leave_one_valid_code(
    closing_ready: None,
    sleman: Sleman,  # noqa: F811  (the fixture imported above)
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Two operators (or a double click) print activation codes for Ani at the same instant.
    Each deletes her unused codes, then creates its own: neither sees the other's, uncommitted.

    Users see: two printed sheets for Ani, both codes working, though issuing a code promises
    that "older codes stop working" — the sheet the operator believes void opens her account.

    Expected: after both, exactly one unused code for Ani."""
    from hadir.accounts import services as accounts
    from hadir.accounts.models import ActivationCode

    ani = person(sleman.kua, "Ani Rahmawati")
    operator = user_with_role(Role.OPERATOR, sleman.kua)
    accounts.activation_codes_issue(employees=[ani], actor=operator)  # an old sheet
    pause = Pause()
    monkeypatch.setattr(accounts, "_new_code", pause.wrap(accounts._new_code))

    # the second: done, or waiting for the first
    issued_first, issued_second = pause.hold(
        lambda: accounts.activation_codes_issue(employees=[ani], actor=operator),
        lambda: accounts.activation_codes_issue(employees=[ani], actor=operator),
    )

    assert not isinstance(issued_first[0], Exception), issued_first
    assert not isinstance(issued_second[0], Exception), issued_second
    assert ActivationCode.objects.filter(employee=ani, used_at__isnull=True).count() == 1


# ---------------------------------------------------------------- a request filed and an import


@pytest.mark.django_db(transaction=True)
def test_a_cuti_filed_while_an_import_records_dinas_luar_on_the_same_days_is_refused(
    closing_ready: None,
    sleman: Sleman,  # noqa: F811  (the fixture imported above)
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Any,
) -> None:
    """Ani files cuti tahunan for 4–8 March at the instant the operator imports her approved
    dinas luar for the same week. Filing holds her employee row (FOR NO KEY UPDATE), the import
    holds her writers' lock (an advisory lock): neither waits for the other, each checks for
    overlapping absences before the other has committed, and both are recorded.

    Users see: two absences on the same days — an approved DL and a pending cuti eating five
    days of her annual leave balance — which the form and the import both promise to refuse
    ("Another absence already covers some of these dates.").

    Expected: one of the two is refused; at most one active absence covers 4–8 March."""
    from hadir.requests import services as request_services
    from hadir.requests.imports import excuses_import
    from hadir.schedules.services import holiday_year_ensure

    holiday_year_ensure(2024)
    ani = person(sleman.kua, "Ani Rahmawati", account=True)
    attend(ani, [d for d in FIVE_DAY_WORKDAYS if d not in FIRST_WEEK], "07:25", "16:35")
    pause = Pause()
    monkeypatch.setattr(
        request_services, "request_validate", pause.wrap(request_services.request_validate)
    )

    sheet = tmp_path / "keterangan.csv"
    sheet.write_text(
        f"nip,code,start,end,session\n{ani.nip},DL,2024-03-04,2024-03-08,\n", encoding="utf-8"
    )
    # the second: done, or waiting for the filing
    filed, imported = pause.hold(
        lambda: file_request(ani.user, ani, "CT", FIRST_WEEK[0], FIRST_WEEK[-1]),
        lambda: excuses_import(path=sheet, actor_label="test"),
    )

    active = list(
        Request.objects.filter(
            employee=ani, status__in=[Status.SUBMITTED, Status.APPROVED]
        ).values_list("reference", "code", "status")
    )
    assert len(active) == 1, f"overlapping absences: {active} ({filed}, {imported})"


@pytest.mark.django_db(transaction=True)
def test_the_first_requests_of_a_year_filed_and_imported_at_once_do_not_deadlock(
    closing_ready: None,
    sleman: Sleman,  # noqa: F811  (the fixture imported above)
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Any,
) -> None:
    """Nobody has read 2024's calendar yet (a new year, or a fresh install). Ani files a cuti
    tahunan: its leave balance reads the calendar, which fills the year's holidays inside her
    filing's transaction (``holiday_year_ensure`` inserts the year's row, held until commit).
    At the same instant the operator imports Budi's dinas luar: the import takes the
    reference counter, then re-evaluates Budi's days, whose calendar waits for Ani's
    uncommitted year row; Ani's filing then waits for the counter. PostgreSQL kills one.

    Users see: a server error ("deadlock detected") for Ani's form or the operator's import,
    two unrelated employees' requests.

    Expected: both recorded, one after the other."""
    from hadir.requests import services as request_services
    from hadir.requests.imports import excuses_import

    ani = person(sleman.kua, "Ani Rahmawati", account=True)
    budi = person(sleman.kua_depok, "Budi Santoso")
    pause = Pause()
    monkeypatch.setattr(
        request_services, "request_validate", pause.wrap(request_services.request_validate)
    )

    sheet = tmp_path / "keterangan.csv"
    sheet.write_text(
        f"nip,code,start,end,session\n{budi.nip},DL,2024-03-04,2024-03-08,\n", encoding="utf-8"
    )
    # the second: waiting for Ani's year row
    filed, imported = pause.hold(
        lambda: file_request(ani.user, ani, "CT", FIRST_WEEK[0], FIRST_WEEK[-1]),
        lambda: excuses_import(path=sheet, actor_label="test"),
    )

    assert not isinstance(filed[0], Exception), filed
    assert not isinstance(imported[0], Exception), imported
    assert Request.objects.filter(status__in=[Status.SUBMITTED, Status.APPROVED]).count() == 2


@pytest.mark.django_db(transaction=True)
def test_a_punch_file_waits_for_a_close_of_the_former_unit_before_locking_anyone(
    closing_ready: None,
    sleman: Sleman,  # noqa: F811  (the fixture imported above)
    tmp_path: Any,
) -> None:
    """Siti moved from KUA Mlati to the MTs on 1 April; the MTs' operator imports a punch file
    with her row of 5 March, a day of the KUA's March, while the KUA's operator closes March.

    Expected: the import waits for the close before it locks Siti's records, as the close's
    own order is (months first, then employees). Locking Siti first and the KUA's months
    second, the import and a close that reads Siti's days could each wait for the other."""
    from hadir.common.locks import LOCK_SPACE, lock_months_closing
    from tests.recap.test_moves import import_punches, move, operator_of

    siti = person(sleman.kua, "Siti Hasanah")
    move(tmp_path, siti, "MTS-AL-IKHLAS", "2024-04-01")
    mts_operator = operator_of(sleman.mts)
    closing, release = threading.Event(), threading.Event()

    def close_under_way() -> None:
        with transaction.atomic():
            lock_months_closing(sleman.kua.pk, sleman.kua.ancestor_ids)
            closing.set()
            assert release.wait(timeout=30)

    closer, closer_out = in_thread(close_under_way)
    assert closing.wait(timeout=30), closer_out
    importer, imported = in_thread(
        lambda: import_punches(tmp_path, mts_operator, f"{siti.nip},2024-03-05 12:00")
    )
    importer.join(timeout=3)  # long enough to reach the lock it waits for
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s, %s)", [LOCK_SPACE, siti.pk])
        siti_free = cursor.fetchone()[0]
    release.set()
    closer.join(timeout=30)
    importer.join(timeout=30)

    assert siti_free, "the import locked Siti while it waited for the KUA's close"
    assert imported, "the import did not finish"
    assert not isinstance(imported[0], Exception), imported
