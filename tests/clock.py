"""A server clock that stands still until a test moves it (monkeypatched ``timezone.now``)."""

from __future__ import annotations

from datetime import datetime, timedelta


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def set(self, moment: datetime) -> datetime:
        self.now = moment
        return moment

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now
