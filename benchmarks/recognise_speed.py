"""CPU time of the text recogniser on real records, and a dump of everything it returns.

    python benchmarks/recognise_speed.py [--records N] [--dump OUT] [--compare OLD]
        [--cache DIR] [--baseline DIR]

Reads the first N records (default 5,000) of NLM's baseline file pubmed20n0014 and the first
N/2 of pubmed21n1298 from ../shared, builds each record's title, abstract and author keywords
as ingest does (``articles.ingest.files.add_derived_rows``: section texts joined by a newline), and
runs ``articles.text.recognise.recognise`` over all of them three times. Prints the CPU time per
record of the fastest run (``time.process_time``: this machine's neighbours make wall-clock
times vary by a third).

--dump writes every field of every concept returned, evidence spans included, one record a
line; --compare reads such a file and names the first records whose output differs, so that
a change meant only to make the recogniser faster can be shown to change nothing.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from articles.pubmed import records as r  # noqa: E402
from articles.pubmed.parser import parse  # noqa: E402
from articles.text.recognise import recognise  # noqa: E402
from articles.text.recognise.vocabulary import Vocabulary  # noqa: E402

BASELINE = ROOT.parent / "shared" / "data" / "pubmed" / "baseline"
FILES = ("pubmed20n0014.xml.gz", "pubmed21n1298.xml.gz")
DEFAULT_CACHE = Path.home() / ".cache" / "casebook"
RUNS = 3

Inputs = tuple[int, str, str, list[str]]


def inputs(path: Path, limit: int) -> list[Inputs]:
    """(pmid, title, abstract, keywords) of the first ``limit`` articles of ``path``."""
    found = []
    for item in parse(str(path)):
        if not isinstance(item, r.Article):
            continue
        # As ``articles.text.facts.abstract_text`` joins them for ingest.
        abstract = "\n".join(section.text for section in item.abstract)
        found.append((item.pmid, item.title, abstract, [k.text for k in item.keywords]))
        if len(found) == limit:
            break
    return found


def dump_line(pmid: int, concepts: list) -> str:
    parts = [str(pmid)]
    for concept in concepts:
        evidence = [
            (e.source, e.start, e.end, e.text, e.supplementary_ui, e.supplementary_name)
            for e in concept.evidence
        ]
        parts.append(
            repr((concept.ui, concept.name, concept.role, concept.prior, concept.negated, evidence))
        )
    return "\t".join(parts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=5000)
    parser.add_argument("--dump", type=Path, help="write every concept returned here")
    parser.add_argument("--compare", type=Path, help="a --dump file to compare the output with")
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    parser.add_argument(
        "--baseline", type=Path, default=BASELINE, help="the directory of the two files"
    )
    args = parser.parse_args()

    vocabulary = Vocabulary.cached(args.cache)
    first, second = (args.baseline / name for name in FILES)
    records = inputs(first, args.records) + inputs(second, args.records // 2)
    with_abstract = sum(1 for record in records if record[2])
    best = float("inf")
    for _ in range(RUNS):
        # The results are dropped, as ingest drops them: kept, they would make the garbage
        # collector's passes longer and longer.
        started = time.process_time()
        for _, title, abstract, keywords in records:
            recognise(title, abstract, keywords, vocabulary)
        best = min(best, time.process_time() - started)
    results = [
        recognise(title, abstract, keywords, vocabulary) for _, title, abstract, keywords in records
    ]
    lines = [dump_line(record[0], found) for record, found in zip(records, results, strict=True)]
    concepts = sum(len(found) for found in results)
    print(
        f"{len(records):,} records ({with_abstract:,} with an abstract), {concepts:,} concepts: "
        f"{1000 * best / len(records):.4f} ms CPU a record (best of {RUNS})"
    )
    if args.dump:
        args.dump.write_text("\n".join(lines) + "\n", encoding="utf-8")
    if args.compare:
        old = args.compare.read_text(encoding="utf-8").splitlines()
        if len(old) != len(lines):
            raise SystemExit(f"DIFFERENT: {len(old):,} records before, {len(lines):,} now")
        differ = [
            (before, after) for before, after in zip(old, lines, strict=True) if before != after
        ]
        for before, after in differ[:5]:
            print(f"DIFFERENT: PMID {before.split(chr(9))[0]}\n  was: {before}\n  now: {after}")
        print(f"{len(differ):,} of {len(lines):,} records differ")
        if differ:
            raise SystemExit(1)


if __name__ == "__main__":
    main()
