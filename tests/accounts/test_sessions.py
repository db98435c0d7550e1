"""Sessions are Django's, read by a hand-written query: a live one loads, others do not; the
account behind one must still be active."""

from __future__ import annotations

from datetime import timedelta
from importlib import import_module

import pytest
from django.apps import apps as django_apps
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from hadir.accounts.sessions import SessionStore
from tests.factories import EmployeeFactory, UserFactory


@pytest.fixture
def stored(db: None) -> SessionStore:
    session = SessionStore()
    session["_auth_user_id"] = "7"
    session.create()
    return session


def test_a_live_session_loads_its_data(stored: SessionStore) -> None:
    again = SessionStore(session_key=stored.session_key)

    assert again["_auth_user_id"] == "7"
    assert again.session_key == stored.session_key


def test_an_expired_session_loads_nothing_and_forgets_its_key(stored: SessionStore) -> None:
    Session.objects.filter(pk=stored.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )
    again = SessionStore(session_key=stored.session_key)

    assert again.get("_auth_user_id") is None
    assert again.session_key is None


def test_an_unknown_key_loads_nothing(db: None) -> None:
    assert SessionStore(session_key="x" * 32).load() == {}


def test_a_session_from_before_account_backend_still_logs_in_after_the_migration(
    client: Client, db: None
) -> None:
    """Sessions name the backend that logged them in; the migration renames ModelBackend's."""
    migration = import_module("hadir.accounts.migrations.0003_sessions_name_account_backend")
    employee = EmployeeFactory.create(user=UserFactory.create())
    assert employee.user is not None
    old = SessionStore()
    old.update(
        {
            SESSION_KEY: str(employee.user.pk),
            BACKEND_SESSION_KEY: "django.contrib.auth.backends.ModelBackend",
            HASH_SESSION_KEY: employee.user.get_session_auth_hash(),
        }
    )
    old.create()
    assert old.session_key is not None
    client.cookies[settings.SESSION_COOKIE_NAME] = old.session_key
    assert client.get("/api/me").status_code == 401  # the old backend is no longer configured

    migration.forwards(django_apps, None)

    assert client.get("/api/me").status_code == 200


def test_an_inactive_account_s_session_no_longer_logs_in(client: Client, db: None) -> None:
    employee = EmployeeFactory.create(user=UserFactory.create())
    assert employee.user is not None
    client.force_login(employee.user)
    assert client.get("/api/me").status_code == 200

    type(employee.user).objects.filter(pk=employee.user.pk).update(is_active=False)

    assert client.get("/api/me").status_code == 401
