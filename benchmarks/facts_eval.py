"""Case-series facts against labels read by hand: how often do the rules get them right?

    python benchmarks/facts_eval.py [--verbose]

Reads tests/fixtures/facts_labels.jsonl (110 real abstracts labelled by reading them) and the
records they come from (tests/fixtures/facts_labels_110.xml.gz, for the publication types),
runs articles.facts.extract on each and prints, for all labels, the first 80 (used while
writing the rules) and the last 30 (held out):

- patient count: exact match where the label has a count, and over every label (no count =
  no count);
- case-series detection (kind == case_series): precision, recall, F1;
- sex counts: male and female both exact, where the label states them;
- kind accuracy; age range (min and max within 0.05 years) where the label has one.

--verbose lists the disagreements of the tuning labels (--show-held-out: of the held-out
ones, which the rules must not be fitted to).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from articles.facts import extract  # noqa: E402
from articles.pubmed.parser import parse  # noqa: E402
from articles.pubmed.records import Article  # noqa: E402

LABELS = ROOT / "tests" / "fixtures" / "facts_labels.jsonl"
RECORDS = ROOT / "tests" / "fixtures" / "facts_labels_110.xml.gz"
HELD_OUT = 30


def load() -> list[tuple[dict, Article]]:
    labels = [json.loads(line) for line in LABELS.read_text(encoding="utf-8").splitlines()]
    articles = {a.pmid: a for a in parse(RECORDS) if isinstance(a, Article)}
    pairs = []
    for label in labels:
        article = articles[label["pmid"]]
        abstract = "\n".join(s.text for s in article.abstract)
        if (article.title, abstract) != (label["title"], label["abstract"]):
            raise SystemExit(f"PMID {label['pmid']}: label text differs from the record")
        pairs.append((label, article))
    return pairs


def score(pairs: list[tuple[dict, Article]], verbose: bool) -> dict[str, str]:
    counted = count_ok = every_ok = 0
    tp = fp = fn = 0
    sexed = sex_ok = 0
    kind_ok = 0
    aged = age_ok = 0
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
        if verbose and problems:
            print(f"  PMID {label['pmid']}: {'; '.join(problems)}  [{article.title[:60]}]")
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "labels": f"{len(pairs)}",
        "count exact (labelled n)": f"{count_ok / counted:.1%} ({count_ok}/{counted})",
        "count exact (all)": f"{every_ok / len(pairs):.1%} ({every_ok}/{len(pairs)})",
        "case series P / R / F1": f"{precision:.2f} / {recall:.2f} / {f1:.2f} (tp {tp})",
        "sex counts (stated)": f"{sex_ok / sexed:.1%} ({sex_ok}/{sexed})" if sexed else "-",
        "kind": f"{kind_ok / len(pairs):.1%} ({kind_ok}/{len(pairs)})",
        "age range (stated)": f"{age_ok / aged:.1%} ({age_ok}/{aged})" if aged else "-",
    }


def main() -> None:
    verbose = "--verbose" in sys.argv
    pairs = load()
    columns = {}
    for name, part in (
        ("all", pairs),
        ("tuning", pairs[:-HELD_OUT]),
        ("held-out", pairs[-HELD_OUT:]),
    ):
        if verbose:
            print(f"{name}:")
        # Disagreements of the held-out labels stay hidden unless asked for: rules are not
        # to be fitted to them.
        show = verbose and name == "tuning" or "--show-held-out" in sys.argv and name == "held-out"
        columns[name] = score(part, show)
    rows = list(columns["all"])
    width = max(len(r) for r in rows)
    print(f"{'':{width}}  " + "  ".join(f"{name:<26}" for name in columns))
    for row in rows:
        print(f"{row:{width}}  " + "  ".join(f"{columns[c][row]:<26}" for c in columns))


if __name__ == "__main__":
    main()
