"""Production settings from the environment (casebook/settings.py) and docs/deploy.md."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from casebook.settings import admins, cache_from_url

ROOT = Path(__file__).parent.parent
DEPLOY_DOC = ROOT / "docs" / "deploy.md"


def documented_variables() -> dict[str, str]:
    """The NAME=value lines of docs/deploy.md's first ```sh block, a real key for the
    placeholder."""
    block = re.search(r"```sh\n(.*?)```", DEPLOY_DOC.read_text(), re.DOTALL).group(1)
    variables = dict(re.findall(r"^([A-Z_]+)=(.*)$", block, re.MULTILINE))
    assert variables["SECRET_KEY"] == "<50 or more random characters>"
    variables["SECRET_KEY"] = secrets.token_urlsafe(50)
    return {name: value.strip('"') for name, value in variables.items()}


def check_deploy(variables: dict[str, str]) -> subprocess.CompletedProcess:
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("SECURE_", "CASEBOOK_", "REDIS_URL", "DATABASE_URL"))
    }
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={**env, **variables},
        capture_output=True,
        text=True,
    )


def test_check_deploy_is_clean_with_the_documented_variables():
    result = check_deploy(documented_variables())

    assert result.returncode == 0, result.stderr
    assert result.stdout == "System check identified no issues (0 silenced).\n"


def test_check_deploy_names_what_a_bare_production_setup_lacks():
    result = check_deploy({"DEBUG": "0", "SECRET_KEY": secrets.token_urlsafe(50)})

    assert result.returncode == 1
    warnings = re.findall(r"\((\w+\.W\d+)\)", result.stderr)
    assert warnings == ["casebook.W001", "security.W004", "security.W008"]


def test_the_documented_variables_configure_https_behind_a_proxy():
    variables = documented_variables()
    code = (
        "from django.conf import settings as s; "
        "print(s.SECURE_PROXY_SSL_HEADER, s.SECURE_HSTS_SECONDS, s.SECURE_SSL_REDIRECT, "
        "s.CACHES['default']['BACKEND'], s.REST_FRAMEWORK['NUM_PROXIES'], s.ADMINS)"
    )
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT,
        env={**os.environ, **variables, "DJANGO_SETTINGS_MODULE": "casebook.settings"},
        capture_output=True,
        text=True,
    )

    assert result.stdout == (
        "('HTTP_X_FORWARDED_PROTO', 'https') 31536000 True "
        "django.core.cache.backends.redis.RedisCache 1 [('Ann Admin', 'ann@example.org')]\n"
    ), result.stderr


def test_admins_are_read_as_name_and_address():
    assert admins("Ann Admin <ann@example.org>, bob@example.org") == [
        ("Ann Admin", "ann@example.org"),
        ("bob@example.org", "bob@example.org"),
    ]
    assert admins("") == []


def test_the_cache_is_redis_when_a_url_is_given_else_local_memory():
    assert cache_from_url("redis://127.0.0.1:6379/1") == {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:6379/1",
    }
    assert cache_from_url("")["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"


def test_a_cache_url_that_is_not_redis_is_refused_by_name():
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(
        ImproperlyConfigured, match="CASEBOOK_CACHE_URL: not a Redis URL: 'memcached://x'"
    ):
        cache_from_url("memcached://x")
