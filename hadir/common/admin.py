"""Admin for the audit trail (read-only), the audited base every other admin uses, and the
read-only one."""

from __future__ import annotations

from functools import cached_property
from typing import Any

from django.contrib import admin
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import QuerySet
from django.forms.models import model_to_dict
from django.http import HttpRequest

from hadir.common.audit import audit_record
from hadir.common.models import AuditEvent


def _snapshot(obj: Any) -> dict[str, Any]:
    """The record's fields as text, never an account's password hash (the trail is read by
    more people than the accounts table)."""
    return {k: str(v) for k, v in model_to_dict(obj).items() if k != "password"}


class EstimatedCountPaginator(Paginator[Any]):
    """Counts an unfiltered list of a big append-only table (punches: 10 M and growing) from
    PostgreSQL's statistics instead of reading every row; a filtered one is counted exactly."""

    @cached_property
    def count(self) -> int:
        queryset: Any = self.object_list
        if connection.vendor != "postgresql" or not isinstance(queryset, QuerySet):
            return super().count
        if queryset.query.where:
            return super().count
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass",
                [queryset.model._meta.db_table],
            )
            (estimate,) = cursor.fetchone()
        return int(estimate) if estimate and estimate > 0 else super().count  # -1: never analysed


class BigTableAdmin(admin.ModelAdmin[Any]):
    """A list of a table that only grows: newest first by id (the primary key's index, not a
    sort of the whole table), no date hierarchy (its MIN/MAX and distinct years read every
    row), counted from statistics."""

    paginator = EstimatedCountPaginator
    show_full_result_count = False
    ordering = ["-id"]


class ReadOnlyAdmin(admin.ModelAdmin[Any]):
    """Looked at, never edited in the admin: evidence, the audit trail, records changed only
    through their services."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class AuditedAdmin(admin.ModelAdmin[Any]):
    """Master-data edits in the admin leave an audit row like every other human action."""

    @staticmethod
    def _audit(request: HttpRequest, action: str, obj: Any, **states: Any) -> None:
        audit_record(
            actor=request.user, action=f"admin.{action}", obj=obj, summary=str(obj), **states
        )

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        form.audit_before = (
            _snapshot(type(obj).objects.get(pk=obj.pk)) if change and obj.pk else None
        )
        super().save_model(request, obj, form, change)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        """The record's row is written once its many-to-many fields (an account's groups and
        permissions) are saved too, so that ``after`` holds them."""
        super().save_related(request, form, formsets, change)
        obj = form.instance
        self._audit(
            request,
            "change" if change else "add",
            obj,
            before=getattr(form, "audit_before", None),
            after=_snapshot(obj),
        )

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        """Rows edited inline (a unit's locations, a machine's PINs) are audited one by one,
        in the admin's transaction (deletions first: a deleted row loses its key)."""
        before = {
            obj.pk: _snapshot(type(obj).objects.get(pk=obj.pk))
            for obj in (f.instance for f in formset.initial_forms if f.has_changed())
            if obj.pk
        }
        for obj in (f.instance for f in formset.deleted_forms if f.instance.pk):
            self._audit(request, "delete", obj, before=before.get(obj.pk, _snapshot(obj)))
        super().save_formset(request, form, formset, change)
        for obj in formset.new_objects:
            self._audit(request, "add", obj, after=_snapshot(obj))
        for obj, _fields in formset.changed_objects:
            self._audit(request, "change", obj, before=before.get(obj.pk), after=_snapshot(obj))

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        self._audit(request, "delete", obj, before=_snapshot(obj))
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for obj in queryset:
            self._audit(request, "delete", obj, before=_snapshot(obj))
        super().delete_queryset(request, queryset)


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "actor_label", "action", "object_type", "object_id", "summary"]
    list_filter = ["action", "object_type"]
    search_fields = ["actor_label", "summary", "object_id"]
    date_hierarchy = "at"
