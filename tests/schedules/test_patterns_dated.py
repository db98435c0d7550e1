# ruff: noqa: F811  (fixtures imported from tests/recap are requested by name)
"""Patterns changed from a date: a unit's (a madrasah starting a six-day week) and a pattern's
hours (a new circular). The days lived before keep what they were lived under, as a move's do.

The people and the month are those of the recap tests (``tests/recap/support.py``): March 2024
in Kankemenag Sleman, the clock on Tuesday 2 April 2024.
"""

from __future__ import annotations

from datetime import date, time
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from hadir.common.models import AuditEvent
from hadir.common.tables import TableRefused
from hadir.org.models import Employee, Role, Unit
from hadir.org.services import units_import
from hadir.recap.periods import period_close
from hadir.recap.services import days_refresh_many
from hadir.rules.patterns import RAMADAN_HOURS
from hadir.schedules import cache
from hadir.schedules.models import PatternDay, SpecialPeriod, SpecialPeriodDay
from hadir.schedules.services import pattern_hours_keep
from tests.clock import Clock
from tests.conftest import user_with_role
from tests.factories import UserFactory, pattern
from tests.recap.conftest import clock, sleman  # noqa: F401  (fixtures: the stopped clock, Sleman)
from tests.recap.support import (
    FIVE_DAY_WORKDAYS,
    Sleman,
    attend,
    committed,
    daily_json,
    local,
    march,
    person,
    stored,
)
from tests.recap.test_moves import move

SATURDAYS = [march(d) for d in (2, 9, 16, 23, 30)]


@pytest.fixture
def guru(sleman: Sleman) -> Employee:
    """A teacher of MAN 2 Sleman (MADRASAH_5H, 07:00–15:30, Fri 07:00–16:00), 06:55–16:05 on
    every working day of March."""
    guru = person(sleman.man, "Guru Madrasah")
    attend(guru, FIVE_DAY_WORKDAYS, "06:55", "16:05")
    return guru


@pytest.fixture
def siti(sleman: Sleman) -> Employee:
    """KUA Mlati (KANTOR_5H, 07:30–16:00, Fri –16:30): 07:25–16:05 on every working day of
    March, and 16:35 on Fridays."""
    siti = person(sleman.kua, "Siti Hasanah")
    fridays = {d for d in FIVE_DAY_WORKDAYS if d.weekday() == 4}
    attend(
        siti,
        FIVE_DAY_WORKDAYS,
        "07:25",
        "16:05",
        instead={d: ["07:25", "16:35"] for d in fridays},
    )
    return siti


@pytest.fixture
def stored_march(guru: Employee, siti: Employee, clock: Clock) -> None:
    """March stored for both, as the nightly runs left it; the clock on 2 April, 11:00."""
    days_refresh_many(employees=[guru, siti], start=march(1), end=march(31))
    clock.set(local(date(2024, 4, 2), "11:00"))


def units_sheet(tmp_path: Path, *lines: str, since: str | None = None) -> Path:
    """The units sheet; with ``since``, a pattern_since column (empty but on the last line)."""
    path = tmp_path / f"units-{len(list(tmp_path.iterdir()))}.csv"
    header = "code,name,kind,parent,timezone,pattern" + (
        ",pattern_since" if since is not None else ""
    )
    rows = [line + ("," if since is not None else "") for line in lines[:-1]]
    rows.append(lines[-1] + (f",{since}" if since is not None else ""))
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


KAB = "KAB-SLEMAN,Kantor Kementerian Agama Kabupaten Sleman,KANKEMENAG,,WIB,KANTOR_5H"
MAN_SIX_DAYS = "MAN-2-SLEMAN,MAN 2 Sleman,MADRASAH_NEGERI,KAB-SLEMAN,WIB,MADRASAH_6H_MINGGU"


# ---------------------------------------------------------------- the calendar page


@pytest.mark.usefixtures("stored_march")
def test_a_madrasah_moving_to_six_days_by_spreadsheet_keeps_the_saturdays_it_already_lived(
    sleman: Sleman, guru: Employee, tmp_path: Path
) -> None:
    # MAN 2 Sleman starts a six-day week (MADRASAH_6H_MINGGU) in April; on 2 April the operator
    # re-uploads the units sheet with the new pattern. The March Saturdays were days off when
    # they were lived (LIBUR); they must not turn into TK (3 % TUKIN each, and five TK days put
    # the teacher on the discipline ladder: DOMAIN §5). Stop 22 fixed exactly this for a moved
    # employee ("her earlier Saturdays became TK"); a unit's pattern is re-applied to every
    # stored day since date.min (recap/signals.py _unit_changed) and the sheet has no date.
    assert {stored(guru)[d]["status"] for d in SATURDAYS} == {"LIBUR"}
    sheet = units_sheet(
        tmp_path,
        "KAB-SLEMAN,Kantor Kementerian Agama Kabupaten Sleman,KANKEMENAG,,WIB,KANTOR_5H",
        "MAN-2-SLEMAN,MAN 2 Sleman,MADRASAH_NEGERI,KAB-SLEMAN,WIB,MADRASAH_6H_MINGGU",
    )
    with committed():
        units_import(path=sheet, actor_label="operator")
    assert Unit.objects.get(pk=sleman.man.pk).default_pattern.code == "MADRASAH_6H_MINGGU"

    after = stored(guru)
    assert {d: after[d]["status"] for d in SATURDAYS} == dict.fromkeys(SATURDAYS, "LIBUR")


# ---------------------------------------------------------------- a pattern the admin adds


@pytest.mark.usefixtures("stored_march")
def test_a_pattern_dated_from_18_march_makes_the_saturdays_after_it_working_days_only(
    guru: Employee, tmp_path: Path
) -> None:
    with committed():
        report = units_import(
            path=units_sheet(tmp_path, KAB, MAN_SIX_DAYS, since="2024-03-18"),
            actor_label="operator",
        )

    after = stored(guru)
    assert [after[d]["status"] for d in SATURDAYS] == ["LIBUR", "LIBUR", "LIBUR", "TK", "TK"]
    assert report.repatterned == [("MAN-2-SLEMAN", "2024-03-18")]


@pytest.mark.parametrize(
    ("lines", "since"),
    [
        pytest.param((KAB, MAN_SIX_DAYS), "2024-04-03", id="still-to-come"),
        pytest.param((KAB, MAN_SIX_DAYS.replace("MADRASAH_6H_MINGGU", "MADRASAH_5H")), "2024-03-18", id="unchanged"),
        pytest.param((KAB, "MAN-BARU,MAN Baru,MADRASAH_NEGERI,KAB-SLEMAN,WIB,MADRASAH_5H"), "2024-03-18", id="new-unit"),
    ],
)  # fmt: skip
@pytest.mark.usefixtures("stored_march")
def test_a_pattern_date_to_come_unchanged_or_for_a_new_unit_is_refused_on_its_line(
    sleman: Sleman, tmp_path: Path, lines: tuple[str, ...], since: str
) -> None:
    with pytest.raises(TableRefused) as refused:
        units_import(path=units_sheet(tmp_path, *lines, since=since), actor_label="operator")

    assert [(p.line, p.column) for p in refused.value.problems] == [(3, "pattern_since")]
    assert Unit.objects.get(pk=sleman.man.pk).default_pattern.code == "MADRASAH_5H"


@pytest.mark.usefixtures("stored_march")
def test_a_pattern_dated_into_a_month_the_unit_closed_is_refused(
    sleman: Sleman, tmp_path: Path, clock: Clock
) -> None:
    operator = user_with_role(Role.OPERATOR, sleman.man)
    clock.set(local(date(2024, 4, 8), "09:00"))
    period_close(actor=operator, unit=sleman.man, month=march(1))

    with pytest.raises(TableRefused) as refused:
        units_import(
            path=units_sheet(tmp_path, KAB, MAN_SIX_DAYS, since="2024-03-18"), actor=operator
        )

    assert "03-2024" in refused.value.problems[0].reason


def test_someone_who_left_the_madrasah_before_its_new_pattern_keeps_their_saturdays_there(
    sleman: Sleman, tmp_path: Path, clock: Clock
) -> None:
    """Rina taught at MAN 2 Sleman until 10 March, then moved to KUA Mlati. MAN starts its
    six-day week on 18 March: her Saturdays 2 and 9 March at the MAN stay days off."""
    rina = person(sleman.man, "Rina Wulandari")
    attend(rina, FIVE_DAY_WORKDAYS, "06:55", "16:05")
    move(tmp_path, rina, "KUA-MLATI", "2024-03-11")
    days_refresh_many(employees=[rina], start=march(1), end=march(31))
    clock.set(local(date(2024, 4, 2), "11:00"))

    with committed():
        units_import(
            path=units_sheet(tmp_path, KAB, MAN_SIX_DAYS, since="2024-03-18"),
            actor_label="operator",
        )

    after = stored(rina)
    assert [after[d]["status"] for d in SATURDAYS[:2]] == ["LIBUR", "LIBUR"]


@pytest.mark.usefixtures("stored_march")
def test_the_admin_dates_a_units_new_pattern_and_audits_it(sleman: Sleman, guru: Employee) -> None:
    man = sleman.man
    admin = Client()
    admin.force_login(UserFactory.create(is_superuser=True, is_staff=True))
    form = {
        "code": man.code, "name": man.name, "kind": man.kind, "parent": man.parent_id,
        "timezone": man.timezone, "default_pattern": pattern("MADRASAH_6H_MINGGU").pk,
        "pattern_from": "2024-03-18",
        "locations-TOTAL_FORMS": "0", "locations-INITIAL_FORMS": "0",
    }  # fmt: skip

    with committed():
        response = admin.post(f"/admin/org/unit/{man.pk}/change/", form)

    assert response.status_code == 302, response.content.decode()[:3000]
    after = stored(guru)
    assert [after[d]["status"] for d in SATURDAYS] == ["LIBUR", "LIBUR", "LIBUR", "TK", "TK"]
    event = AuditEvent.objects.get(action="org.unit_pattern_change")
    assert event.after == {"pattern": "MADRASAH_6H_MINGGU", "since": "2024-03-18"}


# ---------------------------------------------------------------- a pattern's hours change


def new_office_hours(since: str) -> Any:
    """The admin moves KANTOR_5H's Monday–Thursday end from 16:00 to 16:30 (a new circular),
    from ``since`` (empty: a correction)."""
    office = pattern("KANTOR_5H")
    days = list(office.days.order_by("weekday"))
    form: dict[str, Any] = {
        "code": office.code, "name": office.name, "flexible_break": "",
        "hours_since": since,
        "days-TOTAL_FORMS": str(len(days)), "days-INITIAL_FORMS": str(len(days)),
    }  # fmt: skip
    for n, day in enumerate(days):
        end = "16:30" if day.weekday < 4 else f"{day.end:%H:%M}"
        form |= {
            f"days-{n}-id": day.pk, f"days-{n}-pattern": office.pk,
            f"days-{n}-weekday": day.weekday, f"days-{n}-start": f"{day.start:%H:%M}",
            f"days-{n}-end": end,
            f"days-{n}-break_start": f"{day.break_start:%H:%M}" if day.break_start else "",
            f"days-{n}-break_end": f"{day.break_end:%H:%M}" if day.break_end else "",
        }  # fmt: skip
    admin = Client()
    admin.force_login(UserFactory.create(is_superuser=True, is_staff=True))
    with committed():
        response = admin.post(f"/admin/schedules/workpattern/{office.pk}/change/", form)
    assert response.status_code == 302, response.content.decode()[:3000]
    return response


def early_leave(siti: Employee) -> dict[date, tuple[int, int]]:
    return {d: (row["psw_minutes"], row["psw_class"]) for d, row in stored(siti).items()}


@pytest.mark.usefixtures("stored_march")
def test_new_office_hours_from_april_leave_the_days_lived_in_march_as_they_were(
    siti: Employee,
) -> None:
    """Siti left at 16:05 every day of March, when the office closed at 16:00."""
    before = early_leave(siti)

    new_office_hours("2024-04-01")

    assert early_leave(siti) == before
    cache.clear()
    assert cache.schedule(siti.unit, "KANTOR_5H", date(2024, 4, 1)).end_min == 16 * 60 + 30
    assert AuditEvent.objects.filter(action="schedules.pattern_hours_keep").count() == 1


@pytest.mark.usefixtures("stored_march")
def test_new_office_hours_without_a_date_correct_every_day(siti: Employee) -> None:
    new_office_hours("")

    assert early_leave(siti)[march(4)] == (25, 1)


@pytest.mark.usefixtures("stored_march")
def test_a_second_change_of_hours_keeps_each_spans_own_hours(siti: Employee) -> None:
    new_office_hours("2024-03-18")
    new_office_hours("2024-04-01")  # the same hours again: 16:30 from 18 March on

    after = early_leave(siti)
    assert after[march(14)] == (0, 0)  # Thursday, 16:00 then
    assert after[march(18)] == (25, 1)  # Monday, 16:30 from then


def test_ramadan_keeps_its_hours_after_the_pattern_hours_change_twice(sleman: Sleman) -> None:
    """Siti works 08:00–15:00 on Wednesday 20 March 2024, inside Ramadan 1445 H (11 March to
    9 April). The office's Mon–Thu end moves to 16:30 from 18 March and back to 16:00 from
    1 April: the hours kept for 18–31 March are the office's usual week, not a circular of
    their own, and Ramadan's hours still apply on the 20th (found by a review helper)."""
    office = pattern("KANTOR_5H")
    admin = UserFactory.create(is_superuser=True, is_staff=True)
    with committed():
        ramadan = SpecialPeriod.objects.create(
            name="Ramadan 1445 H", start=march(11), end=date(2024, 4, 9), all_units=True
        )
        for weekday, hours in enumerate(RAMADAN_HOURS["KANTOR_5H"]):
            if hours is not None:
                SpecialPeriodDay.objects.create(
                    period=ramadan, pattern=office, weekday=weekday, start=hours.start,
                    end=hours.end,
                )  # fmt: skip
    siti = person(sleman.kua, "Siti Hasanah")
    attend(siti, [march(20)], "08:00", "15:00")

    def new_hours_since(since: date, end: time) -> None:
        # What WorkPatternAdmin.save_formset does for a dated change of the hours.
        with committed():
            pattern_hours_keep(pattern=office, since=since, actor=admin)
            for day in PatternDay.objects.filter(pattern=office, weekday__lt=4):
                day.end = end
                day.save()

    new_hours_since(march(18), time(16, 30))
    new_hours_since(date(2024, 4, 1), time(16, 0))

    day = daily_json(unit="KUA-MLATI")["Siti Hasanah"][march(20)]
    assert (day["status"], day["late_minutes"], day["early_minutes"]) == ("H", 0, 0)
