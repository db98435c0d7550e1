# ruff: noqa: F811  (fixtures imported from tests/recap are requested by name)
"""Rules as data, as an admin and operators edit them: the policy dated from a day, the
holiday calendar, special periods, the audit of their edits. Each test was written by a review
helper against a defect its docstring tells, and failed on the code before the fix.

The people and the month are those of the recap tests (``tests/recap/support.py``): March 2024
in Kankemenag Sleman, the clock on Tuesday 2 April 2024.
"""

from __future__ import annotations

from datetime import date, time
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from hadir.org.models import Role, Unit
from hadir.recap.services import days_refresh_many
from hadir.schedules.models import PolicyValue, SpecialPeriod, SpecialPeriodDay
from hadir.schedules.selectors import special_periods_for
from tests.clock import Clock
from tests.conftest import user_with_role
from tests.factories import UserFactory, pattern
from tests.recap.conftest import clock, sleman  # noqa: F401  (fixtures: the stopped clock, Sleman)
from tests.recap.support import (
    Sleman,
    attend,
    committed,
    import_excuses,
    local,
    logged_in,
    march,
    person,
    stored,
    with_account,
)


@pytest.fixture
def admin_site(db: None) -> Client:
    client = Client()
    client.force_login(UserFactory.create(is_superuser=True, is_staff=True))
    return client


def policy_form(key: str, effective_from: str, value: str) -> dict[str, str]:
    return {"key": key, "effective_from": effective_from, "value": value, "note": "uji"}


# ---------------------------------------------------------------- the policy, dated


def test_the_length_of_a_working_day_takes_effect_only_from_the_first_of_a_month(
    admin_site: Client,
) -> None:
    """``day.minutes`` (450) converts the year's TL + PSW minutes into days not at work; the
    recap applies it once per month, with the policy in force on the month's last day
    (``recap.selectors.recap_month`` → ``year_standing``), to the whole year's minutes. It is
    exactly what ``MONTHLY_KEY_PREFIXES`` exists for ("a month would be priced half at a figure
    that was not yet in force"), but it is not listed there: 400 from 15 March is saved, and
    March's discipline counts every minute of the month (and of the year) at 400."""
    response = admin_site.post(
        reverse("admin:schedules_policyvalue_add"),
        policy_form("day.minutes", "2024-03-15", "400"),
    )

    assert response.status_code == 200, "day.minutes from 15 March was saved"
    assert not PolicyValue.objects.filter(key="day.minutes", effective_from=march(15)).exists()


# ---------------------------------------------------------------- the calendar page


# ---------------------------------------------------------------- the ladder, dated


def test_a_recorded_tukin_cut_is_named_with_the_months_it_was_decided_for_after_the_ladder_changes(
    sleman: Sleman, admin_site: Client
) -> None:
    """A TUKIN −25 % cut decided on 2 April 2024 runs 6 months, April–September
    (``SanctionDecision.months`` = 6, the ladder in force then). A new regulation makes that
    rung last 3 months from 1 May. The employee's page of May lists the recorded decision as
    "… selama 3 bulan · Apr 2024 – Sep 2024": ``recap.views._sanctions`` labels every decision
    with the ladder of the *page's* month (``_sanction_months``), not with its own months, so a
    decision made before the change is described with the figure that came after it."""
    from hadir.recap.sanctions import sanction_decide

    ani = person(sleman.kua, "Ani Rahmawati")
    admin = UserFactory.create(is_superuser=True)
    decision = sanction_decide(
        actor=admin,
        employee=ani,
        sanction="TUKIN_25_6",
        first_month=date(2024, 4, 1),
        decree="B-123/Kk.12.04/KP.04/04/2024",
        decided_on=date(2024, 4, 2),
    )
    assert decision.months == 6
    with committed():
        PolicyValue.objects.create(
            key="discipline.months.TUKIN_25_6", effective_from=date(2024, 5, 1), value="3"
        )

    page = admin_site.get(reverse("recap:employee_month", args=[ani.pk]), {"bulan": "2024-05"})

    labels = {d.pk: label for d, label in page.context["decisions"]}
    assert "6" in labels[decision.pk], f"the decision of 6 months is named {labels[decision.pk]!r}"


# ---------------------------------------------------------------- special periods for some units


def _office_period(name: str, hours: tuple[str, str], units: list[Unit] | None) -> SpecialPeriod:
    """A special period from Monday 25 to Thursday 28 March giving KANTOR_5H ``hours`` on
    Monday–Friday, for ``units`` (None: all units)."""
    period = SpecialPeriod.objects.create(
        name=name, start=march(25), end=march(28), all_units=units is None
    )
    if units:
        period.units.set(units)
    for weekday in range(5):
        SpecialPeriodDay.objects.create(
            period=period,
            pattern=pattern(),
            weekday=weekday,
            start=time.fromisoformat(hours[0]),
            end=time.fromisoformat(hours[1]),
        )
    return period


def test_a_special_period_for_some_units_wins_over_one_for_all_units_starting_the_same_day(
    sleman: Sleman, clock: Clock
) -> None:
    """KUA Mlati is flooded: the Kanwil gives it 09:00–14:00 from Monday 25 March. The same
    day the ministry's Ramadan hours (08:00–15:00, all units) are entered, from the same
    Monday. ``rules.schedule._period_for`` breaks the tie of equal starts by the order of the
    list, which comes from ``SpecialPeriod.Meta.ordering = ["-start"]`` with no tiebreak: in
    practice the order the rows were entered. The Ramadan period, entered second, silently
    overrides the flooded unit's own hours, so Siti (08:30–14:30) is 30 minutes late and 30
    early every day; entered in the other order, she is on time. A period aimed at some units
    is the more specific one and must not depend on the order of entry."""
    siti = person(sleman.kua, "Siti Hasanah")
    attend(siti, [march(25), march(26)], "08:30", "14:30")
    with committed():
        _office_period("Banjir KUA Mlati", ("09:00", "14:00"), [sleman.kua])
        _office_period("Ramadan 1445 H", ("08:00", "15:00"), None)
    clock.set(local(date(2024, 4, 2), "11:00"))

    days_refresh_many(employees=[siti], start=march(25), end=march(26))

    days = stored(siti)
    assert [(days[d]["tl_minutes"], days[d]["psw_minutes"]) for d in (march(25), march(26))] == [
        (0, 0),
        (0, 0),
    ], "the flooded unit's own hours were overridden by the all-units period entered after it"


def test_a_special_period_given_units_while_all_units_stays_ticked_is_refused(
    sleman: Sleman, admin_site: Client
) -> None:
    """The admin's special-period form ticks *all units* by default. An admin enters hours for
    MAN 2 Sleman only, selects the unit and leaves the box ticked: the period is saved and
    applies to every unit of the country (``selectors.special_periods_for`` reads
    ``all_units`` first, the units are ignored). Nothing in ``SpecialPeriodAdmin`` or the model
    says the two contradict each other; the form must refuse it (or the units must win)."""
    data = {
        "name": "Ujian madrasah",
        "start": "2024-03-25",
        "end": "2024-03-28",
        "all_units": "on",
        "units": [sleman.man.pk],
        "days-TOTAL_FORMS": 1,
        "days-INITIAL_FORMS": 0,
        "days-MIN_NUM_FORMS": 0,
        "days-MAX_NUM_FORMS": 1000,
        "days-0-weekday": 0,
        "days-0-start": "08:00",
        "days-0-end": "12:00",
        "days-0-pattern": pattern("MADRASAH_5H").pk,
    }
    with committed():
        response = admin_site.post(reverse("admin:schedules_specialperiod_add"), data)

    reaches_kua = bool(special_periods_for(sleman.kua, march(25), march(28)))
    assert response.status_code == 200, (
        f"saved for all units although one unit was chosen (reaches KUA Mlati: {reaches_kua})"
    )


# ---------------------------------------------------------------- a unit moved under another parent


# ---------------------------------------------------------------- cuti tahunan, dated


# ---------------------------------------------------------------- the audit trail


def test_adding_back_a_holiday_the_unit_had_made_a_working_day_records_what_it_undoes(
    sleman: Sleman,
) -> None:
    """KUA Mlati made Tuesday 12 March (cuti bersama Nyepi) a working day; later its operator
    adds it back as a holiday. ``holiday_add`` deletes the unit's working-day row and audits
    only ``after`` (the name typed, ``created``): the trail has no ``before``, so nothing in
    it says the date had been a working day for the unit, nor that this edit turned it back
    (every stored day of the date changes status)."""
    from hadir.common.models import AuditEvent
    from hadir.schedules.services import holiday_add, holiday_drop

    operator = user_with_role(Role.OPERATOR, sleman.kua)
    with committed():
        holiday_drop(unit=sleman.kua, day=march(12), actor=operator)
    with committed():
        holiday_add(unit=sleman.kua, day=march(12), name="Cuti bersama Nyepi", actor=operator)

    added = AuditEvent.objects.get(action="schedules.holiday_add")
    assert added.before, f"no before: {added.before!r} / after {added.after!r}"


def test_a_raised_yearly_leave_leaves_the_carry_of_the_years_before_it_as_they_were(
    sleman: Sleman, clock: Clock, tmp_path: Path
) -> None:
    """Cuti tahunan is raised from 12 to 14 days a year from 1 January 2025. Rina lived 2024
    with 12 and took 10 of them: 2 carry, so 2025 brings 14 + 2 = 16, not 18 (2024 recounted
    as a year of 14 days with today's policy, as the page used to)."""
    rina = person(sleman.kua, "Rina Marlina", start=date(2024, 1, 2))
    # 19 February – 1 March 2024: ten working days of KANTOR_5H, no holiday among them.
    import_excuses(tmp_path, f"{rina.nip},CT,2024-02-19,2024-03-01,")
    with committed():
        PolicyValue.objects.create(key="leave.days", effective_from=date(2025, 1, 1), value="14")
    clock.set(local(date(2025, 1, 6), "09:00"))

    page = logged_in(with_account(rina)).get(
        reverse("requests:index"), {"kategori": "KETIDAKHADIRAN"}
    )

    assert page.context["leave"].entitlement == 16, (
        f"2025 brings {page.context['leave'].entitlement} days: 2024 was recounted at 14"
    )


def test_the_policy_table_describes_its_keys_in_the_language_of_the_page(
    admin_site: Client,
) -> None:
    changelist = reverse("admin:schedules_policyvalue_changelist")
    admin_site.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert (
        "Cap on a month&#x27;s TUKIN deduction (%)" in admin_site.get(changelist).content.decode()
    )
    admin_site.cookies[settings.LANGUAGE_COOKIE_NAME] = "id"
    assert "Batas potongan TUKIN sebulan (%)" in admin_site.get(changelist).content.decode()


def test_a_leave_figure_takes_effect_from_the_first_of_january_only(admin_site: Client) -> None:
    response = admin_site.post(
        reverse("admin:schedules_policyvalue_add"), policy_form("leave.days", "2025-03-15", "14")
    )
    assert response.status_code == 200
    assert "01-01-2026" in response.content.decode()
    assert not PolicyValue.objects.filter(
        key="leave.days", effective_from=date(2025, 3, 15)
    ).exists()


def test_a_month_closed_by_the_former_parent_stays_closed_for_a_unit_moved_under_another(
    sleman: Sleman, clock: Clock
) -> None:
    """Kankemenag Sleman closes March 2024 (the figures of KUA Mlati's staff are signed in its
    snapshot). In April the admin moves KUA Mlati under Kankemenag Bantul (a reorganisation).
    March stays signed for KUA Mlati: its operator's local holiday on 20 March is refused, as
    under its former parent."""
    from hadir.org.services import unit_paths_refresh
    from hadir.recap.periods import PeriodClosed, period_close
    from hadir.schedules.services import holiday_add
    from tests.factories import UnitFactory

    siti = person(sleman.kua, "Siti Hasanah")
    attend(siti, [march(20)], "07:25", "16:05")
    clock.set(local(date(2024, 4, 8), "09:00"))
    period_close(
        actor=user_with_role(Role.OPERATOR, sleman.kankemenag),
        unit=sleman.kankemenag,
        month=march(1),
    )
    assert siti.nip in {row["nip"] for row in sleman.kankemenag.closed_periods.get().snapshot}
    bantul = UnitFactory.create(code="KAB-BANTUL", kind=Unit.Kind.KANKEMENAG)
    sleman.kua.parent = bantul
    with committed():
        sleman.kua.save()
        unit_paths_refresh(sleman.kua)
    kua = Unit.objects.get(pk=sleman.kua.pk)

    with pytest.raises(PeriodClosed), committed():
        holiday_add(
            unit=kua,
            day=march(20),
            name="Libur lokal",
            actor=user_with_role(Role.OPERATOR, kua),
        )
