"""Reads of the organisation, always through the access module's scopes."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Case, Count, Model, Q, QuerySet, When

from hadir.common import hot
from hadir.common.access import READ_ROLES, employees_in_scope, units_in_scope
from hadir.org.models import Employee, Location, LocationGrant, Unit
from hadir.rules.nip import compact_nip
from hadir.schedules.models import WorkPattern


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
        nip = compact_nip(search)  # as printed lists group it: "19800101 200501 1 001"
        by_nip = Q(nip__startswith=nip) if nip else Q(pk__in=[])  # "." is no NIP at all
        employees = employees.filter(Q(name__icontains=search.strip()) | by_nip)
    return employees.order_by("name", "pk")  # namesakes in one order, page after page


def phones_counted(employees: Sequence[Employee]) -> None:
    """Set ``phones``, the number of phones on record, on each of ``employees`` (one page of a
    list: counting for the page alone, not for every employee in scope). A deactivated phone
    a reset already dealt with is not on record (:class:`hadir.presence.models.Device`)."""
    on_record = Q(devices__active=True) | Q(devices__reset_at=None)
    counts = dict(
        Employee.objects.filter(pk__in=[e.pk for e in employees])
        .annotate(phones=Count("devices", filter=on_record))
        .values_list("pk", "phones")
    )
    for employee in employees:
        employee.phones = counts.get(employee.pk, 0)  # type: ignore[attr-defined]


def locations_nearby(*, employee: Employee) -> QuerySet[Location]:
    """Active locations an employee may ask for: those under the same Kankemenag (or the
    employee's top-level unit), other than their own unit's and those already granted or
    awaiting a decision."""
    ancestors = [int(part) for part in employee.unit.path.strip("/").split("/") if part]
    office = (
        Unit.objects.filter(pk__in=ancestors, kind=Unit.Kind.KANKEMENAG).first()
        or Unit.objects.filter(pk=ancestors[0]).first()
        or employee.unit
    )
    standing = LocationGrant.objects.filter(
        employee=employee,
        status__in=[LocationGrant.Status.APPROVED, LocationGrant.Status.REQUESTED],
    ).values("location_id")
    return (
        Location.objects.filter(active=True, unit__path__startswith=office.path)
        .exclude(unit=employee.unit)
        .exclude(pk__in=standing)
        .select_related("unit")
        .order_by("unit__name", "name")
    )


def grants_to_decide(*, user: Any) -> QuerySet[LocationGrant]:
    """Extra-location requests for locations of units the user manages, those awaiting a
    decision first, then newest first; never the user's own (nobody approves for themself)."""
    from hadir.common.access import MANAGE_ROLES

    units = units_in_scope(user, MANAGE_ROLES)
    awaiting = Case(When(status=LocationGrant.Status.REQUESTED, then=0), default=1)
    return (
        LocationGrant.objects.filter(location__unit__in=units)
        .exclude(employee__user=user)
        .select_related("employee__unit", "location__unit")
        .order_by(awaiting, "-id")
    )


def account_with_employee(user_id: Any) -> Any | None:
    """The account ``user_id`` with its employee record (``user.employee``, the caller's own:
    no scope) and that record's unit and both work patterns loaded, as
    ``select_related("employee__unit__default_pattern", "employee__pattern")`` would.

    A logged-in request whose session did not bring its account along starts here
    (:class:`hadir.accounts.backends.AccountBackend`), so it is hand-written
    (:mod:`hadir.common.hot`): one query, which also spares the pages and the API that ask for
    ``request.user.employee`` their own.
    """
    user_table = connection.ops.quote_name(get_user_model()._meta.db_table)
    rows = hot.joined(
        account_parts(),
        f"SELECT {account_columns()} FROM {user_table} a{account_joins()} WHERE a.id = %s",  # noqa: S608
        [user_id],
    )
    return account_of(rows[0]) if rows else None


def account_of(parts: Sequence[Model | None]) -> Any | None:
    """The account of a row of :func:`account_parts` (None if the outer join found none), with
    ``user.employee`` and its unit and work patterns attached."""
    user, employee, unit, default_pattern, pattern = parts
    if user is None:
        return None
    if isinstance(employee, Employee):
        assert isinstance(unit, Unit)
        unit.default_pattern = default_pattern  # type: ignore[assignment]
        employee.unit = unit
        employee.pattern = pattern  # type: ignore[assignment]
        employee.user = user  # type: ignore[assignment]
    # Cached, None included: ``user.employee`` then reads nothing (and None raises as usual).
    Employee.user.field.remote_field.set_cached_value(user, employee)
    return user


@cache
def account_parts() -> tuple[tuple[type[Model], tuple[str, ...]], ...]:
    """The models an account row is read as: account, employee, unit, the unit's default work
    pattern, the employee's own (aliases ``a``, ``e``, ``u``, ``dp``, ``p``)."""
    models = (get_user_model(), Employee, Unit, WorkPattern, WorkPattern)
    return tuple((model, hot.every_field(model)) for model in models)


@cache
def account_columns() -> str:
    """The SELECT list of :func:`account_parts`."""
    return ", ".join(
        hot.columns(model, fields, alias)
        for alias, (model, fields) in zip(_ACCOUNT_ALIASES, account_parts(), strict=True)
    )


@cache
def account_joins() -> str:
    """The outer joins from an account aliased ``a`` to the rest of :func:`account_parts`."""
    quote = connection.ops.quote_name
    return (
        f" LEFT JOIN {quote(Employee._meta.db_table)} e ON e.user_id = a.id"
        f" LEFT JOIN {quote(Unit._meta.db_table)} u ON u.id = e.unit_id"
        f" LEFT JOIN {quote(WorkPattern._meta.db_table)} dp ON dp.id = u.default_pattern_id"
        f" LEFT JOIN {quote(WorkPattern._meta.db_table)} p ON p.id = e.pattern_id"
    )


_ACCOUNT_ALIASES = ("a", "e", "u", "dp", "p")
