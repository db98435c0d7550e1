"""The seed's legacy password convention, kept only to recognise and retire it.

``ASN`` + the last 3 digits of the NIP + the birth date as ``ddmmyy`` (``ASN007121187``).
Anyone who knows a NIP can derive it, so an account on such a password can do nothing until it
sets a new one, and no one may choose it as a new password.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from hadir.rules.nip import InvalidNip, parse_nip


def legacy_password(nip: str) -> str | None:
    """The derivable password for ``nip``, or None when ``nip`` is not a valid NIP."""
    try:
        info = parse_nip(nip)
    except InvalidNip:
        return None
    return f"ASN{info.number[-3:]}{info.birth_date:%d%m%y}"


def is_legacy_password(user: Any, password: str) -> bool:
    """Whether ``password`` is the one derivable from the user's NIP (their username)."""
    derived = legacy_password(user.get_username())
    return derived is not None and password.strip().upper() == derived


class NotLegacyPasswordValidator:
    """Refuse the derivable password as a new password."""

    def validate(self, password: str, user: Any = None) -> None:
        if user is not None and is_legacy_password(user, password):
            raise ValidationError(
                _("This password can be derived from your NIP. Choose another one."),
                code="legacy_password",
            )

    def get_help_text(self) -> str:
        return _("Your password cannot be the old ASN + NIP + birth date pattern.")
