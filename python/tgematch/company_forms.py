"""How each phrase of a company matches: the modern profile's decisions (docs §8.1).

The compiler asks :func:`company_forms` what to emit for a company; this module alone
decides which names are ordinary words, which tickers are prices and what can never
match, so the reasons the compiler reports and ``tgematch explain`` shows come from the
same place.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from . import rules
from ._common_words import zipf
from ._text import normalize_phrase, normalize_spaces
from .syntax import cashtag

if TYPE_CHECKING:
    from .watchlist import Company

__all__ = ["CompanyForms", "PhraseDecision", "company_forms", "is_amount", "is_copy", "ordinary"]

# "100k", "5M", "1.5b", "100x", "4": amounts and multipliers, not tickers.
_AMOUNT = re.compile(r"\$?\d+(?:[.,]\d+)?[kmbx]?")
_WORDS = re.compile(r"\w+")
# A letter: a word character that is neither a digit nor "_" (str.isalpha, for the
# scripts names use), found by one regex search instead of a Python loop per character:
# compiling the 10,000-project list checks some 40,000 phrases.
_LETTER = re.compile(r"[^\W\d_]")


def is_amount(symbol: str) -> bool:
    """True when a (normalised) ticker symbol reads as an amount: ``$1``, ``$100k``."""
    return _AMOUNT.fullmatch(symbol) is not None


def _letters(phrase: str) -> int:
    # the regex narrows to candidates, isalpha decides (a few \w non-digits such as
    # "²" are not letters)
    return sum(c.isalpha() for c in _LETTER.findall(phrase))


def _has_letter(phrase: str) -> bool:
    return _LETTER.search(phrase) is not None and _letters(phrase) > 0


def ordinary(phrase: str) -> tuple[bool, str]:
    """Whether a name is an ordinary word (every lettered word at least ORDINARY_ZIPF
    frequent in English, or crypto slang), and the figures that say so."""
    # folded with the shipped table (the engines' fold), not the interpreter's str.lower
    words = [w for w in _WORDS.findall(normalize_phrase(phrase)) if _has_letter(w)]
    if not words:
        return False, "no word"
    threshold = rules.ORDINARY_ZIPF
    slang = rules.CRYPTO_SLANG
    if all(w in slang for w in words):
        return True, "crypto slang"
    freq = [(w, zipf(w)) for w in words]
    shown = ", ".join(f"{w!r} {z:.1f}" for w, z in freq)
    ok = all(z >= threshold or w in slang for w, z in freq)
    return ok, f"Zipf {shown} (threshold {threshold})"


def is_copy(name: str) -> bool:
    """True when a company's name says it is a bridged, pegged or wrapped copy of another
    token ("Binance-Peg SHIB", "Bridged Ether (StarkGate)", "Wrapped Bitcoin")."""
    return any(w in rules.COPY_MARKERS for w in _WORDS.findall(normalize_phrase(name)))


@dataclass(frozen=True, slots=True)
class PhraseDecision:
    """How one name, alias or ticker of a company matches, and why."""

    where: str  # "companies[3].aliases[0]"
    phrase: str  # as configured
    mode: str  # "any_case", "exact_case", "cashtag" (ticker), "never", "cashtag_only"
    reason: str


@dataclass(frozen=True, slots=True)
class CompanyForms:
    """What the compiler emits for one company."""

    any_case: tuple[str, ...]  # normalised (folded) phrases
    exact_case: tuple[str, ...]  # normalised, not folded
    tickers: tuple[str, ...]  # cashtag phrases, normalised (folded)
    copy: bool = False  # a bridged/pegged/wrapped copy: its cashtags count only with its name
    decisions: tuple[PhraseDecision, ...] = field(default=())


def company_forms(company: Company, index: int, modern: bool) -> CompanyForms:
    """The phrases company ``index`` matches with, per case rule, and the decisions."""
    where = f"companies[{index}]"
    if not modern:
        phrases = (company.name, *company.aliases)
        return CompanyForms(
            tuple(normalize_phrase(p) for p in phrases),
            (),
            tuple(cashtag(t) for t in company.tokens),
        )
    any_case: list[str] = []
    exact: list[str] = []
    tickers: list[str] = []
    decisions: list[PhraseDecision] = []
    named = [(f"{where}.name", company.name)] + [
        (f"{where}.aliases[{j}]", a) for j, a in enumerate(company.aliases)
    ]
    for at, phrase in named:
        if not _has_letter(phrase):
            decisions.append(PhraseDecision(at, phrase, "never", "has no letter"))
            continue
        mode = company.match
        reason = f"match = {mode!r}"
        # "written with a capital": folding changes it, by the engines' own fold table
        capital = normalize_phrase(phrase) != normalize_spaces(phrase)
        letters = _letters(phrase) if mode == "auto" and capital else 0
        if mode == "auto" and letters <= rules.SHORT_NAME and capital:
            mode = "exact_case"
            reason = f"a short name ({letters} letters): exact case"
        elif mode == "auto":
            is_ordinary, figures = ordinary(phrase)
            if not is_ordinary:
                mode, reason = "any_case", f"not an ordinary word ({figures})"
            elif capital:
                mode, reason = "exact_case", f"an ordinary word ({figures}): exact case"
            else:
                mode = "cashtag"
                reason = f"an ordinary word written in lower case ({figures}): cashtags only"
        if mode == "any_case":
            any_case.append(normalize_phrase(phrase))
        elif mode == "exact_case":
            exact.append(normalize_spaces(phrase))
        else:
            mode = "cashtag_only"
        decisions.append(PhraseDecision(at, phrase, mode, reason))
    for j, symbol in enumerate(company.tokens):
        at = f"{where}.tokens[{j}]"
        tag = cashtag(symbol)
        if not _has_letter(tag):
            decisions.append(PhraseDecision(at, symbol, "never", "a ticker without a letter"))
        elif is_amount(tag):
            decisions.append(PhraseDecision(at, symbol, "never", "reads as an amount (a price)"))
        else:
            tickers.append(tag)
            decisions.append(PhraseDecision(at, symbol, "cashtag", f"matches as {tag}"))
    copy = is_copy(company.name)
    return CompanyForms(tuple(any_case), tuple(exact), tuple(tickers), copy, tuple(decisions))
