"""What the article list shows around its rows: facets with counts and links, the chosen
filters with links removing each, why a list is empty, the year chart and the row queryset for
the summary or abstract view. The view (``ArticleListView``) wires it; this module decides."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from django.core.paginator import Paginator
from django.db import models
from django.db.models import Exists, OuterRef, Prefetch
from django.http import QueryDict

from articles.browse.facets import (
    CAP,
    NEWEST_FIRST,
    Facets,
    Option,
    Searched,
    count_capped,
    facet_counts,
)
from articles.browse.filters import searching
from articles.browse.year_chart import YearChart, year_chart
from articles.models import AbstractSection, Article, CommentCorrection
from articles.search.filtering import BEST_FIRST
from articles.search.first import Scope

# Parameters that change how the list looks, not what it holds.
DISPLAY_PARAMS = {"page", "per_page", "sort", "sort_order", "format"}
# Filters the list page lays out itself; any other filter is shown after them.
PLACED_FIELDS = {
    "term",
    "disease",
    "therapy",
    "case_series",
    "patients_min",
    "patients_max",
    "sex",
    "age",
    "publication_type",
    "year_from",
    "year_to",
    "journal",
    "language",
    "has_abstract",
    "retracted",
    "sort",
    "sort_order",
}
FORMATS = {"summary": "Summary", "abstract": "Abstract"}
# Columns a list row never reads (``article_row.html``); books' ``book`` is read.
LIST_UNUSED_FIELDS = (
    "languages",
    "other_abstracts",
    "article_dates",
    "history",
    "citation_subsets",
    "facts__evidence",
)


class CappedPaginator(Paginator):
    """A paginator told its count (capped at ``CAP``) instead of counting the whole result:
    like PubMed, the list pages through the first 10,000 matches.

    ``known_pks``: the result's PMIDs in the list's order when already read (the facets read
    the default order's), so a page costs no query to find its PMIDs. ``rows``: where to read
    a page's rows by PMID; without it, from ``object_list`` (whose filters then run again)."""

    def __init__(self, object_list, per_page, *, count: int, known_pks=None, rows=None, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self._known_count = min(count, CAP)
        self._known_pks = known_pks
        self._rows = rows

    @cached_property
    def count(self) -> int:
        return self._known_count

    def get_page(self, number):
        """The page numbered ``number``: past the last page the last (as PubMed), and the
        first for anything that is not a page number ("last": the last)."""
        if number == "last":
            return self.page(self.num_pages)
        try:
            number = int(number)
        except (TypeError, ValueError):
            number = 1
        return self.page(min(max(number, 1), self.num_pages))

    def page(self, number):
        """The page's rows by a deferred join: its PMIDs first, walking only the sort index
        (page 400 skips 7,980 index entries, not 7,980 article rows), then those rows."""
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = min(bottom + self.per_page, self.count)
        if self._known_pks is not None:
            pks = self._known_pks[bottom:top]
        else:
            pks = list(self.object_list.values_list("pk", flat=True)[bottom:top])
        source = self.object_list if self._rows is None else self._rows
        rows = {row.pk: row for row in source.filter(pk__in=pks)}
        return self._get_page([rows[pk] for pk in pks if pk in rows], number, self)


@dataclass(frozen=True)
class Link:
    label: str
    url: str
    count: int | None = None
    active: bool = False


@dataclass(frozen=True)
class Chosen:
    """A filter in use, the link that removes it and, on an empty list, how many articles
    match without it."""

    name: str
    label: str
    value: str
    remove_url: str
    count_without: int | None = None


def url_with(query: QueryDict, **changes: str | None) -> str:
    """``?query`` with parameters set (or removed when None), back to page 1."""
    params = query.copy()
    params.pop("page", None)
    for name, value in changes.items():
        if value is None:
            params.pop(name, None)
        else:
            params[name] = value
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else "?"


class ListPage:
    def __init__(self, query: QueryDict, filterset, object_list, scope: Scope) -> None:
        """``scope``: the articles the reader may see, which ``object_list`` starts from."""
        self.query = query
        self.filterset = filterset
        valid = filterset.is_bound is False or filterset.is_valid()
        filtered = filterset.is_bound and valid
        # The rows' order: an unbound filterset leaves the view's, newest first.
        self.order = filterset.ordering if filtered else NEWEST_FIRST
        self.searched = filtered and searching(filterset.form.cleaned_data)
        # A search sorted by best match counts its best matches; any other list its newest.
        facets_order = self.order if self.order[:1] == (BEST_FIRST,) else NEWEST_FIRST
        # What the search is told: its plan, the scope, what the other filters leave.
        searched = None
        if self.searched and filterset.search_plan is not None:
            searched = Searched(filterset.search_plan, scope, filterset.filtered)
        self.facets: Facets = (
            facet_counts(object_list, facets_order, searched)
            if valid
            else Facets(total=0, counted=0)
        )
        # The paginator pages through every match up to CAP, not just those the facets count.
        self.count = min(self.facets.total, CAP)

    def paginator_kwargs(self) -> dict:
        """What the paginator may reuse: the PMIDs the facets read when the list is in their
        order (newest first, or a search's best match), and the rows by PMID without running
        the filters again (except with a search, whose rank annotation needs its query)."""
        kwargs = {"count": self.count}
        if self.order == self.facets.order:
            kwargs["known_pks"] = self.facets.first_pks
        if not self.searched:
            kwargs["rows"] = self.rows(Article.objects.for_list(), self.query)
        return kwargs

    @staticmethod
    def rows(queryset, query: QueryDict):
        """The list rows: for_list() plus the badges (case facts, erratum) and the abstract
        (the snippet, or the whole abstract in the abstract view), in fixed queries."""
        return (
            queryset.select_related("facts")
            # JSON the row never shows: decoding it cost ~10% of a 200-row page.
            .defer(*LIST_UNUSED_FIELDS)
            .annotate(
                has_erratum=Exists(
                    CommentCorrection.objects.filter(article=OuterRef("pk"), ref_type="ErratumIn")
                )
            )
            .prefetch_related(
                Prefetch(
                    "abstract_sections",
                    queryset=AbstractSection.objects.order_by("position"),
                    to_attr="sections",
                )
            )
        )

    # What the list is and how it looks ----------------------------------------------------

    @property
    def format(self) -> str:
        value = self.query.get("format", "")
        return value if value in FORMATS else "summary"

    @property
    def format_links(self) -> list[Link]:
        return [
            Link(
                label,
                url_with(self.query, format=None if key == "summary" else key),
                active=key == self.format,
            )
            for key, label in FORMATS.items()
        ]

    @property
    def capped(self) -> bool:
        return self.facets.capped

    @cached_property
    def chart(self) -> YearChart | None:
        return year_chart(self.facets.years, self.query)

    # Facets as links -------------------------------------------------------------------------

    def _options(self, name: str, options: list[Option]) -> list[Link]:
        chosen = self.query.get(name, "")
        return [
            Link(
                option.label,
                url_with(self.query, **{name: None if option.value == chosen else option.value}),
                option.count,
                active=option.value.casefold() == chosen.casefold(),
            )
            for option in options
        ]

    def _flag(self, name: str, value: str, label: str, count: int) -> Link:
        active = self.query.get(name) == value
        return Link(label, url_with(self.query, **{name: None if active else value}), count, active)

    @cached_property
    def facet_groups(self) -> list[tuple[str, str, list[Link]]]:
        """(filter name, heading, links) of each facet with something to offer."""
        f = self.facets
        groups = [
            ("disease", "Disease", self._options("disease", f.disease)),
            ("therapy", "Therapy", self._options("therapy", f.therapy)),
            (
                "case_series",
                "Case series",
                [
                    self._flag("case_series", "true", "Case series (2+ patients)", f.case_series),
                    self._flag("case_series", "false", "Single case or other", f.single_or_other),
                ]
                if f.with_facts
                else [],
            ),
            (
                "sex",
                "Patients include",
                [
                    self._flag("sex", "male", "Men or boys", f.male),
                    self._flag("sex", "female", "Women or girls", f.female),
                ]
                if f.male or f.female
                else [],
            ),
            (
                "age",
                "Age group",
                [
                    self._flag("age", "child", "Child (< 18)", f.child),
                    self._flag("age", "adult", "Adult (18–64)", f.adult),
                    self._flag("age", "older", "Older adult (65+)", f.older),
                ]
                if f.child or f.adult or f.older
                else [],
            ),
            (
                "publication_type",
                "Publication type",
                self._options("publication_type", f.publication_type),
            ),
            ("journal", "Journal", self._options("journal", f.journal)),
            ("language", "Language", self._options("language", f.language)),
            (
                "has_abstract",
                "Abstract",
                [
                    self._flag("has_abstract", "true", "With abstract", f.has_abstract),
                    self._flag("has_abstract", "false", "Without abstract", f.without_abstract),
                ],
            ),
            (
                "retracted",
                "Retraction",
                [
                    self._flag("retracted", "false", "Not retracted", f.not_retracted),
                    self._flag("retracted", "true", "Retracted", f.retracted),
                ],
            ),
        ]
        return [(name, heading, links) for name, heading, links in groups if links]

    @cached_property
    def facets_by_name(self) -> dict[str, list[Link]]:
        return {name: links for name, _heading, links in self.facet_groups}

    @property
    def extra_fields(self) -> list:
        """Filters this page does not place itself (added by other features), shown as is."""
        form = self.filterset.form
        return [form[name] for name in form.fields if name not in PLACED_FIELDS]

    # Chosen filters and the empty list -------------------------------------------------------

    @cached_property
    def chosen(self) -> list[Chosen]:
        form = self.filterset.form
        chosen = []
        for name, values in self.query.lists():
            value = values[-1].strip() if values else ""
            if name in DISPLAY_PARAMS or not value or name not in self.filterset.filters:
                continue
            label = str(form.fields[name].label) if name in form.fields else name
            shown = value
            descriptor = getattr(form, "concepts", {}).get(name)
            cleaned = getattr(form, "cleaned_data", {}).get(name)
            if descriptor is not None:
                shown = descriptor.name
            elif isinstance(cleaned, models.Model):
                shown = str(cleaned)  # e.g. the publication type the form looked up
            elif name in form.fields and hasattr(form.fields[name], "choices"):
                shown = str(dict(form.fields[name].choices).get(value, value))
            count = None
            if self.facets.total == 0:
                count = self._count_without(name)
            chosen.append(Chosen(name, label, shown, url_with(self.query, **{name: None}), count))
        return chosen

    def _count_without(self, name: str) -> int:
        """How many articles the list would hold without filter ``name``, for this visitor:
        the filters start from the list's own articles (the public ones for anonymous
        visitors), and a curator keeps the status filter."""
        query = self.query.copy()
        query.pop(name, None)
        filterset = type(self.filterset)(
            query, queryset=self.filterset.queryset, request=self.filterset.request
        )
        if not filterset.is_valid():
            return 0
        return count_capped(filterset.qs)

    @property
    def culprit(self) -> Chosen | None:
        """The chosen filter whose removal brings back the most articles, on an empty list."""
        candidates = [c for c in self.chosen if c.count_without]
        return max(candidates, key=lambda c: c.count_without, default=None)
