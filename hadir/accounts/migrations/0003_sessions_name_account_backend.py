"""Sessions logged in through Django's ModelBackend now name AccountBackend (its subclass).

Django's ``get_user`` ignores a session whose backend is no longer configured: without this,
every phone would have to log in again after the deploy, all at the morning's peak.
"""

from typing import Any

from django.contrib.sessions.backends.db import SessionStore
from django.db import migrations

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"
ACCOUNT_BACKEND = "hadir.accounts.backends.AccountBackend"
BATCH = 2000


def _rename(apps: Any, old: str, new: str) -> None:
    session_model = apps.get_model("sessions", "Session")
    store = SessionStore()  # encodes as the project's store does (same salt, same secret)
    changed = []
    for session in session_model.objects.iterator(chunk_size=BATCH):
        data = store.decode(session.session_data)
        if data.get("_auth_user_backend") != old:
            continue
        data["_auth_user_backend"] = new
        session.session_data = store.encode(data)
        changed.append(session)
        if len(changed) >= BATCH:
            session_model.objects.bulk_update(changed, ["session_data"])
            changed.clear()
    session_model.objects.bulk_update(changed, ["session_data"])


def forwards(apps: Any, schema_editor: Any) -> None:
    _rename(apps, MODEL_BACKEND, ACCOUNT_BACKEND)


def backwards(apps: Any, schema_editor: Any) -> None:
    _rename(apps, ACCOUNT_BACKEND, MODEL_BACKEND)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_initial"),
        ("sessions", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
