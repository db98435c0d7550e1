"""Admin: the day refreshes edits still owe (read-only; ``manage.py refresh_days`` runs them)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from hadir.recap.models import DayRefresh


@admin.register(DayRefresh)
class DayRefreshAdmin(admin.ModelAdmin[DayRefresh]):
    list_display = ["created_at", "scope", "start", "end", "weekday", "attempts", "error"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
