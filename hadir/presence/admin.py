from typing import Any

from django.contrib import admin

from hadir.common.admin import AuditedAdmin, ReadOnlyAdmin
from hadir.presence.models import Device, Machine, MachinePin, Punch, Refusal


@admin.register(Punch)
class PunchAdmin(ReadOnlyAdmin):
    list_display = ["employee", "at", "source", "counts", "flags", "location"]
    list_filter = ["source", "counts"]
    search_fields = ["employee__nip", "employee__name"]
    date_hierarchy = "at"
    list_select_related = ["employee", "location"]


@admin.register(Refusal)
class RefusalAdmin(ReadOnlyAdmin):
    list_display = ["employee", "at", "reason", "message"]
    list_filter = ["reason"]
    search_fields = ["employee__nip", "employee__name"]
    date_hierarchy = "at"
    list_select_related = ["employee"]


class MachinePinInline(admin.TabularInline[MachinePin, Any]):
    model = MachinePin
    extra = 0
    autocomplete_fields = ["employee"]


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
