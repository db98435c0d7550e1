"""An operator registers the KUA's fingerprint machine, uploads its PIN map (a wrong file first,
refused with its lines named), then imports the machine's attlog: the punch lands on the right
employee."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, ViewportSize, expect

from hadir.org.models import Employee, Role
from hadir.presence.models import Machine, Punch
from hadir.schedules import cache
from tests.factories import EmployeeFactory, RoleAssignmentFactory, UnitFactory, UserFactory
from tests.factories import pattern as work_pattern

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "rahasia-kuat-2024"
DESKTOP: ViewportSize = {"width": 1280, "height": 900}


@pytest.fixture(autouse=True)
def fresh_calendar_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def desk(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport=DESKTOP, locale="id-ID")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def test_operator_registers_a_machine_maps_its_pins_and_imports_its_log(
    live_server: Any,
    desk: Page,
    tmp_path: Path,
    screenshot: Callable[[Page, str], Path],
) -> None:
    kua = UnitFactory.create(name="KUA Mlati", default_pattern=work_pattern())
    siti: Employee = EmployeeFactory.create(name="Siti Hasanah", unit=kua)
    operator = UserFactory.create(username="operator-mlati", password=PASSWORD)
    RoleAssignmentFactory.create(user=operator, role=Role.OPERATOR, unit=kua)
    wrong = tmp_path / "pengguna-mesin.csv"
    wrong.write_text(f"pin,nip\n7,{siti.nip}\n7,{siti.nip}\n")
    right = tmp_path / "pengguna-mesin-benar.csv"
    right.write_text(f"pin,nip\n7,{siti.nip}\n")
    log = tmp_path / "attlog.dat"
    log.write_text("7\t2024-03-04 07:12:09\t1\t0\t1\t0\n")

    desk.goto(f"{live_server.url}/akun/masuk/?next=/presensi/mesin/")
    desk.locator("#id_username").fill("operator-mlati")
    desk.locator("#id_password").fill(PASSWORD)
    desk.locator("form button[type=submit]").click()
    expect(desk.get_by_role("heading", name="Mesin absensi")).to_be_visible()
    desk.locator("#id_unit").select_option(label=str(kua))
    desk.locator("#id_name").fill("Mesin lobi")
    desk.locator("#id_serial").fill("ZK-0042")
    desk.get_by_role("button", name="Daftarkan").click()
    expect(desk.get_by_role("heading", name="Mesin lobi")).to_be_visible()

    desk.locator("#id_file").set_input_files(str(wrong))
    desk.get_by_role("button", name="Unggah").click()
    expect(desk.get_by_role("alert")).to_contain_text(
        "pengguna-mesin.csv:3: pin: PIN 7 sudah ada di baris 2"
    )
    screenshot(desk, "refused")
    desk.locator("#id_file").set_input_files(str(right))
    desk.get_by_role("button", name="Unggah").click()
    expect(desk.get_by_role("status")).to_contain_text("1 PIN dipetakan")
    expect(desk.locator("table")).to_contain_text(siti.nip)
    screenshot(desk, "mapped")

    machine = Machine.objects.get(serial="ZK-0042")
    desk.goto(f"{live_server.url}/presensi/impor/")
    desk.locator("#id_file").set_input_files(str(log))
    desk.locator("#id_machine").select_option(value=str(machine.pk))
    desk.get_by_role("button", name="Impor").click()
    expect(desk.get_by_role("status")).to_contain_text("dicatat / recorded: 1")

    assert Punch.objects.get().employee_id == siti.pk
