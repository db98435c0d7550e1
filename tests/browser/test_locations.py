"""An operator's map of the unit's locations: a name typed by another operator is shown as text,
never run as a script, and the page's own scripts run under the Content Security Policy."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from hadir.org.models import Location, LocationGrant, Role
from tests.factories import EmployeeFactory, RoleAssignmentFactory, UnitFactory, UserFactory
from tests.presence.support import add_location

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "rahasia-kuat-2024"
TRAP = '<img src=x onerror="document.body.dataset.pwned=1">'


def test_a_location_named_like_markup_shows_as_text_and_runs_nothing(
    live_server: Any, desktop: Page, screenshot: Callable[[Page, str], Path]
) -> None:
    kua = UnitFactory.create(name="KUA Mlati")
    add_location(kua, TRAP, radius_m=150)
    operator = UserFactory.create(username="operator-mlati", password=PASSWORD)
    RoleAssignmentFactory.create(user=operator, role=Role.OPERATOR, unit=kua)
    desktop.context.route("https://tile.openstreetmap.org/**", lambda route: route.abort())
    refused: list[str] = []
    desktop.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )

    desktop.goto(f"{live_server.url}/akun/masuk/?next=/org/unit/{kua.pk}/lokasi/")
    desktop.locator("#id_username").fill("operator-mlati")
    desktop.locator("#id_password").fill(PASSWORD)
    desktop.locator("form button[type=submit]").click()
    desktop.locator("path.leaflet-interactive").first.hover()

    expect(desktop.locator(".leaflet-tooltip")).to_have_text(TRAP)
    screenshot(desktop, "tooltip")
    assert desktop.evaluate("document.body.dataset.pwned") is None
    assert desktop.locator(".leaflet-tooltip img").count() == 0
    assert refused == []


def test_an_operator_draws_a_polygon_by_clicking_its_corners_and_saves_it(
    live_server: Any, desktop: Page, screenshot: Callable[[Page, str], Path]
) -> None:
    kua = UnitFactory.create(name="KUA Mlati")
    operator = UserFactory.create(username="operator-mlati", password=PASSWORD)
    RoleAssignmentFactory.create(user=operator, role=Role.OPERATOR, unit=kua)
    desktop.context.route("https://tile.openstreetmap.org/**", lambda route: route.abort())
    desktop.goto(f"{live_server.url}/akun/masuk/?next=/org/unit/{kua.pk}/lokasi/")
    desktop.locator("#id_username").fill("operator-mlati")
    desktop.locator("#id_password").fill(PASSWORD)
    desktop.locator("form button[type=submit]").click()
    # The map and its buttons work once locations.js has run (a loaded machine takes longer).
    expect(desktop.locator("#map.leaflet-container")).to_be_visible()
    desktop.wait_for_load_state("load")

    desktop.get_by_role("button", name="Gambar poligon").click()
    for x, y in ((100, 80), (300, 80), (300, 240), (100, 240)):
        desktop.locator("#map").click(position={"x": x, "y": y})
    expect(desktop.locator("path.leaflet-interactive")).to_have_count(1)  # the outline drawn
    desktop.locator("#id_name").fill("Halaman madrasah")
    desktop.locator("#id_radius_m").fill("1")
    desktop.locator("#id_accuracy_tolerance_m").fill("50")
    screenshot(desktop, "drawn")
    desktop.get_by_role("button", name="Simpan").click()

    expect(desktop.get_by_text("Titik lokasi disimpan.")).to_be_visible()
    saved = Location.objects.get(unit=kua)
    corners = saved.polygon or []
    assert len(corners) == 4
    assert saved.latitude == Decimal(str(corners[0][0])).quantize(Decimal("0.000001"))


def test_an_operator_on_a_phone_decides_an_extra_location_without_scrolling_sideways(
    live_server: Any, phone: Page
) -> None:
    """The approve and reject buttons sit on the screen beside the request, not past the
    reason and status columns behind a sideways scroll."""
    kua = UnitFactory.create(name="KUA Mlati")
    madrasah = add_location(kua, "MIN 3 Sleman, gedung belakang dekat lapangan")
    teacher = EmployeeFactory.create(name="Nur Aini Rahmawati", unit=kua)
    LocationGrant.objects.create(
        employee=teacher,
        location=madrasah,
        reason="Mengajar di MIN 3 Sleman setiap Selasa dan Kamis sesuai SK pembagian tugas",
    )
    operator = UserFactory.create(username="operator-mlati", password=PASSWORD)
    RoleAssignmentFactory.create(user=operator, role=Role.OPERATOR, unit=kua)
    phone.set_viewport_size({"width": 360, "height": 740})

    phone.goto(f"{live_server.url}/akun/masuk/?next=/org/lokasi-tambahan/persetujuan/")
    phone.locator("#id_username").fill("operator-mlati")
    phone.locator("#id_password").fill(PASSWORD)
    phone.locator("form button[type=submit]").click()

    approve = phone.get_by_role("button", name="Setujui")
    expect(approve).to_be_visible()
    box = approve.bounding_box()
    assert box is not None
    assert box["x"] + box["width"] <= 360, box
    approve.click()
    expect(phone.locator("table")).to_contain_text("disetujui")
