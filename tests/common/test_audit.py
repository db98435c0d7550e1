"""The audit trail records who did what, also for commands run without a user."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser

from hadir.accounts.models import User
from hadir.common.audit import audit_record
from tests.conftest import Org


def test_an_action_by_a_user_names_them(org: Org, operator_kua_a: User) -> None:
    event = audit_record(actor=operator_kua_a, action="org.test", obj=org.kua_a, summary="x")
    assert event.actor == operator_kua_a
    assert event.actor_label == operator_kua_a.username
    assert (event.object_type, event.object_id) == ("org.unit", str(org.kua_a.pk))


def test_an_action_without_a_user_names_the_command(db: None) -> None:
    event = audit_record(actor=None, action="org.test", actor_label="command:import_units")
    assert event.actor is None
    assert event.actor_label == "command:import_units"
    assert (event.object_type, event.object_id) == ("", "")


def test_an_anonymous_actor_is_recorded_as_the_system(db: None) -> None:
    event = audit_record(actor=AnonymousUser(), action="org.test")
    assert event.actor is None
    assert event.actor_label == "system"


def test_long_summaries_are_cut_to_fit(db: None) -> None:
    event = audit_record(actor=None, action="org.test", summary="x" * 500)
    event.refresh_from_db()
    assert len(event.summary) == 300
