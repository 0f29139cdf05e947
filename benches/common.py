"""Dev-only helpers of the benchmarks (``benches/``, ``tools/bench_table.py``): where the
shared corpora live and how to read their JSONL files. Not shipped in the wheel.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from tgematch.bench import Doc


def shared_dir(start: Path | None = None) -> Path | None:
    """The shared data folder (corpora, watchlists), or None when it is absent.

    ``$TGEMATCH_SHARED`` when set (None if it has no ``corpora/``); else the first
    ``shared/`` beside a parent of ``start`` (default this file), i.e. ``../shared`` next
    to the repository; else ``/work/shared``.
    """
    env = os.environ.get("TGEMATCH_SHARED")
    if env:
        return Path(env) if (Path(env) / "corpora").is_dir() else None
    here = (start or Path(__file__)).resolve()
    candidates = [p / "shared" for p in here.parents] + [Path("/work/shared")]
    for c in candidates:
        if (c / "corpora").is_dir():
            return c
    return None


def load_corpus(
    path: str | os.PathLike[str],
    field: str = "text",
    title_field: str | None = None,
    limit: int | None = None,
) -> list[Doc]:
    """Read a JSONL corpus: one ``(record[field], record[title_field] or None)`` per line.

    Raises ValueError naming the line when a record is not an object or lacks ``field``
    (a string), or has a non-string title.
    """
    docs: list[Doc] = []
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            if limit is not None and len(docs) >= limit:
                break
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
            except json.JSONDecodeError as e:
                raise ValueError(f"{path}:{lineno}: not valid JSON: {e}") from None
            if not isinstance(rec, dict):
                raise ValueError(f"{path}:{lineno}: expected a JSON object per line")
            content = rec.get(field)
            if not isinstance(content, str):
                raise ValueError(
                    f"{path}:{lineno}: field {field!r} is missing or not a string "
                    f"(fields: {', '.join(sorted(rec)) or 'none'})"
                )
            title = None
            if title_field is not None:
                title = rec.get(title_field)
                if title is not None and not isinstance(title, str):
                    raise ValueError(f"{path}:{lineno}: field {title_field!r} is not a string")
            docs.append((content, title))
    return docs
