"""Concept recognition against abstracts labelled by hand: the test split first, then tuning.

    python benchmarks/concepts_labels_eval.py [--verbose] [--split tuning] [--cache DIR]

Reads tests/fixtures/abstract_labels.jsonl (340 abstracts labelled by reading them, guide in
tests/fixtures/abstract_labels_guide.md), runs ``articles.text.recognise.recognise`` on each title,
abstract and keywords, and scores by span overlap:

- a labelled disease phrase is found when the evidence of a (not negated) disease concept
  overlaps any occurrence of the phrase; a disease concept found is right when any of its
  spans overlaps an occurrence of any labelled disease phrase. Likewise therapies (prior
  therapies count as therapies, and the labels' therapies include them) and causes;
- prior: of the labelled prior therapies found as therapies, how many come out prior;
- negated: labelled negated phrases that come out as a disease (should be none).

--verbose lists the tuning split's disagreements. The test split's are printed only with
--show-test: rules must never be fitted to them.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from articles.text.recognise import recognise  # noqa: E402
from articles.text.recognise.vocabulary import Vocabulary  # noqa: E402

LABELS = ROOT / "tests" / "fixtures" / "abstract_labels.jsonl"
DEFAULT_CACHE = Path.home() / ".cache" / "casebook"


def occurrences(phrase: str, texts: dict[str, str]) -> list[tuple[str, int, int]]:
    found = []
    for source, text in texts.items():
        start = text.find(phrase)
        while start != -1:
            found.append((source, start, start + len(phrase)))
            start = text.find(phrase, start + 1)
    return found


def overlaps(spans, places) -> bool:
    return any(
        e.source == source and e.start < end and start < e.end
        for e in spans
        for source, start, end in places
    )


class Tally:
    def __init__(self) -> None:
        self.labelled = self.found = self.concepts = self.right = 0

    def line(self, name: str) -> str:
        recall = self.found / self.labelled if self.labelled else 0.0
        precision = self.right / self.concepts if self.concepts else 0.0
        return (
            f"  {name:8} recall {recall:.3f} ({self.found}/{self.labelled})  "
            f"precision {precision:.3f} ({self.right}/{self.concepts})"
        )


def score(labels: list[dict], vocabulary: Vocabulary, verbose: bool) -> list[str]:
    tallies = {role: Tally() for role in ("disease", "therapy", "cause")}
    prior_labelled = prior_right = prior_extra = 0
    negated_labels = negated_leaked = 0
    for label in labels:
        texts = {
            "title": label["title"],
            "abstract": label["abstract"],
            "keywords": "; ".join(label["keywords"]),
        }
        concepts = recognise(label["title"], label["abstract"], label["keywords"], vocabulary)
        wanted = {
            "disease": label["diseases"],
            "therapy": sorted(set(label["therapies"]) | set(label["prior_therapies"])),
            "cause": label["causes"],
        }
        notes = []
        for role, phrases in wanted.items():
            tally = tallies[role]
            found = [c for c in concepts if c.role == role and not c.negated]
            places = {p: occurrences(p, texts) for p in phrases}
            every = [place for spans in places.values() for place in spans]
            for phrase, spans in places.items():
                tally.labelled += 1
                if any(overlaps(c.evidence, spans) for c in found):
                    tally.found += 1
                else:
                    notes.append(f"    missed {role}: {phrase!r}")
            for concept in found:
                tally.concepts += 1
                if overlaps(concept.evidence, every):
                    tally.right += 1
                else:
                    shown = ", ".join(sorted({e.text for e in concept.evidence}))
                    notes.append(f"    extra {role}: {concept.name} [{shown}]")
        therapies = [c for c in concepts if c.role == "therapy"]
        for phrase in label["prior_therapies"]:
            spans = occurrences(phrase, texts)
            matched = [c for c in therapies if overlaps(c.evidence, spans)]
            if matched:
                prior_labelled += 1
                if any(c.prior for c in matched):
                    prior_right += 1
                else:
                    notes.append(f"    not prior: {phrase!r}")
        prior_spans = [p for phrase in label["prior_therapies"] for p in occurrences(phrase, texts)]
        for concept in therapies:
            if concept.prior and not overlaps(concept.evidence, prior_spans):
                prior_extra += 1
                notes.append(f"    prior, not labelled so: {concept.name}")
        diseases = [c for c in concepts if c.role == "disease" and not c.negated]
        for phrase in label["negated"]:
            negated_labels += 1
            if any(overlaps(c.evidence, occurrences(phrase, texts)) for c in diseases):
                negated_leaked += 1
                notes.append(f"    negated label found as disease: {phrase!r}")
        if verbose and notes:
            print(f"  PMID {label['pmid']}: {label['title'][:90]}")
            print("\n".join(notes))
    return [
        tallies["disease"].line("disease"),
        tallies["therapy"].line("therapy"),
        tallies["cause"].line("cause"),
        f"  prior    {prior_right}/{prior_labelled} labelled prior therapies found as prior; "
        f"{prior_extra} therapies marked prior that are not labelled so",
        f"  negated  {negated_leaked} of {negated_labels} labelled negated phrases found "
        "as diseases",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--verbose", action="store_true", help="tuning disagreements")
    parser.add_argument("--show-test", action="store_true", help="test disagreements (never)")
    parser.add_argument(
        "--split", choices=("test", "tuning"), help="score one split only (while tuning: tuning)"
    )
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE, help="vocabulary cache")
    options = parser.parse_args()
    labels = [json.loads(line) for line in LABELS.read_text(encoding="utf-8").splitlines()]
    vocabulary = Vocabulary.cached(options.cache)
    started = time.perf_counter()
    for split in (options.split,) if options.split else ("test", "tuning"):
        chosen = [label for label in labels if label["split"] == split]
        show = options.show_test if split == "test" else options.verbose
        lines = score(chosen, vocabulary, show)
        print(f"{split} split ({len(chosen)} abstracts)")
        print("\n".join(lines))
    print(f"({time.perf_counter() - started:.1f} s)")


if __name__ == "__main__":
    main()
