"""Concept recognition against NLM's own indexing: the concepts found in the text of records
that have MeSH, scored against the headings set aside.

    python benchmarks/concepts_eval.py [FILE.xml.gz ...] [--limit N] [--cache DIR]

Default files: pubmed20n0014.xml.gz and pubmed21n1298.xml.gz from ../shared/data/pubmed/
baseline/. Every record with MeSH headings and an abstract is read (``articles.pubmed.parser``);
its headings, chemicals and supplementary concepts are put aside, and ``recognise`` sees only
the title, the abstract (sections joined by a newline) and the author keywords. Scored against
what was put aside:

- diseases: the major-topic headings in C or F03 (a heading is major when it or one of its
  qualifiers is starred);
- therapies: headings in D, E02 or E04 qualified "therapeutic use" or "administration &
  dosage", and every heading in E02 or E04 (procedures).

A concept one step above or below a heading in the MeSH tree (e.g. Lung Diseases for Lung
Diseases, Interstitial) counts as a match. Recall: headings matched by a concept found;
precision: concepts found that match a heading. For diseases it also prints precision against
every C/F03 heading (major or not), which the text names as often. Times only ``recognise``
(CPU time), and how long the vocabulary took to be ready (a load from the cache, or a build
when the cache is empty) and the memory it added.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from articles.pubmed.parser import parse  # noqa: E402
from articles.pubmed.records import Article  # noqa: E402
from articles.text.classify import load_tree  # noqa: E402
from articles.text.recognise import recognise  # noqa: E402
from articles.text.recognise.vocabulary import Vocabulary  # noqa: E402

# ../shared beside the repository (a worktree sits one level deeper).
BASELINE = next(
    (
        p / "shared/data/pubmed/baseline"
        for p in (ROOT.parent, ROOT.parent.parent)
        if (p / "shared").is_dir()
    ),
    ROOT.parent / "shared/data/pubmed/baseline",
)
FILES = ("pubmed20n0014.xml.gz", "pubmed21n1298.xml.gz")
DEFAULT_CACHE = Path.home() / ".cache" / "casebook"
TREATS_WITH = {"therapeutic use", "administration & dosage", "Q000627", "Q000008"}


def removed(article: Article, tree: dict) -> tuple[set[str], set[str], set[str]]:
    """(major diseases, therapies, every disease) among the record's headings."""
    major, therapies, diseases = set(), set(), set()
    for heading in article.mesh_headings:
        numbers = tree.get(heading.ui, ())
        qualifiers = {q.name for q in heading.qualifiers} | {q.ui for q in heading.qualifiers}
        if any(n.startswith(("C", "F03")) for n in numbers):
            diseases.add(heading.ui)
            if heading.major or any(q.major for q in heading.qualifiers):
                major.add(heading.ui)
        else:
            procedure = any(n.startswith(("E02", "E04")) for n in numbers)
            drug = any(n.startswith("D") for n in numbers)
            if procedure or (drug and qualifiers & TREATS_WITH):
                therapies.add(heading.ui)
    return major, therapies, diseases


class Neighbours:
    """Descriptors one step above or below another in the MeSH tree, and itself."""

    def __init__(self, tree: dict) -> None:
        self.tree = tree
        self.by_number = {n: ui for ui, numbers in tree.items() for n in numbers}
        self.children: dict[str, set[str]] = {}
        for number, ui in self.by_number.items():
            parent = self.by_number.get(number.rpartition(".")[0])
            if parent:
                self.children.setdefault(parent, set()).add(ui)
        self.cache: dict[str, set[str]] = {}

    def of(self, ui: str) -> set[str]:
        if ui not in self.cache:
            near = {ui} | self.children.get(ui, set())
            for number in self.tree.get(ui, ()):
                parent = self.by_number.get(number.rpartition(".")[0])
                if parent:
                    near.add(parent)
            self.cache[ui] = near
        return self.cache[ui]


class Tally:
    def __init__(self) -> None:
        self.wanted = self.matched = self.found = self.right = 0

    def add(self, found: set[str], wanted: set[str], near: Neighbours) -> None:
        self.wanted += len(wanted)
        self.matched += sum(1 for w in wanted if near.of(w) & found)
        self.found += len(found)
        self.right += sum(1 for f in found if near.of(f) & wanted)

    def line(self, name: str) -> str:
        recall = self.matched / self.wanted if self.wanted else 0.0
        precision = self.right / self.found if self.found else 0.0
        return (
            f"  {name:22} recall {recall:.3f} ({self.matched}/{self.wanted})  "
            f"precision {precision:.3f} ({self.right}/{self.found})"
        )


def evaluate(path: Path, vocabulary: Vocabulary, near: Neighbours, limit: int) -> list[str]:
    diseases, therapies, any_disease = Tally(), Tally(), Tally()
    records = 0
    seconds = 0.0
    for item in parse(path):
        if not isinstance(item, Article) or not item.mesh_headings or not item.abstract:
            continue
        abstract = "\n".join(section.text for section in item.abstract)
        keywords = [keyword.text for keyword in item.keywords]
        started = time.process_time()
        concepts = recognise(item.title, abstract, keywords, vocabulary)
        seconds += time.process_time() - started
        major, treated, every = removed(item, near.tree)
        found_diseases = {c.ui for c in concepts if c.role == "disease" and not c.negated}
        found_therapies = {c.ui for c in concepts if c.role == "therapy"}
        diseases.add(found_diseases, major, near)
        any_disease.add(found_diseases, every, near)
        therapies.add(found_therapies, treated, near)
        records += 1
        if records == limit:
            break
    return [
        f"{path.name}: {records} records with MeSH and an abstract, "
        f"{records / seconds:.0f} records/s of CPU ({1000 * seconds / records:.2f} ms a record)",
        diseases.line("diseases (major)"),
        therapies.line("therapies"),
        any_disease.line("diseases (any heading)"),
    ]


def _resident_mb() -> float:
    with open("/proc/self/statm") as stream:
        return int(stream.read().split()[1]) * 4096 / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--limit", type=int, default=0, help="records per file (0: all)")
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE, help="vocabulary cache")
    options = parser.parse_args()
    files = options.files or [BASELINE / name for name in FILES]
    resident = _resident_mb()
    started, cpu = time.perf_counter(), time.process_time()
    vocabulary = Vocabulary.cached(options.cache)
    print(
        f"vocabulary: ready in {time.perf_counter() - started:.2f} s "
        f"({time.process_time() - cpu:.2f} s CPU), {_resident_mb() - resident:.0f} MB resident"
    )
    near = Neighbours(load_tree())
    for path in files:
        print("\n".join(evaluate(path, vocabulary, near, options.limit)))


if __name__ == "__main__":
    main()
