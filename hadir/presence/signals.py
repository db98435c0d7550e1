"""A location or grant edit takes effect at once in the editing process (others within the
cache TTL)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from hadir.org.models import Location, LocationGrant
from hadir.schedules import cache


@receiver([post_save, post_delete], sender=Location)
@receiver([post_save, post_delete], sender=LocationGrant)
def _location_changed(sender: Any, instance: Location | LocationGrant, **kwargs: Any) -> None:
    # Also after the commit: a check-in in between would cache the rows as they were.
    cache.clear()
    transaction.on_commit(cache.clear)
