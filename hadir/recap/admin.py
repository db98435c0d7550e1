"""Admin: the day refreshes edits still owe (read-only; ``manage.py refresh_days`` runs them)."""

from __future__ import annotations

from django.contrib import admin

from hadir.common.admin import ReadOnlyAdmin
from hadir.recap.models import DayRefresh


@admin.register(DayRefresh)
class DayRefreshAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "scope", "start", "end", "weekday", "attempts", "error"]
