"""Hadir's attendance rules as a pure library (DOMAIN.md §3–5).

Nothing here imports Django: plain functions over frozen dataclasses, so the arithmetic that
turns punches and excuses into statuses, minutes, money and discipline can be read, tested and
audited on its own. The Django apps convert their rows to these types and back.
"""
