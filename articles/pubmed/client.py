"""NCBI E-utilities for PubMed: PMIDs and raw EFetch XML, fetched reliably.

The client talks HTTP and nothing else: it returns PMIDs and EFetch response bodies as bytes
and never maps an article (``parser.py`` does that). What it guarantees:

- every request carries ``tool`` and ``email``, and ``api_key`` when there is one, and waits
  its turn at one rate limiter shared by the whole process (3 requests/s, 10 with a key);
- every request has a timeout, and is retried with exponential backoff and jitter on HTTP
  429 and 5xx, connection errors, timeouts, a body that is cut short or is not XML, and an
  ``<ERROR>`` that NCBI reports inside an HTTP 200; after ``max_attempts`` it raises
  ``EutilsError`` naming what failed;
- ``search`` never lets ESearch's 9,999-record cap truncate a query silently: it splits the
  query into date windows, halving each until it holds at most 9,999 records, and logs the plan;
- ``fetch_batch`` accounts for every PMID asked for: returned, or listed as missing after
  being asked for once more; ``iter_batches`` keeps several batches downloading ahead of the
  caller, in order, so storing one batch overlaps fetching the next.

To confirm that an EFetch body is complete the client checks that it is one whole
PubmedArticleSet and collects the PMIDs of its records; that is a check of the response, not
a parse of the articles.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import logging
import random
import re
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import TypeVar

import requests
from lxml import etree

from articles.pubmed.ratelimit import RateLimiter, shared_limiter

logger = logging.getLogger(__name__)

DEFAULT_EUTILS_URL = "https://eutils.ncbi.nlm.nih.gov/entrez/eutils/"
# PubMed's ESearch lists at most the first 9,999 PMIDs of a result, and refuses a retstart
# beyond 9,998; the same cap applies to a history set. Bigger queries are split by date.
MAX_SEARCH_IDS = 9_999
DEFAULT_BATCH_SIZE = 200
MAX_BATCH_SIZE = 500
DATE_FORMAT = "%Y/%m/%d"
DATE_TYPES = ("pdat", "edat")
# The date window a query is split over when it gives none. PubMed's oldest citations date
# from the 1780s; publication dates run up to a year ahead (issues dated in advance).
EARLIEST = dt.date(1700, 1, 1)

_SAFE_XML = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
)
_RETRY_STATUS = frozenset({408, 429, 500, 502, 503, 504})
# PMID is the first child of MedlineCitation and of BookDocument (PubMed DTD), so this finds
# each record's own PMID and never one cited inside it.
_RECORD_PMID = re.compile(
    rb"<(?:MedlineCitation|BookDocument)\b[^>]*>\s*<PMID\b[^>]*>\s*(\d+)\s*</PMID>"
)
T = TypeVar("T")


class EutilsError(Exception):
    """A request that failed for good: every attempt was used, or NCBI refused it outright."""

    def __init__(self, what: str, reason: str, attempts: int = 1) -> None:
        self.what = what
        self.reason = reason
        self.attempts = attempts
        super().__init__(str(self))

    def __str__(self) -> str:
        tries = f" after {self.attempts} attempts" if self.attempts > 1 else ""
        return f"{self.what} failed{tries}: {self.reason}"


class BadResponse(Exception):
    """An HTTP 200 whose body cannot be the answer: cut short, not XML, or an NCBI <ERROR>."""


@dataclass(frozen=True)
class SearchResult:
    """One ESearch response."""

    count: int
    ids: tuple[int, ...]
    webenv: str = ""
    query_key: str = ""
    translation: str = ""
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class History:
    """A set of PMIDs held on NCBI's history server (ESearch usehistory=y, or EPost)."""

    webenv: str
    query_key: str


@dataclass(frozen=True)
class Slice:
    """One date window of a split query and how many records ESearch counted in it."""

    mindate: str
    maxdate: str
    count: int


@dataclass(frozen=True)
class SearchPlan:
    """Every PMID a query matches, and how the query was split to list them all."""

    term: str
    count: int  # what ESearch counts for the whole query
    ids: tuple[int, ...]  # each PMID once, in slice order
    slices: tuple[Slice, ...]
    datetype: str = ""

    @property
    def shortfall(self) -> int:
        """Records the query counts that no slice listed (e.g. no date in the window)."""
        return max(0, self.count - len(self.ids))


@dataclass(frozen=True)
class Batch:
    """One EFetch batch: the PMIDs asked for, the response bodies, and what never came."""

    number: int  # 1-based, in the order of the PMID list
    total: int
    pmids: tuple[int, ...]
    documents: tuple[bytes, ...]  # the EFetch body, and the retry's body if PMIDs were missing
    missing: tuple[int, ...] = ()

    @property
    def label(self) -> str:
        return batch_label(self.number, self.total, self.pmids)


def batch_label(number: int, total: int, pmids: Sequence[int]) -> str:
    span = f"PMID {pmids[0]}" if len(pmids) == 1 else f"PMIDs {pmids[0]}…{pmids[-1]}"
    return f"EFetch batch {number} of {total} ({len(pmids)} PMIDs, {span})"


def parse_date(text: str) -> dt.date:
    """A date as E-utilities writes it: YYYY/MM/DD."""
    return dt.datetime.strptime(text, DATE_FORMAT).date()


def format_date(date: dt.date) -> str:
    return date.strftime(DATE_FORMAT)


class EutilsClient:
    """A PubMed E-utilities client. Thread-safe; one ``requests.Session`` per thread."""

    def __init__(
        self,
        *,
        base_url: str = DEFAULT_EUTILS_URL,
        tool: str = "casebook",
        email: str = "",
        api_key: str = "",
        timeout: float = 60.0,
        max_attempts: int = 5,
        backoff: float = 1.0,
        max_backoff: float = 60.0,
        limiter: RateLimiter | None = None,
    ) -> None:
        if max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        self.base_url = base_url if base_url.endswith("/") else base_url + "/"
        self.tool = tool
        self.email = email
        self.api_key = api_key
        self.timeout = timeout
        self.max_attempts = max_attempts
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.limiter = limiter or shared_limiter(api_key)
        self._local = threading.local()
        self._sessions: list[requests.Session] = []
        self._sessions_lock = threading.Lock()

    def close(self) -> None:
        with self._sessions_lock:
            for session in self._sessions:
                session.close()
            self._sessions.clear()

    def __enter__(self) -> EutilsClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # The four calls ---------------------------------------------------------------------------

    def esearch(
        self,
        term: str,
        *,
        retstart: int = 0,
        retmax: int = MAX_SEARCH_IDS,
        mindate: dt.date | None = None,
        maxdate: dt.date | None = None,
        datetype: str = "pdat",
        usehistory: bool = True,
    ) -> SearchResult:
        """One ESearch request (db=pubmed), refused locally if it asks past the 9,999 cap."""
        if retstart < 0 or retmax < 0 or retstart + retmax > MAX_SEARCH_IDS:
            raise ValueError(
                f"ESearch lists only the first {MAX_SEARCH_IDS:,} PMIDs of a query "
                f"(asked for {retstart:,}+{retmax:,}); split the query by date instead"
            )
        params: dict[str, str | int] = {"db": "pubmed", "term": term}
        if usehistory:
            params["usehistory"] = "y"
        params.update(retstart=retstart, retmax=retmax)
        what = f"ESearch {term!r}"
        if mindate or maxdate:
            if datetype not in DATE_TYPES:
                raise ValueError(f"datetype must be one of {', '.join(DATE_TYPES)}")
            params.update(
                datetype=datetype,
                mindate=format_date(mindate or EARLIEST),
                maxdate=format_date(maxdate or latest_date()),
            )
            what += f" [{datetype} {params['mindate']}–{params['maxdate']}]"
        return self._call("esearch.fcgi", params, what, _search_result)

    def epost(self, pmids: Sequence[int]) -> History:
        """Store PMIDs on the history server, for EFetch by ``history``."""
        if not pmids:
            raise ValueError("EPost needs at least one PMID")
        params: dict[str, str | int] = {"db": "pubmed", "id": ",".join(map(str, pmids))}
        return self._call("epost.fcgi", params, f"EPost of {len(pmids)} PMIDs", _post_result)

    def efetch(self, pmids: Sequence[int], *, what: str = "") -> bytes:
        """EFetch PubMed XML for PMIDs sent in the POST body; returns the checked body."""
        return self._efetch_ids(pmids, what or f"EFetch of {len(pmids)} PMIDs")[0]

    def efetch_history(self, history: History, *, retstart: int = 0, retmax: int = 200) -> bytes:
        """EFetch PubMed XML for part of a history set; refused locally past the 9,999 cap."""
        if retstart < 0 or retmax < 1 or retstart + retmax > MAX_SEARCH_IDS:
            raise ValueError(
                f"PubMed serves only the first {MAX_SEARCH_IDS:,} records of a history set "
                f"(asked for {retstart:,}+{retmax:,}); split the query by date instead"
            )
        params: dict[str, str | int] = {
            "db": "pubmed",
            "retmode": "xml",
            "WebEnv": history.webenv,
            "query_key": history.query_key,
            "retstart": retstart,
            "retmax": retmax,
        }
        what = f"EFetch of history records {retstart + 1}–{retstart + retmax}"
        return self._call("efetch.fcgi", params, what, _checked_efetch)[0]

    # What a run needs -------------------------------------------------------------------------

    def search(
        self,
        term: str,
        *,
        mindate: dt.date | None = None,
        maxdate: dt.date | None = None,
        datetype: str = "pdat",
    ) -> SearchPlan:
        """Every PMID ``term`` matches, splitting the query by date when it has more than
        9,999 records; each window is halved until ESearch can list all of it."""
        whole = self.esearch(term, mindate=mindate, maxdate=maxdate, datetype=datetype)
        if whole.warnings:
            logger.info("ESearch %r: %s", term, "; ".join(whole.warnings))
        dated = mindate is not None or maxdate is not None
        if whole.count <= MAX_SEARCH_IDS:
            window = Slice(
                format_date(mindate or EARLIEST) if dated else "",
                format_date(maxdate or latest_date()) if dated else "",
                whole.count,
            )
            return SearchPlan(term, whole.count, _unique(whole.ids), (window,), datetype)

        start, end = mindate or EARLIEST, maxdate or latest_date()
        slices: list[Slice] = []
        ids: list[int] = []
        pending: list[tuple[dt.date, dt.date, SearchResult | None]] = [
            (start, end, whole if dated else None)
        ]
        while pending:  # depth first, earliest window first, so the plan reads in date order
            first, last, result = pending.pop()
            if result is None:
                result = self.esearch(term, mindate=first, maxdate=last, datetype=datetype)
            if result.count <= MAX_SEARCH_IDS:
                slices.append(Slice(format_date(first), format_date(last), result.count))
                ids.extend(result.ids)
                continue
            if first == last:
                raise EutilsError(
                    f"ESearch {term!r}",
                    f"{result.count:,} records have the {datetype} date {format_date(first)}, "
                    f"more than the {MAX_SEARCH_IDS:,} ESearch can list for one query; "
                    "narrow the query",
                )
            middle = first + (last - first) // 2
            pending.append((middle + dt.timedelta(days=1), last, None))
            pending.append((first, middle, None))
        plan = SearchPlan(term, whole.count, _unique(ids), tuple(slices), datetype)
        logger.info(
            "ESearch %r matches %s records, more than the %s one query can list: split into "
            "%d %s windows: %s",
            term,
            f"{whole.count:,}",
            f"{MAX_SEARCH_IDS:,}",
            len(slices),
            datetype,
            "; ".join(f"{s.mindate}–{s.maxdate} ({s.count:,})" for s in slices),
        )
        if plan.shortfall:
            logger.warning(
                "ESearch %r: the date windows hold %s of its %s records",
                term,
                f"{len(plan.ids):,}",
                f"{whole.count:,}",
            )
        return plan

    def fetch_batch(self, pmids: Sequence[int], *, number: int = 1, total: int = 1) -> Batch:
        """EFetch one batch; PMIDs that do not come back are asked for once more, then
        reported as missing (deleted, never issued, or not a PubMed record)."""
        if not 1 <= len(pmids) <= MAX_BATCH_SIZE:
            raise ValueError(f"an EFetch batch holds 1 to {MAX_BATCH_SIZE} PMIDs")
        label = batch_label(number, total, pmids)
        body, found = self._efetch_ids(pmids, label)
        documents = [body]
        missing = [pmid for pmid in pmids if pmid not in found]
        if missing:
            logger.info("%s: %d PMIDs did not come back, asking once more", label, len(missing))
            try:
                again, found_again = self._efetch_ids(
                    missing, f"{label}, second request for {len(missing)} missing PMIDs"
                )
            except EutilsError as exc:
                # The second chance is a courtesy; the batch itself arrived.
                logger.warning("%s", exc)
            else:
                if found_again:
                    documents.append(again)
                missing = [pmid for pmid in missing if pmid not in found_again]
        return Batch(number, total, tuple(pmids), tuple(documents), tuple(missing))

    def iter_batches(
        self,
        pmids: Sequence[int],
        *,
        batch_size: int = DEFAULT_BATCH_SIZE,
        start: int = 0,
        ahead: int | None = None,
    ) -> Iterator[Batch]:
        """Fetch ``pmids`` in batches, yielding them in order from batch ``start`` (0-based)
        on, with up to ``ahead`` batches downloading in threads meanwhile (default: as many
        as the rate limit allows per second, which keeps the limiter, not latency, the
        bottleneck). Raises ``EutilsError`` for the first batch that fails for good."""
        if not 1 <= batch_size <= MAX_BATCH_SIZE:
            raise ValueError(f"batch_size must be 1 to {MAX_BATCH_SIZE}")
        chunks = [pmids[i : i + batch_size] for i in range(0, len(pmids), batch_size)]
        total = len(chunks)
        ahead = ahead or self.limiter.max_requests
        pool = ThreadPoolExecutor(ahead, thread_name_prefix="efetch")
        in_flight: deque[Future[Batch]] = deque()
        following = start
        try:
            while following < total or in_flight:
                while following < total and len(in_flight) < ahead:
                    in_flight.append(
                        pool.submit(
                            self.fetch_batch, chunks[following], number=following + 1, total=total
                        )
                    )
                    following += 1
                yield in_flight.popleft().result()
        finally:
            pool.shutdown(wait=False, cancel_futures=True)

    # Requests ---------------------------------------------------------------------------------

    def _efetch_ids(self, pmids: Sequence[int], what: str) -> tuple[bytes, set[int]]:
        params: dict[str, str | int] = {
            "db": "pubmed",
            "retmode": "xml",
            "id": ",".join(map(str, pmids)),
        }
        return self._call("efetch.fcgi", params, what, _checked_efetch)

    def _session(self) -> requests.Session:
        session = getattr(self._local, "session", None)
        if session is None:
            session = requests.Session()
            session.headers["User-Agent"] = f"{self.tool} (requests; {self.email or 'no email'})"
            self._local.session = session
            with self._sessions_lock:
                self._sessions.append(session)
        return session

    def _identity(self) -> dict[str, str]:
        identity = {"tool": self.tool, "email": self.email}
        if self.api_key:
            identity["api_key"] = self.api_key
        return {name: value for name, value in identity.items() if value}

    def _call(
        self,
        endpoint: str,
        params: dict[str, str | int],
        what: str,
        check: Callable[[bytes], T],
    ) -> T:
        """POST (long queries and id lists do not fit in a URL) with retries."""
        url = self.base_url + endpoint
        data = {**params, **self._identity()}
        reason = ""
        for attempt in range(1, self.max_attempts + 1):
            self.limiter.acquire()
            retry_after = 0.0
            try:
                response = self._session().post(url, data=data, timeout=self.timeout)
            except requests.Timeout:
                reason = f"no answer within {self.timeout:g} s"
            except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError) as exc:
                reason = f"the connection failed or was cut ({type(exc).__name__})"
            except requests.exceptions.ContentDecodingError:
                reason = "the response body could not be decompressed (cut short?)"
            except requests.RequestException as exc:
                raise EutilsError(what, f"cannot send the request: {exc}") from exc
            else:
                status = response.status_code
                if status == 200:
                    try:
                        return check(response.content)
                    except BadResponse as exc:
                        reason = str(exc)
                elif status in _RETRY_STATUS:
                    reason = f"HTTP {status} {response.reason}: {_excerpt(response.content)}"
                    retry_after = retry_after_seconds(
                        response.headers.get("Retry-After"), self.max_backoff
                    )
                else:
                    raise EutilsError(
                        what, f"HTTP {status} {response.reason}: {_excerpt(response.content)}"
                    )
            if attempt < self.max_attempts:
                delay = max(retry_after, self._backoff(attempt))
                logger.info(
                    "%s: attempt %d of %d failed (%s); retrying in %.2f s",
                    what,
                    attempt,
                    self.max_attempts,
                    reason,
                    delay,
                )
                time.sleep(delay)
        raise EutilsError(what, reason, self.max_attempts)

    def _backoff(self, attempt: int) -> float:
        """Exponential, capped, with jitter so that threads that failed together do not
        all come back in the same instant."""
        ceiling = min(self.max_backoff, self.backoff * 2 ** (attempt - 1))
        return ceiling * random.uniform(0.5, 1.0)


def latest_date() -> dt.date:
    """The end of the default window: the end of next year, for issues dated ahead."""
    return dt.date(dt.date.today().year + 1, 12, 31)


# Reading responses ----------------------------------------------------------------------------


def _xml(body: bytes, root_tag: str) -> etree._Element:
    if not body.strip():
        raise BadResponse("the response body is empty")
    try:
        root = etree.fromstring(body, _SAFE_XML)
    except etree.XMLSyntaxError as exc:
        if body.lstrip()[:1] == b"<" and b"<html" in body[:1024].lower():
            raise BadResponse(f"an HTML page instead of XML: {_excerpt(body)}") from None
        raise BadResponse(f"the XML is cut short or malformed ({exc.msg})") from None
    # NCBI puts <ERROR> at the top: as the root, or as a child of the result element.
    errors = [_text(e) for e in ([root] if root.tag == "ERROR" else root.findall("ERROR"))]
    if errors:
        raise BadResponse("NCBI reported an error: " + "; ".join(errors))
    if root.tag != root_tag:
        raise BadResponse(f"expected <{root_tag}>, got <{root.tag}>: {_excerpt(body)}")
    return root


def _search_result(body: bytes) -> SearchResult:
    root = _xml(body, "eSearchResult")
    count = (root.findtext("Count") or "").strip()
    if not count.isdigit():
        raise BadResponse("the ESearch response has no <Count>")
    return SearchResult(
        count=int(count),
        ids=tuple(int(t) for t in root.xpath("IdList/Id/text()") if t.strip().isdigit()),
        webenv=_text(root.find("WebEnv")),
        query_key=_text(root.find("QueryKey")),
        translation=_text(root.find("QueryTranslation")),
        warnings=tuple(f"{e.tag}: {_text(e)}" for e in root.xpath("ErrorList/* | WarningList/*")),
    )


def _post_result(body: bytes) -> History:
    root = _xml(body, "ePostResult")
    history = History(_text(root.find("WebEnv")), _text(root.find("QueryKey")))
    if not (history.webenv and history.query_key):
        raise BadResponse("the EPost response has no WebEnv or QueryKey")
    return history


def _checked_efetch(body: bytes) -> tuple[bytes, set[int]]:
    """The body, if it is a complete PubmedArticleSet, and the PMIDs of its records.

    A byte scan rather than a parse: the download threads check every batch, and parsing a
    megabyte with lxml holds the GIL for tens of milliseconds that the thread storing the
    previous batch needs. A body that does not end as a PubmedArticleSet ends is parsed to
    say exactly what is wrong (an NCBI <ERROR>, an HTML page, XML cut short).
    """
    if b"<PubmedArticleSet" not in body[:4096] or not body.rstrip().endswith(
        b"</PubmedArticleSet>"
    ):
        _xml(body, "PubmedArticleSet")
        raise BadResponse("the XML does not end with </PubmedArticleSet>: it is cut short")
    opened = body.count(b"<PubmedArticle>") + body.count(b"<PubmedBookArticle>")
    closed = body.count(b"</PubmedArticle>") + body.count(b"</PubmedBookArticle>")
    if opened != closed:
        raise BadResponse(f"{opened} records open but {closed} close: the body is damaged")
    return body, {int(pmid) for pmid in _RECORD_PMID.findall(body)}


def _text(element: etree._Element | None) -> str:
    if element is None:
        return ""
    return " ".join("".join(element.itertext()).split())


def _excerpt(body: bytes, limit: int = 200) -> str:
    text = body[: limit * 8].decode("utf-8", "replace")
    if "<html" in text[:512].lower():
        text = re.sub(r"<[^>]*>", " ", text)  # an error page: its words, not its markup
    text = " ".join(text.split())
    return text[:limit] + ("…" if len(text) > limit else "") if text else "(empty body)"


def retry_after_seconds(header: str | None, cap: float) -> float:
    """The wait a Retry-After header asks for, at most ``cap``; 0 (the backoff decides) for
    anything but what RFC 9110 allows there: whole seconds, or an HTTP date. float() would
    take "nan", "inf" and "-5", and time.sleep(nan) raises."""
    text = (header or "").strip()
    if text.isascii() and text.isdigit():
        return min(float(text[:12]), cap)
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return 0.0
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return min(max((when - dt.datetime.now(dt.UTC)).total_seconds(), 0.0), cap)


def _unique(ids: Sequence[int]) -> tuple[int, ...]:
    # A record with both a print and an electronic date can fall in two windows.
    return tuple(dict.fromkeys(ids))
