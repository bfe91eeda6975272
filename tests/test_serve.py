"""`make serve` for real: gunicorn with DEBUG off, on a free loopback port, serving 20,178
articles (the demo's 354 and 56 copies, built by tests/served_site.py in a SQLite file of its
own, whatever database the rest of the suite uses).

The server runs with a 5-second worker timeout: the 20,178-record RIS export streams for
longer than that (14-25 s on a 2-core machine), which is what cut exports short under sync
workers (8,780 of 20,178 records with a 10-second timeout, 2026-12-07).
"""

import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).parent.parent
COPIES = 57
ARTICLES = 354 * COPIES  # 20,178
WORKER_TIMEOUT = 5


@dataclass
class Site:
    url: str
    database: Path
    log: Path
    env: dict

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def served_env(directory: Path) -> dict:
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in {"DATABASE_URL", "REDIS_URL", "CASEBOOK_CACHE_URL", "SECRET_KEY"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="casebook.settings",
        DATABASE_URL=f"sqlite:///{directory / 'db.sqlite3'}",
        STATIC_ROOT=str(directory / "static"),
        CASEBOOK_ALLOW_DEV_KEY="1",
        SECURE_COOKIES="0",
        WEB_CONCURRENCY="2",
        GUNICORN_TIMEOUT=str(WORKER_TIMEOUT),
        PYTHONUNBUFFERED="1",
    )
    return env


def start(command: list[str], env: dict, log: Path) -> subprocess.Popen:
    with log.open("wb") as output:
        # A session of its own, so that stopping it stops make, gunicorn and its workers.
        return subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def wait_until_up(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the server exited with {process.returncode}:\n{log.read_text()}")
        try:
            requests.get(f"{url}/favicon.ico", timeout=5)
            return
        except requests.ConnectionError:
            time.sleep(0.3)
    pytest.fail(f"the server did not answer within 120 s:\n{log.read_text()}")


def stop(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=60)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    directory = tmp_path_factory.mktemp("served")
    env = served_env(directory)
    subprocess.run(
        [sys.executable, "-m", "tests.served_site", str(COPIES)], cwd=ROOT, env=env, check=True
    )
    url = f"http://127.0.0.1:{free_port()}"
    log = directory / "make-serve.log"
    # The Makefile's own recipe, with this virtualenv and without reinstalling it.
    command = ["make", "-o", "install", "serve", f"VENV={sys.prefix}", f"ADDRESS={url[7:]}"]
    process = start(command, env, log)
    try:
        wait_until_up(url, process, log)
        yield Site(url, directory / "db.sqlite3", log, env)
    finally:
        stop(process)


def test_make_serve_serves_pages_and_static_files_with_debug_off(site):
    page = requests.get(f"{site.url}/", timeout=60)

    assert page.status_code == 200
    assert "<title>Articles · Casebook</title>" in page.text
    # collectstatic's hashed name: the manifest exists and WhiteNoise serves from it.
    [stylesheet] = re.findall(r'href="(/static/css/casebook\.[0-9a-f]{12}\.css)"', page.text)
    css = requests.get(site.url + stylesheet, timeout=60)
    assert css.status_code == 200
    assert css.headers["Content-Type"].startswith("text/css")
    assert css.text.startswith("/* Casebook: one stylesheet, no framework.")
    assert "immutable" in css.headers["Cache-Control"]


def test_errors_are_the_sites_pages_and_json_under_the_api(site):
    missing = requests.get(f"{site.url}/no/such/page/", timeout=60)
    api_missing = requests.get(f"{site.url}/api/v1/no-such-thing/", timeout=60)

    assert missing.status_code == 404
    assert "There is no page at this address." in missing.text
    assert "URLconf" not in missing.text  # not DEBUG's technical page
    assert api_missing.status_code == 404
    assert api_missing.json() == {"detail": "Not found."}


def test_a_20000_article_ris_export_through_gunicorn_is_complete(site):
    response = requests.get(f"{site.url}/export/ris/", timeout=600)

    assert response.status_code == 200
    lines = response.text.split("\r\n")
    assert lines.count("ER  - ") == ARTICLES
    accession_numbers = [line[6:] for line in lines if line.startswith("AN  - ")]
    assert len(accession_numbers) == len(set(accession_numbers)) == ARTICLES
    assert "8454279" in accession_numbers  # PMID 8454279, the demo's oldest record
    assert str(8454279 + 56 * 35_000_000) in accession_numbers  # and its last copy
    assert "WORKER TIMEOUT" not in site.log_text()


@pytest.fixture
def broken_article(site):
    """The 1,001st article in PMID order (which exports read in) made unexportable: an
    ArticleDate with no type."""
    with sqlite3.connect(site.database) as db:
        [(pmid, dates)] = db.execute(
            "SELECT pmid, article_dates FROM articles_article ORDER BY pmid LIMIT 1 OFFSET 1000"
        )
        db.execute("UPDATE articles_article SET article_dates = '[{}]' WHERE pmid = ?", [pmid])
    yield pmid
    with sqlite3.connect(site.database) as db:
        db.execute("UPDATE articles_article SET article_dates = ? WHERE pmid = ?", [dates, pmid])


def test_an_export_that_fails_midway_arrives_visibly_incomplete(site, broken_article):
    received = []
    with requests.get(f"{site.url}/export/ris/", stream=True, timeout=600) as response:
        assert response.status_code == 200  # sent before the first record
        with pytest.raises(requests.exceptions.ChunkedEncodingError):
            for piece in response.iter_content(chunk_size=None):
                received.append(piece)

    text = b"".join(received).decode()
    assert text.count("ER  - ") == 1000  # every record before the broken one, then nothing
    log = site.log_text()
    assert "Export failed mid-stream: /export/ris/" in log
    assert "KeyError: 'type'" in log  # with its traceback


def redis_answers() -> bool:
    import redis

    try:
        return redis.Redis(host="127.0.0.1", port=6379, socket_timeout=1).ping()
    except redis.RedisError:
        return False


@pytest.mark.skipif(not redis_answers(), reason="no Redis on 127.0.0.1:6379")
def test_workers_share_their_counts_in_redis(site, tmp_path):
    env = {
        **site.env,
        "CASEBOOK_CACHE_URL": "redis://127.0.0.1:6379/0",
        "CASEBOOK_NUM_PROXIES": "1",
        "CASEBOOK_LIST_RATE": "5/day",
        "API_ANON_RATE": "5/day",
        "WEB_CONCURRENCY": "3",
    }
    url = f"http://127.0.0.1:{free_port()}"
    log = tmp_path / "gunicorn.log"
    command = [
        *(str(Path(sys.prefix) / "bin" / "gunicorn"), "--config", "casebook/gunicorn.conf.py"),
        *("--bind", url[7:], "casebook.wsgi"),
    ]
    process = start(command, {**env, "DEBUG": "0"}, log)
    # An address of its own for each run: counts left in Redis by an earlier one do not count.
    client = f"2001:db8::{uuid.uuid4().hex[:4]}"
    try:
        wait_until_up(url, process, log)

        def status(path: str) -> int:
            # A new connection each time, to whichever of the three workers accepts it.
            headers = {"X-Forwarded-For": client, "Connection": "close"}
            return requests.get(url + path, headers=headers, timeout=60).status_code

        pages = [status("/?per_page=10") for _ in range(12)]
        api = [status("/api/v1/articles/8454279/") for _ in range(12)]
    finally:
        stop(process)

    assert pages == [200] * 5 + [429] * 7
    assert api == [200] * 5 + [429] * 7
