"""Ingest from NCBI E-utilities, recorded as an ``IngestRun`` so that it can be resumed.

A run has two steps. ``plan`` fixes the list of PMIDs to fetch: the query's PMIDs (split by
date when there are more than ESearch lists at once) or the PMIDs given, less those already
stored unless the run refreshes them. ``fetch`` then downloads that list in EFetch batches,
several batches ahead in threads, parses them in parser processes and stores each batch
through ``articles.ingest.files``, in order; each batch commits together with the run's new
position, so a resumed run starts at the first batch not stored and never fetches a stored
one again. Every PMID asked for is accounted for: stored, reported by PMID, or, when NCBI sent
it in a response that breaks before its record, named and fetched again on resume.
"""

from __future__ import annotations

import datetime as dt
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from articles.curation import actions as curation
from articles.ingest import files as ingest
from articles.models import Article, IngestRun
from articles.pubmed import records as r
from articles.pubmed.client import (
    DEFAULT_BATCH_SIZE,
    Batch,
    EutilsClient,
    EutilsError,
    parse_date,
)

ProgressCallback = Callable[[int], None]
Parsed = Future | list  # a batch's records mapped in a parser process (a future), or here
COUNTERS = ("created", "updated", "unchanged", "failed", "blocked")
MISSING_REASON = "not returned by EFetch, even when asked again (deleted, or not a PubMed PMID)"
UNREAD_REASON = (
    "sent by EFetch but not stored, as the response breaks before its record; "
    "--resume fetches it again"
)


class RunStopped(Exception):
    """A run that cannot go on: a batch failed for good, or the search did."""

    def __init__(self, run: IngestRun, cause: Exception) -> None:
        self.run = run
        self.cause = cause
        super().__init__(str(self))

    def __str__(self) -> str:
        if self.run.to_fetch is None:
            return f"run {self.run.pk} stopped before fetching anything: {self.cause}"
        return (
            f"run {self.run.pk} stopped: {self.cause}; "
            f"{self.run.position:,} of {self.run.to_fetch:,} PMIDs done"
        )


def start_query_run(
    query: str,
    *,
    mindate: dt.date | None = None,
    maxdate: dt.date | None = None,
    datetype: str = "pdat",
    refresh: bool = False,
    batch_size: int = DEFAULT_BATCH_SIZE,
) -> IngestRun:
    parameters: dict[str, Any] = {
        "datetype": datetype,
        "refresh": refresh,
        "batch_size": batch_size,
    }
    if mindate:
        parameters["mindate"] = mindate.strftime("%Y/%m/%d")
    if maxdate:
        parameters["maxdate"] = maxdate.strftime("%Y/%m/%d")
    return IngestRun.objects.create(
        source=IngestRun.Source.QUERY, query=query, parameters=parameters
    )


def start_pmid_run(
    pmids: Sequence[int], *, refresh: bool = False, batch_size: int = DEFAULT_BATCH_SIZE
) -> IngestRun:
    return IngestRun.objects.create(
        source=IngestRun.Source.PMIDS,
        requested_pmids=list(dict.fromkeys(pmids)),
        parameters={"refresh": refresh, "batch_size": batch_size},
    )


def plan(run: IngestRun, client: EutilsClient, stats: ingest.IngestStats) -> None:
    """Fix the run's fetch list, once; a resumed run keeps the list it had."""
    if run.to_fetch is not None:
        return
    parameters = run.parameters
    if run.source == IngestRun.Source.QUERY:
        mindate, maxdate = parameters.get("mindate"), parameters.get("maxdate")
        try:
            search = client.search(
                run.query,
                mindate=parse_date(mindate) if mindate else None,
                maxdate=parse_date(maxdate) if maxdate else None,
                datetype=parameters.get("datetype", "pdat"),
            )
        except EutilsError as exc:
            _fail(run, None, str(exc))
            raise RunStopped(run, exc) from exc
        run.matched = search.count
        run.plan = [
            {"mindate": s.mindate, "maxdate": s.maxdate, "count": s.count} for s in search.slices
        ]
        candidates: Sequence[int] = search.ids
        if search.shortfall:
            reason = (
                f"ESearch counts {search.count:,} records for the query but listed "
                f"{len(search.ids):,}: {search.shortfall:,} could not be listed (no "
                f"{search.datetype} date in the windows searched, or the result changed "
                "during the search)"
            )
            run.failed += search.shortfall
            run.failures.append({"pmid": None, "batch": None, "reason": reason})
            stats.failed += search.shortfall
            stats.problems.append(f"{run.query!r}: {reason}")
    else:
        candidates = run.requested_pmids
    if blocked := curation.blocked_among(list(candidates)):
        candidates = [pmid for pmid in candidates if pmid not in blocked]
        stats.blocked += len(blocked)
        run.blocked = len(blocked)
    pmids = list(candidates) if parameters.get("refresh") else _not_stored(candidates)
    run.pmids = pmids
    run.to_fetch = len(pmids)
    run.skipped = len(candidates) - len(pmids)
    stats.skipped += run.skipped
    run.save()


def fetch(
    run: IngestRun,
    client: EutilsClient,
    stats: ingest.IngestStats,
    *,
    workers: int = 0,
    progress: ProgressCallback | None = None,
) -> None:
    """Fetch and store the rest of the run's list; raise ``RunStopped`` if a batch fails, or
    if PMIDs that NCBI sent could not be stored (a response that breaks partway).

    Such PMIDs are named in the run's failures, marked to fetch again: a resumed run fetches
    them first. With ``workers`` > 0, batches are parsed in that many processes while this
    one writes the batch before; batches are written, and the position advances, in order.
    """
    batch_size = run.parameters.get("batch_size", DEFAULT_BATCH_SIZE)
    writer = ingest.Writer()
    if run.status != IngestRun.Status.RUNNING:
        run.status = IngestRun.Status.RUNNING
        run.finished_at = None
        run.save(update_fields=["status", "finished_at"])
    pool = _parser_pool(workers)
    failure: EutilsError | None = None
    batch_number: int | None = None
    pipeline = Pipeline(run, pool, workers, writer, stats, progress)
    try:
        if again := _to_fetch_again(run):
            failure = pipeline.drain(client.iter_batches(again, batch_size=batch_size), again=True)
        if failure is None and run.position < len(run.pmids):
            start = run.position // batch_size
            failure = pipeline.drain(
                client.iter_batches(run.pmids, batch_size=batch_size, start=start)
            )
            batch_number = _batch_number(run, batch_size)
    except KeyboardInterrupt:
        run.status = IngestRun.Status.INTERRUPTED
        run.finished_at = timezone.now()
        run.save(update_fields=["status", "finished_at"])
        raise
    except Exception as exc:
        # Whatever it was, the run is not running any more, and can be resumed.
        _fail(run, None, f"stopped by an unexpected error: {exc!r}")
        raise
    finally:
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)
    if failure is not None:
        _fail(run, batch_number, str(failure))
        raise RunStopped(run, failure) from failure
    if unread := _to_fetch_again(run):
        cause = UnreadRecords(
            f"{len(unread):,} PMIDs came in EFetch responses that could not be read (named above)"
        )
        run.status = IngestRun.Status.FAILED
        run.finished_at = timezone.now()
        run.save(update_fields=["status", "finished_at"])
        raise RunStopped(run, cause)
    run.status = IngestRun.Status.COMPLETED
    run.finished_at = timezone.now()
    run.save(update_fields=["status", "finished_at"])


class UnreadRecords(Exception):
    """PMIDs NCBI sent in a response the parser could not read to the end."""


@dataclass
class Pipeline:
    """Fetches batches, parses them (in ``pool`` if there is one) and stores them in order,
    with up to ``workers`` batches parsing while the one before is stored."""

    run: IngestRun
    pool: ProcessPoolExecutor | None
    workers: int
    writer: ingest.Writer
    stats: ingest.IngestStats
    progress: ProgressCallback | None

    def drain(self, batches: Iterable[Batch], *, again: bool = False) -> EutilsError | None:
        """Store every batch; the error that stopped the batches, if one did, once the
        batches fetched before it are stored."""
        pending: deque[tuple[Batch, list[Parsed]]] = deque()
        failure = None
        try:
            for batch in batches:
                name = _source_name(self.run, batch, again)
                pending.append((batch, [_parse(self.pool, doc, name) for doc in batch.documents]))
                while len(pending) > self.workers:
                    self._store(*pending.popleft(), again)
        except EutilsError as exc:
            failure = exc
        while pending:
            self._store(*pending.popleft(), again)
        return failure

    def _store(self, batch: Batch, parsed: list[Parsed], again: bool) -> None:
        _store(self.run, batch, parsed, self.writer, self.stats, self.progress, again=again)


def _source_name(run: IngestRun, batch: Batch, again: bool) -> str:
    if again:
        return f"EFetch run {run.pk} batch {batch.number} of PMIDs fetched again"
    return f"EFetch run {run.pk} batch {batch.number}"


def _to_fetch_again(run: IngestRun) -> list[int]:
    return list(dict.fromkeys(f["pmid"] for f in run.failures if f.get("fetch_again")))


def _parser_pool(workers: int) -> ProcessPoolExecutor | None:
    return ingest.parser_pool(workers) if workers >= 1 else None


def _parse(pool: ProcessPoolExecutor | None, document: bytes, name: str) -> Parsed:
    if pool is None:
        return ingest.map_xml(document, name)
    return pool.submit(ingest.map_xml, document, name)


def _store(
    run: IngestRun,
    batch: Batch,
    parsed: list[Parsed],
    writer: ingest.Writer,
    stats: ingest.IngestStats,
    progress: ProgressCallback | None,
    *,
    again: bool = False,
) -> None:
    """Store a batch and account for every PMID it asked for, in one transaction with the
    run's counters and position (``again``: PMIDs fetched again, the position stays)."""
    delta = ingest.IngestStats()
    name = _source_name(run, batch, again)
    mapped = [p.result() if isinstance(p, Future) else p for p in parsed]
    unread, breaks = _unread(batch, mapped)
    unread_reason = ""
    if unread:
        # The break is said once per PMID it cost, rather than counted as one more failure.
        mapped = [[item for item in items if item not in breaks] for items in mapped]
        where = "; ".join(str(b) for b in breaks) or f"{name}: no record for it"
        unread_reason = f"{UNREAD_REASON} ({where})"
    try:
        with transaction.atomic():
            if again:
                earlier = [
                    f for f in run.failures if f.get("fetch_again") and f["pmid"] in batch.pmids
                ]
                run.failures = [f for f in run.failures if f not in earlier]
                run.failed -= len(earlier)
            for items in mapped:
                ingest.store_mapped(
                    items, writer=writer, source=name, stats=delta, progress=progress
                )
            number = None if again else batch.number
            failures = [{"pmid": None, "batch": number, "reason": p} for p in delta.problems]
            for pmid in batch.missing:
                failures.append({"pmid": pmid, "batch": number, "reason": MISSING_REASON})
                delta.problems.append(f"PMID {pmid}: {MISSING_REASON}")
            for pmid in unread:
                failures.append(
                    {"pmid": pmid, "batch": number, "reason": unread_reason, "fetch_again": True}
                )
                delta.problems.append(f"PMID {pmid}: {unread_reason}")
            delta.failed += len(batch.missing) + len(unread)
            if not again:
                run.position += len(batch.pmids)
            for counter in COUNTERS:
                setattr(run, counter, getattr(run, counter) + getattr(delta, counter))
            run.failures.extend(failures)
            # Not the PMID list, which can hold tens of thousands of numbers and never changes.
            run.save(update_fields=[*COUNTERS, "position", "failures"])
    except BaseException:
        # Nothing of the batch is stored: the run's fields go back to what is.
        run.refresh_from_db(fields=[*COUNTERS, "position", "failures"])
        raise
    stats.add(delta)
    if progress and (batch.missing or unread):
        progress(len(batch.missing) + len(unread))


def _unread(
    batch: Batch, mapped: list[list[ingest.Mapped]]
) -> tuple[list[int], list[r.RecordProblem]]:
    """PMIDs the batch asked for and NCBI sent that no record read accounts for, stored or
    reported, and the problems without a PMID that say where the responses break."""
    accounted = set(batch.missing)
    breaks = []
    for items in mapped:
        for item in items:
            if isinstance(item, ingest.Segment):
                accounted.update(pmid for pmid, *_rest in item.articles)
            elif isinstance(item, r.RecordProblem):
                if item.pmid is None:
                    breaks.append(item)
                else:
                    accounted.add(item.pmid)
    return [pmid for pmid in batch.pmids if pmid not in accounted], breaks


def _fail(run: IngestRun, batch: int | None, reason: str) -> None:
    run.status = IngestRun.Status.FAILED
    run.finished_at = timezone.now()
    run.failures.append({"pmid": None, "batch": batch, "reason": reason})
    run.save(update_fields=["status", "finished_at", "failures"])


def _batch_number(run: IngestRun, batch_size: int) -> int:
    return run.position // batch_size + 1


def _not_stored(pmids: Iterable[int]) -> list[int]:
    pmids = list(pmids)
    stored: set[int] = set()
    for start in range(0, len(pmids), 500):
        chunk = pmids[start : start + 500]
        stored.update(Article.objects.filter(pmid__in=chunk).values_list("pmid", flat=True))
    return [pmid for pmid in pmids if pmid not in stored]
