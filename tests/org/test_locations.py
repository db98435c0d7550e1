"""Check-in locations on the operators' map page and in the admin, and extra locations granted
to one employee: what cannot be a geofence is refused wherever it is typed, a broken row stops
nobody's check-in, every edit is audited, and nobody approves their own extra location."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from hadir.accounts.models import User
from hadir.common.models import AuditEvent
from hadir.org.models import Employee, Location, LocationGrant, Role, Unit
from hadir.org.selectors import locations_nearby
from hadir.org.services import GrantMoveRefused, location_grant_decide, location_grant_request
from hadir.presence.selectors import allowed_areas
from hadir.presence.services import punch_check_in
from hadir.schedules.models import PolicyValue
from tests.conftest import Org, user_with_role
from tests.factories import EmployeeFactory, UserFactory
from tests.presence.support import MONDAY, add_location, at_point, freeze_clock, local

GOOD = {
    "name": "Kantor KUA",
    "latitude": "-7.716700",
    "longitude": "110.355500",
    "radius_m": "100",
    "accuracy_tolerance_m": "50",
    "polygon": "",
    "active": "on",
}
GRANTS = "/org/lokasi-tambahan/persetujuan/"


def locations_page(unit: Unit) -> str:
    return f"/org/unit/{unit.pk}/lokasi/"


def logged_in(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


def location(unit: Unit, name: str = "Kantor") -> Location:
    return add_location(unit, name)


def with_account(employee: Employee) -> Employee:
    employee.user = UserFactory.create()
    employee.save()
    return employee


# --- what the map page accepts ------------------------------------------------------------


def test_an_operator_saves_a_point_location_and_the_save_is_audited(
    client: Client, org: Org, operator_kua_a: User
) -> None:
    response = logged_in(client, operator_kua_a).post(locations_page(org.kua_a), GOOD)

    assert response.status_code == 302
    saved = Location.objects.get(unit=org.kua_a)
    assert (saved.name, saved.radius_m) == ("Kantor KUA", 100)
    assert AuditEvent.objects.filter(action="org.location_save", object_id=str(saved.pk)).exists()


def test_a_polygon_pasted_as_json_is_saved_as_its_points(
    client: Client, org: Org, operator_kua_a: User
) -> None:
    yard = [[-7.7166, 110.3554], [-7.7166, 110.3556], [-7.7168, 110.3556], [-7.7168, 110.3554]]

    logged_in(client, operator_kua_a).post(
        locations_page(org.kua_a), {**GOOD, "polygon": str(yard)}
    )

    assert Location.objects.get(unit=org.kua_a).polygon == yard


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        ("latitude", "110.3555", "Lintang harus antara -90 dan 90."),
        ("radius_m", "0", "Titik membutuhkan radius minimal 1 m."),
        ("accuracy_tolerance_m", "0", "Toleransi GPS minimal 1 m diperlukan."),
        ("polygon", "[[-7.7, 110.3], [-7.8, 110.4]]", "Poligon butuh minimal tiga titik"),
        ("polygon", "[[true, true], [false, true], [true, false]]", "Setiap titik poligon"),
        ("polygon", "[[-7.7, 110.3], [-7.7, 110.3], [-7.7, 110.3]]", "tidak melingkupi"),
        ("polygon", "[[-7.7, 110.3], [-7.8, 110.4], [-7.9, 110.5]]", "tidak melingkupi"),
        ("polygon", "[[-7.8, 110.4], [-7.7, 110.3], [-7.9, 110.5]]", "tidak melingkupi"),
        (
            "polygon",
            "[[-7.70, 110.30], [-7.71, 110.31], [-7.70, 110.31], [-7.71, 110.30]]",
            "Sisi poligon saling bersilangan",
        ),
        ("polygon", "[" * 50_000, "Poligon paling banyak 20000 karakter"),
        ("polygon", "[" * 5_000, "Bukan poligon"),
        ("polygon", "bukan json", "Bukan poligon"),
        ("polygon", "5", "Bukan poligon"),
        ("polygon", f"[[{'9' * 400}, 1], [2, 3], [4, 5]]", "Setiap titik poligon"),
        ("polygon", "[[1e999, 110.3], [-7.8, 110.4], [-7.9, 110.3]]", "Setiap titik poligon"),
        ("radius_m", "1001", "Radius paling besar 1000 m"),
        ("radius_m", "30000000", "Radius paling besar 1000 m"),
        ("accuracy_tolerance_m", "501", "Toleransi GPS paling besar 500 m"),
        (
            "polygon",
            "[[-6.0, 106.0], [-6.0, 107.0], [-7.0, 107.0], [-7.0, 106.0]]",
            "Poligon ini selebar 156",
        ),
    ],
    ids=[
        "swapped-lat-lng",
        "zero-radius",
        "zero-tolerance",
        "two-points",
        "booleans",
        "one-point-thrice",
        "points-on-a-line",
        "points-on-a-line-middle-first",
        "a-bowtie",
        "too-long",
        "nested-too-deep",
        "not-json",
        "a-number",
        "a-huge-integer",
        "an-infinity",
        "a-radius-wider-than-policy",
        "a-radius-around-the-earth",
        "a-tolerance-poorer-than-policy",
        "a-polygon-around-a-province",
    ],
)
def test_what_cannot_be_a_geofence_is_refused_on_the_page_naming_why(
    client: Client, org: Org, operator_kua_a: User, field: str, value: str, error: str
) -> None:
    response = logged_in(client, operator_kua_a).post(
        locations_page(org.kua_a), {**GOOD, field: value}
    )

    assert response.status_code == 200
    assert error in " ".join(response.context["form"].errors[field])
    assert not Location.objects.exists()


def test_how_wide_a_location_may_be_is_policy_an_admin_can_change(
    client: Client, org: Org, operator_kua_a: User
) -> None:
    wide = {**GOOD, "radius_m": "1500", "accuracy_tolerance_m": "800"}
    PolicyValue.objects.create(
        key="presence.location_span_max_m", effective_from=date(2025, 1, 1), value="3000"
    )
    PolicyValue.objects.create(
        key="presence.accuracy_tolerance_max_m", effective_from=date(2025, 1, 1), value="800"
    )

    response = logged_in(client, operator_kua_a).post(locations_page(org.kua_a), wide)

    assert response.status_code == 302, response.context["form"].errors
    assert Location.objects.get(unit=org.kua_a).radius_m == 1500


def test_the_bounds_in_force_are_read_on_the_units_own_clock(
    client: Client, org: Org, operator_kua_a: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    """23:30 in Jakarta on the last of February is already 1 March in Jayapura."""
    org.kua_a.timezone = "Asia/Jayapura"
    org.kua_a.save()
    PolicyValue.objects.create(
        key="presence.location_span_max_m", effective_from=date(2025, 3, 1), value="3000"
    )
    freeze_clock(monkeypatch, local(date(2025, 2, 28), "23:30"))

    response = logged_in(client, operator_kua_a).post(
        locations_page(org.kua_a), {**GOOD, "radius_m": "1500"}
    )

    assert response.status_code == 302


@pytest.mark.parametrize("typed", ["²", "abc", "-1"])
def test_a_hand_typed_location_to_edit_is_not_found_not_an_error(
    client: Client, org: Org, operator_kua_a: User, typed: str
) -> None:
    location(org.kua_a)

    response = logged_in(client, operator_kua_a).get(f"{locations_page(org.kua_a)}?edit={typed}")

    assert response.status_code == 404


def test_another_units_location_cannot_be_opened_for_editing(
    client: Client, org: Org, operator_kua_a: User
) -> None:
    theirs = location(org.kua_b)

    response = logged_in(client, operator_kua_a).get(
        f"{locations_page(org.kua_a)}?edit={theirs.pk}"
    )

    assert response.status_code == 404


# --- the admin ----------------------------------------------------------------------------


def admin_unit_data(client: Client, unit: Unit) -> tuple[dict[str, Any], Any]:
    """The unit's admin change form as the page would post it unchanged, and its locations'
    formset."""
    page = client.get(f"/admin/org/unit/{unit.pk}/change/")
    form = page.context["adminform"].form
    data: dict[str, Any] = {
        name: getattr(value, "pk", value)
        for name, value in form.initial.items()
        if value is not None and name in form.fields
    }
    formset = page.context["inline_admin_formsets"][0].formset
    for inline in (formset.management_form, *formset.forms):
        for name in inline.fields:
            value = inline.initial.get(name)
            if value is not None:
                data[inline.add_prefix(name)] = inline[name].value()
    return data, formset


def admin_unit_form(client: Client, unit: Unit, **changes: str) -> dict[str, Any]:
    """The unit's admin change form as the page would post it, with its first location's
    fields changed."""
    data, formset = admin_unit_data(client, unit)
    first = formset.forms[0]
    data[first.add_prefix("id")] = first.instance.pk
    data[first.add_prefix("unit")] = unit.pk
    data[first.add_prefix("active")] = "on"
    for name, value in changes.items():
        data[first.add_prefix(name)] = value
    return data


@pytest.fixture
def superuser(client: Client, db: None) -> Client:
    return logged_in(client, UserFactory.create(is_staff=True, is_superuser=True))


@pytest.mark.parametrize("parent", ["itself", "below"])
def test_the_unit_admin_refuses_a_parent_that_would_make_the_tree_loop(
    superuser: Client, org: Org, parent: str
) -> None:
    chosen = org.kab_a if parent == "itself" else org.kua_a
    data, _locations = admin_unit_data(superuser, org.kab_a)

    response = superuser.post(
        f"/admin/org/unit/{org.kab_a.pk}/change/", {**data, "parent": chosen.pk}
    )

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert errors["parent"] == ["Induk tidak boleh unit ini sendiri atau unit di bawahnya."]
    org.kab_a.refresh_from_db()
    assert org.kab_a.parent == org.kanwil


def test_a_location_edited_in_the_unit_admin_is_audited_with_before_and_after(
    superuser: Client, org: Org
) -> None:
    kantor = location(org.kua_a)

    response = superuser.post(
        f"/admin/org/unit/{org.kua_a.pk}/change/",
        admin_unit_form(superuser, org.kua_a, radius_m="150"),
    )

    assert response.status_code == 302
    event = AuditEvent.objects.get(object_type="org.location", object_id=str(kantor.pk))
    assert event.action == "admin.change"
    assert (event.before or {})["radius_m"] == "100"
    assert (event.after or {})["radius_m"] == "150"


def test_the_unit_admin_refuses_a_location_that_cannot_be_a_geofence(
    superuser: Client, org: Org
) -> None:
    kantor = location(org.kua_a)

    response = superuser.post(
        f"/admin/org/unit/{org.kua_a.pk}/change/",
        admin_unit_form(superuser, org.kua_a, latitude="110.355500", longitude="-7.716700"),
    )

    assert response.status_code == 200
    inline = response.context["inline_admin_formsets"][0].formset.forms[0]
    assert inline.errors["latitude"] == ["Lintang harus antara -90 dan 90."]
    kantor.refresh_from_db()
    assert kantor.latitude == Decimal("-7.716700")
    assert not AuditEvent.objects.filter(object_type="org.location").exists()


def test_one_broken_location_elsewhere_stops_nobodys_check_in(org: Org) -> None:
    """A row written past validation (a bulk update) is left out of every unit's areas."""
    location(org.kua_a)
    broken = location(org.kua_b, "Halaman")
    Location.objects.filter(pk=broken.pk).update(polygon=[[-7.7, 110.3], [-7.8, 110.4]])
    employee = org.employees(org.kua_a)[0]

    outcome = punch_check_in(employee=employee, check_in=at_point(), now=local(MONDAY, "07:20"))

    assert outcome.accepted


# --- extra locations ----------------------------------------------------------------------


def test_asking_again_for_an_approved_location_keeps_the_approval(org: Org) -> None:
    employee = with_account(org.employees(org.kua_a)[0])
    madrasah = location(org.man_a, "MAN A")
    grant = location_grant_request(
        actor=employee.user, employee=employee, location=madrasah, reason="mengajar"
    )
    location_grant_decide(
        actor=user_with_role(Role.OPERATOR, org.man_a), grant=grant, decision="approve"
    )

    again = location_grant_request(
        actor=employee.user, employee=employee, location=madrasah, reason="lagi"
    )

    assert again.status == LocationGrant.Status.APPROVED
    assert madrasah.pk in {area.key for area in allowed_areas(employee, fresh=True)}
    assert madrasah not in locations_nearby(employee=employee)


def test_asking_again_after_a_rejection_is_audited_with_the_decision_it_undoes(org: Org) -> None:
    from hadir.common.models import AuditEvent

    employee = with_account(org.employees(org.kua_a)[0])
    madrasah = location(org.man_a, "MAN A")
    grant = location_grant_request(
        actor=employee.user, employee=employee, location=madrasah, reason="mengajar"
    )
    operator = user_with_role(Role.OPERATOR, org.man_a)
    location_grant_decide(actor=operator, grant=grant, decision="reject")

    location_grant_request(
        actor=employee.user, employee=employee, location=madrasah, reason="mohon ditinjau"
    )

    first, again = AuditEvent.objects.filter(action="org.location_grant_request").order_by("id")
    assert first.before is None
    assert again.before is not None
    assert again.after is not None
    assert (again.before["status"], again.before["decided_by"]) == ("REJECTED", operator.pk)
    assert (again.after["status"], again.after["reason"]) == ("REQUESTED", "mohon ditinjau")


def test_an_operator_never_sees_or_decides_their_own_extra_location(
    client: Client, org: Org
) -> None:
    operator = user_with_role(Role.OPERATOR, org.kab_a)  # over KUA A and MAN A
    me = org.employees(org.kab_a)[0]
    me.user = operator
    me.save()
    grant = location_grant_request(
        actor=operator, employee=me, location=location(org.man_a), reason="mengajar"
    )

    page = logged_in(client, operator).get(GRANTS)
    response = client.post(GRANTS, {"grant": grant.pk, "decision": "approve"})

    assert grant not in page.context["grants"]
    assert response.status_code == 404
    grant.refresh_from_db()
    assert grant.status == LocationGrant.Status.REQUESTED


def test_requests_awaiting_a_decision_come_before_decided_ones(
    client: Client, org: Org, operator_kua_a: User
) -> None:
    kantor = location(org.kua_a)
    people = EmployeeFactory.create_batch(3, unit=org.kua_b)
    waiting = LocationGrant.objects.create(employee=people[0], location=kantor)
    for person in people[1:]:
        LocationGrant.objects.create(
            employee=person, location=kantor, status=LocationGrant.Status.APPROVED
        )

    grants = list(logged_in(client, operator_kua_a).get(GRANTS).context["grants"])

    assert grants[0] == waiting
    assert len(grants) == 3


@pytest.mark.parametrize("typed", ["abc", "", "²"])
def test_a_hand_typed_grant_to_decide_is_not_found_not_an_error(
    client: Client, org: Org, operator_kua_a: User, typed: str
) -> None:
    response = logged_in(client, operator_kua_a).post(
        GRANTS, {"grant": typed, "decision": "approve"}
    )

    assert response.status_code == 404


def test_an_employee_moved_to_another_unit_by_import_loses_their_extra_locations(
    org: Org, tmp_path: Any
) -> None:
    """The grant was for the old post's work; the new post asks again."""
    teacher = org.employees(org.kua_a)[0]
    madrasah = location(org.man_a, "MAN A")
    grant = LocationGrant.objects.create(
        employee=teacher, location=madrasah, status=LocationGrant.Status.APPROVED
    )
    moved = tmp_path / "pegawai.csv"
    moved.write_text(
        "nip,name,unit,pattern,golongan,start\n"
        f"{teacher.nip},{teacher.name},KUA-B,,{teacher.golongan},{teacher.start}\n"
    )

    out = StringIO()
    call_command("import_employees", str(moved), stdout=out)

    assert "lokasi tambahan berakhir karena pindah unit: 1" in out.getvalue()
    grant.refresh_from_db()
    assert grant.status == LocationGrant.Status.ENDED
    teacher.refresh_from_db()
    assert madrasah.pk not in {area.key for area in allowed_areas(teacher, fresh=True)}
    assert AuditEvent.objects.filter(action="org.location_grant_end").count() == 1


def test_an_employee_reimported_in_the_same_unit_keeps_their_extra_locations(
    org: Org, tmp_path: Any
) -> None:
    teacher = org.employees(org.kua_a)[0]
    grant = LocationGrant.objects.create(
        employee=teacher, location=location(org.man_a), status=LocationGrant.Status.APPROVED
    )
    renamed = tmp_path / "pegawai.csv"
    renamed.write_text(
        "nip,name,unit,pattern,golongan,start\n"
        f"{teacher.nip},Nama Baru,KUA-A,,{teacher.golongan},{teacher.start}\n"
    )

    call_command("import_employees", str(renamed), stdout=StringIO())

    grant.refresh_from_db()
    assert grant.status == LocationGrant.Status.APPROVED


def test_an_employee_moved_in_the_admin_loses_their_extra_locations(
    superuser: Client, org: Org
) -> None:
    teacher = org.employees(org.kua_a)[0]
    grant = LocationGrant.objects.create(
        employee=teacher, location=location(org.man_a), status=LocationGrant.Status.APPROVED
    )
    url = f"/admin/org/employee/{teacher.pk}/change/"
    form = superuser.get(url).context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}

    response = superuser.post(url, {**data, "unit": org.kua_b.pk})

    assert response.status_code == 302
    grant.refresh_from_db()
    assert grant.status == LocationGrant.Status.ENDED


def test_a_decision_on_a_request_decided_meanwhile_is_refused_with_a_message(
    client: Client, org: Org, operator_kua_a: User
) -> None:
    """Two operators on the same page: the second one's "Reject" finds the request approved."""
    grant = LocationGrant.objects.create(
        employee=org.employees(org.kua_b)[0],
        location=location(org.kua_a),
        status=LocationGrant.Status.APPROVED,
    )

    response = logged_in(client, operator_kua_a).post(
        GRANTS, {"grant": grant.pk, "decision": "reject"}, follow=True
    )

    assert [str(m) for m in response.context["messages"]] == [
        "Permintaan ini sudah diputuskan sementara itu (kini: disetujui). Muat ulang halaman."
    ]
    grant.refresh_from_db()
    assert grant.status == LocationGrant.Status.APPROVED


def test_an_unknown_decision_is_refused_as_such(
    client: Client, org: Org, operator_kua_a: User
) -> None:
    grant = LocationGrant.objects.create(
        employee=org.employees(org.kua_b)[0], location=location(org.kua_a)
    )

    response = logged_in(client, operator_kua_a).post(
        GRANTS, {"grant": grant.pk, "decision": "hapus"}, follow=True
    )

    assert [str(m) for m in response.context["messages"]] == [
        "Keputusan tidak dikenal: pilih salah satu tombol di halaman."
    ]
    grant.refresh_from_db()
    assert grant.status == LocationGrant.Status.REQUESTED


def test_the_approvals_page_offers_each_grant_the_decisions_its_status_allows(
    client: Client, org: Org, operator_kua_a: User
) -> None:
    statuses = ["REQUESTED", "APPROVED", "REJECTED", "ENDED"]
    kantor = location(org.kua_a)
    for status in statuses:
        teacher = EmployeeFactory.create(unit=org.kua_b)
        LocationGrant.objects.create(employee=teacher, location=kantor, status=status)

    page = logged_in(client, operator_kua_a).get(GRANTS)

    offered = {g.status: [move for move, *_ in g.buttons] for g in page.context["grants"]}
    assert offered == {
        "REQUESTED": ["approve", "reject"],
        "APPROVED": ["revoke"],
        "REJECTED": ["approve"],
        "ENDED": [],
    }
    assert 'value="reject" class="secondary">Tolak</button>' in page.content.decode()


@pytest.mark.parametrize(
    ("status", "decision", "after"),
    [
        ("REQUESTED", "approve", "APPROVED"),
        ("REQUESTED", "reject", "REJECTED"),
        ("APPROVED", "revoke", "REVOKED"),
        ("REVOKED", "approve", "APPROVED"),
        ("REJECTED", "approve", "APPROVED"),
    ],
)
def test_each_decision_the_workflow_allows_moves_the_grant_and_is_audited(
    org: Org, status: str, decision: str, after: str
) -> None:
    grant = LocationGrant.objects.create(
        employee=org.employees(org.kua_b)[0], location=location(org.kua_a), status=status
    )

    location_grant_decide(
        actor=user_with_role(Role.OPERATOR, org.kua_a), grant=grant, decision=decision
    )

    grant.refresh_from_db()
    assert grant.status == after
    event = AuditEvent.objects.get(action="org.location_grant_decide")
    assert (event.before, event.after) == ({"status": status}, {"status": after})


def test_an_extra_location_ended_by_a_move_is_asked_for_again_not_approved_again(
    org: Org,
) -> None:
    teacher = with_account(org.employees(org.kua_b)[0])
    grant = LocationGrant.objects.create(
        employee=teacher, location=location(org.kua_a), status=LocationGrant.Status.ENDED
    )
    operator = user_with_role(Role.OPERATOR, org.kua_a)

    with pytest.raises(GrantMoveRefused):
        location_grant_decide(actor=operator, grant=grant, decision="approve")
    asked = location_grant_request(
        actor=teacher.user, employee=teacher, location=grant.location, reason="pos baru"
    )
    location_grant_decide(actor=operator, grant=asked, decision="approve")

    grant.refresh_from_db()
    assert grant.status == LocationGrant.Status.APPROVED


def test_editing_a_location_on_the_map_page_audits_the_state_before_the_edit(
    client: Client, org: Org, operator_kua_a: User
) -> None:
    kantor = add_location(org.kua_a, "Kantor KUA", radius_m=100)
    client.force_login(operator_kua_a)

    response = client.post(
        f"/org/unit/{org.kua_a.pk}/lokasi/?edit={kantor.pk}",
        {
            "name": "Kantor KUA",
            "latitude": str(kantor.latitude),
            "longitude": str(kantor.longitude),
            "radius_m": "250",
            "accuracy_tolerance_m": "50",
            "polygon": "",
            "active": "on",
        },
    )

    assert response.status_code == 302
    kantor.refresh_from_db()
    assert kantor.radius_m == 250
    event = AuditEvent.objects.get(action="org.location_save", object_id=str(kantor.pk))
    assert (event.after or {})["radius_m"] == 250
    assert (event.before or {}).get("radius_m") == 100, event.before
