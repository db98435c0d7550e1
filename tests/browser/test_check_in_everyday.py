"""The phone check-in page on an ordinary day at a madrasah: answers lost and retried, a page
left open overnight, a shared phone, large text, location allowed late, GPS lost mid-tap, a
screen reader that should hear only what changed (Playwright on Debian's chromium)."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Route, expect

from hadir.org.models import Employee
from hadir.presence.models import Punch, Refusal
from tests.browser.conftest import GeolocatedPhone
from tests.browser.test_check_in import MAKASSAR, PASSWORD, employee_in_makassar, log_in, ready
from tests.factories import EmployeeFactory, UserFactory
from tests.presence.support import MONDAY, WITA, freeze_clock, local, north_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def guru(monkeypatch: pytest.MonkeyPatch) -> Employee:
    """A madrasah teacher in Makassar: 100 m around the school, 50 m GPS tolerance."""
    return employee_in_makassar(
        monkeypatch, code="MIN-MKS", unit="MIN 1 Makassar", place="MIN 1 Makassar", name="Nurhayati"
    )


def lose_the_answer(route: Route) -> None:
    route.fetch()  # the server answers ...
    route.abort("connectionreset")  # ... and the phone never hears it


def test_a_tap_with_a_good_fix_after_a_lost_refusal_is_judged_not_given_the_old_refusal(
    live_server: Any, geolocated_phone: GeolocatedPhone, guru: Employee
) -> None:
    """Indoors the fix is 80 m (tolerance 50 m): the tap is refused for accuracy, and the answer
    is lost. At the window (same spot, 10 m fix) she taps again: the lost tap was a refusal, so
    nothing was recorded, and this tap is judged on its own and recorded."""
    phone = ready(live_server, geolocated_phone(*MAKASSAR, 80), guru)
    button = phone.get_by_role("button", name="Presensi sekarang")
    phone.route("**/api/presensi/check-in", lose_the_answer)
    button.click()
    expect(phone.locator("#result")).to_contain_text("mungkin belum tercatat", timeout=30_000)
    assert Refusal.objects.get().reason == Refusal.Reason.POOR_ACCURACY
    phone.unroute("**/api/presensi/check-in")

    phone.context.set_geolocation(
        {"latitude": MAKASSAR[0], "longitude": MAKASSAR[1], "accuracy": 10}
    )
    expect(phone.locator("#position")).to_have_text(
        "Anda berada di dalam MIN 1 Makassar (akurasi 10 m)."
    )
    button.click()

    expect(phone.locator("#result")).to_have_class("ok")
    assert Punch.objects.count() == 1


def test_a_tap_judged_anew_after_a_lost_refusal_is_retried_with_its_own_key(
    live_server: Any, geolocated_phone: GeolocatedPhone, guru: Employee
) -> None:
    """The refusal's answer is lost; at the window the tap is judged anew and recorded, but
    that answer is lost too. The next tap asks again about the punch, not the refusal: one
    punch, whatever the signal did."""
    phone = ready(live_server, geolocated_phone(*MAKASSAR, 80), guru)
    button = phone.get_by_role("button", name="Presensi sekarang")
    phone.route("**/api/presensi/check-in", lose_the_answer)
    button.click()
    expect(phone.locator("#result")).to_contain_text("mungkin belum tercatat", timeout=30_000)
    phone.unroute("**/api/presensi/check-in")
    phone.context.set_geolocation(
        {"latitude": MAKASSAR[0], "longitude": MAKASSAR[1], "accuracy": 10}
    )
    expect(phone.locator("#position")).to_contain_text("di dalam")
    answered: list[str] = []

    def only_the_replay_is_heard(route: Route) -> None:
        if not answered:  # the lost refusal, replayed: heard
            answered.append(route.request.post_data or "")
            route.continue_()
        else:  # the tap judged anew: recorded, and lost
            lose_the_answer(route)

    phone.route("**/api/presensi/check-in", only_the_replay_is_heard)
    button.click()
    expect(phone.locator("#result")).to_contain_text("mungkin belum tercatat", timeout=30_000)
    assert Punch.objects.count() == 1
    phone.unroute("**/api/presensi/check-in")

    button.click()

    expect(phone.locator("#result")).to_have_class("ok")
    expect(phone.locator("#result")).to_contain_text("Sudah dijawab")
    assert Punch.objects.count() == 1


def test_a_page_left_open_overnight_does_not_show_yesterdays_check_in_as_the_answer(
    live_server: Any, geolocated_phone: GeolocatedPhone, guru: Employee, monkeypatch: Any
) -> None:
    """Monday 07:10 she checks in and leaves the page open; on Tuesday at 06:50 the standing says
    there is no presensi yet, and Monday's answer is no longer shown under the button."""
    from datetime import timedelta

    phone = geolocated_phone(*MAKASSAR, 12)
    phone.clock.install(time=local(MONDAY, "07:10", WITA))
    ready(live_server, phone, guru)
    phone.get_by_role("button", name="Presensi sekarang").click()
    result = phone.locator("#result")
    expect(result).to_contain_text("Presensi datang tercatat pukul 07:10.")

    freeze_clock(monkeypatch, local(MONDAY + timedelta(days=1), "06:50", WITA))  # server
    phone.clock.set_system_time(local(MONDAY + timedelta(days=1), "06:50", WITA))
    for _ in range(16):  # a quarter of an hour of the page left open
        phone.clock.run_for(60_000)
        phone.wait_for_timeout(50)

    expect(phone.locator("#standing")).to_contain_text("Belum ada presensi hari ini")
    expect(result).not_to_contain_text("tercatat pukul 07:10")


SAID_LOG = """
  window.said = [];
  document.addEventListener("DOMContentLoaded", () => {
    const node = document.getElementById("position-said");
    new MutationObserver(() => window.said.push(node.textContent))
      .observe(node, { subtree: true, childList: true, characterData: true });
  });
"""


def test_a_phone_lying_still_is_not_announced_again_every_minute(
    live_server: Any, geolocated_phone: GeolocatedPhone, guru: Employee
) -> None:
    """The phone lies on the desk inside the school: the page looks for a fresh position every
    minute, quietly; a screen reader hears the standing again only if it changes."""
    phone = geolocated_phone(*MAKASSAR, 12)
    phone.clock.install(time=local(MONDAY, "07:10", WITA))
    phone.context.add_init_script(SAID_LOG)
    ready(live_server, phone, guru)
    expect(phone.locator("#position-said")).to_have_text(
        "Anda berada di dalam MIN 1 Makassar (akurasi 12 m)."
    )
    phone.evaluate("window.said = []")
    for _ in range(12):  # three minutes on the desk
        phone.clock.run_for(15_000)
        phone.wait_for_timeout(100)

    said = phone.evaluate("window.said")
    assert said == [], f"announced again while nothing changed: {said!r}"


def test_when_the_signal_comes_back_the_page_stops_saying_there_is_no_connection(
    live_server: Any, geolocated_phone: GeolocatedPhone, guru: Employee
) -> None:
    """Half an hour without signal (a madrasah in the hills): when the phone is back online the
    page loads today's standing at once, not at its next backed-off retry."""
    phone = geolocated_phone(*MAKASSAR, 12)
    phone.clock.install(time=local(MONDAY, "07:10", WITA))
    ready(live_server, phone, guru)
    standing = phone.locator("#standing")
    expect(standing).to_contain_text("Hari ini")

    phone.context.set_offline(True)
    for _ in range(30):
        phone.clock.run_for(60_000)
        phone.wait_for_timeout(20)
    expect(standing).to_contain_text("tidak ada koneksi")

    phone.context.set_offline(False)
    for _ in range(10):
        phone.clock.run_for(1_000)
        phone.wait_for_timeout(50)
    expect(standing).to_contain_text("Belum ada presensi hari ini")


def test_a_page_open_for_one_teacher_does_not_check_in_the_next_teacher_on_a_shared_phone(
    live_server: Any, geolocated_phone: GeolocatedPhone, guru: Employee
) -> None:
    """One phone shared by two teachers: Nurhayati's page stays open while Ahmad logs in on
    another tab. A tap on her page is refused with a request to reload, and records nothing
    for Ahmad."""
    other = EmployeeFactory.create(name="Ahmad Fauzi", unit=guru.unit)
    other.user = UserFactory.create(username=other.nip, password=PASSWORD)
    other.save()
    phone = ready(live_server, geolocated_phone(*MAKASSAR, 12), guru)
    expect(phone.get_by_text("Nurhayati · MIN 1 Makassar")).to_be_visible()

    tab = phone.context.new_page()
    tab.goto(f"{live_server.url}/presensi/")
    tab.get_by_role("button", name="Keluar").click()
    tab.goto(f"{live_server.url}/presensi/")
    log_in(tab, other.nip)
    expect(tab.get_by_text("Ahmad Fauzi · MIN 1 Makassar")).to_be_visible()
    tab.close()

    phone.get_by_role("button", name="Presensi sekarang").click()
    expect(phone.locator("#result")).not_to_have_text("Mengirim…")
    expect(phone.locator("#result")).not_to_have_class("")
    assert not Punch.objects.filter(employee=other).exists(), (
        "a tap on Nurhayati's page was recorded for Ahmad; the page said: "
        + phone.locator("#result").inner_text()
    )


@pytest.mark.parametrize("size", [(360, 640), (320, 568)])
def test_a_refusal_is_readable_without_scrolling_on_a_small_phone_with_large_text(
    live_server: Any, geolocated_phone: GeolocatedPhone, guru: Employee, size: tuple[int, int]
) -> None:
    """A small phone with Android's largest text: after the tap, the answer is scrolled into
    view."""
    phone = ready(live_server, geolocated_phone(*north_of(MAKASSAR, 2100), 12), guru)
    width, height = size
    phone.set_viewport_size({"width": width, "height": height})
    devtools = phone.context.new_cdp_session(phone)
    devtools.send("Page.setFontSizes", {"fontSizes": {"standard": 21, "fixed": 13}})
    phone.reload()
    button = phone.get_by_role("button", name="Presensi sekarang")
    expect(button).to_be_enabled()
    button.click()

    answer = phone.locator("#result p").first
    expect(answer).to_contain_text("di luar semua titik lokasi")
    expect(answer).to_be_in_viewport()


def test_after_allowing_location_in_the_settings_the_page_finds_the_position(
    live_server: Any, browser: Any, guru: Employee
) -> None:
    """She blocked the location prompt by mistake, then allows it in the settings: the page
    looks again and finds her, without a reload."""
    from tests.browser.conftest import PHONE

    context = browser.new_context(
        viewport=PHONE,
        locale="id-ID",
        is_mobile=True,
        has_touch=True,
        geolocation={"latitude": MAKASSAR[0], "longitude": MAKASSAR[1], "accuracy": 12},
    )
    try:
        context.route("https://tile.openstreetmap.org/**", lambda route: route.abort())
        phone = context.new_page()
        phone.goto(f"{live_server.url}/presensi/")
        log_in(phone, guru.nip)
        position = phone.locator("#position")
        expect(position).to_contain_text("Akses lokasi ditolak")

        context.grant_permissions(["geolocation"], origin=live_server.url)
        phone.evaluate("document.dispatchEvent(new Event('visibilitychange'))")

        expect(position).not_to_contain_text("Akses lokasi ditolak", timeout=15_000)
    finally:
        context.close()


def test_with_todays_standing_unloaded_the_page_does_not_claim_it_is_still_finding_the_position(
    live_server: Any, geolocated_phone: GeolocatedPhone, guru: Employee
) -> None:
    """Weak signal: today's locations do not load, but the GPS has a fix: the page says it found
    the position and is loading the locations, not that it is still looking."""
    phone = geolocated_phone(*MAKASSAR, 12)
    phone.route("**/api/presensi/today", lambda route: route.abort("timedout"))
    ready(live_server, phone, guru)
    expect(phone.locator("#standing")).to_contain_text("tidak ada koneksi")
    phone.wait_for_timeout(2_000)

    expect(phone.locator("#position")).not_to_have_text("Mencari posisi Anda…")


def test_when_the_gps_is_lost_during_a_tap_the_button_does_not_come_back_on(
    live_server: Any, geolocated_phone: GeolocatedPhone, guru: Employee
) -> None:
    """The GPS loses its fix while a tap is answered: the button stays off until there is a
    position again."""
    phone = ready(live_server, geolocated_phone(*MAKASSAR, 12), guru)
    held: list[Route] = []
    phone.route("**/api/presensi/check-in", lambda route: held.append(route))
    button = phone.get_by_role("button", name="Presensi sekarang")
    button.click()
    expect(phone.locator("#result")).to_have_text("Mengirim…")
    phone.wait_for_timeout(200)
    assert len(held) == 1

    phone.context.set_geolocation(None)
    expect(phone.locator("#position")).to_contain_text("Posisi GPS belum didapat")
    held[0].continue_()
    expect(phone.locator("#result")).to_have_class("ok")

    expect(phone.locator("#position")).to_contain_text("Posisi GPS belum didapat")
    expect(button).to_be_disabled()
