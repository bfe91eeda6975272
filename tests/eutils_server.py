"""A fake NCBI E-utilities server: a real HTTP server on 127.0.0.1, in a thread.

It answers ESearch, EPost and EFetch (db=pubmed) from real NCBI responses in
``tests/fixtures/eutils/`` and real EFetch records (``hawc_259_records.xml.gz``...), behaves
like PubMed where it matters (the 9,999-record ESearch cap, PMIDs it does not have are left
out of an EFetch answer), records when each request arrived, and misbehaves on request:

    with FakeEutils() as server:
        server.add_records(FIXTURES / "hawc_259_records.xml.gz")
        server.add_search(QUERY_259, EUTILS / "esearch_pubmed_complex_query_259ids.xml")
        server.misbehave("efetch", "429", "truncated")   # the next two EFetch requests
        ...server.url...

Faults: "429" (NCBI's JSON rate-limit body), "500" (an HTML error page), "truncated" (a
200 whose XML stops mid-record), "cut" (the connection closes before Content-Length bytes),
"error" (an <ERROR> inside a 200), "slow" (answers after ``slow_seconds``), and two 200s
that pass the client's byte check but not the parser: "stray" (text after the first
record) and "entity" (an internal DTD subset declaring an entity).
"""

from __future__ import annotations

import datetime as dt
import gzip
import itertools
import json
import re
import threading
import time
from collections import defaultdict, deque
from collections.abc import Iterable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit
from xml.sax.saxutils import escape

FIXTURES = Path(__file__).parent / "fixtures"
EUTILS = FIXTURES / "eutils"
CAP = 9_999

# NCBI's answer to a fourth request in one second without a key (biocommons/bioutils#16).
RATE_LIMIT_BODY = (
    b'{"error":"API rate limit exceeded","api-key":"127.0.0.1","count":"4","limit":"3"}\n'
)
SERVER_ERROR_PAGE = b"""<!DOCTYPE html>
<html><head><title>500 Internal Server Error</title></head>
<body><h1>Internal Server Error</h1>
<p>The server encountered an internal error and was unable to complete your request.</p>
</body></html>
"""
# No real EFetch error body was found (SOURCES.md section 7); this follows the ESearch and
# EPost ones: the result element, holding <ERROR>.
EFETCH_ERROR = b"""<?xml version="1.0" encoding="UTF-8" ?>
<!DOCTYPE eFetchResult PUBLIC "-//NLM//DTD efetch 20131226//EN" "https://eutils.ncbi.nlm.nih.gov/eutils/dtd/20131226/efetch.dtd">
<eFetchResult>
\t<ERROR>Unable to obtain query #1</ERROR>
</eFetchResult>
"""
# NCBI's words when ESearch is asked past its cap (reported in several public trackers).
RETSTART_ERROR = (
    "Search Backend failed: Exception:\n'retstart' cannot be larger than 9998. For PubMed, "
    "ESearch can only retrieve the first 9,999 records matching the query. To obtain more "
    "than 9,999 PubMed records, consider using EDirect that contains additional logic to "
    "batch PubMed search results automatically so that an arbitrary number can be retrieved. "
    "For details see https://www.ncbi.nlm.nih.gov/books/NBK25499/"
)
RECORD_START = re.compile(rb"<(PubmedArticle|PubmedBookArticle)>")
FIRST_PMID = re.compile(rb"<PMID[^>]*>(\d+)</PMID>")


@dataclass(frozen=True)
class Logged:
    """One request as the server saw it."""

    at: float  # time.monotonic() when the request arrived
    endpoint: str  # "esearch", "efetch", "epost"
    params: dict[str, str]
    fault: str = ""
    method: str = "POST"

    @property
    def ids(self) -> list[int]:
        return [int(i) for i in self.params.get("id", "").split(",") if i]


def max_in_window(times: list[float], window: float = 1.0) -> int:
    """The most request arrivals in any ``window`` seconds."""
    times = sorted(times)
    most = 0
    first = 0
    for last, at in enumerate(times):
        while at - times[first] >= window:
            first += 1
        most = max(most, last - first + 1)
    return most


class FakeEutils:
    def __init__(self, *, efetch_delay: float = 0.0, slow_seconds: float = 1.0) -> None:
        self.efetch_delay = efetch_delay  # seconds per 200 records, as NCBI takes its time
        self.slow_seconds = slow_seconds
        self.retry_after: str | None = None  # a Retry-After header for "429" and "500"
        self.log: list[Logged] = []
        self._records: dict[int, bytes] = {}
        self._order: dict[int, int] = {}  # PMID -> position in the files served
        self._head = b""
        self._tail = b"</PubmedArticleSet>"
        self._searches: dict[str, bytes] = {}
        self._dated: dict[str, dict[int, dt.date]] = {}
        self._histories: dict[str, list[int]] = {}
        self._faults: dict[str, deque[str]] = defaultdict(deque)
        self._pmid_faults: dict[int, deque[str]] = defaultdict(deque)
        self._drop_once: set[int] = set()
        self._lock = threading.Lock()
        self._webenvs = itertools.count(1)
        self._search_head = _search_head()
        self._httpd: ThreadingHTTPServer | None = None

    # Set-up -----------------------------------------------------------------------------------

    def add_records(self, path: Path, limit: int | None = None) -> list[int]:
        """Serve the records of a real EFetch response (or any PubmedArticleSet file), or
        its first ``limit`` records."""
        data = path.read_bytes()
        if data[:2] == b"\x1f\x8b":
            data = gzip.decompress(data)
        found = RECORD_START.finditer(data)
        starts = [m.start() for m in itertools.islice(found, None if limit is None else limit + 1)]
        end = data.rindex(b"</PubmedArticleSet>")
        if limit is not None and len(starts) > limit:
            end = starts.pop()  # the first record not served
        if not self._head:
            self._head = data[: starts[0]]
        pmids = []
        for start, following in zip(starts, [*starts[1:], end], strict=True):
            record = data[start:following]  # with the newline after it, if the file has one
            pmid = int(FIRST_PMID.search(record).group(1))
            self._records[pmid] = record
            self._order.setdefault(pmid, len(self._order))
            pmids.append(pmid)
        return pmids

    def add_search(self, term: str, path: Path) -> None:
        """Answer ESearch for ``term`` with a real response, byte for byte."""
        self._searches[term] = path.read_bytes()

    def add_dated_search(self, term: str, dates: dict[int, dt.date]) -> None:
        """A query the server answers itself: PMIDs and each one's (publication) date."""
        self._dated[term] = dates

    def misbehave(self, endpoint: str, *faults: str) -> None:
        """The next requests to ``endpoint`` get these faults, one each, in order."""
        with self._lock:
            self._faults[endpoint].extend(faults)

    def misbehave_for(self, pmid: int, *faults: str) -> None:
        """The next EFetch requests that ask for ``pmid`` get these faults, in order."""
        with self._lock:
            self._pmid_faults[pmid].extend(faults)

    def drop_once(self, *pmids: int) -> None:
        """Leave these PMIDs out of the next EFetch answer that would hold them."""
        with self._lock:
            self._drop_once.update(pmids)

    def requests(self, endpoint: str | None = None) -> list[Logged]:
        with self._lock:
            return [r for r in self.log if endpoint is None or r.endpoint == endpoint]

    def fetched_ids(self) -> list[int]:
        return [i for r in self.requests("efetch") for i in r.ids]

    # Running ----------------------------------------------------------------------------------

    @property
    def url(self) -> str:
        assert self._httpd is not None, "the server is not started"
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}/entrez/eutils/"

    def start(self) -> FakeEutils:
        handler = type("Handler", (_Handler,), {"fake": self})
        self._httpd = _Server(("127.0.0.1", 0), handler)
        self._httpd.daemon_threads = True
        threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        ).start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def __enter__(self) -> FakeEutils:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # Answers ----------------------------------------------------------------------------------

    def answer(
        self, endpoint: str, params: dict[str, str], method: str = "POST"
    ) -> tuple[int, str, bytes, str]:
        """(status, content type, body, fault) for one request."""
        arrived = time.monotonic()
        with self._lock:
            queue = self._faults[endpoint]
            if endpoint == "efetch" and not queue:
                asked = {int(i) for i in params.get("id", "").split(",") if i.isdigit()}
                queue = next(
                    (
                        self._pmid_faults[p]
                        for p in asked & self._pmid_faults.keys()
                        if self._pmid_faults[p]
                    ),
                    queue,
                )
            fault = queue.popleft() if queue else ""
            self.log.append(Logged(arrived, endpoint, params, fault, method))
        if fault == "429":
            return 429, "application/json", RATE_LIMIT_BODY, fault
        if fault == "500":
            return 500, "text/html", SERVER_ERROR_PAGE, fault
        if fault == "error":
            body = {
                "esearch": (EUTILS / "esearch_invalid_db_error.xml").read_bytes(),
                "epost": (EUTILS / "epost_invalid_id_error.xml").read_bytes(),
            }.get(endpoint, EFETCH_ERROR)
            return 200, "text/xml", body, fault
        if fault == "slow":
            time.sleep(self.slow_seconds)
        handler = {"esearch": self._esearch, "epost": self._epost, "efetch": self._efetch}
        if endpoint not in handler:
            return 404, "text/plain", b"unknown E-utility", fault
        body = handler[endpoint](params)
        if fault == "truncated":
            body = body[: len(body) // 2]
        elif fault == "stray":
            after_first = body.index(b"</PubmedArticle>") + len(b"</PubmedArticle>")
            body = body[:after_first] + b"\nstray text" + body[after_first:]
        elif fault == "entity":
            body = body.replace(b'.dtd">', b'.dtd" [<!ENTITY casebook "stray">]>', 1)
        return 200, "text/xml", body, fault

    def _esearch(self, params: dict[str, str]) -> bytes:
        term = params.get("term", "")
        if term in self._searches:
            return self._searches[term]
        retstart = int(params.get("retstart", 0))
        retmax = int(params.get("retmax", 20))
        if retstart > CAP - 1:
            return (
                self._search_head
                + (
                    f"<eSearchResult><ERROR>{escape(RETSTART_ERROR)}</ERROR></eSearchResult>\n"
                ).encode()
            )
        dates = self._dated.get(term, {})
        if "mindate" in params:
            first = _date(params["mindate"])
            last = _date(params["maxdate"])
            dates = {pmid: date for pmid, date in dates.items() if first <= date <= last}
        # PubMed lists the newest first.
        ids = sorted(dates, key=lambda pmid: (dates[pmid], pmid), reverse=True)
        warning = ""
        if retstart + retmax > CAP:
            retmax = CAP - retstart
            warning = (
                "<WarningList><OutputMessage>Restrictions achieved. start and count adjusted "
                f"to {retstart}, {retmax}</OutputMessage></WarningList>"
            )
        shown = ids[retstart : retstart + retmax]
        history = ""
        if params.get("usehistory") == "y":
            webenv = self._remember(ids)
            history = f"<QueryKey>1</QueryKey><WebEnv>{webenv}</WebEnv>"
        if not ids:
            warning = "<WarningList><OutputMessage>No items found.</OutputMessage></WarningList>"
        id_list = "".join(f"<Id>{pmid}</Id>\n" for pmid in shown)
        return (
            self._search_head
            + (
                f"<eSearchResult><Count>{len(ids)}</Count><RetMax>{len(shown)}</RetMax>"
                f"<RetStart>{retstart}</RetStart>{history}<IdList>\n{id_list}</IdList>"
                f"<TranslationSet/><QueryTranslation>{escape(term)}</QueryTranslation>{warning}"
                "</eSearchResult>\n"
            ).encode()
        )

    def _epost(self, params: dict[str, str]) -> bytes:
        ids = [int(i) for i in params.get("id", "").split(",") if i.strip().isdigit()]
        template = (EUTILS / "epost_pubmed_webenv.xml").read_bytes()
        webenv = self._remember(ids)
        return re.sub(rb"MCID_[0-9a-f]+", webenv.encode(), template)

    def _efetch(self, params: dict[str, str]) -> bytes:
        if "WebEnv" in params:
            retstart = int(params.get("retstart", 0))
            retmax = int(params.get("retmax", 20))
            if retstart > CAP - 1:
                return EFETCH_ERROR
            ids = self._histories.get(params["WebEnv"], [])[retstart : retstart + retmax]
        else:
            ids = [int(i) for i in params.get("id", "").split(",") if i.strip().isdigit()]
        wanted = set(ids)
        with self._lock:
            dropped = self._drop_once & wanted
            self._drop_once -= dropped
        if self.efetch_delay:
            time.sleep(self.efetch_delay * len(wanted) / 200)
        return self.document(wanted - dropped)

    def document(self, pmids: Iterable[int]) -> bytes:
        """A PubmedArticleSet of the records served for these PMIDs, in the source's order."""
        order = self._order
        served = sorted((p for p in set(pmids) if p in order), key=order.__getitem__)
        return self._head + b"".join(self._records[pmid] for pmid in served) + self._tail

    def _remember(self, ids: list[int]) -> str:
        webenv = f"MCID_{next(self._webenvs):024x}"
        self._histories[webenv] = ids
        return webenv


class _Server(ThreadingHTTPServer):
    # The default backlog of 5 drops the SYNs of ten download threads connecting at once, and
    # the kernel retries them a second later: a burst that was never sent as one.
    request_queue_size = 64


class _Handler(BaseHTTPRequestHandler):
    fake: FakeEutils
    protocol_version = "HTTP/1.1"  # keep-alive, as NCBI and requests' sessions use it

    def do_GET(self) -> None:
        self._respond(urlsplit(self.path).query)

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", 0))
        self._respond(self.rfile.read(length).decode("utf-8"))

    def _respond(self, query: str) -> None:
        params = {name: values[-1] for name, values in parse_qs(query).items()}
        endpoint = urlsplit(self.path).path.rsplit("/", 1)[-1].removesuffix(".fcgi")
        if endpoint == "_log":  # for a benchmark running the server in another process
            body = json.dumps([[r.endpoint, r.at] for r in self.fake.requests()]).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        status, content_type, body, fault = self.fake.answer(endpoint, params, self.command)
        try:
            self.send_response(status)
            self.send_header("Content-Type", f"{content_type}; charset=UTF-8")
            self.send_header("Content-Length", str(len(body)))
            if fault in ("429", "500") and self.fake.retry_after is not None:
                self.send_header("Retry-After", self.fake.retry_after)
            if fault == "cut":
                self.send_header("Connection", "close")
                self.end_headers()
                self.wfile.write(body[: len(body) // 2])
                self.close_connection = True
                return
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            # The client gave up waiting ("slow"): nothing to answer.
            self.close_connection = True

    def log_message(self, format: str, *args: object) -> None:
        pass  # the log is self.fake.log


def _search_head() -> bytes:
    """The XML declaration and DOCTYPE of a real ESearch response."""
    real = (EUTILS / "esearch_pubmed_cancer_usehistory_webenv.xml").read_bytes()
    return real[: real.index(b"<eSearchResult>")]


def _date(text: str) -> dt.date:
    parts = [int(p) for p in text.split("/")]
    return dt.date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)
