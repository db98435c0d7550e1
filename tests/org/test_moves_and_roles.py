"""A move keeps the roles its employee holds (none can be ended by rule: a Pengawas rightly
supervises sibling madrasah), and names those over units that no longer hold them, to check."""

from __future__ import annotations

from io import StringIO
from typing import Any

from django.contrib import messages
from django.contrib.messages import get_messages
from django.core.management import call_command
from django.test import Client

from hadir.org.models import Employee, Role, RoleAssignment
from hadir.org.services import roles_elsewhere
from tests.conftest import Org
from tests.factories import UserFactory


def operator_of_kua_a_and_verifier_of_the_kanwil(org: Org) -> Employee:
    teacher = org.employees(org.kua_a)[0]
    teacher.user = UserFactory.create()
    teacher.save(update_fields=["user"])
    RoleAssignment.objects.create(user=teacher.user, role=Role.OPERATOR, unit=org.kua_a)
    RoleAssignment.objects.create(user=teacher.user, role=Role.VERIFIER, unit=org.kanwil)
    return teacher


def test_only_roles_over_units_that_no_longer_hold_the_employee_are_named(org: Org) -> None:
    teacher = operator_of_kua_a_and_verifier_of_the_kanwil(org)
    assert roles_elsewhere(teacher) == []

    teacher.unit = org.kua_b  # still under the Kanwil, no longer in KUA A

    assert roles_elsewhere(teacher) == ["Pengelola Presensi KUA-A"]
    assert RoleAssignment.objects.filter(user=teacher.user).count() == 2  # kept, only named


def test_an_import_that_moves_an_operator_names_the_role_to_check(org: Org, tmp_path: Any) -> None:
    teacher = operator_of_kua_a_and_verifier_of_the_kanwil(org)
    moved = tmp_path / "pegawai.csv"
    moved.write_text(
        "nip,name,unit,pattern,golongan,start\n"
        f"{teacher.nip},{teacher.name},KUA-B,,{teacher.golongan},{teacher.start}\n"
    )
    out = StringIO()

    call_command("import_employees", str(moved), stdout=out)

    assert (
        f"peran yang masih atas unit lain, perlu diperiksa: {teacher.nip} Pengelola Presensi KUA-A"
        in out.getvalue()
    )


def test_a_move_in_the_admin_warns_of_the_role_kept_over_the_old_unit(org: Org) -> None:
    teacher = operator_of_kua_a_and_verifier_of_the_kanwil(org)
    superuser = Client()
    superuser.force_login(UserFactory.create(is_superuser=True, is_staff=True))
    url = f"/admin/org/employee/{teacher.pk}/change/"
    form = superuser.get(url).context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}

    response = superuser.post(url, {**data, "unit": org.kua_b.pk})

    assert response.status_code == 302
    said = get_messages(response.wsgi_request)
    [warning] = [m.message for m in said if m.level == messages.WARNING]
    assert "Pengelola Presensi KUA-A" in warning
    assert "Verifikator" not in warning
