"""Keep an account that must change its password away from everything else."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

ALLOWED_URL_NAMES = {"accounts:password_change", "accounts:logout", "set_language"}


class PasswordChangeRequiredMiddleware:
    """Every request of a user flagged ``must_change_password`` goes to the change page.

    API calls get a 403 with a reason instead of a redirect.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self._allowed: set[str] | None = None

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and getattr(user, "must_change_password", False)
        ):
            if self._allowed is None:
                self._allowed = {reverse(name) for name in ALLOWED_URL_NAMES}
            path = request.path
            if path not in self._allowed and not path.startswith("/static/"):
                if path.startswith("/api/"):
                    return JsonResponse(
                        {"detail": _("Change your password before using Hadir.")}, status=403
                    )
                return redirect("accounts:password_change")
        return self.get_response(request)
