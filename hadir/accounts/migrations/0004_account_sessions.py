"""Sessions move to ``accounts_session``, which keeps the logged-in account's id beside the data.

The live sessions are carried over (data unchanged, the account id read from it), so no phone
has to log in again after the deploy; ``django_session`` is emptied, since nothing reads it now.
"""

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


def forwards(apps: Any, schema_editor: Any) -> None:
    old = apps.get_model("sessions", "Session")
    new = apps.get_model("accounts", "AccountSession")
    store = SessionStore()  # decodes as the project's store does (same salt, same secret)
    live = old.objects.filter(expire_date__gt=timezone.now())
    moved = []
    for session in live.iterator(chunk_size=BATCH):
        account = _account_id(store.decode(session.session_data))
        moved.append(
            new(
                session_key=session.session_key,
                session_data=session.session_data,
                expire_date=session.expire_date,
                account_id=account,
            )
        )
        if len(moved) >= BATCH:
            new.objects.bulk_create(moved)
            moved.clear()
    new.objects.bulk_create(moved)
    old.objects.all().delete()


def backwards(apps: Any, schema_editor: Any) -> None:
    old = apps.get_model("sessions", "Session")
    new = apps.get_model("accounts", "AccountSession")
    moved = []
    for session in new.objects.iterator(chunk_size=BATCH):
        moved.append(
            old(
                session_key=session.session_key,
                session_data=session.session_data,
                expire_date=session.expire_date,
            )
        )
        if len(moved) >= BATCH:
            old.objects.bulk_create(moved)
            moved.clear()
    old.objects.bulk_create(moved)


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
