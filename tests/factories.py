# mypy: disable-error-code="no-untyped-call"
"""Factories for the foundation's models, always producing rows the application could produce.

Units get their materialised ``path`` through the same service the application uses, and
employees get NIPs that :func:`hadir.rules.nip.parse_nip` accepts (PNS by default, PPPK with
``pppk=True``), so tests never exercise states the real code cannot reach.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from factory.declarations import (
    LazyAttribute,
    LazyAttributeSequence,
    LazyFunction,
    PostGeneration,
    Sequence,
    SubFactory,
)
from factory.django import DjangoModelFactory, Password

from hadir.accounts.models import User
from hadir.org.models import Employee, Role, RoleAssignment, Unit
from hadir.org.services import unit_paths_refresh
from hadir.rules.patterns import DEFAULT_PATTERNS
from hadir.schedules.models import PatternDay, WorkPattern

PASSWORD = "Merapi-Prambanan-2024"
"""The password every :class:`UserFactory` user has, unless given another."""


def pattern(code: str = "KANTOR_5H") -> WorkPattern:
    """One of the four work patterns the migrations seed.

    Transactional tests (live-server browser tests) flush the tables after each test, seeded
    rows included; the pattern is then seeded again from the same source the migration uses.
    """
    row = WorkPattern.objects.filter(code=code).first()
    if row is not None:
        return row
    seed = DEFAULT_PATTERNS[code]
    row = WorkPattern.objects.create(code=code, name=seed.name, flexible_break=seed.flexible_break)
    PatternDay.objects.bulk_create(
        PatternDay(
            pattern=row,
            weekday=weekday,
            start=hours.start,
            end=hours.end,
            break_start=hours.break_start,
            break_end=hours.break_end,
        )
        for weekday, hours in enumerate(seed.days)
        if hours is not None
    )
    return row


def valid_nip(n: int, *, pppk: bool = False, gender: str = "1") -> str:
    """The ``n``-th of a series of distinct, valid NIPs (PNS) or NI PPPK numbers.

    ``n`` moves the birth date one day per step, so numbers never collide within a test run.
    """
    birth = date(1970, 1, 1) + timedelta(days=n)
    appointed = birth.year + 25
    middle = f"{appointed}21" if pppk else f"{appointed}{n % 12 + 1:02d}"
    return f"{birth:%Y%m%d}{middle}{gender}{n % 1000:03d}"


class UnitFactory(DjangoModelFactory[Unit]):
    class Meta:
        model = Unit

    code = Sequence(lambda n: f"UNIT-{n}")
    name = Sequence(lambda n: f"Unit {n}")
    kind = Unit.Kind.KUA
    parent = None
    timezone = "Asia/Jakarta"
    default_pattern = LazyFunction(pattern)

    @classmethod
    def _create(cls, model_class: type[Unit], *args: Any, **kwargs: Any) -> Unit:
        unit: Unit = super()._create(model_class, *args, **kwargs)
        unit_paths_refresh(unit)
        return unit


class UserFactory(DjangoModelFactory[User]):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = Sequence(lambda n: f"user{n}")
    first_name = Sequence(lambda n: f"Pengguna {n}")
    email = ""
    password = Password(PASSWORD)
    is_active = True


class EmployeeFactory(DjangoModelFactory[Employee]):
    class Meta:
        model = Employee
        skip_postgeneration_save = True

    class Params:
        pppk = False

    nip = LazyAttributeSequence(lambda o, n: valid_nip(n, pppk=o.pppk))
    name = Sequence(lambda n: f"Pegawai {n}")
    kind = LazyAttribute(lambda o: "PPPK" if o.pppk else "PNS")
    golongan = LazyAttribute(lambda o: "IX" if o.pppk else "III/a")
    position = "Penghulu"
    email = ""
    unit = SubFactory(UnitFactory)
    pattern = None
    start = date(2024, 1, 1)
    end = None
    user = None

    @PostGeneration
    def account_name(employee: Employee, create: bool, extracted: Any, **kwargs: Any) -> None:
        """An account linked to an employee carries the employee's name, as activation does."""
        user = employee.user
        if create and user is not None and user.first_name != employee.name:
            user.first_name = employee.name[:150]
            user.save(update_fields=["first_name"])


class RoleAssignmentFactory(DjangoModelFactory[RoleAssignment]):
    class Meta:
        model = RoleAssignment

    user = SubFactory(UserFactory)
    role = Role.OPERATOR
    unit = SubFactory(UnitFactory)
