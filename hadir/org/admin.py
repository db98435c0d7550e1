from typing import Any

from django.contrib import admin

from hadir.common.admin import AuditedAdmin
from hadir.org.forms import LocationForm
from hadir.org.models import Employee, Location, RoleAssignment, Unit
from hadir.org.services import location_grants_end, unit_path, unit_paths_refresh


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


@admin.register(Employee)
class EmployeeAdmin(AuditedAdmin):
    list_display = ["nip", "name", "unit", "golongan", "kind", "start", "end"]
    list_filter = ["kind", "unit__kind"]
    search_fields = ["nip", "name"]
    autocomplete_fields = ["unit", "user"]
    list_select_related = ["unit"]

    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]
        super().save_model(request, obj, form, change)
        if change and "unit" in form.changed_data:
            location_grants_end(employee=obj, actor=request.user)


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(AuditedAdmin):
    list_display = ["user", "role", "unit"]
    list_filter = ["role"]
    autocomplete_fields = ["user", "unit"]
