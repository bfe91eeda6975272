"""The article list's orders, by PubMed's names for them (``sort=pubdate&sort_order=asc``).

``SORTS`` is the one declaration of what each order sorts by. The list page, the API and the
exports all read it through ``ArticleFilter``, which picks the order a request asks for; the
facets read the two orders whose first matches they read themselves (``NEWEST_FIRST`` in
``articles.browse.facets``, and a search's ``BEST_FIRST``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TypeAlias

from django.db.models import Expression, F, OrderBy, OuterRef, QuerySet, Subquery

from articles.models import Author
from articles.search.filtering import BEST_FIRST

SortKey: TypeAlias = str | OrderBy


@dataclass(frozen=True)
class Sort:
    """One order: its label, and its keys in the descending order (``sort_order=desc``, the
    default). Ascending reverses every key; a key that places NULLs places them the same way
    both ways. ``annotations`` are the keys the rows do not hold themselves."""

    label: str
    keys: tuple[SortKey, ...]
    annotations: Mapping[str, Expression] = field(default_factory=dict)

    def ordering(self, *, ascending: bool = False) -> tuple[SortKey, ...]:
        if not ascending:
            return self.keys
        return tuple(_reversed(key) for key in self.keys)

    def apply(self, queryset: QuerySet, *, ascending: bool = False) -> QuerySet:
        if self.annotations:
            queryset = queryset.annotate(**self.annotations)
        return queryset.order_by(*self.ordering(ascending=ascending))


def _reversed(key: SortKey) -> SortKey:
    if isinstance(key, str):
        return key[1:] if key.startswith("-") else f"-{key}"
    return OrderBy(
        key.expression,
        descending=not key.descending,
        nulls_first=key.nulls_first,
        nulls_last=key.nulls_last,
    )


# Descending first; ties fall back on the newest, then the highest PMID, so that every order
# is total and a page boundary never moves.
SORTS: dict[str, Sort] = {
    "pubdate": Sort("Publication date", ("-pub_date", "-pmid")),
    # The search's ``search_order`` (ascending: best match first); without a search the list
    # sorts by publication date instead (``ArticleFilter.sort``).
    "relevance": Sort("Best match (with a search)", (BEST_FIRST, "-pub_date", "-pmid")),
    "fauth": Sort(
        "First author",
        ("-first_author", "-pmid"),
        annotations={
            "first_author": Subquery(
                Author.objects.filter(article=OuterRef("pk"), role=Author.Role.AUTHOR)
                .order_by("position")
                .values("last_name")[:1]
            )
        },
    ),
    "jour": Sort("Journal", ("-journal__medline_ta", "-pub_date", "-pmid")),
    # Articles whose number of patients nobody knows come last either way.
    "patients": Sort(
        "Number of patients",
        (F("facts__patient_count").desc(nulls_last=True), "-pub_date", "-pmid"),
    ),
}
