"""Reads of the organisation, always through the access module's scopes."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet

from hadir.common.access import READ_ROLES, employees_in_scope, units_in_scope
from hadir.org.models import Employee, Unit


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
