"""Citation files for reference managers and spreadsheets, from ``article_to_dict`` records.

Each format turns one exported record (``articles.exports.records.article_to_dict``) into text; a
``CitationFormat`` adds what goes before, between and after records so that any number of
them can be written as a stream. Nothing here touches the database: records come from
``articles.exports.records.iter_export``, a chunk at a time.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
import re
import textwrap
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

PUBMED_URL = "https://pubmed.ncbi.nlm.nih.gov/{pmid}/"
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True)
class CitationFormat:
    name: str
    label: str
    extension: str
    content_type: str
    render: Callable[[dict[str, Any]], str]
    header: str = ""
    separator: str = ""
    footer: str = ""

    def iter_text(self, records: Iterable[dict[str, Any]]) -> Iterator[str]:
        """The whole file, one record at a time: what a streamed response sends."""
        yield self.header
        for index, record in enumerate(records):
            yield (self.separator if index else "") + self.render(record)
        yield self.footer

    def text(self, records: Iterable[dict[str, Any]]) -> str:
        return "".join(self.iter_text(records))


# Shared pieces ---------------------------------------------------------------------------


def _one_line(text: str) -> str:
    """Tagged formats hold one value per line: collapse newlines and runs of spaces."""
    return " ".join(text.split())


def _abstract_text(record: dict[str, Any]) -> str:
    """Structured abstracts as PubMed prints them in citation files: "LABEL: text"."""
    parts = []
    for section in record["abstract"]:
        text = _one_line(section["text"])
        parts.append(f"{section['label']}: {text}" if section["label"] else text)
    return " ".join(parts)


def _is_book(record: dict[str, Any]) -> bool:
    return record["kind"] == "book" and record["book"] is not None


def _is_chapter(record: dict[str, Any]) -> bool:
    """A book record is a chapter when it has its own title besides the book's."""
    return _is_book(record) and bool(record["title"]) and record["title"] != record["book"]["title"]


def _title(record: dict[str, Any]) -> str:
    """The title a citation shows: PubMed's English title, else the title in the original
    language (publishers' records of non-English articles may carry only that, as PubMed
    34097092 does), else a book's own title."""
    return record["title"] or record["vernacular_title"] or (record["book"] or {}).get("title", "")


def _page_range(record: dict[str, Any], dash: str = "-") -> str:
    start, end = record["start_page"], record["end_page"]
    if start and end and start != end:
        return f"{start}{dash}{end}"
    return start or record["pagination"]


def _person_name(person: dict[str, Any]) -> str:
    """ "Last, First" (RIS, BibTeX), or the group's name for a collective author."""
    if person["collective_name"]:
        return person["collective_name"]
    given = person["fore_name"] or person["initials"]
    name = f"{person['last_name']}, {given}" if given else person["last_name"]
    return f"{name}, {person['suffix']}" if person["suffix"] else name


def _mesh_terms(record: dict[str, Any]) -> list[str]:
    """MeSH as MEDLINE writes it: "Heart Defects, Congenital/chemically induced/*drug therapy",
    a star on each major topic."""
    terms = []
    for heading in record["mesh_headings"]:
        term = ("*" if heading["major"] else "") + heading["name"]
        for qualifier in heading["qualifiers"]:
            term += "/" + ("*" if qualifier["major"] else "") + qualifier["name"]
        terms.append(term)
    return terms


def _first_id(record: dict[str, Any], id_type: str) -> str:
    return next((i["value"] for i in record["article_ids"] if i["type"] == id_type), "")


def _issn(record: dict[str, Any]) -> str:
    journal = record["journal"] or {}
    return journal.get("issn_print") or journal.get("issn_electronic") or ""


def _journal_short(record: dict[str, Any]) -> str:
    journal = record["journal"] or {}
    return journal.get("iso_abbreviation") or journal.get("medline_ta") or ""


def _medline_ta(record: dict[str, Any]) -> str:
    """NLM's own title abbreviation, which PubMed's citations use: "Proc Natl Acad Sci U S A"
    where the ISO abbreviation of older records reads "Proc. Natl. Acad. Sci. U.S.A."."""
    journal = record["journal"] or {}
    return journal.get("medline_ta") or journal.get("iso_abbreviation") or ""


def _source(record: dict[str, Any]) -> str:
    """PubMed's SO line: "Environ Health Perspect. 2011 Dec;119(12):1760-5. doi: ...".

    The same text ``articles.exports.pubmed_style.source_line`` shows on pages, from a record
    dict."""
    if _is_book(record):
        book = record["book"]
        place = ": ".join(p for p in (book["publisher_location"], book["publisher_name"]) if p)
        text = "; ".join(p for p in (place, record["pub_date"]["raw"]) if p)
        return f"{text}." if text else ""
    issue = f"{record['volume']}({record['issue']})" if record["issue"] else record["volume"]
    line = record["pub_date"]["raw"]
    if issue:
        line = f"{line};{issue}" if line else issue
    pages = record["pagination"] or _first_id(record, "pii")
    if pages:
        line = f"{line}:{pages}" if line else pages
    # An abbreviation ending in a period must not end up "U.S.A.. 2004".
    parts = [p for p in (_medline_ta(record).rstrip("."), line) if p]
    text = ". ".join(parts) + "." if parts else ""
    if record["doi"]:
        text += f" doi: {record['doi']}."
    if record["epub_date"]:
        text += f" Epub {_pubmed_date(record['epub_date'])}."
    return text.strip()


def _pubmed_date(iso: str) -> str:
    """ "2011-08-03" -> "2011 Aug 3", as PubMed writes dates in citations."""
    date = datetime.date.fromisoformat(iso)
    return f"{date.year} {MONTHS[date.month - 1]} {date.day}"


def _compact_date(iso: str | None) -> str:
    """MEDLINE's DCOM/LR/DEP: "2012-03-27" -> "20120327"."""
    return iso.replace("-", "") if iso else ""


# RIS ---------------------------------------------------------------------------------------


def to_ris(record: dict[str, Any]) -> str:
    """One RIS reference, tags as EndNote and Zotero read them, ending with ``ER  - ``."""
    lines: list[tuple[str, str]] = []

    def add(tag: str, value: Any) -> None:
        value = _one_line(str(value)) if value is not None else ""
        if value:
            lines.append((tag, value))

    journal = record["journal"] or {}
    book = record["book"] or {}
    if _is_book(record):
        add("TY", "CHAP" if _is_chapter(record) else "BOOK")
    else:
        add("TY", "JOUR")
    for person in record["authors"]:
        add("AU", _person_name(person))
    for person in record["editors"]:
        add("A2", _person_name(person))
    add("TI", _title(record))
    if _is_chapter(record):
        add("T2", book["title"])
    else:
        add("T2", journal.get("title", ""))
        add("J2", _journal_short(record))
    date = record["pub_date"]
    add("PY", date["year"])
    if date["year"]:
        month = f"{date['month']:02d}" if date["month"] else ""
        day = f"{date['day']:02d}" if date["day"] else ""
        # RIS dates are YYYY/MM/DD/other: the last part keeps a season or MedlineDate range.
        other = date["raw"] if date["precision"] in ("season", "range") else ""
        add("DA", f"{date['year']}/{month}/{day}/{other}")
    add("VL", record["volume"] or book.get("volume", ""))
    add("IS", record["issue"])
    add("SP", record["start_page"])
    add("EP", record["end_page"])
    add("SN", _issn(record) or ", ".join(book.get("isbns", [])))
    add("PB", book.get("publisher_name", ""))
    add("CY", book.get("publisher_location", ""))
    add("DO", record["doi"])
    add("AB", _abstract_text(record))
    for term in [k["text"] for k in record["keywords"]] + _mesh_terms(record):
        add("KW", term)
    for language in record["languages"]:
        add("LA", language)
    add("AN", record["pmid"])
    add("DB", "PubMed")
    add("C2", record["pmcid"])
    add("UR", PUBMED_URL.format(pmid=record["pmid"]))
    return "".join(f"{tag}  - {value}\r\n" for tag, value in lines) + "ER  - \r\n"


# MEDLINE (.nbib) ---------------------------------------------------------------------------

MEDLINE_WIDTH = 88  # PubMed's citation files wrap values at 88 characters, continuation indented


def _medline_field(tag: str, value: str) -> str:
    value = _one_line(value)
    # Words are never broken so that readers joining continuation lines with a space get the
    # value back exactly.
    wrapped = textwrap.wrap(
        value,
        width=MEDLINE_WIDTH,
        initial_indent=f"{tag:<4}- ",
        subsequent_indent=" " * 6,
        break_long_words=False,
        break_on_hyphens=False,
    )
    return "\n".join(wrapped) + "\n"


# CommentsCorrections/@RefType -> MEDLINE tag, as PubMed's field descriptions list them.
# "Cites" is the reference list, which MEDLINE does not print.
COMMENT_CORRECTION_TAGS = {
    "CommentOn": "CON",
    "CommentIn": "CIN",
    "ErratumIn": "EIN",
    "ErratumFor": "EFR",
    "CorrectedandRepublishedIn": "CRI",
    "CorrectedandRepublishedFrom": "CRF",
    "PartialRetractionIn": "PRIN",
    "PartialRetractionOf": "PROF",
    "RepublishedIn": "RPI",
    "RepublishedFrom": "RPF",
    "ReprintIn": "RPI",
    "ReprintOf": "RPF",
    "RetractionIn": "RIN",
    "RetractionOf": "ROF",
    "UpdateIn": "UIN",
    "UpdateOf": "UOF",
    "SummaryForPatientsIn": "SPIN",
    "OriginalReportIn": "ORI",
    "ExpressionOfConcernIn": "ECI",
    "ExpressionOfConcernFor": "ECF",
}

# History statuses whose date PubMed also prints on a line of its own.
HISTORY_TAGS = (
    ("pubmed", "EDAT"),
    ("medline", "MHDA"),
    ("pmc-release", "PMCR"),
    ("entrez", "CRDT"),
)


def _medline_datetime(iso: str | None, *, with_time: bool = True) -> str:
    """An exported history date, "2011-08-05T06:00", as MEDLINE writes it: "2011/08/05 06:00".

    PubMed stamps its own events (entrez, pubmed, medline) with a time and prints "00:00" for
    dates that have none (received, accepted); PMCR is printed as a date alone."""
    if not iso:
        return ""
    date, _, time = iso.partition("T")
    text = date.replace("-", "/")
    if with_time and len(date) == 10:
        text += " " + (time or "00:00")
    return text


def _comment_correction(entry: dict[str, Any]) -> str:
    """ "Environ Health Perspect. 2013 Apr;121(4):A113", and " PMID: N" when PubMed gave the
    other record's PMID, as PubMed's MEDLINE format prints comments and corrections."""
    text = entry["source"]
    if entry["pmid"]:
        text = f"{text} PMID: {entry['pmid']}" if text else f"PMID: {entry['pmid']}"
    return text


def to_medline(record: dict[str, Any]) -> str:
    """One record in the MEDLINE/PubMed format of PubMed's "Send to: Citation manager"."""
    fields: list[tuple[str, str]] = []

    def add(tag: str, value: Any) -> None:
        if value:
            fields.append((tag, str(value)))

    journal = record["journal"] or {}
    book = record["book"] or {}
    add("PMID", record["pmid"])
    add("OWN", record["citation_owner"])
    add("STAT", record["citation_status"])
    add("DCOM", _compact_date(record["date_completed"]))
    add("LR", _compact_date(record["date_revised"]))
    for issn, kind in (
        (journal.get("issn_print"), "Print"),
        (journal.get("issn_electronic"), "Electronic"),
        (journal.get("issn_linking"), "Linking"),
    ):
        add("IS", f"{issn} ({kind})" if issn else "")
    for isbn in book.get("isbns", []):
        add("ISBN", isbn)
    add("VI", record["volume"])
    add("IP", record["issue"])
    add("DP", record["pub_date"]["raw"])
    if _is_book(record):
        add("TI", record["title"] if _is_chapter(record) else "")
        add("BTI", book["title"])
    else:
        # A record with only a title in the original language shows that title, as PubMed's
        # pages do; TT below carries it too.
        add("TI", record["title"] or record["vernacular_title"])
    add("PG", record["pagination"])
    for identifier in record["article_ids"]:
        if identifier["source"] == "elocation":
            add("LID", f"{identifier['value']} [{identifier['type']}]")
    add("AB", _abstract_text(record))
    add("CI", record["abstract_copyright"])
    for person in record["authors"]:
        if person["collective_name"]:
            add("CN", person["collective_name"])
            continue
        add("FAU", _person_name(person))
        add("AU", " ".join(p for p in (person["last_name"], person["initials"]) if p))
        add("AUID", f"ORCID: {person['orcid']}" if person["orcid"] else "")
        for affiliation in person["affiliations"]:
            add("AD", affiliation["text"])
    for person in record["editors"]:
        add("FED", _person_name(person))
        add("ED", " ".join(p for p in (person["last_name"], person["initials"]) if p))
    for language in record["languages"]:
        add("LA", language)
    for grant in record["grants"]:
        parts = (grant["grant_id"], grant["acronym"], grant["agency"], grant["country"])
        add("GR", "/".join(p for p in parts if p))
    for publication_type in record["publication_types"]:
        add("PT", publication_type["name"])
    add("TT", record["vernacular_title"])
    add("DEP", _compact_date(record["epub_date"]))
    add("PL", journal.get("country", "") or book.get("publisher_location", ""))
    add("PB", book.get("publisher_name", ""))
    add("TA", journal.get("medline_ta", ""))
    add("JT", journal.get("title", ""))
    add("JID", journal.get("nlm_unique_id", ""))
    for substance in record["substances"]:
        number = substance["registry_number"] or "0"
        add("RN", f"{number} ({substance['name']})")
    add("SB", " ".join(record["citation_subsets"]))
    for entry in record["comments_corrections"]:
        tag = COMMENT_CORRECTION_TAGS.get(entry["ref_type"])
        if tag:
            add(tag, _comment_correction(entry))
    for term in _mesh_terms(record):
        add("MH", term)
    add("PMC", record["pmcid"])
    owners = list(dict.fromkeys(k["owner"] for k in record["keywords"] if k["owner"]))
    for owner in owners:
        add("OTO", owner)
        for keyword in record["keywords"]:
            if keyword["owner"] == owner:
                add("OT", keyword["text"])
    for keyword in record["keywords"]:
        if not keyword["owner"]:
            add("OT", keyword["text"])
    add("COIS", record["coi_statement"])
    history = {entry["type"]: entry["date"] for entry in record["history"]}
    for status, tag in HISTORY_TAGS:
        add(tag, _medline_datetime(history.get(status), with_time=tag != "PMCR"))
    for entry in record["history"]:
        if entry["date"]:
            add("PHST", f"{_medline_datetime(entry['date'])} [{entry['type']}]")
    for identifier in record["article_ids"]:
        if identifier["source"] == "articleid" and identifier["type"] != "pubmed":
            add("AID", f"{identifier['value']} [{identifier['type']}]")
    add("PST", record["publication_status"])
    add("SO", _source(record))
    return "".join(_medline_field(tag, value) for tag, value in fields)


# BibTeX ------------------------------------------------------------------------------------

# Characters LaTeX treats as commands; escaped in text fields, never in DOIs or URLs.
LATEX_ESCAPES = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
LATEX_SPECIALS = re.compile("|".join(re.escape(c) for c in LATEX_ESCAPES))


def latex_escape(text: str) -> str:
    return LATEX_SPECIALS.sub(lambda m: LATEX_ESCAPES[m.group()], _one_line(text))


def bibtex_title(title: str) -> str:
    """A title whose capitals survive BibTeX and biblatex styles that change case.

    PubMed titles are in sentence case, so every capital after the first letter belongs to an
    acronym or a name ("DNA", "C8 Health Project", "Ohio"): each word holding one is braced,
    which is what stops a style from printing "dna". The first word keeps only its first
    capital unbraced, since sentence and title case both leave that letter alone."""
    words = []
    for index, word in enumerate(_one_line(title).split(" ")):
        capitals = [c for c in (word[1:] if index == 0 else word) if c.isupper()]
        escaped = latex_escape(word)
        words.append(f"{{{escaped}}}" if capitals else escaped)
    return " ".join(words)


def _bibtex_name(person: dict[str, Any]) -> str:
    # A group's name in braces stays one "last name" instead of being split into words.
    if person["collective_name"]:
        return "{" + latex_escape(person["collective_name"]) + "}"
    return latex_escape(_person_name(person))


def to_bibtex(record: dict[str, Any]) -> str:
    """One BibTeX entry keyed ``pmidN``: @article, or @incollection/@book for NCBI Bookshelf."""
    journal = record["journal"] or {}
    book = record["book"] or {}
    fields: list[tuple[str, str]] = []

    def text(name: str, value: Any) -> None:
        if value:
            fields.append((name, latex_escape(str(value))))

    def verbatim(name: str, value: Any) -> None:
        if value:
            fields.append((name, str(value)))

    if _is_chapter(record):
        entry_type = "incollection"
    elif _is_book(record):
        entry_type = "book"
    else:
        entry_type = "article"
    if record["authors"]:
        names = [_bibtex_name(p) for p in record["authors"]]
        # PubMed's "et al." (AuthorList CompleteYN="N") is BibTeX's "and others".
        if not record["authors_complete"]:
            names.append("others")
        fields.append(("author", " and ".join(names)))
    if record["editors"]:
        fields.append(("editor", " and ".join(_bibtex_name(p) for p in record["editors"])))
    if _title(record):
        fields.append(("title", bibtex_title(_title(record))))
    if entry_type == "incollection":
        text("booktitle", book["title"])
    text("journal", journal.get("title", ""))
    text("publisher", book.get("publisher_name", ""))
    text("address", book.get("publisher_location", ""))
    date = record["pub_date"]
    verbatim("year", date["year"])
    if date["month"]:
        verbatim("month", MONTHS[date["month"] - 1].lower())
    text("volume", record["volume"])
    text("number", record["issue"])
    text("pages", _page_range(record, "--"))
    verbatim("issn", _issn(record))
    verbatim("isbn", ", ".join(book.get("isbns", [])))
    verbatim("doi", record["doi"])
    verbatim("eprint", record["pmid"])
    verbatim("eprinttype", "pubmed")
    verbatim("pmcid", record["pmcid"])
    text("abstract", _abstract_text(record))
    # Semicolons: MeSH headings hold commas ("Disease Models, Animal").
    text("keywords", "; ".join([k["text"] for k in record["keywords"]] + _mesh_terms(record)))
    verbatim("language", ", ".join(record["languages"]))
    verbatim("url", PUBMED_URL.format(pmid=record["pmid"]))
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    return f"@{entry_type}{{pmid{record['pmid']},\n{body}\n}}\n"


# CSL-JSON ----------------------------------------------------------------------------------


def _csl_name(person: dict[str, Any]) -> dict[str, str]:
    if person["collective_name"]:
        return {"literal": person["collective_name"]}
    name = {"family": person["last_name"]}
    if person["fore_name"] or person["initials"]:
        name["given"] = person["fore_name"] or person["initials"]
    if person["suffix"]:
        name["suffix"] = person["suffix"]
    return name


def to_csl(record: dict[str, Any]) -> dict[str, Any]:
    """The CSL-JSON item (citeproc's input: Zotero, Pandoc, Mendeley) for one record."""
    journal = record["journal"] or {}
    book = record["book"] or {}
    if _is_chapter(record):
        item_type = "chapter"
    elif _is_book(record):
        item_type = "book"
    else:
        item_type = "article-journal"
    item: dict[str, Any] = {"id": f"pmid{record['pmid']}", "type": item_type}
    if record["authors"]:
        item["author"] = [_csl_name(p) for p in record["authors"]]
    if record["editors"]:
        item["editor"] = [_csl_name(p) for p in record["editors"]]
    item["title"] = _title(record)
    container = book.get("title", "") if item_type == "chapter" else journal.get("title", "")
    optional = {
        "container-title": container,
        "container-title-short": _journal_short(record),
        "journalAbbreviation": _journal_short(record),
        "publisher": book.get("publisher_name", ""),
        "publisher-place": book.get("publisher_location", ""),
        "volume": record["volume"],
        "issue": record["issue"],
        "page": _page_range(record),
        "page-first": record["start_page"],
        "ISSN": _issn(record),
        "ISBN": ", ".join(book.get("isbns", [])),
        "DOI": record["doi"],
        "PMID": str(record["pmid"]),
        "PMCID": record["pmcid"],
        "URL": PUBMED_URL.format(pmid=record["pmid"]),
        "abstract": _abstract_text(record),
        "language": record["languages"][0] if record["languages"] else "",
    }
    item.update((key, value) for key, value in optional.items() if value)
    date = record["pub_date"]
    if date["year"]:
        parts = [date["year"], date["month"], date["day"]]
        while parts[-1] is None:
            parts.pop()
        issued: dict[str, Any] = {"date-parts": [parts]}
        if date["precision"] in ("season", "range"):
            # "1979 Nov-1980 May": the parts hold the first month, ``raw`` the whole span.
            issued["raw"] = date["raw"]
        item["issued"] = issued
    return item


def _csl_json_item(record: dict[str, Any]) -> str:
    text = json.dumps(to_csl(record), ensure_ascii=False, indent=2)
    return textwrap.indent(text, "  ")


# CSV ---------------------------------------------------------------------------------------

CSV_COLUMNS = (
    "pmid",
    "title",
    "authors",
    "journal",
    "journal_abbreviation",
    "year",
    "publication_date",
    "volume",
    "issue",
    "pages",
    "doi",
    "pmcid",
    "publication_types",
    "mesh_terms",
    "keywords",
    "languages",
    "abstract",
    "url",
    # What Casebook adds (the record's "casebook" block), as curators corrected it.
    "case_kind",
    "patient_count",
    "male_count",
    "female_count",
    "age_min_years",
    "age_max_years",
    "age_mean_years",
    "age_median_years",
    "diseases",
    "therapies",
    "curation_status",
)

# A spreadsheet runs a cell starting with one of these as a formula (CSV injection). Tab
# and carriage return are on OWASP's list too: some programs strip them and go on.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formula(value: str) -> str:
    """Prefix a quote so spreadsheets show the text instead of evaluating it."""
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value


def csv_row(record: dict[str, Any]) -> list[str]:
    journal = record["journal"] or {}
    authors = [
        p["collective_name"]
        or " ".join(x for x in (p["last_name"], p["initials"], p["suffix"]) if x)
        for p in record["authors"]
    ]
    values = [
        str(record["pmid"]),
        _title(record),
        "; ".join(authors),
        journal.get("title", "") or (record["book"] or {}).get("title", ""),
        _journal_short(record),
        str(record["pub_date"]["year"] or ""),
        record["pub_date"]["raw"],
        record["volume"],
        record["issue"],
        record["pagination"],
        record["doi"],
        record["pmcid"],
        "; ".join(t["name"] for t in record["publication_types"]),
        "; ".join(_mesh_terms(record)),
        "; ".join(k["text"] for k in record["keywords"]),
        "; ".join(record["languages"]),
        _abstract_text(record),
        PUBMED_URL.format(pmid=record["pmid"]),
        *_casebook_cells(record["casebook"]),
    ]
    return [neutralise_formula(value) for value in values]


def _casebook_cells(casebook: dict[str, Any]) -> list[str]:
    facts = casebook["facts"] or {}

    def number(name: str) -> str:
        value = facts.get(name)
        return "" if value is None else format(value, "g")  # 62, not 62.0; 0.5 stays

    def names(role: str) -> str:
        return "; ".join(c["name"] for c in casebook["concepts"] if c["role"] == role)

    return [
        facts.get("kind", ""),
        *(number(name) for name in ("patient_count", "male_count", "female_count")),
        *(number(f"age_{stat}_years") for stat in ("min", "max", "mean", "median")),
        names("disease"),
        names("therapy"),
        casebook["status"],
    ]


def _csv_line(values: Iterable[str]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer).writerow(values)
    return buffer.getvalue()


def to_csv_row(record: dict[str, Any]) -> str:
    return _csv_line(csv_row(record))


# For signed-in curators only: their notes on each article (the status is public, in
# ``CSV_COLUMNS``). Records carry them as ``record["curation"] = {"notes": ...}`` (see
# ``articles.views``).
CURATION_COLUMNS = ("curation_notes",)


def to_curator_csv_row(record: dict[str, Any]) -> str:
    return _csv_line(csv_row(record) + [neutralise_formula(record["curation"]["notes"])])


FORMATS: dict[str, CitationFormat] = {
    fmt.name: fmt
    for fmt in (
        CitationFormat(
            "ris", "RIS", "ris", "application/x-research-info-systems; charset=utf-8", to_ris
        ),
        CitationFormat(
            "nbib",
            "MEDLINE (.nbib)",
            "nbib",
            "application/nbib; charset=utf-8",
            to_medline,
            separator="\n",
        ),
        CitationFormat(
            "bibtex",
            "BibTeX",
            "bib",
            "application/x-bibtex; charset=utf-8",
            to_bibtex,
            separator="\n",
        ),
        CitationFormat(
            "csl-json",
            "CSL-JSON",
            "json",
            "application/vnd.citationstyles.csl+json; charset=utf-8",
            _csl_json_item,
            header="[\n",
            separator=",\n",
            footer="\n]\n",
        ),
        CitationFormat(
            "csv",
            "CSV",
            "csv",
            "text/csv; charset=utf-8",
            to_csv_row,
            # The byte order mark is how Excel knows the file is UTF-8.
            header="\ufeff" + _csv_line(CSV_COLUMNS),
        ),
    )
}

CURATOR_CSV = CitationFormat(
    "csv",
    "CSV",
    "csv",
    "text/csv; charset=utf-8",
    to_curator_csv_row,
    header="\ufeff" + _csv_line(CSV_COLUMNS + CURATION_COLUMNS),
)
