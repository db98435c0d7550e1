# ruff: noqa: F811  (fixtures imported from tests/recap are requested by name)
"""Patterns and the calendar page as operators use them: what the page tells an operator who
makes a plain Saturday a working day, and a pattern an admin saved in small letters.

The people and the month are those of the recap tests (``tests/recap/support.py``): March 2024
in Kankemenag Sleman, the clock on Tuesday 2 April 2024.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from hadir.org.models import Role, Unit
from hadir.org.services import units_import
from hadir.schedules import cache
from hadir.schedules.models import WorkPattern
from tests.conftest import user_with_role
from tests.recap.conftest import clock, sleman  # noqa: F401  (fixtures: the stopped clock, Sleman)
from tests.recap.support import (
    Sleman,
)


def units_sheet(tmp_path: Path, *lines: str) -> Path:
    path = tmp_path / "units.csv"
    path.write_text(
        "\n".join(["code,name,kind,parent,timezone,pattern", *lines]) + "\n", encoding="utf-8"
    )
    return path


# ---------------------------------------------------------------- the calendar page


@pytest.mark.parametrize(
    "saturday",
    [
        date(2024, 4, 6),  # a plain Saturday
        date(2024, 8, 17),  # Hari Kemerdekaan: a holiday on the pattern's day off
    ],
)
def test_making_a_saturday_a_working_day_is_not_reported_as_done_when_it_stays_off(
    sleman: Sleman, client: Client, saturday: date
) -> None:
    # An operator of KUA Mlati needs Saturday 6 April 2024 worked (a make-up day) and presses
    # "Make it a working day" on the unit's calendar page. The page answers "06-04-2024 kini
    # menjadi hari kerja untuk unit ini." and redirects, but the drop only overrides holidays:
    # Saturday stays a day off of KANTOR_5H (LIBUR for everyone, punches count for nothing).
    # The operator expects either the day to be worked or the form to say it cannot be
    # (DOMAIN §3: "plus days the operator adds or removes" — the page must not lie).
    # The same for a national holiday on a Saturday: dropping it leaves the pattern's day off.
    client.force_login(user_with_role(Role.OPERATOR, sleman.kua))
    response = client.post(
        reverse("schedules:unit_holidays", args=[sleman.kua.pk]),
        {"date": saturday.isoformat(), "action": "drop"},
        follow=True,
    )
    said = [str(m) for m in response.context["messages"]]
    claimed = any("hari kerja" in text for text in said)
    cache.clear()
    worked = cache.schedule(sleman.kua, "KANTOR_5H", saturday).working
    assert not claimed or worked, f"the page said {said!r}, yet {saturday} stays a day off"


# ---------------------------------------------------------------- a unit's pattern changes


def test_a_pattern_the_admin_added_can_be_given_to_a_unit_by_spreadsheet(
    sleman: Sleman, tmp_path: Path
) -> None:
    # The admin adds a pattern for a madrasah with Saturday school; WorkPattern.code is a
    # SlugField, so "madrasah_6h_sabtu" is a valid code. The units import looks the column up
    # with .upper() against the codes as stored, and refuses the line with "unknown work
    # pattern 'madrasah_6h_sabtu'; choices: ..., madrasah_6h_sabtu" — naming as a choice the
    # very value it refused. The operator expects the pattern to be found.
    WorkPattern.objects.create(code="madrasah_6h_sabtu", name="Madrasah 6 hari (Sabtu)")
    sheet = units_sheet(
        tmp_path,
        "KAB-SLEMAN,Kantor Kementerian Agama Kabupaten Sleman,KANKEMENAG,,WIB,KANTOR_5H",
        "MTS-AL-IKHLAS,MTs Al-Ikhlas,MADRASAH_SWASTA,KAB-SLEMAN,WIB,madrasah_6h_sabtu",
    )
    units_import(path=sheet, actor_label="operator")
    assert Unit.objects.get(pk=sleman.mts.pk).default_pattern.code == "madrasah_6h_sabtu"
