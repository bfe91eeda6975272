"""The ORM end of the full-text index: a field whose ``match`` lookup takes a compiled query.

The index is a table Django does not manage (``articles.models.SearchDocument``): an FTS5
virtual table on SQLite, a tsvector table on PostgreSQL. A compiled query is SQL written
against placeholders, ``{table}`` (the joined table's alias), ``{doc}`` and ``{aff}`` (its
two tsvector columns on PostgreSQL), so the same lookup serves both databases.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models


@dataclass(frozen=True)
class CompiledText:
    """A backend's condition for a text query: ``sql`` with placeholders, and its params."""

    sql: str
    params: tuple
    # Whether PostgreSQL's row estimate for the search is worth acting on
    # (filtering.newest_first): not when a word is restricted to the title or the authors
    # (the estimate ignores tsquery weights, so it counts every article with the word), nor
    # when the query has structured tags, which the planner often guesses at 50%.
    trust_estimate: bool = True
    # Whether a word is restricted to the title or the authors (``[ti]``, ``[au]``): the
    # index then finds candidates by the word alone and re-tests each (filtering.newest_pks).
    narrow: bool = False

    def render(self, table: str) -> str:
        return self.sql.format(table=table, doc=f"{table}.document", aff=f"{table}.affiliations")


class SearchDocumentField(models.TextField):
    """Stands for the whole index row; only its ``match`` lookup is meant to be used."""


@SearchDocumentField.register_lookup
class Match(models.Lookup):
    lookup_name = "match"
    prepare_rhs = False

    def get_prep_lookup(self):
        return self.rhs

    def as_sql(self, compiler, connection):
        compiled: CompiledText = self.rhs
        table = compiler.quote_name_unless_alias(self.lhs.alias)
        return compiled.render(table), list(compiled.params)
