"""The admin leaves an audit row for every save and delete, and keeps unit paths right."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from hadir.accounts.models import User
from hadir.common.models import AuditEvent
from hadir.org.models import Unit
from hadir.recap.models import DayRefresh
from hadir.schedules.models import Holiday
from tests.conftest import Org
from tests.factories import UnitFactory, UserFactory


@pytest.fixture
def superuser(db: None) -> User:
    return UserFactory.create(is_superuser=True, is_staff=True)


def unit_form(unit: Unit, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "code": unit.code,
        "name": unit.name,
        "kind": unit.kind,
        "parent": unit.parent_id or "",
        "timezone": unit.timezone,
        "default_pattern": unit.default_pattern_id,
        "locations-TOTAL_FORMS": 0,
        "locations-INITIAL_FORMS": 0,
        "locations-MIN_NUM_FORMS": 0,
        "locations-MAX_NUM_FORMS": 1000,
    }
    data.update(changes)
    return data


def test_saving_a_unit_in_the_admin_writes_an_audit_row(
    client: Client, org: Org, superuser: User
) -> None:
    client.force_login(superuser)
    url = reverse("admin:org_unit_change", args=[org.kua_a.pk])
    response = client.post(url, unit_form(org.kua_a, name="KUA A Baru"))
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="admin.change")
    assert event.actor == superuser
    assert (event.object_type, event.object_id) == ("org.unit", str(org.kua_a.pk))
    assert event.before["name"] == "KUA A"  # type: ignore[index]
    assert event.after["name"] == "KUA A Baru"  # type: ignore[index]


def test_moving_a_unit_in_the_admin_refreshes_the_paths_below_it(
    client: Client, org: Org, superuser: User
) -> None:
    balai = UnitFactory.create(parent=org.kua_a)
    client.force_login(superuser)
    url = reverse("admin:org_unit_change", args=[org.kua_a.pk])
    assert client.post(url, unit_form(org.kua_a, parent=org.kab_b.pk)).status_code == 302
    org.kua_a.refresh_from_db()
    balai.refresh_from_db()
    assert org.kua_a.path == f"{org.kab_b.path}{org.kua_a.pk}/"
    assert balai.path == f"{org.kua_a.path}{balai.pk}/"


def test_adding_a_unit_in_the_admin_gives_it_a_path_and_an_audit_row(
    client: Client, org: Org, superuser: User
) -> None:
    client.force_login(superuser)
    blank = Unit(code="KUA-BARU", name="KUA Baru", kind=Unit.Kind.KUA, parent=org.kab_a)
    blank.default_pattern = org.kab_a.default_pattern
    response = client.post(reverse("admin:org_unit_add"), unit_form(blank))
    assert response.status_code == 302
    unit = Unit.objects.get(code="KUA-BARU")
    assert unit.path == f"{org.kab_a.path}{unit.pk}/"
    event = AuditEvent.objects.get(action="admin.add")
    assert event.object_id == str(unit.pk)
    assert event.before is None


def test_deleting_in_the_admin_writes_an_audit_row_with_the_old_state(
    client: Client, superuser: User
) -> None:
    holiday = Holiday.objects.create(date=date(2026, 10, 6), name="Hari Jadi")
    client.force_login(superuser)
    url = reverse("admin:schedules_holiday_delete", args=[holiday.pk])
    assert client.post(url, {"post": "yes"}).status_code == 302
    assert not Holiday.objects.filter(pk=holiday.pk).exists()
    event = AuditEvent.objects.get(action="admin.delete")
    assert event.before["name"] == "Hari Jadi"  # type: ignore[index]
    assert event.object_id == str(holiday.pk)


def test_bulk_deleting_in_the_admin_writes_a_row_per_object(
    client: Client, superuser: User
) -> None:
    holidays = [
        Holiday.objects.create(date=date(2026, 10, day), name=f"Libur {day}") for day in (6, 7)
    ]
    client.force_login(superuser)
    response = client.post(
        reverse("admin:schedules_holiday_changelist"),
        {"action": "delete_selected", "post": "yes", "_selected_action": [h.pk for h in holidays]},
    )
    assert response.status_code == 302
    assert not Holiday.objects.exists()
    assert sorted(
        AuditEvent.objects.filter(action="admin.delete").values_list("summary", flat=True)
    ) == [str(h) for h in holidays]


def test_the_audit_trail_is_read_only_in_the_admin(client: Client, superuser: User) -> None:
    client.force_login(superuser)
    event = AuditEvent.objects.create(action="test.action", summary="something")
    assert client.get(reverse("admin:common_auditevent_changelist")).status_code == 200
    assert client.get(reverse("admin:common_auditevent_add")).status_code == 403
    change = reverse("admin:common_auditevent_change", args=[event.pk])
    assert client.post(change, {"action": "tampered"}).status_code == 403
    delete = reverse("admin:common_auditevent_delete", args=[event.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    event.refresh_from_db()
    assert event.action == "test.action"


def test_a_failed_day_refresh_is_listed_with_its_error_and_cannot_be_edited_away(
    client: Client, superuser: User
) -> None:
    client.force_login(superuser)
    owed = DayRefresh.objects.create(
        scope={"all": True}, start=date(2024, 3, 20), end=date(2024, 3, 20), attempts=1,
        error="out of shared memory",
    )  # fmt: skip
    listing = client.get(reverse("admin:recap_dayrefresh_changelist"))
    assert "out of shared memory" in listing.content.decode()
    delete = reverse("admin:recap_dayrefresh_delete", args=[owed.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert DayRefresh.objects.filter(pk=owed.pk).exists()
