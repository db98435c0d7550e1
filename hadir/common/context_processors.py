"""What the navigation bar needs on every page: which menus apply, unread notifications."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def unread() -> int:
        count: int = user.notifications.filter(read_at__isnull=True).count()
        return count

    def verifier() -> bool:
        from hadir.common.access import VERIFY_ROLES, has_any_role

        return has_any_role(user, VERIFY_ROLES)

    def staff() -> bool:
        from hadir.common.access import READ_ROLES, has_any_role

        return has_any_role(user, READ_ROLES)

    # Callables: templates evaluate them lazily, so pages that do not render the bar pay nothing.
    return {
        "nav_unread": unread,
        "nav_verifier": verifier,
        "nav_employee": hasattr(user, "employee"),
        "nav_staff": staff,
    }
