"""Reads of the organisation, always through the access module's scopes."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet

from hadir.common.access import READ_ROLES, employees_in_scope, units_in_scope
from hadir.org.models import Employee, Location, LocationGrant, Unit


def unit_list(*, user: Any) -> QuerySet[Unit]:
    """Units in the user's scope with their employee counts, in tree order."""
    return (
        units_in_scope(user, READ_ROLES)
        .select_related("default_pattern", "parent")
        .annotate(employee_count=Count("employees"))
        .order_by("path")
    )


def employee_list(*, user: Any, unit: Unit | None = None, search: str = "") -> QuerySet[Employee]:
    """Employees in the user's scope, optionally of one unit (with its sub-units) and matching
    ``search`` (a name or NIP fragment)."""
    employees = employees_in_scope(user, READ_ROLES).select_related("unit", "pattern", "user")
    if unit is not None:
        employees = employees.filter(unit__path__startswith=unit.path)
    if search:
        employees = employees.filter(Q(name__icontains=search) | Q(nip__startswith=search.strip()))
    return employees.order_by("name")


def locations_nearby(*, employee: Employee) -> QuerySet[Location]:
    """Active locations an employee may ask for: those under the same Kankemenag (or the
    employee's top-level unit), other than their own unit's."""
    ancestors = [int(part) for part in employee.unit.path.strip("/").split("/") if part]
    office = (
        Unit.objects.filter(pk__in=ancestors, kind=Unit.Kind.KANKEMENAG).first()
        or Unit.objects.filter(pk=ancestors[0]).first()
        or employee.unit
    )
    return (
        Location.objects.filter(active=True, unit__path__startswith=office.path)
        .exclude(unit=employee.unit)
        .select_related("unit")
        .order_by("unit__name", "name")
    )


def grants_to_decide(*, user: Any) -> QuerySet[LocationGrant]:
    """Extra-location requests for locations of units the user manages, newest first."""
    from hadir.common.access import MANAGE_ROLES

    units = units_in_scope(user, MANAGE_ROLES)
    return (
        LocationGrant.objects.filter(location__unit__in=units)
        .select_related("employee__unit", "location__unit")
        .order_by("status", "-id")
    )
