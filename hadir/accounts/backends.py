"""Django's model backend, with the account read that every logged-in request makes written by
hand (see :mod:`hadir.common.hot`). Logging in, passwords and permissions stay Django's."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend

from hadir.accounts.models import User
from hadir.accounts.sessions import take_account
from hadir.org.selectors import account_with_employee


class AccountBackend(ModelBackend):
    """Django's ModelBackend; only the account read of each request is hand-written."""

    def get_user(self, user_id: Any) -> User | None:
        """The active account ``user_id``, as :class:`ModelBackend` reads it, with its employee
        record (``user.employee``): the one the request's session was read with, else one
        query."""
        brought, user = take_account(user_id)
        if not brought:
            user = account_with_employee(user_id)
        if user is None or not self.user_can_authenticate(user):
            return None
        assert isinstance(user, User)
        return user
