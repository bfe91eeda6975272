"""Dump every field of every item the parser yields, to prove a parser change changes nothing.

    python benchmarks/parser_dump.py --out DUMP [--fixtures] [PATH ...]
    python benchmarks/parser_dump.py --compare REFERENCE [--fixtures] [PATH ...]

Parses each file (default: NLM's pubmed20n0014 and pubmed21n1298 from ../shared, 50,788 items
with the DeleteCitation) and writes one line per item: the file's name, the item's position,
its ``repr`` (every field of every nested record; ``Article.xml`` is left out of repr, so its
SHA-256 follows). A file the parser refuses, or that breaks partway, ends with a line giving
the error. ``--fixtures`` adds every XML file under tests/fixtures (books, markup, broken and
hostile files). ``--compare`` dumps to memory and reports the first line that differs from
REFERENCE; it exits 1 if any does. CPU time of the parse is printed to stderr.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from articles.pubmed import records as r  # noqa: E402
from articles.pubmed.parser import PubmedFileError, parse  # noqa: E402

# ../shared from the main checkout, ../../shared from a worktree under wt/.
SHARED = next((p / "shared" for p in ROOT.parents if (p / "shared" / "data").is_dir()), ROOT)
BASELINE = SHARED / "data" / "pubmed" / "baseline"
DEFAULT = [BASELINE / "pubmed20n0014.xml.gz", BASELINE / "pubmed21n1298.xml.gz"]
FIXTURES = ROOT / "tests" / "fixtures"


def dump_lines(path: Path) -> Iterator[str]:
    name = path.name
    number = 0
    try:
        for number, item in enumerate(parse(path, name=name), start=1):
            line = repr(item)
            if isinstance(item, r.Article):
                line += f" xml={hashlib.sha256(item.xml).hexdigest()}"
            yield f"{name}\t{number}\t{line}\n"
    except PubmedFileError as exc:
        yield f"{name}\t{number}\terror {exc}\n"


def fixture_paths() -> list[Path]:
    return sorted(p for p in FIXTURES.rglob("*") if p.name.endswith((".xml", ".xml.gz")))


def main() -> int:
    arguments = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    arguments.add_argument("--out", metavar="DUMP", help="write the dump to this file")
    arguments.add_argument("--compare", metavar="REFERENCE", help="compare with this dump")
    arguments.add_argument("--fixtures", action="store_true", help="add tests/fixtures/*.xml*")
    arguments.add_argument("paths", nargs="*", type=Path)
    options = arguments.parse_args()
    if bool(options.out) == bool(options.compare):
        arguments.error("give either --out DUMP or --compare REFERENCE")
    paths = options.paths or list(DEFAULT)
    if options.fixtures:
        paths += fixture_paths()

    started = time.process_time()
    lines = [line for path in paths for line in dump_lines(path)]
    print(f"{len(lines):,} items, {time.process_time() - started:.2f} s CPU", file=sys.stderr)

    if options.out:
        Path(options.out).write_text("".join(lines), encoding="utf-8")
        return 0
    reference = Path(options.compare).read_text(encoding="utf-8").splitlines(keepends=True)
    for number, (old, new) in enumerate(zip(reference, lines, strict=False), start=1):
        if old != new:
            print(f"line {number} differs:\n- {old}+ {new}", file=sys.stderr)
            return 1
    if len(reference) != len(lines):
        print(f"{len(reference):,} lines in the reference, {len(lines):,} now", file=sys.stderr)
        return 1
    print(f"identical to {options.compare}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
