"""Casebook settings: every deploy-time value comes from the environment.

With nothing set, this is a development setup: DEBUG on, a fixed development key, SQLite in
WAL mode at ./db.sqlite3. Production sets SECRET_KEY, ALLOWED_HOSTS, DEBUG=0 and usually
DATABASE_URL (postgres://...).
"""

import os
from email.utils import parseaddr
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


def cache_from_url(url: str) -> dict:
    """A CACHES entry from CASEBOOK_CACHE_URL: redis://, rediss:// or unix:// for Redis (one
    count for every worker and machine), empty for memory local to each process."""
    if not url:
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    if url.split(":", 1)[0] in {"redis", "rediss", "unix"}:
        return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(f"CASEBOOK_CACHE_URL: not a Redis URL: {url!r}")


def admins(value: str) -> list[tuple[str, str]]:
    """CASEBOOK_ADMINS, "Ann <ann@example.org>, bob@example.org", as Django's ADMINS."""
    people = []
    for item in value.split(","):
        name, address = parseaddr(item)
        if address:
            people.append((name or address, address))
    return people


DEBUG = env_bool("DEBUG", True)
SECRET_KEY = os.environ.get("SECRET_KEY") or "casebook-development-key-not-for-production"
if not DEBUG and SECRET_KEY.startswith("casebook-development"):
    # Refuse to run a public server with a key anyone can read in the repository.
    from django.core.exceptions import ImproperlyConfigured

    if not env_bool("CASEBOOK_ALLOW_DEV_KEY", False):
        raise ImproperlyConfigured("Set SECRET_KEY when DEBUG is off.")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_filters",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "articles",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before anything that reads: which database this request's reads go to.
    "casebook.replicas.ReplicaMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Records who made each change in the curation audit trail (django-simple-history).
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "casebook.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "articles.context_processors.basket",
            ],
        },
    },
]

# Django's widget templates, with plain inputs and selects written in Python (same output).
FORM_RENDERER = "articles.form_rendering.FormRenderer"

WSGI_APPLICATION = "casebook.wsgi.application"

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets the site read while an ingest writes; IMMEDIATE takes the write lock at
        # BEGIN so two writers queue on the busy timeout instead of failing mid-transaction.
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; "
            "PRAGMA cache_size=-32768; PRAGMA temp_store=MEMORY; "
            # Reads straight from the OS page cache, shared by every connection, instead of
            # copying pages into each connection's own cache (which starts cold per request).
            f"PRAGMA mmap_size={int(os.environ.get('SQLITE_MMAP_SIZE', str(2**31 - 2**16)))};"
        ),
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Session settings; libpq's PGOPTIONS, when set, replaces them. JIT spent 26 ms compiling
    # the plan of a common word's search, which ran in well under a second; 4 MB of work_mem
    # turns that word's bitmap of 100,000 matches lossy (every row on its pages re-tested)
    # and spills its sort to disk (docs/benchmarks.md, 2026-11-27).
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = os.environ.get(
        "PGOPTIONS", "-c jit=off -c work_mem=64MB"
    )

# PostgreSQL read replicas (casebook/replicas.py): comma-separated URLs, each made an alias
# replica_1, replica_2... with the primary's session settings. Reads of web requests that have
# not written go to one of them; everything else to the primary.
for number, url in enumerate(
    filter(None, os.environ.get("DATABASE_REPLICA_URLS", "").split(",")), 1
):
    DATABASES[f"replica_{number}"] = {
        **dj_database_url.parse(url.strip(), conn_max_age=DATABASES["default"]["CONN_MAX_AGE"]),
        "OPTIONS": dict(DATABASES["default"].get("OPTIONS", {})),
        # Tests write through the primary; the replica alias reads the same test database.
        "TEST": {"MIRROR": "default"},
    }
DATABASE_ROUTERS = ["casebook.replicas.PrimaryReplicaRouter"]
# Seconds a browser that wrote reads from the primary, so it sees its own change at once.
CASEBOOK_REPLICA_PIN_SECONDS = env_int("CASEBOOK_REPLICA_PIN_SECONDS", 10)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# The text recogniser's vocabulary (articles/text/recognise), built on first use (MeSH 2024 and its
# supplementary records) and loaded from here by every ingest process.
# Keep each record as PubMed sent it (compressed, about a quarter of the XML's size), so that
# ``extract_facts`` can derive concepts and facts again without fetching. A mirror of the whole
# baseline that will never re-derive can save the space with CASEBOOK_KEEP_SOURCE_XML=0.
KEEP_SOURCE_XML = env_bool("CASEBOOK_KEEP_SOURCE_XML", True)
RECOGNISE_CACHE_DIR = Path(os.environ.get("RECOGNISE_CACHE_DIR", BASE_DIR / ".cache" / "recognise"))

# Where collectstatic puts the files WhiteNoise serves when DEBUG is off (`make serve` runs it).
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT") or BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or env_bool("CASEBOOK_PLAIN_STATIC", False)
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Serve files straight from the finders when no collectstatic has run (development, tests).
WHITENOISE_USE_FINDERS = DEBUG or env_bool("CASEBOOK_PLAIN_STATIC", False)

SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# HTTPS, for a site served over it (docs/deploy.md): all off by default so that a plain-HTTP
# development server keeps working.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
# Behind a proxy that ends TLS, the header it sets on HTTPS requests, as "X-Forwarded-Proto":
# the request then counts as secure when that header says "https". Only for a proxy that
# always sets (or strips) the header, or any client could claim HTTPS.
if proxy_ssl_header := os.environ.get("SECURE_PROXY_SSL_HEADER", "").strip():
    SECURE_PROXY_SSL_HEADER = (
        "HTTP_" + proxy_ssl_header.upper().replace("-", "_"),
        "https",
    )

# Rate limits count in this cache; with memory local to each process, each gunicorn worker
# keeps its own count, so production points this at Redis (docs/deploy.md).
CACHES = {
    "default": cache_from_url(
        os.environ.get("CASEBOOK_CACHE_URL") or os.environ.get("REDIS_URL", "")
    )
}
# Proxies in front of the site that append the client's address to X-Forwarded-For. With 0,
# the client is REMOTE_ADDR and X-Forwarded-For, which anyone can write, is ignored.
CASEBOOK_NUM_PROXIES = env_int("CASEBOOK_NUM_PROXIES", 0)
# Anonymous clients' limits per address (articles.throttling), read per request: "N/period"
# with period second, minute, hour or day; empty for none. Signed-in users are not limited.
CASEBOOK_LIST_RATE = os.environ.get("CASEBOOK_LIST_RATE", "120/minute")
CASEBOOK_EXPORT_RATE = os.environ.get("CASEBOOK_EXPORT_RATE", "10/minute")
# Wrong passwords from one address before the admin login refuses it for LOCKOUT seconds.
CASEBOOK_LOGIN_FAILURES = env_int("CASEBOOK_LOGIN_FAILURES", 5)
CASEBOOK_LOGIN_LOCKOUT = env_int("CASEBOOK_LOGIN_LOCKOUT", 900)

# Server errors are mailed to these when DEBUG is off; email goes through EMAIL_HOST.
ADMINS = admins(os.environ.get("CASEBOOK_ADMINS", ""))
SERVER_EMAIL = os.environ.get("SERVER_EMAIL", "root@localhost")
# Development prints mail on the console; production sends it through EMAIL_HOST.
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
# Saved searches' digests (manage.py send_alerts) come from this address.
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "casebook@localhost")
# The site's address as readers reach it, for links in e-mail (no request to take it from).
CASEBOOK_SITE_URL = os.environ.get("CASEBOOK_SITE_URL", "http://127.0.0.1:8000")
LOGIN_REDIRECT_URL = "/saved/"
LOGOUT_REDIRECT_URL = "/"
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)

# NCBI E-utilities (ingest_pubmed --query/--pmid). NCBI asks every client for a contact
# address; an API key raises the rate limit from 3 to 10 requests per second.
NCBI_API_KEY = os.environ.get("NCBI_API_KEY", "")
NCBI_EMAIL = os.environ.get("NCBI_EMAIL", "")
NCBI_TOOL = os.environ.get("NCBI_TOOL", "casebook")
NCBI_EUTILS_URL = os.environ.get(
    "NCBI_EUTILS_URL", "https://eutils.ncbi.nlm.nih.gov/entrez/eutils/"
)

# The most one database query of a search may take, in milliseconds (0: no limit); past it
# the list page and the API answer 503 asking for a narrower search (articles.search.budget).
QUERY_BUDGET_MS = int(os.environ.get("CASEBOOK_QUERY_BUDGET_MS", "5000"))

# The read-only JSON API under /api/v1/. Anonymous clients are throttled per IP address;
# API_ANON_RATE is read per request (articles.api.throttling), so tests can lower it.
API_ANON_RATE = os.environ.get("API_ANON_RATE", "120/minute")
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_THROTTLE_CLASSES": ["articles.api.throttling.AnonymousRateThrottle"],
    "DEFAULT_PAGINATION_CLASS": "articles.api.pagination.ArticleCursorPagination",
    "PAGE_SIZE": 20,
    # The throttle's client address: see CASEBOOK_NUM_PROXIES.
    "NUM_PROXIES": CASEBOOK_NUM_PROXIES,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Casebook API",
    "DESCRIPTION": "Read-only access to the PubMed records Casebook mirrors.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI's files come from the drf-spectacular-sidecar package: no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # Two choice sets named "kind": an article's (journal article or book) and a case
    # report's (case_facts).
    "ENUM_NAME_OVERRIDES": {
        "ArticleKindEnum": "articles.models.Article.Kind",
        "CaseKindEnum": "articles.models.CaseFacts.Kind",
    },
}

# Django logs server errors (500s, with their traceback) on "django.request"; by default it
# prints them only when DEBUG is on. Here they go to stderr always (gunicorn's error log) and
# to ADMINS by mail when DEBUG is off.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"require_debug_false": {"()": "django.utils.log.RequireDebugFalse"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler"},
        "mail_admins": {
            "class": "django.utils.log.AdminEmailHandler",
            "level": "ERROR",
            "filters": ["require_debug_false"],
        },
    },
    "loggers": {
        "articles": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
        "django.request": {
            "handlers": ["console", "mail_admins"],
            "level": "ERROR",
            "propagate": False,
        },
    },
}
