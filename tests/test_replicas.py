"""Reads from a read replica, writes to the primary (casebook/replicas.py).

The router's rules first, in this process; then a real streaming replica: a private
PostgreSQL primary on a free port, a replica of it made with pg_basebackup on 127.0.0.1:5433
(another free port when 5433 is taken), and the site served by a separate process with
``DATABASE_REPLICA_URLS`` pointing at the replica. Pausing the replica's replay makes its lag
as long as a test needs: a record stored on the primary then is missing from pages served
from the replica, and present for a browser that has just written. Records: the seed, PMID
19387736 as its PubMed page shows it, and nine of pubmed21n1298 (tests/fixtures/README.md).

The replica part needs PostgreSQL's server programs (``/usr/lib/postgresql/*/bin``) and runs
them as the ``postgres`` user; without them it is skipped, except in CI (CI=true).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
import requests
from django.db import DEFAULT_DB_ALIAS
from django.http import HttpResponse
from django.test import RequestFactory

from articles.models import Article
from casebook import replicas
from casebook.replicas import PIN_COOKIE, PrimaryReplicaRouter, ReplicaMiddleware

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).parent / "fixtures"
SEED = 19387736
NINE = 34092772  # one of the nine records of pubmed21n1298


# The router's rules -------------------------------------------------------------------------


@pytest.fixture
def one_replica(monkeypatch, settings):
    monkeypatch.setattr(replicas, "replica_aliases", lambda: ["replica_1"])
    settings.CASEBOOK_REPLICA_PIN_SECONDS = 10


def routed(request, *, write: bool = False) -> tuple[dict, HttpResponse]:
    """Where the router sends reads of articles and sessions during ``request``, and the
    response (with the pin cookie if the request wrote)."""
    router = PrimaryReplicaRouter()
    seen = {}

    def view(request):
        seen["article"] = router.db_for_read(Article)
        from django.contrib.sessions.models import Session

        seen["session"] = router.db_for_read(Session)
        if write:
            router.db_for_write(Article)
            seen["after write"] = router.db_for_read(Article)
        return HttpResponse("ok")

    response = ReplicaMiddleware(view)(request)
    return seen, response


def test_a_reading_request_reads_articles_from_the_replica(one_replica):
    seen, response = routed(RequestFactory().get("/"))
    assert seen == {"article": "replica_1", "session": DEFAULT_DB_ALIAS}
    assert PIN_COOKIE not in response.cookies


def test_a_request_that_writes_reads_from_the_primary_after_and_pins_the_browser(one_replica):
    seen, response = routed(RequestFactory().get("/"), write=True)
    assert seen["after write"] == DEFAULT_DB_ALIAS
    assert response.cookies[PIN_COOKIE]["max-age"] == 10
    assert response.cookies[PIN_COOKIE]["httponly"] is True


def test_a_pinned_browser_and_a_post_read_from_the_primary(one_replica):
    pinned = RequestFactory().get("/")
    pinned.COOKIES[PIN_COOKIE] = str(int(time.time()) + 5)
    assert routed(pinned)[0]["article"] == DEFAULT_DB_ALIAS
    expired = RequestFactory().get("/")
    expired.COOKIES[PIN_COOKIE] = str(int(time.time()) - 1)
    assert routed(expired)[0]["article"] == "replica_1"
    assert routed(RequestFactory().post("/"))[0]["article"] == DEFAULT_DB_ALIAS


def test_outside_a_request_everything_goes_to_the_primary(one_replica):
    router = PrimaryReplicaRouter()
    assert router.db_for_read(Article) == DEFAULT_DB_ALIAS
    assert router.db_for_write(Article) == DEFAULT_DB_ALIAS
    assert router.allow_migrate("replica_1", "articles") is False
    assert router.allow_migrate(DEFAULT_DB_ALIAS, "articles") is True


def test_without_replicas_nothing_changes(settings):
    seen, response = routed(RequestFactory().get("/"), write=True)
    assert set(seen.values()) == {DEFAULT_DB_ALIAS}
    assert PIN_COOKIE not in response.cookies


# A real streaming replica -------------------------------------------------------------------


def _server_bin() -> Path | None:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_basebackup"))
    return found[-1].parent if found else None


BIN = _server_bin()
needs_server = pytest.mark.skipif(
    os.environ.get("CI") != "true"
    and (BIN is None or shutil.which("runuser") is None or os.geteuid() != 0),
    reason="needs PostgreSQL's server programs, and root to run them as postgres",
)


def free_port(preferred: int | None = None) -> int:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", preferred or 0))
        except OSError:
            probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def as_postgres(*command: str | Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["runuser", "-u", "postgres", "--", *map(str, command)],
        check=True,
        capture_output=True,
        text=True,
    )


def sql(port: int, statement: str) -> str:
    return as_postgres(
        BIN / "psql", "-h", "127.0.0.1", "-p", port, "-U", "postgres", "-d", "casebook",
        "-Atc", statement,
    ).stdout.strip()  # fmt: skip


def manage(env: dict, *args: str) -> None:
    subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True
    )


@pytest.fixture(scope="module")
def cluster():
    """A primary and its streaming replica, each on a free port, removed afterwards."""
    assert BIN is not None, "PostgreSQL's server programs are missing"
    # Not under pytest's own temporary folder: the postgres user cannot enter root's.
    directory = Path(tempfile.mkdtemp(prefix="casebook-replication-"))
    shutil.chown(directory, "postgres")
    primary, replica = directory / "primary", directory / "replica"
    primary_port, replica_port = free_port(), free_port(5433)
    as_postgres(BIN / "initdb", "-D", primary, "-U", "postgres", "--auth=trust")
    with (primary / "postgresql.conf").open("a") as conf:
        conf.write(f"port = {primary_port}\nlisten_addresses = '127.0.0.1'\n")
        conf.write(f"unix_socket_directories = '{directory}'\n")
    with (primary / "pg_hba.conf").open("a") as hba:
        hba.write("host replication all 127.0.0.1/32 trust\n")
    started = []
    try:
        as_postgres(BIN / "pg_ctl", "-D", primary, "-w", "-l", directory / "primary.log", "start")
        started.append(primary)
        as_postgres(BIN / "createdb", "-h", "127.0.0.1", "-p", primary_port, "casebook")
        as_postgres(
            BIN / "pg_basebackup", "-h", "127.0.0.1", "-p", primary_port, "-U", "postgres",
            "-D", replica, "-R", "-X", "stream", "-c", "fast",
        )  # fmt: skip
        with (replica / "postgresql.conf").open("a") as conf:
            conf.write(f"port = {replica_port}\n")
        as_postgres(BIN / "pg_ctl", "-D", replica, "-w", "-l", directory / "replica.log", "start")
        started.append(replica)
        yield primary_port, replica_port
    finally:
        for data in reversed(started):
            as_postgres(BIN / "pg_ctl", "-D", data, "-m", "immediate", "stop")
        shutil.rmtree(directory, ignore_errors=True)


def caught_up(primary_port: int, replica_port: int) -> None:
    """Wait until the replica has replayed everything the primary has written so far."""
    target = sql(primary_port, "SELECT pg_current_wal_lsn()")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if sql(replica_port, f"SELECT pg_last_wal_replay_lsn() >= '{target}'::pg_lsn") == "t":
            return
        time.sleep(0.2)
    pytest.fail("the replica did not catch up within 60 s")


@pytest.fixture(scope="module")
def site(cluster, tmp_path_factory):
    """The site on the primary and the replica, the nine records stored and replicated."""
    primary_port, replica_port = cluster
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:{primary_port}/casebook",
        "DATABASE_REPLICA_URLS": f"postgres://postgres@127.0.0.1:{replica_port}/casebook",
        "CASEBOOK_LIST_RATE": "",
        "DEBUG": "1",
        "PYTHONUNBUFFERED": "1",
    }
    manage(env, "migrate", "--noinput")
    manage(env, "ingest_pubmed", str(FIXTURES / "pubmed21n1298_facts_9.xml.gz"))
    caught_up(primary_port, replica_port)
    url = f"http://127.0.0.1:{free_port()}"
    log = tmp_path_factory.mktemp("replica-site") / "runserver.log"
    with log.open("wb") as output:
        server = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", "--noreload", url[7:]],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                requests.get(f"{url}/favicon.ico", timeout=5)
                break
            except requests.ConnectionError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"the server did not start:\n{log.read_text()}")
                time.sleep(0.3)
        yield url, env, primary_port, replica_port
    finally:
        server.terminate()
        server.wait(timeout=30)


@needs_server
def test_the_replica_streams_what_the_primary_stores(site):
    _url, _env, primary_port, replica_port = site
    count = "SELECT COUNT(*) FROM articles_article"
    assert sql(primary_port, count) == sql(replica_port, count) == "9"
    assert sql(replica_port, "SELECT pg_is_in_recovery()") == "t"


@needs_server
def test_pages_read_the_replica_until_a_browser_writes(site):
    url, env, primary_port, replica_port = site
    sql(replica_port, "SELECT pg_wal_replay_pause()")
    try:
        manage(env, "ingest_pubmed", str(FIXTURES / "seed_19387736_from_page.xml"))
        assert sql(primary_port, f"SELECT COUNT(*) FROM articles_article WHERE pmid = {SEED}")
        assert requests.get(f"{url}/{NINE}/", timeout=30).status_code == 200
        # Served from the paused replica: the seed is not there yet.
        assert requests.get(f"{url}/{SEED}/", timeout=30).status_code == 404

        browser = requests.Session()
        browser.get(f"{url}/{NINE}/", timeout=30)
        added = browser.post(
            f"{url}/basket/add/",
            data={"pmid": str(NINE), "next": f"/{NINE}/"},
            headers={"X-CSRFToken": browser.cookies["csrftoken"], "Referer": f"{url}/"},
            allow_redirects=False,
            timeout=30,
        )
        assert added.status_code == 302, added.text[:300]
        assert PIN_COOKIE in browser.cookies  # the basket lives in the session: a write
        # The same browser now reads from the primary, which has the seed.
        assert browser.get(f"{url}/{SEED}/", timeout=30).status_code == 200
    finally:
        sql(replica_port, "SELECT pg_wal_replay_resume()")
    caught_up(primary_port, replica_port)
    assert requests.get(f"{url}/{SEED}/", timeout=30).status_code == 200
