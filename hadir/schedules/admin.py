from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from hadir.common.admin import AuditedAdmin
from hadir.common.i18n import current_lang
from hadir.rules.policy import describe_policy_keys
from hadir.schedules.models import (
    Holiday,
    PatternDay,
    PolicyValue,
    SpecialPeriod,
    SpecialPeriodDay,
    WorkPattern,
)
from hadir.schedules.services import pattern_hours_keep


class PatternDayInline(admin.TabularInline[PatternDay, Any]):
    model = PatternDay
    extra = 0


class WorkPatternForm(forms.ModelForm[WorkPattern]):
    """A pattern, and the date its new hours apply from."""

    hours_since = forms.DateField(
        label=_("new hours since"),
        required=False,
        help_text=_(
            "For changed hours: the first day they apply (a new circular). The days before it "
            "keep the former hours, kept as a special period. Empty: the change corrects "
            "every day lived on this pattern."
        ),
    )

    class Meta:
        model = WorkPattern
        fields = ["code", "name", "flexible_break"]


@admin.register(WorkPattern)
class WorkPatternAdmin(AuditedAdmin):
    form = WorkPatternForm
    list_display = ["code", "name", "flexible_break"]
    inlines = [PatternDayInline]

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        """Before the hours change from a date, the hours as stored are kept for the days
        before it."""
        since = form.cleaned_data.get("hours_since")
        if change and since is not None and formset.model is PatternDay and formset.has_changed():
            pattern_hours_keep(pattern=form.instance, since=since, actor=request.user)
        super().save_formset(request, form, formset, change)


class SpecialPeriodDayInline(admin.TabularInline[SpecialPeriodDay, Any]):
    model = SpecialPeriodDay
    extra = 0


class SpecialPeriodForm(forms.ModelForm[SpecialPeriod]):
    """Either for all units or for the units chosen: both (the box left ticked, as it comes)
    would apply the hours everywhere; neither, nowhere."""

    class Meta:
        model = SpecialPeriod
        fields = ["name", "start", "end", "all_units", "units"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        chosen = data.get("units")
        if data.get("all_units") and chosen:
            self.add_error(
                "all_units", _("Untick “all units” to apply the period to the units chosen only.")
            )
        elif not data.get("all_units") and chosen is not None and not chosen:
            self.add_error("units", _("Choose the units, or tick “all units”."))
        return data


@admin.register(SpecialPeriod)
class SpecialPeriodAdmin(AuditedAdmin):
    form = SpecialPeriodForm
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

    @admin.display(description=_("description"))
    def description(self, obj: PolicyValue) -> str:
        return describe_policy_keys(current_lang()).get(obj.key, "")

    def get_deleted_objects(self, objs: Any, request: Any) -> Any:
        """A value whose deletion leaves the others unreadable together (a ladder out of order
        from its date) is shown as what protects it, and kept: every evaluation would fail."""
        deleted, counts, perms, protected = super().get_deleted_objects(objs, request)
        problem = PolicyValue.deletion_problem(objs)
        return deleted, counts, perms, [*protected, problem] if problem else protected
