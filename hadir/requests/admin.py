from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from hadir.requests.models import Request


@admin.register(Request)
class RequestAdmin(admin.ModelAdmin[Request]):
    """Requests are changed only through the workflow (services); the admin looks."""

    list_display = [
        "reference",
        "employee",
        "code",
        "start",
        "end",
        "session",
        "status",
        "decided_by",
    ]
    list_filter = ["status", "category", "code", "imported"]
    search_fields = ["reference", "employee__nip", "employee__name"]
    date_hierarchy = "start"
    list_select_related = ["employee", "decided_by"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
