"""Full-text search with PubMed's query language, on SQLite FTS5 and PostgreSQL.

Each module is imported from where it is defined; this package re-exports nothing.

A ``?term=`` of the list page, layer by layer:

1. ``articles.browse.filters.ArticleFilter.filter_term``: ``filtering.read`` (text ->
   ``ParsedQuery``, by ``query.parse`` and ``mapping``) and ``filtering.compile_search``
   (-> ``Plan``: the index match and other conditions as SQL, from ``backends``).
2. ``ArticleFilter.filter_queryset``: the other filters, then ``filtering.apply(plan,
   articles)``: the matching articles, annotated with their rank.
3. ``articles.browse.listing.ListPage`` -> ``articles.browse.facets.first_matches`` ->
   ``first.first_pks(plan, scope, filters, order, limit)``: the first PMIDs in the list's
   order, told the reader's scope and what the other filters leave; PostgreSQL's planner
   help is confined to ``first``.

``filtering.search(queryset, term) -> SearchResult`` does read, compile and apply at once:
``.queryset`` annotated with ``search_rank`` (float, higher is better), ``.note`` how the
query was read when it needed repair, ``.parsed.details`` how it was run.
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
