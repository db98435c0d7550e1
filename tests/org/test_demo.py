"""``load_demo``: the Sleman organisation, once, with a login per role."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from hadir.accounts.models import User
from hadir.common.access import units_in_scope
from hadir.common.models import AuditEvent
from hadir.org.demo import DEMO_PASSWORD
from hadir.org.models import Employee, Location, Role, RoleAssignment, Unit
from hadir.org.services import unit_path
from hadir.rules.golongan import parse_golongan
from hadir.rules.nip import parse_nip


@pytest.fixture
def demo(db: None) -> str:
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def test_demo_creates_the_sleman_tree(demo: str) -> None:
    sleman = Unit.objects.get(code="KAB-SLEMAN")
    assert sleman.kind == Unit.Kind.KANKEMENAG
    assert sleman.parent.kind == Unit.Kind.KANWIL  # type: ignore[union-attr]
    assert Unit.objects.filter(kind=Unit.Kind.KUA, parent=sleman).count() == 17
    negeri = set(Unit.objects.filter(kind=Unit.Kind.MADRASAH_NEGERI).values_list("code", flat=True))
    assert negeri == {"MIN-1-SLEMAN", "MTSN-1-SLEMAN", "MAN-1-SLEMAN"}
    six_day = set(
        Unit.objects.filter(kind=Unit.Kind.MADRASAH_SWASTA).values_list(
            "default_pattern__code", flat=True
        )
    )
    assert six_day == {"MADRASAH_6H_MINGGU", "MADRASAH_6H_JUMAT"}
    assert all(unit.path == unit_path(unit) for unit in Unit.objects.select_related("parent"))


def test_demo_has_a_guru_pai_at_a_sekolah_umum(demo: str) -> None:
    guru = Employee.objects.get(unit__kind=Unit.Kind.SEKOLAH)
    assert guru.position == "Guru PAI"
    assert guru.unit.default_pattern.code == "MADRASAH_5H"


def test_demo_has_a_few_hundred_employees_with_valid_nips_and_golongan(demo: str) -> None:
    employees = list(Employee.objects.all())
    assert 200 <= len(employees) <= 500
    for employee in employees:
        info = parse_nip(employee.nip)
        assert info.kind == employee.kind
        assert parse_golongan(employee.golongan).kind == employee.kind
    assert {e.kind for e in employees} == {"PNS", "PPPK"}


def test_demo_gives_every_unit_a_location(demo: str) -> None:
    assert Location.objects.values("unit").distinct().count() == Unit.objects.count()


def test_demo_has_a_login_per_role_that_works(demo: str) -> None:
    roles = set(RoleAssignment.objects.values_list("role", flat=True))
    assert roles == {Role.OPERATOR, Role.VERIFIER, Role.LEADER, Role.SUPERVISOR, Role.ADMIN}
    for assignment in RoleAssignment.objects.select_related("user"):
        assert assignment.user.check_password(DEMO_PASSWORD)
        assert assignment.user.username in demo
    pegawai = Employee.objects.get(
        unit__code="MAN-1-SLEMAN", user__isnull=False, user__roles__isnull=True
    )
    assert pegawai.nip in demo
    client = Client()
    response = client.post(
        reverse("accounts:login"), {"username": pegawai.nip, "password": DEMO_PASSWORD}
    )
    assert response.status_code == 302
    assert client.get("/").status_code == 200


def test_demo_operator_covers_the_whole_kankemenag(demo: str) -> None:
    operator = RoleAssignment.objects.get(role=Role.OPERATOR).user
    sleman = Unit.objects.get(code="KAB-SLEMAN")
    assert (
        units_in_scope(operator).count()
        == Unit.objects.filter(path__startswith=sleman.path).count()
    )
    assert not units_in_scope(operator).filter(code="KANWIL-DIY").exists()


def test_demo_supervisor_oversees_both_private_madrasah(demo: str) -> None:
    supervisor = RoleAssignment.objects.filter(role=Role.SUPERVISOR).first().user  # type: ignore[union-attr]
    assert set(units_in_scope(supervisor).values_list("code", flat=True)) == {
        "MI-MAARIF-SLEMAN",
        "MTS-ALHIKMAH-SLEMAN",
    }


def test_loading_the_demo_twice_creates_nothing(demo: str) -> None:
    counts = (
        Unit.objects.count(),
        Employee.objects.count(),
        User.objects.count(),
        RoleAssignment.objects.count(),
        Location.objects.count(),
        AuditEvent.objects.count(),
    )
    out = StringIO()
    call_command("load_demo", stdout=out)
    assert "Data demo sudah dimuat." in out.getvalue()
    assert counts == (
        Unit.objects.count(),
        Employee.objects.count(),
        User.objects.count(),
        RoleAssignment.objects.count(),
        Location.objects.count(),
        AuditEvent.objects.count(),
    )
    assert RoleAssignment.objects.get(role=Role.OPERATOR).user.username in out.getvalue()


def test_the_demo_load_is_audited(demo: str) -> None:
    audit = AuditEvent.objects.get(action="org.demo_load")
    assert audit.actor is None
    assert audit.actor_label == "command:load_demo"
    assert audit.summary == f"{Unit.objects.count()} unit, {Employee.objects.count()} pegawai"
