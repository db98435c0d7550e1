"""The holiday calendar: filled once from the ``holidays`` package, then owned by operators."""

from __future__ import annotations

from datetime import date

from hadir.common.models import AuditEvent
from hadir.schedules.models import Holiday, HolidayYear
from hadir.schedules.selectors import holiday_dates
from hadir.schedules.services import holiday_add, holiday_drop, holiday_year_ensure
from tests.conftest import Org
from tests.factories import UserFactory

INDEPENDENCE_DAY = date(2026, 8, 17)
YEAR_2026 = (date(2026, 1, 1), date(2026, 12, 31))


def test_independence_day_is_a_holiday_filled_from_the_package(org: Org) -> None:
    dates = holiday_dates(org.kua_a, *YEAR_2026)
    assert INDEPENDENCE_DAY in dates
    assert date(2026, 12, 25) in dates
    assert date(2026, 8, 18) not in dates
    assert HolidayYear.objects.filter(year=2026).exists()
    row = Holiday.objects.get(date=INDEPENDENCE_DAY, unit__isnull=True)
    assert row.source == Holiday.Source.PACKAGE


def test_cuti_bersama_counts_as_a_holiday(org: Org) -> None:
    assert date(2026, 12, 24) in holiday_dates(org.kua_a, *YEAR_2026)


def test_a_year_is_filled_only_once(org: Org) -> None:
    holiday_year_ensure(2026)
    count = Holiday.objects.count()
    holiday_year_ensure(2026)
    holiday_dates(org.kua_a, *YEAR_2026)
    assert Holiday.objects.count() == count
    assert HolidayYear.objects.count() == 1


def test_only_the_years_asked_for_are_filled(org: Org) -> None:
    holiday_dates(org.kua_a, date(2025, 12, 1), date(2026, 1, 31))
    assert set(HolidayYear.objects.values_list("year", flat=True)) == {2025, 2026}


def test_a_dropped_national_holiday_is_not_a_holiday_and_stays_dropped(org: Org) -> None:
    holiday_year_ensure(2026)
    Holiday.objects.filter(date=INDEPENDENCE_DAY, unit__isnull=True).update(active=False)
    for unit in (org.kua_a, org.kua_b, org.kanwil):
        assert INDEPENDENCE_DAY not in holiday_dates(unit, *YEAR_2026)
    holiday_year_ensure(2026)
    assert INDEPENDENCE_DAY not in holiday_dates(org.kua_a, *YEAR_2026)
    assert Holiday.objects.filter(date=INDEPENDENCE_DAY).count() == 1


def test_an_operator_makes_a_national_holiday_a_working_day_for_their_units_only(
    org: Org,
) -> None:
    operator = UserFactory.create()
    holiday_drop(unit=org.kab_a, day=INDEPENDENCE_DAY, actor=operator)
    assert INDEPENDENCE_DAY not in holiday_dates(org.kua_a, *YEAR_2026)
    assert INDEPENDENCE_DAY in holiday_dates(org.kua_b, *YEAR_2026)
    assert Holiday.objects.get(date=INDEPENDENCE_DAY, unit__isnull=True).active
    audit = AuditEvent.objects.get(action="schedules.holiday_drop")
    assert audit.actor == operator


def test_an_operator_adds_a_local_holiday_and_can_take_it_back(org: Org) -> None:
    operator = UserFactory.create()
    day = date(2026, 10, 6)
    holiday_add(unit=org.kua_a, day=day, name="Hari Jadi", actor=operator)
    assert day in holiday_dates(org.kua_a, *YEAR_2026)
    assert day not in holiday_dates(org.man_a, *YEAR_2026)
    holiday_drop(unit=org.kua_a, day=day, actor=operator)
    assert day not in holiday_dates(org.kua_a, *YEAR_2026)
    holiday_add(unit=org.kua_a, day=day, name="Hari Jadi", actor=operator)
    assert day in holiday_dates(org.kua_a, *YEAR_2026)
    assert Holiday.objects.filter(date=day, unit=org.kua_a).count() == 1
    assert AuditEvent.objects.filter(action="schedules.holiday_add").count() == 2


def test_a_holiday_named_like_the_working_day_mark_replaces_it(org: Org) -> None:
    """A dropped day keeps an inactive row named "(hari kerja)"; a holiday of that very name
    added on it replaces the row (it collided with it: a server error)."""
    operator = UserFactory.create()
    day = date(2026, 8, 17)
    holiday_drop(unit=org.kua_a, day=day, actor=operator)

    holiday_add(unit=org.kua_a, day=day, name="(hari kerja)", actor=operator)

    assert day in holiday_dates(org.kua_a, *YEAR_2026)
    assert list(Holiday.objects.filter(date=day, unit=org.kua_a).values_list("active")) == [(True,)]


def test_a_local_holiday_of_a_parent_applies_to_its_children_and_nowhere_else(org: Org) -> None:
    local = date(2026, 10, 6)
    Holiday.objects.create(date=local, name="Hari Jadi Kabupaten A", unit=org.kab_a)
    assert local in holiday_dates(org.kab_a, *YEAR_2026)
    assert local in holiday_dates(org.kua_a, *YEAR_2026)
    assert local in holiday_dates(org.man_a, *YEAR_2026)
    assert local not in holiday_dates(org.kua_b, *YEAR_2026)
    assert local not in holiday_dates(org.kanwil, *YEAR_2026)


def test_a_unit_level_inactive_row_overrides_a_national_holiday_for_that_subtree_only(
    org: Org,
) -> None:
    holiday_year_ensure(2026)
    Holiday.objects.create(
        date=INDEPENDENCE_DAY, name="Masuk kerja (upacara)", unit=org.kab_a, active=False
    )
    assert INDEPENDENCE_DAY not in holiday_dates(org.kab_a, *YEAR_2026)
    assert INDEPENDENCE_DAY not in holiday_dates(org.kua_a, *YEAR_2026)
    assert INDEPENDENCE_DAY in holiday_dates(org.kua_b, *YEAR_2026)
    assert INDEPENDENCE_DAY in holiday_dates(org.kanwil, *YEAR_2026)


def test_a_nearer_unit_row_beats_a_farther_one(org: Org) -> None:
    day = date(2026, 10, 7)
    Holiday.objects.create(date=day, name="Libur kabupaten", unit=org.kab_a)
    Holiday.objects.create(date=day, name="KUA tetap buka", unit=org.kua_a, active=False)
    assert day in holiday_dates(org.man_a, *YEAR_2026)
    assert day not in holiday_dates(org.kua_a, *YEAR_2026)


def test_holiday_dates_are_limited_to_the_range_asked(org: Org) -> None:
    dates = holiday_dates(org.kua_a, date(2026, 8, 1), date(2026, 8, 31))
    assert dates == frozenset({INDEPENDENCE_DAY, date(2026, 8, 25)})
