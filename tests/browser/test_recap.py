"""The head of KUA Mlati reads March 2024 in a real browser, filters it and downloads Excel.

Three people work at the KUA: Ani and Siti came every working day (Siti once 20 minutes late);
Eko stayed away from Wednesday 13 to Tuesday 26 March, ten working days in a row. The Pimpinan
opens the unit's recap, narrows it to those "with TK" (only Eko), follows him to his month,
comes back, and downloads the Excel export, which openpyxl then reads.

The server's clock is fixed to Tuesday 2 April 2024, 10:00 WIB (and runs on from there), so
March is over: the recap evaluates every day of it on the first visit.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Page, expect
from pytest_django.fixtures import Settings

from hadir.org.models import Employee, Role, Unit
from tests.factories import PASSWORD, RoleAssignmentFactory, UnitFactory
from tests.factories import pattern as work_pattern
from tests.presence.support import freeze_clock, local
from tests.recap.support import FIVE_DAY_WORKDAYS, attend, march, person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TODAY = date(2024, 4, 2)


@pytest.fixture(autouse=True)
def private_media(settings: Settings, tmp_path: Path) -> Path:
    root = tmp_path / "media"
    settings.MEDIA_ROOT = root
    return root


@pytest.fixture
def kua() -> Unit:
    kankemenag = UnitFactory.create(
        code="KAB-SLEMAN",
        name="Kantor Kementerian Agama Kabupaten Sleman",
        kind=Unit.Kind.KANKEMENAG,
        default_pattern=work_pattern("KANTOR_5H"),
    )
    return UnitFactory.create(
        code="KUA-MLATI",
        name="KUA Mlati",
        kind=Unit.Kind.KUA,
        parent=kankemenag,
        default_pattern=work_pattern("KANTOR_5H"),
    )


@pytest.fixture
def head(kua: Unit) -> Employee:
    """H. Ahmad Fauzi, Pimpinan of KUA Mlati (an employee of the Kankemenag above it)."""
    assert kua.parent is not None
    fauzi = person(kua.parent, "H. Ahmad Fauzi", "IV/a", account=True)
    assert fauzi.user is not None
    RoleAssignmentFactory.create(user=fauzi.user, role=Role.LEADER, unit=kua)
    return fauzi


@pytest.fixture
def eko(kua: Unit) -> Employee:
    ani = person(kua, "Ani Rahmawati")
    attend(ani, FIVE_DAY_WORKDAYS, "07:25", "16:35")
    siti = person(kua, "Siti Hasanah")
    attend(siti, FIVE_DAY_WORKDAYS, "07:25", "16:35", instead={march(5): ["07:50", "16:35"]})
    eko = person(kua, "Eko Prasetyo", "II/c")
    attend(eko, [march(d) for d in (1, 4, 5, 6, 7, 8, 27, 28)], "07:25", "16:35")
    return eko


def log_in(page: Page, nip: str) -> None:
    page.locator("#id_username").fill(nip)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("form button[type=submit]").click()


def recap_rows(page: Page) -> Any:
    return page.locator("table#recap tbody tr")


def unit_recap_on_a_phone(
    live_server: Any, phone: Page, unit: Unit, viewer: Employee, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``viewer`` logged in on ``unit``'s March recap, on a 360 px phone, on 2 April."""
    freeze_clock(monkeypatch, local(TODAY, "10:00"))
    phone.set_viewport_size({"width": 360, "height": 740})
    phone.goto(f"{live_server.url}/rekap/unit/{unit.pk}/?bulan=2024-03")
    log_in(phone, viewer.nip)


def test_the_unit_head_filters_the_month_recap_and_downloads_it_as_excel(
    live_server: Any,
    desktop: Page,
    kua: Unit,
    head: Employee,
    eko: Employee,
    screenshot: Any,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    freeze_clock(monkeypatch, local(TODAY, "10:00"))
    page = desktop
    page.goto(f"{live_server.url}/rekap/unit/{kua.pk}/?bulan=2024-03")
    log_in(page, head.nip)

    # The month's recap: three people, and the month's uang makan totals.
    expect(page).to_have_url(re.compile(rf"/rekap/unit/{kua.pk}/\?bulan=2024-03$"))
    expect(page.locator("h1")).to_contain_text("KUA Mlati")
    expect(recap_rows(page)).to_have_count(3)
    eko_row = recap_rows(page).filter(has_text="Eko Prasetyo")
    expect(eko_row.locator("td").nth(5)).to_have_text("10")  # TK
    expect(eko_row).to_contain_text("pemberhentian dengan hormat")
    screenshot(page, "recap")

    # Only those with TK: Eko.
    page.locator("select[name=tampil]").select_option("tk")
    page.locator("form.filters button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"tampil=tk"))
    expect(recap_rows(page)).to_have_count(1)
    expect(recap_rows(page).first).to_contain_text("Eko Prasetyo")
    screenshot(page, "with-tk")

    # By name instead: "siti" finds Siti, late once.
    page.locator("select[name=tampil]").select_option("")
    page.locator("input[name=q]").fill("siti")
    page.locator("form.filters button[type=submit]").click()
    expect(recap_rows(page)).to_have_count(1)
    expect(recap_rows(page).first.locator("td").nth(7)).to_have_text("1/0/0/0")  # TL1 once

    # Back to TK, and down to Eko's month: Wednesday 13 March is a TK day.
    page.locator("input[name=q]").fill("")
    page.locator("select[name=tampil]").select_option("tk")
    page.locator("form.filters button[type=submit]").click()
    recap_rows(page).first.get_by_role("link", name="Eko Prasetyo").click()
    expect(page.locator("h1")).to_have_text("Eko Prasetyo")
    thirteenth = page.locator("td.status-TK", has=page.locator("span.daynum", has_text="13"))
    expect(thirteenth).to_have_count(1)
    expect(page.locator("td.status-TK")).to_have_count(10)
    screenshot(page, "eko-month")
    page.go_back()

    # The Excel export of the month.
    expect(recap_rows(page)).to_have_count(1)
    with page.expect_download() as info:
        page.click("#export")
    download = info.value
    assert download.suggested_filename == "rekap-KUA-MLATI-2024-03.xlsx"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    screenshot(page, "downloaded")

    book = load_workbook(saved)
    sheet = book.active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Rekap bulanan KUA Mlati 2024-03"
    header = list(rows[1])
    by_name = {row[1]: dict(zip(header, row, strict=True)) for row in rows[2:]}
    assert sorted(by_name) == ["Ani Rahmawati", "Eko Prasetyo", "Siti Hasanah"]
    found = by_name["Eko Prasetyo"]
    assert (found["NIP"], found["Hari kerja"], found["Hadir"], found["TK"]) == (eko.nip, 18, 8, 10)
    assert (found["Potongan TUKIN %"], found["UM neto"]) == (30.0, 280000)
    assert (found["TK beruntun"], found["Sanksi"]) == (10, "PEMBERHENTIAN")


def test_the_unit_recap_scrolls_its_tables_inside_their_box_not_the_whole_page(
    live_server: Any,
    phone: Page,
    kua: Unit,
    head: Employee,
    eko: Employee,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The recap table and the discipline table below it each scroll in their own box: on a
    360 px phone the page itself (menu, filters, charts) never scrolls sideways."""
    unit_recap_on_a_phone(live_server, phone, kua, head, monkeypatch)
    expect(phone.get_by_role("heading", name="Disiplin")).to_be_visible()
    expect(phone.locator("table").nth(1)).to_contain_text("Eko Prasetyo")

    sideways = "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    assert phone.evaluate(sideways) == 0, (
        f"the page is {phone.evaluate('document.documentElement.scrollWidth')} px wide"
    )


def test_the_recap_filters_stack_into_full_width_fields_on_a_phone(
    live_server: Any, phone: Page, kua: Unit, head: Employee, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Not squeezed into one row of four tiny fields with a button of one letter per line
    (Pico's style for a search form): each field takes the screen's width, the button too."""
    unit_recap_on_a_phone(live_server, phone, kua, head, monkeypatch)

    apply = phone.locator("form.filters button[type=submit]")
    month = phone.locator("form.filters input[name=bulan]")
    button, field = apply.bounding_box(), month.bounding_box()
    assert button is not None
    assert field is not None
    assert button["width"] > 200, button
    assert button["height"] < 80, button
    assert field["width"] > 200, field


def test_on_a_phone_the_month_calendar_shows_all_seven_days_without_scrolling(
    live_server: Any, phone: Page, kua: Unit, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A worked Saturday (a 6-day madrasah) or its TK must not hide behind a sideways scroll:
    the seven columns, late and early badges too, fit a 360 px screen."""
    freeze_clock(monkeypatch, local(TODAY, "10:00"))
    siti = person(kua, "Siti Hasanah", account=True)
    attend(siti, FIVE_DAY_WORKDAYS, "07:25", "16:35", instead={march(5): ["07:50", "15:10"]})
    phone.set_viewport_size({"width": 360, "height": 740})
    phone.goto(f"{live_server.url}/rekap/saya/?bulan=2024-03")
    log_in(phone, siti.nip)

    calendar = phone.locator("table.calendar")
    expect(calendar).to_contain_text("PSW")
    sunday = calendar.locator("thead th").last
    expect(sunday).to_have_text("Min")
    box = sunday.bounding_box()
    assert box is not None
    assert box["x"] + box["width"] <= 360, box
    overflow = "(t) => t.parentElement.scrollWidth - t.parentElement.clientWidth"
    assert calendar.evaluate(overflow) == 0


def test_on_a_phone_the_per_unit_charts_name_their_units_in_readable_text(
    live_server: Any,
    phone: Page,
    kua: Unit,
    head: Employee,
    eko: Employee,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Not names squeezed under narrow SVG bars: each unit on its line, its name as text."""
    unit_recap_on_a_phone(live_server, phone, kua, head, monkeypatch)

    label = phone.locator("ul.bar-list li .label", has_text="KUA Mlati").first
    expect(label).to_be_visible()
    box = label.bounding_box()
    assert box is not None
    assert box["x"] + box["width"] <= 360, box
    assert label.evaluate("(e) => parseFloat(getComputedStyle(e).fontSize)") >= 12
