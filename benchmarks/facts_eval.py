"""Case-series facts against labels read by hand: how often do the rules get them right?

    python benchmarks/facts_eval.py [--verbose] [--show-test]

Two label sets, each with the records it comes from (for the publication types):

- tests/fixtures/abstract_labels.jsonl (340 abstracts drawn from NLM's files across all
  publication types, guide beside it; XML abstract_labels.xml.gz), split by PMID hash into
  ``test`` (117) and ``tuning`` (223);
- tests/fixtures/facts_labels.jsonl (the first 110, mostly Case Reports; XML
  facts_labels_110.xml.gz), kept for comparison.

Runs articles.text.facts.extract on each and prints the test split first, then the tuning split,
then the old 110:

- patient count: exact match where the label has a count, and over every label (no count =
  no count);
- case-series detection (kind == case_series): precision, recall, F1;
- sex counts: male and female both exact, where the label states them;
- kind accuracy; age range (min and max within 0.05 years) where the label has one;
- reviewed cases (literature cases beside a single case): exact where labelled, and how many
  records got one the label does not have.

--verbose lists the disagreements of the tuning split and the old 110. The test split's are
printed only with --show-test: rules are tuned on the tuning split alone, and a rule fitted to
the test split's misses would make its figures meaningless.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from articles.pubmed.parser import parse  # noqa: E402
from articles.pubmed.records import Article  # noqa: E402
from articles.text.facts import extract  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures"
NEW_LABELS = (FIXTURES / "abstract_labels.jsonl", FIXTURES / "abstract_labels.xml.gz")
OLD_LABELS = (FIXTURES / "facts_labels.jsonl", FIXTURES / "facts_labels_110.xml.gz")


def load(labels_path: Path, records_path: Path) -> list[tuple[dict, Article]]:
    lines = labels_path.read_text(encoding="utf-8").splitlines()
    labels = [json.loads(line) for line in lines]
    articles = {a.pmid: a for a in parse(records_path) if isinstance(a, Article)}
    pairs = []
    for label in labels:
        article = articles[label["pmid"]]
        abstract = "\n".join(s.text for s in article.abstract)
        if (article.title, abstract) != (label["title"], label["abstract"]):
            raise SystemExit(f"PMID {label['pmid']}: label text differs from the record")
        pairs.append((label, article))
    return pairs


def _share(ok: int, total: int) -> str:
    return f"{ok / total:.1%} ({ok}/{total})" if total else "-"


def score(pairs: list[tuple[dict, Article]], verbose: bool) -> dict[str, str]:
    counted = count_ok = every_ok = 0
    tp = fp = fn = 0
    sexed = sex_ok = 0
    kind_ok = 0
    aged = age_ok = 0
    reviewed = reviewed_ok = reviewed_extra = 0
    has_reviewed = any("reviewed_cases" in label for label, _ in pairs)
    for label, article in pairs:
        facts = extract(
            article.title,
            "\n".join(s.text for s in article.abstract),
            [p.name for p in article.publication_types],
        )
        problems = []
        if label["patient_count"] is not None:
            counted += 1
            count_ok += facts.patient_count == label["patient_count"]
        every_ok += facts.patient_count == label["patient_count"]
        if facts.patient_count != label["patient_count"]:
            problems.append(f"count {facts.patient_count} != {label['patient_count']}")
        series, labelled_series = facts.kind == "case_series", label["kind"] == "case_series"
        tp += series and labelled_series
        fp += series and not labelled_series
        fn += labelled_series and not series
        kind_ok += facts.kind == label["kind"]
        if facts.kind != label["kind"]:
            problems.append(f"kind {facts.kind} != {label['kind']}")
        if label["male_count"] is not None:
            sexed += 1
            got = (facts.male_count, facts.female_count)
            want = (label["male_count"], label["female_count"])
            sex_ok += got == want
            if got != want:
                problems.append(f"sex {got} != {want}")
        if label["age_min_years"] is not None:
            aged += 1
            close = (
                facts.age_min_years is not None
                and facts.age_max_years is not None
                and abs(facts.age_min_years - label["age_min_years"]) < 0.05
                and abs(facts.age_max_years - label["age_max_years"]) < 0.05
            )
            age_ok += close
            if not close:
                problems.append(
                    f"age {facts.age_min_years}-{facts.age_max_years} != "
                    f"{label['age_min_years']}-{label['age_max_years']}"
                )
        if has_reviewed:
            got_reviewed = getattr(facts, "reviewed_count", None)
            if label["reviewed_cases"] is not None:
                reviewed += 1
                reviewed_ok += got_reviewed == label["reviewed_cases"]
            elif got_reviewed is not None:
                reviewed_extra += 1
            if got_reviewed != label["reviewed_cases"]:
                problems.append(f"reviewed {got_reviewed} != {label['reviewed_cases']}")
        if verbose and problems:
            print(f"  PMID {label['pmid']}: {'; '.join(problems)}  [{article.title[:60]}]")
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "labels": f"{len(pairs)}",
        "count exact (labelled n)": _share(count_ok, counted),
        "count exact (all)": _share(every_ok, len(pairs)),
        "case series P / R / F1": f"{precision:.2f} / {recall:.2f} / {f1:.2f} (tp {tp})",
        "sex counts (stated)": _share(sex_ok, sexed),
        "kind": _share(kind_ok, len(pairs)),
        "age range (stated)": _share(age_ok, aged),
        "reviewed cases (labelled)": _share(reviewed_ok, reviewed) if has_reviewed else "-",
        "reviewed cases, unlabelled": f"{reviewed_extra}" if has_reviewed else "-",
    }


def main() -> None:
    verbose = "--verbose" in sys.argv
    new = load(*NEW_LABELS)
    old = load(*OLD_LABELS)
    columns = {}
    for name, part, show in (
        ("test", [p for p in new if p[0]["split"] == "test"], "--show-test" in sys.argv),
        ("tuning", [p for p in new if p[0]["split"] == "tuning"], verbose),
        ("old 110", old, verbose),
    ):
        if show:
            print(f"{name}:")
        columns[name] = score(part, show)
    rows = list(columns["test"])
    width = max(len(r) for r in rows)
    print(f"{'':{width}}  " + "  ".join(f"{name:<26}" for name in columns))
    for row in rows:
        print(f"{row:{width}}  " + "  ".join(f"{columns[c][row]:<26}" for c in columns))


if __name__ == "__main__":
    main()
