"""The check-in API over HTTP: answers, status codes, who may call it, what the phone is shown."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from hadir.common.models import AuditEvent
from hadir.org.models import Employee, Location, LocationGrant, Unit
from hadir.presence.models import Punch, Refusal
from tests.factories import EmployeeFactory, UnitFactory, UserFactory
from tests.presence.support import (
    MONDAY,
    SATURDAY,
    SLEMAN,
    add_location,
    freeze_clock,
    local,
    north_of,
)

CHECK_IN = "/api/presensi/check-in"
TODAY = "/api/presensi/today"


def position(point: tuple[float, float] = SLEMAN, **extra: Any) -> dict[str, Any]:
    return {"latitude": point[0], "longitude": point[1], "accuracy_m": 9.5, **extra}


@pytest.fixture
def siti(client: Client, employee: Employee) -> Client:
    """A test client logged in as Siti."""
    assert employee.user is not None
    client.force_login(employee.user)
    return client


def test_a_late_check_in_is_201_with_datang_the_local_time_and_the_standing(
    siti: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    freeze_clock(monkeypatch, local(MONDAY, "07:42:05"))

    response = siti.post(
        CHECK_IN, position(idempotency_key="tap-1"), content_type="application/json"
    )

    assert response.status_code == 201
    body = response.json()
    assert body["accepted"] is True
    assert body["replayed"] is False
    assert body["kind"] == "DATANG"
    assert body["local_time"] == "07:42:05"
    assert body["message"] == "Presensi datang tercatat pukul 07:42."
    assert body["server_time"].startswith("2024-03-04T")
    standing = body["standing"]
    assert standing["status"] == "H"
    assert standing["datang"] == "07:42"
    assert (standing["late_minutes"], standing["late_class"]) == (12, 1)
    assert any("terlambat 12 menit (TL1)" in text for text in standing["reasons"])
    assert body["reason"] is None
    assert Punch.objects.count() == 1


def test_a_check_in_takes_five_round_trips_to_postgresql(
    siti: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One read to know the caller (the session with its account, employee record, unit and
    work patterns), the transaction's start,
    one exchange under the employee's lock (the chain's tail, the key, the day's punches and
    requests), one to write the punch (its day is stored once it is over), the commit: on a 2-core server each
    exchange costs more than the SQL it carries. (The test's own transaction turns the start
    and the commit into a savepoint and its release. SQLite gets the statements one by one.)
    Measured after a first check-in has filled the process's caches of locations, schedules
    and policy, as on a server that has been up a while."""
    freeze_clock(monkeypatch, local(MONDAY, "07:42:05"))
    siti.post(CHECK_IN, position(), content_type="application/json")

    with CaptureQueriesContext(connection) as captured:
        response = siti.post(CHECK_IN, position(), content_type="application/json")

    assert response.status_code == 201
    assert response.json()["standing"]["late_minutes"] == 12
    assert len(captured) == (5 if connection.vendor == "postgresql" else 7), [
        q["sql"][:80] for q in captured.captured_queries
    ]


def test_the_standing_is_explained_in_english_when_the_phone_asks_for_it(
    siti: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    freeze_clock(monkeypatch, local(MONDAY, "07:42"))
    response = siti.post(
        CHECK_IN, position(), content_type="application/json", HTTP_ACCEPT_LANGUAGE="en"
    )
    body = response.json()
    assert body["message"] == "Check-in (datang) recorded at 07:42."
    assert any("12 minutes late (TL1)" in text for text in body["standing"]["reasons"])


def test_an_afternoon_check_in_is_pulang(siti: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    freeze_clock(monkeypatch, local(MONDAY, "16:02"))
    body = siti.post(CHECK_IN, position(), content_type="application/json").json()
    assert body["kind"] == "PULANG"
    assert body["message"] == "Presensi pulang tercatat pukul 16:02."


def test_a_saturday_check_in_is_accepted_as_libur(
    siti: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    freeze_clock(monkeypatch, local(SATURDAY, "09:00"))
    response = siti.post(CHECK_IN, position(), content_type="application/json")
    assert response.status_code == 201
    body = response.json()
    assert (body["kind"], body["standing"]["status"]) == ("LIBUR", "LIBUR")
    assert body["message"].startswith("Tercatat pukul 09:00. Hari ini bukan hari kerja")


def test_the_same_key_again_is_200_and_a_replay(
    siti: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    freeze_clock(monkeypatch, local(MONDAY, "07:20"))
    first = siti.post(CHECK_IN, position(idempotency_key="tap-9"), content_type="application/json")
    again = siti.post(CHECK_IN, position(idempotency_key="tap-9"), content_type="application/json")

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["replayed"] is True
    assert again.json()["local_time"] == first.json()["local_time"]
    assert Punch.objects.count() == 1


def test_the_idempotency_key_may_come_as_a_header(
    siti: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    freeze_clock(monkeypatch, local(MONDAY, "07:20"))
    for expected in (201, 200):
        response = siti.post(
            CHECK_IN, position(), content_type="application/json", HTTP_IDEMPOTENCY_KEY="hdr-1"
        )
        assert response.status_code == expected
    assert Punch.objects.get().idempotency_key == "hdr-1"


def test_a_header_key_longer_than_the_body_allows_is_422_not_cut_short(
    siti: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Cut to 64 characters, two keys sharing their start would make the afternoon's pulang a
    replay of the morning's datang."""
    freeze_clock(monkeypatch, local(MONDAY, "07:20"))
    shared = "k" * 64

    response = siti.post(
        CHECK_IN, position(), content_type="application/json", HTTP_IDEMPOTENCY_KEY=shared + "-am"
    )

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["header", "Idempotency-Key"]
    assert not Punch.objects.exists()


@pytest.mark.parametrize("field", ["device_id", "idempotency_key"])
def test_a_control_character_in_an_identifier_is_422_and_records_nothing(
    siti: Client, monkeypatch: pytest.MonkeyPatch, field: str
) -> None:
    """PostgreSQL's text takes no NUL: it used to answer 500 there, keeping nothing."""
    freeze_clock(monkeypatch, local(MONDAY, "07:20"))

    body = {**position(), field: "hp\u0000siti"}

    response = siti.post(CHECK_IN, body, content_type="application/json")

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == field
    assert not Punch.objects.exists()
    assert not Refusal.objects.exists()


def test_a_refusal_is_422_with_its_reason_message_and_distance(
    siti: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    freeze_clock(monkeypatch, local(MONDAY, "07:20"))

    response = siti.post(
        CHECK_IN,
        position(north_of(SLEMAN, 2100), device_id="hp-siti", idempotency_key="tap-far"),
        content_type="application/json",
    )

    assert response.status_code == 422
    body = response.json()
    assert body["accepted"] is False
    assert body["reason"] == "OUTSIDE_AREA"
    assert body["message"].startswith("Anda berada 2,0 km dari Kantor KUA")
    assert abs(body["distance_m"] - 2000) <= 1
    assert body["standing"] is None
    refusal = Refusal.objects.get()
    assert (refusal.device_id, refusal.idempotency_key) == ("hp-siti", "tap-far")

    replay = siti.post(
        CHECK_IN, position(idempotency_key="tap-far"), content_type="application/json"
    )
    assert replay.status_code == 422
    assert replay.json()["replayed"] is True
    assert replay.json()["distance_m"] == body["distance_m"]
    assert not Punch.objects.exists()


def test_past_the_rate_an_account_is_answered_429_and_no_more_refusals_are_kept(
    siti: Client, employee: Employee, monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    """A script tapping from 2 km away, each tap a new key: every refusal would be kept as
    evidence. Past the rate the taps are turned away unrecorded, the first of them audited."""
    settings.HADIR_CHECKIN_RATE = "3/10m"
    freeze_clock(monkeypatch, local(MONDAY, "07:20"))
    far = north_of(SLEMAN, 2100)

    codes = [
        siti.post(
            CHECK_IN, position(far, idempotency_key=f"tap-{n}"), content_type="application/json"
        ).status_code
        for n in range(5)
    ]

    assert codes == [422, 422, 422, 429, 429]
    assert Refusal.objects.count() == 3
    turned_away = siti.post(CHECK_IN, position(), content_type="application/json")
    assert turned_away.json() == {
        "detail": "Terlalu banyak percobaan presensi dalam waktu singkat: tunggu beberapa menit,"
        " lalu coba lagi."
    }
    assert not Punch.objects.exists()
    [event] = AuditEvent.objects.filter(action="presence.check_in_throttled")
    assert (event.actor, event.object_id) == (employee.user, str(employee.pk))


def test_a_tap_sent_again_past_the_rate_still_answers_with_the_check_in_it_recorded(
    siti: Client, monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    """The check-in was recorded but its answer lost; the phone asks again with the same key.
    It records nothing new, so past the rate it is still answered "recorded at 07:20", not
    told to wait (she would think she has no check-in)."""
    settings.HADIR_CHECKIN_RATE = "1/10m"
    freeze_clock(monkeypatch, local(MONDAY, "07:20"))
    tap = position(idempotency_key="tap-1")
    assert siti.post(CHECK_IN, tap, content_type="application/json").status_code == 201

    again = siti.post(CHECK_IN, tap, content_type="application/json")

    assert again.status_code == 200
    assert again.json()["replayed"] is True
    assert Punch.objects.count() == 1


def test_a_tap_sent_again_for_a_lost_answer_is_not_counted_twice(
    siti: Client, monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    """A tap from the road, resent once by the page (its answer lost), then one at the door:
    two attempts, not three."""
    settings.HADIR_CHECKIN_RATE = "2/10m"
    freeze_clock(monkeypatch, local(MONDAY, "07:20"))
    road = position(north_of(SLEMAN, 2100), idempotency_key="road")
    for _ in range(2):
        siti.post(CHECK_IN, road, content_type="application/json")

    door = siti.post(CHECK_IN, position(idempotency_key="door"), content_type="application/json")

    assert door.status_code == 201


def test_one_accounts_taps_do_not_use_up_anothers(
    siti: Client, employee: Employee, monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    settings.HADIR_CHECKIN_RATE = "1/10m"
    freeze_clock(monkeypatch, local(MONDAY, "07:20"))
    siti.post(CHECK_IN, position(idempotency_key="siti"), content_type="application/json")
    budi = EmployeeFactory.create(unit=employee.unit, user=UserFactory.create())
    assert budi.user is not None
    other = Client()
    other.force_login(budi.user)

    answer = other.post(CHECK_IN, position(idempotency_key="budi"), content_type="application/json")

    assert answer.status_code == 201
    assert Punch.objects.count() == 2


def test_a_refusal_outside_the_window_is_422_without_a_distance(
    siti: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    freeze_clock(monkeypatch, local(MONDAY, "21:00"))
    response = siti.post(CHECK_IN, position(), content_type="application/json")
    assert response.status_code == 422
    assert response.json()["reason"] == "OUTSIDE_WINDOW"
    assert response.json()["distance_m"] is None


def test_the_phone_cannot_send_its_own_time(siti: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    freeze_clock(monkeypatch, local(MONDAY, "07:50"))
    siti.post(CHECK_IN, position(at="2024-03-04T07:00:00+07:00"), content_type="application/json")
    assert Punch.objects.get().at >= local(MONDAY, "07:50")


def test_an_impossible_position_is_refused_by_validation_and_records_nothing(
    siti: Client,
) -> None:
    response = siti.post(
        CHECK_IN, position((95.0, 110.0), accuracy_m=-1), content_type="application/json"
    )
    assert response.status_code == 422
    assert {error["loc"][-1] for error in response.json()["detail"]} == {"latitude", "accuracy_m"}
    assert not Refusal.objects.exists()
    assert not Punch.objects.exists()


@pytest.mark.parametrize(
    "odd",
    [{"latitude": True}, {"longitude": "110.35"}, {"accuracy_m": "5"}, {"mock_location": "no"}],
    ids=["a-boolean-latitude", "a-string-longitude", "a-string-accuracy", "a-string-flag"],
)
def test_a_value_of_the_wrong_json_type_is_422_and_records_nothing(
    siti: Client, odd: dict[str, Any]
) -> None:
    """``true`` is no latitude (it was read as 1.0), and "no" is no false."""
    response = siti.post(CHECK_IN, {**position(), **odd}, content_type="application/json")
    assert response.status_code == 422
    assert [error["loc"][-1] for error in response.json()["detail"]] == list(odd)
    assert not Punch.objects.exists()
    assert not Refusal.objects.exists()


def test_a_nan_accuracy_cannot_slip_past_the_tolerance(siti: Client) -> None:
    body = f'{{"latitude": {SLEMAN[0]}, "longitude": {SLEMAN[1]}, "accuracy_m": NaN}}'
    response = siti.post(CHECK_IN, body, content_type="application/json")
    assert response.status_code == 422
    assert not Punch.objects.exists()


def test_anonymous_calls_are_401(client: Client, employee: Employee) -> None:
    assert client.post(CHECK_IN, position(), content_type="application/json").status_code == 401
    assert client.get(TODAY).status_code == 401
    assert not Refusal.objects.exists()


def test_a_user_without_an_employee_record_gets_404(client: Client, db: None) -> None:
    client.force_login(UserFactory.create())
    assert client.post(CHECK_IN, position(), content_type="application/json").status_code == 404
    assert client.get(TODAY).status_code == 404


def test_the_api_refuses_a_post_without_the_csrf_token_saying_why_in_indonesian(
    employee: Employee,
) -> None:
    assert employee.user is not None
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(employee.user)

    response = browser.post(CHECK_IN, position(), content_type="application/json")

    assert (response.status_code, response.json()["detail"]) == (
        403,
        "Halaman ini sudah usang (Anda masuk lagi di tempat lain). Muat ulang halaman.",
    )
    assert not Punch.objects.exists()
    assert not Refusal.objects.exists()


def test_the_check_in_page_hands_out_the_csrf_token_the_api_then_accepts(
    employee: Employee, monkeypatch: pytest.MonkeyPatch
) -> None:
    freeze_clock(monkeypatch, local(MONDAY, "07:20"))
    assert employee.user is not None
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(employee.user)

    assert browser.get("/presensi/").status_code == 200
    token = browser.cookies["csrftoken"].value
    response = browser.post(
        CHECK_IN, position(), content_type="application/json", HTTP_X_CSRFTOKEN=token
    )

    assert response.status_code == 201


def test_today_lists_the_units_locations_and_approved_extra_ones_only(
    siti: Client, employee: Employee, kantor: Location, monkeypatch: pytest.MonkeyPatch
) -> None:
    freeze_clock(monkeypatch, local(MONDAY, "07:42"))
    school = UnitFactory.create(code="SD-1", kind=Unit.Kind.SEKOLAH)
    granted = {}
    for status in LocationGrant.Status:
        place = add_location(school, f"SD {status.label}", north_of(SLEMAN, 3000))
        LocationGrant.objects.create(employee=employee, location=place, status=status)
        granted[status] = place
    add_location(school, "SD tanpa izin", north_of(SLEMAN, 4000))
    add_location(employee.unit, "Gudang lama", north_of(SLEMAN, 500), active=False)
    siti.post(CHECK_IN, position(), content_type="application/json")

    body = siti.get(TODAY).json()

    assert body["date"] == "2024-03-04"
    assert body["timezone"] == "Asia/Jakarta"
    assert {place["id"] for place in body["locations"]} == {
        kantor.pk,
        granted[LocationGrant.Status.APPROVED].pk,
    }
    office = next(place for place in body["locations"] if place["id"] == kantor.pk)
    assert office == {
        "id": kantor.pk,
        "name": "Kantor KUA",
        "latitude": SLEMAN[0],
        "longitude": SLEMAN[1],
        "radius_m": 100.0,
        "accuracy_tolerance_m": 50.0,
        "polygon": [],
    }
    standing = body["standing"]
    assert (standing["status"], standing["datang"], standing["late_minutes"]) == ("H", "07:42", 12)


def test_today_before_any_punch_shows_the_day_as_it_stands(
    siti: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    freeze_clock(monkeypatch, local(MONDAY, "06:30"))
    standing = siti.get(TODAY).json()["standing"]
    assert (standing["status"], standing["working"], standing["datang"]) == ("TK", True, None)


def test_before_anyone_could_be_absent_the_phone_says_no_punch_yet_not_tk(
    siti: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The day is not over before the presensi window closes: the live board says "not yet"
    then, and so does the phone; only after it does the day read TK."""
    freeze_clock(monkeypatch, local(MONDAY, "06:30"))
    morning = siti.get(TODAY).json()["standing"]["summary"]
    freeze_clock(monkeypatch, local(MONDAY, "21:30"))
    night = siti.get(TODAY).json()["standing"]["summary"]

    assert morning == ["Belum ada presensi hari ini"]
    assert night == ["Tidak ada presensi datang, presensi pulang, maupun keterangan sah: TK"]


@pytest.mark.parametrize("outside", ["before_start", "after_end"])
def test_a_day_outside_the_attendance_period_is_not_called_tk(
    siti: Client, employee: Employee, monkeypatch: pytest.MonkeyPatch, outside: str
) -> None:
    """A new ASN who activates the account before the start date, or a retiree still logged
    in: the day counts for nothing (the check-in is refused as not active), so no verdict."""
    if outside == "before_start":
        employee.start = MONDAY + timedelta(days=7)
    else:
        employee.start, employee.end = MONDAY - timedelta(days=30), MONDAY - timedelta(days=1)
    employee.save(update_fields=["start", "end"])
    freeze_clock(monkeypatch, local(MONDAY, "10:00"))

    standing = siti.get(TODAY).json()["standing"]

    assert standing["status"] is None
    assert standing["summary"] == ["Hari ini di luar masa presensi Anda: tidak dihitung"]


def test_the_check_in_endpoint_is_in_the_openapi_schema(client: Client, db: None) -> None:
    schema = client.get("/api/openapi.json").json()
    operation = schema["paths"]["/api/presensi/check-in"]["post"]
    assert set(operation["responses"]) == {
        "200",
        "201",
        "400",
        "401",
        "403",
        "404",
        "409",
        "413",
        "422",
        "429",
    }
    assert "/api/presensi/today" in schema["paths"]


def declared_422(client: Client) -> list[set[str]]:
    """What each body the schema allows for a check-in's 422 requires."""
    document = client.get("/api/openapi.json").json()
    content = document["paths"][CHECK_IN]["post"]["responses"]["422"]["content"]
    bodies = content["application/json"]["schema"].get("anyOf", [])
    names = [body["$ref"].rsplit("/", 1)[-1] for body in bodies]
    return [set(document["components"]["schemas"][name]["required"]) for name in names]


def test_both_kinds_of_422_have_a_body_the_schema_describes(
    siti: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A refusal (kept, with its reason) and a body that could not be read."""
    freeze_clock(monkeypatch, local(MONDAY, "07:42:05"))
    refused = siti.post(CHECK_IN, position(north_of(SLEMAN, 2000)), content_type="application/json")
    unread = siti.post(CHECK_IN, {"latitude": 91}, content_type="application/json")

    for response in (refused, unread):
        assert response.status_code == 422
        assert any(required <= set(response.json()) for required in declared_422(siti))
    assert len(declared_422(siti)) == 2


def test_a_tap_from_a_page_opened_for_another_account_is_409_and_records_nothing(
    siti: Client, employee: Employee, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A shared phone: the page says whom it was opened for; whoever is logged in now."""
    freeze_clock(monkeypatch, local(MONDAY, "07:42:05"))
    other = str(employee.pk + 1)

    refused = siti.post(
        CHECK_IN, position(), content_type="application/json", HTTP_X_HADIR_EMPLOYEE=other
    )
    mine = siti.post(
        CHECK_IN,
        position(),
        content_type="application/json",
        HTTP_X_HADIR_EMPLOYEE=str(employee.pk),
    )

    assert refused.status_code == 409
    assert refused.json() == {"detail": "Halaman ini untuk akun lain. Muat ulang."}
    assert mine.status_code == 201
    assert Punch.objects.count() == 1
    assert not Refusal.objects.exists()


def test_a_body_past_the_upload_limit_is_413_in_json(
    siti: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Not the site's HTML error page: the phone reads JSON."""
    freeze_clock(monkeypatch, local(MONDAY, "07:42:05"))
    padding = "a" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    body = f'{{"latitude": {SLEMAN[0]}, "longitude": {SLEMAN[1]}, "device_id": "{padding}"}}'

    response = siti.generic("POST", CHECK_IN, body, content_type="application/json")

    assert response.status_code == 413
    assert response.json() == {"detail": "Permintaan terlalu besar."}
    assert not Punch.objects.exists()


def test_every_answer_the_api_gives_is_in_its_openapi_schema(
    client: Client, employee: Employee
) -> None:
    """A client generated from the schema has a type for a 401, a 404 and a 422 too."""
    document = client.get("/api/openapi.json").json()
    stranger, no_employee, siti = Client(), Client(), Client()
    no_employee.force_login(UserFactory.create())
    assert employee.user is not None
    siti.force_login(employee.user)
    other_unit = UnitFactory.create()
    calls = [
        (stranger, "/api/me", "/api/me", {}, 401),
        (siti, "/api/units", "/api/units", {"limit": 0}, 422),
        (stranger, "/api/units", "/api/units", {}, 401),
        (
            siti,
            "/api/units/{unit_id}/employees",
            f"/api/units/{other_unit.pk}/employees",
            {},
            404,
        ),
        (no_employee, TODAY, TODAY, {}, 404),
        (stranger, TODAY, TODAY, {}, 401),
    ]
    for caller, route, url, query, status in calls:
        assert caller.get(url, query).status_code == status
        assert str(status) in document["paths"][route]["get"]["responses"], (route, status)


def test_every_manifest_icon_is_a_picture_of_the_size_it_declares(client: Client) -> None:
    """Phones' browsers pick an icon by its declared type and size; older ones take no SVG."""
    from django.contrib.staticfiles import finders
    from PIL import Image

    icons = client.get("/presensi/manifest.webmanifest").json()["icons"]

    declared = {(icon["type"], icon["sizes"], icon.get("purpose", "any")) for icon in icons}
    assert {("image/png", "192x192", "any"), ("image/png", "512x512", "maskable")} <= declared
    for icon in icons:
        path = finders.find(icon["src"].removeprefix(settings.STATIC_URL))
        assert path, icon["src"]
        if icon["type"] == "image/png":
            with Image.open(path) as picture:
                assert picture.format == "PNG"
                assert "{}x{}".format(*picture.size) == icon["sizes"]
