"""tgematch: find watched crypto companies and token-launch phrases in one pass.

The public surface::

    from tgematch import Watchlist, Matcher
    matcher = Matcher(Watchlist.from_file("watchlist.toml"))
    analysis = matcher.analyze(content, title)

plus the seed-compatible :class:`OptimizedPatternMatcher`. Everything else is private.
"""

from typing import TYPE_CHECKING

from ._loader import BackendChoice, NativeEngineWarning, TgematchWarning
from .compat import OptimizedPatternMatcher
from .matcher import Matcher, default_backend
from .results import Analysis, CompanyHit, ExclusionHit, KeywordHit, Occurrence
from .watchlist import Company, ConfigError, ExclusionRule, KeywordRule, Scoring, Watchlist

__all__ = [
    "Analysis",
    "BackendChoice",
    "Company",
    "CompanyHit",
    "ConfigError",
    "ExclusionHit",
    "ExclusionRule",
    "KeywordHit",
    "KeywordRule",
    "Matcher",
    "NativeEngineWarning",
    "Occurrence",
    "OptimizedPatternMatcher",
    "Scoring",
    "TgematchWarning",
    "Watchlist",
    "default_backend",
]

__version__: str  # set on first use by __getattr__ below


if not TYPE_CHECKING:

    def __getattr__(name: str) -> str:
        # ``__version__`` is read from the installed metadata on first use (the version is
        # written once, in Cargo.toml, and maturin copies it there), so ``import tgematch``
        # does not pay for importlib.metadata.
        if name == "__version__":
            from importlib.metadata import PackageNotFoundError, version

            try:
                value = version("tgematch")
            except PackageNotFoundError:  # a source tree on sys.path, never installed
                value = "0+unknown"
            globals()["__version__"] = value
            return value
        raise AttributeError(f"module 'tgematch' has no attribute {name!r}")
