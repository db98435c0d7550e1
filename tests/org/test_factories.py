"""The test factories make only rows the application itself could make."""

from __future__ import annotations

from hadir.org.models import Unit
from hadir.org.services import unit_path
from hadir.rules.golongan import parse_golongan
from hadir.rules.nip import parse_nip
from hadir.schedules.models import WorkPattern
from hadir.schedules.selectors import work_patterns
from tests.factories import EmployeeFactory, UnitFactory, UserFactory


def test_employee_factory_makes_valid_distinct_pns_and_pppk_numbers(db: None) -> None:
    employees = EmployeeFactory.create_batch(30) + EmployeeFactory.create_batch(30, pppk=True)
    assert len({e.nip for e in employees}) == 60
    for employee in employees:
        assert parse_nip(employee.nip).kind == employee.kind
        assert parse_golongan(employee.golongan).kind == employee.kind


def test_unit_factory_keeps_the_materialised_path(db: None) -> None:
    root = UnitFactory.create()
    child = UnitFactory.create(parent=root)
    grandchild = UnitFactory.create(parent=child)
    for unit in Unit.objects.select_related("parent"):
        assert unit.path == unit_path(unit)
    assert grandchild.path == f"/{root.pk}/{child.pk}/{grandchild.pk}/"


def test_a_flushed_pattern_is_seeded_again_exactly_like_the_migration(db: None) -> None:
    seeded = work_patterns()
    WorkPattern.objects.all().delete()
    UnitFactory.create()
    assert work_patterns() == {"KANTOR_5H": seeded["KANTOR_5H"]}


def test_an_account_given_to_an_employee_carries_their_name(db: None) -> None:
    user = UserFactory.create()
    employee = EmployeeFactory.create(user=user, name="Siti Hasanah")
    user.refresh_from_db()
    assert user.first_name == "Siti Hasanah"
    assert employee.user == user
