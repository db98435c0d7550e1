"""Fixtures for presensi: an office with one geofenced location and an employee working there."""

from __future__ import annotations

import pytest
from django.test import Client

from hadir.org.models import Employee, Location, Role, Unit
from hadir.presence.models import Machine, MachinePin
from tests.factories import (
    EmployeeFactory,
    RoleAssignmentFactory,
    UnitFactory,
    UserFactory,
    pattern,
)
from tests.presence.support import add_location


@pytest.fixture
def office(db: None) -> Unit:
    """A KUA on the office pattern (``KANTOR_5H``: 07:30–16:00 Mon–Thu), in WIB."""
    return UnitFactory.create(
        code="KUA-MLATI", name="KUA Mlati", kind=Unit.Kind.KUA, default_pattern=pattern()
    )


@pytest.fixture
def kantor(office: Unit) -> Location:
    """The office's titik lokasi: 100 m around its centre, GPS accuracy 50 m or better."""
    return add_location(office)


@pytest.fixture
def employee(kantor: Location) -> Employee:
    """Siti, a Pegawai of the office with an active account."""
    return EmployeeFactory.create(name="Siti Hasanah", unit=kantor.unit, user=UserFactory.create())


@pytest.fixture
def operator(client: Client, employee: Employee) -> Client:
    """Pengelola Presensi of the employee's office, logged in."""
    user = UserFactory.create()
    RoleAssignmentFactory.create(user=user, role=Role.OPERATOR, unit=employee.unit)
    client.force_login(user)
    return client


@pytest.fixture
def lobby(employee: Employee) -> Machine:
    """The office's fingerprint machine, on which the employee is PIN 99."""
    machine = Machine.objects.create(unit=employee.unit, name="Mesin lobi", serial="ZK-0042")
    MachinePin.objects.create(machine=machine, pin="99", employee=employee)
    return machine
