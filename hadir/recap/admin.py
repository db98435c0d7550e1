"""Admin, read-only: the day refreshes edits still owe (``manage.py refresh_days`` runs them),
every closing ever signed, reopened ones included, with the figures it froze, and every
sanction decision, revoked ones included (recorded and revoked on the employee's month page)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from hadir.common.admin import ReadOnlyAdmin
from hadir.recap.models import DayRefresh, PeriodClose, SanctionDecision


@admin.register(DayRefresh)
class DayRefreshAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "scope", "start", "end", "weekday", "attempts", "error"]


@admin.register(PeriodClose)
class PeriodCloseAdmin(ReadOnlyAdmin):
    """What was signed stays on record: an auditor reads a reopened closing's figures here."""

    list_display = ["month", "unit", "closed_by", "closed_at", "reopened_by", "reopened_at"]
    list_filter = ["month"]
    search_fields = ["unit__code", "unit__name"]
    list_select_related = ["unit", "closed_by", "reopened_by"]
    date_hierarchy = "month"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return PeriodClose.history.select_related("unit", "closed_by", "reopened_by")


@admin.register(SanctionDecision)
class SanctionDecisionAdmin(ReadOnlyAdmin):
    list_display = [
        "employee", "sanction", "first_month", "months", "decree", "decided_on", "for_year",
        "recorded_by",
        "revoked_at",
    ]  # fmt: skip
    list_filter = ["sanction"]
    search_fields = ["employee__nip", "employee__name", "decree"]
    list_select_related = ["employee", "recorded_by"]
