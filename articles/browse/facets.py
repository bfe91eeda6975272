"""Facet counts for the article list: how many of the current results have each disease,
therapy, publication type, journal, language, year and case-series fact.

A fixed number of queries whatever the page size, and a bounded cost whatever the size of the
result. The list reads its first ``CAP + 1`` matches' PMIDs (PubMed too pages through at most
10,000): up to ``SAMPLE`` matches, every facet counts every match. Counting more costs more
than a page may (at 1,000,000 articles, SQLite takes longer than the page's 100 ms to count
even the public articles), so beyond ``SAMPLE`` the facets count a uniform sample of about
``SAMPLE`` matches and scale up, and the page says "about": the matches in the first of
``SAMPLE_BUCKETS`` buckets (``pmid % 1024``, which nothing a facet counts depends on), cut
from the PMIDs in hand up to ``CAP`` matches, else read from article_sample_idx, or from all
the matches when they are few enough to read whole (at most about 16 * ``SAMPLE``). Wherever
every match's PMID is in hand, the number of matches and the year chart are exact; else they
are estimated from the sample too.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import CharField, Count, F, TextField
from django.db.models.functions import Cast

from articles.browse.sorting import SORTS
from articles.models import (
    SAMPLE_BUCKETS,
    Article,
    ArticleConcept,
    ArticlePublicationType,
    CaseFacts,
    Journal,
    MeshDescriptor,
    PublicationType,
    in_pks,
    sample_bucket,
)
from articles.search.filtering import Plan
from articles.search.first import Scope, first_pks, newest_first

CAP = 10_000
SAMPLE = 2_000  # articles the facets count at most (bar one bucket of the sample)
# Past CAP matches, the sample's first reading: 3 buckets of 1,024, 2,930 articles at 1,000,000;
# then as many buckets as the density found asks for, read through the index while they are
# at most 1/16 of the collection; results sparser than that (at most about 16 * SAMPLE
# matches) are read whole.
FIRST_BUCKETS = 3
INDEXED_BUCKETS = SAMPLE_BUCKETS // 16
TOP = 10  # values shown per facet
CASE_REPORTS = "D002363"  # the Case Reports publication type, listed first


@dataclass(frozen=True)
class Option:
    value: str  # the URL parameter's value
    label: str
    count: int


@dataclass
class Facets:
    """The counts as the page shows them: exact, or when ``estimated`` a sample's counts
    scaled up and rounded to two significant figures (``about``)."""

    total: int  # matches: exact, or an estimate when ``total_estimated`` (then over CAP)
    total_estimated: bool = False
    counted: int = 0  # articles the facets counted: every match, or the sample
    scale: float = 1.0  # matches per counted article; 1 when every match was counted
    # The first CAP + 1 matches' PMIDs in ``order`` (newest first, or a search's best match):
    # the count up to CAP, the facets' articles and that order's pages come from this query.
    first_pks: list[int] = field(default_factory=list, repr=False)
    order: tuple = ()
    # Best match ranked only the CAP + 1 matches most recently added (search.first).
    bounded: bool = False
    disease: list[Option] = field(default_factory=list)
    therapy: list[Option] = field(default_factory=list)
    publication_type: list[Option] = field(default_factory=list)
    journal: list[Option] = field(default_factory=list)
    language: list[Option] = field(default_factory=list)
    years: dict[int, int] = field(default_factory=dict)
    years_estimated: bool = False
    has_abstract: int = 0
    without_abstract: int = 0
    retracted: int = 0
    not_retracted: int = 0
    case_series: int = 0
    single_or_other: int = 0  # with case facts, not a case series, or without case facts
    with_facts: int = 0
    male: int = 0
    female: int = 0
    child: int = 0
    adult: int = 0
    older: int = 0

    @property
    def capped(self) -> bool:
        return self.total > CAP

    @property
    def estimated(self) -> bool:
        """Whether the facet counts are a sample's, scaled up."""
        return self.scale != 1

    def shown(self, n: int) -> int:
        """The count to show for ``n`` of the counted articles."""
        return n if not self.estimated else about(n * self.scale)


def about(n: float) -> int:
    """An estimate as the page may claim it: two significant figures (12,345 -> 12,000)."""
    if n < 100:
        return round(n)
    return int(round(n, 2 - len(str(round(n)))))


def count_capped(queryset) -> int:
    """How many rows ``queryset`` has, counting no further than ``CAP + 1``."""
    return queryset.order_by().values("pk")[: CAP + 1].count()


NEWEST_FIRST = SORTS["pubdate"].keys  # the list's default order


@dataclass(frozen=True)
class Searched:
    """What the list tells the facets of its search: the compiled query, the reader's
    scope, and the articles its other filters leave (None when none narrows the scope)."""

    plan: Plan
    scope: Scope
    filters: Any = None  # a QuerySet of articles, or None


def first_matches(
    queryset, order: tuple = NEWEST_FIRST, searched: Searched | None = None
) -> tuple[list[int], list | None, bool]:
    """The first ``CAP + 1`` matches' PMIDs in ``order``; their publication dates where the
    list's own query reads them (not a search's ranking or index, which give PMIDs only: the
    date index holds them beside the PMIDs, and a date's year is always its article's
    ``pub_year``, as the year filters rely on); and whether a search's best-match ranking was
    bounded (``search.first.first_pks``). One query gives the count up to CAP, every match
    the facets count up to CAP and that order's pages; filters are applied once, which
    matters when they cost (a disease's subtree walks thousands of concept rows; a common
    search term matches a tenth of the collection). Newest first reads the list's date
    index (article_visible_date_idx). ``queryset``: the list's rows, the search applied."""
    if searched is not None:
        found = first_pks(searched.plan, searched.scope, searched.filters, order, CAP + 1)
        if found is not None:
            return found[0], None, found[1]
        order = newest_first(searched.plan, order)
    rows = list(_with_dates(queryset).order_by(*order)[: CAP + 1])
    return [pk for pk, _date in rows], [date for _pk, date in rows], False


def _with_dates(queryset):
    """``queryset`` as (PMID, publication date) rows, the date as the year chart reads it:
    on SQLite its text ("1979-12-31"), which Django would otherwise parse in Python (10,001
    dates at 1,000,000 articles: 13 ms, the text 1.5)."""
    date = Cast("pub_date", CharField()) if connection.vendor == "sqlite" else F("pub_date")
    return queryset.annotate(chart_date=date).values_list("pk", "chart_date")


def _count_years(dates: list) -> Counter[int]:
    """The years of ``_with_dates``' dates."""
    return Counter(
        int(date[:4]) if isinstance(date, str) else date.year for date in dates if date is not None
    )


def facet_counts(queryset, order: tuple = NEWEST_FIRST, searched: Searched | None = None) -> Facets:
    """Counts of every facet over ``queryset`` (the filtered articles), exact or estimated
    from a uniform sample of about ``SAMPLE`` of them: a fixed number of queries, each over
    at most about ``SAMPLE`` articles (the year chart's, over a search's, at most ``CAP``).
    ``searched``: the list's search, as ``first_matches`` takes it."""
    pks, dates, bounded = first_matches(queryset, order, searched)
    facets = Facets(total=len(pks), first_pks=pks, order=tuple(order), bounded=bounded)
    if not pks:
        return facets
    if len(pks) <= CAP:
        every = pks
        sample, buckets = _thin(every)
    else:
        sample, buckets, rows = _sample(queryset)
        every = dates = None
        if rows is not None:
            every, dates = [pk for pk, _date in rows], [date for _pk, date in rows]
    facets.counted = len(sample)
    if every is not None:
        facets.total = len(every)
        facets.scale = len(every) / len(sample)
    else:
        facets.scale = SAMPLE_BUCKETS / buckets
        # The sample says how many match; the list found more than CAP.
        facets.total = max(about(len(sample) * facets.scale), CAP + 1)
        facets.total_estimated = True
    counted = in_pks(sample)
    facets.disease, facets.therapy = _concepts(facets, counted)
    facets.publication_type = _publication_types(facets, counted)
    _article_columns(facets, counted)
    if facets.estimated and every is not None:
        years = _years(in_pks(every)) if dates is None else _count_years(dates)
        facets.years = dict(sorted(years.items()))
    else:
        facets.years_estimated = facets.estimated
    return facets


def _thin(pks: list[int], buckets: int = SAMPLE_BUCKETS) -> tuple[list[int], int]:
    """``pks``, the matches in the first ``buckets`` sample buckets, cut down to at most
    ``SAMPLE``: those of as many first buckets as hold no more (one at least); and how many
    buckets that is."""
    if len(pks) <= SAMPLE:
        return pks, buckets
    sizes = Counter(pk % SAMPLE_BUCKETS for pk in pks)
    kept, thinned = sizes[0], 1
    while thinned < buckets and kept + sizes[thinned] <= SAMPLE:
        kept += sizes[thinned]
        thinned += 1
    return [pk for pk in pks if pk % SAMPLE_BUCKETS < thinned], thinned


def _sample(queryset) -> tuple[list[int], int, list[tuple] | None]:
    """Past ``CAP`` matches: the PMIDs of those in the first sample buckets, at most about
    ``SAMPLE``; how many buckets; and when the matches were read whole, each one's PMID and
    publication date (``_with_dates``)."""
    found = _in_buckets(queryset, 0, FIRST_BUCKETS)
    if len(found) >= SAMPLE:
        return *_thin(found, FIRST_BUCKETS), None
    wanted = math.ceil(FIRST_BUCKETS * SAMPLE / max(len(found), 1))
    if wanted <= INDEXED_BUCKETS:
        found += _in_buckets(queryset, FIRST_BUCKETS, wanted)
        return *_thin(found, wanted), None
    rows = list(_with_dates(queryset).order_by())
    return *_thin([pk for pk, _date in rows]), rows


def _in_buckets(queryset, first: int, last: int) -> list[int]:
    """PMIDs of the matches in sample buckets ``first`` to ``last - 1``, from
    article_sample_idx. Named one by one: SQLite weighs a range of the index as a quarter of
    the articles, and so preferred a year range's dates (a third of them at 1,000,000)."""
    within = queryset.order_by().alias(sample_bucket=sample_bucket())
    return list(within.filter(sample_bucket__in=range(first, last)).values_list("pk", flat=True))


def _years(pks) -> dict[int, int]:
    """The articles' years, from article_visible_facets_idx."""
    rows = (
        Article.objects.filter(pk__in=pks, deleted_at__isnull=True)
        .values_list("pub_year")
        .annotate(n=Count("*"))
        .order_by()
    )
    return {year: n for year, n in sorted(rows) if year is not None}


def _concepts(facets: Facets, counted) -> tuple[list[Option], list[Option]]:
    """The most frequent diseases and therapies, in one grouped query and one for names."""
    rows = (
        ArticleConcept.objects.effective()
        .filter(
            article_id__in=counted,
            role__in=[ArticleConcept.Role.DISEASE, ArticleConcept.Role.THERAPY],
        )
        .values_list("role", "descriptor_id")
        .annotate(n=Count("*"))
        .order_by()
    )
    top: dict[str, list[tuple[int, str]]] = {"disease": [], "therapy": []}
    for role, ui, n in rows:
        top[role].append((-n, ui))
    for role in top:
        top[role] = sorted(top[role])[:TOP]
    uis = [ui for ranked in top.values() for _n, ui in ranked]
    names = dict(MeshDescriptor.objects.filter(ui__in=uis).values_list("ui", "name")) if uis else {}
    return tuple(
        [Option(names.get(ui, ui), names.get(ui, ui), facets.shown(-n)) for n, ui in top[role]]
        for role in ("disease", "therapy")
    )


def _publication_types(facets: Facets, counted) -> list[Option]:
    rows = list(
        ArticlePublicationType.objects.filter(article_id__in=counted)
        .values_list("publication_type_id")
        .annotate(n=Count("*"))
        .order_by("-n", "publication_type_id")[: TOP + 2]
    )
    names = dict(
        PublicationType.objects.filter(ui__in=[ui for ui, _n in rows]).values_list("ui", "name")
    )
    rows.sort(key=lambda row: row[0] != CASE_REPORTS)
    return [Option(ui, names.get(ui, ui), facets.shown(n)) for ui, n in rows]


def _article_columns(facets: Facets, counted) -> None:
    """Years, journals, languages, abstract and retraction flags and the case facts in one
    grouped pass over the counted articles (a few thousand groups at most: each article is
    read once, its case facts joined), and one query for journal names."""
    journals: Counter[int] = Counter()
    languages: Counter[str] = Counter()
    years: Counter[int] = Counter()
    flags: Counter[str] = Counter()
    groups = (
        # The counted articles are all visible; saying so lets the database read these columns
        # from article_visible_facets_idx instead of the wide rows (PostgreSQL, the commonest
        # disease at 1,000,000: 14 -> 12 ms).
        Article.objects.filter(pk__in=counted, deleted_at__isnull=True)
        .annotate(codes=Cast("languages", TextField()))
        .values_list(
            "pub_year",
            "journal_id",
            "codes",
            "has_abstract",
            "is_retracted",
            "facts__kind",
            "facts__male_count",
            "facts__female_count",
            "facts__has_child",
            "facts__has_adult",
            "facts__has_older_adult",
        )
        .annotate(n=Count("*"))
        .order_by()
    )
    for year, journal_id, codes, has_abstract, retracted, *case, n in groups:
        if year is not None:
            years[year] += n
        if journal_id is not None:
            journals[journal_id] += n
        # ``languages`` is a JSON list ('["eng", "fre"]'): the codes are the quoted words.
        for code in set((codes or "").split('"')[1::2]):
            languages[code] += n
        flags["has_abstract"] += n if has_abstract else 0
        flags["retracted"] += n if retracted else 0
        _count_case_facts(flags, *case, n)
    shown = facets.shown
    facets.years = {year: shown(n) for year, n in sorted(years.items())}
    top = journals.most_common(TOP)
    names = dict(
        Journal.objects.filter(pk__in=[pk for pk, _n in top]).values_list("pk", "medline_ta")
    )
    facets.journal = [Option(names[pk], names[pk], shown(n)) for pk, n in top if names.get(pk)]
    facets.language = [Option(code, code, shown(n)) for code, n in languages.most_common(TOP)]
    for name in ("has_abstract", "retracted", "case_series", "with_facts") + AGE_AND_SEX:
        setattr(facets, name, shown(flags[name]))
    facets.without_abstract = shown(facets.counted - flags["has_abstract"])
    facets.not_retracted = shown(facets.counted - flags["retracted"])
    facets.single_or_other = shown(facets.counted - flags["case_series"])


AGE_AND_SEX = ("male", "female", "child", "adult", "older")


def _count_case_facts(flags: Counter, kind, male, female, child, adult, older, n: int) -> None:
    """Add a group of ``n`` articles' case facts (all None without a CaseFacts row)."""
    if kind is None:
        return
    flags["with_facts"] += n
    if kind == CaseFacts.Kind.CASE_SERIES:
        flags["case_series"] += n
    # Male and female are counts (None or 0 when none), the age groups flags.
    for name, value in zip(AGE_AND_SEX, (male, female, child, adult, older), strict=True):
        flags[name] += n if value else 0
