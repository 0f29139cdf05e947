"""How common an English word is: the pinned table of ``tools/gen_common_words.py``.

The table (``data/common_words.tsv.gz``) is read once, on the first question, so
``import tgematch`` and watchlists that never ask pay nothing for it.
"""

from __future__ import annotations

import gzip
from functools import cache
from importlib import resources

__all__ = ["zipf"]


@cache
def _table() -> dict[str, float]:
    raw = resources.files("tgematch").joinpath("data/common_words.tsv.gz").read_bytes()
    table: dict[str, float] = {}
    for line in gzip.decompress(raw).decode("utf-8").splitlines():
        if line and not line.startswith("#"):
            word, tenths = line.split("\t")
            table[word] = int(tenths) / 10
    return table


def zipf(word: str) -> float:
    """The Zipf frequency of ``word`` in English (0.0 when rarer than the table's floor).

    Zipf 6 is one occurrence per thousand words ("just": 6.4), 3 one per million
    ("caldera": 2.6); the table keeps words down to 2.0. ``word`` is looked up as
    given: the table's words are lower case, letters only.
    """
    return _table().get(word, 0.0)
