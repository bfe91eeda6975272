"""Draw the abstracts to label for "Read the abstract" (concepts and case-series facts).

    python benchmarks/label_sample.py [--seed 20261207] [--out tests/fixtures/abstract_labels]

Reads every NLM file in ../shared/data/pubmed/baseline/ and keeps the records whose title or
abstract speaks of patients or cases (the words patient(s), case(s), man/woman, boy/girl,
child, infant). From those it draws, with a fixed seed:

- 140 typed "Case Reports";
- 100 not typed "Case Reports" whose text has a series cue ("we report", "we present",
  "we describe", "case series", "retrospective", "chart", "reviewed", "N cases/patients");
- 100 not typed "Case Reports", drawn from all the rest.

So 200 of 340 are not Case Reports, and the second stratum makes sure the Journal Article
series the rules used to miss are there in numbers (a plain random draw finds few of them
among cohorts and trials). Records of facts_labels.jsonl (the first labels) are left out.

Writes ``<out>_candidates.jsonl`` (PMID, stratum, file, publication types, title, abstract
and author keywords: what a labeller reads) and ``<out>.xml.gz`` (the records' own XML, so
tests and benchmarks need no ../shared).
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from articles.pubmed.parser import iter_raw_records, map_raw_record  # noqa: E402
from articles.pubmed.records import Article  # noqa: E402

BASELINE = ROOT.parent / "shared" / "data" / "pubmed" / "baseline"
PEOPLE = re.compile(
    r"\b(?:patients?|cases?|m[ae]n|wom[ae]n|boys?|girls?|child(?:ren)?|infants?)\b", re.I
)
SERIES_CUE = re.compile(
    r"\b(?:we (?:report|present|describe)|case series|retrospective(?:ly)?|charts?|reviewed"
    r"|(?:two|three|four|five|six|seven|eight|nine|ten|\d+) (?:consecutive )?(?:cases|patients))\b",
    re.I,
)
STRATA = (("case_reports", 140), ("series_cue", 100), ("other", 100))


def candidates() -> dict[str, list[tuple[Article, bytes, str]]]:
    known = {
        json.loads(line)["pmid"]
        for line in (ROOT / "tests" / "fixtures" / "facts_labels.jsonl").read_text().splitlines()
    }
    pools: dict[str, list[tuple[Article, bytes, str]]] = {name: [] for name, _ in STRATA}
    for path in sorted(BASELINE.glob("*.xml.gz")):
        for raw in iter_raw_records(path):
            article = map_raw_record(raw)
            if not isinstance(article, Article) or article.pmid in known:
                continue
            abstract = "\n".join(s.text for s in article.abstract)
            if not abstract or not PEOPLE.search(f"{article.title}\n{abstract}"):
                continue
            types = {p.name for p in article.publication_types}
            if "Case Reports" in types:
                stratum = "case_reports"
            elif SERIES_CUE.search(f"{article.title}\n{abstract}"):
                stratum = "series_cue"
            else:
                stratum = "other"
            pools[stratum].append((article, raw.data, path.name))
    return pools


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, default=20261207)
    parser.add_argument("--out", default=str(ROOT / "tests" / "fixtures" / "abstract_labels"))
    options = parser.parse_args()
    rng = random.Random(options.seed)
    pools = candidates()
    rows, xml = [], []
    for name, size in STRATA:
        pool = sorted(pools[name], key=lambda item: item[0].pmid)
        print(f"{name}: {len(pool)} eligible, drawing {size}", file=sys.stderr)
        for article, raw, file in rng.sample(pool, size):
            rows.append(
                {
                    "pmid": article.pmid,
                    "stratum": name,
                    "file": file,
                    "publication_types": [p.name for p in article.publication_types],
                    "title": article.title,
                    "abstract": "\n".join(s.text for s in article.abstract),
                    "keywords": [k.text for k in article.keywords],
                }
            )
            xml.append(raw)
    out = Path(options.out)
    with open(f"{out}_candidates.jsonl", "w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    with gzip.GzipFile(f"{out}.xml.gz", "wb", mtime=0) as f:
        f.write(b'<?xml version="1.0" encoding="UTF-8"?>\n<PubmedArticleSet>\n')
        for raw in xml:
            f.write(raw.strip() + b"\n")
        f.write(b"</PubmedArticleSet>\n")
    print(f"wrote {len(rows)} candidates to {out}_candidates.jsonl and {out}.xml.gz")


if __name__ == "__main__":
    main()
