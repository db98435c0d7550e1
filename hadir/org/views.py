"""Pages of the organisation: the home page, units in scope, a unit's employees."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from hadir.common.access import (
    MANAGE_ROLES,
    READ_ROLES,
    access_unit,
    has_any_role,
    units_in_scope,
)
from hadir.org.selectors import employee_list, unit_list


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The employee's own card plus what their roles let them open."""
    employee = getattr(request.user, "employee", None)
    return render(
        request,
        "org/home.html",
        {"employee": employee, "has_roles": has_any_role(request.user, READ_ROLES)},
    )


@login_required
def units(request: HttpRequest) -> HttpResponse:
    return render(request, "org/units.html", {"units": unit_list(user=request.user)})


@login_required
def unit_detail(request: HttpRequest, unit_id: int) -> HttpResponse:
    unit = access_unit(request.user, unit_id, READ_ROLES)
    search = request.GET.get("q", "")[:50]
    page = Paginator(employee_list(user=request.user, unit=unit, search=search), 50).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "org/unit_detail.html",
        {
            "unit": unit,
            "page": page,
            "search": search,
            "can_manage": units_in_scope(request.user, MANAGE_ROLES).filter(pk=unit.pk).exists(),
        },
    )
