"""Measure what tgematch's analysis finds against the hand labels in ``quality/``.

Usage (from a checkout, with or without the native module built)::

    python tools/quality.py                 # every metric, dev and test split
    python tools/quality.py --split dev --errors     # also list every error
    python tools/quality.py --json out.json          # the figures, machine-readable

The labels (``quality/labels.jsonl``, defined in ``quality/DEFINITION.md``) name their
documents by corpus and id; the documents are read from the shared corpora
(``--shared``, else ``$TGEMATCH_SHARED``, else ``../shared`` next to the repository).

Metrics, each with its confusion counts, precision, recall and F1:

* ``alerts/wl15`` and ``alerts/wl10k``: documents (wl10k: tweets only, the labelled
  scenario) the matcher calls relevant, against the derived alert label (launch news
  whose subject is a genuine reference to a watched company).
* ``companies/wl15`` and ``companies/wl10k``: (document, company) pairs the matcher
  reports, against the labelled candidates (a reported company that the labelling
  batch did not list counts as a false positive and is shown as "unlabelled").
* ``launch``: launch news about any project, against the ``launch`` label.

What the matcher "calls" is decided in one place, :func:`predictions`.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
try:
    import tgematch  # installed, or on PYTHONPATH
except ImportError:  # run from a checkout without installing: use its sources
    sys.path.insert(0, str(REPO / "python"))
    import tgematch  # noqa: F401

from tgematch import Analysis, Matcher, Watchlist  # noqa: E402
from tgematch.watchlist import name_key  # noqa: E402

LABELS = REPO / "quality" / "labels.jsonl"
SPLITS = ("dev", "test")
WL10K_SIZE = 10_000


def shared_dir(explicit: str | None = None) -> Path:
    """The shared data folder: ``explicit``, ``$TGEMATCH_SHARED`` or ``../shared``."""
    for candidate in (explicit, os.environ.get("TGEMATCH_SHARED"), str(REPO.parent / "shared")):
        if candidate and (Path(candidate) / "corpora").is_dir():
            return Path(candidate)
    raise FileNotFoundError(
        "shared corpora not found: pass --shared DIR or set TGEMATCH_SHARED "
        "(the folder holding corpora/ and watchlists/)"
    )


def split_of(key: str) -> str:
    """The split a document belongs to (``quality/DEFINITION.md``): SHA-256 hex 0-4 is test."""
    return "test" if hashlib.sha256(key.encode("utf-8")).hexdigest()[0] in "01234" else "dev"


def read_labels(path: Path = LABELS) -> list[dict[str, Any]]:
    """The labels, one dict per document, checked against the definition's shape."""
    labels = []
    with path.open(encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            if not line.strip():
                continue
            rec = json.loads(line)
            where = f"{path.name}:{lineno} ({rec.get('key')!r})"
            if not isinstance(rec.get("launch"), bool):
                raise ValueError(f"{where}: 'launch' must be true or false")
            if rec.get("split") != split_of(rec["key"]):
                raise ValueError(f"{where}: split must be {split_of(rec['key'])!r}")
            for wl, hits in rec.get("hits", {}).items():
                for name, hit in hits.items():
                    if not isinstance(hit.get("ref"), bool):
                        raise ValueError(f"{where}: hits.{wl}.{name}.ref must be a boolean")
                    if hit.get("subject") and not (hit["ref"] and rec["launch"]):
                        raise ValueError(f"{where}: hits.{wl}.{name}: a subject needs ref+launch")
            labels.append(rec)
    return labels


def documents(shared: Path, keys: set[str]) -> dict[str, tuple[str, str | None]]:
    """``key -> (content, title)`` for the labelled documents."""
    docs: dict[str, tuple[str, str | None]] = {}
    for corpus, fname in (("tweets", "founder_tweets.jsonl"), ("articles", "news_articles.jsonl")):
        with (shared / "corpora" / fname).open(encoding="utf-8") as f:
            for line in f:
                rec = json.loads(line)
                key = f"{corpus}:{rec['id']}"
                if key in keys:
                    if corpus == "tweets":
                        docs[key] = (rec["text"], None)
                    else:
                        docs[key] = (rec["content"], rec["title"])
    missing = keys - docs.keys()
    if missing:
        raise ValueError(f"labelled documents not in the corpora: {sorted(missing)[:5]}")
    return docs


def projects_10k(shared: Path) -> tuple[Watchlist, dict[str, str]]:
    """The wl10k scenario as it was labelled, and the spelling each name is reported as.

    The labelling batches took the first 10,000 distinct names of
    ``crypto_projects.jsonl`` (file order), each with its symbols as cashtags, and the
    built-in rules of the shared watchlist. A watchlist now refuses names equal after
    case folding ("APE", "Ape"), so such a name joins the first spelling's company with
    its symbols; the returned map sends every labelled spelling to the reported one.
    """
    base = shared / "watchlists" / "tge_watchlist.json"
    names: list[str] = []
    symbols: dict[str, list[str]] = {}
    with (shared / "corpora" / "crypto_projects.jsonl").open(encoding="utf-8") as f:
        for line in f:
            rec = json.loads(line)
            name = rec["name"]
            if name not in symbols:
                if len(names) == WL10K_SIZE:
                    continue
                names.append(name)
                symbols[name] = []
            if rec["symbol"] not in symbols[name]:
                symbols[name].append(rec["symbol"])
    spelling: dict[str, str] = {}
    companies: dict[str, list[str]] = {}
    for name in names:
        first = spelling.setdefault(name_key(name), name)
        tokens = companies.setdefault(first, [])
        tokens += [s for s in symbols[name] if s not in tokens]
    config = json.loads(base.read_text(encoding="utf-8"))
    config["companies"] = [{"name": k, "tokens": v} for k, v in companies.items()]
    return Watchlist.from_dict(config), {n: spelling[name_key(n)] for n in names}


def watchlists(shared: Path) -> tuple[dict[str, Watchlist], dict[str, dict[str, str]]]:
    """The two labelled scenarios, and per scenario the labelled -> reported name map."""
    wl10k, spelling = projects_10k(shared)
    wl15 = Watchlist.from_file(shared / "watchlists" / "tge_watchlist.json")
    return {"wl15": wl15, "wl10k": wl10k}, {"wl15": {}, "wl10k": spelling}


def _merged(hits: dict[str, Any], spelling: dict[str, str]) -> dict[str, dict[str, Any]]:
    """Labelled hits keyed by the reported name (a merged company is a reference if any
    of its spellings is)."""
    out: dict[str, dict[str, Any]] = {}
    for name, hit in hits.items():
        key = spelling.get(name, name)
        if key in out:
            prev = out[key]
            out[key] = {
                "ref": prev["ref"] or hit["ref"],
                "subject": prev.get("subject") or hit.get("subject"),
                "reason": prev["reason"] if prev["ref"] else hit["reason"],
            }
        else:
            out[key] = hit
    return out


@dataclass
class Prediction:
    """What the matcher says of one document under one watchlist."""

    alert: bool
    launch: bool
    companies: frozenset[str]


def predictions(a: Analysis) -> Prediction:
    """The one place that maps an :class:`Analysis` to the three labelled questions.

    Today's modern API has no launch-news flag of its own: until it has, launch news is
    the seed's keyword evidence alone (``keyword_score`` reaching the relevance
    threshold of 50), the baseline issue 11 measures against.
    """
    launch = getattr(a, "is_launch", None)
    if launch is None:
        launch = a.keyword_score >= 50
    return Prediction(
        alert=a.is_relevant, launch=bool(launch), companies=frozenset(c.name for c in a.companies)
    )


@dataclass
class Metric:
    """Confusion counts of one question, and every error with its label reason."""

    name: str
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0
    errors: list[str] = field(default_factory=list)

    def add(self, predicted: bool, truth: bool, what: str) -> None:
        """Count one decision; remember it when it is wrong."""
        if predicted and truth:
            self.tp += 1
        elif predicted:
            self.fp += 1
            self.errors.append(f"FP {what}")
        elif truth:
            self.fn += 1
            self.errors.append(f"FN {what}")
        else:
            self.tn += 1

    @property
    def precision(self) -> float | None:
        """TP / (TP + FP), or None when nothing was predicted."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> float | None:
        """TP / (TP + FN), or None when there are no positives."""
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None

    @property
    def f1(self) -> float | None:
        """Harmonic mean of precision and recall."""
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p and r else None

    def row(self) -> dict[str, Any]:
        """The figures as a dict (for ``--json`` and the tests)."""
        return {
            "metric": self.name,
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "tn": self.tn,
            "precision": self.precision,
            "recall": self.recall,
            "f1": self.f1,
        }


def _snippet(text: str, width: int = 90) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def evaluate(
    labels: Sequence[dict[str, Any]],
    docs: dict[str, tuple[str, str | None]],
    matchers: dict[str, Matcher],
    spellings: dict[str, dict[str, str]],
) -> dict[str, Metric]:
    """Every metric over ``labels`` (one split or several)."""
    metrics = {
        name: Metric(name)
        for name in (
            "alerts/wl15",
            "alerts/wl10k",
            "companies/wl15",
            "companies/wl10k",
            "launch",
        )
    }
    for rec in labels:
        key = rec["key"]
        content, title = docs[key]
        head = _snippet(f"{title} | {content}" if title else content)
        for wl, matcher in matchers.items():
            labelled = rec.get("hits", {}).get(wl)
            if labelled is None:
                continue  # this document was not labelled for that watchlist
            hits = _merged(labelled, spellings[wl])
            pred = predictions(matcher.analyze(content, title))
            if wl == "wl15":
                metrics["launch"].add(
                    pred.launch, rec["launch"], f"{key}: {rec['reason']} | {head}"
                )
            truth_alert = any(h.get("subject") for h in hits.values())
            metrics[f"alerts/{wl}"].add(pred.alert, truth_alert, f"{key}: {rec['reason']} | {head}")
            for name in sorted(set(hits) | pred.companies):
                hit = hits.get(name)
                truth = bool(hit and hit["ref"])
                why = hit["reason"] if hit else "unlabelled: not a candidate when labelled"
                metrics[f"companies/{wl}"].add(
                    name in pred.companies, truth, f"{key} {name!r}: {why}"
                )
    return metrics


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f} %"


def table(results: dict[str, dict[str, Metric]]) -> str:
    """A Markdown table: one row per (split, metric)."""
    lines = [
        "| split | metric | TP | FP | FN | TN | precision | recall | F1 |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for split, metrics in results.items():
        for m in metrics.values():
            lines.append(
                f"| {split} | {m.name} | {m.tp} | {m.fp} | {m.fn} | {m.tn} | "
                f"{_pct(m.precision)} | {_pct(m.recall)} | {_pct(m.f1)} |"
            )
    return "\n".join(lines)


def run(splits: Iterable[str], shared: Path, backend: str = "auto") -> dict[str, dict[str, Metric]]:
    """Evaluate the labels of each split in ``splits`` (``all`` = every document)."""
    labels = read_labels()
    docs = documents(shared, {r["key"] for r in labels})
    wls, spellings = watchlists(shared)
    matchers = {name: Matcher(wl, backend=backend) for name, wl in wls.items()}
    out = {}
    for split in splits:
        chosen = [r for r in labels if split == "all" or r["split"] == split]
        out[split] = evaluate(chosen, docs, matchers, spellings)
    return out


def _iter_errors(results: dict[str, dict[str, Metric]]) -> Iterator[str]:
    for split, metrics in results.items():
        for m in metrics.values():
            for e in m.errors:
                yield f"[{split}] {m.name} {e}"


def main(argv: Sequence[str] | None = None) -> int:
    """Print the quality table (and optionally every error) for the chosen splits."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--split", choices=(*SPLITS, "all", "both"), default="both")
    ap.add_argument("--shared", help="folder holding corpora/ and watchlists/")
    ap.add_argument("--backend", default="auto", choices=("auto", "native", "python"))
    ap.add_argument("--errors", action="store_true", help="list every error with its label")
    ap.add_argument("--json", help="also write the figures to this file")
    args = ap.parse_args(argv)
    splits = SPLITS if args.split == "both" else (args.split,)
    results = run(splits, shared_dir(args.shared), args.backend)
    print(table(results))
    if args.errors:
        print()
        for line in _iter_errors(results):
            print(line)
    if args.json:
        rows = {s: [m.row() for m in ms.values()] for s, ms in results.items()}
        Path(args.json).write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
