"""Factories for the foundation's models, always producing rows the application could produce.

Units get their materialised ``path`` through the same service the application uses, and
employees get NIPs that :func:`hadir.rules.nip.parse_nip` accepts (PNS by default, PPPK with
``pppk=True``), so tests never exercise states the real code cannot reach.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import factory
from factory.django import DjangoModelFactory, Password

from hadir.accounts.models import User
from hadir.org.models import Employee, Role, RoleAssignment, Unit
from hadir.org.services import unit_paths_refresh
from hadir.schedules.models import WorkPattern

PASSWORD = "Merapi-Prambanan-2024"
"""The password every :class:`UserFactory` user has, unless given another."""


def pattern(code: str = "KANTOR_5H") -> WorkPattern:
    """One of the four work patterns the migrations seed."""
    return WorkPattern.objects.get(code=code)


def valid_nip(n: int, *, pppk: bool = False, gender: str = "1") -> str:
    """The ``n``-th of a series of distinct, valid NIPs (PNS) or NI PPPK numbers.

    ``n`` moves the birth date one day per step, so numbers never collide within a test run.
    """
    birth = date(1970, 1, 1) + timedelta(days=n)
    appointed = birth.year + 25
    middle = f"{appointed}21" if pppk else f"{appointed}{n % 12 + 1:02d}"
    return f"{birth:%Y%m%d}{middle}{gender}{n % 1000:03d}"


class UnitFactory(DjangoModelFactory):
    class Meta:
        model = Unit

    code = factory.Sequence(lambda n: f"UNIT-{n}")
    name = factory.Sequence(lambda n: f"Unit {n}")
    kind = Unit.Kind.KUA
    parent = None
    timezone = "Asia/Jakarta"
    default_pattern = factory.LazyFunction(pattern)

    @classmethod
    def _create(cls, model_class: type[Unit], *args: Any, **kwargs: Any) -> Unit:
        unit = super()._create(model_class, *args, **kwargs)
        unit_paths_refresh(unit)
        return unit


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Sequence(lambda n: f"Pengguna {n}")
    email = ""
    password = Password(PASSWORD)
    is_active = True


class EmployeeFactory(DjangoModelFactory):
    class Meta:
        model = Employee

    class Params:
        pppk = False

    nip = factory.LazyAttributeSequence(lambda o, n: valid_nip(n, pppk=o.pppk))
    name = factory.Sequence(lambda n: f"Pegawai {n}")
    kind = factory.LazyAttribute(lambda o: "PPPK" if o.pppk else "PNS")
    golongan = factory.LazyAttribute(lambda o: "IX" if o.pppk else "III/a")
    position = "Penghulu"
    email = ""
    unit = factory.SubFactory(UnitFactory)
    pattern = None
    start = date(2024, 1, 1)
    end = None
    user = None


class RoleAssignmentFactory(DjangoModelFactory):
    class Meta:
        model = RoleAssignment

    user = factory.SubFactory(UserFactory)
    role = Role.OPERATOR
    unit = factory.SubFactory(UnitFactory)
