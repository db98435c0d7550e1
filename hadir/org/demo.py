"""The demo organisation: Kankemenag Kabupaten Sleman, its KUA, madrasah and a few hundred ASN.

Deterministic (a fixed random seed), loaded once by ``manage.py load_demo``, so every newcomer
sees the same data and the same demo logins.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from hadir.accounts.models import User
from hadir.common.audit import audit_record
from hadir.org.demo_history import demo_evidence_pdf, demo_history_load, history_start
from hadir.org.models import Employee, Location, Role, RoleAssignment, Unit
from hadir.org.services import unit_paths_refresh
from hadir.schedules.models import WorkPattern

DEMO_PASSWORD = "demo-hadir-sleman"  # noqa: S105 - printed for the demo, never used in production
ROOT_CODE = "KANWIL-DIY"
SLEMAN_CENTRE = (-7.7163, 110.3553)
KAPANEWON = [
    "Berbah",
    "Cangkringan",
    "Depok",
    "Gamping",
    "Godean",
    "Kalasan",
    "Minggir",
    "Mlati",
    "Moyudan",
    "Ngaglik",
    "Ngemplak",
    "Pakem",
    "Prambanan",
    "Seyegan",
    "Sleman",
    "Tempel",
    "Turi",
]
FIRST_NAMES = [
    "Ahmad",
    "Siti",
    "Muhammad",
    "Nur",
    "Dwi",
    "Sri",
    "Budi",
    "Rina",
    "Agus",
    "Fitri",
    "Yusuf",
    "Aisyah",
    "Hendra",
    "Laila",
    "Ridwan",
    "Wahyuni",
    "Fajar",
    "Khoirul",
    "Umi",
    "Zainal",
    "Dewi",
    "Imam",
    "Rahmat",
]
LAST_NAMES = [
    "Hidayat",
    "Rahmawati",
    "Santoso",
    "Kurniawan",
    "Nurhaliza",
    "Prasetyo",
    "Wulandari",
    "Saputra",
    "Hasanah",
    "Setiawan",
    "Maulana",
    "Fauziah",
    "Susanto",
    "Lestari",
    "Ramadhan",
    "Azizah",
]
PNS_GOLONGAN = ["II/a", "II/b", "II/c", "III/a", "III/b", "III/c", "III/d", "IV/a", "IV/b"]
PPPK_GOLONGAN = ["V", "VII", "IX", "X", "XI"]


@dataclass(frozen=True)
class DemoLogin:
    role: str
    username: str
    name: str
    unit: str


def _unit_rows() -> list[tuple[str, str, str, str | None, str]]:
    """(code, name, kind, parent code, pattern) in tree order."""
    K = Unit.Kind
    rows: list[tuple[str, str, str, str | None, str]] = [
        (ROOT_CODE, "Kanwil Kemenag DIY", K.KANWIL, None, "KANTOR_5H"),
        ("KAB-SLEMAN", "Kantor Kemenag Kabupaten Sleman", K.KANKEMENAG, ROOT_CODE, "KANTOR_5H"),
        ("SLEMAN-TU", "Subbagian Tata Usaha", K.SUBBAG, "KAB-SLEMAN", "KANTOR_5H"),
        ("SLEMAN-PENMAD", "Seksi Pendidikan Madrasah", K.SEKSI, "KAB-SLEMAN", "KANTOR_5H"),
        ("SLEMAN-PAI", "Seksi Pendidikan Agama Islam", K.SEKSI, "KAB-SLEMAN", "KANTOR_5H"),
        (
            "SLEMAN-PDPONTREN",
            "Seksi Pendidikan Diniyah dan Pondok Pesantren",
            K.SEKSI,
            "KAB-SLEMAN",
            "KANTOR_5H",
        ),
        ("SLEMAN-BIMAS", "Seksi Bimbingan Masyarakat Islam", K.SEKSI, "KAB-SLEMAN", "KANTOR_5H"),
        ("SLEMAN-PHU", "Seksi Penyelenggaraan Haji dan Umrah", K.SEKSI, "KAB-SLEMAN", "KANTOR_5H"),
    ]
    rows += [
        (f"KUA-{name.upper()}", f"KUA Kapanewon {name}", K.KUA, "KAB-SLEMAN", "KANTOR_5H")
        for name in KAPANEWON
    ]
    rows += [
        ("MIN-1-SLEMAN", "MIN 1 Sleman", K.MADRASAH_NEGERI, "KAB-SLEMAN", "MADRASAH_5H"),
        ("MTSN-1-SLEMAN", "MTsN 1 Sleman", K.MADRASAH_NEGERI, "KAB-SLEMAN", "MADRASAH_5H"),
        ("MAN-1-SLEMAN", "MAN 1 Sleman", K.MADRASAH_NEGERI, "KAB-SLEMAN", "MADRASAH_5H"),
        (
            "MI-MAARIF-SLEMAN",
            "MI Ma'arif Sleman (6 hari, libur Minggu)",
            K.MADRASAH_SWASTA,
            "KAB-SLEMAN",
            "MADRASAH_6H_MINGGU",
        ),
        (
            "MTS-ALHIKMAH-SLEMAN",
            "MTs Al-Hikmah Sleman (6 hari, libur Jumat)",
            K.MADRASAH_SWASTA,
            "KAB-SLEMAN",
            "MADRASAH_6H_JUMAT",
        ),
        ("SDN-1-SLEMAN", "SD Negeri 1 Sleman (Guru PAI)", K.SEKOLAH, "KAB-SLEMAN", "MADRASAH_5H"),
    ]
    return rows


def _headcount(code: str) -> int:
    if code.startswith("KUA-"):
        return 6
    if code in {"MIN-1-SLEMAN", "MTSN-1-SLEMAN", "MAN-1-SLEMAN"}:
        return 40
    if code in {"MI-MAARIF-SLEMAN", "MTS-ALHIKMAH-SLEMAN"}:
        return 12
    if code == "SDN-1-SLEMAN":
        return 1
    if code in {ROOT_CODE}:
        return 0
    return 10


def _nip(rng: random.Random, sequence: int, pppk: bool) -> tuple[str, date]:
    birth = date(rng.randint(1965, 1998), rng.randint(1, 12), rng.randint(1, 28))
    appointed = rng.randint(birth.year + 22, min(birth.year + 35, 2024))
    gender = rng.choice("12")
    middle = f"{appointed}21" if pppk else f"{appointed}{rng.randint(1, 12):02d}"
    return f"{birth:%Y%m%d}{middle}{gender}{sequence % 1000:03d}", birth


def demo_loaded() -> bool:
    return Unit.objects.filter(code="KAB-SLEMAN").exists()


def demo_logins() -> list[DemoLogin]:
    """The demo logins as stored: one per role, plus a plain Pegawai."""
    logins = []
    pegawai = Employee.objects.filter(
        unit__code="MAN-1-SLEMAN", user__isnull=False, user__roles__isnull=True
    ).first()
    if pegawai is not None:
        logins.append(DemoLogin("Pegawai", pegawai.nip, pegawai.name, pegawai.unit.name))
    seen = set()
    for assignment in RoleAssignment.objects.select_related("user", "unit").order_by("id"):
        if assignment.user_id in seen:
            continue
        seen.add(assignment.user_id)
        logins.append(
            DemoLogin(
                assignment.get_role_display(),
                assignment.user.username,
                assignment.user.first_name,
                assignment.unit.name if assignment.unit else "—",
            )
        )
    return logins


@transaction.atomic
def demo_load() -> list[DemoLogin]:
    """Create the demo organisation, employees, locations and one login per role."""
    rng = random.Random(2024)
    patterns = {p.code: p for p in WorkPattern.objects.all()}
    units: dict[str, Unit] = {}
    for code, name, kind, parent, pattern in _unit_rows():
        unit = Unit.objects.create(
            code=code,
            name=name,
            kind=kind,
            parent=units.get(parent) if parent else None,
            timezone="Asia/Jakarta",
            default_pattern=patterns[pattern],
        )
        unit_paths_refresh(unit)
        units[code] = unit
        lat = Decimal(str(round(SLEMAN_CENTRE[0] + rng.uniform(-0.08, 0.08), 6)))
        lng = Decimal(str(round(SLEMAN_CENTRE[1] + rng.uniform(-0.08, 0.08), 6)))
        Location.objects.create(
            unit=unit, name=name, latitude=lat, longitude=lng, radius_m=100, accuracy_tolerance_m=50
        )
    sequence = 0
    employees_by_unit: dict[str, list[Employee]] = {}
    for code, unit in units.items():
        for _ in range(_headcount(code)):
            sequence += 1
            pppk = code.startswith(("MI", "MT", "MAN", "SDN")) and rng.random() < 0.25
            nip, _birth = _nip(rng, sequence, pppk)
            employees_by_unit.setdefault(code, []).append(
                Employee.objects.create(
                    nip=nip,
                    name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                    kind="PPPK" if pppk else "PNS",
                    golongan=rng.choice(PPPK_GOLONGAN if pppk else PNS_GOLONGAN),
                    position=_position(code, pppk),
                    unit=unit,
                    start=history_start(timezone.localdate()),
                )
            )
    _demo_logins(units, employees_by_unit)
    everyone = list(Employee.objects.select_related("unit__default_pattern", "pattern"))
    demo_history_load(everyone, timezone.localdate(), rng)
    _demo_requests(employees_by_unit["MAN-1-SLEMAN"][:4], timezone.localdate())
    audit_record(
        actor=None,
        actor_label="command:load_demo",
        action="org.demo_load",
        summary=lambda: (
            gettext("%(units)s units, %(employees)s employees")
            % {"units": len(units), "employees": sequence}
        ),
    )
    return demo_logins()


def _demo_requests(employees: list[Employee], today: date) -> None:
    """A few complaints waiting in the verifier's queue, with a PDF letter each."""
    from hadir.requests.evidence import evidence_store
    from hadir.requests.services import NewRequest, RequestRefused, request_submit

    day = today - timedelta(days=1)
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    for employee in employees:
        user = employee.user or User.objects.filter(username="admin").first()
        evidence = evidence_store(
            content=demo_evidence_pdf(), original_name="surat-keterangan.pdf", user=user
        )
        try:
            request_submit(
                actor=user,
                employee=employee,
                new=NewRequest(
                    code="SISTEM_ERROR",
                    start=day,
                    end=day,
                    session="PAGI",
                    reason="Mesin presensi error pagi hari.",
                ),
                evidence=evidence,
            )
        except RequestRefused:
            continue


def _position(code: str, pppk: bool) -> str:
    if code.startswith("KUA-"):
        return "Penghulu"
    if code == "SDN-1-SLEMAN":
        return "Guru PAI"
    if code.startswith(("MI", "MT", "MAN")):
        return "Guru" if not pppk else "Guru (PPPK)"
    return "Analis Kepegawaian"


def _demo_logins(units: dict[str, Unit], employees: dict[str, list[Employee]]) -> None:
    plan = [
        ("Pegawai", employees["MAN-1-SLEMAN"][0], None, None),
        ("Pengelola Presensi", employees["SLEMAN-TU"][0], Role.OPERATOR, units["KAB-SLEMAN"]),
        ("Verifikator", employees["SLEMAN-TU"][1], Role.VERIFIER, units["KAB-SLEMAN"]),
        ("Pimpinan", employees["MAN-1-SLEMAN"][1], Role.LEADER, units["MAN-1-SLEMAN"]),
        ("Pengawas", employees["SLEMAN-PENMAD"][0], Role.SUPERVISOR, units["MI-MAARIF-SLEMAN"]),
    ]
    for _label, employee, role, unit in plan:
        user = User(username=employee.nip, first_name=employee.name, is_active=True)
        user.set_password(DEMO_PASSWORD)
        user.save()
        employee.user = user
        employee.save(update_fields=["user"])
        if role is not None:
            RoleAssignment.objects.create(user=user, role=role, unit=unit)
            if role == Role.SUPERVISOR:
                RoleAssignment.objects.create(
                    user=user, role=role, unit=units["MTS-ALHIKMAH-SLEMAN"]
                )
    admin = User.objects.create_superuser(
        username="admin", password=DEMO_PASSWORD, first_name="Admin Hadir"
    )
    RoleAssignment.objects.create(user=admin, role=Role.ADMIN, unit=None)
