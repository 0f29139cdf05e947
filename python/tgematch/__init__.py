"""tgematch: find watched crypto companies and token-launch phrases in one pass.

The public surface::

    from tgematch import Watchlist, Matcher
    matcher = Matcher(Watchlist.from_file("watchlist.toml"))
    analysis = matcher.analyze(content, title)

plus the seed-compatible :class:`OptimizedPatternMatcher`. Everything else is private.
"""

from .compat import OptimizedPatternMatcher
from .matcher import Matcher, default_backend
from .results import Analysis, CompanyHit, ExclusionHit, KeywordHit, Occurrence
from .watchlist import Company, ConfigError, ExclusionRule, KeywordRule, Scoring, Watchlist

__all__ = [
    "Analysis",
    "Company",
    "CompanyHit",
    "ConfigError",
    "ExclusionHit",
    "ExclusionRule",
    "KeywordHit",
    "KeywordRule",
    "Matcher",
    "Occurrence",
    "OptimizedPatternMatcher",
    "Scoring",
    "Watchlist",
    "default_backend",
]

__version__ = "0.1.0"
