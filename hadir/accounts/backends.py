"""Django's model backend, with the account read that every logged-in request makes written by
hand (see :mod:`hadir.common.hot`). Logging in, passwords and permissions stay Django's."""

from __future__ import annotations

from functools import cache
from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.db import connection

from hadir.accounts.models import User
from hadir.common import hot


class AccountBackend(ModelBackend):
    """Django's ModelBackend; only the account read of each request is hand-written."""

    def get_user(self, user_id: Any) -> User | None:
        """The active account ``user_id``, as :class:`ModelBackend` reads it."""
        found = hot.instances(User, hot.every_field(User), _sql(), [user_id])
        if not found or not self.user_can_authenticate(found[0]):
            return None
        return found[0]


@cache
def _sql() -> str:
    table = connection.ops.quote_name(User._meta.db_table)
    return f"SELECT {hot.columns(User, hot.every_field(User))} FROM {table} WHERE id = %s"  # noqa: S608
