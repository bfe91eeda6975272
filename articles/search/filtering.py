"""A parsed query applied to an Article queryset.

Text terms go to the full-text index; the structured tags become conditions on stored
columns: [mh]/[majr] (MeSH headings, exploded down the MeSH tree and found by entry terms),
[pt], [ta], [la], [dp], [pmid], [doi], [1au]. The text terms ANDed at the top of the query
become one index match joined to the article, which also ranks it (``search_rank``, higher is
better); text terms anywhere else (under OR or NOT with structured terms) become
``pmid IN (SELECT rowid ...)`` subqueries.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from functools import cache, reduce
from operator import and_, itemgetter, or_

from django.core.exceptions import EmptyResultSet
from django.db import connection, transaction
from django.db.models import BooleanField, FloatField, Q, QuerySet, Value
from django.db.models.expressions import RawSQL

from articles import models as m
from articles.mesh import narrower_uis
from articles.models import CompiledText, Match, in_pks
from articles.search import mapping
from articles.search.backends import (
    BREAK_EVEN,
    NARROW_FIELDS,
    TABLE,
    WINDOW_MARGIN,
    SearchBackend,
    backend_for,
    positive_terms,
)
from articles.search.query import Bool, Node, ParsedQuery, Term, parse

# ISO 639-2 codes PubMed stores, for the language names people type with [la].
LANGUAGES = {
    "english": "eng",
    "french": "fre",
    "german": "ger",
    "spanish": "spa",
    "italian": "ita",
    "japanese": "jpn",
    "chinese": "chi",
    "russian": "rus",
    "portuguese": "por",
    "dutch": "dut",
    "polish": "pol",
    "korean": "kor",
    "turkish": "tur",
    "czech": "cze",
    "hungarian": "hun",
    "swedish": "swe",
    "danish": "dan",
    "norwegian": "nor",
    "finnish": "fin",
    "greek": "gre",
    "hebrew": "heb",
    "arabic": "ara",
    "persian": "per",
    "romanian": "rum",
    "serbian": "srp",
    "croatian": "hrv",
    "ukrainian": "ukr",
}
# The annotation ``search`` sorts by best match with (ascending: best first); a list in best
# match order starts with it (``articles.sorting.SORTS["relevance"]``).
BEST_FIRST = "search_order"
_DATE = re.compile(r"^\s*(\d{4})(?:[/-]\d{1,2}(?:[/-]\d{1,2})?)?\s*$")
NOTHING = Q(pk__in=[])


@dataclass
class SearchResult:
    queryset: QuerySet
    parsed: ParsedQuery

    @property
    def note(self) -> str:
        return self.parsed.note


def search(queryset: QuerySet, text: str) -> SearchResult:
    """Filter ``queryset`` (of Articles) by a PubMed-style query and annotate ``search_rank``
    (higher is better) and ``search_order`` (the same order, ascending: best match first;
    FTS5's own bm25() on SQLite, which is lower for better matches).
    An empty query leaves it unfiltered; a query with nothing searchable matches nothing."""
    parsed = read(text)
    nothing = Value(0.0, FloatField())
    if parsed.node is None:
        if text.strip():
            queryset = queryset.none()
        return SearchResult(queryset.annotate(search_rank=nothing, search_order=nothing), parsed)
    compiler = _Compiler(backend_for(connection.vendor), parsed.notes)
    truncated = [term for term in parsed.terms() if term.prefix and term.is_text]
    if truncated:
        with connection.cursor() as cursor:
            for note in compiler.backend.cap_truncation(cursor, truncated):
                compiler.note(note)
    main, rest = compiler.split(parsed.node)
    rank = order = nothing
    if main is not None:
        compiled = compiler.backend.compile(main)
        narrow = any(t.field in NARROW_FIELDS for t in positive_terms(main))
        if rest or narrow:
            compiled = replace(compiled, trust_estimate=False, narrow=narrow)
        queryset = queryset.filter(search_document__document__match=compiled)
        rank = RawSQL(*compiler.backend.rank(main), output_field=FloatField())
        order = RawSQL(*compiler.backend.order(main), output_field=FloatField())
    if rest:
        queryset = queryset.filter(reduce(and_, (compiler.q(node) for node in rest)))
    return SearchResult(queryset.annotate(search_rank=rank, search_order=order), parsed)


def read(text: str) -> ParsedQuery:
    """``text`` parsed as ``search`` runs it: words naming a disease or therapy also search
    that concept (``mapping``), and concepts written with [concept] are resolved."""
    parsed = parse(text, mapper=mapping.lookup)
    parsed.node = mapping.resolve(parsed.node, parsed.names, parsed.notes)
    return parsed


def best_first_pks(queryset: QuerySet, order: tuple, limit: int) -> tuple[list[int], bool]:
    """The first ``limit`` PMIDs of a search (``search()``'s queryset) in best-match
    ``order``, and whether the ranking was bounded.

    Both backends score hit by hit (bm25, ts_rank), so ranking costs every hit before the
    best are known: a word in a tenth of 1,000,000 abstracts means 100,000 scores. So when
    more than ``limit`` articles match, only the ``limit`` most recently added to PubMed (the
    highest PMIDs) are ranked, and the page says so; past the list's 10,000 rows nobody pages
    anyway.

    SQLite: FTS5 lists hits by rowid (PMID), newest first, without scoring them, so finding
    the ``limit``-th newest hit is cheap whatever the count. PostgreSQL's GIN index cannot
    list hits by PMID: the newest are found in a window of the most recently added rows
    (``_newest_ranked``), which beats ranking every hit only when hits are many
    (``bounding_estimate``; at 1,000,000 abstracts, a word in a tenth of them: 150 ms instead
    of 760; a word in 2%: 240 ms, 180 ranking every hit). A PostgreSQL search with no
    condition its index rows cannot say is ranked from them alone (``_index_only``)."""
    if TABLE not in queryset.query.alias_map:
        return list(queryset.order_by(*order).values_list("pk", flat=True)[:limit]), False
    within, bounded = queryset, False
    if connection.vendor == "sqlite":
        newest = queryset.order_by(RawSQL(f"{TABLE}.rowid", ()).desc())
        boundary = list(newest.values_list("pk", flat=True)[limit - 1 : limit])
        if boundary:
            bound = RawSQL(f"{TABLE}.rowid >= %s", (boundary[0],), output_field=BooleanField())
            within, bounded = queryset.filter(bound), True
    else:
        # The index rows that stand for the articles asked for, worked out once (1 ms).
        rows = _index_rows(_without(queryset, _text_match(queryset)))
        estimate = bounding_estimate(queryset, limit, plain=rows is not None)
        found = None
        if estimate is not None:
            found = _newest_ranked(queryset, order, limit, *estimate, rows=rows)
        if found is not None:
            return found
        index_rows = _index_only(queryset, order, rows)
        if index_rows is not None:
            within = index_rows
    ranked = within.order_by(*order).values_list("pk")[:limit]
    return [row[0] for row in _rows(ranked)], bounded  # raw: 3 ms less for 10,001 rows


# The columns of a PostgreSQL index row that stand for its article's, as the list sorts by.
INDEX_COLUMNS = {"pk": "rowid", "pmid": "rowid", "pub_date": "pub_date"}


def _index_column(name: str) -> RawSQL:
    """The index rows' column for the list's ``name`` (``-pub_date``: ``pub_date``)."""
    return RawSQL(f"{TABLE}.{INDEX_COLUMNS[name.lstrip('-')]}", ())


def _index_only(queryset: QuerySet, order: tuple, rows: QuerySet | None) -> QuerySet | None:
    """PostgreSQL: ``queryset`` as a query of its index rows alone (``rows``, what
    ``_index_rows`` gave for its other conditions), annotated with ``order``'s names, when it
    asks nothing the rows cannot say and ``order`` sorts by columns the index has (the rows
    carry their articles' dates), so the article rows add nothing. Else None.
    (``"blood pressure"`` at 1,000,000: its 15,357 hits were each looked up among the
    articles; 110 ms, then 61.)"""
    if rows is None:
        return None
    match = _text_match(queryset)
    names = [name for name in order if isinstance(name, str)]
    fields = [name.lstrip("-") for name in names]
    if (
        match is None
        or len(names) < len(order)
        or not all(
            field in INDEX_COLUMNS or field in queryset.query.annotations for field in fields
        )
    ):
        return None
    annotations = {
        field: queryset.query.annotations[field] for field in fields if field not in INDEX_COLUMNS
    }
    columns = {
        field: _index_column(field) for field in fields if field in INDEX_COLUMNS and field != "pk"
    }
    return rows.filter(document__match=match.rhs).annotate(**annotations, **columns)


def _index_rows(articles: QuerySet | None) -> QuerySet | None:
    """The index rows that stand for ``articles`` (a search's other conditions), when they ask
    for nothing but what the rows can say, else None: visible articles (every row is one:
    ``index.refresh``), or what the public list shows (``ArticleQuerySet.public``: also not
    excluded by a curator nor blocklisted, two lists PostgreSQL hashes once a query)."""
    if articles is None:
        return None
    try:
        asked = _sql(articles)
    except EmptyResultSet:  # a condition that can match nothing
        return None
    # Compared, not hashed: a filter's parameters may be values that cannot be.
    scope = next((scope for sql, scope in _scopes(articles.db) if sql == asked), None)
    rows = m.SearchDocument.objects.using(articles.db)
    if scope == "public":
        excluded = m.Curation.objects.filter(status=m.Curation.Status.EXCLUDED)
        blocked = m.BlockedPMID.objects.values("pmid")
        return rows.exclude(pk__in=excluded.values("article_id")).exclude(pk__in=blocked)
    return rows if scope == "visible" else None


@cache
def _scopes(alias: str) -> tuple[tuple[tuple, str], ...]:
    """The SQL of the article querysets ``_index_rows`` knows, with their scope, once per
    database: compiling them took 1.5 ms a search."""
    articles = m.Article.objects.using(alias)
    return (
        (_sql(articles.visible()), "visible"),
        (_sql(articles.public()), "public"),
        (_sql(articles.visible().public()), "public"),
    )


def _sql(articles: QuerySet) -> tuple:
    return articles.order_by().values_list("pk").query.sql_with_params()


def bounding_estimate(
    queryset: QuerySet, limit: int, *, plain: bool = False
) -> tuple[int, float] | None:
    """The planner's estimate of the hits and the index's row count, when PostgreSQL should
    rank only the newest ``limit`` hits: when the estimate says hits are many (hits squared
    over ``limit`` times the rows, the measured break-even). Not for a word restricted to
    titles or authors, whose estimate counts the word anywhere; structured tags are guessed
    at, but a window sized on a wrong guess is given up after one look (``_newest_ranked``).
    Two queries (EXPLAIN, the index's row count), none for a title or author word. ``plain``:
    the index rows stand for the articles asked for (``_index_rows``), so the match is
    estimated over the index alone, a plan made in half the time (0.5 ms, not 1.2: no join,
    no NOT EXISTS; ``"blood pressure"`` 3,680 against 3,561, ``blood`` 98,123 against 94,944)."""
    match = _text_match(queryset)
    if match is None or match.rhs.narrow:
        return None
    if plain:
        hits = estimated_rows(m.SearchDocument.objects.filter(document__match=match.rhs))
    else:
        hits = estimated_rows(queryset)
    if hits <= limit:
        return None
    indexed = max(_indexed_rows(), hits)
    if hits * hits <= BREAK_EVEN * limit * indexed:
        return None
    return hits, indexed


def _newest_ranked(
    queryset: QuerySet,
    order: tuple,
    limit: int,
    hits: int,
    indexed: float,
    *,
    rows: QuerySet | None,
) -> tuple[list[int], bool] | None:
    """PostgreSQL: the newest ``limit`` hits in ``order``, or None where this way does not
    apply. A window of the most recently added index rows, sized by the planner's estimate
    to hold them, is intersected with the GIN index's hits (bitmaps: only hits are read, not
    every row of the window), which are ranked as they are read. A window that turns out too
    small grows by the density found, up to the whole index. With nothing to check that the
    index rows cannot say (``rows``: ``_index_rows``), their own dates serve for the
    tie-breaks and no article is read; else ``_newest_checked`` checks the other conditions."""
    match = _text_match(queryset)
    others = _without(queryset, match)
    if (
        match is None  # then ``others`` is None too
        or others is None
        or order[:1] != (BEST_FIRST,)
        or not all(
            isinstance(name, str) and name.lstrip("-") not in queryset.query.annotations
            for name in order[1:]
        )
    ):
        return None
    rank = queryset.query.annotations[BEST_FIRST]
    window = limit * indexed / hits * WINDOW_MARGIN
    if rows is None or not all(name.lstrip("-") in INDEX_COLUMNS for name in order[1:]):
        return _newest_checked(match.rhs, others, rank, order, limit, window, indexed)
    # Nothing else to check: each window is ranked and sorted by PostgreSQL, and a grown one
    # is read whole again (the first is one in most searches).
    boundary, first = _window_start(window, indexed), True
    while True:
        ranked = _sorted_pks(_window_hits(match.rhs, boundary, rows=rows), order, rank=rank)
        if len(ranked) >= limit or boundary is None:
            break
        grown = _grown(window, len(ranked), limit, first=first)
        if grown is None:
            return None  # the estimate was far too high: ranking every hit costs less
        window = grown
        boundary, first = _window_start(window, indexed), False
    bounded = len(ranked) > limit or (len(ranked) == limit and boundary is not None)
    if len(ranked) > limit:
        oldest = sorted(ranked)[-limit]  # the limit-th newest PMID
        ranked = [pk for pk in ranked if pk >= oldest]
    return ranked, bounded


def _newest_checked(
    match: CompiledText,
    others: QuerySet,
    rank: RawSQL,
    order: tuple,
    limit: int,
    window: float,
    indexed: float,
) -> tuple[list[int], bool] | None:
    """``_newest_ranked`` with conditions to check on the articles (``others``): each
    window's hits are ranked, their articles checked, and the newest ``limit`` that pass
    sorted here as PostgreSQL would; a grown window reads only the rows the last did not."""
    names = [name.lstrip("-") for name in order[1:]]
    ranks: dict[int, float] = {}
    found: dict[int, tuple] = {}  # (PMID, *names): one row per PMID, whatever filters join
    upper = None
    boundary = _window_start(window, indexed)
    while True:
        text_hits = _window_hits(match, boundary, upper)
        read = dict(_with_bitmaps(text_hits.annotate(rank=rank).values_list("pk", "rank")))
        kept = others.filter(pk__in=in_pks(list(read))).order_by().values_list("pk", *names)
        found.update({row[0]: row for row in _rows(kept)})
        ranks.update(read)
        if len(found) >= limit or boundary is None:
            break
        grown = _grown(window, len(found), limit, first=upper is None)
        if grown is None:
            return None
        window = grown
        upper, boundary = boundary, _window_start(window, indexed)
    rows = sorted(found.values(), key=itemgetter(0), reverse=True)
    newest = rows[:limit]
    for position in range(len(order) - 1, 0, -1):  # the tie-breaks, last first
        descending = order[position].startswith("-")
        newest = _sorted_as_sql(newest, itemgetter(position), descending=descending)
    newest.sort(key=lambda row: ranks[row[0]])  # best match: a rank is never NULL
    bounded = len(rows) > limit or (len(rows) == limit and boundary is not None)
    return [row[0] for row in newest], bounded


def _window_hits(
    match: CompiledText,
    boundary: int | None,
    upper: int | None = None,
    *,
    rows: QuerySet | None = None,
) -> QuerySet:
    """The index rows (of ``rows``, else all) that ``match`` from PMID ``boundary`` (all when
    None) up to ``upper``."""
    hits = (m.SearchDocument.objects.all() if rows is None else rows).filter(document__match=match)
    if boundary is not None:
        hits = hits.filter(pk__gte=boundary)
    if upper is not None:
        hits = hits.filter(pk__lt=upper)
    return hits


def _grown(
    window: float, found: int, limit: int, *, first: bool, least: float = 2.0
) -> float | None:
    """The next window's size in index rows, after one of ``window`` rows held ``found`` of
    the ``limit`` matches asked for, at ``least`` times larger; None when the first held
    under 1 / ``GIVE_UP`` of them."""
    growth = WINDOW_MARGIN * limit / max(found, 1)
    if first and growth > GIVE_UP:
        return None
    return window * max(least, growth)


def _without(queryset: QuerySet, match: Match | None) -> QuerySet | None:
    """``queryset`` without ``match`` and the index join it needs, when every row must meet
    the match (it is ANDed at the top, as ``search()`` adds it), else None."""
    if match is None or not _anded(queryset.query.where, match):
        return None
    stripped = queryset.order_by()
    stripped.query.where = _pruned(stripped.query.where, match)
    # The index join then filters nothing (its rows are the hits being checked) and is left
    # out of the SQL, and so are the annotations (the rank reads the index).
    stripped.query.alias_refcount[TABLE] = 0
    stripped.query.set_annotation_mask(())
    return stripped


def _anded(node, match: Match) -> bool:
    """Whether ``match`` is ``node`` or reached from it through ANDs that are not negated."""
    if node is match:
        return True
    if not hasattr(node, "children") or node.connector != "AND" or node.negated:
        return False
    return any(_anded(child, match) for child in node.children)


def _pruned(node, match: Match):
    """A copy of the condition tree ``node`` without ``match``."""
    clone = node.clone()
    clone.children = [
        _pruned(child, match) if hasattr(child, "children") else child
        for child in node.children
        if child is not match
    ]
    return clone


# A first window holding fewer than 1 / GIVE_UP of the matches it should is not grown: the
# estimate was a guess at a structured tag, far off. `blood AND (review[pt] OR case
# reports[pt])` at 1,000,000: 74,590 estimated, 11,322 match; the first window held 1,890;
# growing it to the whole index took 1.3 s, giving up and ranking every hit 1.1 (0.87 when
# every hit was ranked from the start).
GIVE_UP = 4.0


def _window_start(rows: float, indexed: float) -> int | None:
    """About the PMID from which the newest ``rows`` of the ``indexed`` index rows start, or
    None for the whole index. Read off the planner's histogram of the index's PMIDs (a
    boundary per 1% of the rows, taken on the wide side; rows added since the last ANALYZE
    only widen the window), else found by an index-only scan (at 1,000,000: 25 ms for the
    newest 350,000)."""
    share = rows / indexed if indexed > 0 else 1.0
    if share >= 1:
        return None
    bounds = _pmid_histogram()
    if bounds:
        position = int((1 - share) * (len(bounds) - 1))
        return bounds[position] if position > 0 else None
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT rowid FROM {TABLE} ORDER BY rowid DESC OFFSET %s LIMIT 1", [int(rows)]
        )
        row = cursor.fetchone()
    return row[0] if row else None


def _pmid_histogram() -> list[int]:
    """The planner's histogram of the index's PMIDs (ANALYZE's boundaries, ascending), or []
    before the first ANALYZE."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT histogram_bounds::text FROM pg_stats WHERE schemaname = current_schema() "
            "AND tablename = %s AND attname = 'rowid'",
            [TABLE],
        )
        row = cursor.fetchone()
    return [int(bound) for bound in row[0].strip("{}").split(",")] if row and row[0] else []


def _with_bitmaps(queryset: QuerySet) -> list:
    """``queryset``'s rows, read with bitmap scans only. For a word and a range of the primary
    key the planner prefers walking the range testing every row (blood in the newest 120,000
    of 1,000,000: 190 ms) to intersecting the GIN index's hits with the range (60 ms): its
    cost model takes the test of a tsvector for a cheap operator, not a decompression."""
    with transaction.atomic(using=queryset.db), connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_setting('enable_indexscan'), "
            "set_config('enable_indexscan', 'off', true)"
        )
        (previous, _off) = cursor.fetchone()
        rows = _rows(queryset)
        cursor.execute("SELECT set_config('enable_indexscan', %s, true)", [previous])
    return rows


def _rows(queryset: QuerySet) -> list[tuple]:
    """A values_list queryset's rows as the database driver gives them: without Django's
    chunked fetch and per-value converters (30 ms for 12,000 rows of three values)."""
    try:
        sql, params = queryset.query.sql_with_params()
    except EmptyResultSet:  # a condition that can match nothing: Django runs no query
        return []
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _text_match(queryset: QuerySet) -> Match | None:
    """The search's index match in ``queryset``'s conditions."""
    nodes = [queryset.query.where]
    while nodes:
        node = nodes.pop()
        if isinstance(node, Match):
            return node
        nodes.extend(getattr(node, "children", ()))
    return None


def _sorted_as_sql(rows: list[tuple], key: Callable, *, descending: bool) -> list[tuple]:
    """``rows`` stably sorted by ``key`` as PostgreSQL's ORDER BY sorts: NULLs last
    ascending, first descending."""
    present = [row for row in rows if key(row) is not None]
    present.sort(key=key, reverse=descending)
    missing = [row for row in rows if key(row) is None]
    return missing + present if descending else present + missing


def newest_pks(queryset: QuerySet, order: tuple, limit: int) -> list[int] | None:
    """PostgreSQL, newest first: the first ``limit`` PMIDs of a search in ``order``, found
    from the index, or None where this does not apply (the planner then sorts).

    - A search with nothing to check that the index rows cannot say (``_index_rows``): from
      the rows alone, by a window of the most recent dates (``_newest_dated``).
    - A word restricted to titles or authors: its hits from the index first, then the newest
      of them. Left to itself the planner, counting the word anywhere (its estimate ignores
      tsquery weights), sorted every article by date and tested each in turn (``blood[ti]``
      at 1,000,000: 3.0 s, hits first 0.50; ``Smith J[au]`` 0.18, 0.15).

    Searches with structured tags are left to the planner: the hits of their words can be
    many more than their matches (``blood AND review[pt]`` 0.38 s as it is, 0.87 hits
    first)."""
    if connection.vendor != "postgresql" or order[:1] != ("-pub_date",):
        return None
    match = _text_match(queryset)
    others = _without(queryset, match)
    if match is None or others is None:  # no match, no others
        return None
    if not match.rhs.narrow:
        rows = _index_rows(others)
        if rows is None or not all(
            isinstance(name, str) and name.lstrip("-") in INDEX_COLUMNS for name in order
        ):
            return None
        return _newest_dated(queryset, rows.filter(document__match=match.rhs), order, limit)
    hits = m.SearchDocument.objects.filter(document__match=match.rhs).values_list("pk")
    within = others.filter(pk__in=in_pks([row[0] for row in _rows(hits)]))
    return list(within.order_by(*order).values_list("pk", flat=True)[:limit])


def _newest_dated(queryset: QuerySet, text_hits: QuerySet, order: tuple, limit: int) -> list[int]:
    """PostgreSQL, newest first, a search with nothing to check that the index rows cannot
    say: the first ``limit`` of ``text_hits`` (those rows that match, ``_index_rows``) in
    ``order``, from the rows alone (they carry the date). When more than ``limit`` hits are
    expected, only the most recent rows by date are read, a band of dates at a time: a band's
    hits (the GIN index's, intersected with the date index's rows: bitmaps) all come after
    the last band's, so the first ``limit`` are found when the bands hold that many. The first
    band is sized by the planner's estimate of the hits, the next by the density found; a
    first band holding under a quarter of its due is given up for sorting every hit. Left to
    itself, the planner walked the articles by date and tested each for the word (``blood``
    at 1,000,000: 223-290 ms; now 51-54)."""
    hits = estimated_rows(queryset)
    indexed = max(_indexed_rows(), hits)
    # Where sorting every hit costs less, as for ranking (``BREAK_EVEN``; at 1,000,000, ms,
    # window and every hit: diabetes, 20,566 expected, 89 and 40; covid, 32,952, 74 and 69;
    # pressure, 36,829, 58 and 67; children, 41,987, 52 and 78; blood, 99,777, 73 and 177).
    if hits <= limit or hits * hits <= BREAK_EVEN * limit * indexed:
        return _sorted_pks(text_hits, order, limit=limit)
    window = limit * indexed / hits * WINDOW_MARGIN
    newest: list[int] = []
    start, upper = _date_window_start(window, indexed), None
    while start is not None or upper is not None:
        band = text_hits
        if start is not None:
            band = band.filter(_dated(f"pub_date >= %s OR {TABLE}.pub_date IS NULL", start))
        if upper is not None:
            band = band.filter(_dated("pub_date < %s", upper))
        newest += _sorted_pks(band, order, limit=limit - len(newest))
        if len(newest) == limit or start is None:
            return newest
        grown = _grown(window, len(newest), limit, first=upper is None, least=1.0)
        if grown is None:
            break
        window = grown
        start, upper = _date_window_start(window, indexed), start
    return _sorted_pks(text_hits, order, limit=limit)


def _dated(condition: str, day: date) -> RawSQL:
    """A condition on the index rows' dates."""
    return RawSQL(f"({TABLE}.{condition})", (day,), output_field=BooleanField())


def _sorted_pks(
    text_hits: QuerySet, order: tuple, *, rank: RawSQL | None = None, limit: int | None = None
) -> list[int]:
    """The first ``limit`` (all when None) PMIDs of ``text_hits`` (index rows) in ``order``,
    sorted by PostgreSQL and read with bitmaps (``_with_bitmaps``): best match first by
    ``rank`` when ``order`` starts with it, then the rows' columns (``INDEX_COLUMNS``). For a
    bounded window, 8 ms less than sorting here (blood at 1,000,000: 10,900 hits)."""
    keys = []
    for name in order:
        if name != BEST_FIRST:
            column = _index_column(name)
        elif rank is None:
            raise ValueError("A best-match order needs the search's rank.")
        else:
            column = rank
        keys.append(column.desc() if name.startswith("-") else column.asc())
    ordered = text_hits.order_by(*keys).values_list("pk")
    return [row[0] for row in _with_bitmaps(ordered if limit is None else ordered[:limit])]


def _indexed_rows() -> float:
    """The planner's count of index rows (-1 before the first ANALYZE)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [TABLE])
        row = cursor.fetchone()
    return float(row[0]) if row else 0.0


def _date_window_start(rows: float, indexed: float) -> date | None:
    """About the publication date from which the ``rows`` most recent of the ``indexed``
    index rows start (those without a date sort first, so they are always in), or None for
    the whole index. Read off the planner's statistics of the column (its most common dates
    and a histogram of the others), taken on the wide side; else found by a scan of the
    date index."""
    share = rows / indexed if indexed > 0 else 1.0
    if share >= 1:
        return None
    stats = _date_stats()
    if stats is None:
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT pub_date FROM {TABLE} WHERE pub_date IS NOT NULL "
                "ORDER BY pub_date DESC OFFSET %s LIMIT 1",
                [int(rows)],
            )
            row = cursor.fetchone()
        return row[0] if row else None
    nulls, common, bounds = stats
    spread = max(0.0, 1.0 - nulls - sum(common.values()))  # the share the histogram holds
    buckets = max(len(bounds) - 1, 1)
    newer = nulls  # the share from the candidate on, without the histogram's
    commonest = sorted(common.items(), reverse=True)
    for candidate in sorted(set(common) | set(bounds), reverse=True):
        while commonest and commonest[0][0] >= candidate:
            newer += commonest.pop(0)[1]
        # The histogram's buckets wholly from the candidate on.
        above = len(bounds) - bisect_right(bounds, candidate)
        above -= 1 if bounds and bounds[0] > candidate else 0
        if newer + spread * above / buckets >= share:
            return candidate
    return None


def _date_stats() -> tuple[float, dict[date, float], list[date]] | None:
    """``pg_stats`` of the index rows' ``pub_date``: the share without one, the most common
    dates with their shares, and the histogram's bounds of the others (ascending); None
    before the first ANALYZE."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT null_frac, most_common_vals::text::date[], most_common_freqs, "
            "histogram_bounds::text::date[] FROM pg_stats "
            "WHERE schemaname = current_schema() AND tablename = %s AND attname = 'pub_date'",
            [TABLE],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    nulls, values, freqs, bounds = row
    return float(nulls), dict(zip(values or [], freqs or [], strict=True)), bounds or []


def newest_first(queryset: QuerySet, order: tuple) -> tuple:
    """``order`` (the list's newest first) as a search should be sorted by it: on PostgreSQL,
    when the planner's estimate of the hits is not to be trusted (``trust_estimate``), by
    ``pub_date + 0``, the same order but one the date index cannot give. Else the planner,
    expecting a title word in a tenth of the articles, walked the date index testing each
    (``blood[ti]`` at 1,000,000: 2.8 s, sorted from the hits 0.54; such a search now goes by
    ``newest_pks`` first, and this serves the structured tags); it is right to walk for a
    plain word it knows to be common."""
    if connection.vendor != "postgresql" or TABLE not in queryset.query.alias_map:
        return order
    if trust_estimate(queryset) or order[:1] != ("-pub_date",):
        return order
    table = m.Article._meta.db_table
    return (RawSQL(f'"{table}"."pub_date" + 0', ()).desc(), *order[1:])


def trust_estimate(queryset: QuerySet) -> bool:
    """``CompiledText.trust_estimate`` of the search's text match, which ``newest_first``
    acts on: ``blood[ti]`` at 1,000,000 has 1 in 8 of the articles the planner counts, and
    structured tags are guessed at (``blood AND (review[pt] OR case reports[pt])``: 74,590
    estimated, 11,322 match)."""
    match = _text_match(queryset)
    return match is not None and match.rhs.trust_estimate


def estimated_rows(queryset: QuerySet) -> int:
    """PostgreSQL's planner estimate of how many rows ``queryset`` has (one EXPLAIN, no
    execution): close for a common word (``blood``: 99,257 for 101,355), a quarter of the
    truth for a phrase, seven times it for a word too rare for the statistics."""
    plan = queryset.order_by().values("pk").explain(format="json")
    if not plan:  # a condition that can match nothing (an unknown [pt]): Django runs no query
        return 0
    return int(json.loads(plan)[0]["Plan"]["Plan Rows"])


def is_text(node: Node) -> bool:
    if isinstance(node, Term):
        return node.is_text and node is not _EVERYTHING
    return all(is_text(item) for item in node.items)


class _Compiler:
    def __init__(self, backend: SearchBackend, notes: list[str]) -> None:
        self.backend = backend
        self.notes = notes

    def split(self, node: Node) -> tuple[Node | None, list[Node]]:
        """(text tree for the joined, ranked match, other conditions to AND with it)."""
        if is_text(node):
            return node, []
        if isinstance(node, Bool) and node.op in ("AND", "NOT"):
            first, *others = node.items
            if node.op == "AND":
                text = [item for item in node.items if is_text(item)]
                rest = [item for item in node.items if not is_text(item)]
            elif is_text(first):
                # a NOT b NOT c[pt]: the text part keeps its text exclusions.
                text_not = [item for item in others if is_text(item)]
                text = [Bool("NOT", (first, *text_not)) if text_not else first]
                rest = [Bool("NOT", (_EVERYTHING, i)) for i in others if not is_text(i)]
            else:
                main, rest = self.split(first)
                text = [main] if main is not None else []
                rest = [*rest, *(Bool("NOT", (_EVERYTHING, item)) for item in others)]
            if not text:
                return None, rest
            return (text[0] if len(text) == 1 else Bool("AND", tuple(text))), rest
        return None, [node]

    def q(self, node: Node) -> Q:
        if node is _EVERYTHING:
            return Q()
        if is_text(node):
            sql, params = self.backend.subquery(node)
            return Q(pk__in=RawSQL(sql, params))
        if isinstance(node, Term):
            return self.structured(node)
        if node.op == "AND":
            return reduce(and_, (self.q(item) for item in node.items))
        if node.op == "OR":
            return reduce(or_, (self.q(item) for item in node.items))
        first, *others = node.items
        return reduce(and_, (~self.q(item) for item in others), self.q(first))

    def structured(self, term: Term) -> Q:
        value = term.text.strip()
        handler = getattr(self, "_" + term.field.replace(":", "_").replace("1au", "first_author"))
        return handler(value, term)

    def note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)

    # One method per structured tag ------------------------------------------------------------

    def _mh(self, value: str, term: Term, *, major: bool = False, explode: bool = True) -> Q:
        uis = mesh_descriptors(value, prefix=term.prefix)
        if not uis:
            self.note(f"No MeSH heading matches {value!r}.")
            return NOTHING
        if explode:
            uis |= narrower_uis(uis)
        headings = m.MeshHeading.objects.filter(descriptor_id__in=sorted(uis))
        if major:
            headings = headings.filter(Q(major=True) | Q(qualifiers__major=True))
        return Q(pk__in=headings.values("article_id"))

    def _majr(self, value: str, term: Term) -> Q:
        return self._mh(value, term, major=True)

    def _mh_noexp(self, value: str, term: Term) -> Q:
        return self._mh(value, term, explode=False)

    def _majr_noexp(self, value: str, term: Term) -> Q:
        return self._mh(value, term, major=True, explode=False)

    def _pt(self, value: str, term: Term) -> Q:
        names = {value, value + "s", value.removesuffix("s")}
        names_q = reduce(or_, (Q(name__iexact=n) for n in names)) | Q(ui__iexact=value)
        uis = list(m.PublicationType.objects.filter(names_q).values_list("ui", flat=True))
        if not uis:
            self.note(f"No publication type {value!r} is stored.")
            return NOTHING
        return Q(
            pk__in=m.ArticlePublicationType.objects.filter(publication_type_id__in=uis).values(
                "article_id"
            )
        )

    def _ta(self, value: str, term: Term) -> Q:
        journals = m.Journal.objects.filter(
            Q(medline_ta__iexact=value)
            | Q(iso_abbreviation__iexact=value)
            | Q(title__iexact=value)
            | Q(issn_print=value)
            | Q(issn_electronic=value)
            | Q(issn_linking=value)
        ).values_list("id", flat=True)
        ids = list(journals)
        if not ids:
            self.note(f"No journal {value!r} is stored.")
            return NOTHING
        return Q(journal_id__in=ids)

    def _la(self, value: str, term: Term) -> Q:
        code = LANGUAGES.get(value.casefold(), value.casefold())
        return m.in_language(code)

    def _dp(self, value: str, term: Term) -> Q:
        first, _, last = value.partition(":")
        start, end = _DATE.match(first), _DATE.match(last or first)
        if not (start and end):
            self.note(f"Could not read {value!r} as a year or a range like 2005:2010.")
            return NOTHING
        low, high = sorted((int(start.group(1)), int(end.group(1))))
        return Q(pub_year=low) if low == high else Q(pub_year__gte=low, pub_year__lte=high)

    def _pmid(self, value: str, term: Term) -> Q:
        if not (value.isascii() and value.isdigit() and len(value) <= 9):
            self.note(f"{value!r} is not a PMID.")
            return NOTHING
        return Q(pk=int(value))

    def _doi(self, value: str, term: Term) -> Q:
        return Q(doi__iexact=value.removeprefix("https://doi.org/"))

    def _first_author(self, value: str, term: Term) -> Q:
        words = value.split()
        authors = m.Author.objects.filter(role=m.Author.Role.AUTHOR, position=0)
        if len(words) >= 2 and words[-1].isalpha() and len(words[-1]) <= 3:
            name = Q(last_name__iexact=" ".join(words[:-1]), initials__istartswith=words[-1])
        else:
            name = Q(last_name__iexact=value) | Q(collective_name__iexact=value)
        return Q(pk__in=authors.filter(name).values("article_id"))


_EVERYTHING = Term("*", "all")  # stands for "every article" on the left of a NOT


def mesh_descriptors(value: str, *, prefix: bool = False) -> set[str]:
    """UIs of the descriptors named ``value``: by name, entry term (synonym) or UI."""
    normalized = value.casefold()
    if prefix:
        match = Q(name__istartswith=value) | Q(entry_terms__normalized__startswith=normalized)
    else:
        match = Q(name__iexact=value) | Q(entry_terms__normalized=normalized) | Q(ui__iexact=value)
    return set(m.MeshDescriptor.objects.filter(match).values_list("ui", flat=True).distinct())
