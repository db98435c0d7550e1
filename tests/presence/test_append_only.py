"""On PostgreSQL, punches, refusals and audit events are append-only in the database itself:
a queryset's update or delete, the admin's bulk actions and raw SQL are all refused."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction

from hadir.common.audit import audit_record
from hadir.common.models import AuditEvent
from hadir.org.models import Employee
from hadir.presence.models import Punch, Refusal
from hadir.presence.services import punch_check_in
from tests.presence.support import MONDAY, at_point, local

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="the triggers are PostgreSQL's (production)"
    ),
]


def refused(statement: str, *params: int) -> bool:
    """Whether PostgreSQL refuses ``statement`` (run in a savepoint, so the test goes on)."""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement, params)
    except IntegrityError as error:
        return "is append-only" in str(error)
    return False


def test_a_punch_cannot_be_updated_or_deleted_even_past_the_model(employee: Employee) -> None:
    punch = punch_check_in(employee=employee, check_in=at_point(), now=local(MONDAY, "07:20")).punch
    assert punch is not None

    with pytest.raises(IntegrityError), transaction.atomic():
        Punch.objects.filter(pk=punch.pk).update(counts=False)
    with pytest.raises(IntegrityError), transaction.atomic():
        Punch.objects.filter(pk=punch.pk).delete()
    assert refused("DELETE FROM presence_punch WHERE id = %s", punch.pk)

    assert Punch.objects.filter(pk=punch.pk, counts=True).exists()


def test_a_refusal_cannot_be_updated_or_deleted_even_past_the_model(employee: Employee) -> None:
    outcome = punch_check_in(
        employee=employee, check_in=at_point(accuracy_m=500), now=local(MONDAY, "07:20")
    )
    assert outcome.refusal is not None

    assert refused("UPDATE presence_refusal SET reason = 'X' WHERE id = %s", outcome.refusal.pk)
    assert refused("DELETE FROM presence_refusal WHERE id = %s", outcome.refusal.pk)
    assert Refusal.objects.get().reason == Refusal.Reason.POOR_ACCURACY


def test_an_audit_event_cannot_be_updated_or_deleted(employee: Employee) -> None:
    audit_record(actor=None, action="test.append_only", obj=employee, summary="kept")

    assert refused("UPDATE common_auditevent SET summary = 'changed'")
    with pytest.raises(IntegrityError), transaction.atomic():
        AuditEvent.objects.all().delete()

    assert AuditEvent.objects.get().summary == "kept"


def test_new_rows_are_still_written(employee: Employee) -> None:
    before = AuditEvent.objects.count()

    punch_check_in(employee=employee, check_in=at_point(), now=local(MONDAY, "07:20"))
    audit_record(actor=None, action="test.append_only", obj=employee, summary="new")

    assert Punch.objects.count() == 1
    assert AuditEvent.objects.count() == before + 1
