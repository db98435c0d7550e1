"""An employee logs in on a phone, in Indonesian, and can switch to English."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.factories import EmployeeFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_employee_logs_in_with_nip_on_a_phone_and_sees_their_card(
    live_server: Any, phone: Page, screenshot: Any
) -> None:
    employee = EmployeeFactory.create(name="Siti Hasanah")
    employee.user = UserFactory.create(
        username=employee.nip, first_name=employee.name, password="rahasia-kuat-2024"
    )
    employee.save()

    phone.goto(f"{live_server.url}/")
    expect(phone.get_by_role("heading", name="Masuk")).to_be_visible()
    phone.get_by_label("NIP").fill(employee.nip)
    phone.get_by_label("Sandi").fill("rahasia-kuat-2024")
    screenshot(phone, "login")
    phone.get_by_role("button", name="Masuk").click()

    expect(phone.get_by_role("heading", name="Selamat datang, Siti Hasanah")).to_be_visible()
    expect(phone.get_by_text(f"NIP {employee.nip}")).to_be_visible()
    screenshot(phone, "home")

    phone.get_by_role("button", name="EN", exact=True).click()
    expect(phone.get_by_role("heading", name="Welcome, Siti Hasanah")).to_be_visible()


def test_wrong_password_keeps_the_employee_on_the_login_page_with_a_message(
    live_server: Any, phone: Page
) -> None:
    user = UserFactory.create(username=EmployeeFactory.create().nip, password="rahasia-kuat-2024")

    phone.goto(f"{live_server.url}/akun/masuk/")
    phone.get_by_label("NIP").fill(user.username)
    phone.get_by_label("Sandi").fill("salah")
    phone.get_by_role("button", name="Masuk").click()

    expect(phone.get_by_role("heading", name="Masuk")).to_be_visible()
    expect(phone.locator(".errorlist")).to_contain_text("NIP atau kata sandi salah")
