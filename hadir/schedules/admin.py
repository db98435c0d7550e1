from typing import Any

from django.contrib import admin

from hadir.common.admin import AuditedAdmin
from hadir.rules.policy import describe_policy_keys
from hadir.schedules.models import (
    Holiday,
    PatternDay,
    PolicyValue,
    SpecialPeriod,
    SpecialPeriodDay,
    WorkPattern,
)


class PatternDayInline(admin.TabularInline[PatternDay, Any]):
    model = PatternDay
    extra = 0


@admin.register(WorkPattern)
class WorkPatternAdmin(AuditedAdmin):
    list_display = ["code", "name", "flexible_break"]
    inlines = [PatternDayInline]


class SpecialPeriodDayInline(admin.TabularInline[SpecialPeriodDay, Any]):
    model = SpecialPeriodDay
    extra = 0


@admin.register(SpecialPeriod)
class SpecialPeriodAdmin(AuditedAdmin):
    list_display = ["name", "start", "end", "all_units"]
    filter_horizontal = ["units"]
    inlines = [SpecialPeriodDayInline]


@admin.register(Holiday)
class HolidayAdmin(AuditedAdmin):
    list_display = ["date", "name", "unit", "source", "active"]
    list_filter = ["source", "active"]
    search_fields = ["name"]
    date_hierarchy = "date"


@admin.register(PolicyValue)
class PolicyValueAdmin(AuditedAdmin):
    list_display = ["key", "description", "value", "effective_from", "note"]
    search_fields = ["key", "value", "note"]
    list_filter = ["effective_from"]

    @admin.display(description="keterangan")
    def description(self, obj: PolicyValue) -> str:
        return describe_policy_keys().get(obj.key, "")

    def get_deleted_objects(self, objs: Any, request: Any) -> Any:
        """A value whose deletion leaves the others unreadable together (a ladder out of order
        from its date) is shown as what protects it, and kept: every evaluation would fail."""
        deleted, counts, perms, protected = super().get_deleted_objects(objs, request)
        problem = PolicyValue.deletion_problem(objs)
        return deleted, counts, perms, [*protected, problem] if problem else protected
