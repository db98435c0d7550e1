"""Pages a user has switched to English say their words in English: the menu, the request
form and its types, a day off. Domain terms (TL, PSW, TUKIN, DL, TK, NIP) and names stay."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import translation

from hadir.accounts.models import User
from hadir.org.models import Employee, Unit
from tests.conftest import Org
from tests.factories import EmployeeFactory, UnitFactory, UserFactory, pattern
from tests.presence.support import MONDAY, SLEMAN, add_location, freeze_clock, local

EN = {"Accept-Language": "en"}


@pytest.fixture
def office(db: None) -> Unit:
    unit = UnitFactory.create(
        code="KUA-MLATI", name="KUA Mlati", kind=Unit.Kind.KUA, default_pattern=pattern()
    )
    add_location(unit)
    return unit


@pytest.fixture
def siti(office: Unit) -> Employee:
    return EmployeeFactory.create(name="Siti Hasanah", unit=office, user=UserFactory.create())


def logged_in(user: User | None) -> Client:
    assert user is not None
    client = Client()
    client.force_login(user)
    return client


def test_the_absence_types_are_named_in_the_language_of_the_page(siti: Employee) -> None:
    client = logged_in(siti.user)
    english = client.get(
        "/laporan/baru/", {"kategori": "KETIDAKHADIRAN"}, headers=EN
    ).content.decode()
    indonesian = client.get("/laporan/baru/", {"kategori": "KETIDAKHADIRAN"}).content.decode()

    for name, nama in (
        ("Annual leave (CT)", "Cuti tahunan (CT)"),
        ("Sick leave (CS)", "Cuti sakit (CS)"),
    ):
        assert (name in english, nama in english) == (True, False)
        assert (name in indonesian, nama in indonesian) == (False, True)


def test_the_menu_and_the_request_buttons_are_english_on_an_english_page(siti: Employee) -> None:
    client = logged_in(siti.user)
    listing = client.get("/laporan/", headers=EN).content.decode()
    form = client.get("/laporan/baru/", {"kategori": "PENGADUAN"}, headers=EN).content.decode()

    assert ">Attendance<" in listing
    assert ">Presensi<" not in listing
    assert ">Requests<" in listing
    assert ">Laporan<" not in listing
    assert ">New request<" in listing
    assert ">Laporan Baru<" not in listing
    assert "Send complaint" in form
    assert "Kirim Pengaduan" not in form
    assert ">Laporan Baru<" in client.get("/laporan/").content.decode()  # as users know it


def test_a_day_off_is_badged_day_off_in_english_and_libur_in_indonesian(
    siti: Employee, monkeypatch: pytest.MonkeyPatch
) -> None:
    freeze_clock(monkeypatch, local(MONDAY.replace(month=4, day=2), "10:00"))
    client = logged_in(siti.user)

    english = client.get("/rekap/saya/", {"bulan": "2024-03"}, headers=EN).content.decode()
    indonesian = client.get("/rekap/saya/", {"bulan": "2024-03"}).content.decode()

    assert '<span class="badge">day off</span>' in english
    assert '<span class="badge">LIBUR</span>' not in english
    assert '<span class="badge">LIBUR</span>' in indonesian


def test_every_field_an_admin_reads_has_a_name_in_both_languages() -> None:
    """A field without a translatable name shows its English attribute name ("Created by")
    in the Indonesian admin."""
    from django.contrib import admin
    from django.utils.functional import Promise

    unnamed = [
        f"{model.__name__}.{field.name}"
        for model in admin.site._registry
        if model.__module__.startswith("hadir")
        for field in model._meta.concrete_fields
        if not field.auto_created and not isinstance(field.verbose_name, Promise)
    ]
    assert unnamed == []


def test_a_record_against_a_constraint_is_refused_in_words_in_either_language(org: Org) -> None:
    """Without its own message a check constraint says "Constraint “…” is violated."."""
    employee = org.employees(org.kua_a)[0]
    employee.start, employee.end = date(2024, 3, 1), date(2024, 2, 1)
    for language, words in (
        ("en", "The end of service comes before its start."),
        ("id", "Akhir masa kerja sebelum awalnya."),
    ):
        with translation.override(language), pytest.raises(ValidationError) as refused:
            employee.full_clean()
        assert refused.value.messages == [words]


CHECK_IN = "/api/presensi/check-in"
MOCK_TAP = {
    "latitude": SLEMAN[0],
    "longitude": SLEMAN[1],
    "accuracy_m": 9.5,
    "mock_location": True,
    "idempotency_key": "tap-1",
}


def test_a_replayed_refusal_is_answered_in_the_language_of_the_retry(
    siti: Employee, monkeypatch: pytest.MonkeyPatch
) -> None:
    freeze_clock(monkeypatch, local(MONDAY, "07:42"))
    client = logged_in(siti.user)
    first = client.post(CHECK_IN, MOCK_TAP, content_type="application/json")
    assert first.json()["message"].startswith("Ponsel melaporkan lokasi palsu")

    again = client.post(CHECK_IN, MOCK_TAP, content_type="application/json", headers=EN)

    assert again.json()["replayed"] is True
    assert again.json()["message"] == (
        "The phone reports a mock (fake) location. Turn it off and try again."
    )


def test_a_refusal_is_listed_to_the_admin_in_the_admins_language_with_its_distance(
    siti: Employee, monkeypatch: pytest.MonkeyPatch
) -> None:
    freeze_clock(monkeypatch, local(MONDAY, "07:42"))
    far = {**MOCK_TAP, "mock_location": False, "latitude": round(SLEMAN[0] + 0.02, 6)}
    refused = logged_in(siti.user).post(CHECK_IN, far, content_type="application/json")
    assert refused.json()["reason"] == "OUTSIDE_AREA"
    admin = logged_in(UserFactory.create(is_superuser=True, is_staff=True))

    english = admin.get("/admin/presence/refusal/", headers=EN).content.decode()
    indonesian = admin.get("/admin/presence/refusal/").content.decode()

    assert "You are 2.1 km from Kantor KUA, outside every allowed location." in english
    assert "Anda berada 2,1 km dari Kantor KUA" in indonesian
