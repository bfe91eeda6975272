"""The admin login refuses an address after too many wrong passwords.

After ``CASEBOOK_LOGIN_FAILURES`` failed attempts from one client address (within
``CASEBOOK_LOGIN_LOCKOUT`` seconds of each other), every login attempt from it is answered
429 for ``CASEBOOK_LOGIN_LOCKOUT`` seconds, the right password included, without checking
the password at all. Counts are kept in the default cache, like the rate limits, so every
worker agrees. The lock is per address, not per user name: locking a name would let anyone
lock its owner out.
"""

import functools
import logging
import math
import time
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse

from articles.throttling import client_address, too_many_requests

logger = logging.getLogger(__name__)


def limit_failures(login_view: Callable) -> Callable:
    """Wrap a login view (the admin's) with the lockout."""

    @functools.wraps(login_view)
    def login(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if request.method != "POST":
            return login_view(request, *args, **kwargs)
        address = client_address(request)
        try:
            locked_for = _locked_for(address)
        except Exception:
            # A cache server that is down must not lock every curator out.
            logger.exception("Login attempt from %s not checked: the cache failed", address)
            return login_view(request, *args, **kwargs)
        if locked_for:
            reason = "Too many wrong passwords have been tried from your address."
            return too_many_requests(request, reason, locked_for)
        response = login_view(request, *args, **kwargs)
        try:
            _record(address, succeeded=request.user.is_authenticated)
        except Exception:
            logger.exception("Login attempt from %s not counted: the cache failed", address)
        return response

    return login


def _locked_for(address: str) -> int:
    """Seconds until ``address`` may try again; 0 if it may now."""
    locked_until = cache.get(f"login-locked:{address}")
    if locked_until is None or locked_until <= time.time():
        return 0
    return math.ceil(locked_until - time.time())


def _record(address: str, *, succeeded: bool) -> None:
    """Forget the address's failures after a success; count a failure, and lock the address
    out at the limit."""
    failures_key = f"login-failures:{address}"
    if succeeded:
        cache.delete(failures_key)
        return
    lockout = settings.CASEBOOK_LOGIN_LOCKOUT
    cache.add(failures_key, 0, timeout=lockout)
    try:
        failures = cache.incr(failures_key)
    except ValueError:  # expired between the two calls
        failures = 1
        cache.add(failures_key, failures, timeout=lockout)
    cache.touch(failures_key, timeout=lockout)
    if failures >= settings.CASEBOOK_LOGIN_FAILURES:
        cache.set(f"login-locked:{address}", time.time() + lockout, timeout=lockout)
        cache.delete(failures_key)
