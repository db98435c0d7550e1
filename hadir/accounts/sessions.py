"""Django's database sessions, read together with the account they log in as.

Every API call loads its session and then its account: two exchanges with the database, each
dearer in CPU than PostgreSQL's answer (see :mod:`hadir.common.hot`). The session row keeps the
account's id in a column (:class:`hadir.accounts.models.AccountSession`), so one hand-written
query reads the session, the account, its employee record, unit and work patterns; the
authentication backend then takes that account instead of reading it again
(:func:`take_account`). Storage, expiry, signing and the session-hash check stay Django's.
"""

from __future__ import annotations

from contextvars import ContextVar
from functools import cache
from typing import Any

from django.contrib.auth import SESSION_KEY, get_user_model
from django.contrib.sessions.backends import db
from django.core.exceptions import ValidationError
from django.core.signals import request_started
from django.db import connection
from django.utils import timezone

from hadir.accounts.models import AccountSession
from hadir.common import hot
from hadir.org.selectors import account_columns, account_joins, account_of, account_parts

_FIELDS = ("session_key", "session_data", "expire_date", "account")

_loaded: ContextVar[tuple[Any, Any] | None] = ContextVar("hadir_session_account", default=None)
"""(account id, account) read with this thread's last session load, until taken."""


class SessionStore(db.SessionStore):
    """Django's database session store (same name: the signing salt derives from it)."""

    @classmethod
    def get_model_class(cls) -> type[AccountSession]:
        return AccountSession

    def create_model_instance(self, data: dict[str, Any]) -> AccountSession:
        """The row to save, with the logged-in account's id beside the data."""
        return _with_account(super().create_model_instance(data), data)

    async def acreate_model_instance(self, data: dict[str, Any]) -> AccountSession:
        """As :meth:`create_model_instance`, for Django's asynchronous save."""
        return _with_account(await super().acreate_model_instance(data), data)

    def _get_session_from_db(self) -> AccountSession | None:
        """The unexpired session of this key, as Django's own store reads it, and its account
        (kept for :func:`take_account`)."""
        _loaded.set(None)
        rows = hot.joined(
            ((AccountSession, _FIELDS), *account_parts()),
            _session_sql(),
            [self.session_key, hot.value(AccountSession, "expire_date", timezone.now())],
            prepared="hadir_session_account",
        )
        if not rows:
            self._session_key = None
            return None
        session, *account = rows[0]
        assert isinstance(session, AccountSession)
        if session.account_id is not None:
            _loaded.set((session.account_id, account_of(account)))
        return session


def take_account(user_id: Any) -> tuple[bool, Any]:
    """Whether this request's session brought account ``user_id`` along, and the account (None
    if it no longer exists). Taken once: a later call reads the database again."""
    loaded = _loaded.get()
    if loaded is None or str(loaded[0]) != str(user_id):
        return False, None
    _loaded.set(None)
    return True, loaded[1]


def _forget_account(**kwargs: Any) -> None:
    """Nothing carries over from one request to the next on the same thread."""
    _loaded.set(None)


request_started.connect(_forget_account, dispatch_uid="hadir.accounts.sessions.forget")


def _with_account(session: Any, data: dict[str, Any]) -> AccountSession:
    assert isinstance(session, AccountSession)
    session.account_id = _account_id(data.get(SESSION_KEY))
    return session


def _account_id(value: Any) -> Any:
    """The account id a session's data names, or None (not logged in, or not an id)."""
    if value is None:
        return None
    try:
        return get_user_model()._meta.pk.to_python(value)
    except ValidationError:
        return None


@cache
def _session_sql() -> str:
    quote = connection.ops.quote_name
    return (
        f"SELECT {hot.columns(AccountSession, _FIELDS, 's')}, {account_columns()}"  # noqa: S608
        f" FROM {quote(AccountSession._meta.db_table)} s"
        f" LEFT JOIN {quote(get_user_model()._meta.db_table)} a ON a.id = s.account_id"
        f"{account_joins()}"
        " WHERE s.session_key = %s AND s.expire_date > %s"
    )
