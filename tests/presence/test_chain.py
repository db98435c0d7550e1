"""Punches are evidence: append-only in the model, and tampering behind it breaks the chain."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import ProtectedError

from hadir.common.append_only import trigger_name
from hadir.common.models import AuditEvent
from hadir.org.models import Employee
from hadir.presence.chain import GENESIS, head_mac, punch_digest, punch_seal
from hadir.presence.management.commands import verify_punches as command
from hadir.presence.models import AppendOnlyError, ChainCheckpoint, ChainHead, Punch, Refusal
from hadir.presence.services import ChainHeadsGone, chain_checkpoint_take, punch_check_in
from tests.factories import EmployeeFactory, UserFactory
from tests.presence.support import (
    MONDAY,
    at_point,
    local,
    needs_concurrent_writers,
    run_together,
)


@pytest.fixture(autouse=True)
def owner_with_triggers_off() -> Iterator[None]:
    """These tests tamper as the tables' owner can, with PostgreSQL's append-only triggers
    turned off (tests/presence/test_append_only.py shows they are on otherwise)."""
    tables = ("presence_punch", "presence_refusal")
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER {trigger_name(table)}")
    yield
    if not connection.in_atomic_block:  # a test's transaction, rolled back, restores them
        with connection.cursor() as cursor:
            for table in tables:
                cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER {trigger_name(table)}")


@pytest.fixture
def day_of_punches(employee: Employee) -> list[Punch]:
    """Three punches of Siti on Monday, and one of a colleague in between."""
    colleague = EmployeeFactory.create(unit=employee.unit)
    punches = []
    for hhmm in ("07:20", "12:00", "16:05"):
        outcome = punch_check_in(employee=employee, check_in=at_point(), now=local(MONDAY, hhmm))
        assert outcome.punch is not None
        punches.append(outcome.punch)
        punch_check_in(employee=colleague, check_in=at_point(), now=local(MONDAY, hhmm))
    return punches


def verify(*args: str) -> str:
    out = StringIO()
    call_command("verify_punches", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def verify_fails(*args: str) -> list[str]:
    """Run ``verify_punches`` expecting it to fail; the broken links it listed."""
    err = StringIO()
    with pytest.raises(CommandError, match="rantai rusak dari"):
        call_command("verify_punches", *args, stdout=StringIO(), stderr=err)
    return err.getvalue().splitlines()


def test_an_intact_chain_verifies(day_of_punches: list[Punch]) -> None:
    assert verify().strip() == "OK: 6 presensi, rantai utuh"


def test_one_employees_chain_can_be_verified_alone(
    employee: Employee, day_of_punches: list[Punch]
) -> None:
    assert "OK: 3 presensi" in verify("--nip", employee.nip)


def test_each_punch_links_to_the_employees_previous_one(day_of_punches: list[Punch]) -> None:
    first, second, third = day_of_punches
    assert first.prev_hash == ""
    assert second.prev_hash == first.hash
    assert third.prev_hash == second.hash


def test_moving_a_punchs_time_with_a_queryset_update_is_detected(
    employee: Employee, day_of_punches: list[Punch]
) -> None:
    late = day_of_punches[0]
    Punch.objects.filter(pk=late.pk).update(at=late.at - timedelta(minutes=30))

    problems = verify_fails()

    assert problems == [f"NIP {employee.nip}, presensi {late.pk}: isi tidak cocok dengan hash-nya"]


def test_moving_a_punch_with_raw_sql_is_detected(
    employee: Employee, day_of_punches: list[Punch]
) -> None:
    moved = day_of_punches[1]
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE presence_punch SET latitude = %s WHERE id = %s",
            [Decimal("-7.700000"), moved.pk],
        )

    assert verify_fails() == [
        f"NIP {employee.nip}, presensi {moved.pk}: isi tidak cocok dengan hash-nya"
    ]


def test_deleting_a_middle_punch_with_raw_sql_breaks_the_next_link(
    employee: Employee, day_of_punches: list[Punch]
) -> None:
    _first, middle, last = day_of_punches
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM presence_punch WHERE id = %s", [middle.pk])

    assert verify_fails() == [
        f"NIP {employee.nip}, presensi {last.pk}: prev_hash tidak cocok dengan presensi sebelumnya"
    ]


def test_tampering_with_one_employee_leaves_the_others_chain_intact(
    employee: Employee, day_of_punches: list[Punch]
) -> None:
    Punch.objects.filter(pk=day_of_punches[2].pk).update(counts=False)

    assert len(verify_fails()) == 1
    colleague = Employee.objects.exclude(pk=employee.pk).get()
    assert "OK: 3 presensi" in verify("--nip", colleague.nip)


def test_saving_a_stored_punch_again_is_refused(day_of_punches: list[Punch]) -> None:
    punch = Punch.objects.get(pk=day_of_punches[0].pk)
    punch.at -= timedelta(hours=1)

    with pytest.raises(AppendOnlyError):
        punch.save()

    assert Punch.objects.get(pk=punch.pk).at == day_of_punches[0].at


def test_deleting_a_punch_is_refused(day_of_punches: list[Punch]) -> None:
    with pytest.raises(AppendOnlyError):
        day_of_punches[0].delete()
    assert Punch.objects.filter(pk=day_of_punches[0].pk).exists()


@pytest.mark.django_db(transaction=True)
def test_parallel_punches_of_one_employee_still_form_one_unbroken_chain(
    employee: Employee,
) -> None:
    needs_concurrent_writers()

    def tap(index: int) -> bool:
        outcome = punch_check_in(
            employee=Employee.objects.select_related("unit", "user").get(pk=employee.pk),
            check_in=at_point(idempotency_key=f"tap-{index}"),
            now=local(MONDAY, "07:20") + timedelta(seconds=index),
        )
        return outcome.accepted

    assert run_together(12, tap) == [True] * 12
    chain = list(Punch.objects.filter(employee=employee).order_by("id"))
    assert len(chain) == 12
    assert len({punch.prev_hash for punch in chain}) == 12  # no two punches share a parent
    assert "OK: 12 presensi" in verify()


# --- checkpoints: the end of each chain --------------------------------------------------


def test_a_checkpoint_prints_a_digest_chained_to_the_previous_one(
    day_of_punches: list[Punch],
) -> None:
    first = verify("--checkpoint")
    second = verify("--checkpoint")

    earlier, later = ChainCheckpoint.objects.order_by("id")
    assert f"checkpoint {earlier.pk}: 2 ujung rantai, digest {earlier.digest}" in first
    assert later.previous == earlier.digest
    assert later.digest in second


def test_deleting_the_newest_punch_after_a_checkpoint_is_detected(
    employee: Employee, day_of_punches: list[Punch]
) -> None:
    verify("--checkpoint")
    newest = day_of_punches[-1]
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM presence_punch WHERE id = %s", [newest.pk])

    assert verify_fails() == [
        f"NIP {employee.nip}, presensi {newest.pk}: presensi yang dicatat checkpoint terakhir hilang"
    ]


def test_punches_after_a_checkpoint_keep_the_chain_intact(
    employee: Employee, day_of_punches: list[Punch]
) -> None:
    verify("--checkpoint")
    punch_check_in(employee=employee, check_in=at_point(), now=local(MONDAY, "16:30"))

    assert verify().startswith("OK: 7 presensi")


def test_a_checkpoint_head_moved_back_by_hand_is_detected(
    employee: Employee, day_of_punches: list[Punch]
) -> None:
    """Deleting the newest punch and pointing its head at the one before, without the key."""
    verify("--checkpoint")
    newest, before = day_of_punches[-1], day_of_punches[-2]
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM presence_punch WHERE id = %s", [newest.pk])
    ChainHead.objects.filter(employee=employee).update(punch_id=before.pk, hash=before.hash)

    problems = verify_fails()

    assert f"NIP {employee.nip}, presensi {before.pk}: catatan checkpoint" in problems[0]


def test_a_checkpoint_head_deleted_is_detected(
    employee: Employee, day_of_punches: list[Punch]
) -> None:
    verify("--checkpoint")
    ChainHead.objects.filter(employee=employee).delete()

    checkpoint = ChainCheckpoint.objects.get()
    assert verify_fails() == [f"ujung rantai tidak lagi cocok dengan checkpoint {checkpoint.pk}"]


def test_no_checkpoint_vouches_for_a_broken_chain(day_of_punches: list[Punch]) -> None:
    Punch.objects.filter(pk=day_of_punches[0].pk).update(at=local(MONDAY, "06:59"))

    with pytest.raises(CommandError):
        call_command("verify_punches", "--checkpoint", stdout=StringIO(), stderr=StringIO())

    assert not ChainCheckpoint.objects.exists()


def test_a_checkpoint_refuses_heads_deleted_after_the_chains_were_checked(
    employee: Employee, day_of_punches: list[Punch]
) -> None:
    """The deletion lands between the check and the checkpoint: it is not vouched for."""
    verify("--checkpoint")
    newest = day_of_punches[-1]
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM presence_punch WHERE id = %s", [newest.pk])

    heads = [
        (head.employee_id, head.punch_id, head.hash, head.length or 0)
        for head in ChainHead.objects.order_by("employee_id")
    ]
    with pytest.raises(ChainHeadsGone) as gone:
        chain_checkpoint_take(heads)

    assert gone.value.gone == [(employee.pk, newest.pk)]
    assert ChainCheckpoint.objects.count() == 1


def test_every_checkpoint_is_audited(day_of_punches: list[Punch]) -> None:
    verify("--checkpoint")

    event = AuditEvent.objects.get(action="presence.chain_checkpoint")
    assert event.actor_label == "command:verify_punches"
    assert event.summary.endswith(ChainCheckpoint.objects.get().digest)


def test_a_refusal_is_evidence_and_cannot_be_changed_or_deleted(employee: Employee) -> None:
    outcome = punch_check_in(
        employee=employee, check_in=at_point(accuracy_m=500), now=local(MONDAY, "07:20")
    )
    refusal = outcome.refusal
    assert refusal is not None

    refusal.reason = Refusal.Reason.MOCK_LOCATION
    with pytest.raises(AppendOnlyError):
        refusal.save()
    with pytest.raises(AppendOnlyError):
        refusal.delete()
    with pytest.raises(ProtectedError):
        employee.delete()
    assert Refusal.objects.get().reason == Refusal.Reason.POOR_ACCURACY


def test_the_check_since_the_checkpoint_reads_each_chain_from_its_head_on(
    employee: Employee, day_of_punches: list[Punch]
) -> None:
    verify("--checkpoint")
    punch_check_in(employee=employee, check_in=at_point(), now=local(MONDAY, "16:30"))

    # Two heads (Siti's, her colleague's), and Siti's new punch.
    assert verify("--since-checkpoint").strip() == (
        "OK: 3 presensi sejak checkpoint terakhir, rantai utuh"
    )


def test_the_check_since_the_checkpoint_sees_a_later_punch_changed(
    employee: Employee, day_of_punches: list[Punch]
) -> None:
    verify("--checkpoint")
    outcome = punch_check_in(employee=employee, check_in=at_point(), now=local(MONDAY, "16:30"))
    assert outcome.punch is not None
    Punch.objects.filter(pk=outcome.punch.pk).update(at=local(MONDAY, "17:30"))

    assert verify_fails("--since-checkpoint") == [
        f"NIP {employee.nip}, presensi {outcome.punch.pk}: isi tidak cocok dengan hash-nya"
    ]


def test_the_check_since_the_checkpoint_still_checks_the_heads_own_contents(
    employee: Employee, day_of_punches: list[Punch]
) -> None:
    verify("--checkpoint")
    head = day_of_punches[-1]
    Punch.objects.filter(pk=head.pk).update(at=local(MONDAY, "17:30"))

    assert verify_fails("--since-checkpoint") == [
        f"NIP {employee.nip}, presensi {head.pk}: isi tidak cocok dengan hash-nya"
    ]


def test_the_check_since_the_checkpoint_sees_a_head_deleted(
    employee: Employee, day_of_punches: list[Punch]
) -> None:
    verify("--checkpoint")
    head = day_of_punches[-1]
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM presence_punch WHERE id = %s", [head.pk])

    assert verify_fails("--since-checkpoint") == [
        f"NIP {employee.nip}, presensi {head.pk}: rantai sampai ujung ini berisi 2 presensi; "
        "checkpoint menghitung 3",
        f"NIP {employee.nip}, presensi {head.pk}: presensi yang dicatat checkpoint terakhir hilang",
    ]


def test_only_the_whole_check_sees_a_punch_changed_before_the_checkpoint(
    employee: Employee, day_of_punches: list[Punch]
) -> None:
    """Why the whole check still runs weekly: the checkpoint vouches for what lies before it."""
    verify("--checkpoint")
    first = day_of_punches[0]
    Punch.objects.filter(pk=first.pk).update(at=local(MONDAY, "06:59"))

    assert verify("--since-checkpoint").startswith("OK: 2 presensi sejak checkpoint terakhir")
    assert verify_fails() == [
        f"NIP {employee.nip}, presensi {first.pk}: isi tidak cocok dengan hash-nya"
    ]


def test_the_check_since_the_checkpoint_of_one_employee_reads_only_their_chain(
    employee: Employee, day_of_punches: list[Punch]
) -> None:
    verify("--checkpoint")
    punch_check_in(employee=employee, check_in=at_point(), now=local(MONDAY, "16:30"))

    assert verify("--since-checkpoint", "--nip", employee.nip).startswith("OK: 2 presensi")


def forged(employee: Employee, hhmm: str, **fields: Any) -> Punch:
    """A check-in written straight into the table by someone without the chain key: an INSERT,
    which PostgreSQL's append-only triggers (on UPDATE and DELETE) do not refuse."""
    (punch,) = Punch.objects.bulk_create(
        [
            Punch(
                employee=employee,
                at=local(MONDAY, hhmm),
                source=Punch.Source.IMPORT,
                prev_hash="",
                hash="0" * 64,
                **fields,
            )
        ]
    )
    return punch


def test_the_check_since_the_checkpoint_sees_a_row_inserted_below_the_head(
    employee: Employee, day_of_punches: list[Punch]
) -> None:
    """The id of an inserted row is the writer's to choose: below the head, the tail the
    nightly check reads never holds it, but the chain's count up to the head grows."""
    verify("--checkpoint")
    head = day_of_punches[-1]
    forged(employee, "07:25", id=-1)

    assert verify_fails("--since-checkpoint") == [
        f"NIP {employee.nip}, presensi {head.pk}: rantai sampai ujung ini berisi 4 presensi; "
        "checkpoint menghitung 3"
    ]


def test_a_checkpoint_vouches_only_for_the_punches_its_check_read(
    employee: Employee, day_of_punches: list[Punch], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Between the check and the checkpoint a forged row lands and the employee's genuine next
    check-in chains onto it: the checkpoint must not sign that check-in as the chain's head."""

    def forged_meanwhile(*args: Any, **kwargs: Any) -> Any:
        forged(employee, "16:10")
        punch_check_in(employee=employee, check_in=at_point(), now=local(MONDAY, "16:30"))
        return chain_checkpoint_take(*args, **kwargs)

    monkeypatch.setattr(command, "chain_checkpoint_take", forged_meanwhile)
    verify("--since-checkpoint", "--checkpoint")
    monkeypatch.undo()

    assert ChainHead.objects.get(employee=employee).punch_id == day_of_punches[-1].pk
    assert len(verify_fails("--since-checkpoint")) == 1


def test_heads_recorded_before_lengths_were_kept_have_their_chains_checked_whole(
    employee: Employee, day_of_punches: list[Punch]
) -> None:
    verify("--checkpoint")
    for head in ChainHead.objects.all():
        ChainHead.objects.filter(pk=head.pk).update(
            length=None, mac=head_mac(head.employee_id, head.punch_id, head.hash, None)
        )

    assert verify("--since-checkpoint").strip() == "OK: 6 presensi, rantai utuh"


@pytest.mark.parametrize("field", ["recorded_by", "recorded_at"])
def test_who_recorded_a_punch_and_when_cannot_be_rewritten_unseen(
    employee: Employee, day_of_punches: list[Punch], field: str
) -> None:
    """An operator's import blamed on another, or an import after a closing backdated: the
    hash covers who recorded a punch and when."""
    other = UserFactory.create()
    punch = day_of_punches[1]
    changed = {"recorded_by": other, "recorded_at": punch.recorded_at - timedelta(days=3)}
    Punch.objects.filter(pk=punch.pk).update(**{field: changed[field]})

    assert verify_fails() == [
        f"NIP {employee.nip}, presensi {punch.pk}: isi tidak cocok dengan hash-nya"
    ]


def test_a_punch_sealed_before_the_hash_covered_its_recording_still_verifies(
    employee: Employee,
) -> None:
    """Punches stored by an earlier release were sealed without who recorded them and when:
    their chain stays intact, and changing their contents still shows."""
    first = forged(employee, "07:20")
    Punch.objects.filter(pk=first.pk).update(hash=punch_digest(first, GENESIS, legacy=True))
    first.refresh_from_db()
    second = Punch(employee=employee, at=local(MONDAY, "16:05"), source=Punch.Source.APP)
    punch_seal(second, first.hash)
    second.save()

    assert "OK: 2 presensi" in verify()
    Punch.objects.filter(pk=first.pk).update(at=first.at - timedelta(minutes=5))
    assert len(verify_fails()) == 1
