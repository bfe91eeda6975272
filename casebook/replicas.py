"""Reads from PostgreSQL read replicas, writes to the primary (``DATABASE_REPLICA_URLS``).

A replica lags its primary by a moment, so only reads that cannot notice go to one:

- reads in a web request that has not written, and that does not follow a write by the same
  browser within ``CASEBOOK_REPLICA_PIN_SECONDS`` (a cookie says so: a curator saves a
  correction and the page they are sent back to shows it);
- not a request's sessions and users: signing in and then seeing oneself signed out because
  a replica had not caught up would be worse than the primary's cheap key lookups;
- never outside a web request: ingest, management commands and background jobs read what
  they write, so everything there goes to the primary.

Each request picks one replica for all its reads, so its pages agree with each other.
Migrations run on the primary only; the replicas receive them by streaming replication.
"""

from __future__ import annotations

import random
import time
from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS

PIN_COOKIE = "casebook_primary"
# Apps whose rows a request must read from where it wrote them.
PRIMARY_APPS = frozenset({"sessions", "auth"})
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass
class _Request:
    replica: str | None  # None: this request reads from the primary
    wrote: bool = False


_current: ContextVar[_Request | None] = ContextVar("casebook_replica_request", default=None)


def replica_aliases() -> list[str]:
    return [alias for alias in settings.DATABASES if alias.startswith("replica_")]


class PrimaryReplicaRouter:
    def db_for_read(self, model, **hints) -> str:
        state = _current.get()
        if state is None or state.wrote or state.replica is None:
            return DEFAULT_DB_ALIAS
        if model._meta.app_label in PRIMARY_APPS:
            return DEFAULT_DB_ALIAS
        return state.replica

    def db_for_write(self, model, **hints) -> str:
        state = _current.get()
        if state is not None:
            state.wrote = True
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints) -> bool:
        return True  # every alias holds the same data

    def allow_migrate(self, db: str, app_label: str, **hints) -> bool:
        return db == DEFAULT_DB_ALIAS


class ReplicaMiddleware:
    """Marks the span of a web request for the router, and pins a browser that wrote to the
    primary for a few seconds."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        replicas = replica_aliases()
        pinned = request.method not in SAFE_METHODS or _pin_active(request)
        state = _Request(replica=None if pinned or not replicas else random.choice(replicas))
        token = _current.set(state)
        try:
            response = self.get_response(request)
        finally:
            _current.reset(token)
        if replicas and state.wrote:
            seconds = settings.CASEBOOK_REPLICA_PIN_SECONDS
            response.set_cookie(
                PIN_COOKIE,
                str(int(time.time()) + seconds),
                max_age=seconds,
                httponly=True,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )
        return response


def _pin_active(request) -> bool:
    value = request.COOKIES.get(PIN_COOKIE, "")
    return value.isdigit() and int(value) > time.time()
