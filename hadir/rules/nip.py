"""NIP (PNS) and NI PPPK validation (DOMAIN.md §2).

Both are 18 digits that begin with the holder's birth date. A PNS NIP continues with the month of
first appointment (TMT CPNS, ``YYYYMM``), the gender digit and a 3-digit sequence; a PPPK number
continues with a 4-digit year, a 2-digit code starting with ``2`` (``21`` in the numbers BKN
issues), the gender digit and a 3-digit sequence. Operators
import thousands of these from spreadsheets, so every refusal names exactly what is wrong.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Literal

from hadir.rules.explain import Invalid

NIP_LENGTH = 18
_GENDERS = {"1": "L", "2": "P"}


class InvalidNip(Invalid):
    """A number that is not a valid NIP or NI PPPK; ``str()`` says why, in Indonesian."""


@dataclass(frozen=True, slots=True)
class NipInfo:
    """What an 18-digit number tells about its holder."""

    number: str
    kind: Literal["PNS", "PPPK"]
    birth_date: date
    gender: Literal["L", "P"]


_SEPARATORS = str.maketrans("", "", " .\t\u00a0\u2007\u202f")


def compact_nip(raw: str) -> str:
    """A NIP as people type it and spreadsheets keep it, reduced to what it says: the spaces
    (non-breaking ones too) and dots printed lists put between its groups, and the apostrophe
    typed in Excel to keep it text, dropped."""
    return raw.strip().removeprefix("'").translate(_SEPARATORS)


_AS_A_NUMBER = re.compile(r"[0-9]+(?:[.,][0-9]+)?[eE]\+?[0-9]+|[0-9]{15,}[.,]0+")
"""A NIP a spreadsheet kept as a number: in scientific notation (``1.99001E+17``) or with a
decimal tail (``199001012015031001.0``, as a float written back out prints it)."""


def written_as_number(raw: str) -> bool:
    """Whether ``raw`` is a NIP that went through a number on its way here. A float holds 15
    exact digits, not 18, so its digits cannot be trusted: the column must be retyped as text."""
    return _AS_A_NUMBER.fullmatch(raw.strip()) is not None


def parse_nip(raw: str) -> NipInfo:
    """Validate ``raw`` as a NIP or NI PPPK and return what it encodes (read through
    :func:`compact_nip`)."""
    if written_as_number(raw):
        raise InvalidNip("NIP_AS_A_NUMBER", nip=raw.strip())
    number = compact_nip(raw)
    if not number:
        raise InvalidNip("NIP_EMPTY")
    if not (number.isascii() and number.isdigit()):
        raise InvalidNip("NIP_NOT_DIGITS", nip=raw.strip())
    if len(number) != NIP_LENGTH:
        raise InvalidNip("NIP_LENGTH", length=NIP_LENGTH, count=len(number))
    birth = _birth_date(number[:8])
    gender = _GENDERS.get(number[14])
    if gender is None:
        raise InvalidNip("NIP_GENDER_DIGIT", digit=number[14])
    kind = _kind(number, birth)
    return NipInfo(number=number, kind=kind, birth_date=birth, gender=gender)  # type: ignore[arg-type]


def _birth_date(digits: str) -> date:
    year, month, day = int(digits[:4]), int(digits[4:6]), int(digits[6:8])
    if not 1 <= month <= 12:
        raise InvalidNip("NIP_BIRTH_MONTH", month=digits[4:6])
    try:
        return date(year, month, day)
    except ValueError:
        raise InvalidNip("NIP_BIRTH_DATE", digits=digits[:8]) from None


def _kind(number: str, birth: date) -> Literal["PNS", "PPPK"]:
    """PNS when digits 13–14 are an appointment month, PPPK when they are a ``2x`` code.

    Both need an appointment year after the birth year.
    """
    year = int(number[8:12])
    if year <= birth.year:
        raise InvalidNip("NIP_APPOINTMENT_YEAR", year=year, born=birth.year)
    month = int(number[12:14])
    if 1 <= month <= 12:
        return "PNS"
    if number[12] == "2":
        return "PPPK"
    raise InvalidNip("NIP_APPOINTMENT_MONTH", month=number[12:14])
