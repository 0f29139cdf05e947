"""The exit statuses of the ``tgematch`` command (one enum for every command).

Modelled on httpie's ``status.py``: the CLI returns only these values, and the README
documents them. 0 means that every input was read and every record analysed; a scan
that had to skip records still does its work but says so with :attr:`ExitStatus.SKIPPED`
or, when not one document could be read, :attr:`ExitStatus.NOTHING_READ`.
"""

from __future__ import annotations

from enum import IntEnum

__all__ = ["ExitStatus"]


class ExitStatus(IntEnum):
    """Exit statuses of ``tgematch``."""

    #: Success.
    OK = 0
    #: An error: reported as one line on standard error.
    ERROR = 1
    #: Standard output was closed by its reader (``| head``): stop quietly, no message.
    #: The status of Python's documented recipe (and of rich's Console), which a
    #: ``set -o pipefail`` script sees as a failure, as it would the default SIGPIPE death.
    BROKEN_PIPE = 1
    #: An invalid command line (argparse's own status; ``bench`` uses it for bad options).
    USAGE = 2
    #: Some records or inputs were skipped (malformed, missing the text field, undecodable,
    #: empty, unreadable; each reported on standard error with file and line); every
    #: other document was analysed and stored.
    SKIPPED = 3
    #: Records or inputs were skipped and not one document could be read.
    NOTHING_READ = 4
    #: Interrupted by Ctrl-C (128 + SIGINT, as shells report it).
    INTERRUPTED = 130
    #: Stopped by SIGTERM (128 + 15); a scan records the interrupted feed's error first.
    TERMINATED = 143
