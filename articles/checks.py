"""System checks for a production deploy (``manage.py check --deploy``)."""

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.caches, deploy=True)
def check_shared_cache(app_configs, **kwargs) -> list[Warning]:
    """Rate limits, the API throttle and the login lockout count in the default cache. In
    memory local to each process, every gunicorn worker keeps its own counts, and a client
    gets the limit once per worker."""
    if settings.CACHES["default"]["BACKEND"].endswith(".LocMemCache"):
        return [
            Warning(
                "Rate limits and the login lockout count per process: the default cache is "
                "in local memory.",
                hint="Set CASEBOOK_CACHE_URL to a Redis URL (docs/deploy.md).",
                id="casebook.W001",
            )
        ]
    return []
