"""Keeping the full-text index in step with the articles.

``refresh(pmids)`` re-reads those articles and rewrites their index rows (or removes them,
for an article that is gone or withdrawn); it runs inside the caller's transaction, so the
index changes exactly when the article does. Ingest calls it for every article it writes or
deletes; anything else that changes an article's title, abstract, authors, MeSH headings,
keywords, publication date or visibility must call it too: PostgreSQL's rows carry the date,
and a search with no other condition is answered from the index alone, trusting that it
holds only visible articles. ``rebuild()`` rewrites the whole index
(``manage.py rebuild_search_index``); ``keep_recent()`` keeps PostgreSQL's index of the newest
rows where it should start, after an ingest, and ``flush_pending()`` moves the entries new rows
left in its GIN indexes' pending lists into them.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping, Sequence

from django.db import connection, transaction
from django.db.models import Model

from articles import models as m
from articles.search.backends import (
    FIELDS,
    Document,
    PostgresBackend,
    SearchBackend,
    backend_for,
    concept_token,
)
from articles.search.mapping import CONCEPT_BRANCHES

CHUNK = 1000


def backend() -> SearchBackend:
    return backend_for(connection.vendor)


def refresh(pmids: Sequence[int], drafts: Mapping[int, Document] | None = None) -> int:
    """Rewrite the index rows of ``pmids``; return how many articles are indexed now.

    ``drafts``: for articles just created, what their records say (``draft`` keys, made by
    ``ingest`` in its parser processes), so that their rows need not be read back: a new
    article has no curator's correction to lay over yet."""
    pmids = sorted(set(pmids))
    if not pmids:
        return 0
    drafts = drafts or {}
    engine = backend()
    indexed = 0
    with transaction.atomic(), connection.cursor() as cursor:
        for start in range(0, len(pmids), CHUNK):
            chunk = pmids[start : start + CHUNK]
            engine.delete(cursor, chunk)  # a new article may follow one deleted by hand
            stored = [pmid for pmid in chunk if pmid not in drafts]
            docs = load_documents(cursor, stored) if stored else {}
            docs.update(finish(cursor, {pmid: drafts[pmid] for pmid in chunk if pmid in drafts}))
            indexed += engine.insert(cursor, sorted(docs.items()))
    return indexed


def rebuild(progress: Callable[[int], None] | None = None) -> int:
    """Index every visible article again; return the count. In one transaction: on SQLite
    the index is emptied and filled again (readers, in WAL mode, see the old rows until it
    commits); on PostgreSQL a new table is filled beside the live one, indexed once at the
    end (one GIN build beats a million inserts) and swapped in
    (``PostgresBackend.rebuild_beside``): searches go on meanwhile."""
    engine = backend()
    indexed = 0
    with transaction.atomic(), connection.cursor() as cursor:
        table = engine.rebuild_beside(cursor)
        for chunk in _visible_pmid_chunks(cursor):
            indexed += engine.insert(cursor, load_documents(cursor, chunk).items(), table=table)
            if progress:
                progress(len(chunk))
        engine.swap_in(cursor, table)
    return indexed


def keep_recent() -> str | None:
    """PostgreSQL, after an ingest: build the index of the newest rows if the index has grown
    to want one, or move it if new records made it hold over twice what it should
    (``PostgresBackend.place_recent``); what was done, or None."""
    engine = backend()
    if not isinstance(engine, PostgresBackend):
        return None
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        done = engine.place_recent(cursor, only_if_stale=True)
    return done and f"{done} ({time.perf_counter() - started:.1f} s)"


def flush_pending() -> int:
    """PostgreSQL, after an ingest: move the new rows' entries from the GIN indexes' pending
    lists into the indexes (``PostgresBackend.flush_pending``), so that searches stop
    reading them; the pages moved."""
    engine = backend()
    if not isinstance(engine, PostgresBackend):
        return 0
    with connection.cursor() as cursor:
        return engine.flush_pending(cursor)


def _visible_pmid_chunks(cursor) -> Iterator[list[int]]:
    last = -1
    while True:
        cursor.execute(
            f"SELECT pmid FROM {_table(m.Article)} WHERE deleted_at IS NULL AND pmid > %s "
            f"ORDER BY pmid LIMIT {CHUNK}",
            [last],
        )
        chunk = [row[0] for row in cursor.fetchall()]
        if not chunk:
            return
        yield chunk
        last = chunk[-1]


# A draft is a document before its MeSH parts are filled in (``finish``): the keys of
# ``FIELDS``, "terms" holding the keywords and substance names so far, plus these.
DRAFT_KEYS = (
    "headings",  # the UIs of its MeSH headings, in their order
    "concepts",  # the UIs of its concepts (MeSH-derived, found in the text, curators')
    "rejected",  # the UIs of concepts a curator removed
)


def empty_draft() -> Document:
    return {key: [] for key in (*FIELDS, *DRAFT_KEYS)}


def load_documents(cursor, pmids: Sequence[int]) -> dict[int, Document]:
    """The indexed text of each visible article among ``pmids`` (at most a few thousand),
    in ten queries, with curators' corrections of the title and abstract laid over."""
    marks = ", ".join(["%s"] * len(pmids))
    params = list(pmids)
    docs: dict[int, Document] = {}
    cursor.execute(
        f"SELECT pmid, title, vernacular_title FROM {_table(m.Article)} "
        f"WHERE deleted_at IS NULL AND pmid IN ({marks})",
        params,
    )
    for pmid, title, vernacular in cursor.fetchall():
        docs[pmid] = empty_draft()
        docs[pmid]["title"].extend(t for t in (title, vernacular) if t)
    if not docs:
        return docs
    # Curators' corrections of the title and abstract sections are what readers see, so
    # they are what is searched.
    cursor.execute(
        f"SELECT article_id, field, corrected_value FROM {_table(m.Correction)} "
        f"WHERE article_id IN ({marks}) AND (field = 'title' OR field LIKE 'abstract:%%')",
        params,
    )
    corrected = {(pmid, field): value for pmid, field, value in cursor.fetchall()}
    for pmid, doc in docs.items():
        if (pmid, "title") in corrected:
            doc["title"][0:1] = [corrected[pmid, "title"]]
    cursor.execute(
        f"SELECT article_id, position, text FROM {_table(m.AbstractSection)} "
        f"WHERE article_id IN ({marks}) ORDER BY article_id, position",
        params,
    )
    for pmid, position, text in cursor.fetchall():
        text = corrected.get((pmid, f"abstract:{position}"), text)
        if pmid in docs and text:
            docs[pmid]["abstract"].append(text)
    queries = [
        (
            "terms",
            f"SELECT article_id, text FROM {_table(m.Keyword)} "
            f"WHERE article_id IN ({marks}) ORDER BY article_id, position",
        ),
        (
            "terms",
            f"SELECT article_id, name FROM {_table(m.Substance)} "
            f"WHERE article_id IN ({marks}) ORDER BY article_id, position",
        ),
        (
            "affiliations",
            f"SELECT a.article_id, f.text FROM {_table(m.Affiliation)} f "
            f"JOIN {_table(m.Author)} a ON a.id = f.author_id "
            f"WHERE a.article_id IN ({marks}) AND a.role = 'author' "
            "ORDER BY a.article_id, a.position, f.position",
        ),
    ]
    for field_name, sql in queries:
        cursor.execute(sql, params)
        for pmid, text in cursor.fetchall():
            if pmid in docs and text:
                docs[pmid][field_name].append(text)
    cursor.execute(
        f"SELECT article_id, descriptor_id FROM {_table(m.MeshHeading)} "
        f"WHERE article_id IN ({marks}) ORDER BY article_id, position",
        params,
    )
    for pmid, ui in cursor.fetchall():
        if pmid in docs:
            docs[pmid]["headings"].append(ui)
    cursor.execute(
        f"SELECT article_id, descriptor_id, rejected FROM {_table(m.ArticleConcept)} "
        f"WHERE article_id IN ({marks})",
        params,
    )
    for pmid, ui, is_rejected in cursor.fetchall():
        if pmid in docs:
            docs[pmid]["rejected" if is_rejected else "concepts"].append(ui)
    cursor.execute(
        f"SELECT article_id, last_name, initials, collective_name FROM {_table(m.Author)} "
        f"WHERE article_id IN ({marks}) AND role = 'author' ORDER BY article_id, position",
        params,
    )
    for pmid, last_name, initials, collective_name in cursor.fetchall():
        if pmid in docs and (name := author_name(last_name, initials, collective_name)):
            docs[pmid]["authors"].append(name)
    return finish(cursor, docs)


def author_name(last_name: str, initials: str, collective_name: str) -> str:
    """An author as the index holds it: "Smith JA", or the group's name."""
    return collective_name or " ".join(p for p in (last_name, initials) if p)


def finish(cursor, drafts: Mapping[int, Document]) -> dict[int, Document]:
    """Documents from drafts: "terms" gets the MeSH heading names, then one token per concept
    (``backends.concept_token``): each concept found in the text, derived from MeSH or added
    by a curator, each MeSH heading that is a disease or therapy, and every descriptor above
    them in those branches of the MeSH tree; a concept a curator removed is left out. The
    drafts are left as they were."""
    names = dict(
        _rows_in(
            cursor,
            f"SELECT ui, name FROM {_table(m.MeshDescriptor)} WHERE ui IN ({{}})",
            sorted({ui for draft in drafts.values() for ui in draft["headings"]}),
        )
    )
    broader = _broader(
        cursor,
        {ui for draft in drafts.values() for key in ("headings", "concepts") for ui in draft[key]},
    )
    docs: dict[int, Document] = {}
    for pmid, draft in drafts.items():
        doc = {field: list(draft[field]) for field in FIELDS}
        doc["terms"].extend(names[ui] for ui in draft["headings"] if ui in names)
        # Headings count where they are diseases or therapies (those with broader ones here).
        uis = set(draft["concepts"]) | {ui for ui in draft["headings"] if ui in broader}
        uis -= set(draft["rejected"])
        if uis:
            found = uis.union(*(broader.get(ui, ()) for ui in uis))
            doc["terms"].append(" ".join(concept_token(ui) for ui in sorted(found)))
        docs[pmid] = doc
    return docs


def _broader(cursor, uis: set[str]) -> dict[str, set[str]]:
    """Each of ``uis`` that is a disease or therapy (``mapping.CONCEPT_BRANCHES``) -> the
    descriptors above it in those branches of the MeSH tree (empty for a top one)."""
    if not uis:
        return {}
    table = _table(m.MeshTreeNumber)
    numbers: dict[str, list[str]] = {}
    for ui, number in _rows_in(
        cursor,
        f"SELECT descriptor_id, number FROM {table} WHERE descriptor_id IN ({{}})",
        sorted(uis),
    ):
        if number.startswith(CONCEPT_BRANCHES):
            numbers.setdefault(ui, []).append(number)
    # C14.280.647.500 -> C14, C14.280, C14.280.647
    above = {
        number[:i]
        for found in numbers.values()
        for number in found
        for i, c in enumerate(number)
        if c == "."
    }
    owner = dict(
        _rows_in(
            cursor,
            f"SELECT number, descriptor_id FROM {table} WHERE number IN ({{}})",
            sorted(above),
        )
    )
    return {
        ui: {
            owner[number[:i]]
            for number in found
            for i, c in enumerate(number)
            if c == "." and number[:i] in owner
        }
        for ui, found in numbers.items()
    }


def _rows_in(cursor, sql: str, values: list) -> list[tuple]:
    """``sql``'s rows, its ``IN ({})`` filled with ``values`` a chunk at a time."""
    rows: list[tuple] = []
    for start in range(0, len(values), CHUNK):
        chunk = values[start : start + CHUNK]
        cursor.execute(sql.format(", ".join(["%s"] * len(chunk))), chunk)
        rows.extend(cursor.fetchall())
    return rows


def _table(model: type[Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)
