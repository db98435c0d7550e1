"""Sessions are Django's, stored with the account they log in as and read with it in one query:
a live one loads, others do not; the account behind one must still be active, and the data,
not the account column, decides who is logged in."""

from __future__ import annotations

from datetime import timedelta
from importlib import import_module

import pytest
from django.apps import apps as django_apps
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore as DjangoSessionStore
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from hadir.accounts.models import AccountSession, User
from hadir.accounts.sessions import SessionStore, take_account
from hadir.org.models import Employee
from tests.factories import EmployeeFactory, UserFactory


@pytest.fixture
def stored(db: None) -> SessionStore:
    session = SessionStore()
    session["_auth_user_id"] = "7"
    session.create()
    return session


@pytest.fixture
def employee(db: None) -> Employee:
    return EmployeeFactory.create(user=UserFactory.create())


@pytest.fixture
def account(employee: Employee) -> User:
    assert isinstance(employee.user, User)
    return employee.user


@pytest.fixture
def logged_in(client: Client, account: User) -> Client:
    client.force_login(account)
    return client


def test_a_live_session_loads_its_data(stored: SessionStore) -> None:
    again = SessionStore(session_key=stored.session_key)

    assert again["_auth_user_id"] == "7"
    assert again.session_key == stored.session_key


def test_an_expired_session_loads_nothing_and_forgets_its_key(stored: SessionStore) -> None:
    AccountSession.objects.filter(pk=stored.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )
    again = SessionStore(session_key=stored.session_key)

    assert again.get("_auth_user_id") is None
    assert again.session_key is None


def test_an_unknown_key_loads_nothing(db: None) -> None:
    assert SessionStore(session_key="x" * 32).load() == {}


def test_a_session_keeps_the_id_of_the_account_it_logs_in_as(
    logged_in: Client, account: User
) -> None:
    key = logged_in.cookies[settings.SESSION_COOKIE_NAME].value

    assert AccountSession.objects.get(pk=key).account_id == account.pk


def test_a_session_without_a_login_names_no_account(stored: SessionStore) -> None:
    anonymous = SessionStore()
    anonymous["language"] = "en"
    anonymous.create()

    assert AccountSession.objects.get(pk=anonymous.session_key).account_id is None


def test_an_api_call_reads_its_session_and_account_in_one_query(
    logged_in: Client, employee: Employee
) -> None:
    with CaptureQueriesContext(connection) as captured:
        response = logged_in.get("/api/me")

    assert response.status_code == 200
    assert response.json()["employee"]["nip"] == employee.nip
    assert len(captured) == 1, [query["sql"][:80] for query in captured.captured_queries]


def test_the_session_s_data_decides_the_account_not_its_column(
    logged_in: Client, employee: Employee
) -> None:
    """A column edited behind the application's back logs nobody in as someone else: the
    account it names is not the one in the signed data, so the data's account is read."""
    other = EmployeeFactory.create(user=UserFactory.create())
    key = logged_in.cookies[settings.SESSION_COOKIE_NAME].value
    AccountSession.objects.filter(pk=key).update(account_id=other.user_id)

    assert logged_in.get("/api/me").json()["employee"]["nip"] == employee.nip


def test_the_account_read_with_a_session_is_taken_once(stored: SessionStore, account: User) -> None:
    session = SessionStore()
    session[SESSION_KEY] = str(account.pk)
    session.create()
    SessionStore(session_key=session.session_key).load()

    assert take_account(account.pk) == (True, account)
    assert take_account(account.pk) == (False, None)


def test_a_session_of_a_deleted_account_logs_nobody_in(logged_in: Client, account: User) -> None:
    key = logged_in.cookies[settings.SESSION_COOKIE_NAME].value
    Employee.objects.filter(user=account).update(user=None)
    account.delete()

    assert logged_in.get("/api/me").status_code == 401
    assert not AccountSession.objects.filter(pk=key).exists()  # the cascade took it


def test_sessions_from_before_the_account_column_still_log_in_after_the_migrations(
    client: Client, account: User
) -> None:
    """Sessions in Django's own table, logged in through ModelBackend: the rename of the
    backend (0003) and the move to ``accounts_session`` (0004) keep them working, so no phone
    has to log in again after the deploy."""
    renamed = import_module("hadir.accounts.migrations.0003_sessions_name_account_backend")
    moved = import_module("hadir.accounts.migrations.0004_account_sessions")
    old = DjangoSessionStore()
    old.update(
        {
            SESSION_KEY: str(account.pk),
            BACKEND_SESSION_KEY: "django.contrib.auth.backends.ModelBackend",
            HASH_SESSION_KEY: account.get_session_auth_hash(),
        }
    )
    old.create()
    assert old.session_key is not None
    client.cookies[settings.SESSION_COOKIE_NAME] = old.session_key
    assert client.get("/api/me").status_code == 401  # not in the table the store reads

    renamed.forwards(django_apps, None)
    moved.forwards(django_apps, None)

    client.cookies[settings.SESSION_COOKIE_NAME] = old.session_key  # the 401 cleared it
    assert client.get("/api/me").status_code == 200
    assert AccountSession.objects.get(pk=old.session_key).account_id == account.pk
    assert not Session.objects.exists()


def test_an_inactive_account_s_session_no_longer_logs_in(logged_in: Client, account: User) -> None:
    assert logged_in.get("/api/me").status_code == 200

    User.objects.filter(pk=account.pk).update(is_active=False)

    assert logged_in.get("/api/me").status_code == 401


@pytest.mark.django_db(transaction=True)
def test_an_asynchronously_saved_session_keeps_its_account_too(account: User) -> None:
    from asgiref.sync import async_to_sync

    session = SessionStore()
    session[SESSION_KEY] = str(account.pk)
    async_to_sync(session.asave)()

    assert AccountSession.objects.get(pk=session.session_key).account_id == account.pk
