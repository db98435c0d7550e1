"""An operator registers the KUA's fingerprint machine, uploads its PIN map (a wrong file first,
refused with its lines named), then imports the machine's attlog: the punch lands on the right
employee."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from hadir.org.models import Employee, Role
from hadir.presence.models import Machine, MachinePin, Punch
from tests.factories import EmployeeFactory, RoleAssignmentFactory, UnitFactory, UserFactory
from tests.factories import pattern as work_pattern

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "rahasia-kuat-2024"


def test_operator_registers_a_machine_maps_its_pins_and_imports_its_log(
    live_server: Any,
    desktop: Page,
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

    desktop.goto(f"{live_server.url}/akun/masuk/?next=/presensi/mesin/")
    desktop.locator("#id_username").fill("operator-mlati")
    desktop.locator("#id_password").fill(PASSWORD)
    desktop.locator("form button[type=submit]").click()
    expect(desktop.get_by_role("heading", name="Mesin absensi")).to_be_visible()
    desktop.locator("#id_unit").select_option(label=str(kua))
    desktop.locator("#id_name").fill("Mesin lobi")
    desktop.locator("#id_serial").fill("ZK-0042")
    desktop.get_by_role("button", name="Daftarkan").click()
    expect(desktop.get_by_role("heading", name="Mesin lobi")).to_be_visible()

    desktop.locator("#id_file").set_input_files(str(wrong))
    desktop.get_by_role("button", name="Unggah").click()
    expect(desktop.get_by_role("alert")).to_contain_text(
        "pengguna-mesin.csv:3: pin: PIN 7 sudah ada di baris 2"
    )
    screenshot(desktop, "refused")
    desktop.locator("#id_file").set_input_files(str(right))
    desktop.get_by_role("button", name="Unggah").click()
    expect(desktop.get_by_role("status")).to_contain_text("1 PIN dipetakan")
    expect(desktop.locator("table")).to_contain_text(siti.nip)
    screenshot(desktop, "mapped")

    machine = Machine.objects.get(serial="ZK-0042")
    desktop.goto(f"{live_server.url}/presensi/impor/")
    desktop.locator("#id_file").set_input_files(str(log))
    desktop.locator("#id_machine").select_option(value=str(machine.pk))
    desktop.get_by_role("button", name="Impor").click()
    expect(desktop.get_by_role("status")).to_contain_text("dicatat: 1")

    assert Punch.objects.get().employee_id == siti.pk


SIDEWAYS = "document.documentElement.scrollWidth - document.documentElement.clientWidth"


def test_the_machine_pages_do_not_scroll_sideways_on_a_phone(live_server: Any, phone: Page) -> None:
    """Their tables (serial numbers, NIPs, names) scroll in their own box: the page, its menu
    and its upload form stay on the 360 px screen."""
    kua = UnitFactory.create(name="KUA Mlati", default_pattern=work_pattern())
    siti: Employee = EmployeeFactory.create(name="Siti Hasanah Nurul Fadilah", unit=kua)
    operator = UserFactory.create(username="operator-mlati", password=PASSWORD)
    RoleAssignmentFactory.create(user=operator, role=Role.OPERATOR, unit=kua)
    machine = Machine.objects.create(unit=kua, name="Mesin lobi depan", serial="ZK-0042-A1B2C3D4")
    MachinePin.objects.create(machine=machine, pin="1007", employee=siti)
    phone.set_viewport_size({"width": 360, "height": 740})

    phone.goto(f"{live_server.url}/akun/masuk/?next=/presensi/mesin/")
    phone.locator("#id_username").fill("operator-mlati")
    phone.locator("#id_password").fill(PASSWORD)
    phone.locator("form button[type=submit]").click()
    expect(phone.locator("table")).to_contain_text("ZK-0042-A1B2C3D4")
    assert phone.evaluate(SIDEWAYS) == 0
    phone.get_by_role("link", name="Mesin lobi depan").click()
    expect(phone.locator("table")).to_contain_text(siti.nip)
    assert phone.evaluate(SIDEWAYS) == 0
