"""Answers for the site as a whole, outside the articles app."""

import logging

from django.contrib.staticfiles import finders
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseServerError,
    JsonResponse,
)
from django.utils.cache import patch_cache_control
from django.views import defaults
from django.views.decorators.http import require_safe

logger = logging.getLogger("django.request")


@require_safe
def favicon(request) -> FileResponse:
    """/favicon.ico, where browsers, feed readers and crawlers look for the icon whatever the
    page links: the same file as the static one."""
    path = finders.find("favicon.ico")
    if path is None:
        raise Http404("No favicon.ico among the static files")
    # FileResponse closes the file once it is sent.
    response = FileResponse(open(path, "rb"), content_type="image/x-icon")  # noqa: SIM115
    patch_cache_control(response, public=True, max_age=86400)
    return response


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """handler404: JSON under /api/ as the API's own 404s are, else the site's page."""
    if _is_api(request):
        return JsonResponse({"detail": "Not found."}, status=404)
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: JSON under /api/, else 500.html in the site's style.

    Django renders the page with no request and no context, so it reads no database; it can
    still fail (a static file missing from collectstatic's manifest raises), and an error
    page that raises leaves the client with the server's bare one, so then a plain page.
    """
    if _is_api(request):
        return JsonResponse({"detail": "A server error occurred."}, status=500)
    try:
        return defaults.server_error(request)
    except Exception:
        logger.exception("500.html could not be rendered")
        return HttpResponseServerError(
            "<!doctype html><title>Server error</title><h1>Server error</h1>"
            "<p>Casebook could not answer this request. Please try again later.</p>"
        )


def _is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith("/api/")
