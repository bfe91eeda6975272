"""Full-text search with PubMed's query language, on SQLite FTS5 and PostgreSQL.

What other code calls (imported lazily: ``articles.models`` imports this package):

- ``search(queryset, term) -> SearchResult``: filter Articles by a PubMed-style query,
  annotated with ``search_rank`` (float, higher is better); ``.note`` says how the query was
  read when it needed repair, ``.parsed.details`` how it was run (concepts the words name
  included). ``ArticleFilter.term`` calls it.
- ``read(term) -> ParsedQuery``: the query as ``search`` runs it, without running it.
- ``best_first_pks(queryset, order, limit) -> (pmids, bounded)``: a search's first PMIDs by
  best match; past ``limit`` hits, ranked among the ``limit`` most recently added
  (``filtering.best_first_pks``).
- ``newest_first(queryset, order) -> order``: how to sort a search newest first
  (``filtering.newest_first``); ``newest_pks(queryset, order, limit) -> pmids | None``: the
  first PMIDs newest first, from the index's hits, where that beats the planner.
- ``snippets(pmids, term) -> {pmid: safe HTML}``: highlighted abstract snippets for a page.
- ``refresh(pmids)``: re-index those articles (after ingest, deletion, or a curator's
  correction of title/abstract), inside the caller's transaction.
- ``rebuild()``: re-index everything (``manage.py rebuild_search_index``).

Modules: ``text`` (the one tokenizer), ``query`` (parser, no Django), ``backends`` (FTS5 and
tsvector: schema, writing, query compilation), ``filtering`` (query -> queryset), ``index``
(refresh/rebuild), ``highlight`` (snippets), ``lookups`` (the ORM ``match`` lookup).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from articles.search.filtering import SearchResult
    from articles.search.query import ParsedQuery


def search(queryset: Any, term: str) -> SearchResult:
    from articles.search.filtering import search as _search

    return _search(queryset, term)


def read(term: str) -> ParsedQuery:
    from articles.search.filtering import read as _read

    return _read(term)


def best_first_pks(queryset: Any, order: tuple, limit: int) -> tuple[list[int], bool]:
    from articles.search.filtering import best_first_pks as _best_first_pks

    return _best_first_pks(queryset, order, limit)


def newest_first(queryset: Any, order: tuple) -> tuple:
    from articles.search.filtering import newest_first as _newest_first

    return _newest_first(queryset, order)


def newest_pks(queryset: Any, order: tuple, limit: int) -> list[int] | None:
    from articles.search.filtering import newest_pks as _newest_pks

    return _newest_pks(queryset, order, limit)


def snippets(pmids: Any, term: Any) -> dict:
    from articles.search.highlight import snippets as _snippets

    return _snippets(pmids, term)


def refresh(pmids: Any, drafts: Any = None) -> int:
    from articles.search.index import refresh as _refresh

    return _refresh(pmids, drafts)


def rebuild() -> int:
    from articles.search.index import rebuild as _rebuild

    return _rebuild()
