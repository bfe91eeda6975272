"""The admin login refuses an address after too many wrong passwords.

After ``CASEBOOK_LOGIN_FAILURES`` failed attempts from one client address (within
``CASEBOOK_LOGIN_LOCKOUT`` seconds of each other), every login attempt from it is answered
429 for ``CASEBOOK_LOGIN_LOCKOUT`` seconds, the right password included, without checking
the password at all. Counts are kept in the default cache, like the rate limits, so every
worker agrees. The lock is per address, not per user name: locking a name would let anyone
lock its owner out.
"""

import functools
import math
import time
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse

from articles.throttling import client_address, too_many_requests


def limit_failures(login_view: Callable) -> Callable:
    """Wrap a login view (the admin's) with the lockout."""

    @functools.wraps(login_view)
    def login(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if request.method != "POST":
            return login_view(request, *args, **kwargs)
        address = client_address(request)
        locked_key, failures_key = f"login-locked:{address}", f"login-failures:{address}"
        lockout = settings.CASEBOOK_LOGIN_LOCKOUT
        if (locked_until := cache.get(locked_key)) and locked_until > time.time():
            reason = "Too many wrong passwords have been tried from your address."
            return too_many_requests(request, reason, math.ceil(locked_until - time.time()))
        response = login_view(request, *args, **kwargs)
        if request.user.is_authenticated:
            cache.delete(failures_key)
            return response
        cache.add(failures_key, 0, timeout=lockout)
        try:
            failures = cache.incr(failures_key)
        except ValueError:  # expired between the two calls
            failures = 1
            cache.add(failures_key, failures, timeout=lockout)
        cache.touch(failures_key, timeout=lockout)
        if failures >= settings.CASEBOOK_LOGIN_FAILURES:
            cache.set(locked_key, time.time() + lockout, timeout=lockout)
            cache.delete(failures_key)
        return response

    return login
