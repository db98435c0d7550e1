"""The access module: scopes are hierarchical, and outside one's scope is "not found"."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.http import Http404
from django.test import Client

from hadir.accounts.models import User
from hadir.common.access import (
    MANAGE_ROLES,
    access_employee,
    access_unit,
    can_manage_people,
    employees_in_scope,
    has_any_role,
    is_admin,
    units_in_scope,
)
from hadir.common.models import AuditEvent
from hadir.org.models import Employee, Role, RoleAssignment, Unit
from hadir.org.services import unit_paths_refresh
from hadir.schedules.models import Holiday
from tests.conftest import Org, user_with_role
from tests.factories import EmployeeFactory, RoleAssignmentFactory, UnitFactory, UserFactory


def codes(units: Iterable[Unit]) -> set[str]:
    return {u.code for u in units}


def test_operator_of_one_unit_sees_only_that_unit(org: Org, operator_kua_a: User) -> None:
    assert codes(units_in_scope(operator_kua_a)) == {"KUA-A"}


def test_operator_of_one_unit_cannot_see_another_units_employees(
    org: Org,
    operator_kua_a: User,
) -> None:
    visible = set(employees_in_scope(operator_kua_a))
    assert visible == set(org.employees(org.kua_a))
    for other in org.employees(org.kua_b) + org.employees(org.man_a):
        with pytest.raises(Http404):
            access_employee(operator_kua_a, other.pk)


def test_operator_can_open_an_employee_of_their_unit(org: Org, operator_kua_a: User) -> None:
    employee = org.employees(org.kua_a)[0]
    assert access_employee(operator_kua_a, employee.pk) == employee


def test_another_units_employee_looks_exactly_like_a_missing_one(
    org: Org, operator_kua_a: User
) -> None:
    other = org.employees(org.kua_b)[0]
    missing_pk = Employee.objects.order_by("-pk").first().pk + 1000  # type: ignore[union-attr]
    with pytest.raises(Http404) as outside:
        access_employee(operator_kua_a, other.pk)
    with pytest.raises(Http404) as missing:
        access_employee(operator_kua_a, missing_pk)
    assert str(outside.value) == str(missing.value)


def test_operator_cannot_open_a_unit_outside_their_scope(org: Org, operator_kua_a: User) -> None:
    assert access_unit(operator_kua_a, org.kua_a.pk) == org.kua_a
    for unit in (org.kua_b, org.kab_a, org.kanwil):
        with pytest.raises(Http404):
            access_unit(operator_kua_a, unit.pk)


def test_kankemenag_operator_sees_every_sub_unit_and_their_employees(
    org: Org,
    operator_kab_a: User,
) -> None:
    assert codes(units_in_scope(operator_kab_a)) == {"KAB-A", "KUA-A", "MAN-A"}
    expected = org.employees(org.kab_a) + org.employees(org.kua_a) + org.employees(org.man_a)
    assert set(employees_in_scope(operator_kab_a)) == set(expected)


def test_scope_reaches_units_added_deeper_in_the_tree_later(org: Org, operator_kab_a: User) -> None:
    grandchild = UnitFactory.create(code="KUA-A-BALAI", parent=org.kua_a)
    employee = EmployeeFactory.create(unit=grandchild)
    assert grandchild in units_in_scope(operator_kab_a)
    assert access_employee(operator_kab_a, employee.pk) == employee


def test_moving_a_unit_moves_it_out_of_the_old_scope(org: Org, operator_kab_a: User) -> None:
    org.kua_a.parent = org.kab_b
    org.kua_a.save()
    unit_paths_refresh(org.kua_a)
    assert codes(units_in_scope(operator_kab_a)) == {"KAB-A", "MAN-A"}
    with pytest.raises(Http404):
        access_employee(operator_kab_a, org.employees(org.kua_a)[0].pk)


def test_scope_of_unit_9001_does_not_leak_into_unit_90011(db: None) -> None:
    """Paths end with a slash, so a prefix match never confuses ids sharing leading digits."""
    unit_9001 = UnitFactory.create(pk=9001)
    unit_90011 = UnitFactory.create(pk=90011)
    EmployeeFactory.create(unit=unit_90011)
    operator = user_with_role(Role.OPERATOR, unit_9001)
    assert list(units_in_scope(operator)) == [unit_9001]
    assert not employees_in_scope(operator).exists()


def test_admin_role_and_superuser_see_everything(org: Org, admin_user: User) -> None:
    superuser = UserFactory.create(is_superuser=True)
    for user in (admin_user, superuser):
        assert is_admin(user)
        assert units_in_scope(user).count() == Unit.objects.count()
        assert employees_in_scope(user).count() == Employee.objects.count()
        assert access_unit(user, org.kua_b.pk) == org.kua_b


def test_a_deactivated_admin_sees_nothing(org: Org, admin_user: User) -> None:
    admin_user.is_active = False
    admin_user.save()
    assert not is_admin(admin_user)
    assert not units_in_scope(admin_user).exists()
    assert not employees_in_scope(admin_user).exists()


def test_employee_sees_only_themself(org: Org, employee_user: User) -> None:
    own = employee_user.employee
    colleague = org.employees(org.kua_a)[1]
    assert access_employee(employee_user, own.pk) == own
    with pytest.raises(Http404):
        access_employee(employee_user, colleague.pk)
    assert not units_in_scope(employee_user).exists()
    assert not employees_in_scope(employee_user).exists()
    assert not has_any_role(employee_user)


def test_anonymous_sees_nothing(org: Org) -> None:
    anonymous = AnonymousUser()
    assert not is_admin(anonymous)
    assert not units_in_scope(anonymous).exists()
    assert not employees_in_scope(anonymous).exists()
    with pytest.raises(Http404):
        access_employee(anonymous, org.employees(org.kua_a)[0].pk)


def test_a_verifier_reads_but_does_not_manage(org: Org) -> None:
    verifier = user_with_role(Role.VERIFIER, org.kab_a)
    assert access_unit(verifier, org.kua_a.pk) == org.kua_a
    with pytest.raises(Http404):
        access_unit(verifier, org.kua_a.pk, MANAGE_ROLES)
    assert has_any_role(verifier)
    assert not can_manage_people(verifier)


def test_an_operator_manages_people(org: Org, operator_kua_a: User) -> None:
    assert can_manage_people(operator_kua_a)
    assert access_unit(operator_kua_a, org.kua_a.pk, MANAGE_ROLES) == org.kua_a


def test_a_supervisor_of_two_madrasah_sees_both_and_nothing_else(org: Org) -> None:
    supervisor = user_with_role(Role.SUPERVISOR, org.man_a)
    other_madrasah = UnitFactory.create(
        code="MTS-B", parent=org.kab_b, kind=Unit.Kind.MADRASAH_SWASTA
    )
    RoleAssignmentFactory.create(user=supervisor, role=Role.SUPERVISOR, unit=other_madrasah)
    assert codes(units_in_scope(supervisor)) == {"MAN-A", "MTS-B"}


def test_admins_have_every_role_for_the_menus(admin_user: User) -> None:
    assert has_any_role(admin_user)
    assert can_manage_people(admin_user)


def test_an_admin_role_given_over_one_unit_in_the_admin_does_not_open_every_unit(
    org: Org,
) -> None:
    superuser = UserFactory.create(is_superuser=True, is_staff=True)
    target = UserFactory.create()
    admin = Client()
    admin.force_login(superuser)

    # The admin's form offers a unit for every role, Admin included ("unit (with sub-units)").
    response = admin.post(
        "/admin/org/roleassignment/add/",
        {"user": target.pk, "role": Role.ADMIN, "unit": org.kua_a.pk},
    )
    saved = RoleAssignment.objects.filter(user=target, role=Role.ADMIN, unit=org.kua_a).exists()
    assert saved == (response.status_code == 302)

    # Whatever the fix (refuse the unit on an Admin role, or keep the role to that unit), the
    # account must not reach units outside KUA A.
    client = Client()
    client.force_login(target)
    assert client.get(f"/org/unit/{org.kua_b.pk}/").status_code == 404
    assert client.get(f"/api/units/{org.kua_b.pk}/employees").status_code == 404


def test_an_operator_whose_service_has_ended_no_longer_manages_the_unit(
    client: Client, org: Org
) -> None:
    leaver = org.employees(org.kua_a)[0]
    leaver.user = UserFactory.create()
    leaver.start, leaver.end = date(2019, 1, 1), date(2020, 1, 1)  # left years ago
    leaver.save()
    RoleAssignment.objects.create(user=leaver.user, role=Role.OPERATOR, unit=org.kua_a)
    client.force_login(leaver.user)

    # The check-in already treats this account as "not active for attendance"...
    assert client.get("/api/me").status_code == 200
    # ...yet it still reads the unit's people and changes the unit's calendar.
    assert client.get(f"/org/unit/{org.kua_a.pk}/").status_code == 404
    assert client.get(f"/api/units/{org.kua_a.pk}/employees").status_code == 404
    added = client.post(
        f"/jadwal/unit/{org.kua_a.pk}/libur/", {"date": "2026-12-24", "name": "Libur lokal"}
    )
    assert added.status_code == 404
    assert not Holiday.objects.filter(unit=org.kua_a, date=date(2026, 12, 24)).exists()


def test_the_database_keeps_an_admin_role_over_no_unit_and_every_other_role_over_one(
    org: Org,
) -> None:
    user = UserFactory.create()
    for role, unit in ((Role.ADMIN, org.kua_a), (Role.OPERATOR, None)):
        with pytest.raises(IntegrityError), transaction.atomic():
            RoleAssignment.objects.create(user=user, role=role, unit=unit)
    RoleAssignment.objects.create(user=user, role=Role.ADMIN)
    with pytest.raises(IntegrityError), transaction.atomic():
        RoleAssignment.objects.create(user=user, role=Role.ADMIN)


@pytest.mark.django_db(transaction=True)
def test_the_migration_removes_admin_roles_stored_with_a_unit_and_says_so_in_the_audit() -> None:
    """Such a role granted every unit before stop 22 and nothing after: the migration to the
    stricter constraint removes it, and the audit trail names whose role went."""
    unit = UnitFactory.create()
    users = [UserFactory.create() for _ in range(2)]
    executor = MigrationExecutor(connection)
    before, after = ("org", "0005_placements"), ("org", "0006_admin_role_over_no_unit")
    executor.migrate([before])
    old = executor.loader.project_state([before]).apps
    roles = old.get_model("org", "RoleAssignment").objects
    with_unit = roles.create(user_id=users[0].pk, role="ADMIN", unit_id=unit.pk)
    plain = roles.create(user_id=users[1].pk, role="ADMIN")
    operator = roles.create(user_id=users[1].pk, role="OPERATOR", unit_id=unit.pk)

    executor = MigrationExecutor(connection)
    executor.migrate([after])
    MigrationExecutor(connection).migrate(executor.loader.graph.leaf_nodes())  # as before

    remaining = set(RoleAssignment.objects.values_list("pk", flat=True))
    assert remaining == {plain.pk, operator.pk}
    event = AuditEvent.objects.get(action="org.admin_role_with_unit_removed")
    assert event.object_id == str(with_unit.pk)
    assert event.before == {"user": users[0].pk, "role": "ADMIN", "unit": unit.pk}
