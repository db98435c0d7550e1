"""Data for the check-in benchmark: an organisation of 100,000 ASN and 10 M past punches.

Everything is written with PostgreSQL ``COPY`` from rows built here (no ORM objects), so the full
set takes minutes, not hours. Two databases are built and kept between runs:

* ``<name>_empty``: migrated, 1,001 units each with one location, 100,000 employees with valid
  NIPs, login accounts with server-side sessions for the employees the load generator drives,
  one registered device per employee, and policy rows opening the presensi window all day;
* ``<name>``: a copy of the first (``CREATE DATABASE … TEMPLATE``) plus the past punches.

The punches are a real hash chain per employee, sealed by the application's own
:func:`hadir.presence.chain.punch_digest` and spot-checked after loading with
:func:`hadir.presence.chain.chain_breaks`, so ``manage.py verify_punches`` holds on them (with the
bench settings' key).
A table ``bench_meta`` records what was generated, so a later run reuses the databases when the
counts match and deletes whatever an earlier run appended.
"""

from __future__ import annotations

import os
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

import psycopg

GENERATOR_VERSION = "4"
PG_URL = "postgres://postgres@127.0.0.1:5432"
TZ_NAME = "Asia/Jakarta"
KANKEMENAG = 20
CHILDREN_PER_KANKEMENAG = 49  # KUA, madrasah and office sections
LOCATION_RADIUS_M = 150
ACCURACY_TOLERANCE_M = 50
PAST_START = date(2020, 1, 1)  # every employee's attendance counts from here
PASSWORD = "!bench-unusable"  # noqa: S105 - an unusable password: sessions are made server-side, no login


Digest = Callable[[Any, str], str]
"""The application's punch digest (``hadir.presence.chain.punch_digest``): punch, prev_hash."""


@dataclass(frozen=True)
class Scale:
    employees: int
    punches: int
    drivers: int

    @property
    def units(self) -> int:
        return 1 + KANKEMENAG * (1 + CHILDREN_PER_KANKEMENAG)


@dataclass(frozen=True)
class Driver:
    """One employee the load generator checks in: their session and their unit's location."""

    session_key: str
    latitude: float
    longitude: float
    device_id: str


def db_url(name: str) -> str:
    return f"{PG_URL}/{name}"


def log(message: str) -> None:
    print(f"  [{time.strftime('%H:%M:%S')}] {message}", flush=True)


# ---------------------------------------------------------------- databases


def database_exists(name: str) -> bool:
    with psycopg.connect(db_url("postgres"), autocommit=True) as conn:
        row = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        return row is not None


def drop_database(name: str) -> None:
    with psycopg.connect(db_url("postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def create_database(name: str, template: str | None = None) -> None:
    with psycopg.connect(db_url("postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if template:
            conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        else:
            conn.execute(f'CREATE DATABASE "{name}"')


def read_meta(name: str) -> dict[str, str]:
    if not database_exists(name):
        return {}
    with psycopg.connect(db_url(name)) as conn:
        exists = conn.execute("SELECT to_regclass('bench_meta')").fetchone()
        if exists is None or exists[0] is None:
            return {}
        return dict(conn.execute("SELECT key, value FROM bench_meta").fetchall())


def django_on(name: str) -> None:
    """Set Django up (bench settings) on the check-in benchmark's database ``name``, built
    first if missing: for the benchmarks that run in this process on its data."""
    if not read_meta(name):
        import subprocess
        import sys

        print(f"{name} is missing: building it (make bench-checkin --data-only)…", flush=True)
        root = Path(__file__).resolve().parents[1]
        subprocess.run(
            [sys.executable, "bench/checkin_bench.py", "--data-only"], cwd=root, check=True
        )
    os.environ["DJANGO_SETTINGS_MODULE"] = "hadir.config.settings.bench"
    os.environ["DATABASE_URL"] = db_url(name)
    import django

    django.setup()


def write_meta(conn: psycopg.Connection, values: dict[str, object]) -> None:
    conn.execute("CREATE TABLE IF NOT EXISTS bench_meta (key text PRIMARY KEY, value text)")
    for key, value in values.items():
        conn.execute(
            "INSERT INTO bench_meta VALUES (%s, %s)"
            " ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
            [key, str(value)],
        )


def meta_matches(meta: dict[str, str], scale: Scale, *, punches: int) -> bool:
    return (
        meta.get("version") == GENERATOR_VERSION
        and meta.get("employees") == str(scale.employees)
        and meta.get("drivers") == str(scale.drivers)
        and meta.get("punches") == str(punches)
    )


def reset_to_baseline(name: str) -> int:
    """Delete what earlier runs appended; the punch count left.

    Punches are append-only in the application; this is the benchmark's own throw-away database.
    Besides punches: refusals, devices registered by a run, and the employee-days the check-ins
    stored (the generator stores none).
    """
    meta = read_meta(name)
    with psycopg.connect(db_url(name), autocommit=True) as conn:
        # The append-only triggers (hadir.common.append_only) stand aside for a superuser's
        # session in replica mode: this is the benchmark's own throw-away database.
        conn.execute("SET session_replication_role = replica")
        if int(meta["punches"]) == 0:
            conn.execute("TRUNCATE presence_punch, presence_refusal")
        else:
            deleted = conn.execute(
                "DELETE FROM presence_punch WHERE id > %s", [int(meta["max_punch_id"])]
            ).rowcount
            conn.execute("DELETE FROM presence_refusal")
            if deleted:
                # The deleted rows sit in the driven employees' index ranges, the ones every
                # check-in reads; an append-only table in production has none. Autovacuum
                # would wait for 20 % of 10 M dead rows.
                conn.execute("VACUUM presence_punch")
        conn.execute("DELETE FROM presence_device WHERE id > %s", [int(meta["max_device_id"])])
        recap = conn.execute("SELECT to_regclass('recap_employeeday')").fetchone()
        if recap is not None and recap[0] is not None:
            conn.execute("TRUNCATE recap_employeeday")
        row = conn.execute("SELECT count(*) FROM presence_punch").fetchone()
        assert row is not None
        return int(row[0])


# ---------------------------------------------------------------- values


def nip(n: int) -> tuple[str, bool]:
    """The ``n``-th of 12 million distinct valid numbers: a PNS NIP, or a NI PPPK every tenth."""
    birth = date(1965, 1, 1) + timedelta(days=n % 12_000)
    sequence = (n // 12_000) % 1000
    pppk = n % 10 == 9
    appointed = birth.year + 24
    middle = f"{appointed}21" if pppk else f"{appointed}{n % 12 + 1:02d}"
    return f"{birth:%Y%m%d}{middle}{1 + n % 2}{sequence:03d}", pppk


def unit_position(unit_index: int) -> tuple[int, int]:
    """A unit's location in micro-degrees, spread over Central Java and DIY."""
    rnd = random.Random(unit_index)
    return rnd.randint(-7_900_000, -6_900_000), rnd.randint(109_500_000, 111_000_000)


def micro(value: int) -> str:
    return f"{value / 1_000_000:.6f}"


def copy_rows(
    conn: psycopg.Connection, table: str, columns: list[str], rows: Iterator[list[object]]
) -> int:
    count = 0
    with conn.cursor() as cur, cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as cp:
        for row in rows:
            cp.write_row(row)
            count += 1
    return count


def set_sequences(conn: psycopg.Connection, tables: list[str]) -> None:
    for table in tables:
        conn.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"  # noqa: S608
            f" GREATEST((SELECT max(id) FROM {table}), 1))"
        )


# ---------------------------------------------------------------- the organisation


def build_org(
    name: str,
    scale: Scale,
    *,
    encode_session: Callable[[int, str], str],
    migrate: Callable[[], None],
) -> None:
    """Create ``name``: migrated, with the organisation, accounts, sessions and devices."""
    started = time.monotonic()
    create_database(name)
    migrate()
    log("migrated")
    with psycopg.connect(db_url(name)) as conn:
        conn.execute("SET synchronous_commit = off")
        patterns: dict[str, int] = dict(
            conn.execute("SELECT code, id FROM schedules_workpattern").fetchall()
        )
        # The whole day is a presensi window in the benchmark, so a check-in is accepted whenever
        # the benchmark runs (policy as data: the same rows an admin would add).
        for key, value in (("window.start", "00:00"), ("window.end", "23:59")):
            conn.execute(
                "INSERT INTO schedules_policyvalue (key, effective_from, value, note)"
                " VALUES (%s, %s, %s, 'benchmark: presensi open all day')",
                [key, date(2024, 3, 2), value],
            )
        units = list(_unit_rows(patterns))
        copy_rows(
            conn,
            "org_unit",
            ["id", "code", "name", "kind", "parent_id", "path", "timezone", "default_pattern_id"],
            iter(units),
        )
        copy_rows(
            conn,
            "org_location",
            [
                "id",
                "unit_id",
                "name",
                "latitude",
                "longitude",
                "radius_m",
                "accuracy_tolerance_m",
                "active",
            ],
            (
                [
                    unit_id,
                    unit_id,
                    f"Kantor {unit_id}",
                    micro(unit_position(unit_id)[0]),
                    micro(unit_position(unit_id)[1]),
                    LOCATION_RADIUS_M,
                    ACCURACY_TOLERANCE_M,
                    True,
                ]
                for unit_id in range(1, len(units) + 1)
            ),
        )
        log(f"{len(units):,} units with a location each")
        now = datetime.now(UTC)
        driver_ids = driver_employee_ids(scale)
        user_of = {employee_id: index + 1 for index, employee_id in enumerate(driver_ids)}
        copy_rows(
            conn,
            "accounts_user",
            [
                "id",
                "password",
                "is_superuser",
                "username",
                "first_name",
                "last_name",
                "email",
                "is_staff",
                "is_active",
                "date_joined",
                "must_change_password",
            ],
            (_user_row(user_of[e], e, now) for e in driver_ids),
        )
        copy_rows(
            conn, "org_employee", _employee_columns(), _employee_rows(scale, len(units), user_of)
        )
        log(f"{scale.employees:,} employees, {len(driver_ids):,} with an account")
        copy_rows(
            conn,
            "presence_device",
            ["id", "employee_id", "device_id", "first_seen", "active"],
            ([e, e, device_id(e), now, True] for e in range(1, scale.employees + 1)),
        )
        expires = now + timedelta(days=3650)
        copy_rows(
            conn,
            "accounts_session",
            ["session_key", "session_data", "expire_date", "account_id"],
            (
                [session_key(e), encode_session(user_of[e], PASSWORD), expires, user_of[e]]
                for e in driver_ids
            ),
        )
        log(f"{len(driver_ids):,} sessions, {scale.employees:,} devices")
        set_sequences(
            conn, ["org_unit", "org_location", "accounts_user", "org_employee", "presence_device"]
        )
        write_meta(
            conn,
            {
                "version": GENERATOR_VERSION,
                "employees": scale.employees,
                "drivers": scale.drivers,
                "units": len(units),
                "punches": 0,
                "max_punch_id": 0,
                "max_device_id": scale.employees,
                "org_seconds": round(time.monotonic() - started, 1),
            },
        )
        conn.commit()
    with psycopg.connect(db_url(name), autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")


def _unit_rows(patterns: dict[str, int]) -> Iterator[list[object]]:
    yield [1, "KANWIL-BENCH", "Kanwil Bench", "KANWIL", None, "/1/", TZ_NAME, patterns["KANTOR_5H"]]
    unit_id = 1
    for k in range(KANKEMENAG):
        unit_id += 1
        parent = unit_id
        yield [
            parent,
            f"KAB-{k}",
            f"Kankemenag {k}",
            "KANKEMENAG",
            1,
            f"/1/{parent}/",
            TZ_NAME,
            patterns["KANTOR_5H"],
        ]
        for c in range(CHILDREN_PER_KANKEMENAG):
            unit_id += 1
            madrasah = c % 2 == 1
            yield [
                unit_id,
                f"U-{k}-{c}",
                f"{'Madrasah' if madrasah else 'KUA'} {k}-{c}",
                "MADRASAH_NEGERI" if madrasah else "KUA",
                parent,
                f"/1/{parent}/{unit_id}/",
                TZ_NAME,
                patterns["MADRASAH_5H" if madrasah else "KANTOR_5H"],
            ]


def _user_row(user_id: int, employee_id: int, joined: datetime) -> list[object]:
    username = nip(employee_id)[0]
    return [
        user_id,
        PASSWORD,
        False,
        username,
        "Pegawai",
        str(employee_id),
        "",
        False,
        True,
        joined,
        False,
    ]


def _employee_columns() -> list[str]:
    return [
        "id",
        "nip",
        "name",
        "kind",
        "golongan",
        "position",
        "email",
        "unit_id",
        "start",
        "user_id",
    ]


def employee_unit(employee_id: int, units: int) -> int:
    return 2 + (employee_id - 1) % (units - 1)  # every unit but the Kanwil root


def _employee_rows(scale: Scale, units: int, user_of: dict[int, int]) -> Iterator[list[object]]:
    from hadir.org.demo import FIRST_NAMES, LAST_NAMES

    for e in range(1, scale.employees + 1):
        number, pppk = nip(e)
        yield [
            e,
            number,
            f"{FIRST_NAMES[e % len(FIRST_NAMES)]} {LAST_NAMES[e // 7 % len(LAST_NAMES)]} {e}",
            "PPPK" if pppk else "PNS",
            "IX" if pppk else "III/b",
            "",
            "",
            employee_unit(e, units),
            PAST_START,
            user_of.get(e),
        ]


def driver_employee_ids(scale: Scale) -> list[int]:
    """Employees the load generator drives: the same number in every unit (but the Kanwil's).

    Employees are dealt to units in turn (see :func:`employee_unit`), so ids ``1 + u + U * m``
    are the employees of unit ``u``; the drivers take every unit in turn, then the next round
    further along each unit's staff.
    """
    units = scale.units - 1
    count = min(scale.drivers, scale.employees)
    rounds = -(-count // units)
    stride = max(1, scale.employees // units // rounds)
    return [1 + i % units + units * stride * (i // units) for i in range(count)]


def sign_sessions(name: str, scale: Scale, encode_session: Callable[[int, str], str]) -> None:
    """Sign the drivers' sessions again with the current settings (a session names the
    authentication backend that logged it in, and a settings change may move it)."""
    driver_ids = driver_employee_ids(scale)
    with psycopg.connect(db_url(name)) as conn, conn.cursor() as cursor:
        cursor.executemany(
            "UPDATE accounts_session SET session_data = %s WHERE session_key = %s",
            [
                (encode_session(index + 1, PASSWORD), session_key(e))
                for index, e in enumerate(driver_ids)
            ],
        )


def session_key(employee_id: int) -> str:
    return f"bench{employee_id:027d}"  # 32 characters, like Django's keys


def device_id(employee_id: int) -> str:
    return f"bench-device-{employee_id}"


def user_ids(scale: Scale) -> list[int]:
    return list(range(1, len(driver_employee_ids(scale)) + 1))


def drivers(scale: Scale) -> list[Driver]:
    units = Scale(scale.employees, 0, scale.drivers).units
    result = []
    for e in driver_employee_ids(scale):
        lat, lng = unit_position(employee_unit(e, units))
        result.append(Driver(session_key(e), lat / 1e6, lng / 1e6, device_id(e)))
    return result


# ---------------------------------------------------------------- punches


def past_workdays(count: int, before: date) -> list[date]:
    """The ``count`` Monday-to-Friday dates before ``before``, oldest first."""
    days: list[date] = []
    day = before - timedelta(days=1)
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day)
        day -= timedelta(days=1)
    return days[::-1]


def load_punches(name: str, scale: Scale, *, digest: Digest, verify: Callable[[], int]) -> None:
    """Append ``scale.punches`` past punches to ``name`` (a copy of the organisation database).

    Two punches (datang, pulang) per employee per working day over the last months, in the order
    a real system records them (a day at a time, so one employee's rows are spread over the
    table), with the indexes dropped during ``COPY`` and rebuilt afterwards.
    """
    started = time.monotonic()
    per_employee = scale.punches // scale.employees
    remainder = scale.punches - per_employee * scale.employees
    days = past_workdays((per_employee + 2) // 2, datetime.now(ZoneInfo(TZ_NAME)).date())
    units = scale.units
    with psycopg.connect(db_url(name)) as conn:
        conn.execute("SET synchronous_commit = off")
        conn.execute("SET maintenance_work_mem = '1GB'")
        rebuild = _drop_punch_indexes(conn)
        conn.commit()
        log(f"dropped {len(rebuild)} punch indexes and constraints for the load")
        columns = [
            "id",
            "employee_id",
            "at",
            "recorded_at",
            "source",
            "latitude",
            "longitude",
            "accuracy_m",
            "location_id",
            "device_id",
            "idempotency_key",
            "counts",
            "flags",
            "prev_hash",
            "hash",
        ]
        written = 0
        copy = f"COPY presence_punch ({', '.join(columns)}) FROM STDIN"
        with conn.cursor() as cur, cur.copy(copy) as cp:
            for block in _punch_blocks(scale, days, per_employee, remainder, units, digest):
                cp.write(block)
                written += block.count(b"\n")
                if written % 1_000_000 < 20_000:
                    log(f"{written:,} punches written")
        conn.commit()
        log(f"{written:,} punches copied in {time.monotonic() - started:.0f} s; rebuilding indexes")
        for statement in rebuild:
            conn.execute(statement)
            conn.commit()
        set_sequences(conn, ["presence_punch"])
        row = conn.execute("SELECT max(id) FROM presence_punch").fetchone()
        assert row is not None
        write_meta(
            conn,
            {"punches": written, "max_punch_id": row[0] or 0},
        )
        conn.commit()
        log(f"indexes rebuilt after {time.monotonic() - started:.0f} s; vacuum analyze")
    with psycopg.connect(db_url(name), autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE presence_punch")
    checked = verify()
    log(f"hash chains of {checked} employees verified")
    with psycopg.connect(db_url(name), autocommit=True) as conn:
        write_meta(conn, {"punch_seconds": round(time.monotonic() - started, 1)})


def _drop_punch_indexes(conn: psycopg.Connection) -> list[str]:
    """Drop every index and constraint of the punch table but its primary key.

    Returns the statements that recreate them exactly (names and definitions as migrated).
    """
    constraints = conn.execute(
        "SELECT conname, pg_get_constraintdef(oid), contype FROM pg_constraint"
        " WHERE conrelid = 'presence_punch'::regclass AND contype IN ('u', 'f')"
    ).fetchall()
    constraint_names = {name for name, _, _ in constraints}
    indexes = conn.execute(
        "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x"
        " JOIN pg_class i ON i.oid = x.indexrelid"
        " WHERE x.indrelid = 'presence_punch'::regclass AND NOT x.indisprimary"
    ).fetchall()
    rebuild: list[str] = []
    for name, definition, _kind in sorted(constraints, key=lambda c: c[2] == "f"):
        conn.execute(f'ALTER TABLE presence_punch DROP CONSTRAINT "{name}"')
        rebuild.append(f'ALTER TABLE presence_punch ADD CONSTRAINT "{name}" {definition}')
    for name, definition in indexes:
        if name in constraint_names:
            continue
        conn.execute(f'DROP INDEX "{name}"')
        rebuild.insert(0, definition)
    # Unique constraints and indexes first (they are what a foreign key check can use), then FKs.
    return sorted(rebuild, key=lambda s: "FOREIGN KEY" in s)


def _punch_blocks(
    scale: Scale, days: list[date], per_employee: int, remainder: int, units: int, digest: Digest
) -> Iterator[bytes]:
    """COPY text for every punch, a day's datang (then pulang) of all employees at a time."""
    tz = ZoneInfo(TZ_NAME)
    rnd = random.Random(20240301)
    employees = range(1, scale.employees + 1)
    heads = [""] * (scale.employees + 1)
    unit_of = [0] + [employee_unit(e, units) for e in employees]
    positions = [unit_position(u) for u in range(units + 1)]
    devices = [device_id(e) for e in range(scale.employees + 1)]
    # What the application's digest reads off a punch; one object, refilled for every row.
    punch = SimpleNamespace(
        source="APP", counts=True, flags="", machine_id=None, recorded_by_id=None
    )
    punch_id = 0
    block: list[str] = []
    for day_index, day in enumerate(days):
        for half in (0, 1):
            slot = day_index * 2 + half
            # Minutes after midnight: datang 06:45-08:15, pulang 15:30-17:30 (local time).
            base = datetime(day.year, day.month, day.day, tzinfo=tz).astimezone(UTC)
            first, span = (405, 90) if half == 0 else (930, 120)
            for e in employees:
                if slot >= per_employee + (1 if e <= remainder else 0):
                    continue
                punch_id += 1
                at = base + timedelta(
                    seconds=(first + rnd.randrange(span)) * 60 + rnd.randrange(60)
                )
                lat, lng = positions[unit_of[e]]
                lat_text = micro(lat + rnd.randrange(-400, 400))
                lng_text = micro(lng + rnd.randrange(-400, 400))
                accuracy = round(5 + rnd.randrange(2500) / 100, 2)
                key = f"{rnd.getrandbits(128):032x}"
                punch.employee_id = e
                punch.at = punch.recorded_at = at
                punch.latitude = Decimal(lat_text)
                punch.longitude = Decimal(lng_text)
                punch.accuracy_m = accuracy
                punch.location_id = unit_of[e]
                punch.device_id = devices[e]
                punch.idempotency_key = key
                sealed = digest(punch, heads[e])
                iso = at.isoformat()
                block.append(
                    f"{punch_id}\t{e}\t{iso}\t{iso}\tAPP\t{lat_text}\t{lng_text}\t{accuracy!r}\t"
                    f"{unit_of[e]}\t{devices[e]}\t{key}\tt\t\t{heads[e]}\t{sealed}\n"
                )
                heads[e] = sealed
                if len(block) >= 20_000:
                    yield "".join(block).encode()
                    block = []
    if block:
        yield "".join(block).encode()
