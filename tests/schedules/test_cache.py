"""The per-process cache of the check-in's calendar reads, with several threads per process."""

from __future__ import annotations

import threading

from hadir.schedules import cache


def test_a_load_is_kept_for_the_next_reader() -> None:
    loads: list[str] = []

    def load() -> str:
        loads.append("read")
        return "calendar"

    assert cache.cached(("kept",), load) == "calendar"
    assert cache.cached(("kept",), load) == "calendar"
    assert loads == ["read"]


def test_a_load_that_another_thread_outlived_with_a_newer_generation_is_not_kept() -> None:
    """A thread reads the calendar, slowly; meanwhile another thread's check-in sees the
    generation move (a holiday saved elsewhere) and drops the cache. The slow thread's read
    may predate the holiday: it answers its own request but must not be kept for 30 s."""
    reading, dropped = threading.Event(), threading.Event()
    answers: list[str] = []

    def slow_load() -> str:
        reading.set()
        assert dropped.wait(timeout=10)
        return "before the holiday"

    slow = threading.Thread(target=lambda: answers.append(cache.cached(("day",), slow_load)))
    slow.start()
    assert reading.wait(timeout=10)
    assert cache.observe("generation after the holiday")
    dropped.set()
    slow.join(timeout=10)

    assert answers == ["before the holiday"]
    assert cache.cached(("day",), lambda: "with the holiday") == "with the holiday"
