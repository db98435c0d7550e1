"""Reading configuration from the environment, with defaults suited to a laptop."""

import os


def env(name: str, default: str) -> str:
    """The variable's value, or ``default`` when it is unset or empty."""
    return os.environ.get(name) or default


def env_bool(name: str, *, default: bool) -> bool:
    """True for 1/true/yes/on (any case)."""
    raw = os.environ.get(name)
    if not raw:
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def env_set(name: str, default: str) -> frozenset[str]:
    """The variable's comma-separated values (``default``'s when it is unset or empty)."""
    return frozenset(part.strip() for part in env(name, default).split(",") if part.strip())
