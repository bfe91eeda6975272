from django.conf import settings
from rest_framework.throttling import AnonRateThrottle


class AnonymousRateThrottle(AnonRateThrottle):
    """DRF's anonymous throttle with its rate read from settings on each request (DRF's
    own reads it once, at import)."""

    def get_rate(self) -> str:
        return settings.API_ANON_RATE
