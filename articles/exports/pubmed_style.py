"""How an article is cited on a page, in PubMed's own formats.

Plain functions over model instances (or anything shaped like them), so the list, the article
page and any export write the same citation.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

# PubMed's result lists name the first three authors, then "et al.".
SHORT_AUTHOR_LIMIT = 3


def short_authors(
    authors: Sequence[Any], *, complete: bool = True, limit: int = SHORT_AUTHOR_LIMIT
) -> str:
    """Shorten an author list as PubMed does: "Suzuki Y, Hayakawa H, Miwa S, et al.".

    ``authors`` may hold just the first ``limit + 1`` authors: one more than shown is enough
    to know that "et al." is due. ``complete`` is False when PubMed marks the author list
    incomplete (AuthorList/@CompleteYN="N").
    """
    names = [author.short_name for author in authors[:limit]]
    if not names:
        return ""
    if len(authors) > limit or not complete:
        return ", ".join(names) + ", et al."
    return ", ".join(names) + "."


def source_line(article: Any) -> str:
    """The source part of a citation, as PubMed prints it under a title.

    Journal articles: "Lung. 2009 May-Jun;187(3):201-6."
    Books and chapters: "Seattle (WA): University of Washington, Seattle; 1993."
    """
    if article.journal_id is None and article.book:
        return _book_source(article)
    journal = article.journal.short_title if article.journal_id else ""
    issue = f"{article.volume}({article.issue})" if article.issue else article.volume
    line = article.pub_date_raw
    if issue:
        line = f"{line};{issue}" if line else issue
    # Online-only articles have no pages; PubMed cites their electronic location instead.
    pages = article.pagination or getattr(article, "elocation_pii", None) or ""
    if pages:
        line = f"{line}:{pages}" if line else pages
    parts = [_with_period(journal), _with_period(line)]
    return " ".join(part for part in parts if part)


def _book_source(article: Any) -> str:
    book = article.book or {}
    place = ": ".join(
        part
        for part in (book.get("publisher_location", ""), book.get("publisher_name", ""))
        if part
    )
    date = article.pub_date_raw or _year_of(book.get("beginning_date"))
    return _with_period("; ".join(part for part in (place, date) if part))


def _year_of(partial_date: Any) -> str:
    if isinstance(partial_date, dict) and partial_date.get("year"):
        return str(partial_date["year"])
    return ""


def _with_period(text: str) -> str:
    text = text.strip()
    if not text or text.endswith((".", "?", "!")):
        return text
    return f"{text}."


def pubmed_date(value: datetime.date | None) -> str:
    """PubMed writes dates as "2009 Apr 7"."""
    if value is None:
        return ""
    return f"{value.year} {value.strftime('%b')} {value.day}"


@dataclass
class BylineEntry:
    author: Any
    affiliation_numbers: list[int] = field(default_factory=list)


@dataclass
class Byline:
    """Authors with numbered affiliations, as PubMed's abstract page shows them."""

    entries: list[BylineEntry]
    affiliations: list[str]
    # Affiliation number -> a curator's correction of it (``curation.apply_corrections``
    # leaves it on the affiliation as ``correction``), for the page's "corrected" mark.
    corrections: dict[int, Any] = field(default_factory=dict)

    @property
    def has_equal_contributors(self) -> bool:
        return any(entry.author.equal_contrib for entry in self.entries)

    @property
    def numbered(self) -> list[tuple[int, str, Any]]:
        """(number, text, correction or None) of each affiliation, in order."""
        return [
            (number, text, self.corrections.get(number))
            for number, text in enumerate(self.affiliations, 1)
        ]


def number_affiliations(authors: Iterable[Any]) -> Byline:
    """Number each distinct affiliation in order of first appearance, like PubMed does.

    Two authors at the same place share a number; the same author at two places gets both.
    Identical texts are one affiliation even when PubMed repeats them verbatim per author.
    """
    numbers: dict[str, int] = {}
    corrections: dict[int, Any] = {}
    entries = []
    for author in authors:
        entry = BylineEntry(author)
        for affiliation in author.affiliations.all():
            text = " ".join(affiliation.text.split())
            if not text:
                continue
            if text not in numbers:
                numbers[text] = len(numbers) + 1
            if numbers[text] not in entry.affiliation_numbers:
                entry.affiliation_numbers.append(numbers[text])
            if getattr(affiliation, "correction", None):
                corrections[numbers[text]] = affiliation.correction
        entries.append(entry)
    return Byline(entries=entries, affiliations=list(numbers), corrections=corrections)


def ref_type_label(ref_type: str) -> str:
    """CommentsCorrections/@RefType as PubMed words it: "ExpressionOfConcernIn" ->
    "Expression of concern in"."""
    words = re.findall(r"[A-Z][a-z]*|[a-z]+|\d+", ref_type)
    if not words:
        return ref_type
    return " ".join([words[0], *(word.lower() for word in words[1:])])


def abstract_label(label: str) -> str:
    """PubMed prints "BACKGROUND" as "Background" but keeps labels authors wrote in mixed case."""
    return label.capitalize() if label.isupper() else label


def grant_line(grant: Any) -> str:
    """PubMed's grant line: "R01 ES015359/ES/NIEHS NIH HHS/United States"."""
    parts = (grant.grant_id, grant.acronym, grant.agency, grant.country)
    return "/".join(part for part in parts if part)


def partial_date(value: Any) -> str:
    """A stored PartialDate ({"year": 2011, "month": 3, "day": 25}) as "2011 Mar 25"."""
    if not isinstance(value, dict) or not value.get("year"):
        return ""
    year, month, day = value["year"], value.get("month"), value.get("day")
    if not month or not 1 <= month <= 12:
        return str(year)
    text = f"{year} {datetime.date(2000, month, 1).strftime('%b')}"
    return f"{text} {day}" if day else text


# PubMedPubDate/@PubStatus values, worded as PubMed's "Publication history" does.
HISTORY_LABELS = {
    "received": "Received",
    "revised": "Revised",
    "accepted": "Accepted",
    "aheadofprint": "Published ahead of print",
    "epublish": "Published online",
    "ppublish": "Published in print",
    "ecollection": "Electronic collection",
    "entrez": "Added to PubMed",
    "pubmed": "Indexed for PubMed",
    "medline": "Indexed for MEDLINE",
    "pmc-release": "Free in PMC",
    "retracted": "Retracted",
}


def history_label(status: str) -> str:
    return HISTORY_LABELS.get(status, status.capitalize() or "Date")


# MEDLINE writes languages as ISO 639-2/B codes; pages need a BCP 47 tag and a name. These
# cover the languages MEDLINE indexes most; others show their code and get no lang tag.
LANGUAGES = {
    "eng": ("en", "English"),
    "fre": ("fr", "French"),
    "ger": ("de", "German"),
    "spa": ("es", "Spanish"),
    "ita": ("it", "Italian"),
    "por": ("pt", "Portuguese"),
    "dut": ("nl", "Dutch"),
    "rus": ("ru", "Russian"),
    "pol": ("pl", "Polish"),
    "jpn": ("ja", "Japanese"),
    "chi": ("zh", "Chinese"),
    "kor": ("ko", "Korean"),
    "tur": ("tr", "Turkish"),
    "cze": ("cs", "Czech"),
    "hun": ("hu", "Hungarian"),
    "swe": ("sv", "Swedish"),
    "dan": ("da", "Danish"),
    "nor": ("no", "Norwegian"),
    "fin": ("fi", "Finnish"),
    "gre": ("el", "Greek"),
    "heb": ("he", "Hebrew"),
    "ara": ("ar", "Arabic"),
    "per": ("fa", "Persian"),
    "ukr": ("uk", "Ukrainian"),
    "hrv": ("hr", "Croatian"),
    "slv": ("sl", "Slovenian"),
    "srp": ("sr", "Serbian"),
    "rum": ("ro", "Romanian"),
    "bul": ("bg", "Bulgarian"),
    "lit": ("lt", "Lithuanian"),
    "ice": ("is", "Icelandic"),
}


def language_name(code: str) -> str:
    return LANGUAGES.get(code, ("", code))[1]


def language_tag(code: str) -> str:
    """The BCP 47 tag for an HTML lang attribute, or "" when unknown."""
    return LANGUAGES.get(code, ("", ""))[0]


# PubmedData/PublicationStatus values in words.
PUBLICATION_STATUS_LABELS = {
    "ppublish": "Published in print",
    "epublish": "Published online only",
    "aheadofprint": "Online ahead of print",
}


def publication_status_label(status: str) -> str:
    return PUBLICATION_STATUS_LABELS.get(status, status)


def distinct_ids(ids: Iterable[Any]) -> list[Any]:
    """Identifiers without the repeats PubMed gives when an ELocationID restates an ArticleId
    (the DOI usually appears in both)."""
    seen: set[tuple[str, str]] = set()
    unique = []
    for identifier in ids:
        key = (identifier.id_type, identifier.value)
        if key not in seen:
            seen.add(key)
            unique.append(identifier)
    return unique
