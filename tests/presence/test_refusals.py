"""Every refusal reason of a check-in, each kept as a ``Refusal`` row with the data behind it."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.test import override_settings

from hadir.org.models import Employee, Location, Unit
from hadir.presence.models import Device, Punch, Refusal
from hadir.presence.services import CheckIn, Outcome, punch_check_in
from hadir.schedules.models import PolicyValue
from tests.factories import EmployeeFactory, UnitFactory
from tests.presence.support import (
    MONDAY,
    SLEMAN,
    add_location,
    at_point,
    local,
    north_of,
)

MORNING = local(MONDAY, "07:20")
POLICY_EDIT = date(2024, 3, 2)
"""An operator's policy edit, effective after the seeded 1 March 2024 values."""


def refused(outcome: Outcome, reason: str) -> Refusal:
    """The refusal of ``outcome``, checked to have ``reason`` and to have recorded nothing."""
    assert not outcome.accepted
    assert outcome.refusal is not None
    assert outcome.refusal.reason == reason
    assert outcome.refusal == Refusal.objects.get(pk=outcome.refusal.pk)
    return outcome.refusal


# --- outside every allowed location -------------------------------------------------------


def test_check_in_two_km_away_is_refused_with_the_distance(
    employee: Employee, kantor: Location
) -> None:
    position = north_of(SLEMAN, 2100)  # 2,000 m beyond the 100 m radius

    outcome = punch_check_in(
        employee=employee,
        check_in=at_point(position, accuracy_m=8, device_id="hp-siti"),
        now=MORNING,
    )

    refusal = refused(outcome, Refusal.Reason.OUTSIDE_AREA)
    assert refusal.message == (
        "Anda berada 2,0 km dari Kantor KUA, di luar semua titik lokasi yang diizinkan."
    )
    assert abs(refusal.detail["distance_m"] - 2000) <= 1
    assert refusal.detail["nearest"] == "Kantor KUA"
    assert outcome.detail["distance_m"] == refusal.detail["distance_m"]
    assert (refusal.latitude, refusal.longitude) == (
        Decimal(str(position[0])),
        Decimal(str(position[1])),
    )
    assert refusal.accuracy_m == 8
    assert refusal.device_id == "hp-siti"
    assert refusal.at == MORNING
    assert not Punch.objects.exists()


def test_a_short_miss_is_told_in_metres(employee: Employee, kantor: Location) -> None:
    outcome = punch_check_in(
        employee=employee, check_in=at_point(north_of(SLEMAN, 340)), now=MORNING
    )
    refusal = refused(outcome, Refusal.Reason.OUTSIDE_AREA)
    assert "Anda berada 240 m dari Kantor KUA" in refusal.message


def test_the_refusal_names_the_nearest_of_several_locations(
    employee: Employee, office: Unit
) -> None:
    add_location(office, "Balai Nikah", north_of(SLEMAN, 3000), radius_m=50)
    outcome = punch_check_in(
        employee=employee, check_in=at_point(north_of(SLEMAN, 2550)), now=MORNING
    )
    refusal = refused(outcome, Refusal.Reason.OUTSIDE_AREA)
    assert refusal.detail["nearest"] == "Balai Nikah"
    assert abs(refusal.detail["distance_m"] - 400) <= 1
    assert "400 m dari Balai Nikah" in refusal.message


def test_the_edge_of_the_radius_is_still_inside(employee: Employee, kantor: Location) -> None:
    outcome = punch_check_in(
        employee=employee, check_in=at_point(north_of(SLEMAN, 99)), now=MORNING
    )
    assert outcome.accepted


# --- GPS accuracy -------------------------------------------------------------------------


def test_poor_gps_accuracy_is_refused_with_the_tolerance_of_the_place(
    employee: Employee, kantor: Location
) -> None:
    outcome = punch_check_in(employee=employee, check_in=at_point(accuracy_m=80.4), now=MORNING)

    refusal = refused(outcome, Refusal.Reason.POOR_ACCURACY)
    assert refusal.message.startswith("Akurasi GPS 80 m; Kantor KUA membutuhkan 50 m")
    assert refusal.accuracy_m == 80.4
    # The evidence for a complaint, even after the location's tolerance is changed
    assert (refusal.detail["location_id"], refusal.detail["tolerance_m"]) == (kantor.pk, 50)
    assert not Punch.objects.exists()


@pytest.mark.parametrize(
    ("metres_off", "accuracy_m", "reason"),
    [
        (250, 500, Refusal.Reason.POOR_ACCURACY),  # its error circle reaches the office
        (250, 40, Refusal.Reason.OUTSIDE_AREA),  # a good fix, truly outside
        (2_000, 500, Refusal.Reason.OUTSIDE_AREA),  # a poor fix far beyond its error
    ],
)
def test_a_poor_fix_just_outside_is_told_to_get_a_better_fix_not_to_walk(
    employee: Employee, kantor: Location, metres_off: int, accuracy_m: float, reason: str
) -> None:
    """Indoors the GPS says 500 m and its centre wanders 150 m past the 100 m radius: the cure
    is a better fix, and the refusal is evidence of poor accuracy, not of being elsewhere."""
    tap = at_point(north_of(SLEMAN, metres_off), accuracy_m=accuracy_m)

    refusal = refused(punch_check_in(employee=employee, check_in=tap, now=MORNING), reason)

    assert refusal.detail["distance_m"] == metres_off - 100


def test_accuracy_exactly_at_the_tolerance_is_accepted(
    employee: Employee, kantor: Location
) -> None:
    outcome = punch_check_in(employee=employee, check_in=at_point(accuracy_m=50), now=MORNING)
    assert outcome.accepted


# --- the presensi window ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("hhmm", "accepted"),
    [
        ("05:59:59", False),
        ("06:00:00", True),
        ("20:59:59", True),
        ("21:00:00", False),
        ("23:30:00", False),
    ],
)
def test_the_presensi_window_is_0600_up_to_but_not_including_2100_local(
    employee: Employee, hhmm: str, accepted: bool
) -> None:
    outcome = punch_check_in(employee=employee, check_in=at_point(), now=local(MONDAY, hhmm))
    assert outcome.accepted is accepted
    if not accepted:
        refusal = refused(outcome, Refusal.Reason.OUTSIDE_WINDOW)
        assert refusal.message == (
            f"Presensi dibuka pukul 06:00 sampai 21:00; sekarang pukul {hhmm[:5]}."
        )


def test_the_window_follows_the_policy_in_force(employee: Employee) -> None:
    PolicyValue.objects.create(key="window.start", effective_from=POLICY_EDIT, value="06:30")
    outcome = punch_check_in(employee=employee, check_in=at_point(), now=local(MONDAY, "06:15"))
    refusal = refused(outcome, Refusal.Reason.OUTSIDE_WINDOW)
    assert "06:30" in refusal.message
    assert refusal.detail["window"] == ["06:30", "21:00"]


# --- account not active -------------------------------------------------------------------


def test_a_user_whose_account_is_deactivated_is_refused(employee: Employee) -> None:
    assert employee.user is not None
    employee.user.is_active = False
    employee.user.save()

    outcome = punch_check_in(employee=employee, check_in=at_point(), now=MORNING)

    refusal = refused(outcome, Refusal.Reason.INACTIVE)
    assert refusal.message == "Akun ini tidak aktif untuk presensi. Hubungi Pengelola Presensi."
    assert refusal.detail["cause"] == "account_deactivated"


@pytest.mark.parametrize(
    ("start", "end", "cause"),
    [
        (MONDAY + timedelta(days=1), None, "before_start"),  # starts tomorrow
        (MONDAY, None, ""),  # starts today
        (date(2024, 1, 1), MONDAY, ""),  # last day today
        (date(2024, 1, 1), MONDAY - timedelta(days=1), "after_end"),  # left yesterday
    ],
)
def test_attendance_counts_only_between_the_employees_start_and_end(
    employee: Employee, start: date, end: date | None, cause: str
) -> None:
    employee.start, employee.end = start, end
    employee.save()

    outcome = punch_check_in(employee=employee, check_in=at_point(), now=MORNING)

    assert outcome.accepted is (not cause)
    if cause:
        assert refused(outcome, Refusal.Reason.INACTIVE).detail["cause"] == cause


# --- mock location ------------------------------------------------------------------------


def test_a_phone_reporting_a_mock_location_is_refused_even_inside_the_office(
    employee: Employee,
) -> None:
    outcome = punch_check_in(employee=employee, check_in=at_point(mock_location=True), now=MORNING)

    refusal = refused(outcome, Refusal.Reason.MOCK_LOCATION)
    assert "lokasi palsu" in refusal.message
    assert refusal.detail["mock_location"] is True
    assert not Punch.objects.exists()


# --- impossible travel --------------------------------------------------------------------


@pytest.fixture
def branch(office: Unit) -> Location:
    """A second location of the office, 30 km north (a KUA's balai nikah out of town)."""
    return add_location(office, "Balai Nikah Turi", north_of(SLEMAN, 30_000))


FAR = north_of(SLEMAN, 30_000)


def test_thirty_km_in_ten_minutes_is_impossible_travel(
    employee: Employee, branch: Location
) -> None:
    punch_check_in(employee=employee, check_in=at_point(), now=local(MONDAY, "07:00"))

    outcome = punch_check_in(employee=employee, check_in=at_point(FAR), now=local(MONDAY, "07:10"))

    refusal = refused(outcome, Refusal.Reason.IMPOSSIBLE_TRAVEL)
    assert refusal.detail["speed_kmh"] == 180
    previous = Punch.objects.get()
    assert refusal.detail["previous_punch_id"] == previous.pk
    assert (refusal.detail["travelled_m"], refusal.detail["seconds"]) == (30_000, 600)


def test_thirty_km_in_twenty_five_minutes_is_plausible(
    employee: Employee, branch: Location
) -> None:
    punch_check_in(employee=employee, check_in=at_point(), now=local(MONDAY, "07:00"))
    outcome = punch_check_in(employee=employee, check_in=at_point(FAR), now=local(MONDAY, "07:25"))
    assert outcome.accepted  # 72 km/h


def test_the_travel_speed_limit_is_policy(employee: Employee, branch: Location) -> None:
    PolicyValue.objects.create(
        key="presence.travel_max_kmh", effective_from=POLICY_EDIT, value="60"
    )
    punch_check_in(employee=employee, check_in=at_point(), now=local(MONDAY, "07:00"))

    outcome = punch_check_in(employee=employee, check_in=at_point(FAR), now=local(MONDAY, "07:25"))

    assert refused(outcome, Refusal.Reason.IMPOSSIBLE_TRAVEL).detail["speed_kmh"] == 72


def test_a_short_move_is_gps_noise_however_fast(employee: Employee, office: Unit) -> None:
    Location.objects.filter(unit=office).update(radius_m=600)
    punch_check_in(employee=employee, check_in=at_point(north_of(SLEMAN, -400)), now=MORNING)

    outcome = punch_check_in(
        employee=employee,
        check_in=at_point(north_of(SLEMAN, 400)),
        now=MORNING + timedelta(seconds=5),
    )

    assert outcome.accepted  # 800 m in 5 s, but under presence.travel_min_m (1000 m)


def test_the_minimum_distance_for_travel_checks_is_policy(employee: Employee, office: Unit) -> None:
    PolicyValue.objects.create(key="presence.travel_min_m", effective_from=POLICY_EDIT, value="500")
    Location.objects.filter(unit=office).update(radius_m=600)
    punch_check_in(employee=employee, check_in=at_point(north_of(SLEMAN, -400)), now=MORNING)

    outcome = punch_check_in(
        employee=employee,
        check_in=at_point(north_of(SLEMAN, 400)),
        now=MORNING + timedelta(seconds=5),
    )

    refused(outcome, Refusal.Reason.IMPOSSIBLE_TRAVEL)


def test_a_retry_of_a_tap_refused_for_travel_gets_the_same_refusal_back(
    employee: Employee, branch: Location
) -> None:
    """Travel is checked under the lock, after the replay check: the retry replays the refusal
    (and records nothing more), even once enough time has passed to make the trip possible."""
    punch_check_in(employee=employee, check_in=at_point(), now=local(MONDAY, "07:30"))
    tap = at_point(FAR, idempotency_key="tap-far")
    first = punch_check_in(employee=employee, check_in=tap, now=local(MONDAY, "07:40"))
    refused(first, Refusal.Reason.IMPOSSIBLE_TRAVEL)

    retry = punch_check_in(employee=employee, check_in=tap, now=local(MONDAY, "10:40"))

    assert retry.replayed
    assert retry.refusal == first.refusal
    assert Refusal.objects.count() == 1
    assert Punch.objects.filter(employee=employee).count() == 1


def test_travel_is_measured_from_the_latest_app_punch(employee: Employee, branch: Location) -> None:
    punch_check_in(employee=employee, check_in=at_point(FAR), now=local(MONDAY, "06:30"))
    punch_check_in(employee=employee, check_in=at_point(), now=local(MONDAY, "07:30"))
    # 30 km from the 07:30 punch in 10 minutes, though 70 minutes after the 06:30 one
    outcome = punch_check_in(employee=employee, check_in=at_point(FAR), now=local(MONDAY, "07:40"))
    refused(outcome, Refusal.Reason.IMPOSSIBLE_TRAVEL)


# --- device binding -----------------------------------------------------------------------


@override_settings(HADIR_DEVICE_BINDING=True)
def test_with_device_binding_the_first_phone_registers_itself_and_a_second_is_refused(
    employee: Employee,
) -> None:
    first = punch_check_in(
        employee=employee, check_in=at_point(device_id="hp-pertama"), now=MORNING
    )
    assert first.accepted
    assert list(Device.objects.values_list("device_id", flat=True)) == ["hp-pertama"]

    second = punch_check_in(
        employee=employee,
        check_in=at_point(device_id="hp-kedua"),
        now=MORNING + timedelta(minutes=1),
    )

    refusal = refused(second, Refusal.Reason.UNKNOWN_DEVICE)
    assert refusal.device_id == "hp-kedua"
    assert refusal.message.startswith("Ponsel ini belum terdaftar untuk akun Anda.")
    assert list(Device.objects.values_list("device_id", flat=True)) == ["hp-pertama"]

    again = punch_check_in(
        employee=employee,
        check_in=at_point(device_id="hp-pertama"),
        now=MORNING + timedelta(minutes=2),
    )
    assert again.accepted


@override_settings(HADIR_DEVICE_BINDING=True)
def test_with_device_binding_the_phone_used_first_after_a_reset_registers_again(
    employee: Employee,
) -> None:
    """The operator deleted the registration; the same phone taps again, then another phone."""
    assert punch_check_in(
        employee=employee, check_in=at_point(device_id="hp-1"), now=MORNING
    ).accepted
    Device.objects.all().delete()

    again = punch_check_in(
        employee=employee, check_in=at_point(device_id="hp-1"), now=MORNING + timedelta(minutes=1)
    )
    other = punch_check_in(
        employee=employee, check_in=at_point(device_id="hp-2"), now=MORNING + timedelta(minutes=2)
    )

    assert again.accepted
    refused(other, Refusal.Reason.UNKNOWN_DEVICE)
    assert list(Device.objects.values_list("device_id", flat=True)) == ["hp-1"]


def test_without_device_binding_each_phone_is_remembered_once(employee: Employee) -> None:
    for minute, phone in enumerate(["hp-1", "hp-1", "hp-2", "hp-1"]):
        tap = at_point(device_id=phone)
        assert punch_check_in(
            employee=employee, check_in=tap, now=MORNING + timedelta(minutes=minute)
        ).accepted
    assert sorted(Device.objects.values_list("device_id", flat=True)) == ["hp-1", "hp-2"]


@override_settings(HADIR_DEVICE_BINDING=True)
def test_with_device_binding_a_phone_without_an_id_is_refused(employee: Employee) -> None:
    outcome = punch_check_in(employee=employee, check_in=at_point(device_id=""), now=MORNING)
    refused(outcome, Refusal.Reason.UNKNOWN_DEVICE)


@override_settings(HADIR_DEVICE_BINDING=True)
def test_with_device_binding_a_deactivated_phone_no_longer_counts(employee: Employee) -> None:
    Device.objects.create(employee=employee, device_id="hp-lama", active=False)
    Device.objects.create(employee=employee, device_id="hp-baru")
    outcome = punch_check_in(employee=employee, check_in=at_point(device_id="hp-lama"), now=MORNING)
    refused(outcome, Refusal.Reason.UNKNOWN_DEVICE)


@override_settings(HADIR_DEVICE_BINDING=True)
def test_with_device_binding_a_deactivated_only_phone_is_refused_and_no_other_phone_registers(
    employee: Employee,
) -> None:
    Device.objects.create(employee=employee, device_id="hp-1", active=False)

    same = punch_check_in(employee=employee, check_in=at_point(device_id="hp-1"), now=MORNING)
    other = punch_check_in(
        employee=employee,
        check_in=at_point(device_id="hp-teman"),
        now=MORNING + timedelta(minutes=1),
    )

    assert refused(same, Refusal.Reason.UNKNOWN_DEVICE).detail["cause"] == "deactivated"
    assert refused(other, Refusal.Reason.UNKNOWN_DEVICE).detail["cause"] == "unregistered"
    assert list(Device.objects.values_list("device_id", "active")) == [("hp-1", False)]


@override_settings(HADIR_DEVICE_BINDING=True)
def test_with_device_binding_a_colleagues_phone_cannot_register_as_a_first_phone(
    employee: Employee,
) -> None:
    """Titip absen: Siti's phone checking in a colleague who has no phone on record yet."""
    colleague = EmployeeFactory.create(unit=employee.unit)
    Device.objects.create(employee=employee, device_id="hp-siti")

    outcome = punch_check_in(
        employee=colleague, check_in=at_point(device_id="hp-siti"), now=MORNING
    )

    refusal = refused(outcome, Refusal.Reason.UNKNOWN_DEVICE)
    assert refusal.detail["cause"] == "other_employee"
    assert refusal.message.startswith("Ponsel ini terdaftar untuk pegawai lain.")
    assert not Device.objects.filter(employee=colleague).exists()


@override_settings(HADIR_DEVICE_BINDING=True)
def test_with_device_binding_a_phone_an_operator_registered_for_two_employees_serves_both(
    employee: Employee,
) -> None:
    colleague = EmployeeFactory.create(unit=employee.unit)
    Device.objects.create(employee=employee, device_id="hp-bersama")
    Device.objects.create(employee=colleague, device_id="hp-bersama")

    for person in (employee, colleague):
        tap = at_point(device_id="hp-bersama")
        assert punch_check_in(employee=person, check_in=tap, now=MORNING).accepted


def test_without_device_binding_any_phone_may_check_in(employee: Employee) -> None:
    Device.objects.create(employee=employee, device_id="hp-pertama")
    outcome = punch_check_in(employee=employee, check_in=at_point(device_id="hp-lain"), now=MORNING)
    assert outcome.accepted


# --- no location configured ---------------------------------------------------------------


def test_a_unit_without_any_location_refuses_with_a_clear_reason(db: None) -> None:
    employee = EmployeeFactory.create(unit=UnitFactory.create(code="KUA-BARU"))

    outcome = punch_check_in(employee=employee, check_in=at_point(), now=MORNING)

    refusal = refused(outcome, Refusal.Reason.NO_LOCATION)
    assert refusal.message == (
        "Titik lokasi presensi unit Anda belum diatur. Hubungi Pengelola Presensi."
    )


def test_a_deactivated_location_does_not_count_as_configured(
    employee: Employee, kantor: Location
) -> None:
    kantor.active = False
    kantor.save()
    outcome = punch_check_in(employee=employee, check_in=at_point(), now=MORNING)
    refused(outcome, Refusal.Reason.NO_LOCATION)


# --- what every refusal keeps -------------------------------------------------------------


def test_every_refusal_is_kept_with_its_position_accuracy_device_and_key(
    employee: Employee,
) -> None:
    attempt = CheckIn(
        latitude=-7.8,
        longitude=110.4,
        accuracy_m=15.5,
        device_id="hp-siti",
        idempotency_key="tap-0001",
    )
    punch_check_in(employee=employee, check_in=attempt, now=MORNING)
    punch_check_in(employee=employee, check_in=at_point(), now=local(MONDAY, "05:00"))

    rows = list(Refusal.objects.order_by("at"))
    assert [r.reason for r in rows] == [Refusal.Reason.OUTSIDE_WINDOW, Refusal.Reason.OUTSIDE_AREA]
    far = rows[1]
    assert (far.latitude, far.longitude, far.accuracy_m) == (
        Decimal("-7.800000"),
        Decimal("110.400000"),
        15.5,
    )
    assert (far.device_id, far.idempotency_key, far.employee) == ("hp-siti", "tap-0001", employee)
    assert far.detail["distance_m"] > 9000
    assert not Punch.objects.exists()
