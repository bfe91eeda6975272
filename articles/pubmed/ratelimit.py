"""A sliding-window rate limiter shared by every thread of the process.

NCBI allows 3 E-utilities requests per second from a site without an API key and 10 with one,
counted per key (or per IP address without one). ``shared_limiter(api_key)`` hands every client
of the process that uses the same key the same limiter, so two clients or ten download threads
still add up to one allowance.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

RATE_WITHOUT_KEY = 3
RATE_WITH_KEY = 10
# NCBI counts requests as they arrive, not as we send them, and arrivals jitter: a request
# delayed on the way could land in the same second as one sent a full second later. Counting
# over 1.1 s instead of 1 s keeps that jitter from ever showing NCBI rate + 1 requests.
DEFAULT_PERIOD = 1.1


class RateLimiter:
    """At most ``max_requests`` request starts in any ``period`` seconds, across threads.

    A sliding window of the last starts rather than a token bucket: a bucket refills
    continuously and lets a full bucket burst through at once, which is exactly what NCBI
    answers with HTTP 429.
    """

    def __init__(
        self,
        max_requests: int,
        period: float = DEFAULT_PERIOD,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if max_requests < 1 or period <= 0:
            raise ValueError("a rate limit needs at least one request per positive period")
        self.max_requests = max_requests
        self.period = period
        self._clock = clock
        self._sleep = sleep
        self._starts: deque[float] = deque()
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"RateLimiter({self.max_requests} per {self.period:g} s)"

    def acquire(self) -> float:
        """Wait until a request may start, record its start, and return how long we waited.

        The lock is held while sleeping on purpose: whoever holds it is next in line, and
        the others could not start before it anyway.
        """
        waited = 0.0
        with self._lock:
            while True:
                now = self._clock()
                while self._starts and now - self._starts[0] >= self.period:
                    self._starts.popleft()
                if len(self._starts) < self.max_requests:
                    self._starts.append(now)
                    return waited
                pause = self._starts[0] + self.period - now
                self._sleep(pause)
                waited += pause


_shared: dict[str, RateLimiter] = {}
_shared_lock = threading.Lock()


def shared_limiter(api_key: str = "") -> RateLimiter:
    """The process-wide limiter for requests made with ``api_key`` ("" for none)."""
    with _shared_lock:
        limiter = _shared.get(api_key)
        if limiter is None:
            limiter = RateLimiter(RATE_WITH_KEY if api_key else RATE_WITHOUT_KEY)
            _shared[api_key] = limiter
        return limiter
