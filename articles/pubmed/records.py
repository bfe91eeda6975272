"""Typed, frozen records for what a PubMed XML file holds.

The parser yields these; ingest turns them into rows. Nothing here knows about Django.
Every field mirrors an element or attribute of the PubMed DTD (pubmed_250101); the DTD name
is given where ours differs. Text fields hold plain text; fields ending in ``_html`` hold
sanitised HTML that keeps the inline markup PubMed allows (i, b, u, sup, sub, MathML).
"""

from __future__ import annotations

from dataclasses import dataclass, field

# The largest PMID stored: Article.pmid is a PositiveIntegerField, 2**31 - 1 on PostgreSQL
# (and author ids, PMID * 100,000 + position, must fit a 64-bit integer). PubMed's PMIDs are
# near 41 million.
MAX_PMID = 2**31 - 1


@dataclass(frozen=True, slots=True)
class PartialDate:
    """A date PubMed gives in parts, any of which may be missing (ArticleDate, PubMedPubDate)."""

    year: int | None
    month: int | None = None
    day: int | None = None
    kind: str = ""  # ArticleDate/@DateType or PubMedPubDate/@PubStatus
    # PubMedPubDate's Hour and Minute: PubMed stamps its own events (entrez, pubmed, medline)
    # with a time, which its MEDLINE format prints ("2011/08/05 06:00").
    hour: int | None = None
    minute: int | None = None

    def isoformat(self) -> str:
        parts = [f"{self.year:04d}" if self.year else ""]
        if self.month:
            parts.append(f"{self.month:02d}")
            if self.day:
                parts.append(f"{self.day:02d}")
        return "-".join(parts)


@dataclass(frozen=True, slots=True)
class PubDate:
    """The journal issue date exactly as written, plus a parsed, sortable form.

    ``raw`` is what PubMed shows in its citation line: "2009 May-Jun", "1977 Apr 13-15",
    "2011 Spring", "2017 Nov 29". ``precision`` says how much of year/month/day is real:
    "day", "month", "season", "year", "range" (a MedlineDate spanning months or days, parsed
    to its first day) or "" when no year could be read.
    """

    raw: str
    year: int | None
    month: int | None = None
    day: int | None = None
    precision: str = ""


@dataclass(frozen=True, slots=True)
class Identifier:
    """Author/Identifier or AffiliationInfo/Identifier, e.g. source "ORCID"."""

    source: str
    value: str


@dataclass(frozen=True, slots=True)
class Affiliation:
    text: str
    identifiers: tuple[Identifier, ...] = ()


@dataclass(frozen=True, slots=True)
class Author:
    """One Author (or Investigator, or book editor) in list order."""

    last_name: str = ""
    fore_name: str = ""
    initials: str = ""
    suffix: str = ""
    collective_name: str = ""
    identifiers: tuple[Identifier, ...] = ()
    affiliations: tuple[Affiliation, ...] = ()
    equal_contrib: bool = False
    valid: bool = True
    role: str = "author"  # "author", "editor" (book AuthorList Type="editors"), "investigator"

    @property
    def orcid(self) -> str:
        for identifier in self.identifiers:
            if identifier.source.upper() == "ORCID":
                return normalise_orcid(identifier.value)
        return ""

    @property
    def display_name(self) -> str:
        if self.collective_name:
            return self.collective_name
        return " ".join(part for part in (self.fore_name, self.last_name, self.suffix) if part)


def normalise_orcid(value: str) -> str:
    """PubMed writes ORCIDs as bare ids, URLs with http or https, or without the dashes."""
    value = value.strip().rstrip("/")
    value = value.rsplit("/", 1)[-1]
    compact = value.replace("-", "")
    if len(compact) == 16:
        return "-".join(compact[i : i + 4] for i in range(0, 16, 4)).upper()
    return value


@dataclass(frozen=True, slots=True)
class AbstractSection:
    label: str
    nlm_category: str
    html: str
    text: str


@dataclass(frozen=True, slots=True)
class OtherAbstract:
    type: str
    language: str
    sections: tuple[AbstractSection, ...]
    copyright: str = ""


@dataclass(frozen=True, slots=True)
class Journal:
    title: str = ""
    iso_abbreviation: str = ""
    medline_ta: str = ""
    issn_print: str = ""
    issn_electronic: str = ""
    issn_linking: str = ""
    nlm_unique_id: str = ""
    country: str = ""

    @property
    def key(self) -> str:
        """The identity we file a journal under: NLM's id, else an ISSN, else the title."""
        if self.nlm_unique_id:
            return f"nlm:{self.nlm_unique_id}"
        issn = self.issn_linking or self.issn_print or self.issn_electronic
        if issn:
            return f"issn:{issn}"
        title = self.title or self.medline_ta or self.iso_abbreviation
        return f"title:{title.casefold()}" if title else ""


@dataclass(frozen=True, slots=True)
class Book:
    """PubmedBookArticle/BookDocument/Book (a whole book or the book a chapter is in)."""

    title_html: str
    title: str
    publisher_name: str = ""
    publisher_location: str = ""
    volume: str = ""
    edition: str = ""
    medium: str = ""
    collection_title: str = ""
    isbns: tuple[str, ...] = ()
    report_number: str = ""
    beginning_date: PartialDate | None = None
    ending_date: PartialDate | None = None


@dataclass(frozen=True, slots=True)
class ArticleId:
    """ArticleIdList/ArticleId (``source="articleid"``) or ELocationID (``"elocation"``)."""

    id_type: str
    value: str
    source: str = "articleid"
    valid: bool = True


@dataclass(frozen=True, slots=True)
class PublicationType:
    ui: str
    name: str


@dataclass(frozen=True, slots=True)
class MeshQualifier:
    ui: str
    name: str
    major: bool


@dataclass(frozen=True, slots=True)
class MeshHeading:
    ui: str
    name: str
    major: bool
    qualifiers: tuple[MeshQualifier, ...] = ()
    descriptor_type: str = ""  # DescriptorName/@Type, "Geographic" for places

    @property
    def is_major(self) -> bool:
        """PubMed's asterisk: the descriptor or any of its qualifiers is a major topic."""
        return self.major or any(q.major for q in self.qualifiers)


@dataclass(frozen=True, slots=True)
class SupplementaryConcept:
    ui: str
    name: str
    type: str  # Disease, Protocol, Organism...


@dataclass(frozen=True, slots=True)
class Chemical:
    registry_number: str
    ui: str
    name: str


@dataclass(frozen=True, slots=True)
class Keyword:
    owner: str
    major: bool
    text: str


@dataclass(frozen=True, slots=True)
class Grant:
    grant_id: str = ""
    acronym: str = ""
    agency: str = ""
    country: str = ""


@dataclass(frozen=True, slots=True)
class CommentCorrection:
    """CommentsCorrections: errata, retractions, comments, updates and (old records) Cites."""

    ref_type: str
    source: str
    pmid: int | None = None
    note: str = ""


@dataclass(frozen=True, slots=True)
class Reference:
    citation: str
    article_ids: tuple[ArticleId, ...] = ()

    @property
    def pmid(self) -> int | None:
        for article_id in self.article_ids:
            value = article_id.value
            if article_id.id_type == "pubmed" and value.isascii() and value.isdigit():
                # A number no PMID column holds is left unlinked; the citation keeps it.
                return int(value) if len(value) <= 10 and 1 <= int(value) <= MAX_PMID else None
        return None


@dataclass(frozen=True, slots=True)
class Article:
    """One PubmedArticle or PubmedBookArticle."""

    pmid: int
    version: int
    kind: str  # "article" or "book"
    title_html: str
    title: str
    journal: Journal | None
    pub_date: PubDate
    citation_status: str = ""  # MedlineCitation/@Status: MEDLINE, PubMed-not-MEDLINE...
    citation_owner: str = ""
    publication_status: str = ""  # PubmedData/PublicationStatus: ppublish, epublish...
    vernacular_title: str = ""
    book: Book | None = None
    volume: str = ""
    issue: str = ""
    pagination: str = ""  # MedlinePgn as written, e.g. "201-6"
    start_page: str = ""
    end_page: str = ""
    abstract: tuple[AbstractSection, ...] = ()
    abstract_copyright: str = ""
    other_abstracts: tuple[OtherAbstract, ...] = ()
    authors: tuple[Author, ...] = ()
    authors_complete: bool = True
    languages: tuple[str, ...] = ()
    publication_types: tuple[PublicationType, ...] = ()
    article_ids: tuple[ArticleId, ...] = ()
    article_dates: tuple[PartialDate, ...] = ()
    history: tuple[PartialDate, ...] = ()
    date_completed: PartialDate | None = None
    date_revised: PartialDate | None = None
    mesh_headings: tuple[MeshHeading, ...] = ()
    supplementary_concepts: tuple[SupplementaryConcept, ...] = ()
    chemicals: tuple[Chemical, ...] = ()
    keywords: tuple[Keyword, ...] = ()
    grants: tuple[Grant, ...] = ()
    comments_corrections: tuple[CommentCorrection, ...] = ()
    references: tuple[Reference, ...] = ()
    citation_subsets: tuple[str, ...] = ()
    coi_statement: str = ""
    xml: bytes = field(default=b"", repr=False)

    @property
    def abstract_text(self) -> str:
        return "\n".join(
            f"{section.label}: {section.text}" if section.label else section.text
            for section in self.abstract
        )

    def id_of(self, id_type: str) -> str:
        """The first ArticleId (then ELocationID) of a type: "doi", "pmc", "pii"..."""
        for article_id in self.article_ids:
            if article_id.id_type == id_type and article_id.source == "articleid":
                return article_id.value
        for article_id in self.article_ids:
            if article_id.id_type == id_type:
                return article_id.value
        return ""


@dataclass(frozen=True, slots=True)
class Deletion:
    """DeleteCitation: PMIDs NLM has withdrawn from PubMed."""

    pmids: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class RecordProblem:
    """A record the parser could not map; the rest of the file goes on."""

    source: str
    record_number: int
    pmid: int | None
    message: str

    def __str__(self) -> str:
        where = [f"record {self.record_number}"] if self.record_number else []
        if self.pmid:
            where.append(f"PMID {self.pmid}")
        return f"{self.source}: {', '.join(where) or 'a record'}: {self.message}"


Item = Article | Deletion | RecordProblem
