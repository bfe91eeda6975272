import logging

from django.conf import settings
from rest_framework.throttling import AnonRateThrottle

logger = logging.getLogger(__name__)


class AnonymousRateThrottle(AnonRateThrottle):
    """DRF's anonymous throttle with its rate read from settings on each request (DRF's
    own reads it once, at import), and requests let through, uncounted, when the cache
    fails: a cache server that is down must not take the API down with it."""

    def get_rate(self) -> str:
        return settings.API_ANON_RATE

    def allow_request(self, request, view) -> bool:
        try:
            return super().allow_request(request, view)
        except Exception:
            logger.exception("API request not counted: the cache failed")
            return True
