"""A parsed query applied to an Article queryset.

Text terms go to the full-text index; the structured tags become conditions on stored
columns: [mh]/[majr] (MeSH headings, exploded down the MeSH tree and found by entry terms),
[pt], [ta], [la], [dp], [pmid], [doi], [1au]. The text terms ANDed at the top of the query
become one index match joined to the article, which also ranks it (``search_rank``, higher is
better); text terms anywhere else (under OR or NOT with structured terms) become
``pmid IN (SELECT rowid ...)`` subqueries.

The layers: ``read`` (text -> ``ParsedQuery``: ``query.parse`` and term mapping),
``compile_search`` (-> ``Plan``: SQL for this database), ``apply`` (-> the articles that
match, ranked). ``search`` does all three. The list's first PMIDs in its order are
``articles.search.first.first_pks``'s.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import reduce
from operator import and_, or_

from django.db import connection
from django.db.models import Expression, FloatField, Q, QuerySet, Value
from django.db.models.expressions import RawSQL

from articles import models as m
from articles.models import CompiledText
from articles.search import mapping
from articles.search.backends import NARROW_FIELDS, SearchBackend, backend_for, positive_terms
from articles.search.query import Bool, Node, ParsedQuery, Term, parse
from articles.text.mesh import narrower_uis

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
# match order starts with it (``articles.browse.sorting.SORTS["relevance"]``).
BEST_FIRST = "search_order"
_DATE = re.compile(r"^\s*(\d{4})(?:[/-]\d{1,2}(?:[/-]\d{1,2})?)?\s*$")
NOTHING = Q(pk__in=[])


@dataclass(frozen=True)
class Plan:
    """A parsed query compiled to SQL: what ``apply`` adds to the articles, and what the first
    PMIDs in the list's order (``articles.search.first``) need to know of it."""

    parsed: ParsedQuery
    # The text terms ANDed at the top of the query: one index match joined to the article,
    # which also ranks it. None when the query has none.
    match: CompiledText | None = None
    # The query's other conditions, on the articles (structured tags, text under OR or NOT).
    conditions: Q | None = None
    rank: Expression = field(default_factory=lambda: Value(0.0, FloatField()))
    order: Expression = field(default_factory=lambda: Value(0.0, FloatField()))
    # A query with nothing searchable ("the"): it matches nothing.
    empty: bool = False
    # A word restricted to the title or the authors (``[ti]``, ``[au]``): PostgreSQL's
    # estimate ignores tsquery weights and counts every article with the word.
    narrow: bool = False
    # Whether PostgreSQL's row estimate for the search is worth acting on: not for a narrow
    # word, nor when the query has structured tags, which the planner often guesses at 50%.
    trust_estimate: bool = True

    @property
    def annotations(self) -> dict[str, Expression]:
        """What ``apply`` annotates: ``search_rank`` (higher is better) and ``search_order``
        (``BEST_FIRST``: the same order, ascending)."""
        return {"search_rank": self.rank, BEST_FIRST: self.order}


@dataclass
class SearchResult:
    queryset: QuerySet
    plan: Plan

    @property
    def parsed(self) -> ParsedQuery:
        return self.plan.parsed

    @property
    def note(self) -> str:
        return self.parsed.note


def search(queryset: QuerySet, text: str) -> SearchResult:
    """Filter ``queryset`` (of Articles) by a PubMed-style query and annotate ``search_rank``
    (higher is better) and ``search_order`` (the same order, ascending: best match first;
    FTS5's own bm25() on SQLite, which is lower for better matches).
    An empty query leaves it unfiltered; a query with nothing searchable matches nothing."""
    plan = compile_search(read(text), text)
    return SearchResult(apply(plan, queryset), plan)


def compile_search(parsed: ParsedQuery, text: str) -> Plan:
    """``parsed`` (the query ``text`` as ``read`` gives it) as SQL for this database."""
    if parsed.node is None:
        return Plan(parsed, empty=bool(text.strip()))
    compiler = _Compiler(backend_for(connection.vendor), parsed.notes)
    truncated = [term for term in parsed.terms() if term.prefix and term.is_text]
    if truncated:
        with connection.cursor() as cursor:
            for note in compiler.backend.cap_truncation(cursor, truncated):
                compiler.note(note)
    main, rest = compiler.split(parsed.node)
    conditions = reduce(and_, (compiler.q(node) for node in rest)) if rest else None
    if main is None:
        return Plan(parsed, conditions=conditions)
    narrow = any(t.field in NARROW_FIELDS for t in positive_terms(main))
    return Plan(
        parsed,
        match=compiler.backend.compile(main),
        conditions=conditions,
        rank=RawSQL(*compiler.backend.rank(main), output_field=FloatField()),
        order=RawSQL(*compiler.backend.order(main), output_field=FloatField()),
        narrow=narrow,
        trust_estimate=not (rest or narrow),
    )


def apply(plan: Plan, articles: QuerySet) -> QuerySet:
    """``articles`` that match ``plan``, annotated with its rank (``Plan.annotations``)."""
    if plan.empty:
        articles = articles.none()
    if plan.match is not None:
        articles = articles.filter(search_document__document__match=plan.match)
    if plan.conditions is not None:
        articles = articles.filter(plan.conditions)
    return articles.annotate(**plan.annotations)


def read(text: str) -> ParsedQuery:
    """``text`` parsed as ``search`` runs it: words naming a disease or therapy also search
    that concept (``mapping``), and concepts written with [concept] are resolved."""
    parsed = parse(text, mapper=mapping.lookup)
    parsed.node = mapping.resolve(parsed.node, parsed.names, parsed.notes)
    return parsed


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
