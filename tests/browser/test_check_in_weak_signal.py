"""The phone page when things go wrong: the GPS loses its fix, the fix is poor, the answer is
lost, the session was renewed elsewhere, the app is opened without signal, a new deploy."""

from __future__ import annotations

import contextlib
import re
from typing import Any

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, Route, expect

from hadir.org.models import Employee, Role
from hadir.presence import views
from hadir.presence.models import Punch, Refusal
from tests.browser.conftest import GeolocatedPhone
from tests.browser.test_check_in import MAKASSAR, employee_in_makassar, log_in, ready
from tests.factories import RoleAssignmentFactory
from tests.presence.support import north_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def siti(monkeypatch: pytest.MonkeyPatch) -> Employee:
    """Of a KUA in Makassar whose office allows 100 m around it with a 50 m GPS tolerance."""
    return employee_in_makassar(
        monkeypatch,
        code="KUA-MMJ",
        unit="KUA Mamajang",
        place="Kantor KUA Mamajang",
        name="Siti Hasanah",
    )


def test_when_the_gps_loses_its_fix_the_last_position_is_not_sent_and_the_page_says_why(
    live_server: Any, geolocated_phone: GeolocatedPhone, siti: Employee
) -> None:
    phone = ready(live_server, geolocated_phone(*MAKASSAR, 12), siti)
    expect(phone.locator("#position")).to_contain_text("di dalam Kantor KUA Mamajang")

    phone.context.set_geolocation(None)  # Chromium: position unavailable to every watcher

    expect(phone.locator("#position")).to_contain_text("Posisi GPS belum didapat")
    expect(phone.get_by_role("button", name="Presensi sekarang")).to_be_disabled()
    assert Punch.objects.count() == 0


GPS_CHIP = """
  // The page's own watch callbacks, so the test can hand it fixes as a GPS chip would (moving
  // the browser's emulated position reports a lost fix in between, which a walk does not).
  const watch = navigator.geolocation.watchPosition.bind(navigator.geolocation);
  window.gpsChip = [];
  navigator.geolocation.watchPosition = (ok, fail, options) => {
    window.gpsChip.push(ok);
    return watch(ok, fail, options);
  };
"""


def new_fix(phone: Page, metres_north: float, accuracy_m: float) -> None:
    phone.evaluate(
        """([latitude, longitude, accuracy]) => window.gpsChip.forEach(
             (ok) => ok({ coords: { latitude, longitude, accuracy }, timestamp: Date.now() }))""",
        [north_of(MAKASSAR, metres_north)[0], MAKASSAR[1], accuracy_m],
    )


def test_a_screen_reader_hears_when_the_standing_changes_not_every_fix(
    live_server: Any, geolocated_phone: GeolocatedPhone, siti: Employee
) -> None:
    phone = geolocated_phone(*north_of(MAKASSAR, 2100), 12)
    phone.context.add_init_script(GPS_CHIP)
    ready(live_server, phone, siti)
    shown, said = phone.locator("#position"), phone.locator("#position-said")
    expect(said).to_have_text("Anda berada 2,0 km dari Kantor KUA Mamajang.")

    new_fix(phone, 1100, 12)  # walking towards the office

    expect(shown).to_have_text("Anda berada 1,0 km dari Kantor KUA Mamajang.")
    expect(said).to_have_text("Anda berada 2,0 km dari Kantor KUA Mamajang.")
    assert shown.get_attribute("aria-live") is None

    new_fix(phone, 0, 9)  # arrived

    expect(said).to_have_text("Anda berada di dalam Kantor KUA Mamajang (akurasi 9 m).")
    expect(said).to_have_attribute("aria-live", "polite")


def test_a_poor_fix_reaching_the_office_is_told_to_wait_for_a_better_one_not_to_walk(
    live_server: Any, geolocated_phone: GeolocatedPhone, siti: Employee
) -> None:
    """Indoors: 500 m accuracy, its centre 250 m off (150 m outside the 100 m radius)."""
    phone = ready(live_server, geolocated_phone(*north_of(MAKASSAR, 250), 500), siti)

    expect(phone.locator("#position")).to_contain_text("Akurasi GPS (500 m)")
    phone.get_by_role("button", name="Presensi sekarang").click()

    expect(phone.locator("#result")).to_have_class("refused")
    expect(phone.locator("#result")).to_contain_text("Akurasi GPS 500 m")
    assert Refusal.objects.get().reason == Refusal.Reason.POOR_ACCURACY


def test_on_a_first_visit_the_button_works_before_the_maps_library_has_arrived(
    live_server: Any, geolocated_phone: GeolocatedPhone, siti: Employee
) -> None:
    """A weak signal and an empty cache: the map's library (150 KB) is still on its way.
    The position is judged and the check-in recorded meanwhile; the map draws when it comes."""
    phone = geolocated_phone(*MAKASSAR, 12)
    held: list[Route] = []
    phone.route("**/leaflet/leaflet.js", lambda route: held.append(route))
    ready(live_server, phone, siti)  # the button on, without the library
    expect(phone.locator("#position")).to_contain_text("di dalam Kantor KUA Mamajang")
    assert held, "the library was asked for, and is held back"
    phone.get_by_role("button", name="Presensi sekarang").click()
    expect(phone.locator("#result")).to_have_class("ok")
    expect(phone.locator("#map path")).to_have_count(0)

    for route in held:
        route.continue_()

    expect(phone.locator("#map path").first).to_be_visible()
    assert Punch.objects.count() == 1


def test_a_tap_past_the_rate_says_to_wait_in_words_not_a_plain_failure(
    live_server: Any, geolocated_phone: GeolocatedPhone, siti: Employee, settings: Any
) -> None:
    settings.HADIR_CHECKIN_RATE = "1/10m"
    phone = ready(live_server, geolocated_phone(*MAKASSAR, 12), siti)
    button = phone.get_by_role("button", name="Presensi sekarang")
    button.click()
    expect(phone.locator("#result")).to_have_class("ok")
    expect(button).to_be_enabled()

    button.click()

    expect(phone.locator("#result")).to_have_class("refused")
    expect(phone.locator("#result")).to_have_text(
        "Terlalu banyak percobaan presensi dalam waktu singkat: tunggu beberapa menit, lalu"
        " coba lagi."
    )
    assert Punch.objects.count() == 1


def test_after_logging_in_again_in_another_tab_a_tap_is_recorded(
    live_server: Any, geolocated_phone: GeolocatedPhone, siti: Employee
) -> None:
    """Logging in rotates the CSRF token: the open page must read the new one."""
    phone = ready(live_server, geolocated_phone(*MAKASSAR, 12), siti)
    phone.context.clear_cookies(name="sessionid")  # the session expired
    button = phone.get_by_role("button", name="Presensi sekarang")
    button.click()
    expect(phone.locator("#result")).to_contain_text("Sesi Anda berakhir")
    expect(phone.locator("#result")).not_to_contain_text("Waktu server")  # no time: no label

    other = phone.context.new_page()
    other.goto(f"{live_server.url}/presensi/")
    log_in(other, siti.nip)
    expect(other.get_by_role("button", name="Presensi sekarang")).to_be_enabled()
    other.close()
    button.click()

    expect(phone.locator("#result")).to_have_class("ok")
    assert Punch.objects.count() == 1


def test_a_tap_from_elsewhere_after_a_lost_answer_asks_afresh(
    live_server: Any, geolocated_phone: GeolocatedPhone, siti: Employee
) -> None:
    """Refused 2 km away, the answer lost; inside the office a minute later the tap is a new
    question, not the replay of the old refusal."""
    phone = ready(live_server, geolocated_phone(*north_of(MAKASSAR, 2100), 12), siti)
    button = phone.get_by_role("button", name="Presensi sekarang")

    def lose_the_answer(route: Route) -> None:
        route.fetch()
        route.abort("connectionreset")

    phone.route("**/api/presensi/check-in", lose_the_answer)
    button.click()
    expect(phone.locator("#result")).to_contain_text("mungkin belum tercatat", timeout=30_000)
    phone.unroute("**/api/presensi/check-in")
    phone.context.set_geolocation(
        {"latitude": MAKASSAR[0], "longitude": MAKASSAR[1], "accuracy": 10}
    )
    expect(phone.locator("#position")).to_contain_text("di dalam Kantor KUA Mamajang")
    button.click()

    expect(phone.locator("#result")).to_have_class("ok")
    assert Punch.objects.count() == 1


def test_no_fix_is_not_blamed_on_a_refused_permission(
    live_server: Any, geolocated_phone: GeolocatedPhone, siti: Employee
) -> None:
    phone = ready(live_server, geolocated_phone(*MAKASSAR, 12), siti)

    phone.context.set_geolocation(None)

    expect(phone.locator("#position")).to_contain_text("Keluarlah atau mendekat ke jendela")
    expect(phone.locator("#position")).not_to_contain_text("Izinkan akses lokasi")


def test_the_app_opened_without_signal_shows_its_own_page(
    live_server: Any, geolocated_phone: GeolocatedPhone, siti: Employee
) -> None:
    phone = ready(live_server, geolocated_phone(*MAKASSAR, 12), siti)
    phone.wait_for_function("navigator.serviceWorker.ready.then(() => true)")
    phone.reload()  # now controlled by the service worker
    phone.wait_for_function("Boolean(navigator.serviceWorker.controller)")

    phone.context.set_offline(True)
    with contextlib.suppress(PlaywrightError):
        phone.goto(f"{live_server.url}/presensi/")

    expect(phone.get_by_text("Tidak ada koneksi.")).to_be_visible()
    expect(phone.get_by_role("button", name="Coba lagi")).to_be_visible()


def test_the_live_board_under_presensi_is_not_turned_into_the_check_in_offline_page(
    live_server: Any, geolocated_phone: GeolocatedPhone, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The worker's scope is /presensi/, which also holds the live board (/presensi/langsung/,
    refreshing itself every minute), the machines and the punch import. A refresh during a
    dropped signal must not answer with the check-in's offline page (no refresh any more, and
    "Coba lagi" leading to the check-in page): the board comes back once the signal does."""
    head = employee_in_makassar(
        monkeypatch, code="KUA-MMJ", unit="KUA Mamajang", place="Kantor KUA", name="Kepala KUA"
    )
    assert head.user is not None
    RoleAssignmentFactory.create(user=head.user, role=Role.LEADER, unit=head.unit)
    phone = ready(live_server, geolocated_phone(*MAKASSAR, 12), head)  # the worker registers
    phone.wait_for_function("navigator.serviceWorker.ready.then(() => true)")
    board = f"{live_server.url}/presensi/langsung/{head.unit_id}/"
    phone.goto(board)
    expect(phone.get_by_role("heading", name="Hari ini (langsung)")).to_be_visible()
    phone.wait_for_function("Boolean(navigator.serviceWorker.controller)")

    phone.context.set_offline(True)
    with contextlib.suppress(PlaywrightError):
        phone.reload()  # what its <meta http-equiv="refresh"> does every minute
    phone.context.set_offline(False)
    again = phone.get_by_role("button", name="Coba lagi")
    if again.count():  # the worker's page: its "try again" must bring the board back
        again.click()
    else:  # the browser's own error page: reloading it does
        phone.reload()

    expect(phone).to_have_url(re.compile(rf"/presensi/langsung/{head.unit_id}/$"))
    expect(phone.get_by_role("heading", name="Hari ini (langsung)")).to_be_visible()


def test_a_tap_with_no_connection_says_plainly_that_the_presensi_was_not_recorded(
    live_server: Any, geolocated_phone: GeolocatedPhone, siti: Employee
) -> None:
    """With mobile data off the request never leaves the phone: no "Weak signal, sending
    again…" and no presensi that *may* not have been recorded, as if it might have counted
    (she could walk off believing she checked in)."""
    phone = geolocated_phone(*MAKASSAR, 12)
    phone.set_viewport_size({"width": 360, "height": 740})
    ready(live_server, phone, siti)
    phone.context.set_offline(True)
    assert phone.evaluate("navigator.onLine") is False

    phone.get_by_role("button", name="Presensi sekarang").click()

    result = phone.locator("#result")
    expect(result).to_have_class("refused", timeout=20_000)
    assert Punch.objects.count() == 0
    expect(result).to_contain_text("koneksi")
    expect(result).not_to_contain_text("mungkin")


def test_todays_retries_do_not_multiply_while_offline(
    live_server: Any, geolocated_phone: GeolocatedPhone, siti: Employee
) -> None:
    phone = geolocated_phone(*MAKASSAR, 12)
    phone.clock.install()
    ready(live_server, phone, siti)
    expect(phone.locator("#standing")).to_contain_text("Hari ini")
    phone.context.set_offline(True)

    for _ in range(120):  # two hours offline, a minute at a time
        phone.clock.run_for(60_000)
        phone.wait_for_timeout(20)
    sent: list[str] = []
    phone.on("request", lambda r: sent.append(r.url) if "/api/presensi/today" in r.url else None)
    for _ in range(6):
        phone.clock.run_for(10_000)
        phone.wait_for_timeout(20)

    assert len(sent) <= 2, f"{len(sent)} requests for today in one minute"


def test_a_new_deploy_leaves_no_old_files_in_the_service_workers_cache(
    live_server: Any,
    geolocated_phone: GeolocatedPhone,
    siti: Employee,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Hashed names change with each deploy: the new worker's cache must not keep the old."""
    phone = ready(live_server, geolocated_phone(*MAKASSAR, 12), siti)
    phone.wait_for_function("navigator.serviceWorker.ready.then(() => true)")
    from django.templatetags.static import static as real_static

    monkeypatch.setattr(
        views,
        "static",
        lambda path: real_static("hadir/print.js" if path == "hadir/checkin.js" else path),
    )

    phone.evaluate("navigator.serviceWorker.getRegistration().then((r) => r.update())")
    cached: list[str] = []
    for _ in range(40):  # until the new worker has taken over
        phone.wait_for_timeout(250)
        cached = phone.evaluate(
            "caches.keys().then((names) => Promise.all(names.map((n) => caches.open(n)"
            ".then((c) => c.keys()))))"
            ".then((all) => all.flat().map((r) => new URL(r.url).pathname))"
        )
        if "/static/hadir/print.js" in cached and "/static/hadir/checkin.js" not in cached:
            break
    assert "/static/hadir/print.js" in cached, cached
    assert "/static/hadir/checkin.js" not in cached, cached
    # The open page still runs the old script: it says a new version is ready.
    expect(phone.get_by_role("link", name="Versi baru Hadir sudah siap")).to_be_visible()


@pytest.mark.parametrize("size", [(360, 640), (320, 568)])
def test_the_big_button_shows_without_scrolling_on_a_small_phone_with_large_text(
    live_server: Any, geolocated_phone: GeolocatedPhone, siti: Employee, size: tuple[int, int]
) -> None:
    """Android's largest font scale (1.3: 21 px instead of 16)."""
    phone = ready(live_server, geolocated_phone(*MAKASSAR, 12), siti)
    width, height = size
    phone.set_viewport_size({"width": width, "height": height})
    devtools = phone.context.new_cdp_session(phone)
    devtools.send("Page.setFontSizes", {"fontSizes": {"standard": 21, "fixed": 13}})
    phone.reload()
    button = phone.get_by_role("button", name="Presensi sekarang")
    expect(button).to_be_enabled()

    box = button.bounding_box()
    assert box is not None
    assert box["y"] + box["height"] <= height, f"the button ends at {box['y'] + box['height']} px"
