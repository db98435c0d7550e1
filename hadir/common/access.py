"""Who may see and change what: the one place access is decided.

Every view and API handler asks here. A user's scope is the set of units under the units of
their role assignments (hierarchical, DOMAIN.md §1). What lies outside a user's scope is "not
found" (:class:`~django.http.Http404`), exactly like what does not exist, so nobody can probe
for other units' employees.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import reduce
from operator import or_
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from hadir.org.models import Employee, Role, RoleAssignment, Unit
from hadir.presence.models import Machine
from hadir.requests.models import Request

READ_ROLES = frozenset({Role.OPERATOR, Role.VERIFIER, Role.LEADER, Role.SUPERVISOR})
MANAGE_ROLES = frozenset({Role.OPERATOR})


def is_admin(user: Any) -> bool:
    """Superusers and holders of the Admin role see and manage everything."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return (
        RoleAssignment.objects.in_force()
        .filter(user=user, role=Role.ADMIN, unit__isnull=True)
        .exists()
    )


def _scope_filter(user: Any, roles: Iterable[str], field: str) -> Q | None:
    """A filter on ``field`` (a unit path) for the units under the user's assignments."""
    paths = (
        RoleAssignment.objects.in_force()
        .filter(user=user, role__in=list(roles), unit__isnull=False)
        .values_list("unit__path", flat=True)
    )
    # An empty path would match every unit; a unit always has one, but never trust that here.
    clauses = [Q(**{f"{field}__startswith": path}) for path in paths if path]
    return reduce(or_, clauses) if clauses else None


ID_DIGITS_AT_MOST = 18
"""Digits of the largest id any table reaches (a bigint holds 19): a longer number is no id
(and past 4,300 digits ``int`` itself refuses it)."""


def typed_id(text: str) -> int | None:
    """A record id typed in a link or a form, or None: only ASCII digits are an id (``"²"``
    passes ``isdigit`` and then fails ``int``, a server error), and not too many of them."""
    if not (text.isascii() and text.isdigit()) or len(text) > ID_DIGITS_AT_MOST:
        return None
    return int(text)


def typed_id_or_404(text: str) -> int:
    """:func:`typed_id`, anything else not found."""
    pk = typed_id(text)
    if pk is None:
        raise Http404
    return pk


def units_in_scope(user: Any, roles: Iterable[str] = READ_ROLES) -> QuerySet[Unit]:
    """Units the user holds one of ``roles`` over, with all their sub-units."""
    if is_admin(user):
        return Unit.objects.all()
    if not user.is_authenticated or not user.is_active:
        return Unit.objects.none()
    scope = _scope_filter(user, roles, "path")
    return Unit.objects.filter(scope) if scope is not None else Unit.objects.none()


def employees_in_scope(user: Any, roles: Iterable[str] = READ_ROLES) -> QuerySet[Employee]:
    """Employees of the units in the user's scope for ``roles``."""
    if is_admin(user):
        return Employee.objects.all()
    if not user.is_authenticated or not user.is_active:
        return Employee.objects.none()
    scope = _scope_filter(user, roles, "unit__path")
    return Employee.objects.filter(scope) if scope is not None else Employee.objects.none()


def access_unit(user: Any, pk: int, roles: Iterable[str] = READ_ROLES) -> Unit:
    """The unit, if the user may act on it with one of ``roles``; otherwise not found."""
    try:
        return units_in_scope(user, roles).get(pk=pk)
    except Unit.DoesNotExist:
        raise Http404 from None


def access_employee(user: Any, pk: int, roles: Iterable[str] = READ_ROLES) -> Employee:
    """The employee, if it is the user themself or in their scope; otherwise not found."""
    own: Employee | None = getattr(user, "employee", None) if user.is_authenticated else None
    if own is not None and own.pk == pk:
        return own
    try:
        employee: Employee = employees_in_scope(user, roles).select_related("unit").get(pk=pk)
        return employee
    except Employee.DoesNotExist:
        raise Http404 from None


def access_employee_to_manage(user: Any, pk: int) -> Employee:
    """An employee of the units the user manages, never the user's own record (nobody resets
    their own phone binding); otherwise not found."""
    try:
        return (
            employees_in_scope(user, MANAGE_ROLES)
            .exclude(user=user)
            .select_related("unit")
            .get(pk=pk)
        )
    except Employee.DoesNotExist:
        raise Http404 from None


def machines_in_scope(user: Any) -> QuerySet[Machine]:
    """Fingerprint machines of the units the user manages (operators; admins: all)."""
    return Machine.objects.filter(unit__in=units_in_scope(user, MANAGE_ROLES))


def access_machine(user: Any, pk: int) -> Machine:
    """The machine, if the user manages its unit; otherwise not found."""
    try:
        machine: Machine = machines_in_scope(user).select_related("unit").get(pk=pk)
        return machine
    except Machine.DoesNotExist:
        raise Http404 from None


def can_manage_employee(user: Any, employee: Employee) -> bool:
    """Whether the user manages ``employee`` (an operator of their unit, or an admin), never
    their own record: nobody records their own sanction, an admin included."""
    if employee.user_id is not None and employee.user_id == user.pk:
        return False
    return is_admin(user) or employees_in_scope(user, MANAGE_ROLES).filter(pk=employee.pk).exists()


def can_manage_people(user: Any) -> bool:
    """Operators (and admins) manage employees and issue activation codes."""
    return is_admin(user) or units_in_scope(user, MANAGE_ROLES).exists()


def has_any_role(user: Any, roles: Iterable[str] = READ_ROLES) -> bool:
    """Whether the user holds any of ``roles`` anywhere (menus show only what is usable)."""
    if is_admin(user):
        return True
    return RoleAssignment.objects.in_force().filter(user=user, role__in=list(roles)).exists()


# ---------------------------------------------------------------- requests (laporan)

VERIFY_ROLES = frozenset({Role.VERIFIER})


def requests_visible(user: Any) -> QuerySet[Request]:
    """The user's own requests plus those a verifier (or admin) may see."""
    if is_admin(user):
        return Request.objects.all()
    if not user.is_authenticated or not user.is_active:
        return Request.objects.none()
    own = Q(employee__user=user)
    scope = _scope_filter(user, VERIFY_ROLES, "employee__unit__path")
    return Request.objects.filter(own | scope if scope is not None else own)


def access_request(user: Any, reference: str) -> Request:
    """The request, if the user owns it, verifies its unit or is admin; otherwise not found."""
    try:
        request: Request = (
            requests_visible(user)
            .select_related("employee__unit", "evidence")
            .get(reference=reference)
        )
    except Request.DoesNotExist:
        raise Http404 from None
    return request


def requests_to_verify(user: Any) -> QuerySet[Request]:
    """Requests of employees in the user's verifier scope (admins: all), never their own."""
    if is_admin(user):
        requests = Request.objects.all()
    else:
        scope = _scope_filter(user, VERIFY_ROLES, "employee__unit__path")
        if scope is None:
            return Request.objects.none()
        requests = Request.objects.filter(scope)
    return requests.exclude(employee__user=user)


def can_decide(user: Any, request: Request) -> bool:
    """A verifier of the employee's unit (or an admin) decides; never the requester."""
    if request.employee.user_id is not None and request.employee.user_id == user.pk:
        return False
    return requests_to_verify(user).filter(pk=request.pk).exists()
