"""Request hygiene every view can rely on."""

from __future__ import annotations

from collections.abc import Callable

from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseNotAllowed,
    JsonResponse,
    QueryDict,
)
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _


class NoNulFromUrls:
    """No NUL from a URL reaches a view: PostgreSQL refuses one in any query, a server error
    wherever a path part or a query parameter is looked up. A path holding one names nothing
    (not found); a query parameter loses it (a search still answers). Forms refuse their own."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "\x00" in request.path_info:
            raise Http404
        query = request.META.get("QUERY_STRING", "")
        if "%00" in query or "\x00" in query:
            cleaned = query.replace("%00", "").replace("\x00", "")
            request.GET = QueryDict(cleaned, encoding=request.encoding)
        return self.get_response(request)


class PagesTakeGetAndPost:
    """A page answers GET, HEAD and POST only. Every view writes on POST alone and reads
    otherwise, so a PUT or DELETE would be answered as a GET, as if it had done something.
    The API, whose routes declare their own methods, is left to django-ninja."""

    ALLOWED = ("GET", "HEAD", "POST")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method not in self.ALLOWED and not request.path_info.startswith("/api/"):
            return HttpResponseNotAllowed(self.ALLOWED)
        return self.get_response(request)


class ApiAnswersInJson:
    """Every API answer is JSON in the site's language. Two come from outside django-ninja's
    handlers: Django's "not found" for a path no route matches (a typo, a trailing slash: an
    English HTML page) and django-ninja's "Method not allowed" (English text; ``Allow`` kept)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code not in (404, 405) or not request.path_info.startswith("/api/"):
            return response
        if response.get("Content-Type", "").startswith("application/json"):
            return response
        if response.status_code == 404:
            return JsonResponse({"detail": _("Not found.")}, status=404)
        answer = JsonResponse({"detail": _("This method is not allowed here.")}, status=405)
        answer["Allow"] = response.get("Allow", "")
        return answer


class NothingKeptByCaches:
    """No browser or proxy keeps a copy of an answer that does not say otherwise: a page of
    one employee's days, a letter, an export. A shared phone or a warnet PC would show it to
    the next person (the back button, the disk cache). Static files, served before this, keep
    their own long caching."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not response.has_header("Cache-Control"):
            add_never_cache_headers(response)
        return response
