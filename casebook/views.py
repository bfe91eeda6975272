"""Answers for the site as a whole, outside the articles app."""

from django.contrib.staticfiles import finders
from django.http import FileResponse, Http404
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_safe


@require_safe
def favicon(request) -> FileResponse:  # noqa: ANN001
    """/favicon.ico, where browsers, feed readers and crawlers look for the icon whatever the
    page links: the same file as the static one."""
    path = finders.find("favicon.ico")
    if path is None:
        raise Http404("No favicon.ico among the static files")
    # FileResponse closes the file once it is sent.
    response = FileResponse(open(path, "rb"), content_type="image/x-icon")  # noqa: SIM115
    patch_cache_control(response, public=True, max_age=86400)
    return response
