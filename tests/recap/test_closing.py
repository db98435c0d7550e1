"""Closing a month: after the request deadline, by an operator of the unit; then frozen.

March 2024 ends on Sunday the 31st; with the default deadline (``recap.close_after_days`` = 5)
it can be closed from Saturday 6 April. Once closed, a request touching March needs an admin
(audited), the recap exports come out byte for byte the same from the snapshot taken at
closing, whatever an admin changes afterwards, and only an admin can reopen it (audited).
"""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.http import Http404

from hadir.accounts.models import User
from hadir.common.models import AuditEvent
from hadir.common.tables import TableRefused
from hadir.org.models import Employee, Role
from hadir.presence.imports import punches_import
from hadir.recap.models import EmployeeDay, PeriodClose, StaleTally
from hadir.recap.periods import PeriodClosed, period_close, period_reopen
from hadir.recap.reports import letter_of
from hadir.recap.selectors import recap_month
from hadir.recap.services import days_refresh
from hadir.requests.models import Request, Status
from hadir.requests.services import RequestRefused, request_decide
from hadir.schedules.models import PolicyValue
from tests.clock import Clock
from tests.conftest import committed, user_with_role
from tests.factories import EmployeeFactory
from tests.recap.support import (
    Sleman,
    file_request,
    leader_of,
    local,
    logged_in,
    march,
    person,
    punch,
    recap_command,
    recap_json,
    with_account,
)

pytestmark = pytest.mark.usefixtures("march_people")

MARCH = date(2024, 3, 1)
SATURDAY_6_APRIL = date(2024, 4, 6)
FORMATS = ("json", "csv", "xlsx", "pdf")


@pytest.fixture
def operator(sleman: Sleman) -> User:
    """The Pengelola Presensi of KUA Mlati."""
    return user_with_role(Role.OPERATOR, sleman.kua)


@pytest.fixture
def admin(db: None) -> User:
    return user_with_role(Role.ADMIN, None)


@pytest.fixture
def verifier(sleman: Sleman) -> User:
    return user_with_role(Role.VERIFIER, sleman.kankemenag)


@pytest.fixture
def closed(
    sleman: Sleman, operator: User, clock: Clock, march_people: dict[str, Employee]
) -> PeriodClose:
    """March closed for KUA Mlati by its operator on Saturday 6 April, 08:00."""
    clock.set(local(SATURDAY_6_APRIL, "08:00"))
    return period_close(actor=operator, unit=sleman.kua, month=MARCH)


def exports(unit: str = "KUA-MLATI") -> dict[str, bytes]:
    """``manage.py recap --month 2024-03 --unit UNIT --format F`` for every format."""
    return {
        fmt: recap_command("--month", "2024-03", "--unit", unit, "--format", fmt) for fmt in FORMATS
    }


# ---------------------------------------------------------------- the deadline and the scope


def test_a_month_cannot_be_closed_before_the_request_deadline(
    sleman: Sleman, operator: User, clock: Clock
) -> None:
    for moment in (local(date(2024, 4, 2), "10:00"), local(date(2024, 4, 5), "23:59")):
        clock.set(moment)
        with pytest.raises(PeriodClosed, match="06-04-2024"):
            period_close(actor=operator, unit=sleman.kua, month=MARCH)
    assert not PeriodClose.objects.exists()


def test_the_operator_closes_the_month_from_the_sixth_day_after_it_ends_and_it_is_audited(
    sleman: Sleman, operator: User, clock: Clock
) -> None:
    live = recap_json(unit="KUA-MLATI")
    live_daily = recap_command("--month", "2024-03", "--unit", "KUA-MLATI", "--daily")
    clock.set(local(SATURDAY_6_APRIL, "00:00"))
    closed = period_close(actor=operator, unit=sleman.kua, month=MARCH)
    assert (closed.unit.code, closed.month, closed.closed_by) == ("KUA-MLATI", MARCH, operator)
    assert {row["name"]: row for row in closed.snapshot} == live
    assert closed.daily_snapshot == json.loads(live_daily)
    assert len(closed.daily_snapshot) == 3 * 31
    event = AuditEvent.objects.get(action="recap.period_close")
    assert (event.actor, event.object_id, event.after) == (
        operator,
        str(closed.pk),
        {"employees": 3},
    )


def test_the_deadline_is_read_on_the_units_own_clock(sleman: Sleman, clock: Clock) -> None:
    """22:30 on Friday 5 April in Jakarta is already Saturday in Jayapura."""
    sleman.kua_depok.timezone = "Asia/Jayapura"
    sleman.kua_depok.save()
    clock.set(local(date(2024, 4, 5), "22:30"))
    depok_operator = user_with_role(Role.OPERATOR, sleman.kua_depok)

    assert period_close(actor=depok_operator, unit=sleman.kua_depok, month=MARCH).month == MARCH
    with pytest.raises(PeriodClosed, match="06-04-2024"):
        period_close(actor=user_with_role(Role.OPERATOR, sleman.kua), unit=sleman.kua, month=MARCH)


def test_the_deadline_is_policy_data(sleman: Sleman, operator: User, clock: Clock) -> None:
    PolicyValue.objects.create(key="recap.close_after_days", effective_from=march(15), value="10")
    clock.set(local(SATURDAY_6_APRIL, "08:00"))
    with pytest.raises(PeriodClosed, match="11-04-2024"):
        period_close(actor=operator, unit=sleman.kua, month=MARCH)
    clock.set(local(date(2024, 4, 11), "08:00"))
    assert period_close(actor=operator, unit=sleman.kua, month=MARCH).month == MARCH


def test_a_month_closes_only_within_the_operators_scope_and_only_once(
    sleman: Sleman, operator: User, clock: Clock
) -> None:
    clock.set(local(SATURDAY_6_APRIL, "08:00"))
    other_operator = user_with_role(Role.OPERATOR, sleman.kua_depok)
    leader = user_with_role(Role.LEADER, sleman.kua)
    for outsider in (other_operator, leader):
        with pytest.raises(Http404):
            period_close(actor=outsider, unit=sleman.kua, month=MARCH)
    period_close(actor=operator, unit=sleman.kua, month=MARCH)
    with pytest.raises(PeriodClosed):
        period_close(actor=operator, unit=sleman.kua, month=MARCH)
    assert PeriodClose.objects.count() == 1


def test_closing_a_kankemenag_closes_the_units_under_it(
    sleman: Sleman, march_people: dict[str, Employee], clock: Clock
) -> None:
    clock.set(local(SATURDAY_6_APRIL, "08:00"))
    head_operator = user_with_role(Role.OPERATOR, sleman.kankemenag)
    period_close(actor=head_operator, unit=sleman.kankemenag, month=MARCH)
    citra = march_people["Citra"]
    with pytest.raises(RequestRefused, match="03-2024"):
        file_request(with_account(citra), citra, "CS", march(27))


# ---------------------------------------------------------------- after closing


@pytest.mark.usefixtures("closed")
def test_after_closing_an_employees_request_for_that_month_is_refused(
    march_people: dict[str, Employee],
) -> None:
    eko = march_people["Eko"]
    account = with_account(eko)
    with pytest.raises(RequestRefused, match="03-2024"):
        file_request(account, eko, "SISTEM_ERROR", march(13), session="PAGI_SORE")
    assert not Request.objects.filter(employee=eko).exists()
    april = file_request(account, eko, "SISTEM_ERROR", date(2024, 4, 1), session="PAGI")
    assert april.status == Status.SUBMITTED


def test_a_request_filed_before_closing_can_no_longer_be_approved_by_a_verifier(
    sleman: Sleman, operator: User, verifier: User, march_people: dict[str, Employee], clock: Clock
) -> None:
    eko = march_people["Eko"]
    pending = file_request(with_account(eko), eko, "CS", march(13), march(15))
    clock.set(local(SATURDAY_6_APRIL, "08:00"))
    period_close(actor=operator, unit=sleman.kua, month=MARCH)
    with pytest.raises(RequestRefused, match="03-2024"):
        request_decide(actor=verifier, request=pending, approve=True)
    pending.refresh_from_db()
    assert pending.status == Status.SUBMITTED


@pytest.mark.usefixtures("closed")
def test_an_admin_may_still_change_a_closed_month_and_is_audited(
    admin: User, march_people: dict[str, Employee], clock: Clock
) -> None:
    eko = march_people["Eko"]
    request = file_request(admin, eko, "CS", march(13), march(14))
    decided = clock.advance(hours=1)
    request_decide(actor=admin, request=request, approve=True)
    assert [EmployeeDay.objects.get(employee=eko, date=march(d)).status for d in (13, 14, 15)] == [
        "CS",
        "CS",
        "TK",
    ]
    actions = AuditEvent.objects.filter(actor=admin).values_list("action", "summary", "at")
    assert [(a, s) for a, s, _ in actions.order_by("id")] == [
        ("requests.submit", request.reference),
        ("requests.approve", request.reference),
    ]
    assert actions.order_by("id").last()[2] == decided  # type: ignore[index]


@pytest.mark.usefixtures("closed")
def test_punches_for_a_closed_month_are_refused_to_the_operator_and_accepted_from_an_admin(
    operator: User, admin: User, march_people: dict[str, Employee], tmp_path: Path
) -> None:
    eko = march_people["Eko"]
    log = tmp_path / "mesin.csv"
    log.write_text(f"nip,time\n{eko.nip},2024-03-13T07:20:00+07:00\n", encoding="utf-8")
    with pytest.raises(TableRefused, match="03-2024"):
        punches_import(path=log, actor=operator)
    assert EmployeeDay.objects.get(employee=eko, date=march(13)).status == "TK"
    punches_import(path=log, actor=admin)
    assert EmployeeDay.objects.get(employee=eko, date=march(13)).status == "H"


@pytest.mark.usefixtures("closed")
def test_a_holiday_in_a_closed_month_is_refused_to_the_operator_and_accepted_from_an_admin(
    sleman: Sleman, operator: User, admin: User, march_people: dict[str, Employee]
) -> None:
    from hadir.schedules.services import holiday_add, holiday_drop

    eko = march_people["Eko"]
    with pytest.raises(PeriodClosed, match="03-2024"):
        holiday_add(unit=sleman.kua, day=march(13), name="Libur lokal", actor=operator)
    with pytest.raises(PeriodClosed, match="03-2024"):
        holiday_drop(unit=sleman.kua, day=march(11), actor=operator)  # Nyepi
    assert EmployeeDay.objects.get(employee=eko, date=march(13)).status == "TK"
    with committed():
        holiday_add(unit=sleman.kua, day=march(13), name="Libur lokal", actor=admin)
    assert EmployeeDay.objects.get(employee=eko, date=march(13)).status == "LIBUR"


def test_a_holiday_of_the_kankemenag_is_refused_when_a_unit_below_it_closed_the_month(
    sleman: Sleman, clock: Clock
) -> None:
    """The Kankemenag's holiday changes the days of KUA Mlati, which has closed March."""
    from hadir.schedules.services import holiday_add

    clock.set(local(SATURDAY_6_APRIL, "08:00"))
    period_close(actor=user_with_role(Role.OPERATOR, sleman.kua), unit=sleman.kua, month=MARCH)

    with pytest.raises(PeriodClosed, match="03-2024"):
        holiday_add(
            unit=sleman.kankemenag,
            day=march(13),
            name="Libur lokal",
            actor=user_with_role(Role.OPERATOR, sleman.kankemenag),
        )
    holiday_add(
        unit=sleman.kankemenag,
        day=date(2024, 4, 10),
        name="Libur lokal",
        actor=user_with_role(Role.OPERATOR, sleman.kankemenag),
    )  # April is open


@pytest.mark.usefixtures("closed")
def test_the_calendar_page_says_why_a_holiday_in_a_closed_month_is_refused(
    sleman: Sleman, operator: User
) -> None:
    from django.urls import reverse

    page = logged_in(operator).post(
        reverse("schedules:unit_holidays", args=[sleman.kua.pk]),
        {"date": "2024-03-13", "name": "Libur lokal"},
    )

    assert page.status_code == 200
    assert "03-2024 sudah ditutup untuk unit ini" in page.content.decode()
    assert not AuditEvent.objects.filter(action="schedules.holiday_add").exists()


def test_a_closed_months_exports_are_byte_for_byte_the_same_even_after_an_admin_changes_it(
    closed: PeriodClose, admin: User, march_people: dict[str, Employee]
) -> None:
    first = exports()
    assert exports() == first, "two runs give the same bytes"

    # An admin excuses two of Eko's TK days (cuti sakit): the live figures change ...
    eko = march_people["Eko"]
    request_decide(
        actor=admin, request=file_request(admin, eko, "CS", march(13), march(14)), approve=True
    )
    live = next(iter(recap_month(employees=Employee.objects.filter(pk=eko.pk), month=MARCH)))
    assert (live.as_dict()["absent_days"], live.as_dict()["absences"]) == (8, {"CS": 2})

    # ... the closed month's exports do not: they come from the snapshot.
    assert exports() == first
    frozen = {row["name"]: row for row in json.loads(first["json"])}
    assert frozen["Eko Prasetyo"]["absent_days"] == 10


@pytest.mark.parametrize("closed_by", ["the KUA itself", "its Kankemenag"])
def test_a_closed_months_letter_keeps_the_head_and_name_it_was_closed_under(
    closed_by: str, sleman: Sleman, clock: Clock
) -> None:
    """After closing, the KUA gets a new head and a new name: the closed month's exports still
    say who signed them then, whether the KUA closed March or the Kankemenag above it did."""
    unit = sleman.kua if closed_by == "the KUA itself" else sleman.kankemenag
    clock.set(local(SATURDAY_6_APRIL, "08:00"))
    closing = period_close(actor=user_with_role(Role.OPERATOR, unit), unit=unit, month=MARCH)
    first = exports()
    leader_of(sleman.kua, person(sleman.kua, "Kepala Baru", account=True))
    sleman.kua.name = "KUA Kapanewon Mlati"
    sleman.kua.save()
    assert closing.letter[str(sleman.kua.pk)]["unit_name"] == "KUA Mlati"
    assert letter_of(sleman.kua) != closing.letter[str(sleman.kua.pk)]

    assert exports() == first


def test_the_export_page_serves_the_frozen_bytes_too(
    closed: PeriodClose, sleman: Sleman, admin: User, march_people: dict[str, Employee]
) -> None:
    leader = user_with_role(Role.LEADER, sleman.kua)
    eko = march_people["Eko"]
    request_decide(
        actor=admin, request=file_request(admin, eko, "CS", march(13), march(14)), approve=True
    )
    downloaded = logged_in(leader).post(
        f"/rekap/unit/{sleman.kua.pk}/ekspor/?bulan=2024-03", {"format": "xlsx"}
    )
    assert downloaded.status_code == 200
    assert downloaded.content == exports()["xlsx"]


def test_only_an_admin_reopens_a_month_and_it_is_audited(
    closed: PeriodClose, operator: User, admin: User, march_people: dict[str, Employee]
) -> None:
    with pytest.raises(PeriodClosed):
        period_reopen(actor=operator, closing=closed)
    assert PeriodClose.objects.filter(pk=closed.pk).exists()

    eko = march_people["Eko"]
    request_decide(
        actor=admin, request=file_request(admin, eko, "CS", march(13), march(14)), approve=True
    )
    frozen = exports()
    period_reopen(actor=admin, closing=closed)
    assert not PeriodClose.objects.exists()
    kept = PeriodClose.history.get(pk=closed.pk)  # what was signed stays on record
    assert (kept.reopened_by, kept.snapshot) == (admin, closed.snapshot)
    assert {row["name"]: row for row in kept.snapshot}["Eko Prasetyo"]["absent_days"] == 10
    event = AuditEvent.objects.get(action="recap.period_reopen")
    assert event.actor == admin
    assert event.before == {
        "closed_by": operator.pk,
        "closed_at": closed.closed_at.isoformat(),
        "rows": 3,
    }
    reopened = exports()
    assert reopened["xlsx"] != frozen["xlsx"]
    assert recap_json(unit="KUA-MLATI")["Eko Prasetyo"]["absent_days"] == 8


def test_closing_and_reopening_from_the_unit_page(
    sleman: Sleman, operator: User, admin: User, clock: Clock
) -> None:
    url = f"/rekap/unit/{sleman.kua.pk}/"
    page = logged_in(operator).get(url, {"bulan": "2024-03"})
    assert (page.context["can_close"], page.context["can_reopen"]) == (True, False)

    refused = logged_in(operator).post(
        f"{url}tutup/?bulan=2024-03", {"action": "close"}, follow=True
    )
    assert not PeriodClose.objects.exists()
    assert "06-04-2024" in " ".join(str(m) for m in refused.context["messages"])

    clock.set(local(SATURDAY_6_APRIL, "08:00"))
    done = logged_in(operator).post(f"{url}tutup/?bulan=2024-03", {"action": "close"})
    assert done.status_code == 302
    assert done["Location"] == f"{url}?bulan=2024-03"
    page = logged_in(operator).get(url, {"bulan": "2024-03"})
    assert page.context["closing"].closed_by == operator
    assert (page.context["can_close"], page.context["can_reopen"]) == (False, False)

    assert (
        logged_in(operator).post(f"{url}tutup/?bulan=2024-03", {"action": "reopen"}).status_code
        == 302
    )
    assert PeriodClose.objects.exists(), "an operator's reopen is refused"
    assert logged_in(admin).get(url, {"bulan": "2024-03"}).context["can_reopen"] is True
    logged_in(admin).post(f"{url}tutup/?bulan=2024-03", {"action": "reopen"})
    assert not PeriodClose.objects.exists()


def test_the_pages_of_a_closed_month_name_who_closed_it_not_their_login(
    sleman: Sleman, operator: User, clock: Clock, march_people: dict[str, Employee]
) -> None:
    """Employees log in with their NIP: "closed by 1977…2011" tells a reader nothing."""
    EmployeeFactory.create(name="Rina Kartika", unit=sleman.kua, user=operator)
    clock.set(local(SATURDAY_6_APRIL, "08:00"))
    period_close(actor=operator, unit=sleman.kua, month=MARCH)
    eko = march_people["Eko"]

    unit_page = logged_in(operator).get(f"/rekap/unit/{sleman.kua.pk}/?bulan=2024-03")
    eko_page = logged_in(operator).get(f"/rekap/pegawai/{eko.pk}/?bulan=2024-03")

    for page in (unit_page, eko_page):
        assert "Ditutup oleh Rina Kartika pada 06-04-2024 08:00" in page.content.decode()


def test_the_unit_page_of_a_closed_month_shows_the_frozen_figures(
    closed: PeriodClose, sleman: Sleman, admin: User, march_people: dict[str, Employee]
) -> None:
    eko = march_people["Eko"]
    request_decide(
        actor=admin, request=file_request(admin, eko, "CS", march(13), march(14)), approve=True
    )
    leader = user_with_role(Role.LEADER, sleman.kua)
    page = logged_in(leader).get(f"/rekap/unit/{sleman.kua.pk}/?bulan=2024-03")
    shown = {row["name"]: row for row in page.context["page"]}
    assert shown["Eko Prasetyo"]["absent_days"] == 10
    assert shown["Eko Prasetyo"]["absences"] == {}


def excuse_two_of_ekos_days(admin: User, eko: Employee) -> None:
    """An admin (who may change a closed month) approves cuti sakit for 13–14 March: Eko's live
    March has 8 TK, the frozen one 10."""
    request_decide(
        actor=admin, request=file_request(admin, eko, "CS", march(13), march(14)), approve=True
    )


def month_json(user: User, unit: Any) -> dict[str, dict[str, Any]]:
    response = logged_in(user).post(
        f"/rekap/unit/{unit.pk}/ekspor/?bulan=2024-03", {"format": "json"}
    )
    assert response.status_code == 200
    return {row["name"]: row for row in json.loads(response.content)}


@pytest.mark.usefixtures("closed")
def test_the_charts_of_a_closed_month_are_drawn_from_the_frozen_days_as_the_table(
    sleman: Sleman, admin: User, march_people: dict[str, Employee]
) -> None:
    excuse_two_of_ekos_days(admin, march_people["Eko"])

    page = logged_in(leader_of(sleman.kua)).get(f"/rekap/unit/{sleman.kua.pk}/?bulan=2024-03")

    bars = re.findall(r"<title>\d+: (\d+)</title>", page.context["charts"]["absent_by_day"])
    assert sum(int(n) for n in bars) == page.context["totals"]["tk"]
    assert page.context["totals"]["tk"] == sum(r["absent_days"] for r in page.context["page"])
    assert {r["name"]: r["absent_days"] for r in page.context["page"]}["Eko Prasetyo"] == 10


@pytest.mark.usefixtures("closed")
def test_someone_moved_out_after_closing_stays_in_the_closed_month_on_the_page_and_in_exports(
    sleman: Sleman, march_people: dict[str, Employee]
) -> None:
    leader = leader_of(sleman.kua)
    before = month_json(leader, sleman.kua)
    eko = march_people["Eko"]
    eko.unit = sleman.kua_depok
    eko.save()

    assert month_json(leader, sleman.kua) == before
    page = logged_in(leader).get(f"/rekap/unit/{sleman.kua.pk}/?bulan=2024-03")
    shown = {r["name"]: r for r in page.context["page"]}
    assert sorted(shown) == sorted(before)
    assert shown["Eko Prasetyo"]["id"] is None  # no longer theirs to open: named, not linked
    assert "Eko Prasetyo" in page.content.decode()


@pytest.mark.usefixtures("closed")
def test_an_open_kankemenag_and_the_whole_recap_show_a_closed_kuas_people_as_it_froze_them(
    sleman: Sleman, admin: User, march_people: dict[str, Employee]
) -> None:
    excuse_two_of_ekos_days(admin, march_people["Eko"])
    head = leader_of(sleman.kankemenag)

    kankemenag = month_json(head, sleman.kankemenag)

    assert kankemenag["Eko Prasetyo"] == month_json(head, sleman.kua)["Eko Prasetyo"]
    assert kankemenag["Eko Prasetyo"]["absent_days"] == 10
    assert list(kankemenag) == sorted(kankemenag, key=lambda name: kankemenag[name]["nip"])
    everyone = json.loads(recap_command("--month", "2024-03", "--format", "json"))
    assert {row["name"]: row for row in everyone}["Eko Prasetyo"] == kankemenag["Eko Prasetyo"]


@pytest.mark.usefixtures("closed")
def test_a_kankemenag_closing_later_keeps_the_kuas_signed_figures_and_the_kua_cannot_close_again(
    sleman: Sleman, admin: User, operator: User, march_people: dict[str, Employee]
) -> None:
    kua_before = exports()
    excuse_two_of_ekos_days(admin, march_people["Eko"])

    period_close(
        actor=user_with_role(Role.OPERATOR, sleman.kankemenag), unit=sleman.kankemenag, month=MARCH
    )

    assert exports() == kua_before
    frozen = {row["name"]: row for row in json.loads(exports("KAB-SLEMAN")["json"])}
    assert frozen["Eko Prasetyo"]["absent_days"] == 10
    with pytest.raises(PeriodClosed, match="sudah ditutup"):
        period_close(actor=operator, unit=sleman.kua, month=MARCH)


def test_a_closed_month_keeps_everyone_it_froze_after_its_unit_is_given_another_code(
    sleman: Sleman, closed: PeriodClose
) -> None:
    signed = {row["name"] for row in closed.snapshot}
    sleman.kua.code = "KUA-MLATI-2025"
    sleman.kua.save()

    rows = json.loads(recap_command("--month", "2024-03", "--unit", "KUA-MLATI-2025"))

    assert {row["name"] for row in rows} == signed


def test_a_closed_kankemenag_keeps_a_kua_moved_under_another_office_since(
    sleman: Sleman, clock: Clock
) -> None:
    from hadir.org.services import unit_paths_refresh
    from tests.factories import UnitFactory

    clock.set(local(SATURDAY_6_APRIL, "08:00"))
    closing = period_close(
        actor=user_with_role(Role.OPERATOR, sleman.kankemenag), unit=sleman.kankemenag, month=MARCH
    )
    bantul = UnitFactory.create(code="KAB-BANTUL", name="Kankemenag Bantul", kind="KANKEMENAG")
    sleman.kua.parent = bantul
    sleman.kua.save()
    unit_paths_refresh(sleman.kua)

    rows = json.loads(recap_command("--month", "2024-03", "--unit", "KAB-SLEMAN"))

    assert {row["name"] for row in rows} == {row["name"] for row in closing.snapshot}


def test_an_employees_page_of_a_closed_month_shows_the_frozen_figures_and_what_changed(
    closed: PeriodClose, sleman: Sleman, admin: User, march_people: dict[str, Employee]
) -> None:
    """The drill-down from the unit page, and the employee's own month: the same figures as
    the unit page and the signed exports, and a word on an admin's change since."""
    eko = march_people["Eko"]
    request_decide(
        actor=admin, request=file_request(admin, eko, "CS", march(13), march(14)), approve=True
    )
    leader = logged_in(user_with_role(Role.LEADER, sleman.kua))

    page = leader.get(f"/rekap/pegawai/{eko.pk}/?bulan=2024-03")

    shown = page.context["recap"]
    assert (shown["absent_days"], shown["tukin_deduction_percent"]) == (10, "30.00")
    day_13 = next(c for w in page.context["weeks"] for c in w if c["date"] == march(13))
    assert day_13["row"]["status"] == "TK"  # as frozen, though CS now
    text = page.content.decode()
    assert "angka-angkanya dibekukan" in text
    assert "keadaannya kini: TK 8, potongan TUKIN 24,00 %" in text
    assert page.context["month_reasons"] == []  # they would explain the figures of now


def test_an_unchanged_closed_month_reads_the_same_on_the_employees_page(
    closed: PeriodClose, sleman: Sleman, march_people: dict[str, Employee]
) -> None:
    eko = march_people["Eko"]
    leader = logged_in(user_with_role(Role.LEADER, sleman.kua))

    page = leader.get(f"/rekap/pegawai/{eko.pk}/?bulan=2024-03")

    assert page.context["recap"]["absent_days"] == 10
    assert page.context["now"] is None
    assert page.context["month_reasons"]


def test_a_day_refreshed_after_the_last_recap_read_is_in_the_closing_snapshot(
    sleman: Sleman, operator: User, clock: Clock
) -> None:
    """A check-in or an import only marks its month; closing recounts it before the snapshot."""
    before = recap_json(unit="KUA-MLATI")
    absent = EmployeeDay.objects.filter(employee__unit=sleman.kua, status="TK").earliest("date")
    employee = absent.employee
    punch(employee, absent.date, "07:47")
    punch(employee, absent.date, "16:01")
    days_refresh(employee=employee, dates=[absent.date])
    assert StaleTally.objects.filter(employee=employee, month=MARCH).exists()

    clock.set(local(SATURDAY_6_APRIL, "08:00"))
    closed = period_close(actor=operator, unit=sleman.kua, month=MARCH)

    snapshot = {row["name"]: row for row in closed.snapshot}
    assert snapshot[employee.name]["absent_days"] == before[employee.name]["absent_days"] - 1
    assert snapshot == recap_json(unit="KUA-MLATI")
    assert not StaleTally.objects.filter(month=MARCH, employee__unit=sleman.kua).exists()


def test_reopening_from_a_kuas_page_does_not_reopen_the_whole_kankemenags_signed_month(
    sleman: Sleman, clock: Clock
) -> None:
    """The Kankemenag closes March for every unit under it. KUA Mlati's page says whose
    closing it is and offers no "Reopen (admin)"; a reopen sent from it anyway is refused
    with the reason, so MAN 2 Sleman, the MTs and KUA Depok keep their signed month. The
    Kankemenag's own page reopens it (found by a review helper)."""
    clock.set(local(SATURDAY_6_APRIL, "08:00"))
    period_close(
        actor=user_with_role(Role.OPERATOR, sleman.kankemenag),
        unit=sleman.kankemenag,
        month=MARCH,
    )
    admin = logged_in(user_with_role(Role.ADMIN, None))
    kua_page = admin.get(f"/rekap/unit/{sleman.kua.pk}/", {"bulan": "2024-03"})
    assert kua_page.context["can_reopen"] is False
    assert sleman.kankemenag.name in kua_page.content.decode()

    sent = admin.post(
        f"/rekap/unit/{sleman.kua.pk}/tutup/?bulan=2024-03", {"action": "reopen"}, follow=True
    )

    assert PeriodClose.objects.filter(unit=sleman.kankemenag, month=MARCH).exists()
    assert any(sleman.kankemenag.name in str(m) for m in sent.context["messages"])
    office = f"/rekap/unit/{sleman.kankemenag.pk}/"
    assert admin.get(office, {"bulan": "2024-03"}).context["can_reopen"] is True
    admin.post(f"{office}tutup/?bulan=2024-03", {"action": "reopen"})
    assert not PeriodClose.objects.filter(unit=sleman.kankemenag, month=MARCH).exists()
