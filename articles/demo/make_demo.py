"""Rebuild the bundled demo file from NLM's update file pubmed21n1298 (not run by make).

    python articles/demo/make_demo.py ../shared/data/pubmed/baseline/pubmed21n1298.xml.gz

Keeps every record whose publication types include Case Reports and that has an abstract,
plus two notice pairs that show the retraction and expression-of-concern banners (PMIDs
27602157/34093767 and 32090497/34096680), copying each record's bytes unchanged, and
writes articles/demo/pubmed21n1298_case_reports.xml.gz.
"""

import gzip
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from articles.pubmed.parser import iter_raw_records

HEADER = (
    b'<?xml version="1.0" encoding="utf-8"?>\n'
    b'<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle, 1st January 2019//EN" '
    b'"https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_190101.dtd">\n<PubmedArticleSet>\n'
)

SHOWCASE = {27602157, 34093767, 32090497, 34096680}


def main(source: str) -> None:
    out = Path(__file__).with_name("pubmed21n1298_case_reports.xml.gz")
    kept = 0
    with gzip.GzipFile(out, "wb", mtime=0) as target:
        target.write(HEADER)
        for raw in iter_raw_records(source):
            case_report = b'UI="D002363">Case Reports<' in raw.data
            pmid = re.search(rb"<PMID[^>]*>(\d+)<", raw.data)
            showcase = pmid is not None and int(pmid.group(1)) in SHOWCASE
            if showcase or (case_report and b"<AbstractText" in raw.data):
                target.write(raw.data + b"\n")
                kept += 1
        target.write(b"</PubmedArticleSet>\n")
    print(f"kept {kept} records in {out}")


if __name__ == "__main__":
    main(sys.argv[1])
