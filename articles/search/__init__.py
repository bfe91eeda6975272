"""Full-text search with PubMed's query language, on SQLite FTS5 and PostgreSQL.

Each module is imported from where it is defined; this package re-exports nothing.

- ``filtering.search(queryset, term) -> SearchResult``: filter Articles by a PubMed-style
  query, annotated with ``search_rank`` (float, higher is better); ``.note`` says how the
  query was read when it needed repair, ``.parsed.details`` how it was run (concepts the
  words name included). ``ArticleFilter.term`` calls it. ``filtering.read(term)``: the query
  as ``search`` runs it, without running it.
- ``filtering.best_first_pks``, ``filtering.newest_pks``, ``filtering.newest_first``: a
  search's first PMIDs by best match or newest first, for the list (``articles.facets``).
- ``highlight.snippets(pmids, term) -> {pmid: safe HTML}``: highlighted abstract snippets.
- ``index.refresh(pmids)``: re-index those articles (after ingest, deletion, or a curator's
  correction of title/abstract), inside the caller's transaction; ``index.rebuild()``:
  re-index everything (``manage.py rebuild_search_index``).

Modules, lowest first: ``text`` (the one tokenizer), ``query`` (parser, no Django),
``mapping`` (words to MeSH concepts), ``backends`` (FTS5 and tsvector: schema, writing, query
compilation), ``filtering`` (query -> queryset), ``index`` (refresh/rebuild), ``highlight``
(snippets), ``budget`` (the time budget of a search's queries). The ORM ``match`` lookup the
compiled queries go through lives with the models (``articles.models.Match``).
"""
