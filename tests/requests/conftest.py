"""Fixtures for requests: Siti files, her colleague Budi does not see, verifiers decide.

The clock is fixed for every test here (Wednesday 6 March 2024, 10:00 WIB): reference numbers
carry the year, and the gaps page and the leave balance read "today".
"""

from __future__ import annotations

import pytest
from django.utils import timezone

from hadir.accounts.models import User
from hadir.org.models import Employee, Role
from tests.clock import Clock
from tests.conftest import Org, user_with_role
from tests.factories import EmployeeFactory, UserFactory
from tests.requests.support import WEDNESDAY, local


@pytest.fixture(autouse=True)
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    frozen = Clock(local(WEDNESDAY, "10:00"))
    monkeypatch.setattr(timezone, "now", lambda: frozen.now)
    return frozen


def _employee_with_account(employee: Employee, email: str) -> Employee:
    employee.user = UserFactory.create(username=employee.nip, email=email)
    employee.email = email
    employee.save(update_fields=["user", "email"])
    return employee


@pytest.fixture
def siti(org: Org) -> Employee:
    """A Pegawai of KUA A with an account and an e-mail address."""
    return _employee_with_account(org.employees(org.kua_a)[0], "siti@kua-a.example")


@pytest.fixture
def budi(org: Org) -> Employee:
    """Siti's colleague at KUA A, a Pegawai without any role."""
    return _employee_with_account(org.employees(org.kua_a)[1], "budi@kua-a.example")


@pytest.fixture
def verifier(org: Org) -> User:
    """The verifikator of Kankemenag A: covers KUA A and MAN A."""
    user = user_with_role(Role.VERIFIER, org.kab_a)
    user.email = "verifikator@kankemenag-a.example"
    user.save(update_fields=["email"])
    return user


@pytest.fixture
def verifier_b(org: Org) -> User:
    """The verifikator of Kankemenag B: nothing of KUA A is theirs."""
    user = user_with_role(Role.VERIFIER, org.kab_b)
    user.email = "verifikator@kankemenag-b.example"
    user.save(update_fields=["email"])
    return user


@pytest.fixture
def man_teacher(org: Org) -> Employee:
    """A teacher at MAN A (under Kankemenag A, so the same verifier decides)."""
    return _employee_with_account(org.employees(org.man_a)[0], "guru@man-a.example")


@pytest.fixture
def kua_b_employee(org: Org) -> Employee:
    return _employee_with_account(org.employees(org.kua_b)[0], "pegawai@kua-b.example")


def new_employee(org: Org, **fields: object) -> Employee:
    """An extra Pegawai of KUA A with an account (for start dates other than 2024)."""
    employee = EmployeeFactory.create(unit=org.kua_a, **fields)
    return _employee_with_account(employee, f"{employee.nip}@kua-a.example")
