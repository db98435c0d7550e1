"""Sessions move to ``accounts_session``, which keeps the logged-in account's id beside the data.

The live sessions are carried over (data unchanged, the account id read from it), so no phone
has to log in again after the deploy; ``django_session`` is emptied, since nothing reads it now.
"""

from collections.abc import Callable
from typing import Any

import django.db.models.deletion
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.db import migrations, models
from django.utils import timezone

BATCH = 2000


def _account_id(data: dict[str, Any]) -> int | None:
    value = str(data.get(SESSION_KEY, ""))
    return int(value) if value.isdigit() else None


def _copy(sessions: Any, to: Any, **extra: Callable[[Any], Any]) -> None:
    """Copy ``sessions`` into model ``to`` in batches, with ``extra`` fields computed per row."""
    batch = []
    for session in sessions.iterator(chunk_size=BATCH):
        batch.append(
            to(
                session_key=session.session_key,
                session_data=session.session_data,
                expire_date=session.expire_date,
                **{name: compute(session) for name, compute in extra.items()},
            )
        )
        if len(batch) >= BATCH:
            to.objects.bulk_create(batch)
            batch.clear()
    to.objects.bulk_create(batch)


def forwards(apps: Any, schema_editor: Any) -> None:
    old = apps.get_model("sessions", "Session")
    store = SessionStore()  # decodes as the project's store does (same salt, same secret)
    _copy(
        old.objects.filter(expire_date__gt=timezone.now()),
        apps.get_model("accounts", "AccountSession"),
        account_id=lambda session: _account_id(store.decode(session.session_data)),
    )
    old.objects.all().delete()


def backwards(apps: Any, schema_editor: Any) -> None:
    new = apps.get_model("accounts", "AccountSession")
    _copy(new.objects.all(), apps.get_model("sessions", "Session"))


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_sessions_name_account_backend"),
        ("sessions", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="AccountSession",
            fields=[
                (
                    "session_key",
                    models.CharField(
                        max_length=40, primary_key=True, serialize=False, verbose_name="session key"
                    ),
                ),
                ("session_data", models.TextField(verbose_name="session data")),
                ("expire_date", models.DateTimeField(db_index=True, verbose_name="expire date")),
                (
                    "account",
                    models.ForeignKey(
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "session",
                "verbose_name_plural": "sessions",
                "db_table": "accounts_session",
                "abstract": False,
            },
        ),
        migrations.RunPython(forwards, backwards),
    ]
