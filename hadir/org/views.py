"""Pages of the organisation: the home page, units in scope, a unit's employees."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hadir.common.access import (
    MANAGE_ROLES,
    READ_ROLES,
    access_unit,
    can_manage_people,
    has_any_role,
    typed_id_or_404,
    units_in_scope,
)
from hadir.org.forms import GrantRequestForm, LocationForm
from hadir.org.models import Location
from hadir.org.selectors import (
    employee_list,
    grants_to_decide,
    locations_nearby,
    phones_counted,
    unit_list,
)
from hadir.org.services import (
    GrantMoveRefused,
    grant_moves,
    location_grant_decide,
    location_grant_request,
    location_save,
)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The employee's own card plus what their roles let them open."""
    employee = getattr(request.user, "employee", None)
    return render(
        request,
        "org/home.html",
        {
            "employee": employee,
            "has_roles": has_any_role(request.user, READ_ROLES),
            "can_manage": can_manage_people(request.user),
        },
    )


@login_required
def units(request: HttpRequest) -> HttpResponse:
    return render(request, "org/units.html", {"units": unit_list(user=request.user)})


@login_required
def unit_detail(request: HttpRequest, unit_id: int) -> HttpResponse:
    unit = access_unit(request.user, unit_id, READ_ROLES)
    search = request.GET.get("q", "")[:50]
    can_manage = units_in_scope(request.user, MANAGE_ROLES).filter(pk=unit.pk).exists()
    # With device binding, an operator resets a lost or replaced phone from here.
    phones = can_manage and settings.HADIR_DEVICE_BINDING
    employees = employee_list(user=request.user, unit=unit, search=search)
    page = Paginator(employees, 50).get_page(request.GET.get("page"))
    if phones:
        phones_counted(list(page.object_list))
    return render(
        request,
        "org/unit_detail.html",
        {"unit": unit, "page": page, "search": search, "can_manage": can_manage, "phones": phones},
    )


@login_required
def unit_locations(request: HttpRequest, unit_id: int) -> HttpResponse:
    """Operators manage a unit's check-in locations on a map; others in scope may look."""
    unit = access_unit(request.user, unit_id, READ_ROLES)
    can_manage = units_in_scope(request.user, MANAGE_ROLES).filter(pk=unit.pk).exists()
    editing = None
    if request.GET.get("edit"):
        editing = get_object_or_404(Location, pk=typed_id_or_404(request.GET["edit"]), unit=unit)
    form = LocationForm(request.POST or None, instance=editing or Location(unit=unit))
    if request.method == "POST":
        access_unit(request.user, unit_id, MANAGE_ROLES)
        if form.is_valid():
            location_save(actor=request.user, unit=unit, values=form.cleaned_data, location=editing)
            messages.success(request, _("Location saved."))
            return redirect("org:unit_locations", unit.pk)
    locations = list(unit.locations.order_by("name"))
    return render(
        request,
        "org/unit_locations.html",
        {
            "unit": unit,
            "locations": locations,
            "form": form,
            "editing": editing,
            "can_manage": can_manage,
            "map_data": [
                {
                    "name": loc.name,
                    "latitude": float(loc.latitude),
                    "longitude": float(loc.longitude),
                    "radius_m": loc.radius_m,
                    "polygon": loc.polygon or [],
                    "active": loc.active,
                }
                for loc in locations
            ],
        },
    )


@login_required
def my_locations(request: HttpRequest) -> HttpResponse:
    """An employee sees their extra locations and asks for another one."""
    employee = getattr(request.user, "employee", None)
    if employee is None:
        raise Http404
    form = GrantRequestForm(request.POST or None, locations=locations_nearby(employee=employee))
    if request.method == "POST" and form.is_valid():
        location_grant_request(
            actor=request.user,
            employee=employee,
            location=form.cleaned_data["location"],
            reason=form.cleaned_data["reason"],
        )
        messages.success(request, _("Request sent to the Pengelola Presensi of that location."))
        return redirect("org:my_locations")
    grants = employee.location_grants.select_related("location__unit").order_by("-id")
    return render(request, "org/my_locations.html", {"form": form, "grants": grants})


_GRANT_BUTTONS = {
    "approve": (gettext_lazy("Approve"), ""),
    "reject": (gettext_lazy("Reject"), "secondary"),
    "revoke": (gettext_lazy("Revoke"), "secondary"),
}
"""Each of :data:`hadir.org.services.GRANT_MOVES`'s decisions as a button: label, style."""


@login_required
def grants(request: HttpRequest) -> HttpResponse:
    """Operators decide extra-location requests for the locations they manage."""
    if not can_manage_people(request.user):
        raise Http404
    if request.method == "POST":
        grant = get_object_or_404(
            grants_to_decide(user=request.user), pk=typed_id_or_404(request.POST.get("grant", ""))
        )
        try:
            location_grant_decide(
                actor=request.user, grant=grant, decision=request.POST.get("decision", "")
            )
        except GrantMoveRefused as refused:
            messages.error(request, str(refused))
        else:
            messages.success(request, _("Decision saved."))
        return redirect("org:grants")
    shown = list(grants_to_decide(user=request.user)[:500])
    for grant in shown:
        grant.buttons = [(move, *_GRANT_BUTTONS[move]) for move in grant_moves(grant.status)]  # type: ignore[attr-defined]
    return render(request, "org/grants.html", {"grants": shown})
