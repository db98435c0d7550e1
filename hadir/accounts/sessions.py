"""Django's database sessions, with the one read every request makes written by hand.

Every API call loads its session; the ORM's query building cost more CPU than PostgreSQL's
answer (see :mod:`hadir.common.hot`). Storage, expiry and everything else stay Django's.
"""

from __future__ import annotations

from django.contrib.sessions.backends import db
from django.contrib.sessions.models import Session
from django.utils import timezone

from hadir.common import hot


class SessionStore(db.SessionStore):
    """Django's database session store (same name: the signing salt derives from it)."""

    def _get_session_from_db(self) -> Session | None:
        """The unexpired session of this key, as Django's own store reads it."""
        fields = ("session_key", "session_data", "expire_date")
        found = hot.instances(
            Session,
            fields,
            f"SELECT {hot.columns(Session, fields)} FROM {Session._meta.db_table}"  # noqa: S608
            " WHERE session_key = %s AND expire_date > %s",
            [self.session_key, hot.value(Session, "expire_date", timezone.now())],
        )
        if not found:
            self._session_key = None
            return None
        return found[0]
