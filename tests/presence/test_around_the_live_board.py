"""Around the live board: the gaps page, a request's days and attempts, and the notifications
tell the truth about today, about closed months and about a move."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from hadir.org.models import Employee, Role
from hadir.org.services import employees_import
from hadir.presence.selectors import attempts_within
from hadir.recap.periods import period_close
from hadir.requests.models import Notification
from hadir.requests.selectors import days_around, gaps
from hadir.requests.services import RequestRefused
from tests.conftest import Org, committed, user_with_role
from tests.factories import EmployeeFactory, UnitFactory, UserFactory, pattern
from tests.presence.support import MONDAY, WIT, freeze_clock, local
from tests.requests.support import approve, file_request, punch

TUESDAY = MONDAY + timedelta(days=1)
WEDNESDAY = MONDAY + timedelta(days=2)
FEB_29 = date(2024, 2, 29)


def with_account(employee: Employee) -> Employee:
    employee.user = UserFactory.create(username=employee.nip)
    employee.save(update_fields=["user"])
    return employee


# ---------------------------------------------------------------- gaps page


def test_gaps_page_does_not_offer_days_of_a_month_already_closed(
    org: Org, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Wednesday 6 March: February may be closed from today (month end + 5 days' deadline),
    but the open period still reaches back into February until the 7th. Once the Kankemenag
    has closed February, its TK days can no longer be fixed by the employee (the request is
    refused: "02-2024 is closed"), yet the gaps page still lists them with a button."""
    freeze_clock(monkeypatch, local(WEDNESDAY, "10:00"))
    rina = with_account(EmployeeFactory.create(unit=org.kua_a, start=date(2024, 2, 28)))
    for day in (date(2024, 3, 1), MONDAY, TUESDAY):
        punch(rina, day, "07:25")
        punch(rina, day, "16:05")
    period_close(
        actor=user_with_role(Role.OPERATOR, org.kab_a), unit=org.kab_a, month=date(2024, 2, 1)
    )
    with pytest.raises(RequestRefused, match="02-2024"):
        file_request(rina, "SISTEM_ERROR", FEB_29, session="PAGI_SORE")

    offered = [g.date for g in gaps(rina, WEDNESDAY)]

    assert offered == [], f"days of a closed month offered as fixable: {offered}"


@pytest.mark.parametrize(
    ("punches", "session"),
    [((), "PAGI_SORE"), (("07:20",), "SORE")],
    ids=["no-punch-TK", "datang-only"],
)
def test_after_the_window_closes_todays_tk_or_missing_pulang_is_a_gap(
    org: Org, monkeypatch: pytest.MonkeyPatch, punches: tuple[str, ...], session: str
) -> None:
    """21:30: the presensi window is closed, the day is over (recap.services.still_lived says
    so, and it is stored as TK / PSW4 from now on), no pulang can come any more. The gaps page
    still treats today as open and offers nothing until tomorrow."""
    freeze_clock(monkeypatch, local(MONDAY, "21:30"))
    siti = EmployeeFactory.create(unit=org.kua_a, start=MONDAY)
    for hhmm in punches:
        punch(siti, MONDAY, hhmm)

    assert [(g.date, g.session) for g in gaps(siti, MONDAY)] == [(MONDAY, session)]


def test_an_afternoon_waiver_does_not_make_this_morning_a_gap_before_anyone_could_come(
    org: Org, monkeypatch: pytest.MonkeyPatch
) -> None:
    """06:30, an approved tugas luar for this afternoon (SORE) and no punch yet: the datang may
    still come for five hours (the live board says "not yet checked in"), yet the gaps page
    already lists this morning as a missing datang to report as a system error. Without the
    waiver the same morning is (rightly) no gap."""
    freeze_clock(monkeypatch, local(MONDAY, "06:30"))
    siti = with_account(EmployeeFactory.create(unit=org.kua_a, start=MONDAY))
    approve(
        file_request(siti, "TUGAS_LUAR", MONDAY, session="SORE", reason="Rapat di Kanwil."),
        user_with_role(Role.VERIFIER, org.kab_a),
    )

    assert gaps(siti, MONDAY) == []


# ---------------------------------------------------------------- a request's context


def test_a_complaint_about_this_morning_shows_today_among_its_days(
    org: Org, monkeypatch: pytest.MonkeyPatch
) -> None:
    """10:00: the machine failed this morning and Siti files a SISTEM_ERROR for today. The
    verifier's queue and the request page show the days around it from stored rows only; today
    is no longer stored until 21:00, so the very day complained about is missing from its
    context (only Saturday and Sunday are shown)."""
    freeze_clock(monkeypatch, local(MONDAY, "10:00"))
    siti = with_account(org.employees(org.kua_a)[0])
    request = file_request(siti, "SISTEM_ERROR", MONDAY, session="PAGI")

    shown = [d["day"].day for d in days_around([request])[request.pk]]

    assert MONDAY in shown, f"days shown around today's complaint: {shown}"


def test_attempts_of_a_day_before_a_move_are_read_on_that_days_clock(
    org: Org, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Siti worked at KUA A (WIB) and moves to a KUA in Jayapura (WIT) from today, Tuesday.
    Her complaint for Monday is judged on Monday's clock (WIB: datang 07:20, on time), but the
    attempts the verifier reads beside it are converted to her present unit's clock: 09:20,
    which reads as almost two hours late."""
    freeze_clock(monkeypatch, local(TUESDAY, "10:00", WIT))
    papua = UnitFactory.create(
        code="KUA-JPR",
        name="KUA Jayapura",
        parent=org.kab_a,
        timezone=WIT,
        default_pattern=pattern(),
    )
    siti = with_account(org.employees(org.kua_a)[0])
    punch(siti, MONDAY, "07:20")
    path = tmp_path / "pegawai.csv"
    path.write_text(
        "nip,name,unit,pattern,golongan,start,unit_since\n"
        f"{siti.nip},{siti.name},{papua.code},,{siti.golongan},{siti.start:%Y-%m-%d},"
        f"{TUESDAY:%Y-%m-%d}\n",
        encoding="utf-8",
    )
    with committed():
        employees_import(path=path, actor_label="test")
    siti.refresh_from_db()
    assert siti.unit_id == papua.pk
    assert siti.placed_since == TUESDAY

    [attempt] = attempts_within({1: (siti, MONDAY, MONDAY)})[1].shown

    assert f"{attempt.at:%H:%M}" == "07:20"


# ---------------------------------------------------------------- notifications


def test_opening_notifications_marks_read_only_what_the_page_showed(
    org: Org, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A verifier back from leave has 130 unread notifications; the page lists the newest 100
    and marks all 130 read: the 30 oldest are never shown and the bell no longer counts them."""
    from django.test import Client
    from django.urls import reverse

    freeze_clock(monkeypatch, local(MONDAY, "10:00"))
    verifier = user_with_role(Role.VERIFIER, org.kab_a)
    Notification.objects.bulk_create(
        Notification(user=verifier, text=f"PGD-2024-{n:06d} menunggu verifikasi.")
        for n in range(130)
    )
    client = Client()
    client.force_login(verifier)

    page = client.get(reverse("requests:notifications"))

    assert len(page.context["items"]) == 100
    assert Notification.objects.filter(user=verifier, read_at__isnull=True).count() == 30
