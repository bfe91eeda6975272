"""CPU milliseconds per record of the parser, file by file, best of N.

    python benchmarks/parser_speed.py [--repeat N] [--profile] [PATH ...]

For each file (default: NLM's pubmed20n0014 and pubmed21n1298 from ../shared) times, in CPU
time of this process (``time.process_time``: neighbours on a shared machine inflate wall time,
not this), best of N runs:

  split  ``iter_raw_records`` over the whole file (gunzip and cutting at end tags);
  map    ``map_raw_items`` over every record already split and held in memory (the items
         are dropped as they come, as ingest does: keeping 30,000 of them makes the
         garbage collector's passes the largest cost);
  parse  ``parse`` over the whole file, both of the above as ingest runs them.

``--profile`` instead runs ``map_raw_items`` once over the first file under cProfile and
prints the 30 functions with the most time of their own.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from articles.pubmed.parser import RawRecord, iter_raw_records, map_raw_items, parse  # noqa: E402

SHARED = next((p / "shared" for p in ROOT.parents if (p / "shared" / "data").is_dir()), ROOT)
BASELINE = SHARED / "data" / "pubmed" / "baseline"
DEFAULT = [BASELINE / "pubmed20n0014.xml.gz", BASELINE / "pubmed21n1298.xml.gz"]


def best_cpu(run: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.process_time()
        run()
        times.append(time.process_time() - started)
    return min(times)


def map_each(raws: list[RawRecord]) -> None:
    for raw in raws:
        map_raw_items(raw)


def main() -> None:
    arguments = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    arguments.add_argument("--repeat", type=int, default=3)
    arguments.add_argument("--profile", action="store_true")
    arguments.add_argument("paths", nargs="*", type=Path)
    options = arguments.parse_args()
    paths = options.paths or DEFAULT

    if options.profile:
        raws = list(iter_raw_records(paths[0]))
        profile = cProfile.Profile()
        profile.runcall(lambda: [map_raw_items(raw) for raw in raws])
        pstats.Stats(profile).sort_stats("tottime").print_stats(30)
        return

    print(f"CPU ms per record, best of {options.repeat}")
    print(f"{'file':<24} {'records':>8} {'split':>7} {'map':>7} {'parse':>7}")
    for path in paths:
        raws = list(iter_raw_records(path))
        split = best_cpu(lambda p=path: sum(1 for _ in iter_raw_records(p)), options.repeat)
        mapped = best_cpu(lambda r=raws: map_each(r), options.repeat)
        whole = best_cpu(lambda p=path: sum(1 for _ in parse(p)), options.repeat)
        count = len(raws)
        print(
            f"{path.name:<24} {count:>8,} {split / count * 1000:>7.3f} "
            f"{mapped / count * 1000:>7.3f} {whole / count * 1000:>7.3f}"
        )


if __name__ == "__main__":
    main()
