from typing import Any

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from hadir.common.admin import AuditedAdmin, BigTableAdmin, ReadOnlyAdmin
from hadir.presence.models import Device, Machine, MachinePin, Punch, Refusal
from hadir.presence.selectors import refusal_text


@admin.register(Punch)
class PunchAdmin(BigTableAdmin, ReadOnlyAdmin):
    list_display = ["employee", "at", "source", "counts", "flags", "location"]
    list_filter = ["source", "counts"]
    search_fields = ["employee__nip", "employee__name"]
    list_select_related = ["employee", "location__unit"]


@admin.register(Refusal)
class RefusalAdmin(BigTableAdmin, ReadOnlyAdmin):
    list_display = ["employee", "at", "reason", "words"]
    list_filter = ["reason"]
    search_fields = ["employee__nip", "employee__name"]
    list_select_related = ["employee"]

    @admin.display(description=_("message"))
    def words(self, refusal: Refusal) -> str:
        """In the admin's language, not the language of the tap that was refused."""
        return refusal_text(refusal)


class MachinePinInline(admin.TabularInline[MachinePin, Any]):
    """The machine's PIN map, to read: it is replaced whole from the machine's user list on
    its page (/presensi/mesin/), and an editable row per PIN cost two queries each."""

    model = MachinePin
    extra = 0
    can_delete = False
    fields = ["pin", "employee", "since"]
    readonly_fields = ["pin", "employee", "since"]

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def get_queryset(self, request: Any) -> Any:
        return super().get_queryset(request).select_related("employee", "machine")


@admin.register(Machine)
class MachineAdmin(AuditedAdmin):
    list_display = ["name", "serial", "unit"]
    search_fields = ["name", "serial"]
    inlines = [MachinePinInline]


@admin.register(Device)
class DeviceAdmin(AuditedAdmin):
    list_display = ["employee", "device_id", "first_seen", "active", "reset_at"]
    list_filter = ["active"]
    search_fields = ["employee__nip", "device_id"]
