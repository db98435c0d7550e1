from datetime import date
from typing import Any

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from hadir.common.admin import AuditedAdmin
from hadir.common.audit import audit_record
from hadir.org.forms import LocationForm
from hadir.org.models import Employee, Location, RoleAssignment, Unit
from hadir.org.services import (
    PLACED,
    employee_place,
    location_grants_end,
    new_since_problem,
    placement_problem,
    placement_state,
    since_unused,
    unit_path,
    unit_paths_refresh,
)


class LocationInline(admin.TabularInline[Location, Any]):
    model = Location
    form = LocationForm
    extra = 0


@admin.register(Unit)
class UnitAdmin(AuditedAdmin):
    list_display = ["code", "name", "kind", "parent", "timezone", "default_pattern"]
    list_filter = ["kind", "timezone"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["parent"]
    inlines = [LocationInline]

    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]
        super().save_model(request, obj, form, change)
        if obj.path != unit_path(obj):
            unit_paths_refresh(obj)


class EmployeeForm(forms.ModelForm[Employee]):
    """An employee, and the date another unit or pattern applies from (a move, mutasi)."""

    unit_since = forms.DateField(
        label=_("moved since"),
        required=False,
        help_text=_(
            "For another unit or work pattern: the first day there (empty = today). The days "
            "before it keep the former unit. The first day of attendance corrects every day."
        ),
    )

    class Meta:
        model = Employee
        fields = [
            "nip", "name", "kind", "golongan", "position", "email",
            "unit", "pattern", "start", "end", "user",
        ]  # fmt: skip

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        self.move_since: date | None = None
        unit, since = data.get("unit"), data.get("unit_since")
        if unit is None:
            return data
        if self.instance.pk is None:
            start = data.get("start")
            problem = since and start and new_since_problem(unit, since, start)
            if problem:
                self.add_error("unit_since", problem)
            return data
        stored = Employee.objects.select_related("unit").get(pk=self.instance.pk)
        stored.start = data.get("start") or stored.start  # a move is compared with this start
        if not set(PLACED) & set(self.changed_data):
            unused = since and since_unused(stored, since, stored.start)
            if unused:
                self.add_error("unit_since", unused)
            return data
        since = since or unit.today()
        problem = placement_problem(stored, unit, since)
        if problem:
            self.add_error("unit_since", problem)
        self.move_since = since
        return data


@admin.register(Employee)
class EmployeeAdmin(AuditedAdmin):
    form = EmployeeForm
    list_display = ["nip", "name", "unit", "golongan", "kind", "start", "end"]
    list_filter = ["kind", "unit__kind"]
    search_fields = ["nip", "name"]
    autocomplete_fields = ["unit", "user"]
    list_select_related = ["unit"]
    readonly_fields = ["placed_since", "earlier_placements"]

    @admin.display(description=_("earlier placements"))
    def earlier_placements(self, obj: Employee) -> str:
        """Where the employee was before, as moves wrote it (a move is made on the unit)."""
        placements = obj.placements.select_related("unit").order_by("until") if obj.pk else []
        return "; ".join(str(p) for p in placements) or "—"

    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]
        since = getattr(form, "move_since", None)
        if change and since is not None:
            stored = Employee.objects.select_related("unit", "pattern").get(pk=obj.pk)
            unit, pattern = obj.unit, obj.pattern
            obj.unit_id, obj.pattern_id = stored.unit_id, stored.pattern_id
            employee_place(obj, unit=unit, pattern=pattern, since=since)
            # The date decides which days keep the former unit: the change's row lacks it.
            audit_record(
                actor=request.user,
                action="org.employee_move",
                obj=obj,
                summary=f"{obj.nip}: {stored.unit.code} → {unit.code} {since:%d-%m-%Y}",
                before=placement_state(stored),
                after={**placement_state(obj), "since": since.isoformat()},
            )
        super().save_model(request, obj, form, change)
        if change and "unit" in form.changed_data:
            location_grants_end(employee=obj, actor=request.user)


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(AuditedAdmin):
    list_display = ["user", "role", "unit"]
    list_filter = ["role"]
    autocomplete_fields = ["user", "unit"]
