"""An employee checks in from a phone: inside the geofence it records, 2 km away it refuses.

The server's clock is fixed to a Monday morning (the live server runs in a thread of this
process, so patching ``django.utils.timezone.now`` reaches it): the presensi window is
06:00–21:00 local, and the test must not depend on when it runs.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, Request, Route, expect

from hadir.org.models import Employee, Unit
from hadir.presence.models import Punch, Refusal
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, PHONE, GeolocatedPhone
from tests.factories import EmployeeFactory, UnitFactory, UserFactory, pattern
from tests.presence.support import (
    MONDAY,
    WITA,
    add_location,
    east_of,
    freeze_clock,
    local,
    north_of,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MAKASSAR = (-5.161400, 119.418700)
"""The centre of the test office, a KUA in Makassar (WITA)."""
PASSWORD = "rahasia-kuat-2024"


def log_in(page: Page, nip: str) -> None:
    expect(page.get_by_role("heading", name="Masuk")).to_be_visible()
    page.get_by_label("NIP").fill(nip)
    page.get_by_label("Sandi").fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()


def employee_in_makassar(
    monkeypatch: pytest.MonkeyPatch, *, code: str, unit: str, place: str, name: str
) -> Employee:
    """``name``, of a unit in Makassar (WITA) that allows 100 m around ``place`` with a 50 m
    GPS tolerance, with an account; the server's clock at Monday 07:10 there."""
    freeze_clock(monkeypatch, local(MONDAY, "07:10", WITA))
    office = UnitFactory.create(
        code=code,
        name=unit,
        kind=Unit.Kind.KUA,
        timezone=WITA,
        default_pattern=pattern("KANTOR_5H"),
    )
    add_location(office, place, MAKASSAR, radius_m=100, tolerance_m=50)
    employee = EmployeeFactory.create(name=name, unit=office)
    employee.user = UserFactory.create(username=employee.nip, password=PASSWORD)
    employee.save()
    return employee


def ready(live_server: Any, phone: Page, employee: Employee) -> Page:
    """Logged in on the check-in page, the button on (a position inside)."""
    phone.goto(f"{live_server.url}/presensi/")
    log_in(phone, employee.nip)
    expect(phone.get_by_role("button", name="Presensi sekarang")).to_be_enabled()
    return phone


def on_the_map(phone: Any, colour: str) -> bool:
    """Whether the shape drawn in ``colour`` lies within the visible map."""
    shape = phone.locator(f'#map path[stroke="{colour}"]').bounding_box()
    frame = phone.locator("#map").bounding_box()
    return bool(
        shape
        and frame
        and frame["x"] <= shape["x"]
        and shape["x"] + shape["width"] <= frame["x"] + frame["width"]
        and frame["y"] <= shape["y"]
        and shape["y"] + shape["height"] <= frame["y"] + frame["height"]
    )


def test_employee_checks_in_inside_the_geofence_and_is_refused_two_km_away(
    live_server: Any,
    geolocated_phone: GeolocatedPhone,
    screenshot: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    freeze_clock(monkeypatch, local(MONDAY, "07:10", WITA))
    unit = UnitFactory.create(
        code="KUA-MAMAJANG",
        name="KUA Mamajang",
        kind=Unit.Kind.KUA,
        timezone=WITA,
        default_pattern=pattern("KANTOR_5H"),
    )
    add_location(unit, "Kantor KUA Mamajang", MAKASSAR, radius_m=100, tolerance_m=50)
    employee = EmployeeFactory.create(name="Siti Hasanah", unit=unit)
    employee.user = UserFactory.create(username=employee.nip, password=PASSWORD)
    employee.save()

    phone = geolocated_phone(*MAKASSAR, 12)
    phone.goto(f"{live_server.url}/presensi/")
    log_in(phone, employee.nip)

    expect(phone.get_by_role("heading", name="Presensi", exact=True)).to_be_visible()
    button = phone.get_by_role("button", name="Presensi sekarang")
    expect(button).to_be_enabled()
    expect(phone.locator("#position")).to_have_text(
        "Anda berada di dalam Kantor KUA Mamajang (akurasi 12 m)."
    )
    screenshot(phone, "ready")
    button.click()

    result = phone.locator("#result")
    expect(result).to_have_class("ok")
    expect(result).to_contain_text("Waktu server")
    expect(result.locator(".time")).to_have_text(re.compile(r"^07:1\d:\d\d$"))  # clock runs on
    expect(result).to_contain_text("Presensi datang tercatat pukul 07:10.")
    expect(result).to_contain_text("Datang 07:10, jadwal 07:30: tepat waktu")
    expect(phone.locator("#standing")).to_contain_text("Hari ini: ")
    screenshot(phone, "accepted")

    phone.context.set_geolocation(
        {"latitude": north_of(MAKASSAR, 2100)[0], "longitude": MAKASSAR[1], "accuracy": 12}
    )
    expect(phone.locator("#position")).to_have_text("Anda berada 2,0 km dari Kantor KUA Mamajang.")
    button.click()

    expect(result).to_have_class("refused")
    expect(result).to_contain_text(
        "Anda berada 2,0 km dari Kantor KUA Mamajang, di luar semua titik lokasi yang diizinkan."
    )
    screenshot(phone, "refused")
    # The map moved to show the phone and the office together: which way to go.
    assert on_the_map(phone, "#c62828")
    assert on_the_map(phone, "#1b5e20")

    punch = Punch.objects.get()
    assert punch.employee == employee
    assert punch.at.astimezone(local(MONDAY, "07:10", WITA).tzinfo).date() == MONDAY
    refusal = Refusal.objects.get()
    assert refusal.reason == Refusal.Reason.OUTSIDE_AREA
    assert abs(refusal.detail["distance_m"] - 2000) <= 1
    assert punch.device_id
    assert refusal.device_id == punch.device_id


def test_a_phone_inside_a_polygon_location_far_from_its_centre_reads_inside_and_checks_in(
    live_server: Any,
    geolocated_phone: GeolocatedPhone,
    monkeypatch: pytest.MonkeyPatch,
    screenshot: Any,
) -> None:
    freeze_clock(monkeypatch, local(MONDAY, "07:10", WITA))
    unit = UnitFactory.create(code="MAN-MKS", name="MAN 2 Makassar", timezone=WITA)
    # A long school yard: 400 m east–west, 60 m north–south; the radius is not what counts.
    west, east = east_of(MAKASSAR, -200), east_of(MAKASSAR, 200)
    yard = [
        list(north_of(west, 30)),
        list(north_of(east, 30)),
        list(north_of(east, -30)),
        list(north_of(west, -30)),
    ]
    add_location(unit, "Halaman MAN 2", MAKASSAR, radius_m=40, polygon=yard)
    employee = EmployeeFactory.create(name="Ahmad Fauzi", unit=unit)
    employee.user = UserFactory.create(username=employee.nip, password=PASSWORD)
    employee.save()

    phone = geolocated_phone(*east_of(MAKASSAR, 150), 10)
    phone.goto(f"{live_server.url}/presensi/")
    log_in(phone, employee.nip)

    expect(phone.locator("#position")).to_have_text(
        "Anda berada di dalam Halaman MAN 2 (akurasi 10 m)."
    )
    phone.get_by_role("button", name="Presensi sekarang").click()
    expect(phone.locator("#result")).to_have_class("ok")
    screenshot(phone, "inside-polygon")

    phone.context.set_geolocation(
        {"latitude": north_of(MAKASSAR, 130)[0], "longitude": MAKASSAR[1], "accuracy": 10}
    )
    expect(phone.locator("#position")).to_have_text("Anda berada 100 m dari Halaman MAN 2.")


def key_of(request: Request) -> str:
    body = request.post_data_json
    assert isinstance(body, dict)
    return str(body["idempotency_key"])


def test_a_tap_whose_answers_were_lost_is_sent_again_with_its_key_and_recorded_once(
    live_server: Any,
    geolocated_phone: GeolocatedPhone,
    monkeypatch: pytest.MonkeyPatch,
    screenshot: Any,
) -> None:
    """Weak signal: the server records the tap, but each of its answers is lost on the way
    back. The page must not claim the punch was not recorded, must not take a second tap
    while it is still sending, and must send the same idempotency key when tapped again."""
    freeze_clock(monkeypatch, local(MONDAY, "07:10", WITA))
    unit = UnitFactory.create(code="KUA-TLO", name="KUA Tallo", timezone=WITA)
    add_location(unit, "Kantor KUA Tallo", MAKASSAR)
    employee = EmployeeFactory.create(name="Nur Aini", unit=unit)
    employee.user = UserFactory.create(username=employee.nip, password=PASSWORD)
    employee.save()
    phone = geolocated_phone(*MAKASSAR, 12)
    phone.goto(f"{live_server.url}/presensi/")
    log_in(phone, employee.nip)
    button = phone.get_by_role("button", name="Presensi sekarang")
    expect(button).to_be_enabled()

    keys: list[str] = []

    def reach_the_server_then_lose_the_answer(route: Route) -> None:
        keys.append(key_of(route.request))
        route.fetch()  # the server records it ...
        route.abort("connectionreset")  # ... and the phone never hears back

    phone.route("**/api/presensi/check-in", reach_the_server_then_lose_the_answer)
    button.click()
    result = phone.locator("#result")
    expect(result).to_have_text("Sinyal lemah, mengirim ulang…")
    phone.context.set_geolocation(
        {"latitude": north_of(MAKASSAR, 5)[0], "longitude": MAKASSAR[1], "accuracy": 10}
    )
    expect(phone.locator("#position")).to_contain_text("akurasi 10 m")
    expect(button).to_be_disabled()  # a new position does not free the button mid-send
    expect(result).to_contain_text("mungkin belum tercatat", timeout=30_000)
    expect(button).to_be_enabled()
    screenshot(phone, "answer-lost")
    assert len(keys) == 3
    assert len(set(keys)) == 1

    phone.unroute("**/api/presensi/check-in")
    with phone.expect_request("**/api/presensi/check-in") as again:
        button.click()
    expect(result).to_have_class("ok")
    expect(result).to_contain_text("07:10")

    assert key_of(again.value) == keys[0]
    assert Punch.objects.count() == 1


def test_a_tap_minutes_after_an_unanswered_one_is_a_new_tap_from_where_the_phone_is_now(
    live_server: Any, geolocated_phone: GeolocatedPhone, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The morning's tap was recorded but its answer lost; hours later the phone taps for
    pulang. Sending the morning's key again would replay the morning and record no pulang."""
    freeze_clock(monkeypatch, local(MONDAY, "07:10", WITA))
    unit = UnitFactory.create(code="KUA-MRS", name="KUA Mariso", timezone=WITA)
    add_location(unit, "Kantor KUA Mariso", MAKASSAR)
    employee = EmployeeFactory.create(unit=unit)
    employee.user = UserFactory.create(username=employee.nip, password=PASSWORD)
    employee.save()
    phone = geolocated_phone(*MAKASSAR, 12)
    phone.clock.set_fixed_time(local(MONDAY, "07:10", WITA))
    phone.goto(f"{live_server.url}/presensi/")
    log_in(phone, employee.nip)
    button = phone.get_by_role("button", name="Presensi sekarang")
    keys: list[str] = []

    def reach_the_server_then_lose_the_answer(route: Route) -> None:
        keys.append(key_of(route.request))
        route.fetch()
        route.abort("connectionreset")

    phone.route("**/api/presensi/check-in", reach_the_server_then_lose_the_answer)
    button.click()
    expect(phone.locator("#result")).to_contain_text("mungkin belum tercatat", timeout=30_000)
    phone.unroute("**/api/presensi/check-in")
    phone.clock.set_fixed_time(local(MONDAY, "07:13", WITA))
    phone.context.set_geolocation(
        {"latitude": north_of(MAKASSAR, 20)[0], "longitude": MAKASSAR[1], "accuracy": 9}
    )
    expect(phone.locator("#position")).to_contain_text("akurasi 9 m")
    with phone.expect_request("**/api/presensi/check-in") as later:
        button.click()
    expect(phone.locator("#result")).to_have_class("ok")

    sent = later.value.post_data_json
    assert isinstance(sent, dict)
    assert sent["idempotency_key"] != keys[0]
    assert sent["accuracy_m"] == 9  # the position of now, not the lost tap's
    assert Punch.objects.count() == 2


def test_a_fix_too_coarse_for_the_location_is_named_before_the_tap(
    live_server: Any, geolocated_phone: GeolocatedPhone, monkeypatch: pytest.MonkeyPatch
) -> None:
    freeze_clock(monkeypatch, local(MONDAY, "07:10", WITA))
    unit = UnitFactory.create(code="KUA-BRG", name="KUA Biringkanaya", timezone=WITA)
    add_location(unit, "Kantor KUA Biringkanaya", MAKASSAR, tolerance_m=50)
    employee = EmployeeFactory.create(unit=unit)
    employee.user = UserFactory.create(username=employee.nip, password=PASSWORD)
    employee.save()

    phone = geolocated_phone(*MAKASSAR, 300)
    phone.goto(f"{live_server.url}/presensi/")
    log_in(phone, employee.nip)

    expect(phone.locator("#position")).to_have_text(
        "Akurasi GPS (300 m) lebih buruk dari 50 m yang diizinkan Kantor KUA Biringkanaya."
        " Tunggu di tempat terbuka agar posisi lebih tepat."
    )


def test_the_check_in_page_is_installable_as_an_app(
    live_server: Any, browser: Browser, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Chromium's own verdict (the one behind "Add to Home screen"), in a profile that is not
    incognito, as a phone's is: no installability error for the check-in page."""
    freeze_clock(monkeypatch, local(MONDAY, "07:10", WITA))
    unit = UnitFactory.create(code="KUA-UJT", name="KUA Ujung Tanah", timezone=WITA)
    add_location(unit, "Kantor KUA Ujung Tanah", MAKASSAR)
    employee = EmployeeFactory.create(unit=unit)
    employee.user = UserFactory.create(username=employee.nip, password=PASSWORD)
    employee.save()
    context = browser.browser_type.launch_persistent_context(
        tmp_path / "profile",
        executable_path=CHROMIUM,
        headless=True,
        args=CHROMIUM_ARGS,
        viewport=PHONE,
        locale="id-ID",
        is_mobile=True,
        has_touch=True,
        geolocation={"latitude": MAKASSAR[0], "longitude": MAKASSAR[1], "accuracy": 12},
        permissions=["geolocation"],
    )
    try:
        context.route("https://tile.openstreetmap.org/**", lambda route: route.abort())
        phone = context.new_page()
        phone.goto(f"{live_server.url}/presensi/")
        log_in(phone, employee.nip)
        expect(phone.get_by_role("button", name="Presensi sekarang")).to_be_enabled()
        devtools = context.new_cdp_session(phone)

        errors = devtools.send("Page.getInstallabilityErrors")["installabilityErrors"]
        manifest = devtools.send("Page.getAppManifest")
    finally:
        context.close()

    assert errors == []
    assert manifest["errors"] == []
    assert manifest["url"].endswith("/presensi/manifest.webmanifest")
