"""Limits on what one anonymous client may ask of the site: pages of the list and exports.

Counts live in the default cache (Redis in production, so every worker and machine adds to
the same count) in fixed windows: at most N requests per address in each minute (or second,
hour, day) of the clock. A client over its limit gets a 429 saying how long to wait, in
words and in ``Retry-After``. The API has DRF's throttle (articles.api.throttling), which
takes the client's address the same way, from ``CASEBOOK_NUM_PROXIES`` trusted proxies.
"""

import functools
import logging
import math
import time
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

PERIODS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}

logger = logging.getLogger(__name__)


def client_address(request: HttpRequest, num_proxies: int | None = None) -> str:
    """The address of the client behind ``num_proxies`` trusted proxies (by default
    ``settings.CASEBOOK_NUM_PROXIES``), as DRF's throttles read it with ``NUM_PROXIES``.

    Each proxy appends the address it received the request from to X-Forwarded-For, so the
    entry ``num_proxies`` from the end is the one the first trusted proxy saw; anything
    before it was written by the client and may be forged. With no proxies (or no header),
    REMOTE_ADDR.
    """
    if num_proxies is None:
        num_proxies = settings.CASEBOOK_NUM_PROXIES
    remote_addr = request.META.get("REMOTE_ADDR", "")
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR")
    if num_proxies == 0 or not forwarded:
        return remote_addr
    addresses = forwarded.split(",")
    return addresses[-min(num_proxies, len(addresses))].strip()


def parse_rate(rate: str) -> tuple[int, int] | None:
    """A rate as (requests, window in seconds): "120/minute" is (120, 60); empty is None, no
    limit. DRF's syntax: only the period's first letter counts ("10/m", "10/min")."""
    if not rate.strip():
        return None
    count, _, period = rate.partition("/")
    seconds = {name[0]: length for name, length in PERIODS.items()}.get(period.strip()[:1])
    if not count.strip().isdigit() or seconds is None:
        raise ValueError(f"Not a rate: {rate!r} (expected e.g. '120/minute')")
    return int(count), seconds


def hit(key: str, limit: int, window: int, now: float | None = None) -> int:
    """Count one request under ``key``; 0 if within ``limit`` in the current ``window``,
    else the seconds until the next window starts (what Retry-After says)."""
    now = time.time() if now is None else now
    window_start = math.floor(now / window) * window
    counter = f"ratelimit:{key}:{window_start}"
    # add() then incr(): atomic in Redis, so concurrent workers never lose a count.
    cache.add(counter, 0, timeout=window + 1)
    try:
        count = cache.incr(counter)
    except ValueError:  # expired between the two calls
        cache.add(counter, 1, timeout=window + 1)
        count = 1
    if count <= limit:
        return 0
    return max(1, math.ceil(window_start + window - now))


def _counted(key: str, limit: int, window: int) -> int:
    """``hit``, or 0 (let the request through) when the cache fails: a cache server that is
    down must not take the site down with it."""
    try:
        return hit(key, limit, window)
    except Exception:
        logger.exception("Request not counted under %r: the cache failed", key)
        return 0


def too_many_requests(request: HttpRequest, reason: str, retry_after: int) -> HttpResponse:
    """The 429 page: ``reason`` says what limit was reached, then how long to wait."""
    context = {"reason": reason, "retry_after": retry_after}
    response = TemplateResponse(request, "429.html", context, status=429)
    response["Retry-After"] = str(retry_after)
    return response


def limit_anonymous(scope: str, rate_setting: str, what: str) -> Callable:
    """Decorate a view: anonymous clients get at most the rate named by ``rate_setting``
    (read per request, so tests and operators can change it) per address, counted under
    ``scope``; ``what`` names what was asked for in the 429 page ("list pages")."""

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def limited(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
            rate = parse_rate(getattr(settings, rate_setting))
            if rate is not None and not request.user.is_authenticated:
                limit, window = rate
                if retry_after := _counted(f"{scope}:{client_address(request)}", limit, window):
                    period = next(name for name, length in PERIODS.items() if length == window)
                    reason = (
                        f"Your address has asked for more than {limit} {what} in a {period};"
                        " signed-in users have no limit."
                    )
                    return too_many_requests(request, reason, retry_after)
            return view(request, *args, **kwargs)

        return limited

    return decorator
