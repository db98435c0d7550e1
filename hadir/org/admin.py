from datetime import date
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from hadir.accounts.services import account_email_follow
from hadir.common.admin import AuditedAdmin
from hadir.common.audit import audit_record
from hadir.org.forms import LocationForm
from hadir.org.golongan import (
    employee_promote,
    golongan_since_unused,
    golongan_state,
    promotion_problem,
)
from hadir.org.models import Employee, Location, RoleAssignment, Unit
from hadir.org.services import (
    PLACED,
    employee_place,
    location_grants_end,
    new_golongan_problem,
    new_since_problem,
    pattern_change_problem,
    placement_problem,
    placement_state,
    roles_elsewhere,
    since_unused,
    unit_path,
    unit_paths_refresh,
    unit_pattern_change,
)


class LocationInline(admin.TabularInline[Location, Any]):
    model = Location
    form = LocationForm
    extra = 0


class UnitForm(forms.ModelForm[Unit]):
    """A unit, and the date another default pattern applies from."""

    pattern_from = forms.DateField(  # not "pattern_since": a model field, not editable
        label=_("pattern since"),
        required=False,
        help_text=_(
            "For another default work pattern: its first day (empty = today). The days lived "
            "before it keep the former pattern."
        ),
    )

    user: Any = None

    class Meta:
        model = Unit
        fields = ["code", "name", "kind", "parent", "timezone", "default_pattern"]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        self.repattern_since: date | None = None
        pattern, since = data.get("default_pattern"), data.get("pattern_from")
        if self.instance.pk is None or pattern is None:
            return data
        stored = Unit.objects.get(pk=self.instance.pk)
        problem = pattern_change_problem(stored, pattern, since, self.user)
        if problem:
            self.add_error("pattern_from", problem)
        elif stored.default_pattern_id != pattern.pk:
            self.repattern_since = since or stored.today()
        return data


@admin.register(Unit)
class UnitAdmin(AuditedAdmin):
    form = UnitForm
    list_display = ["code", "name", "kind", "parent", "timezone", "default_pattern"]
    readonly_fields = ["pattern_since", "earlier_patterns"]

    @admin.display(description=_("earlier unit patterns"))
    def earlier_patterns(self, obj: Unit) -> str:
        """The unit's default patterns before the present one, as dated changes wrote them."""
        held = obj.earlier_patterns.select_related("pattern").order_by("until") if obj.pk else []
        return "; ".join(str(p) for p in held) or "—"

    list_filter = ["kind", "timezone"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["parent"]
    inlines = [LocationInline]

    def get_form(self, request, obj=None, change=False, **kwargs):  # type: ignore[no-untyped-def]
        form = super().get_form(request, obj, change, **kwargs)
        # The closed-month guard asks who changes the pattern: a class per request.
        return type(form.__name__, (form,), {"user": request.user})

    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]
        since = getattr(form, "repattern_since", None)
        if change and since is not None:
            stored = Unit.objects.select_related("default_pattern").get(pk=obj.pk)
            pattern, obj.default_pattern = obj.default_pattern, stored.default_pattern
            unit_pattern_change(obj, pattern=pattern, since=since)
            audit_record(
                actor=request.user,
                action="org.unit_pattern_change",
                obj=obj,
                summary=f"{obj.code}: {stored.default_pattern.code} → {pattern.code} {since:%d-%m-%Y}",
                before={"pattern": stored.default_pattern.code},
                after={"pattern": pattern.code, "since": since.isoformat()},
            )
        super().save_model(request, obj, form, change)
        if obj.path != unit_path(obj):
            unit_paths_refresh(obj)


class EmployeeForm(forms.ModelForm[Employee]):
    """An employee, and the dates another unit or pattern (a move, mutasi) and another
    golongan (a promotion, kenaikan pangkat) apply from."""

    unit_since = forms.DateField(
        label=_("moved since"),
        required=False,
        help_text=_(
            "For another unit or work pattern: the first day there (empty = today). The days "
            "before it keep the former unit. The first day of attendance corrects every day."
        ),
    )

    golongan_from = forms.DateField(  # not "golongan_since": a model field, not editable
        label=_("golongan since"),
        required=False,
        help_text=_(
            "For another golongan: its first day (TMT; empty = today). The months before it "
            "keep the former golongan's uang makan. The first day of attendance corrects them."
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
        self.promotion_since = self._promotion_since(data)
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

    def _promotion_since(self, data: dict[str, Any]) -> date | None:
        """The date a new golongan applies from (None: no promotion, or a refused date)."""
        since, unit = data.get("golongan_from"), data.get("unit")
        if self.instance.pk is None or unit is None:
            if since and data.get("start") and since > data["start"]:
                self.add_error("golongan_from", new_golongan_problem(data))
            return None
        stored = Employee.objects.get(pk=self.instance.pk)
        stored.start = data.get("start") or stored.start
        if "golongan" not in self.changed_data:
            unused = since and golongan_since_unused(stored, since, stored.start)
            if unused:
                self.add_error("golongan_from", unused)
            return None
        today: date = unit.today()
        chosen: date = since or today
        problem = promotion_problem(stored, chosen, today)
        if problem:
            self.add_error("golongan_from", problem)
            return None
        return chosen


@admin.register(Employee)
class EmployeeAdmin(AuditedAdmin):
    form = EmployeeForm
    list_display = ["nip", "name", "unit", "golongan", "kind", "start", "end"]
    list_filter = ["kind", "unit__kind"]
    search_fields = ["nip", "name"]
    autocomplete_fields = ["unit", "user"]
    list_select_related = ["unit"]
    readonly_fields = [
        "placed_since",
        "earlier_placements",
        "golongan_held_since",
        "golongan_before",
    ]

    @admin.display(description=_("in this golongan since"))
    def golongan_held_since(self, obj: Employee) -> str:
        return f"{obj.golongan_since:%d-%m-%Y}" if obj.golongan_since else "—"

    @admin.display(description=_("earlier golongan"))
    def golongan_before(self, obj: Employee) -> str:
        """The golongan held before, as promotions wrote them."""
        held = obj.earlier_golongan.order_by("until") if obj.pk else []
        return "; ".join(str(g) for g in held) or "—"

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
        promoted = getattr(form, "promotion_since", None)
        if change and promoted is not None:
            stored = Employee.objects.get(pk=obj.pk)
            golongan, obj.golongan = obj.golongan, stored.golongan
            employee_promote(obj, golongan=golongan, since=promoted)
            audit_record(
                actor=request.user,
                action="org.employee_promote",
                obj=obj,
                summary=f"{obj.nip}: {stored.golongan} → {golongan} {promoted:%d-%m-%Y}",
                before=golongan_state(stored),
                after={**golongan_state(obj), "since": promoted.isoformat()},
            )
        super().save_model(request, obj, form, change)
        if change and "unit" in form.changed_data:
            location_grants_end(employee=obj, actor=request.user)
            kept = roles_elsewhere(obj)
            if kept:
                messages.warning(
                    request,
                    _(
                        "%(name)s still holds roles over units they no longer work in:"
                        " %(roles)s. End those the move ends, under Roles."
                    )
                    % {"name": obj.name, "roles": "; ".join(kept)},
                )
        if change and "email" in form.changed_data:
            account_email_follow(employee=obj, actor=request.user)


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(AuditedAdmin):
    list_display = ["user", "role", "unit"]
    list_filter = ["role"]
    autocomplete_fields = ["user", "unit"]
