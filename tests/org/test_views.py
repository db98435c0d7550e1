"""Pages of the organisation over HTTP: outside one's scope is a 404 like a missing page."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from hadir.accounts.models import User
from hadir.org.models import Role, Unit
from tests.conftest import Org, user_with_role
from tests.factories import EmployeeFactory, RoleAssignmentFactory


def unit_url(unit_id: int) -> str:
    return reverse("org:unit_detail", args=[unit_id])


def missing_unit_id() -> int:
    return Unit.objects.order_by("-pk").values_list("pk", flat=True)[0] + 1000


def test_anonymous_visitors_are_sent_to_the_login_page(client: Client, org: Org) -> None:
    login = reverse("accounts:login")
    for url in ("/", reverse("org:units"), unit_url(org.kua_a.pk)):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"] == f"{login}?next={url}"


def test_home_page_shows_the_employees_own_card(client: Client, employee_user: User) -> None:
    client.force_login(employee_user)
    response = client.get("/")
    assert response.status_code == 200
    assert employee_user.employee.nip in response.content.decode()
    assert response.context["has_roles"] is False


def test_home_page_links_an_operator_to_the_units(client: Client, operator_kua_a: User) -> None:
    client.force_login(operator_kua_a)
    response = client.get("/")
    assert response.status_code == 200
    assert response.context["has_roles"] is True


def test_unit_list_shows_only_units_in_scope(
    client: Client, org: Org, operator_kab_a: User
) -> None:
    client.force_login(operator_kab_a)
    response = client.get(reverse("org:units"))
    assert response.status_code == 200
    assert {u.code for u in response.context["units"]} == {"KAB-A", "KUA-A", "MAN-A"}
    content = response.content.decode()
    assert "KUA-A" in content
    assert "KUA-B" not in content


def test_unit_list_counts_the_employees_of_each_unit(
    client: Client, org: Org, admin_user: User
) -> None:
    client.force_login(admin_user)
    counts = {u.code: u.employee_count for u in client.get(reverse("org:units")).context["units"]}
    assert counts == {"KANWIL": 0, "KAB-A": 1, "KUA-A": 2, "MAN-A": 2, "KAB-B": 1, "KUA-B": 2}


def test_operator_sees_their_units_employees_page(
    client: Client, org: Org, operator_kua_a: User
) -> None:
    client.force_login(operator_kua_a)
    response = client.get(unit_url(org.kua_a.pk))
    assert response.status_code == 200
    content = response.content.decode()
    for employee in org.employees(org.kua_a):
        assert employee.nip in content


def test_another_units_page_is_a_404_exactly_like_a_missing_unit(
    client: Client, org: Org, operator_kua_a: User
) -> None:
    client.force_login(operator_kua_a)
    outside = client.get(unit_url(org.kua_b.pk))
    missing = client.get(unit_url(missing_unit_id()))
    assert outside.status_code == missing.status_code == 404
    assert outside.content == missing.content
    for employee in org.employees(org.kua_b):
        assert employee.nip.encode() not in outside.content


def test_a_parent_units_page_is_a_404_for_the_operator_of_a_child(
    client: Client, org: Org, operator_kua_a: User
) -> None:
    client.force_login(operator_kua_a)
    assert client.get(unit_url(org.kab_a.pk)).status_code == 404


def test_kankemenag_page_lists_employees_of_every_sub_unit(
    client: Client, org: Org, operator_kab_a: User
) -> None:
    client.force_login(operator_kab_a)
    content = client.get(unit_url(org.kab_a.pk)).content.decode()
    for unit in (org.kab_a, org.kua_a, org.man_a):
        for employee in org.employees(unit):
            assert employee.nip in content
    for employee in org.employees(org.kua_b):
        assert employee.nip not in content


def test_plain_employee_cannot_open_even_their_own_unit(
    client: Client, org: Org, employee_user: User
) -> None:
    client.force_login(employee_user)
    assert client.get(unit_url(org.kua_a.pk)).status_code == 404
    assert list(client.get(reverse("org:units")).context["units"]) == []


def test_unit_page_searches_by_name_or_nip(client: Client, org: Org, operator_kua_a: User) -> None:
    wanted = EmployeeFactory.create(unit=org.kua_a, name="Zainal Maulana")
    client.force_login(operator_kua_a)
    by_name = client.get(unit_url(org.kua_a.pk), {"q": "zainal"})
    assert [e.nip for e in by_name.context["page"]] == [wanted.nip]
    by_nip = client.get(unit_url(org.kua_a.pk), {"q": wanted.nip[:14]})
    assert wanted in list(by_nip.context["page"])


def test_unit_page_finds_a_nip_typed_in_its_printed_groups(
    client: Client, org: Org, operator_kua_a: User
) -> None:
    """Copied from a decree: "19800101 200501 1 001", spaces and all."""
    wanted = EmployeeFactory.create(unit=org.kua_a)
    printed = f"{wanted.nip[:8]} {wanted.nip[8:14]} {wanted.nip[14]} {wanted.nip[15:]} "
    client.force_login(operator_kua_a)
    found = client.get(unit_url(org.kua_a.pk), {"q": printed})
    assert [e.nip for e in found.context["page"]] == [wanted.nip]
    assert list(client.get(unit_url(org.kua_a.pk), {"q": " . "}).context["page"]) == []


def test_unit_pages_search_box_is_named_for_screen_readers(
    client: Client, org: Org, operator_kua_a: User
) -> None:
    """Its placeholder goes once typing starts, and several screen readers do not read it."""
    client.force_login(operator_kua_a)
    html = client.get(unit_url(org.kua_a.pk)).content.decode()
    assert 'aria-label="Cari pegawai menurut nama atau NIP"' in html


@pytest.mark.parametrize(
    ("who", "url"),
    [("employee", "/org/lokasi-tambahan/"), ("operator", "/presensi/impor/")],
)
def test_an_indonesian_drop_down_opens_with_an_indonesian_prompt(
    client: Client, org: Org, employee_user: User, who: str, url: str
) -> None:
    """Django's own prompt ("Select an option") has no Indonesian in its catalogue."""
    client.force_login(
        employee_user if who == "employee" else user_with_role(Role.OPERATOR, org.kab_a)
    )
    html = client.get(url).content.decode()
    assert "— pilih —" in html
    assert "Select an option" not in html


def test_unit_page_shows_the_activation_button_to_operators_only(
    client: Client, org: Org, operator_kua_a: User
) -> None:
    button = reverse("accounts:activation_codes", args=[org.kua_a.pk])
    client.force_login(operator_kua_a)
    assert button in client.get(unit_url(org.kua_a.pk)).content.decode()
    verifier = user_with_role(Role.VERIFIER, org.kua_a)
    client.force_login(verifier)
    assert button not in client.get(unit_url(org.kua_a.pk)).content.decode()


def test_unit_page_query_count_stays_flat_as_employees_grow(
    client: Client, org: Org, operator_kua_a: User
) -> None:
    client.force_login(operator_kua_a)
    client.get(unit_url(org.kua_a.pk))
    with CaptureQueriesContext(connection) as few:
        client.get(unit_url(org.kua_a.pk))
    EmployeeFactory.create_batch(20, unit=org.kua_a)
    with CaptureQueriesContext(connection) as many:
        client.get(unit_url(org.kua_a.pk))
    assert len(many) == len(few)


def test_the_activation_button_shows_only_where_the_user_manages_the_unit(
    client: Client, org: Org
) -> None:
    """A verifier of KUA A who operates KUA B reads KUA A but cannot issue its codes."""
    user = user_with_role(Role.VERIFIER, org.kua_a)
    RoleAssignmentFactory.create(user=user, role=Role.OPERATOR, unit=org.kua_b)
    client.force_login(user)
    page_a = client.get(unit_url(org.kua_a.pk))
    assert page_a.status_code == 200
    assert reverse("accounts:activation_codes", args=[org.kua_a.pk]) not in page_a.content.decode()
    assert client.post(reverse("accounts:activation_codes", args=[org.kua_a.pk])).status_code == 404
    page_b = client.get(unit_url(org.kua_b.pk))
    assert reverse("accounts:activation_codes", args=[org.kua_b.pk]) in page_b.content.decode()


# --- the employee admin ---------------------------------------------------------------------


def _admin_change(client: Client, org: Org, **changes: str) -> tuple[int, object]:
    """Post the admin's change form of KUA A's first employee with ``changes``."""
    from tests.factories import UserFactory

    employee = org.employees(org.kua_a)[0]
    client.force_login(UserFactory.create(is_staff=True, is_superuser=True))
    url = f"/admin/org/employee/{employee.pk}/change/"
    form = client.get(url).context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    response = client.post(url, {**data, **changes})
    return response.status_code, response.context and response.context["adminform"].form.errors


def test_the_admin_refuses_a_golongan_the_rules_do_not_know(client: Client, org: Org) -> None:
    """III has ruang a to d: a recap holding "III/e" could not price the employee's day."""
    status, errors = _admin_change(client, org, golongan="III/e")

    assert status == 200
    assert errors == {"golongan": ["golongan 'III/e' tidak dikenal; contoh: III/a atau IX"]}
    assert org.employees(org.kua_a)[0].golongan != "III/e"


def test_the_admin_refuses_a_pppk_grade_for_a_pns(client: Client, org: Org) -> None:
    status, errors = _admin_change(client, org, kind="PNS", golongan="IX")

    assert status == 200
    assert errors == {"golongan": ["golongan IX adalah PPPK, tetapi pegawai ini PNS"]}


def test_the_admin_stores_a_golongan_as_the_rules_spell_it(client: Client, org: Org) -> None:
    status, _errors = _admin_change(client, org, kind="PNS", golongan="iii - b")

    assert status == 302
    assert org.employees(org.kua_a)[0].golongan == "III/b"


def test_the_admin_refuses_a_number_that_is_no_nip(client: Client, org: Org) -> None:
    status, errors = _admin_change(client, org, nip="199013312015031001")  # month 13

    assert status == 200
    assert list(errors) == ["nip"]  # type: ignore[call-overload]


def test_the_admin_refuses_a_pns_nip_for_a_pppk(client: Client, org: Org) -> None:
    status, errors = _admin_change(client, org, kind="PPPK", golongan="IX")

    assert status == 200
    assert errors == {"kind": ["NIP ini milik PNS, bukan PPPK"]}
