"""Sessions are Django's, read by a hand-written query: a live one loads, others do not."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.utils import timezone

from hadir.accounts.sessions import SessionStore


@pytest.fixture
def stored(db: None) -> SessionStore:
    session = SessionStore()
    session["_auth_user_id"] = "7"
    session.create()
    return session


def test_a_live_session_loads_its_data(stored: SessionStore) -> None:
    again = SessionStore(session_key=stored.session_key)

    assert again["_auth_user_id"] == "7"
    assert again.session_key == stored.session_key


def test_an_expired_session_loads_nothing_and_forgets_its_key(stored: SessionStore) -> None:
    Session.objects.filter(pk=stored.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )
    again = SessionStore(session_key=stored.session_key)

    assert again.get("_auth_user_id") is None
    assert again.session_key is None


def test_an_unknown_key_loads_nothing(db: None) -> None:
    assert SessionStore(session_key="x" * 32).load() == {}
