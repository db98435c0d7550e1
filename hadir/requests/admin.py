from django.contrib import admin

from hadir.common.admin import ReadOnlyAdmin
from hadir.requests.models import Request


@admin.register(Request)
class RequestAdmin(ReadOnlyAdmin):
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
