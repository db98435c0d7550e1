"""The check-in as phones meet it: what an ASN on a cheap phone reads after a tap, the window
held to the second on every clock, and what a fingerprint machine's log tells the travel check
(DOMAIN.md §6, issue #4)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client

from hadir.org.models import Employee, Location, Unit
from hadir.presence.imports import punches_import
from hadir.presence.models import Machine, MachinePin, Punch, Refusal
from hadir.presence.services import punch_check_in
from tests.factories import EmployeeFactory, UnitFactory, pattern
from tests.presence.support import (
    MONDAY,
    SLEMAN,
    WIT,
    WITA,
    add_location,
    at_point,
    freeze_clock,
    local,
    north_of,
)

CHECK_IN = "/api/presensi/check-in"
TODAY = "/api/presensi/today"
MORNING = local(MONDAY, "07:20")


def position(point: tuple[float, float] = SLEMAN, **extra: object) -> dict[str, object]:
    return {"latitude": point[0], "longitude": point[1], "accuracy_m": 9.5, **extra}


@pytest.fixture
def siti(client: Client, employee: Employee) -> Client:
    """A test client logged in as Siti."""
    assert employee.user is not None
    client.force_login(employee.user)
    return client


# --- impossible travel against a machine's punch ------------------------------------------


def test_an_app_punch_thirty_km_from_a_machine_punch_five_minutes_earlier_is_impossible_travel(
    employee: Employee, office: Unit, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Issue #4 point 3 and DOMAIN.md §6: impossible travel between consecutive punches is
    # refused or flagged. The operator's CSV gives the machine punch its position (lat,lng at
    # the balai nikah 30 km away, 07:00); five minutes later the phone "checks in" at the
    # office: 360 km/h, one of the two is not where the employee was. Only app punches are
    # looked at, so the phone's punch is accepted without a word.
    freeze_clock(monkeypatch, local(MONDAY, "07:04"))
    far = north_of(SLEMAN, 30_000)
    add_location(office, "Balai Nikah Turi", far)
    path = tmp_path / "mesin.csv"
    path.write_text(
        "nip,time,lat,lng,source\n"
        f"{employee.nip},2024-03-04T07:00:00+07:00,{far[0]},{far[1]},MACHINE\n",
        encoding="utf-8",
    )
    assert punches_import(path=path, actor_label="test").recorded == 1

    outcome = punch_check_in(employee=employee, check_in=at_point(), now=local(MONDAY, "07:05"))

    assert not outcome.accepted, "an app punch 30 km from a punch 5 minutes earlier was accepted"
    assert outcome.refusal is not None
    assert outcome.refusal.reason == Refusal.Reason.IMPOSSIBLE_TRAVEL
    assert Punch.objects.filter(employee=employee, source=Punch.Source.APP).count() == 0


# --- what the refusal tells the employee --------------------------------------------------


def test_a_poor_accuracy_refusal_never_says_the_accuracy_equals_the_tolerance(
    employee: Employee, kantor: Location
) -> None:
    # DOMAIN.md §6: accuracy worse than the tolerance is refused "with a clear reason". At 50.4 m
    # against a 50 m tolerance the phone reads "Akurasi GPS 50 m; Kantor KUA membutuhkan 50 m
    # atau lebih baik": the reason given contradicts the refusal, and the ASN cannot tell
    # what to do better.
    outcome = punch_check_in(employee=employee, check_in=at_point(accuracy_m=50.4), now=MORNING)

    assert outcome.refusal is not None
    assert outcome.refusal.reason == Refusal.Reason.POOR_ACCURACY
    shown = re.match(r"Akurasi GPS (\d+) m; .* membutuhkan (\d+) m", outcome.refusal.message)
    assert shown is not None, outcome.refusal.message
    accuracy, tolerance = int(shown[1]), int(shown[2])
    assert accuracy > tolerance, f"refused, yet told: {outcome.refusal.message}"


def test_a_refusal_just_outside_the_radius_never_says_zero_metres_away(
    employee: Employee, kantor: Location
) -> None:
    # Issue #4 point 3: outside every location, "say how far from the nearest". 0.4 m past the
    # 100 m radius with a good fix is refused, and the phone reads "Anda berada 0 m dari Kantor
    # KUA, di luar semua titik lokasi" (distance_m 0): a distance of nothing is no reason to
    # refuse, and the evidence kept for a complaint says the employee stood at the place.
    tap = at_point(north_of(SLEMAN, 100.4), accuracy_m=5)

    outcome = punch_check_in(employee=employee, check_in=tap, now=MORNING)

    assert outcome.refusal is not None
    assert outcome.refusal.reason == Refusal.Reason.OUTSIDE_AREA
    assert outcome.refusal.detail["distance_m"] >= 1
    assert "berada 0 m" not in outcome.refusal.message, outcome.refusal.message


# --- the day's standing the phone shows ---------------------------------------------------


def test_a_check_out_without_a_check_in_tells_the_phone_the_missing_datang_counts_tl4(
    siti: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Issue #4 point 2: after a check-in the phone shows "the day's standing (e.g. terlambat 12
    # menit (TL1))". Siti forgot the morning tap and checks out at 16:05: the day counts TL 225
    # (TL4) for the missing datang (DOMAIN.md §4.3), which no later tap can change (every punch
    # after the pivot is a pulang). The line under the button says only "Pulang 16:05 ...
    # tidak pulang sebelum waktunya", so she goes home thinking the day is clean instead of
    # filing a complaint.
    freeze_clock(monkeypatch, local(MONDAY, "16:05"))

    body = siti.post(CHECK_IN, position(), content_type="application/json").json()

    assert body["accepted"] is True
    standing = body["standing"]
    assert (standing["late_minutes"], standing["late_class"]) == (225, 4)
    assert any("TL4" in line for line in standing["summary"]), standing["summary"]


def test_after_the_window_closes_the_phone_says_the_missing_pulang_counts_psw4(
    siti: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    # api.headline: "a missing check-out is not news in the middle of the day"; at 21:30 the
    # presensi window is closed (DOMAIN.md §3) and the day is final: PSW 225 (PSW4) for the
    # missing pulang. The phone's Today line still reads only "Datang 07:20 ... tepat waktu",
    # as if the day were complete (a day without any punch does read TK at that hour).
    freeze_clock(monkeypatch, local(MONDAY, "07:20"))
    assert siti.post(CHECK_IN, position(), content_type="application/json").status_code == 201
    freeze_clock(monkeypatch, local(MONDAY, "21:30"))

    standing = siti.get(TODAY).json()["standing"]

    assert (standing["early_minutes"], standing["early_class"]) == (225, 4)
    assert any("PSW4" in line for line in standing["summary"]), standing["summary"]


# --- guards: the window's edges on every Indonesian clock ---------------------------------


@pytest.mark.parametrize("zone", [WITA, WIT])
@pytest.mark.parametrize(
    ("hhmmss", "accepted"),
    [("05:59:59", False), ("06:00:00", True), ("20:59:59", True), ("21:00:00", False)],
)
def test_the_window_edges_hold_to_the_second_on_the_units_own_clock(
    db: None, zone: str, hhmmss: str, accepted: bool
) -> None:
    # passes: guard
    # DOMAIN.md §3: 06:00 up to but not including 21:00 local, for WITA and WIT units too
    # (the existing tests check the exact seconds in WIB only, and WIT at half past).
    unit = UnitFactory.create(code=f"KUA-{zone[5:9]}", timezone=zone, default_pattern=pattern())
    add_location(unit, "KUA", SLEMAN)
    someone = EmployeeFactory.create(unit=unit)

    outcome = punch_check_in(employee=someone, check_in=at_point(), now=local(MONDAY, hhmmss, zone))

    assert outcome.accepted is accepted
    if not accepted:
        assert outcome.refusal is not None
        assert outcome.refusal.reason == Refusal.Reason.OUTSIDE_WINDOW


def test_a_visitors_punch_on_another_zones_machine_is_flagged_on_the_visitors_own_clock(
    employee: Employee, tmp_path: Path
) -> None:
    # passes: guard
    # DOMAIN.md §2-§3: the window is local to the employee's unit. Siti (WIB) punches on the
    # Makassar machine (WITA): 06:30 there is 05:30 for her, before her window, kept and
    # flagged; 21:30 there is 20:30 for her, inside it, and counts.
    makassar = UnitFactory.create(code="KUA-MKS", timezone=WITA, default_pattern=pattern())
    machine = Machine.objects.create(unit=makassar, name="Mesin KUA", serial="ZK-0777")
    MachinePin.objects.create(machine=machine, pin="4", employee=employee)
    path = tmp_path / "attlog.dat"
    path.write_text("4\t2024-03-04 06:30:00\t1\t0\n4\t2024-03-04 21:30:00\t1\t0\n")

    report = punches_import(path=path, machine=machine, actor_label="test")

    assert report.outside_window == 1
    assert list(Punch.objects.order_by("at").values_list("counts", "flags")) == [
        (False, Punch.Flag.OUTSIDE_WINDOW),
        (True, ""),
    ]
