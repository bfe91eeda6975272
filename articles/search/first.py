"""A search's first PMIDs in the list's order: what the list page reads to count, sample
and page its matches (``articles.browse.facets``).

The list says what it means, and nothing is read back out of a queryset:

    first_pks(plan, scope, filters, order, limit)

- ``plan``: the compiled query (``filtering.compile_search``);
- ``scope``: which articles the reader may see (``Scope``: every visible one, or the
  public list's);
- ``filters``: the articles the list's other filters leave (the scope's included), or None
  when no filter narrows the scope;
- ``order``: the list's sort keys (``articles.browse.sorting.SORTS``): best match (starting with
  ``BEST_FIRST``) or newest first;
- ``limit``: how many PMIDs.

Past ``limit`` hits, best match ranks only the ``limit`` most recently added (the page says
so). On SQLite, FTS5 lists hits by PMID, so that is one query. PostgreSQL's GIN index cannot,
and its planner misjudges a tsvector's cost; the rest of this module is the help it needs,
and nothing outside this module knows of it: estimates (EXPLAIN, ``pg_stats`` histograms),
windows of the newest index rows and bands of the newest dates, bitmap-only reads (``SET
enable_indexscan``), and the index rows' own dates standing in for their articles'.
"""

from __future__ import annotations

import json
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from enum import Enum
from functools import cached_property
from operator import itemgetter

from django.core.exceptions import EmptyResultSet
from django.db import connection, transaction
from django.db.models import BooleanField, Expression, QuerySet
from django.db.models.expressions import RawSQL

from articles import models as m
from articles.models import CompiledText, in_pks
from articles.search.backends import BREAK_EVEN, TABLE, WINDOW_MARGIN
from articles.search.filtering import BEST_FIRST, Plan, apply


class Scope(Enum):
    """The articles a reader may see before any filter."""

    VISIBLE = "visible"  # curators: every article not withdrawn
    PUBLIC = "public"  # everyone else: also not excluded by a curator nor blocklisted

    def articles(self) -> QuerySet:
        visible = m.Article.objects.visible()
        return visible if self is Scope.VISIBLE else visible.public()

    def index_rows(self) -> QuerySet:
        """The index rows that stand for the scope's articles: every row is a visible
        article (``index.refresh``); the public list also leaves out the excluded and the
        blocklisted (``ArticleQuerySet.public``), two lists PostgreSQL hashes once a query."""
        rows = m.SearchDocument.objects.all()
        if self is Scope.VISIBLE:
            return rows
        excluded = m.Curation.objects.filter(status=m.Curation.Status.EXCLUDED)
        blocked = m.BlockedPMID.objects.values("pmid")
        return rows.exclude(pk__in=excluded.values("article_id")).exclude(pk__in=blocked)


def first_pks(
    plan: Plan, scope: Scope, filters: QuerySet | None, order: tuple, limit: int
) -> tuple[list[int], bool] | None:
    """The first ``limit`` PMIDs of the search in ``order``, and whether a best match was
    bounded (ranked among the newest ``limit`` hits). Newest first, None where the list's
    own query does better, sorted by ``newest_first(plan, order)``."""
    search = Search(plan, scope, filters)
    if order[:1] == (BEST_FIRST,):
        return best_first_pks(search, order, limit)
    found = newest_pks(search, order, limit)
    return None if found is None else (found, False)


@dataclass
class Search:
    """What the list asked for, and the querysets built from it."""

    plan: Plan
    scope: Scope
    filters: QuerySet | None

    @cached_property
    def articles(self) -> QuerySet:
        """The articles the search runs over: the scope's, narrowed by the filters."""
        return (self.scope.articles() if self.filters is None else self.filters).order_by()

    @cached_property
    def others(self) -> QuerySet:
        """The articles that meet every condition but the index match: ``hits`` are those
        of them the match finds."""
        if self.plan.conditions is None:
            return self.articles
        return self.articles.filter(self.plan.conditions)

    @cached_property
    def hits(self) -> QuerySet:
        return apply(self.plan, self.articles)

    @cached_property
    def rows(self) -> QuerySet | None:
        """PostgreSQL: the index rows that stand for ``others``, when nothing but the scope
        is asked of them; else None."""
        if self.filters is not None or self.plan.conditions is not None or self.plan.empty:
            return None
        return self.scope.index_rows()


def best_first_pks(search: Search, order: tuple, limit: int) -> tuple[list[int], bool]:
    """The first ``limit`` PMIDs of a search in best-match ``order``, and whether the
    ranking was bounded.

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
    hits = search.hits
    if search.plan.match is None:
        return list(hits.order_by(*order).values_list("pk", flat=True)[:limit]), False
    within, bounded = hits, False
    if connection.vendor == "sqlite":
        newest = hits.order_by(RawSQL(f"{TABLE}.rowid", ()).desc())
        boundary = list(newest.values_list("pk", flat=True)[limit - 1 : limit])
        if boundary:
            bound = RawSQL(f"{TABLE}.rowid >= %s", (boundary[0],), output_field=BooleanField())
            within, bounded = hits.filter(bound), True
    else:
        estimate = bounding_estimate(search, limit)
        found = None
        if estimate is not None:
            found = _newest_ranked(search, order, limit, *estimate)
        if found is not None:
            return found
        index_rows = _index_only(search, order)
        if index_rows is not None:
            within = index_rows
    ranked = within.order_by(*order).values_list("pk")[:limit]
    return [row[0] for row in _rows(ranked)], bounded  # raw: 3 ms less for 10,001 rows


# The columns of a PostgreSQL index row that stand for its article's, as the list sorts by.
INDEX_COLUMNS = {"pk": "rowid", "pmid": "rowid", "pub_date": "pub_date"}


def _index_column(name: str) -> RawSQL:
    """The index rows' column for the list's ``name`` (``-pub_date``: ``pub_date``)."""
    return RawSQL(f"{TABLE}.{INDEX_COLUMNS[name.lstrip('-')]}", ())


def _index_only(search: Search, order: tuple) -> QuerySet | None:
    """PostgreSQL: the search as a query of its index rows alone (``Search.rows``),
    annotated with ``order``'s names, when it asks nothing the rows cannot say and ``order``
    sorts by the search's rank and columns the index has (the rows carry their articles'
    dates), so the article rows add nothing. Else None.
    (``"blood pressure"`` at 1,000,000: its 15,357 hits were each looked up among the
    articles; 110 ms, then 61.)"""
    rows, match, ranks = search.rows, search.plan.match, search.plan.annotations
    names = [name for name in order if isinstance(name, str)]
    fields = [name.lstrip("-") for name in names]
    if (
        rows is None
        or match is None
        or len(names) < len(order)
        or not all(field in INDEX_COLUMNS or field in ranks for field in fields)
    ):
        return None
    annotations = {field: ranks[field] for field in fields if field not in INDEX_COLUMNS}
    columns = {
        field: _index_column(field) for field in fields if field in INDEX_COLUMNS and field != "pk"
    }
    return rows.filter(document__match=match).annotate(**annotations, **columns)


def bounding_estimate(search: Search, limit: int) -> tuple[int, float] | None:
    """The planner's estimate of the hits and the index's row count, when PostgreSQL should
    rank only the newest ``limit`` hits: when the estimate says hits are many (hits squared
    over ``limit`` times the rows, the measured break-even). Not for a word restricted to
    titles or authors, whose estimate counts the word anywhere; structured tags are guessed
    at, but a window sized on a wrong guess is given up after one look (``_newest_ranked``).
    Two queries (EXPLAIN, the index's row count), none for a title or author word. Where the
    index rows stand for the articles asked for (``Search.rows``), the match is estimated
    over the index alone, a plan made in half the time (0.5 ms, not 1.2: no join,
    no NOT EXISTS; ``"blood pressure"`` 3,680 against 3,561, ``blood`` 98,123 against 94,944)."""
    match = search.plan.match
    if match is None or search.plan.narrow:
        return None
    if search.rows is not None:
        hits = estimated_rows(m.SearchDocument.objects.filter(document__match=match))
    else:
        hits = estimated_rows(search.hits)
    if hits <= limit:
        return None
    indexed = max(_indexed_rows(), hits)
    if hits * hits <= BREAK_EVEN * limit * indexed:
        return None
    return hits, indexed


def _newest_ranked(
    search: Search, order: tuple, limit: int, hits: int, indexed: float
) -> tuple[list[int], bool] | None:
    """PostgreSQL: the newest ``limit`` hits in ``order``, or None where this way does not
    apply. A window of the most recently added index rows, sized by the planner's estimate
    to hold them, is intersected with the GIN index's hits (bitmaps: only hits are read, not
    every row of the window), which are ranked as they are read. A window that turns out too
    small grows by the density found, up to the whole index. With nothing to check that the
    index rows cannot say (``Search.rows``), their own dates serve for the tie-breaks and no
    article is read; else ``_newest_checked`` checks the other conditions."""
    match, rows = search.plan.match, search.rows
    if (
        match is None
        or order[:1] != (BEST_FIRST,)
        or not all(
            isinstance(name, str) and name.lstrip("-") not in search.plan.annotations
            for name in order[1:]
        )
    ):
        return None
    rank = search.plan.order
    window = limit * indexed / hits * WINDOW_MARGIN
    if rows is None or not all(name.lstrip("-") in INDEX_COLUMNS for name in order[1:]):
        return _newest_checked(match, search.others, rank, order, limit, window, indexed)
    # Nothing else to check: each window is ranked and sorted by PostgreSQL, and a grown one
    # is read whole again (the first is one in most searches).
    boundary, first = _window_start(window, indexed), True
    while True:
        ranked = _sorted_pks(_window_hits(match, boundary, rows=rows), order, rank=rank)
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
    rank: Expression,
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


def _sorted_as_sql(rows: list[tuple], key: Callable, *, descending: bool) -> list[tuple]:
    """``rows`` stably sorted by ``key`` as PostgreSQL's ORDER BY sorts: NULLs last
    ascending, first descending."""
    present = [row for row in rows if key(row) is not None]
    present.sort(key=key, reverse=descending)
    missing = [row for row in rows if key(row) is None]
    return missing + present if descending else present + missing


def newest_pks(search: Search, order: tuple, limit: int) -> list[int] | None:
    """PostgreSQL, newest first: the first ``limit`` PMIDs of a search in ``order``, found
    from the index, or None where this does not apply (the planner then sorts).

    - A search with nothing to check that the index rows cannot say (``Search.rows``): from
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
    match = search.plan.match
    if match is None:
        return None
    if not search.plan.narrow:
        rows = search.rows
        if rows is None or not all(
            isinstance(name, str) and name.lstrip("-") in INDEX_COLUMNS for name in order
        ):
            return None
        return _newest_dated(search.hits, rows.filter(document__match=match), order, limit)
    hits = m.SearchDocument.objects.filter(document__match=match).values_list("pk")
    within = search.others.filter(pk__in=in_pks([row[0] for row in _rows(hits)]))
    return list(within.order_by(*order).values_list("pk", flat=True)[:limit])


def _newest_dated(queryset: QuerySet, text_hits: QuerySet, order: tuple, limit: int) -> list[int]:
    """PostgreSQL, newest first, a search with nothing to check that the index rows cannot
    say: the first ``limit`` of ``text_hits`` (those rows that match, ``Search.rows``) in
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
    text_hits: QuerySet,
    order: tuple,
    *,
    rank: Expression | None = None,
    limit: int | None = None,
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


def newest_first(plan: Plan, order: tuple) -> tuple:
    """``order`` (the list's newest first) as a search should be sorted by it: on PostgreSQL,
    when the planner's estimate of the hits is not to be trusted (``Plan.trust_estimate``:
    ``blood[ti]`` at 1,000,000 has 1 in 8 of the articles the planner counts, and structured
    tags are guessed at, ``blood AND (review[pt] OR case reports[pt])``: 74,590 estimated,
    11,322 match), by
    ``pub_date + 0``, the same order but one the date index cannot give. Else the planner,
    expecting a title word in a tenth of the articles, walked the date index testing each
    (``blood[ti]`` at 1,000,000: 2.8 s, sorted from the hits 0.54; such a search now goes by
    ``newest_pks`` first, and this serves the structured tags); it is right to walk for a
    plain word it knows to be common."""
    if connection.vendor != "postgresql" or plan.match is None:
        return order
    if plan.trust_estimate or order[:1] != ("-pub_date",):
        return order
    table = m.Article._meta.db_table
    return (RawSQL(f'"{table}"."pub_date" + 0', ()).desc(), *order[1:])


def estimated_rows(queryset: QuerySet) -> int:
    """PostgreSQL's planner estimate of how many rows ``queryset`` has (one EXPLAIN, no
    execution): close for a common word (``blood``: 99,257 for 101,355), a quarter of the
    truth for a phrase, seven times it for a word too rare for the statistics."""
    plan = queryset.order_by().values("pk").explain(format="json")
    if not plan:  # a condition that can match nothing (an unknown [pt]): Django runs no query
        return 0
    return int(json.loads(plan)[0]["Plan"]["Plan Rows"])
