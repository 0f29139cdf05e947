"""Character classes and folding derived from the shipped Unicode tables.

Everything here is built from :mod:`tgematch._unicode` (generated from Unicode 14.0.0 by
``tools/gen_unicode.py``), never from the running interpreter's ``str.lower`` or
``str.isalnum``, so results do not change with the Python version.
"""

from __future__ import annotations

import re

from ._unicode import FOLD_PAIRS, NOSP_RANGES, SPACE_RANGES, WORD_RANGES

WORD = 1
SPACE = 2
NOSP = 4
GLUE = 8  # word and not nosp: the only characters that can glue to a neighbour

MAX_CODEPOINT = 0x10FFFF


def _build_classes() -> bytes:
    cls = bytearray(MAX_CODEPOINT + 1)
    for lo, hi in WORD_RANGES:
        cls[lo : hi + 1] = bytes([WORD]) * (hi - lo + 1)
    for bit, ranges in ((SPACE, SPACE_RANGES), (NOSP, NOSP_RANGES)):
        table = bytes(v | bit for v in range(256))
        for lo, hi in ranges:
            cls[lo : hi + 1] = cls[lo : hi + 1].translate(table)
    glue = bytes(v | GLUE if (v & WORD and not v & NOSP) else v for v in range(256))
    return bytes(cls.translate(glue))


CLASSES: bytes = _build_classes()
"""Per code point bit set of WORD, SPACE, NOSP and GLUE."""

SPACE_CHARS: str = "".join(chr(c) for lo, hi in SPACE_RANGES for c in range(lo, hi + 1))

FOLD_SPACE_TABLE: dict[int, str] = {c: chr(f) for c, f in FOLD_PAIRS}
FOLD_SPACE_TABLE.update({ord(c): " " for c in SPACE_CHARS})
"""``str.translate`` table: fold every character, turn every space character into U+0020."""

_RUNS = re.compile("  +")


def fold_space(text: str) -> str:
    """Fold ``text`` and map every space character to U+0020 (length-preserving)."""
    return text.translate(FOLD_SPACE_TABLE)


def fold_char(c: str) -> str:
    """Fold one character with the shipped table (space characters are not changed)."""
    return FOLD_SPACE_TABLE.get(ord(c), c) if not is_space(c) else c


def is_space(c: str) -> bool:
    """``space(c)`` of the contract."""
    return bool(CLASSES[ord(c)] & SPACE)


def is_word(c: str) -> bool:
    """``word(c)`` of the contract."""
    return bool(CLASSES[ord(c)] & WORD)


def is_nosp(c: str) -> bool:
    """``nosp(c)`` of the contract."""
    return bool(CLASSES[ord(c)] & NOSP)


def glued(a: str, b: str) -> bool:
    """True when adjacent characters ``a b`` are glued (contract §2)."""
    return bool(CLASSES[ord(a)] & CLASSES[ord(b)] & GLUE)


def normalize_phrase(phrase: str) -> str:
    """Normalise a phrase: fold, every run of space characters becomes one space, strip."""
    return _RUNS.sub(" ", fold_space(phrase)).strip(" ")


SPACE_TABLE: dict[int, str] = {ord(c): " " for c in SPACE_CHARS}


def normalize_spaces(phrase: str) -> str:
    """A phrase as written, spaces normalised but not folded: every run of space
    characters becomes one space, stripped (``fold`` of it is :func:`normalize_phrase`)."""
    return _RUNS.sub(" ", phrase.translate(SPACE_TABLE)).strip(" ")


def collapse_spaces(folded: str) -> str:
    """Merge runs of U+0020 into one (the text must already be folded with :func:`fold_space`)."""
    return _RUNS.sub(" ", folded)
