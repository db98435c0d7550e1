"""The HTTP API: same scopes as the pages, 401 for strangers, an OpenAPI schema."""

from __future__ import annotations

from django.test import Client

from hadir.accounts.models import User
from hadir.org.models import Unit
from tests.conftest import Org


def employees_url(unit_id: int) -> str:
    return f"/api/units/{unit_id}/employees"


def test_anonymous_api_calls_get_401(client: Client, org: Org) -> None:
    for url in ("/api/me", "/api/units", employees_url(org.kua_a.pk)):
        assert client.get(url).status_code == 401


def test_me_returns_the_user_and_their_employee_record(client: Client, employee_user: User) -> None:
    client.force_login(employee_user)
    body = client.get("/api/me").json()
    employee = employee_user.employee
    assert body["username"] == employee_user.username
    assert body["employee"]["nip"] == employee.nip
    assert body["employee"]["unit_id"] == employee.unit_id
    assert body["employee"]["start"] == "2024-01-01"


def test_me_of_a_user_without_employee_record_has_none(client: Client, admin_user: User) -> None:
    client.force_login(admin_user)
    assert client.get("/api/me").json() == {"username": admin_user.username, "employee": None}


def test_units_endpoint_lists_only_units_in_scope(
    client: Client, org: Org, operator_kab_a: User
) -> None:
    client.force_login(operator_kab_a)
    body = client.get("/api/units").json()["items"]
    assert {u["code"] for u in body} == {"KAB-A", "KUA-A", "MAN-A"}
    kua = next(u for u in body if u["code"] == "KUA-A")
    assert kua["parent_id"] == org.kab_a.pk


def test_operator_lists_employees_of_their_unit(
    client: Client, org: Org, operator_kua_a: User
) -> None:
    client.force_login(operator_kua_a)
    response = client.get(employees_url(org.kua_a.pk))
    assert response.status_code == 200
    assert sorted(e["nip"] for e in response.json()["items"]) == [
        e.nip for e in org.employees(org.kua_a)
    ]


def test_another_units_employees_are_a_404_exactly_like_a_missing_unit(
    client: Client, org: Org, operator_kua_a: User
) -> None:
    client.force_login(operator_kua_a)
    missing_id = Unit.objects.order_by("-pk").values_list("pk", flat=True)[0] + 1000
    outside = client.get(employees_url(org.kua_b.pk))
    missing = client.get(employees_url(missing_id))
    assert outside.status_code == missing.status_code == 404
    assert outside.json() == missing.json()


def test_kankemenag_operator_gets_employees_of_sub_units_through_the_api(
    client: Client, org: Org, operator_kab_a: User
) -> None:
    client.force_login(operator_kab_a)
    nips = {e["nip"] for e in client.get(employees_url(org.kab_a.pk)).json()["items"]}
    expected = org.employees(org.kab_a) + org.employees(org.kua_a) + org.employees(org.man_a)
    assert nips == {e.nip for e in expected}


def test_a_long_list_comes_in_pages_with_its_count(
    client: Client, org: Org, operator_kab_a: User
) -> None:
    client.force_login(operator_kab_a)
    everyone = client.get(employees_url(org.kab_a.pk)).json()
    names = [e["name"] for e in everyone["items"]]

    first = client.get(employees_url(org.kab_a.pk), {"limit": 2}).json()
    second = client.get(employees_url(org.kab_a.pk), {"limit": 2, "offset": 2}).json()

    assert everyone["count"] == len(names) > 4
    assert names == sorted(names)
    assert [e["name"] for e in first["items"] + second["items"]] == names[:4]
    assert first["count"] == second["count"] == everyone["count"]


def test_a_page_too_large_or_too_far_is_refused_in_indonesian_not_a_server_error(
    org: Org, operator_kab_a: User
) -> None:
    client = Client(raise_request_exception=False)
    client.force_login(operator_kab_a)

    for query, problem in (
        ({"limit": 1_000_000}, "paling banyak 1000"),
        ({"limit": 0}, "paling sedikit 1"),
        ({"offset": -1}, "paling sedikit 0"),
        ({"offset": 10**30}, "paling banyak 10000000"),
    ):
        response = client.get(employees_url(org.kab_a.pk), query)
        assert response.status_code == 422, query
        assert [p["msg"] for p in response.json()["detail"]] == [problem], query


def test_openapi_schema_lists_the_endpoints(client: Client, db: None) -> None:
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["info"]["title"] == "Hadir API"
    assert {"/api/me", "/api/units", "/api/units/{unit_id}/employees"} <= set(schema["paths"])
