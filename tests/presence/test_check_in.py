"""Accepted check-ins: server time, datang before the pivot, pulang after, days off, local time."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from hadir.org.models import Employee, Location, LocationGrant, Unit
from hadir.org.services import location_grant_decide, location_grant_request
from hadir.presence.chain import GENESIS
from hadir.presence.models import Device, Punch, Refusal
from hadir.presence.services import punch_check_in
from hadir.recap.models import EmployeeDay
from hadir.rules.day import DayResult
from hadir.rules.explain import render
from hadir.schedules import cache
from hadir.schedules.models import Holiday, PolicyValue
from tests.factories import EmployeeFactory, UnitFactory, UserFactory, pattern
from tests.presence.support import (
    MONDAY,
    NYEPI,
    SATURDAY,
    SLEMAN,
    WIB,
    WIT,
    WITA,
    add_location,
    at_point,
    east_of,
    local,
    north_of,
)


def reasons(day: DayResult) -> list[str]:
    return render(day.reasons, "id")


def test_a_check_in_inside_the_office_is_recorded_at_the_servers_time(
    employee: Employee, kantor: Location
) -> None:
    now = local(MONDAY, "07:12:34")
    outcome = punch_check_in(employee=employee, check_in=at_point(), now=now)

    assert outcome.accepted
    punch = Punch.objects.get()
    assert punch == outcome.punch
    assert punch.at == now
    assert punch.source == Punch.Source.APP
    assert punch.location == kantor
    assert (punch.latitude, punch.longitude) == (Decimal("-7.716700"), Decimal("110.355500"))
    assert punch.accuracy_m == 12.0
    assert punch.device_id == "hp-siti"
    assert punch.counts
    assert punch.prev_hash == GENESIS
    assert f"{outcome.local_at:%H:%M:%S}" == "07:12:34"
    assert not Refusal.objects.exists()


def test_without_a_given_time_the_service_reads_the_server_clock(
    employee: Employee,
) -> None:
    before = timezone.now()
    outcome = punch_check_in(employee=employee, check_in=at_point())
    assert before <= outcome.at <= timezone.now()


def test_a_morning_punch_is_datang_and_the_standing_counts_the_minutes_late(
    employee: Employee,
) -> None:
    outcome = punch_check_in(employee=employee, check_in=at_point(), now=local(MONDAY, "07:42:59"))

    assert outcome.kind == "DATANG"
    assert outcome.day is not None
    assert outcome.day.status == "H"
    assert (outcome.day.tl_minutes, outcome.day.tl_class) == (12, 1)
    assert "Datang 07:42, jadwal 07:30: terlambat 12 menit (TL1)" in reasons(outcome.day)


def test_a_punch_on_time_is_datang_without_lateness(employee: Employee) -> None:
    outcome = punch_check_in(employee=employee, check_in=at_point(), now=local(MONDAY, "07:30:59"))
    assert outcome.kind == "DATANG"
    assert outcome.day is not None
    assert (outcome.day.tl_minutes, outcome.day.tl_class) == (0, 0)


@pytest.mark.parametrize(
    ("hhmm", "kind"),
    [("11:44:59", "DATANG"), ("11:45:00", "PULANG"), ("16:05:00", "PULANG")],
)
def test_the_pivot_between_start_and_end_splits_datang_from_pulang(
    employee: Employee, hhmm: str, kind: str
) -> None:
    outcome = punch_check_in(employee=employee, check_in=at_point(), now=local(MONDAY, hhmm))
    assert outcome.kind == kind


def test_an_afternoon_punch_after_a_morning_one_is_pulang_and_completes_the_day(
    employee: Employee,
) -> None:
    punch_check_in(employee=employee, check_in=at_point(), now=local(MONDAY, "07:25"))
    outcome = punch_check_in(employee=employee, check_in=at_point(), now=local(MONDAY, "15:50"))

    assert outcome.kind == "PULANG"
    assert outcome.day is not None
    assert outcome.day.status == "H"
    assert (outcome.day.tl_minutes, outcome.day.psw_minutes, outcome.day.psw_class) == (0, 10, 1)
    assert outcome.day.meal
    assert Punch.objects.count() == 2


def test_a_second_punch_extends_the_employees_hash_chain(employee: Employee) -> None:
    first = punch_check_in(employee=employee, check_in=at_point(), now=local(MONDAY, "07:25"))
    second = punch_check_in(employee=employee, check_in=at_point(), now=local(MONDAY, "16:01"))
    assert first.punch is not None
    assert second.punch is not None
    assert second.punch.prev_hash == first.punch.hash != GENESIS


def test_a_position_inside_a_polygon_location_is_accepted(office: Unit, employee: Employee) -> None:
    Location.objects.all().delete()
    yard = [list(north_of(SLEMAN, 60)), list(east_of(SLEMAN, 60)), list(north_of(SLEMAN, -60))]
    polygon_location = add_location(office, "Halaman", SLEMAN, radius_m=1, polygon=yard)

    outcome = punch_check_in(
        employee=employee, check_in=at_point(east_of(SLEMAN, 20)), now=local(MONDAY, "07:20")
    )

    assert outcome.accepted
    assert outcome.punch is not None
    assert outcome.punch.location == polygon_location


def test_an_approved_extra_location_at_another_unit_is_allowed(
    employee: Employee, kantor: Location
) -> None:
    school = UnitFactory.create(code="SD-1", kind=Unit.Kind.SEKOLAH)
    elsewhere = add_location(school, "SD Negeri 1", north_of(SLEMAN, 5000))
    LocationGrant.objects.create(
        employee=employee, location=elsewhere, status=LocationGrant.Status.APPROVED
    )

    outcome = punch_check_in(
        employee=employee, check_in=at_point(north_of(SLEMAN, 5000)), now=local(MONDAY, "07:20")
    )

    assert outcome.accepted
    assert outcome.punch is not None
    assert outcome.punch.location == elsewhere


def _approved_here(grant: LocationGrant) -> None:
    grant.status = LocationGrant.Status.APPROVED
    grant.save()


def _approved_in_another_process(grant: LocationGrant) -> None:
    """Written as another process would: no signal reaches this process's cache."""
    LocationGrant.objects.filter(pk=grant.pk).update(status=LocationGrant.Status.APPROVED)


@pytest.mark.parametrize(
    "approve",
    [_approved_here, _approved_in_another_process],
    ids=["in-the-same-process", "in-another-process"],
)
def test_a_grant_approved_after_a_refusal_allows_the_next_tap_at_once(
    employee: Employee, approve: Callable[[LocationGrant], None]
) -> None:
    """Who has an extra location is cached per process: a decision on a grant clears it here,
    and a refusal reads the locations afresh first, for decisions made elsewhere."""
    school = UnitFactory.create(code="SD-3", kind=Unit.Kind.SEKOLAH)
    elsewhere = add_location(school, "SD Negeri 3", north_of(SLEMAN, 5000))
    grant = LocationGrant.objects.create(
        employee=employee, location=elsewhere, status=LocationGrant.Status.REQUESTED
    )
    there = at_point(north_of(SLEMAN, 5000))
    assert not punch_check_in(
        employee=employee, check_in=there, now=local(MONDAY, "07:20")
    ).accepted

    approve(grant)
    again = punch_check_in(employee=employee, check_in=there, now=local(MONDAY, "07:21"))

    assert again.accepted
    assert again.punch is not None
    assert again.punch.location == elsewhere


def test_only_a_grant_entering_or_leaving_approval_empties_every_processs_cache(
    employee: Employee,
) -> None:
    """Any employee may file a request for an extra location; that must not make every
    process drop its cache (and judge its next check-in twice)."""
    school = UnitFactory.create(code="SD-3", kind=Unit.Kind.SEKOLAH)
    elsewhere = add_location(school, "SD Negeri 3", north_of(SLEMAN, 5000))
    operator = UserFactory.create()
    moves = []

    def generation_after(step: Callable[[], object]) -> None:
        before = cache.generation()
        step()
        moves.append(cache.generation() != before)

    def ask() -> LocationGrant:
        return location_grant_request(
            actor=employee.user, employee=employee, location=elsewhere, reason="Guru PAI"
        )

    generation_after(ask)
    grant = LocationGrant.objects.get()
    generation_after(lambda: location_grant_decide(actor=operator, grant=grant, decision="approve"))
    generation_after(ask)  # asked again: still approved, nothing changes
    generation_after(lambda: location_grant_decide(actor=operator, grant=grant, decision="revoke"))
    generation_after(grant.delete)  # revoked already

    assert moves == [False, True, False, True, False]


def test_a_location_added_in_another_process_counts_at_once(
    employee: Employee, kantor: Location
) -> None:
    annex = north_of(SLEMAN, 3000)
    assert not punch_check_in(
        employee=employee, check_in=at_point(annex), now=local(MONDAY, "07:20")
    ).accepted

    # Written as another process's operator would: no signal clears this process's cache.
    Location.objects.bulk_create(
        [
            Location(
                unit=kantor.unit,
                name="Kantor cabang",
                latitude=Decimal(str(annex[0])),
                longitude=Decimal(str(annex[1])),
                radius_m=100,
                accuracy_tolerance_m=50,
            )
        ]
    )
    again = punch_check_in(employee=employee, check_in=at_point(annex), now=local(MONDAY, "07:21"))

    assert again.accepted


@pytest.mark.parametrize(
    "status",
    [LocationGrant.Status.REQUESTED, LocationGrant.Status.REJECTED, LocationGrant.Status.REVOKED],
)
def test_an_extra_location_not_approved_does_not_allow_a_check_in(
    employee: Employee, status: str
) -> None:
    school = UnitFactory.create(code="SD-2", kind=Unit.Kind.SEKOLAH)
    elsewhere = add_location(school, "SD Negeri 2", north_of(SLEMAN, 5000))
    LocationGrant.objects.create(employee=employee, location=elsewhere, status=status)

    outcome = punch_check_in(
        employee=employee, check_in=at_point(north_of(SLEMAN, 5000)), now=local(MONDAY, "07:20")
    )

    assert outcome.refusal is not None
    assert outcome.refusal.reason == Refusal.Reason.OUTSIDE_AREA


def test_a_punch_on_saturday_is_kept_as_libur_and_counts_for_nothing(
    employee: Employee,
) -> None:
    outcome = punch_check_in(employee=employee, check_in=at_point(), now=local(SATURDAY, "08:00"))

    assert outcome.accepted
    assert outcome.kind == "LIBUR"
    assert outcome.day is not None
    assert outcome.day.status == "LIBUR"
    assert (outcome.day.tl_minutes, outcome.day.psw_minutes, outcome.day.meal) == (0, 0, False)
    assert Punch.objects.filter(at=local(SATURDAY, "08:00")).exists()


def test_a_punch_on_a_national_holiday_is_kept_as_libur(employee: Employee) -> None:
    outcome = punch_check_in(employee=employee, check_in=at_point(), now=local(NYEPI, "08:00"))

    assert outcome.accepted
    assert outcome.kind == "LIBUR"
    assert outcome.day is not None
    assert outcome.day.status == "LIBUR"
    assert "Senin, 11 Maret 2024: hari libur" in reasons(outcome.day)


def test_a_local_holiday_the_operator_added_makes_the_punch_libur(
    employee: Employee, office: Unit
) -> None:
    Holiday.objects.create(date=MONDAY, name="Hari jadi kabupaten", unit=office)
    outcome = punch_check_in(employee=employee, check_in=at_point(), now=local(MONDAY, "07:40"))
    assert outcome.kind == "LIBUR"


def test_a_holiday_saved_in_another_process_counts_for_the_next_check_out(
    employee: Employee, office: Unit, in_another_process: Callable[[], Any]
) -> None:
    """The flood closed the office this morning; the holiday was saved on another server."""
    came = punch_check_in(employee=employee, check_in=at_point(), now=local(MONDAY, "07:20"))
    assert came.kind == "DATANG"  # the calendar of Monday is now in this process's cache
    with in_another_process():
        Holiday.objects.create(date=MONDAY, name="Banjir: kantor tutup", unit=office)

    left = punch_check_in(employee=employee, check_in=at_point(), now=local(MONDAY, "10:05"))

    assert left.kind == "LIBUR"
    assert left.day is not None
    assert left.day.status == "LIBUR"


def test_a_location_removed_in_another_process_refuses_the_next_check_in(
    employee: Employee, kantor: Location, in_another_process: Callable[[], Any]
) -> None:
    assert punch_check_in(
        employee=employee, check_in=at_point(), now=local(MONDAY, "07:20")
    ).accepted
    with in_another_process():
        kantor.active = False
        kantor.save()

    outcome = punch_check_in(employee=employee, check_in=at_point(), now=local(MONDAY, "16:05"))

    assert outcome.refusal is not None
    assert outcome.refusal.reason == Refusal.Reason.NO_LOCATION
    assert Punch.objects.count() == 1


def test_a_window_widened_in_another_process_admits_the_next_check_in_it_would_refuse(
    employee: Employee, in_another_process: Callable[[], Any]
) -> None:
    """A refusal is kept as evidence: it must not rest on this process's cached policy."""
    late = punch_check_in(employee=employee, check_in=at_point(), now=local(MONDAY, "21:30"))
    assert late.refusal is not None
    assert late.refusal.reason == Refusal.Reason.OUTSIDE_WINDOW
    with in_another_process():
        PolicyValue.objects.create(key="window.end", effective_from=MONDAY, value="23:00")

    later = punch_check_in(employee=employee, check_in=at_point(), now=local(MONDAY, "21:35"))

    assert later.accepted
    assert Refusal.objects.count() == 1


def test_an_accepted_punch_remembers_the_device(employee: Employee) -> None:
    punch_check_in(
        employee=employee, check_in=at_point(device_id="hp-baru"), now=local(MONDAY, "07:20")
    )
    assert list(Device.objects.values_list("employee", "device_id")) == [(employee.pk, "hp-baru")]


PAPUA = (-2.533000, 140.717000)


@pytest.fixture
def papua_employee(db: None) -> Employee:
    """A madrasah teacher in Jayapura (WIT, UTC+9: two hours ahead of WIB)."""
    unit = UnitFactory.create(
        code="MAN-JPR", kind=Unit.Kind.MADRASAH_NEGERI, timezone=WIT, default_pattern=pattern()
    )
    add_location(unit, "MAN Jayapura", PAPUA)
    return EmployeeFactory.create(unit=unit, user=UserFactory.create())


def test_a_wit_employee_at_0630_local_time_is_inside_the_window(
    papua_employee: Employee,
) -> None:
    outcome = punch_check_in(
        employee=papua_employee, check_in=at_point(PAPUA), now=local(MONDAY, "06:30", WIT)
    )
    assert outcome.accepted
    assert f"{outcome.local_at:%H:%M}" == "06:30"
    assert f"{outcome.at.astimezone(ZoneInfo(WIB)):%H:%M}" == "04:30"


def test_a_wit_employee_at_0530_local_time_is_refused_though_it_is_0730_in_jakarta(
    papua_employee: Employee,
) -> None:
    outcome = punch_check_in(
        employee=papua_employee, check_in=at_point(PAPUA), now=local(MONDAY, "05:30", WIT)
    )
    assert outcome.refusal is not None
    assert outcome.refusal.reason == Refusal.Reason.OUTSIDE_WINDOW
    assert "sekarang pukul 05:30" in outcome.refusal.message


def test_a_wit_employee_at_2130_local_is_refused_though_it_is_1930_in_jakarta(
    papua_employee: Employee,
) -> None:
    outcome = punch_check_in(
        employee=papua_employee, check_in=at_point(PAPUA), now=local(MONDAY, "21:30", WIT)
    )
    assert outcome.refusal is not None
    assert outcome.refusal.reason == Refusal.Reason.OUTSIDE_WINDOW


def test_lateness_of_a_wit_employee_is_measured_against_the_local_schedule(
    papua_employee: Employee,
) -> None:
    outcome = punch_check_in(
        employee=papua_employee, check_in=at_point(PAPUA), now=local(MONDAY, "07:40", WIT)
    )
    assert outcome.kind == "DATANG"
    assert outcome.day is not None
    assert (outcome.day.tl_minutes, outcome.day.tl_class) == (10, 1)


def test_a_wita_employee_checking_out_at_1600_local_leaves_on_time(db: None) -> None:
    unit = UnitFactory.create(code="KUA-MKS", timezone=WITA, default_pattern=pattern())
    makassar = (-5.147700, 119.432700)
    add_location(unit, "KUA Makassar", makassar)
    employee = EmployeeFactory.create(unit=unit)

    punch_check_in(employee=employee, check_in=at_point(makassar), now=local(MONDAY, "07:30", WITA))
    outcome = punch_check_in(
        employee=employee, check_in=at_point(makassar), now=local(MONDAY, "16:00", WITA)
    )

    assert outcome.kind == "PULANG"
    assert outcome.day is not None
    assert (outcome.day.status, outcome.day.tl_minutes, outcome.day.psw_minutes) == ("H", 0, 0)
    assert outcome.day.meal


def test_an_early_wit_punch_belongs_to_the_local_date_though_it_is_the_day_before_in_utc(
    db: None,
) -> None:
    unit = UnitFactory.create(code="KUA-JPR", timezone=WIT, default_pattern=pattern())
    add_location(unit, "KUA Jayapura", PAPUA)
    employee = EmployeeFactory.create(unit=unit)

    at = local(MONDAY, "06:10", WIT)
    outcome = punch_check_in(employee=employee, check_in=at_point(PAPUA), now=at)

    assert at.astimezone(UTC).date() == MONDAY - timedelta(days=1)
    assert outcome.kind == "DATANG"
    assert outcome.day is not None
    assert outcome.day.day == MONDAY
    assert outcome.day.datang is not None
    assert f"{outcome.day.datang:%H:%M}" == "06:10"


def test_a_check_in_stores_its_punch_and_not_its_day_still_being_lived(
    employee: Employee, monkeypatch: pytest.MonkeyPatch
) -> None:
    """At 07:42 the pulang is still to come: stored, the day would read PSW4 in the month."""
    monkeypatch.setattr(timezone, "now", lambda: local(MONDAY, "07:42"))

    outcome = punch_check_in(employee=employee, check_in=at_point(), now=local(MONDAY, "07:42"))

    assert outcome.accepted
    assert Punch.objects.filter(employee=employee).count() == 1
    assert not EmployeeDay.objects.filter(employee=employee).exists()
    assert outcome.day is not None
    assert outcome.day.tl_minutes == 12


def test_when_evaluating_the_day_fails_the_punch_is_kept_and_the_day_read_again(
    employee: Employee, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from hadir.presence import services as presence_services

    def failing_evaluation(*args: object, **kwargs: object) -> None:
        raise ValueError("a bug")

    monkeypatch.setattr(presence_services, "evaluate_dates", failing_evaluation)

    outcome = punch_check_in(employee=employee, check_in=at_point(), now=local(MONDAY, "07:42"))

    assert outcome.accepted
    assert Punch.objects.filter(employee=employee).count() == 1
    assert not EmployeeDay.objects.filter(employee=employee).exists()
    assert outcome.day is not None
    assert outcome.day.tl_minutes == 12  # as it stands, from the stored punch
    assert "was not evaluated" in caplog.text
