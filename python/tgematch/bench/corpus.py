"""Documents and watchlists for ``tgematch bench``: reading a corpus as ``tgematch scan``
does, and a watchlist in the two profiles the libraries need (``docs/matching.md`` §8).

A watchlist spec is a file path or ``projects:N:PROJECTS.jsonl:BASE.json`` (``N``
companies from a ``crypto_projects.jsonl`` file, the rest of the configuration from
``BASE``).
"""

from __future__ import annotations

import json
import os
import tomllib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..inputs import (
    WATCHLIST_MAX_BYTES,
    Fields,
    Skipped,
    discover_inputs,
    read_input,
    read_regular_file,
)
from ..watchlist import ConfigError, Watchlist, name_key

Doc = tuple[str, str | None]
"""A document: ``(content, title)``; the scanned text is ``f"{title}\\n{content}"``."""
Runner = Callable[[Sequence[Doc]], list[Any]]


def doc_text(doc: Doc) -> str:
    """The text tgematch scans for a document (contract §4)."""
    content, title = doc
    return content if title is None else f"{title}\n{content}"


def utf8_size(text: str) -> int:
    """Bytes of ``text`` in UTF-8 (lone surrogates count as 3)."""
    return len(text.encode("utf-8", "surrogatepass"))


def read_corpus(path: Path, fields: Fields, limit: int | None = None) -> list[Doc]:
    """The documents of ``path`` read as ``tgematch scan`` reads them (formats, fields).

    A benchmark needs every record: the first one ``scan`` would skip is a ValueError
    naming its file and line, instead of a smaller corpus than asked for.
    """
    files = discover_inputs([str(path)])
    docs: list[Doc] = []
    for inp in files:
        for item in read_input(inp, fields):
            if limit is not None and len(docs) >= limit:
                return docs
            if isinstance(item, Skipped):
                raise ValueError(f"{item.source}: {item.reason}")
            docs.append((item.content, item.title))
    return docs


def projects_watchlist(
    n: int,
    projects: str | os.PathLike[str],
    base: str | os.PathLike[str],
    profile: str | None = None,
) -> Watchlist:
    """A watchlist of ``n`` companies from a ``crypto_projects.jsonl`` file.

    One company per distinct ``name`` (first ``n`` in file order), its symbols as
    cashtags; keyword tiers, exclusion phrases and every other key from the watchlist
    file ``base`` (its companies are dropped). Names equal after case folding ("APE",
    "Ape") are one company, spelt as first seen, with the symbols of all of them: a
    watchlist refuses such duplicates, and matching folds case anyway. ``profile``
    ("modern" or "seed") overrides the profile ``base`` gives (default: modern).
    """
    config = _projects_config(n, projects, base)
    if profile is not None:
        config["profile"] = profile
    return Watchlist.from_dict(config)


def _projects_config(
    n: int, projects: str | os.PathLike[str], base: str | os.PathLike[str]
) -> dict[str, Any]:
    """The configuration :func:`projects_watchlist` builds its watchlist from."""
    symbols: dict[str, list[str]] = {}
    spelling: dict[str, str] = {}
    with open(projects, encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            rec = json.loads(line)
            key, sym = name_key(rec["name"]), rec["symbol"]
            if key not in symbols:
                if len(symbols) == n:
                    continue
                symbols[key] = []
                spelling[key] = rec["name"]
            if sym not in symbols[key]:
                symbols[key].append(sym)
    if len(symbols) < n:
        raise ValueError(f"{projects}: only {len(symbols)} distinct names, {n} requested")
    config: dict[str, Any] = json.loads(Path(base).read_text(encoding="utf-8"))
    config["companies"] = [{"name": spelling[k], "tokens": v} for k, v in symbols.items()]
    return config


@dataclass(frozen=True)
class BenchWatchlist:
    """One watchlist in the two profiles the libraries need (``docs/matching.md`` §8).

    ``default`` is what the configuration builds, modern unless it says
    ``profile = "seed"``: what a user gets, timed by tgematch's default rows. ``seed`` is
    the same configuration with ``profile = "seed"``, for the libraries that implement
    the seed's semantics and for the ``-seed`` rows. It is None when there is no seed
    variant (``why_no_seed`` says why): a bare modern :class:`Watchlist` cannot be turned
    back into its configuration, and the seed profile refuses what the modern one
    accepts (a rule with a built-in rule's pattern).
    """

    default: Watchlist
    seed: Watchlist | None
    why_no_seed: str = ""

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> BenchWatchlist:
        """Both profiles of a configuration (as :meth:`Watchlist.from_dict` reads it)."""
        return cls._with_seed(Watchlist.from_dict(config), config)

    @classmethod
    def of(cls, watchlist: Watchlist) -> BenchWatchlist:
        """A built watchlist alone: it is its own seed variant only in the seed profile."""
        if watchlist.profile == "seed":
            return cls(watchlist, watchlist)
        return cls(watchlist, None, "no seed-profile watchlist given")

    @classmethod
    def _with_seed(cls, default: Watchlist, config: Mapping[str, Any]) -> BenchWatchlist:
        if default.profile == "seed":
            return cls(default, default)
        try:
            return cls(default, Watchlist.from_dict({**config, "profile": "seed"}))
        except ConfigError as e:
            return cls(default, None, f"not a valid seed-profile watchlist: {e}")

    def get(self, profile: str) -> Watchlist | None:
        """The watchlist for a :attr:`Library.profile` (``"default"`` or ``"seed"``)."""
        return self.seed if profile == "seed" else self.default


def load_watchlist(spec: str | os.PathLike[str]) -> BenchWatchlist:
    """Both profiles of a watchlist spec (see :func:`watchlist_from_spec`)."""
    text = os.fspath(spec)
    if text.startswith("projects:"):
        _, n, projects, base = text.split(":", 3)
        return BenchWatchlist.from_config(_projects_config(int(n), projects, base))
    # from_file first: it validates the file and names it in every error
    default = Watchlist.from_file(text)
    path = Path(text)
    raw = read_regular_file(path, WATCHLIST_MAX_BYTES).decode("utf-8-sig")
    config = json.loads(raw) if path.suffix.lower() == ".json" else tomllib.loads(raw)
    return BenchWatchlist._with_seed(default, config)


def watchlist_from_spec(spec: str, profile: str = "default") -> Watchlist:
    """A watchlist from a spec: a file path, or ``projects:N:PROJECTS.jsonl:BASE.json``.

    ``profile`` is a :attr:`Library.profile`: ``"default"`` (as configured) or
    ``"seed"`` (ValueError when the configuration has no seed variant).
    """
    if profile == "seed":
        bw = load_watchlist(spec)
        if bw.seed is None:
            raise ValueError(f"{spec}: {bw.why_no_seed}")
        return bw.seed
    if spec.startswith("projects:"):
        _, n, projects, base = spec.split(":", 3)
        return projects_watchlist(int(n), projects, base)
    return Watchlist.from_file(spec)
