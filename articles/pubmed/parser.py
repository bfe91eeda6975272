"""Stream PubMed XML (efetch responses, NLM baseline and update files) into records.

``parse(source)`` yields ``records.Article`` for each PubmedArticle and PubmedBookArticle,
``records.Deletion`` for each DeleteCitation and ``records.RecordProblem`` for a record it
cannot map. Memory stays flat whatever the file size: each record is mapped as soon as its
end tag arrives, then cleared from the tree.

Safety: entities are never resolved, no DTD is loaded, nothing is fetched, ``huge_tree`` is
off (libxml2's entity-amplification guard stays on), and a file that declares entities at all
is refused before parsing, since no PubMed file does.
"""

from __future__ import annotations

import io
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from html import escape
from os import PathLike
from pathlib import Path
from typing import IO, BinaryIO

from lxml import etree

from articles.pubmed import records as r

MATHML_NS = "http://www.w3.org/1998/Math/MathML"
RECORD_START = re.compile(rb"<(PubmedArticle|PubmedBookArticle|DeleteCitation)[\s>]")
ROOT_END = re.compile(rb"</(PubmedArticleSet|PubmedBookArticleSet)>\s*$")
COMMENTS = re.compile(rb"<!--.*?-->", re.S)
PMID_BYTES = re.compile(rb"<PMID[^>]*>\s*([0-9]{1,12})\s*</PMID>")
SNIFF_BYTES = 64 * 1024
READ_BYTES = 1024 * 1024
_PARSER = etree.XMLParser(
    resolve_entities=False,
    no_network=True,
    load_dtd=False,
    remove_comments=True,
    remove_pis=True,
    huge_tree=False,
)

INLINE_TAGS = frozenset({"i", "b", "u", "sup", "sub"})
MATHML_TAGS = frozenset(
    {
        "math", "mi", "mn", "mo", "ms", "mtext", "mspace", "mrow", "mfrac", "msqrt", "mroot",
        "mstyle", "merror", "mpadded", "mphantom", "mfenced", "menclose", "msub", "msup",
        "msubsup", "munder", "mover", "munderover", "mmultiscripts", "mprescripts", "none",
        "mtable", "mtr", "mtd", "mlabeledtr", "semantics",
    }
)  # fmt: skip
MATHML_ATTRIBUTES = frozenset({"display", "mathvariant", "open", "close", "separators"})
MONTHS = {
    m: i
    for i, m in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"),
        start=1,
    )
}
MONTH_ABBR = {i: m.title() for m, i in MONTHS.items()}
# A season has no month; we file it under the month it starts in so it sorts sensibly.
SEASONS = {"spring": 3, "summer": 6, "fall": 9, "autumn": 9, "winter": 12}
YEAR = re.compile(r"\b([0-9]{4})\b")
WORD = re.compile(r"[A-Za-z]+")
PAGE = re.compile(r"^([A-Za-z]*)(\d+)([A-Za-z]*)$")
DAY = re.compile(r"\s*([0-9]{1,2})\b")
# Beyond what any column holds (Article.version is a PositiveSmallIntegerField, dates must
# fit datetime.date), and far beyond PubMed's own values (versions 1 to 9, years from 1780).
MAX_VERSION = 999
YEARS = range(1000, 10_000)


class InvalidNumber(ValueError):
    """A number in a record that no column can hold: the record is reported and skipped."""

    def __init__(self, field: str, text: str, low: int, high: int) -> None:
        shown = text if len(text) <= 24 else text[:24] + "…"
        super().__init__(f"{field} {shown!r} is not a number from {low:,} to {high:,}")


class PubmedFileError(Exception):
    """A file that cannot be read as PubMed XML, or that breaks partway through."""

    def __init__(self, source: str, message: str, line: int | None = None) -> None:
        self.source = source
        self.message = message
        self.line = line
        super().__init__(str(self))

    def __str__(self) -> str:
        where = f"{self.source}:{self.line}" if self.line else self.source
        return f"{where}: {self.message}"


Source = str | PathLike | bytes | BinaryIO | IO[bytes]


def parse(source: Source, *, name: str | None = None) -> Iterator[r.Item]:
    """Yield the records of a PubMed XML file, bytes or binary stream (gzip or plain)."""
    for raw in iter_raw_records(source, name=name):
        yield from map_raw_items(raw)


@dataclass(frozen=True, slots=True)
class RawRecord:
    """One top-level record's bytes, exactly as the file has them."""

    source: str
    number: int  # 1-based position in the file
    line: int  # line of its start tag
    data: bytes


def iter_raw_records(source: Source, *, name: str | None = None) -> Iterator[RawRecord]:
    """Split a file into its records' bytes without building a tree of the whole file.

    Cutting at the records' own end tags is safe: markup cannot occur unescaped in PubMed
    text. Each piece is then parsed alone by ``map_raw_record``, which lets ingest spread
    parsing over processes, and keeps each record's source XML byte for byte.
    """
    stream, name, close = _open(source, name)
    try:
        yield from _split_stream(stream, name)
    finally:
        if close:
            stream.close()


def _open(source: Source, name: str | None) -> tuple[IO[bytes], str, bool]:
    if isinstance(source, bytes | bytearray):
        return io.BytesIO(source), name or "<bytes>", True
    if isinstance(source, str | PathLike):
        path = Path(source)
        return open(path, "rb"), name or str(path), True
    return source, name or getattr(source, "name", None) or "<stream>", False


def _split_stream(raw: IO[bytes], name: str) -> Iterator[RawRecord]:
    chunks = _decompressed(raw, name)
    buffer = b""
    truncation: PubmedFileError | None = None
    try:
        while len(buffer) < SNIFF_BYTES:
            chunk = next(chunks, b"")
            if not chunk:
                break
            buffer += chunk
    except PubmedFileError as exc:
        truncation = exc
    if truncation is not None and not buffer.strip():
        raise PubmedFileError(name, truncation.message)
    _check_head(buffer, name)

    number = 0
    line = 1
    position = 0
    eof = truncation is not None
    match = None
    while True:
        match, end, keep_from = _next_record(buffer, position)
        if match is None or end < 0:  # no start tag, or not the whole record yet
            if eof:
                break
            # Keep the unfinished tail, read more.
            line += buffer.count(b"\n", position, keep_from)
            buffer = buffer[keep_from:]
            position = 0
            try:
                chunk = next(chunks, b"")
            except PubmedFileError as exc:
                truncation, chunk = exc, b""
            if not chunk:
                eof = True
            buffer += chunk
            continue
        start = match.start()
        if number and not _is_blank(buffer, position, start):
            # Between two records only white space (or a comment) may stand.
            gap_line = line + _leading_newlines(buffer, position, start)
            snippet = buffer[position:start].strip()[:40].decode("utf-8", "replace")
            raise PubmedFileError(
                name, f"XML breaks after record {number}: unexpected {snippet!r}", gap_line
            )
        line += buffer.count(b"\n", position, start)
        number += 1
        yield RawRecord(name, number, line, buffer[start:end])
        line += buffer.count(b"\n", start, end)
        position = end

    after = f"after record {number}" if number else "before the first record"
    last_line = line + buffer.count(b"\n", position)
    if truncation is not None:
        raise PubmedFileError(name, f"{truncation.message} ({after})", last_line)
    if match is not None and match.start() >= position:
        start_line = line + buffer.count(b"\n", position, match.start())
        raise PubmedFileError(
            name,
            f"the file ends inside the record that starts on line {start_line} (truncated {after})",
            last_line,
        )
    if not ROOT_END.search(buffer[position:].strip()):
        raise PubmedFileError(
            name, f"the file ends before its closing root tag (truncated {after})", last_line
        )


def _next_record(buffer: bytes, position: int) -> tuple[re.Match | None, int, int]:
    """The next record's start tag from ``position``, the offset just past its end tag (-1
    if the buffer does not hold all of it), and where to keep the buffer from if not.

    A comment or CDATA section may hold what looks like a record's start or end tag, so a
    tag found after one of them opens is looked for again past its close. PubMed files have
    almost none: one look for "<!" per record is all they cost.
    """
    search_from = position
    while True:
        match = RECORD_START.search(buffer, search_from)
        if match is None:
            hidden = _unclosed_markup(buffer, search_from)
            return None, -1, hidden if hidden >= 0 else max(search_from, len(buffer) - 64)
        hidden = _find_markup(buffer, search_from, match.start())
        if hidden < 0:
            break
        after = _markup_end(buffer, hidden)
        if after < 0:
            return None, -1, hidden
        search_from = after
    end_tag = b"</" + match.group(1) + b">"
    cursor = match.end()
    while True:
        end = buffer.find(end_tag, cursor)
        if end < 0:
            return match, -1, match.start()
        hidden = _find_markup(buffer, cursor, end)
        if hidden < 0:
            return match, end + len(end_tag), match.start()
        cursor = _markup_end(buffer, hidden)
        if cursor < 0:
            return match, -1, match.start()


def _find_markup(buffer: bytes, start: int, end: int) -> int:
    """Where "<!" first starts in ``buffer[start:end]``, or -1. Looking for the "!" alone
    (memchr) then checking the byte before is some 30 times faster than finding two bytes,
    and "!" is rare in PubMed text."""
    bang = buffer.find(b"!", start + 1, end)
    while bang >= 0:
        if buffer[bang - 1] == 0x3C:  # "<"
            return bang - 1
        bang = buffer.find(b"!", bang + 1, end)
    return -1


def _markup_end(buffer: bytes, start: int) -> int:
    """Just past the comment or CDATA section at ``start`` (-1 if it does not end in the
    buffer); past the "<!" for other declarations."""
    for opening, closing in ((b"<!--", b"-->"), (b"<![CDATA[", b"]]>")):
        if buffer.startswith(opening, start):
            close = buffer.find(closing, start + len(opening))
            return close + len(closing) if close >= 0 else -1
    return start + 2


def _unclosed_markup(buffer: bytes, start: int) -> int:
    """Where a comment or CDATA section that the buffer does not close opens, or -1."""
    position = start
    while (hidden := _find_markup(buffer, position, len(buffer))) >= 0:
        position = _markup_end(buffer, hidden)
        if position < 0:
            return hidden
    return -1


def _is_blank(buffer: bytes, start: int, end: int) -> bool:
    gap = buffer[start:end]
    if not gap.strip():
        return True
    return not COMMENTS.sub(b"", gap).strip()


def _leading_newlines(buffer: bytes, start: int, end: int) -> int:
    gap = buffer[start:end]
    return gap[: len(gap) - len(gap.lstrip())].count(b"\n")


def _decompressed(raw: IO[bytes], name: str) -> Iterator[bytes]:
    """The file's bytes, un-gzipped if need be, as they arrive.

    A truncated gzip stream yields everything up to the cut before the error, so the records
    before it can still be stored (``gzip.GzipFile.read`` would drop the last block).
    """
    try:
        data = raw.read(READ_BYTES)
    except OSError as exc:
        raise PubmedFileError(name, f"cannot be read ({exc})") from exc
    if data[:2] != b"\x1f\x8b":
        while data:
            yield data
            data = raw.read(READ_BYTES)
        return
    decompressor = zlib.decompressobj(wbits=31)
    while data:
        try:
            out = decompressor.decompress(data)
        except zlib.error as exc:
            raise PubmedFileError(name, f"is corrupt gzip data ({exc})") from None
        if out:
            yield out
        if decompressor.eof and decompressor.unused_data:
            # A multi-member gzip file: the next member starts here.
            data = decompressor.unused_data
            decompressor = zlib.decompressobj(wbits=31)
            continue
        data = raw.read(READ_BYTES)
    if not decompressor.eof:
        raise PubmedFileError(name, "the gzip stream is cut short: the file is truncated")


def _check_head(head: bytes, name: str) -> None:
    if not head.strip():
        raise PubmedFileError(name, "is empty: expected a PubmedArticleSet XML document")
    lowered = head[:2048].lstrip().lower()
    if lowered.startswith((b"<!doctype html", b"<html")) or b"<html" in lowered[:512]:
        raise PubmedFileError(
            name, "is an HTML page, not PubMed XML (an error page from a server or proxy?)"
        )
    if b"<!ENTITY" in head:
        raise PubmedFileError(
            name, "declares XML entities (<!ENTITY>); PubMed files never do, so it is refused"
        )
    root = _root_tag(head)
    if root is None:
        if len(head) >= SNIFF_BYTES:
            raise PubmedFileError(name, "has no root element in its first 64 KiB; refused")
        raise PubmedFileError(name, "is not XML: no root element found")
    if root == "MedlineCitationSet":
        raise PubmedFileError(
            name,
            "is in the pre-2017 MedlineCitationSet format; Casebook reads PubmedArticleSet "
            "(efetch retmode=xml, or NLM baseline/update files from 2017 on)",
        )
    if root == "eFetchResult" or root == "ERROR":
        error = re.search(rb"<ERROR>(.*?)</ERROR>", head, re.S)
        detail = error.group(1).decode("utf-8", "replace").strip() if error else "no records"
        raise PubmedFileError(name, f"is an E-utilities error response: {detail}")
    if root not in ("PubmedArticleSet", "PubmedBookArticleSet"):
        raise PubmedFileError(
            name, f"has root element <{root}>, expected <PubmedArticleSet>; not PubMed XML"
        )


def _root_tag(head: bytes) -> str | None:
    position = 0
    while True:
        start = head.find(b"<", position)
        if start < 0 or start + 1 >= len(head):
            return None
        following = head[start + 1 : start + 2]
        if following == b"?":
            position = head.find(b"?>", start) + 2
        elif head.startswith(b"<!--", start):
            position = head.find(b"-->", start) + 3
        elif following == b"!":
            # DOCTYPE, possibly with an internal subset in brackets.
            bracket = head.find(b"[", start)
            close = head.find(b">", start)
            if 0 <= bracket < close:
                close = head.find(b"]>", bracket) + 1
            position = close + 1
        else:
            match = re.match(rb"<([A-Za-z_][\w.:-]*)", head[start:])
            return match.group(1).decode("ascii", "replace") if match else None
        if position <= 0:
            return None


# Mapping ------------------------------------------------------------------------------------


def map_raw_record(raw: RawRecord) -> r.Item:
    """Map one record's bytes; a record that is not well formed becomes a RecordProblem."""
    return map_raw_items(raw)[0]


def map_raw_items(raw: RawRecord) -> list[r.Item]:
    """Map one record's bytes to what it holds: an Article, a Deletion, or a RecordProblem
    saying why the record is skipped. A DeleteCitation listing values that are not PMIDs
    gives its Deletion of the others, then a RecordProblem naming them."""
    try:
        element = etree.fromstring(raw.data, _PARSER)
    except etree.XMLSyntaxError as exc:
        line = raw.line + (exc.lineno or 1) - 1
        return [
            r.RecordProblem(
                raw.source, raw.number, _pmid_from_bytes(raw.data),
                f"is not well-formed XML (line {line}): {exc.msg}",
            )
        ]  # fmt: skip
    tag = element.tag
    if tag == "DeleteCitation":
        return _deletion(element, raw)
    parts = _first_children(element)
    is_article = tag == "PubmedArticle"
    container = parts.get("MedlineCitation" if is_article else "BookDocument")
    pmid_element = _first_pmid(container)
    if pmid_element is not None:
        pmid_text: str | None = pmid_element.text or ""
    else:
        # Not in the first container: findtext looks in any later one too.
        pmid_text = element.findtext("MedlineCitation/PMID" if is_article else "BookDocument/PMID")
    digits = pmid_text.strip() if pmid_text else ""
    if not (digits.isascii() and digits.isdigit()):
        message = f"has no numeric PMID (found {pmid_text!r})"
        return [r.RecordProblem(raw.source, raw.number, None, message)]
    try:
        pmid = _number(digits, "PMID", 1, r.MAX_PMID)
    except InvalidNumber as exc:
        return [r.RecordProblem(raw.source, raw.number, None, str(exc))]
    try:
        if is_article:
            return [_map_article(container, parts.get("PubmedData"), pmid_element, pmid, raw.data)]
        return [_map_book(container, parts.get("PubmedBookData"), pmid_element, pmid, raw.data)]
    except InvalidNumber as exc:
        return [r.RecordProblem(raw.source, raw.number, pmid, str(exc))]
    except Exception as exc:
        return [r.RecordProblem(raw.source, raw.number, pmid, f"cannot be mapped: {exc!r}")]


def _deletion(element: etree._Element, raw: RawRecord) -> list[r.Item]:
    pmids: list[int] = []
    rejected: list[str] = []
    for pmid in element:
        if pmid.tag != "PMID":
            continue
        text = (pmid.text or "").strip()
        try:
            pmids.append(_number(text, "PMID", 1, r.MAX_PMID))
        except InvalidNumber:
            rejected.append(text if len(text) <= 24 else text[:24] + "…")
    items: list[r.Item] = [r.Deletion(tuple(pmids))]
    if rejected:
        shown = ", ".join(repr(text) for text in rejected[:10])
        more = f" and {len(rejected) - 10:,} more" if len(rejected) > 10 else ""
        message = f"DeleteCitation: not PMIDs, so not deleted: {shown}{more}"
        items.append(r.RecordProblem(raw.source, raw.number, None, message))
    return items


def _first_pmid(container: etree._Element | None) -> etree._Element | None:
    """The container's first PMID child, as ``find("PMID")``; it is the first child."""
    if container is not None:
        for child in container:
            if child.tag == "PMID":
                return child
    return None


def _pmid_from_bytes(data: bytes) -> int | None:
    match = PMID_BYTES.search(data)
    if match is None:
        return None
    pmid = int(match.group(1))
    return pmid if 1 <= pmid <= r.MAX_PMID else None


def _map_article(
    citation: etree._Element,
    data: etree._Element | None,
    pmid_element: etree._Element | None,
    pmid: int,
    xml: bytes,
) -> r.Article:
    # One pass over each container's children: a find() walks the children again for every
    # field (2-4 us each, as much as mapping a whole date), and baseline files have tens of
    # thousands of records.
    article = journal_el = info = None
    date_completed = date_revised = None
    mesh: tuple[r.MeshHeading, ...] = ()
    chemicals: tuple[r.Chemical, ...] = ()
    supplementary: tuple[r.SupplementaryConcept, ...] = ()
    comments: tuple[r.CommentCorrection, ...] = ()
    investigators: tuple[r.Author, ...] = ()
    subsets: list[str] = []
    other_abstracts: list[r.OtherAbstract] = []
    keywords: list[r.Keyword] = []
    coi = ""
    for child in citation:
        tag = child.tag
        if tag == "Article":
            article = child
        elif tag == "MeshHeadingList":
            mesh = _mesh(child)
        elif tag == "MedlineJournalInfo":
            info = child
        elif tag == "ChemicalList":
            chemicals = _chemicals(child)
        elif tag == "DateCompleted":
            date_completed = _partial_date(child)
        elif tag == "DateRevised":
            date_revised = _partial_date(child)
        elif tag == "CitationSubset":
            subsets.append(_text(child))
        elif tag == "KeywordList":
            keywords.extend(_keyword_list(child))
        elif tag == "CommentsCorrectionsList":
            comments = _comments(child)
        elif tag == "SupplMeshList":
            supplementary = _supplementary(child)
        elif tag == "OtherAbstract":
            other_abstracts.append(_other_abstract(child))
        elif tag == "InvestigatorList":
            investigators = _authors(child, "investigator")
        elif tag == "CoiStatement":
            coi = _text(child)
    if article is None:
        raise ValueError("MedlineCitation has no Article element")

    title = abstract_el = author_list = pagination = None
    vernacular = ""
    languages: list[str] = []
    publication_types: tuple[r.PublicationType, ...] = ()
    grants: tuple[r.Grant, ...] = ()
    elocations: list[r.ArticleId] = []
    article_dates: list[r.PartialDate] = []
    for child in article:
        tag = child.tag
        if tag == "Journal":
            journal_el = child
        elif tag == "ArticleTitle":
            title = child
        elif tag == "Abstract":
            abstract_el = child
        elif tag == "AuthorList":
            author_list = child
        elif tag == "Language":
            languages.append(_text(child))
        elif tag == "PublicationTypeList":
            publication_types = _publication_types(child)
        elif tag == "Pagination":
            pagination = child
        elif tag == "ELocationID":
            elocations.extend(_elocations_of(child))
        elif tag == "ArticleDate":
            article_dates.append(_partial_date(child, child.get("DateType", "")))
        elif tag == "GrantList":
            grants = _grants(child)
        elif tag == "VernacularTitle":
            vernacular = _text(child)

    ids: tuple[r.ArticleId, ...] = ()
    history: tuple[r.PartialDate, ...] = ()
    references: list[r.Reference] = []
    publication_status = ""
    if data is not None:
        for child in data:
            tag = child.tag
            if tag == "ArticleIdList":
                ids = _article_ids(child)
            elif tag == "History":
                history = _history(child)
            elif tag == "PublicationStatus":
                publication_status = _text(child)
            elif tag == "ReferenceList":
                references.extend(_reference_list(child))

    journal, journal_issue = _journal(journal_el, info)
    title_html, title_text = _markup(title)
    abstract, copyright_ = _abstract(abstract_el)
    pagination_text, start_page, end_page = _pagination(pagination)
    volume = issue = ""
    pub_date_el = None
    if journal_issue is not None:
        for child in journal_issue:
            tag = child.tag
            if tag == "Volume":
                volume = _text(child)
            elif tag == "Issue":
                issue = _text(child)
            elif tag == "PubDate":
                pub_date_el = child
    return r.Article(
        pmid=pmid,
        version=_version(pmid_element),
        kind="article",
        title_html=title_html,
        title=title_text,
        vernacular_title=vernacular,
        journal=journal,
        pub_date=_pub_date(pub_date_el),
        citation_status=citation.get("Status", ""),
        citation_owner=citation.get("Owner", ""),
        publication_status=publication_status,
        volume=volume,
        issue=issue,
        pagination=pagination_text,
        start_page=start_page,
        end_page=end_page,
        abstract=abstract,
        abstract_copyright=copyright_,
        other_abstracts=tuple(other_abstracts),
        authors=_authors(author_list, "author") + investigators,
        authors_complete=_authors_complete(author_list),
        languages=tuple(language for language in languages if language),
        publication_types=publication_types,
        article_ids=ids + tuple(elocations),
        article_dates=tuple(article_dates),
        history=history,
        date_completed=date_completed,
        date_revised=date_revised,
        mesh_headings=mesh,
        supplementary_concepts=supplementary,
        chemicals=chemicals,
        keywords=tuple(keywords),
        grants=grants,
        comments_corrections=comments,
        references=tuple(references),
        citation_subsets=tuple(subset for subset in subsets if subset),
        coi_statement=coi,
        xml=xml,
    )


def _map_book(
    document: etree._Element,
    data: etree._Element | None,
    pmid_element: etree._Element | None,
    pmid: int,
    xml: bytes,
) -> r.Article:
    book_el = document.find("Book")
    book_title_html, book_title = _markup(
        book_el.find("BookTitle") if book_el is not None else None
    )
    article_title = document.find("ArticleTitle")
    if article_title is not None:
        title_html, title = _markup(article_title)
    else:
        title_html, title = book_title_html, book_title
    abstract, copyright_ = _abstract(document.find("Abstract"))
    pagination_text, start_page, end_page = _pagination(document.find("Pagination"))
    book = None
    editors: tuple[r.Author, ...] = ()
    pub_date = r.PubDate("", None)
    if book_el is not None:
        book = r.Book(
            title_html=book_title_html,
            title=book_title,
            publisher_name=_findtext(book_el, "Publisher/PublisherName"),
            publisher_location=_findtext(book_el, "Publisher/PublisherLocation"),
            volume=_findtext(book_el, "Volume"),
            edition=_findtext(book_el, "Edition"),
            medium=_findtext(book_el, "Medium"),
            collection_title=_text(book_el.find("CollectionTitle")),
            isbns=tuple(_texts(book_el.iterfind("Isbn"))),
            report_number=_findtext(book_el, "ReportNumber"),
            beginning_date=_optional_date(book_el.find("BeginningDate")),
            ending_date=_optional_date(book_el.find("EndingDate")),
        )
        pub_date = _pub_date(book_el.find("PubDate"))
        for author_list in book_el.iterfind("AuthorList"):
            # A chapter's Book lists the book's editors; a whole book lists its authors.
            role = "author" if author_list.get("Type") == "authors" else "editor"
            editors += _authors(author_list, role)
    authors: tuple[r.Author, ...] = ()
    for author_list in document.iterfind("AuthorList"):
        role = "editor" if author_list.get("Type") == "editors" else "author"
        authors += _authors(author_list, role)
    ids = _article_ids(document.find("ArticleIdList"))
    if data is not None:
        known = set(ids)
        ids += tuple(i for i in _article_ids(data.find("ArticleIdList")) if i not in known)
    ids += tuple(_elocations(document))
    if book_el is not None:
        ids += tuple(_elocations(book_el))

    return r.Article(
        pmid=pmid,
        version=_version(pmid_element),
        kind="book",
        title_html=title_html,
        title=title,
        vernacular_title=_text(document.find("VernacularTitle")),
        journal=None,
        book=book,
        pub_date=pub_date,
        publication_status=_findtext(data, "PublicationStatus"),
        pagination=pagination_text,
        start_page=start_page,
        end_page=end_page,
        abstract=abstract,
        abstract_copyright=copyright_,
        authors=authors + editors + _authors(document.find("InvestigatorList"), "investigator"),
        authors_complete=_authors_complete(document.find("AuthorList")),
        languages=tuple(_texts(document.iterfind("Language"))),
        publication_types=_publication_types(document),
        article_ids=ids,
        history=_history(data.find("History") if data is not None else None),
        date_revised=_optional_date(document.find("DateRevised")),
        keywords=_keywords(document),
        grants=_grants(document.find("GrantList")),
        references=_references(document),
        xml=xml,
    )


def _markup(element: etree._Element | None) -> tuple[str, str]:
    """Sanitised HTML and plain text of an element that may hold inline markup."""
    if element is None:
        return "", ""
    if len(element) == 0:
        text = element.text or ""
        return escape(text, quote=False).strip(), _collapse(text)
    parts: list[str] = []
    _render(element, parts, top=True)
    html = "".join(parts).strip()
    return html, _collapse("".join(_text_parts(element)))


def _render(element: etree._Element, out: list[str], top: bool = False) -> None:
    tag = element.tag
    name = ""
    if isinstance(tag, str) and not top:
        if tag.startswith("{"):
            namespace, _, local = tag[1:].partition("}")
            if namespace == MATHML_NS and local in MATHML_TAGS:
                name = local
        elif tag in INLINE_TAGS:
            name = tag
    if name:
        attributes = ""
        if name not in INLINE_TAGS:
            attributes = "".join(
                f' {key}="{escape(value)}"'
                for key, value in element.attrib.items()
                if key in MATHML_ATTRIBUTES
            )
        out.append(f"<{name}{attributes}>")
    if element.text and isinstance(tag, str):
        out.append(escape(element.text, quote=False))
    for child in element:
        _render(child, out)
        if child.tail:
            out.append(escape(child.tail, quote=False))
    if name:
        out.append(f"</{name}>")


def _text_parts(element: etree._Element) -> Iterator[str]:
    """Like itertext(), skipping unresolved entity references and MathML annotations."""
    if isinstance(element.tag, str):
        if element.text:
            yield element.text
        for child in element:
            if not (isinstance(child.tag, str) and child.tag.endswith("annotation")):
                yield from _text_parts(child)
            if child.tail:
                yield child.tail


def _collapse(text: str) -> str:
    return " ".join(text.split())


def _text(element: etree._Element | None) -> str:
    if element is None:
        return ""
    if len(element):
        return _collapse("".join(_text_parts(element)))
    text = element.text
    if not text:
        return ""
    if "  " in text or "\n" in text or "\t" in text:
        return " ".join(text.split())
    return text.strip()


def _findtext(element: etree._Element | None, path: str) -> str:
    if element is None:
        return ""
    return _text(element.find(path))


def _first_children(element: etree._Element | None) -> dict[object, etree._Element]:
    """Each tag's first child, as ``find(tag)`` would give it, for every tag in one pass."""
    first: dict[object, etree._Element] = {}
    if element is not None:
        for child in element:
            first.setdefault(child.tag, child)
    return first


def _own_text(element: etree._Element | None) -> str | None:
    """What ``findtext`` gives for the element ``find`` gave: its text, not its children's."""
    return None if element is None else element.text or ""


def _texts(elements: Iterator[etree._Element]) -> Iterator[str]:
    for element in elements:
        text = _text(element)
        if text:
            yield text


def _number(text: str, field: str, low: int, high: int) -> int:
    """``text`` as an int from ``low`` to ``high``, or InvalidNumber. Only ASCII digits: "²"
    passes str.isdigit() but not int(), and a thousand digits would pass both."""
    if text.isascii() and text.isdigit() and len(text) <= len(str(high)) + 2:
        number = int(text)
        if low <= number <= high:
            return number
    raise InvalidNumber(field, text, low, high)


def _yes(element: etree._Element, attribute: str, default: bool = False) -> bool:
    value = element.get(attribute)
    if value is None:
        return default
    return value == "Y"


def _version(pmid_element: etree._Element | None) -> int:
    if pmid_element is None:
        return 1
    version = pmid_element.get("Version")
    return 1 if version is None else _number(version.strip(), "Version", 1, MAX_VERSION)


def _int(text: str | None) -> int | None:
    """A small number, or None for anything else (callers check the range)."""
    if text is None:
        return None
    text = text.strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 9 else None


def _year(text: str | None) -> int | None:
    """A Year; None when missing or not written in digits. A record stating an impossible
    one is skipped: it would not fit the date columns."""
    if text is None:
        return None
    text = text.strip()
    if not text.isdigit():
        return None
    if len(text) == 4 and text.isascii() and text[0] != "0":
        return int(text)
    raise InvalidNumber("Year", text, YEARS.start, YEARS.stop - 1)


def _linked_pmid(text: str | None) -> int | None:
    """A cited or corrected PMID; one no column could hold is left unlinked, its text kept."""
    pmid = _int(text)
    return pmid if pmid is not None and 1 <= pmid <= r.MAX_PMID else None


def _month(text: str | None) -> int | None:
    if not text:
        return None
    text = text.strip()
    if text.isascii() and text.isdigit():
        month = int(text) if len(text) <= 2 else 0
        return month if 1 <= month <= 12 else None
    return MONTHS.get(text[:3].lower())


def _partial_date(element: etree._Element, kind: str = "") -> r.PartialDate:
    # The DTD fixes the order Year, Month, Day (then Hour, Minute); reading by position
    # saves a tag comparison per part on the ~7 history dates of every record.
    parts = [(child.tag, child.text) for child in element]
    hour = minute = None
    if (
        len(parts) >= 3
        and parts[0][0] == "Year"
        and parts[1][0] == "Month"
        and parts[2][0] == "Day"
    ):
        year, month, day = _year(parts[0][1]), _month(parts[1][1]), _int(parts[2][1])
        if len(parts) > 3:
            values = dict(parts[3:])
            hour, minute = _int(values.get("Hour")), _int(values.get("Minute"))
    else:
        values = dict(parts)
        year, month, day = (
            _year(values.get("Year")),
            _month(values.get("Month")),
            _int(values.get("Day")),
        )
        hour, minute = _int(values.get("Hour")), _int(values.get("Minute"))
    if hour is not None and not (0 <= hour <= 23 and 0 <= (minute or 0) <= 59):
        hour = minute = None
    return r.PartialDate(
        year,
        month,
        day if day and 1 <= day <= 31 else None,
        kind,
        hour,
        minute if hour is not None else None,
    )


def _optional_date(element: etree._Element | None) -> r.PartialDate | None:
    return _partial_date(element) if element is not None else None


def _history(history: etree._Element | None) -> tuple[r.PartialDate, ...]:
    if history is None:
        return ()
    return tuple(
        _partial_date(date, date.get("PubStatus", ""))
        for date in history
        if date.tag == "PubMedPubDate"
    )


def _pub_date(element: etree._Element | None) -> r.PubDate:
    if element is None:
        return r.PubDate("", None)
    children = _first_children(element)
    medline = _own_text(children.get("MedlineDate"))
    if medline is not None:
        return parse_medline_date(_collapse(medline))
    year_text = _collapse(_own_text(children.get("Year")) or "")
    month_text = _collapse(_own_text(children.get("Month")) or "")
    day_text = _collapse(_own_text(children.get("Day")) or "")
    season_text = _collapse(_own_text(children.get("Season")) or "")
    year = _year(year_text)
    month = _month(month_text)
    day = _int(day_text)
    if day is not None and not 1 <= day <= 31:
        day = None
    parts = [year_text]
    precision = "year" if year else ""
    if month:
        parts.append(MONTH_ABBR[month])
        precision = "month"
        if day:
            parts.append(str(day))
            precision = "day"
    elif season_text:
        parts.append(season_text)
        first = WORD.match(season_text)
        season_month = first and (
            SEASONS.get(first.group().lower()) or MONTHS.get(first.group()[:3].lower())
        )
        if season_month:
            month = season_month
            precision = "season"
        day = None
    else:
        day = None
    return r.PubDate(" ".join(p for p in parts if p), year, month, day, precision)


def parse_medline_date(raw: str) -> r.PubDate:
    """Read year, month and day from a free-text MedlineDate such as "1977 Apr 13-15"."""
    year_match = YEAR.search(raw)
    if not year_match:
        return r.PubDate(raw, None)
    year = int(year_match.group(1))
    rest = raw[year_match.end() :]
    month = None
    day = None
    season = False
    words = WORD.search(rest)
    if words:
        word = words.group().lower()
        month = MONTHS.get(word[:3]) if len(word) >= 3 else None
        if month is None and word in SEASONS:
            month, season = SEASONS[word], True
        if month is not None:
            day_match = DAY.match(rest, words.end())
            if day_match and 1 <= int(day_match.group(1)) <= 31:
                day = int(day_match.group(1))
    if "-" in raw or "/" in raw or "," in raw:
        precision = "range"
    elif day:
        precision = "day"
    elif season:
        precision = "season"
    elif month:
        precision = "month"
    else:
        precision = "year"
    return r.PubDate(raw, year, month, day, precision)


def _pagination(element: etree._Element | None) -> tuple[str, str, str]:
    if element is None:
        return "", "", ""
    first = _first_children(element)
    medline = _text(first.get("MedlinePgn"))
    start = _text(first.get("StartPage"))
    end = _text(first.get("EndPage"))
    if not start and medline:
        start, end = expand_pages(medline)
    if not medline and start:
        medline = f"{start}-{end}" if end and end != start else start
    return medline, start, end


def expand_pages(medline_pgn: str) -> tuple[str, str]:
    """MedlinePgn abbreviates the last page: "201-6" is pages 201 to 206."""
    first_range = medline_pgn.split(",")[0].split(";")[0].strip()
    start, _, end = first_range.partition("-")
    start, end = start.strip(), end.strip()
    start_match, end_match = PAGE.match(start), PAGE.match(end)
    if start_match and end_match and len(end_match.group(2)) < len(start_match.group(2)):
        digits = start_match.group(2)
        expanded = digits[: len(digits) - len(end_match.group(2))] + end_match.group(2)
        end = f"{end_match.group(1) or start_match.group(1)}{expanded}{end_match.group(3)}"
    return start, end


def _abstract(
    element: etree._Element | None,
) -> tuple[tuple[r.AbstractSection, ...], str]:
    if element is None:
        return (), ""
    sections = []
    copyright_ = None
    for child in element:
        tag = child.tag
        if tag == "AbstractText":
            html, text = _markup(child)
            label = child.get("Label", "")
            if text or label:
                sections.append(r.AbstractSection(label, child.get("NlmCategory", ""), html, text))
        elif tag == "CopyrightInformation" and copyright_ is None:
            copyright_ = child
    return tuple(sections), _text(copyright_)


def _other_abstract(element: etree._Element) -> r.OtherAbstract:
    sections, copyright_ = _abstract(element)
    return r.OtherAbstract(
        element.get("Type", ""), element.get("Language", ""), sections, copyright_
    )


def _affiliation(info: etree._Element) -> r.Affiliation:
    text = ""
    identifiers = []
    for child in info:
        if child.tag == "Affiliation":
            text = _text(child)
        elif child.tag == "Identifier":
            identifiers.append(r.Identifier(child.get("Source", ""), _text(child)))
    return r.Affiliation(text, tuple(identifiers))


def _authors(author_list: etree._Element | None, role: str) -> tuple[r.Author, ...]:
    if author_list is None:
        return ()
    authors = []
    for element in author_list:
        if element.tag not in ("Author", "Investigator"):
            continue
        names = {"LastName": "", "ForeName": "", "Initials": "", "Suffix": "", "CollectiveName": ""}
        identifiers = []
        affiliations = []
        for child in element:
            tag = child.tag
            if tag == "AffiliationInfo":
                affiliations.append(_affiliation(child))
            elif tag == "Identifier":
                identifiers.append(r.Identifier(child.get("Source", ""), _text(child)))
            elif tag in names:
                names[tag] = _text(child)
        authors.append(
            r.Author(
                last_name=names["LastName"],
                fore_name=names["ForeName"],
                initials=names["Initials"],
                suffix=names["Suffix"],
                collective_name=names["CollectiveName"],
                identifiers=tuple(identifiers),
                affiliations=tuple(affiliations),
                equal_contrib=element.get("EqualContrib") == "Y",
                valid=element.get("ValidYN") != "N",
                role=role,
            )
        )
    return tuple(authors)


def _authors_complete(author_list: etree._Element | None) -> bool:
    return True if author_list is None else _yes(author_list, "CompleteYN", default=True)


def _journal(
    journal: etree._Element | None, info: etree._Element | None
) -> tuple[r.Journal, etree._Element | None]:
    """The journal, and its JournalIssue element (which holds the article's issue)."""
    issn_print = issn_electronic = ""
    first: dict[object, etree._Element] = {}
    if journal is not None:
        for child in journal:
            tag = child.tag
            if tag == "ISSN":
                if child.get("IssnType") == "Electronic":
                    issn_electronic = _text(child)
                else:
                    issn_print = _text(child)
            else:
                first.setdefault(tag, child)
    info_first = _first_children(info)
    record = r.Journal(
        title=_text(first.get("Title")),
        iso_abbreviation=_text(first.get("ISOAbbreviation")),
        medline_ta=_text(info_first.get("MedlineTA")),
        issn_print=issn_print,
        issn_electronic=issn_electronic,
        issn_linking=_text(info_first.get("ISSNLinking")),
        nlm_unique_id=_text(info_first.get("NlmUniqueID")),
        country=_text(info_first.get("Country")),
    )
    return record, first.get("JournalIssue")


def _article_ids(id_list: etree._Element | None) -> tuple[r.ArticleId, ...]:
    if id_list is None:
        return ()
    ids = []
    for element in id_list:
        if element.tag == "ArticleId":
            value = _text(element)
            if value:
                ids.append(r.ArticleId(element.get("IdType", "pubmed"), value))
    return tuple(ids)


def _elocations(element: etree._Element) -> Iterator[r.ArticleId]:
    for location in element:
        if location.tag == "ELocationID":
            yield from _elocations_of(location)


def _elocations_of(location: etree._Element) -> Iterator[r.ArticleId]:
    value = _text(location)
    if value:
        yield r.ArticleId(
            location.get("EIdType", ""),
            value,
            source="elocation",
            valid=_yes(location, "ValidYN", default=True),
        )


def _publication_types(element: etree._Element | None) -> tuple[r.PublicationType, ...]:
    if element is None:
        return ()
    return tuple(
        r.PublicationType(pt.get("UI", ""), _text(pt))
        for pt in element
        if pt.tag == "PublicationType"
    )


def _mesh(element: etree._Element | None) -> tuple[r.MeshHeading, ...]:
    if element is None:
        return ()
    headings = []
    for heading in element:
        descriptor = None
        qualifiers = []
        for child in heading:
            if child.tag == "DescriptorName":
                descriptor = child
            elif child.tag == "QualifierName":
                qualifiers.append(
                    r.MeshQualifier(
                        child.get("UI", ""), _text(child), child.get("MajorTopicYN") == "Y"
                    )
                )
        if descriptor is None:
            continue
        headings.append(
            r.MeshHeading(
                ui=descriptor.get("UI", ""),
                name=_text(descriptor),
                major=descriptor.get("MajorTopicYN") == "Y",
                qualifiers=tuple(qualifiers),
                descriptor_type=descriptor.get("Type", ""),
            )
        )
    return tuple(headings)


def _supplementary(element: etree._Element | None) -> tuple[r.SupplementaryConcept, ...]:
    if element is None:
        return ()
    return tuple(
        r.SupplementaryConcept(s.get("UI", ""), _text(s), s.get("Type", ""))
        for s in element
        if s.tag == "SupplMeshName"
    )


def _chemicals(element: etree._Element | None) -> tuple[r.Chemical, ...]:
    if element is None:
        return ()
    chemicals = []
    for chemical in element:
        if chemical.tag != "Chemical":
            continue
        first = _first_children(chemical)
        name = first.get("NameOfSubstance")
        chemicals.append(
            r.Chemical(
                registry_number=_text(first.get("RegistryNumber")),
                ui=name.get("UI", "") if name is not None else "",
                name=_text(name),
            )
        )
    return tuple(chemicals)


def _keywords(element: etree._Element) -> tuple[r.Keyword, ...]:
    keywords: list[r.Keyword] = []
    for keyword_list in element:
        if keyword_list.tag == "KeywordList":
            keywords.extend(_keyword_list(keyword_list))
    return tuple(keywords)


def _keyword_list(keyword_list: etree._Element) -> Iterator[r.Keyword]:
    owner = keyword_list.get("Owner", "")
    for keyword in keyword_list:
        if keyword.tag == "Keyword":
            text = _text(keyword)
            if text:
                yield r.Keyword(owner, _yes(keyword, "MajorTopicYN"), text)


def _grants(element: etree._Element | None) -> tuple[r.Grant, ...]:
    if element is None:
        return ()
    grants = []
    for grant in element:
        if grant.tag == "Grant":
            first = _first_children(grant)
            grants.append(
                r.Grant(
                    grant_id=_text(first.get("GrantID")),
                    acronym=_text(first.get("Acronym")),
                    agency=_text(first.get("Agency")),
                    country=_text(first.get("Country")),
                )
            )
    return tuple(grants)


def _comments(element: etree._Element | None) -> tuple[r.CommentCorrection, ...]:
    if element is None:
        return ()
    comments = []
    for item in element:
        if item.tag == "CommentsCorrections":
            first = _first_children(item)
            comments.append(
                r.CommentCorrection(
                    ref_type=item.get("RefType", ""),
                    source=_text(first.get("RefSource")),
                    pmid=_linked_pmid(_own_text(first.get("PMID"))),
                    note=_text(first.get("Note")),
                )
            )
    return tuple(comments)


def _references(container: etree._Element | None) -> tuple[r.Reference, ...]:
    """Every Reference of every ReferenceList, nested lists included, in document order."""
    if container is None:
        return ()
    references: list[r.Reference] = []
    for reference_list in container:
        if reference_list.tag == "ReferenceList":
            references.extend(_reference_list(reference_list))
    return tuple(references)


def _reference_list(reference_list: etree._Element) -> Iterator[r.Reference]:
    for reference in reference_list.iter("Reference"):
        citation = ""
        ids: tuple[r.ArticleId, ...] = ()
        for child in reference:
            tag = child.tag
            if tag == "Citation":
                citation = _text(child)
            elif tag == "ArticleIdList":
                ids = tuple(
                    r.ArticleId(item.get("IdType", "pubmed"), value)
                    for item in child
                    if (value := (item.text or "").strip())
                )
        yield r.Reference(citation, ids)
