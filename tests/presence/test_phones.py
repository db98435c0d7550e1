"""With device binding on, an operator resets an employee's registered phones from the unit's
page (a lost or replaced phone): the next phone used registers itself. Audited, and only for
employees of units the operator manages, never their own."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings

from hadir.accounts.models import User
from hadir.common.models import AuditEvent
from hadir.org.models import Employee, Role
from hadir.presence.models import Device
from hadir.presence.services import punch_check_in
from tests.conftest import user_with_role
from tests.factories import RoleAssignmentFactory, UnitFactory
from tests.presence.support import MONDAY, at_point, local

pytestmark = pytest.mark.django_db


def reset_url(employee: Employee) -> str:
    return f"/presensi/pegawai/{employee.pk}/ponsel/reset/"


@pytest.fixture
def operator(client: Client, employee: Employee) -> tuple[Client, User]:
    user = user_with_role(Role.OPERATOR, employee.unit)
    client.force_login(user)
    return client, user


@override_settings(HADIR_DEVICE_BINDING=True)
def test_an_operator_resets_a_lost_phone_and_the_next_phone_registers_itself(
    operator: tuple[Client, User], employee: Employee
) -> None:
    client, user = operator
    Device.objects.create(employee=employee, device_id="hp-hilang", active=False)
    refused = punch_check_in(
        employee=employee, check_in=at_point(device_id="hp-baru"), now=local(MONDAY, "07:10")
    )
    assert not refused.accepted

    response = client.post(reset_url(employee), follow=True)

    assert response.status_code == 200
    assert "1 ponsel dilupakan" in response.content.decode()
    event = AuditEvent.objects.get(action="presence.devices_reset")
    assert event.actor == user
    assert event.before == {"devices": [{"id": "hp-hilang", "active": False}]}
    again = punch_check_in(
        employee=employee, check_in=at_point(device_id="hp-baru"), now=local(MONDAY, "07:12")
    )
    assert again.accepted
    assert sorted(Device.objects.values_list("device_id", "active")) == [
        ("hp-baru", True),
        ("hp-hilang", False),
    ]


@override_settings(HADIR_DEVICE_BINDING=True)
def test_a_phone_an_admin_blocked_stays_refused_after_a_reset(
    operator: tuple[Client, User], employee: Employee
) -> None:
    client, _user = operator
    Device.objects.create(employee=employee, device_id="hp-diblokir", active=False)
    Device.objects.create(employee=employee, device_id="hp-lama")

    client.post(reset_url(employee))
    blocked = punch_check_in(
        employee=employee, check_in=at_point(device_id="hp-diblokir"), now=local(MONDAY, "07:10")
    )
    new = punch_check_in(
        employee=employee, check_in=at_point(device_id="hp-baru"), now=local(MONDAY, "07:12")
    )

    assert not blocked.accepted
    assert blocked.refusal is not None
    assert blocked.refusal.detail["cause"] == "deactivated"
    assert new.accepted
    page = client.get(f"/org/unit/{employee.unit_id}/")
    assert [e.phones for e in page.context["page"] if e.pk == employee.pk] == [1]


@override_settings(HADIR_DEVICE_BINDING=True)
def test_the_unit_page_shows_each_employees_phones_with_a_reset_button(
    operator: tuple[Client, User], employee: Employee
) -> None:
    client, _user = operator
    Device.objects.create(employee=employee, device_id="hp-1")

    page = client.get(f"/org/unit/{employee.unit_id}/")

    assert [e.phones for e in page.context["page"] if e.pk == employee.pk] == [1]
    assert reset_url(employee) in page.content.decode()


@override_settings(HADIR_DEVICE_BINDING=True)
def test_an_operator_of_another_unit_gets_not_found(client: Client, employee: Employee) -> None:
    Device.objects.create(employee=employee, device_id="hp-1")
    client.force_login(user_with_role(Role.OPERATOR, UnitFactory.create()))

    assert client.post(reset_url(employee)).status_code == 404
    assert Device.objects.exists()


@override_settings(HADIR_DEVICE_BINDING=True)
def test_nobody_resets_their_own_phone(client: Client, employee: Employee) -> None:
    assert employee.user is not None
    RoleAssignmentFactory.create(user=employee.user, role=Role.OPERATOR, unit=employee.unit)
    Device.objects.create(employee=employee, device_id="hp-1")
    client.force_login(employee.user)

    assert client.post(reset_url(employee)).status_code == 404
    assert Device.objects.exists()


@override_settings(HADIR_DEVICE_BINDING=True)
def test_a_reset_is_a_post(operator: tuple[Client, User], employee: Employee) -> None:
    client, _user = operator
    Device.objects.create(employee=employee, device_id="hp-1")

    assert client.get(reset_url(employee)).status_code == 405
    assert Device.objects.exists()


def test_without_device_binding_there_is_no_reset_and_no_phone_column(
    operator: tuple[Client, User], employee: Employee
) -> None:
    client, _user = operator
    Device.objects.create(employee=employee, device_id="hp-1")

    page = client.get(f"/org/unit/{employee.unit_id}/")

    assert client.post(reset_url(employee)).status_code == 404
    assert reset_url(employee) not in page.content.decode()
    assert Device.objects.exists()


@override_settings(HADIR_DEVICE_BINDING=True)
def test_a_verifier_of_the_unit_cannot_reset_phones(client: Client, employee: Employee) -> None:
    Device.objects.create(employee=employee, device_id="hp-1")
    client.force_login(user_with_role(Role.VERIFIER, employee.unit))

    assert client.post(reset_url(employee)).status_code == 404
    assert Device.objects.exists()


@override_settings(HADIR_DEVICE_BINDING=True)
def test_the_reset_returns_the_operator_to_the_page_they_were_on_but_never_off_site(
    operator: tuple[Client, User], employee: Employee
) -> None:
    client, _user = operator
    Device.objects.create(employee=employee, device_id="hp-1")
    place = f"/org/unit/{employee.unit_id}/?q=Siti&page=2"

    back = client.post(reset_url(employee), {"next": place})
    Device.objects.create(employee=employee, device_id="hp-2")
    away = client.post(reset_url(employee), {"next": "//evil.example/"})

    assert back["Location"] == place
    assert away["Location"] == f"/org/unit/{employee.unit_id}/"
