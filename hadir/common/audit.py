"""Writing the audit trail. Services call :func:`audit_record` inside their transaction."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import models
from django.http import HttpRequest
from django.utils import translation

from hadir.common.models import AuditEvent


def audit_record(
    *,
    actor: Any | None,
    action: str,
    obj: models.Model | None = None,
    summary: str | Callable[[], str] = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    actor_label: str = "",
) -> AuditEvent:
    """Record one action. ``actor`` is a user or None (then ``actor_label`` names the command).

    The trail keeps one language, the site's: a ``summary`` built from translated text (an
    import's report) is given as a function, and rendered here in that language.
    """
    if callable(summary):
        with translation.override(settings.LANGUAGE_CODE):
            summary = summary()
    user = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    return AuditEvent.objects.create(
        actor=user,
        actor_label=actor_label or (user.get_username() if user else "system"),
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        summary=storable(summary)[:300],
        before=storable(before),
        after=storable(after),
    )


def read_by_a_person(request: HttpRequest) -> bool:
    """Whether a GET is a person's, not a HEAD or a browser fetching ahead of a click
    (Chromium's ``Sec-Purpose``, the older ``Purpose``): only a person's reading is recorded
    as a download or marks a notification read."""
    purpose = request.headers.get("Sec-Purpose", "") or request.headers.get("Purpose", "")
    return request.method == "GET" and "prefetch" not in purpose.lower()


def storable[T](value: T) -> T:
    """``value`` with its texts made storable: a file name read from a disk in another encoding
    carries lone surrogates (``os.fsdecode``), which no database takes; NUL neither."""
    if isinstance(value, str):
        text = value.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
        return text.replace("\x00", "\ufffd")  # type: ignore[return-value]
    if isinstance(value, dict):
        return {storable(k): storable(v) for k, v in value.items()}  # type: ignore[return-value]
    if isinstance(value, list | tuple):  # a tuple as a list: JSON has no tuples
        return [storable(v) for v in value]  # type: ignore[return-value]
    return value
