"""Golongan (grade) of PNS and PPPK, DOMAIN.md §2, and its meal-allowance group (§5).

PNS golongan is a group I–IV and a ruang letter (I/a … IV/e); PPPK golongan is a roman numeral
I … XVII. The meal rate and its PPh 21 follow the PNS group, and PPPK grades are mapped to a
group by the policy (an editable project default), so :func:`meal_group` takes the policy.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Literal

from hadir.rules.explain import Invalid
from hadir.rules.policy import PNS_GROUPS, PPPK_GRADES, Policy

Kind = Literal["PNS", "PPPK"]

_RUANG: dict[str, str] = {"I": "abcd", "II": "abcd", "III": "abcd", "IV": "abcde"}
_PNS_RE = re.compile(r"(IV|I{1,3})\s*[/\-.]?\s*([A-E])")
_PPPK_RE = re.compile(r"(?:PPPK\s*)?([IVX]+)")


@dataclass(frozen=True, slots=True)
class Golongan:
    """A parsed grade: ``text`` is canonical ("III/a", "IX"); ``group`` is "I"–"IV" for PNS and
    the roman numeral itself for PPPK (see :func:`meal_group` for the PNS-equivalent group).
    """

    kind: Kind
    text: str
    group: str


@cache
def parse_golongan(text: str) -> Golongan:
    """Read a golongan as typed by people and spreadsheets.

    Case, spaces and the separator between group and ruang are tolerated ("iii / a", "III-a",
    "IIIa" all mean III/a); a PPPK grade may be prefixed with "PPPK". Anything else raises
    :class:`~hadir.rules.explain.Invalid` (a ``ValueError``) with a message an operator can act
    on. Memoised: recaps parse the same few dozen spellings thousands of times (errors are not
    remembered).
    """
    cleaned = " ".join(text.strip().upper().split())
    pns = _PNS_RE.fullmatch(cleaned)
    if pns is not None:
        group, ruang = pns[1], pns[2].lower()
        if ruang in _RUANG[group]:
            return Golongan("PNS", f"{group}/{ruang}", group)
    pppk = _PPPK_RE.fullmatch(cleaned)
    if pppk is not None and pppk[1] in PPPK_GRADES:
        return Golongan("PPPK", pppk[1], pppk[1])
    raise Invalid("GOLONGAN_UNKNOWN", golongan=text.strip())


def meal_group(golongan: Golongan, policy: Policy) -> str:
    """The PNS group ("I"–"IV") whose meal rate and PPh 21 apply to this grade."""
    if golongan.kind == "PPPK":
        return policy.pppk_group[golongan.group]
    return golongan.group


__all__ = ["PNS_GROUPS", "Golongan", "Kind", "meal_group", "parse_golongan"]
