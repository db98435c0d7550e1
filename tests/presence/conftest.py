"""Fixtures for presensi: an office with one geofenced location and an employee working there."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from hadir.org.models import Employee, Location, Unit
from hadir.schedules import cache
from tests.factories import EmployeeFactory, UnitFactory, UserFactory, pattern
from tests.presence.support import add_location


@pytest.fixture(autouse=True)
def fresh_calendar_cache() -> Iterator[None]:
    """The per-process schedule and policy cache must not carry rows between tests."""
    cache.clear()
    yield
    cache.clear()


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
