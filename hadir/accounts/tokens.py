"""The password-reset token: Django's, also void once the account has been deactivated."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.tokens import PasswordResetTokenGenerator


class ResetTokenGenerator(PasswordResetTokenGenerator):
    """Django's token covers the password, the last login and the e-mail address, none of which
    a deactivation changes: a link mailed before an admin closed an account (a compromised
    mailbox) would set the password again once it is reopened. The time of the last
    deactivation is covered too. Without one the token is Django's own, so links mailed before
    this deploy keep working."""

    def _make_hash_value(self, user: Any, timestamp: int) -> str:
        value = super()._make_hash_value(user, timestamp)
        closed = user.deactivated_at
        # Without microseconds or time zone, as Django treats the last login: some databases
        # store neither.
        return value if closed is None else f"{value}{closed.replace(microsecond=0, tzinfo=None)}"


reset_tokens = ResetTokenGenerator()
