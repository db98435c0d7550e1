"""Beside a complaint, what the machine and the app saw: every punch and refused check-in of
the employee on the request's dates, in the unit's time, on the request's page and in the
verification queue. A refused check-in is the evidence of a SISTEM_ERROR complaint."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from hadir.accounts.models import User
from hadir.org.models import Employee
from hadir.presence import selectors
from hadir.presence.models import Machine, Punch, Refusal
from hadir.presence.selectors import attempts_within
from tests.conftest import Org
from tests.presence.support import punch_append
from tests.requests.support import (
    MONDAY,
    TUESDAY,
    client_for,
    file_request,
    local,
    punch,
)

FAR_AWAY = "Anda berada 2.1 km dari KUA A, di luar semua titik lokasi yang diizinkan."


def refused(employee: Employee, at: datetime, message: str = FAR_AWAY) -> Refusal:
    return Refusal.objects.create(
        employee=employee,
        at=at,
        reason=Refusal.Reason.OUTSIDE_AREA,
        message=message,
        latitude=-5.1,
        longitude=119.4,
        accuracy_m=12,
    )


def test_the_request_page_lists_the_days_punches_and_refusals_in_time_order(
    siti: Employee, verifier: User
) -> None:
    refused(siti, local(MONDAY, "07:21"))
    machine = Machine.objects.create(unit=siti.unit, name="Mesin lobi", serial="ZK-1")
    punch_append(
        siti,
        Punch(
            employee=siti, at=local(MONDAY, "16:05"), source=Punch.Source.MACHINE, machine=machine
        ),
    )
    item = file_request(siti, "SISTEM_ERROR", MONDAY)

    page = client_for(verifier).get(reverse("requests:detail", args=[item.reference]))

    text = page.content.decode()
    assert "Presensi pada tanggal ini" in text
    refusal_at, punch_at = text.index("07:21:00"), text.index("16:05:00")
    assert refusal_at < punch_at
    assert FAR_AWAY in text
    assert "<td>di luar semua titik lokasi</td>" in text  # the reason, in Indonesian
    assert "Mesin lobi" in text
    assert "<td>mesin absensi</td>" in text


def test_only_the_requests_dates_and_the_requests_employee_are_listed(
    siti: Employee, budi: Employee
) -> None:
    punch(siti, TUESDAY, "07:10")
    punch(budi, MONDAY, "07:11")
    refused(budi, local(MONDAY, "07:12"))
    item = file_request(siti, "SISTEM_ERROR", MONDAY)

    attempts = attempts_within({item.pk: (siti, item.start, item.end)})[item.pk]

    assert attempts.total == 0
    assert attempts.shown == []


def test_the_dates_are_the_units_own_days_in_wita(org: Org, siti: Employee) -> None:
    """23:30 WITA on Monday is Monday; 00:30 WITA on Tuesday is not, though both are Monday
    in WIB and in UTC."""
    siti.unit.timezone = "Asia/Makassar"
    siti.unit.save(update_fields=["timezone"])
    wita = ZoneInfo("Asia/Makassar")
    refused(siti, datetime(2024, 3, 4, 23, 30, tzinfo=wita))
    refused(siti, datetime(2024, 3, 5, 0, 30, tzinfo=wita))
    refused(siti, datetime(2024, 3, 4, 0, 10, tzinfo=wita))  # 23:10 WIB on Sunday

    attempts = attempts_within({1: (siti, MONDAY, MONDAY)})[1]

    assert [(a.at.date(), f"{a.at:%H:%M}") for a in attempts.shown] == [
        (MONDAY, "00:10"),
        (MONDAY, "23:30"),
    ]
    assert all(a.at.tzinfo == wita for a in attempts.shown)


def test_a_kept_punch_that_counts_for_nothing_says_why(siti: Employee) -> None:
    punch_append(
        siti,
        Punch(
            employee=siti,
            at=local(MONDAY, "22:15"),
            source=Punch.Source.IMPORT,
            counts=False,
            flags=Punch.Flag.OUTSIDE_WINDOW,
        ),
    )

    (attempt,) = attempts_within({1: (siti, MONDAY, MONDAY)})[1].shown

    assert attempt.recorded
    assert attempt.how == "impor"
    assert attempt.note == "di luar rentang presensi"


def test_a_long_absence_shows_the_first_attempts_and_counts_the_rest(
    siti: Employee, verifier: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(selectors, "ATTEMPTS_SHOWN", 2)
    for day in (date(2024, 3, 4), date(2024, 3, 5), date(2024, 3, 6)):
        punch(siti, day, "07:10")
    item = file_request(siti, "DL", MONDAY, date(2024, 3, 6))

    page = client_for(verifier).get(reverse("requests:detail", args=[item.reference]))

    assert "Dan 1 percobaan lagi." in page.content.decode()


def test_a_day_without_any_attempt_says_so(siti: Employee) -> None:
    item = file_request(siti, "SISTEM_ERROR", MONDAY)

    page = client_for(siti.user).get(reverse("requests:detail", args=[item.reference]))

    assert "Tidak ada presensi tercatat maupun ditolak pada tanggal ini." in page.content.decode()


def test_the_queue_shows_each_requests_attempts(
    siti: Employee, budi: Employee, verifier: User
) -> None:
    refused(siti, local(MONDAY, "07:21"))
    refused(budi, local(TUESDAY, "07:40"), message="Akurasi GPS 80 m; KUA A memerlukan 50 m.")
    file_request(siti, "SISTEM_ERROR", MONDAY)
    file_request(budi, "SISTEM_ERROR", TUESDAY)

    text = client_for(verifier).get(reverse("requests:queue")).content.decode()

    assert text.count("Presensi pada tanggal ini (1)") == 2
    assert FAR_AWAY in text
    assert "Akurasi GPS 80 m; KUA A memerlukan 50 m." in text


def test_the_page_shows_each_time_on_the_units_own_clock(siti: Employee, verifier: User) -> None:
    """Refused at 07:21 WITA: the verifier in Jakarta reads 07:21, not 06:21."""
    siti.unit.timezone = "Asia/Makassar"
    siti.unit.save(update_fields=["timezone"])
    refused(siti, datetime(2024, 3, 4, 7, 21, tzinfo=ZoneInfo("Asia/Makassar")))
    item = file_request(siti, "SISTEM_ERROR", MONDAY)

    text = client_for(verifier).get(reverse("requests:detail", args=[item.reference])).content

    assert "Sen 04-03 07:21:00" in text.decode()
