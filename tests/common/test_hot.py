"""Hand-written hot-path SQL gives back what the ORM gives back, on SQLite and on PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.db.models.signals import post_save, pre_save
from django.test import override_settings

from hadir.common import hot
from hadir.presence.models import Punch, Refusal
from tests.factories import EmployeeFactory

AT = datetime(2024, 3, 4, 0, 42, 5, 123456, tzinfo=UTC)
PUNCH = Punch._meta.db_table


@pytest.fixture
def punch(db: None) -> Punch:
    employee = EmployeeFactory.create()
    stored = Punch(
        employee=employee,
        at=AT,
        source=Punch.Source.APP,
        latitude=Decimal("-7.716100"),
        longitude=Decimal("110.355400"),
        accuracy_m=9.5,
        device_id="hp-1",
        prev_hash="",
        hash="h1",
    )
    hot.insert(stored)
    return stored


def test_an_inserted_punch_reads_back_through_the_orm_with_its_key_and_stamp(punch: Punch) -> None:
    stored = Punch.objects.get(pk=punch.pk)

    assert punch.pk is not None
    assert punch._state.adding is False
    assert stored.at == AT
    assert (stored.latitude, stored.longitude) == (Decimal("-7.716100"), Decimal("110.355400"))
    assert stored.recorded_at is not None  # auto_now_add, as save() sets it
    assert stored.recorded_at.tzinfo is not None
    assert stored.counts is True


def test_a_row_with_its_own_key_is_refused_rather_than_stored_under_another(punch: Punch) -> None:
    again = Punch(pk=punch.pk + 100, employee=punch.employee, at=AT, hash="h2", prev_hash="h1")

    with pytest.raises(ValueError, match=r"new presence\.Punch row"):
        hot.insert(again)
    assert Punch.objects.count() == 1


def test_fetched_values_have_the_orms_types(punch: Punch) -> None:
    fields = ("at", "latitude", "accuracy_m", "counts", "device_id")
    by_hand = hot.fetch(
        Punch,
        fields,
        f"SELECT at, latitude, accuracy_m, counts, device_id FROM {PUNCH} WHERE id = %s",  # noqa: S608
        [punch.pk],
    )
    by_orm = list(Punch.objects.filter(pk=punch.pk).values_list(*fields))

    assert by_hand == by_orm
    assert by_hand[0][0] == AT
    assert isinstance(by_hand[0][1], Decimal)
    assert by_hand[0][3] is True


def test_a_datetime_parameter_compares_as_the_orms_does(punch: Punch) -> None:
    query = f"SELECT id FROM {PUNCH} WHERE at >= %s AND at < %s"  # noqa: S608

    def found(since: datetime, until: datetime) -> list[tuple[object, ...]]:
        return hot.fetch(
            Punch, ("id",), query, [hot.value(Punch, "at", since), hot.value(Punch, "at", until)]
        )

    in_jakarta = AT.astimezone(datetime.now().astimezone().tzinfo)
    assert found(in_jakarta, in_jakarta + timedelta(microseconds=1)) == [(punch.pk,)]
    assert found(AT + timedelta(microseconds=1), AT + timedelta(hours=1)) == []


def test_instances_load_only_the_named_fields_and_defer_the_rest(punch: Punch) -> None:
    (loaded,) = hot.instances(
        Punch,
        ("id", "at", "device_id"),
        f"SELECT id, at, device_id FROM {PUNCH} WHERE id = %s",  # noqa: S608
        [punch.pk],
    )

    assert (loaded.pk, loaded.at, loaded.device_id) == (punch.pk, AT, "hp-1")
    assert loaded.get_deferred_fields() >= {"latitude", "hash"}
    assert loaded.hash == "h1"  # a deferred field loads on access, as with .only()


def test_a_json_column_comes_back_decoded(db: None) -> None:
    refusal = Refusal.objects.create(
        employee=EmployeeFactory.create(), at=AT, reason="OUTSIDE_AREA", detail={"distance_m": 2000}
    )
    (row,) = hot.fetch(
        Refusal,
        ("detail", "at"),
        f"SELECT detail, at FROM {Refusal._meta.db_table} WHERE id = %s",  # noqa: S608
        [refusal.pk],
    )
    assert row == ({"distance_m": 2000}, AT)


def test_no_signal_listens_to_punches_which_hot_insert_does_not_send() -> None:
    assert not any(signal.has_listeners(Punch) for signal in (pre_save, post_save))


def test_a_batch_returns_each_statements_rows_typed_and_skips_unwanted_ones(punch: Punch) -> None:
    count, nothing, typed = hot.batch(
        [
            hot.Statement(f"SELECT count(*) FROM {PUNCH}", (), (None,)),  # noqa: S608
            hot.Statement(f"UPDATE {PUNCH} SET device_id = device_id WHERE id < 0"),  # noqa: S608
            hot.Statement(
                f"SELECT at, counts FROM {PUNCH} WHERE id = %s",  # noqa: S608
                [punch.pk],
                ((Punch, "at"), (Punch, "counts")),
            ),
        ]
    )

    assert count == [(1,)]
    assert nothing == []
    assert typed == [(AT, True)]


def test_a_statement_of_a_batch_sees_what_the_one_before_it_wrote(punch: Punch) -> None:
    later = Punch(employee=punch.employee, at=AT + timedelta(hours=9), prev_hash="h1", hash="h2")

    written, (count,) = hot.batch(
        [
            hot.insert_statement(later),
            hot.Statement(
                f"SELECT count(*) FROM {PUNCH} WHERE employee_id = %s",  # noqa: S608
                [punch.employee_id],
                (None,),
            ),
        ]
    )
    hot.inserted(later, written)

    assert count == (2,)
    assert Punch.objects.get(hash="h2").pk == later.pk


def test_a_failing_statement_stops_the_batch_with_its_error(punch: Punch) -> None:
    from django.db import DatabaseError, transaction

    later = Punch(employee=punch.employee, at=AT + timedelta(hours=9), prev_hash="h1", hash="h2")
    with transaction.atomic():
        with pytest.raises(DatabaseError):
            hot.batch(
                [
                    hot.Statement("SAVEPOINT before_batch"),
                    hot.Statement("SELECT * FROM no_such_table", (), (None,)),
                    hot.insert_statement(later),
                ]
            )
        hot.batch([hot.Statement("ROLLBACK TO SAVEPOINT before_batch")])

        assert list(Punch.objects.values_list("hash", flat=True)) == ["h1"]


def test_with_server_side_binding_a_batch_runs_its_statements_one_at_a_time(
    punch: Punch, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PostgreSQL refuses several commands in one prepared statement: a setting that turns
    Django's server-side binding on must not break the check-in."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    monkeypatch.setitem(connection.settings_dict["OPTIONS"], "server_side_binding", True)

    with CaptureQueriesContext(connection) as captured:
        one, two = hot.batch(
            [
                hot.Statement(f"SELECT hash FROM {PUNCH}", (), (None,)),  # noqa: S608
                hot.Statement(f"SELECT count(*) FROM {PUNCH}", (), (None,)),  # noqa: S608
            ]
        )

    assert (one, two) == ([("h1",)], [(1,)])
    assert [";" in q["sql"] for q in captured.captured_queries] == [False, False]


def _hash_of(punch: Punch, *, prepared: str = "") -> hot.Statement:
    return hot.Statement(
        f"SELECT hash FROM {PUNCH} WHERE id = %s AND at = %s",  # noqa: S608
        [punch.pk, hot.value(Punch, "at", AT)],
        ((Punch, "hash"),),
        prepared=prepared,
    )


def _needs_postgresql() -> None:
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("Statements are prepared on PostgreSQL only; SQLite runs them as written.")


def test_a_prepared_statement_answers_as_the_same_statement_unprepared(punch: Punch) -> None:
    plain = hot.batch([_hash_of(punch)])

    assert hot.batch([_hash_of(punch, prepared="test_hash_of")]) == plain == [[("h1",)]]
    assert hot.batch([_hash_of(punch, prepared="test_hash_of")]) == plain


def test_a_prepared_statement_is_prepared_once_per_connection_then_executed_by_name(
    punch: Punch,
) -> None:
    _needs_postgresql()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        for _ in range(3):
            hot.batch([hot.Statement("SELECT 1"), _hash_of(punch, prepared="test_once")])
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM pg_prepared_statements WHERE name = 'test_once'")
        on_server = cursor.fetchall()

    sent = [q["sql"] for q in captured.captured_queries if "test_once" in q["sql"]]
    assert on_server == [("test_once",)]
    assert [s.count("PREPARE test_once AS") for s in sent] == [1, 0, 0]
    assert all("EXECUTE test_once(" in s for s in sent)


@override_settings(HADIR_PREPARED_STATEMENTS=False)
def test_behind_a_transaction_pooler_nothing_is_prepared(punch: Punch) -> None:
    """HADIR_PREPARED_STATEMENTS off: the statement runs as written, nothing left on the server."""
    _needs_postgresql()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        answer = hot.batch([_hash_of(punch, prepared="test_unprepared")])
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM pg_prepared_statements WHERE name = 'test_unprepared'")
        on_server = cursor.fetchall()

    assert answer == [[("h1",)]]
    assert on_server == []
    assert not any("test_unprepared" in q["sql"] for q in captured.captured_queries)


def test_a_statement_the_server_forgot_is_prepared_again_after_one_failure(
    punch: Punch,
) -> None:
    """A pooler's DISCARD ALL (or DEALLOCATE) drops prepared statements behind our back: the
    batch that meets it fails, and the next one prepares the statement again."""
    _needs_postgresql()
    from django.db import DatabaseError, connection, transaction

    hot.batch([_hash_of(punch, prepared="test_forgotten")])
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE test_forgotten")

    with pytest.raises(DatabaseError), transaction.atomic():
        hot.batch([_hash_of(punch, prepared="test_forgotten")])

    assert hot.batch([_hash_of(punch, prepared="test_forgotten")]) == [[("h1",)]]


def test_a_statement_made_stale_by_a_migration_is_prepared_again_after_one_failure(
    db: None,
) -> None:
    """A deploy migrates while the workers keep their connections: a prepared statement whose
    result's column changed type fails once ("cached plan must not change result type"), and
    the next batch drops it and prepares it again."""
    _needs_postgresql()
    from django.db import DatabaseError, connection, transaction

    read = hot.Statement("SELECT v FROM test_stale", (), (None,), prepared="test_stale")
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMPORARY TABLE test_stale (v varchar(10))")
        cursor.execute("INSERT INTO test_stale VALUES ('before')")
    assert hot.batch([read]) == [[("before",)]]
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE test_stale ALTER COLUMN v TYPE text")

    with pytest.raises(DatabaseError, match="result type"), transaction.atomic():
        hot.batch([read])

    assert hot.batch([read]) == [[("before",)]]


@pytest.mark.parametrize("name", ["Capital", "with-dash", "1st"])
def test_a_name_the_server_would_fold_or_refuse_is_a_programming_error(
    punch: Punch, name: str
) -> None:
    _needs_postgresql()

    with pytest.raises(ValueError, match="cannot prepare"):
        hot.batch([_hash_of(punch, prepared=name)])


def test_a_batch_that_failed_after_its_prepare_leaves_the_statement_usable(
    punch: Punch,
) -> None:
    """PREPARE is not rolled back with the batch that carried it: the next batch must not
    prepare it a second time (the server would refuse the name)."""
    _needs_postgresql()
    from django.db import DatabaseError, transaction

    with pytest.raises(DatabaseError), transaction.atomic():
        hot.batch(
            [
                _hash_of(punch, prepared="test_after_failure"),
                hot.Statement("SELECT * FROM no_such_table", (), (None,)),
            ]
        )

    assert hot.batch([_hash_of(punch, prepared="test_after_failure")]) == [[("h1",)]]
