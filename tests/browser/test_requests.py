"""A missed check-in mended end to end: gaps → Laporan Baru with a PDF → a verifier approves.

Siti's Monday has only a pulang punch (no datang: TL4, 225 minutes). On Wednesday she opens
Gaps, follows the pre-filled link, attaches a letter and sends the Sistem Error complaint; her
verifier, in another browser, approves it from the request page; Siti's Monday is then on time.

The server's clock is fixed to Wednesday 6 March 2024, 10:00 WIB (it runs on from there): the
gaps page and the requests views read ``timezone.localdate()``/``timezone.now()``, and the live
server runs in a thread of this process, so patching ``django.utils.timezone.now`` reaches it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, ViewportSize, expect
from pytest_django.fixtures import Settings

from hadir.org.models import Employee, Role, Unit
from hadir.presence.models import Punch
from hadir.recap.models import EmployeeDay
from hadir.recap.services import days_refresh
from hadir.requests.models import Request, Status
from tests.browser.conftest import DESKTOP
from tests.factories import EmployeeFactory, RoleAssignmentFactory, UnitFactory, UserFactory
from tests.factories import pattern as work_pattern
from tests.presence.support import freeze_clock, local, punch_append

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "rahasia-kuat-2024"
SMALL_PHONE: ViewportSize = {"width": 360, "height": 740}
SIDEWAYS = "document.documentElement.scrollWidth - document.documentElement.clientWidth"
FRIDAY_1, MONDAY_4, TUESDAY_5, WEDNESDAY_6 = (date(2024, 3, d) for d in (1, 4, 5, 6))


@pytest.fixture(autouse=True)
def private_media(settings: Settings, tmp_path: Path) -> Path:
    root = tmp_path / "private"
    settings.MEDIA_ROOT = root
    return root


@pytest.fixture
def open_browser(browser: Browser) -> Iterator[Any]:
    """``open_browser()``: a fresh desktop browser (own cookies), Indonesian locale."""
    contexts: list[BrowserContext] = []

    def open_one() -> Page:
        context = browser.new_context(viewport=DESKTOP, locale="id-ID")
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        return page

    yield open_one
    for context in contexts:
        context.close()


@pytest.fixture
def letter(tmp_path: Path) -> Path:
    """A one-page PDF, as a phone's scanner app would save it."""
    from pypdf import PdfWriter

    path = tmp_path / "surat-keterangan-kepala-kua.pdf"
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    with path.open("wb") as file:
        writer.write(file)
    return path


def _punch(employee: Employee, day: date, hhmm: str) -> None:
    punch_append(
        employee, Punch(employee=employee, at=local(day, hhmm), source=Punch.Source.MACHINE)
    )


def _person(unit: Unit, name: str) -> Employee:
    employee = EmployeeFactory.create(name=name, unit=unit, start=FRIDAY_1)
    employee.user = UserFactory.create(username=employee.nip, password=PASSWORD)
    employee.save()
    return employee


def _siti_of_kua_mlati() -> Employee:
    kankemenag = UnitFactory.create(
        code="KAB-SLEMAN",
        name="Kankemenag Sleman",
        kind=Unit.Kind.KANKEMENAG,
        default_pattern=work_pattern("KANTOR_5H"),
    )
    kua = UnitFactory.create(
        code="KUA-MLATI",
        name="KUA Mlati",
        kind=Unit.Kind.KUA,
        parent=kankemenag,
        default_pattern=work_pattern("KANTOR_5H"),
    )
    return _person(kua, "Siti Hasanah")


def log_in(page: Page, nip: str) -> None:
    page.locator("#id_username").fill(nip)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("form button[type=submit]").click()


def my_day(page: Page, day: date) -> Any:
    """The row of ``day`` in a days table ("Sen 04-03")."""
    return page.locator("table.days tbody tr", has_text=f"{day:%d-%m}")


def test_employee_reports_a_missed_check_in_and_her_day_turns_on_time_once_approved(
    live_server: Any,
    open_browser: Any,
    letter: Path,
    screenshot: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    freeze_clock(monkeypatch, local(WEDNESDAY_6, "10:00"))
    kankemenag = UnitFactory.create(
        code="KAB-SLEMAN",
        name="Kankemenag Sleman",
        kind=Unit.Kind.KANKEMENAG,
        default_pattern=work_pattern("KANTOR_5H"),
    )
    kua = UnitFactory.create(
        code="KUA-MLATI",
        name="KUA Mlati",
        kind=Unit.Kind.KUA,
        parent=kankemenag,
        default_pattern=work_pattern("KANTOR_5H"),
    )
    siti = _person(kua, "Siti Hasanah")
    verifier = _person(kankemenag, "Bambang Verifikator")
    RoleAssignmentFactory.create(user=verifier.user, role=Role.VERIFIER, unit=kankemenag)
    for day, hhmm in (
        (FRIDAY_1, "07:25"),
        (FRIDAY_1, "16:35"),
        (MONDAY_4, "16:05"),  # the machine missed her datang
        (TUESDAY_5, "07:20"),
        (TUESDAY_5, "16:10"),
        (WEDNESDAY_6, "07:25"),
    ):
        _punch(siti, day, hhmm)
    days_refresh(employee=siti, dates=[FRIDAY_1, MONDAY_4, TUESDAY_5, WEDNESDAY_6])

    # Siti opens her gaps: Monday is one, TL4 of 225 minutes.
    employee = open_browser()
    employee.goto(f"{live_server.url}/laporan/celah/")
    log_in(employee, siti.nip)
    expect(employee).to_have_url(re.compile(r"/laporan/celah/$"))
    gap = employee.locator("article.gap", has_text="04-03-2024")
    expect(gap).to_contain_text("TL4")
    expect(employee.locator("article.gap")).to_have_count(1)
    expect(my_day(employee, MONDAY_4).locator("td").nth(4)).to_have_text("TL4 (225)")
    screenshot(employee, "gaps")

    # The pre-filled Laporan Baru: Sistem Error, Monday, pagi.
    gap.locator("a.new").click()
    expect(employee.get_by_role("heading", name=re.compile("Laporan Baru"))).to_be_visible()
    expect(employee.locator("#id_code")).to_have_value("SISTEM_ERROR")
    expect(employee.locator("#id_start")).to_have_value("2024-03-04")
    expect(employee.locator("#id_session")).to_have_value("PAGI")
    employee.locator("#id_reason").fill(
        "Mesin sidik jari tidak merekam presensi datang saya pukul 07:20."
    )
    employee.locator("#id_letter").set_input_files(str(letter))
    screenshot(employee, "laporan-baru")
    employee.get_by_role("button", name="Kirim Pengaduan").click()

    expect(employee.locator("h1")).to_have_text("PGD-2024-000001")
    expect(employee.locator("article.message")).to_contain_text("PGD-2024-000001")
    screenshot(employee, "sent")
    request = Request.objects.get()
    assert (request.code, request.start, request.session, request.status) == (
        "SISTEM_ERROR",
        MONDAY_4,
        "PAGI",
        Status.SUBMITTED,
    )
    assert request.evidence is not None
    assert request.evidence.original_name == letter.name

    # Bambang, in his own browser, finds it in his queue and approves it from its page.
    checker = open_browser()
    checker.goto(f"{live_server.url}/laporan/verifikasi/")
    log_in(checker, verifier.nip)
    expect(checker).to_have_url(re.compile(r"/laporan/verifikasi/$"))
    queued = checker.locator("article", has_text="PGD-2024-000001")
    expect(queued).to_contain_text("Siti Hasanah")
    screenshot(checker, "queue")
    queued.get_by_role("link", name="PGD-2024-000001").click()
    expect(checker.locator("h1")).to_have_text("PGD-2024-000001")
    expect(checker.locator("iframe.pdf")).to_be_attached()
    expect(my_day(checker, MONDAY_4).locator("td").nth(4)).to_have_text("TL4 (225)")
    checker.locator("button[name=decision][value=approve]").click()
    expect(checker.locator("article.message")).to_be_visible()
    expect(my_day(checker, MONDAY_4).locator("td").nth(4)).to_have_text("—")
    screenshot(checker, "approved")

    # Siti's Monday is now on time, and no longer a gap.
    employee.goto(f"{live_server.url}/laporan/celah/")
    expect(my_day(employee, MONDAY_4).locator("td").nth(4)).to_have_text("—")
    expect(employee.locator("article.gap")).to_have_count(0)
    screenshot(employee, "mended")

    request.refresh_from_db()
    assert request.status == Status.APPROVED
    assert request.decided_by == verifier.user
    monday = EmployeeDay.objects.get(employee=siti, date=MONDAY_4)
    assert (monday.status, monday.tl_minutes, monday.tl_class) == ("H", 0, 0)


def test_the_laporan_page_fits_a_360_px_phone_and_its_gaps_link_is_on_screen(
    live_server: Any, phone: Page, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The category tabs (Pengaduan · Ketidakhadiran · Izin · Kekurangan presensi) wrap: the
    page never scrolls sideways and the link to the gaps page stays on the screen."""
    freeze_clock(monkeypatch, local(WEDNESDAY_6, "10:00"))
    siti = _siti_of_kua_mlati()
    phone.set_viewport_size(SMALL_PHONE)
    phone.goto(f"{live_server.url}/laporan/")
    log_in(phone, siti.nip)
    gaps = phone.get_by_role("link", name="Kekurangan presensi")
    expect(gaps).to_be_visible()

    box = gaps.bounding_box()
    assert box is not None
    assert box["x"] + box["width"] <= SMALL_PHONE["width"], f"the gaps link ends at {box}"
    assert phone.evaluate(SIDEWAYS) == 0, "the page scrolls sideways"


def test_on_a_360_px_phone_each_reports_status_shows_beside_its_number(
    live_server: Any, phone: Page, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whether a report was approved is what the teacher opens the list for: its status is on
    the screen, not behind the table's sideways scroll past the type and dates."""
    from tests.requests.support import file_request

    freeze_clock(monkeypatch, local(WEDNESDAY_6, "10:00"))
    siti = _siti_of_kua_mlati()
    sent = file_request(siti, "SISTEM_ERROR", MONDAY_4, session="PAGI_SORE")
    phone.set_viewport_size(SMALL_PHONE)
    phone.goto(f"{live_server.url}/laporan/?kategori=PENGADUAN")
    log_in(phone, siti.nip)

    status = phone.locator("table tbody tr", has_text=sent.reference).get_by_text("Diajukan")
    expect(status).to_be_visible()
    box = status.bounding_box()
    assert box is not None
    assert box["x"] + box["width"] <= SMALL_PHONE["width"], box


def test_a_double_tap_on_kirim_over_a_slow_connection_shows_the_report_that_was_sent(
    live_server: Any, phone: Page, letter: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On a slow upload the first tap seems to do nothing, so the teacher taps again. Only the
    first is sent: she is left with her recorded complaint, not with a second post's refusal
    as overlapping (which would make her believe her complaint was not sent)."""
    freeze_clock(monkeypatch, local(WEDNESDAY_6, "10:00"))
    siti = _siti_of_kua_mlati()
    phone.set_viewport_size(SMALL_PHONE)
    phone.goto(
        f"{live_server.url}/laporan/baru/"
        "?kategori=PENGADUAN&code=SISTEM_ERROR&start=2024-03-04&session=PAGI"
    )
    log_in(phone, siti.nip)
    phone.locator("#id_reason").fill("Mesin sidik jari tidak merekam presensi datang saya.")
    phone.locator("#id_letter").set_input_files(str(letter))
    devtools = phone.context.new_cdp_session(phone)
    devtools.send("Network.enable")
    devtools.send(
        "Network.emulateNetworkConditions",
        {
            "offline": False,
            "latency": 1500,
            "downloadThroughput": 20_000,
            "uploadThroughput": 20_000,
        },
    )
    send = phone.get_by_role("button", name="Kirim Pengaduan")
    send.scroll_into_view_if_needed()
    box = send.bounding_box()
    assert box is not None
    phone.mouse.click(box["x"] + 20, box["y"] + 10)  # a thumb, not Playwright's wait-for-load
    phone.wait_for_timeout(400)
    phone.mouse.click(box["x"] + 20, box["y"] + 10)

    # Waiting in the browser, not by reading the database meanwhile: on SQLite the test's
    # query and the server's write of the request lock each other ("table is locked").
    expect(phone.locator("h1")).to_have_text(re.compile(r"^PGD-"), timeout=30_000)
    phone.wait_for_timeout(3000)  # both answers in, had there been two
    sent = Request.objects.filter(status=Status.SUBMITTED)
    assert sent.count() == 1
    expect(phone.locator("h1")).to_have_text(sent.get().reference)
    expect(phone.locator(".errorlist")).to_have_count(0)


def test_a_form_sent_back_for_a_missing_session_puts_the_thumb_on_the_session(
    live_server: Any, phone: Page, letter: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The reason is long, the session forgotten: the form comes back with the session a
    screen below its top. The session takes the focus and is on the screen, its error read
    with it, instead of a page that looks unchanged."""
    freeze_clock(monkeypatch, local(WEDNESDAY_6, "10:00"))
    siti = _siti_of_kua_mlati()
    phone.set_viewport_size(SMALL_PHONE)
    phone.goto(
        f"{live_server.url}/laporan/baru/?kategori=PENGADUAN&code=SISTEM_ERROR&start=2024-03-04"
    )
    log_in(phone, siti.nip)
    phone.locator("#id_reason").fill("Mesin sidik jari tidak merekam presensi datang saya.")
    phone.locator("#id_letter").set_input_files(str(letter))
    phone.get_by_role("button", name="Kirim Pengaduan").click()

    session = phone.locator("#id_session")
    expect(session).to_have_attribute("aria-invalid", "true")
    expect(session).to_be_focused()
    expect(session).to_be_in_viewport()
    assert not Request.objects.exists()


def test_a_cuti_no_longer_needed_is_cancelled_from_its_page_and_its_days_are_back(
    live_server: Any, phone: Page, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Her cuti for 18–19 March was approved; the trip is off. On her phone she opens the
    request, taps the cancel button, is asked first (a thumb's slip keeps it), confirms, and
    the page says the days are hers again."""
    from tests.requests.support import approve, file_request

    freeze_clock(monkeypatch, local(WEDNESDAY_6, "10:00"))
    siti = _siti_of_kua_mlati()
    verifier = UserFactory.create()
    RoleAssignmentFactory.create(user=verifier, role=Role.VERIFIER, unit=siti.unit.parent)
    cuti = approve(
        file_request(siti, "CT", date(2024, 3, 18), date(2024, 3, 19), reason="Acara keluarga."),
        verifier,
    )
    phone.goto(f"{live_server.url}/laporan/{cuti.reference}/")
    log_in(phone, siti.nip)
    expect(phone.locator("#status")).to_have_text("disetujui")

    asked: list[str] = []

    def answer(dialog: Any, accept: bool) -> None:
        asked.append(dialog.message)
        if accept:
            dialog.accept()
        else:
            dialog.dismiss()

    phone.once("dialog", lambda dialog: answer(dialog, accept=False))
    phone.get_by_role("button", name="Batalkan laporan").click()
    expect(phone.locator("#status")).to_have_text("disetujui")
    assert asked == [
        f"Batalkan {cuti.reference}? Hari-harinya dihitung lagi seolah tidak pernah diajukan."
    ]

    phone.once("dialog", lambda dialog: answer(dialog, accept=True))
    phone.get_by_role("button", name="Batalkan laporan").click()

    expect(phone.get_by_text("Laporan dibatalkan: hari-harinya kembali.")).to_be_visible()
    expect(phone.locator("#status")).to_have_text("ditarik")
    expect(phone.get_by_role("button", name="Batalkan laporan")).to_have_count(0)
