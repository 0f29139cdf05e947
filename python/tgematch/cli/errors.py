"""How the command line fails: :class:`CliError`, and how :func:`run` maps every error
to an :class:`~tgematch.exit_status.ExitStatus` and one line on standard error.

A failure is never a traceback: a user error (bad input, bad watchlist, unreachable
database) is a :class:`CliError` or :class:`~tgematch.inputs.InputError`; a missing
optional module names the extra to install; a closed or full standard output, Ctrl-C and
SIGTERM each have their own status.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sys
import threading
import warnings
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from tgematch.exit_status import ExitStatus
from tgematch.inputs import InputError

from .render import clean, one_line

if TYPE_CHECKING:
    from rich.console import Console

__all__ = [
    "EXTRAS",
    "PROG",
    "CliError",
    "Terminated",
    "missing_extra",
    "one_line_warnings",
    "run",
    "silence_stdout",
]

PROG = "tgematch"

#: The extra that installs a module the command line may miss (top-level name).
EXTRAS = {
    "rich": "cli",
    "sqlalchemy": "cli",
    "alembic": "cli",
    "psycopg": "postgres",
}


class CliError(Exception):
    """An error reported as one line on stderr, with exit status 1."""


class Terminated(BaseException):
    """Raised in the main thread on SIGTERM, so that a scan stops like on Ctrl-C."""


def _on_sigterm(signum: int, frame: object) -> None:
    raise Terminated


def missing_extra(exc: BaseException) -> str | None:
    """One line naming the extra to install, when ``exc`` is a missing optional module."""
    if not isinstance(exc, ModuleNotFoundError) or not exc.name:
        return None
    top = exc.name.split(".")[0]
    extra = EXTRAS.get(top)
    if extra is None:
        return None
    what = "PostgreSQL databases need" if extra == "postgres" else "the command line needs"
    return f"{what} the '{extra}' extra ({top} is not installed): pip install 'tgematch[{extra}]'"


def silence_stdout() -> None:
    """Point stdout at devnull: its reader closed it (``| head``), so the flush at exit
    must not fail a second time."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


@contextlib.contextmanager
def one_line_warnings() -> Iterator[None]:
    """Show tgematch's own warnings as one ``tgematch: warning: ...`` line on stderr."""
    from tgematch import TgematchWarning

    with warnings.catch_warnings():  # restores showwarning afterwards
        previous = warnings.showwarning

        def show(
            message: Warning | str,
            category: type[Warning],
            filename: str,
            lineno: int,
            file: Any = None,
            line: str | None = None,
        ) -> None:
            if issubclass(category, TgematchWarning):
                sys.stderr.write(f"{PROG}: warning: {clean(one_line(str(message)))}\n")
            else:
                previous(message, category, filename, lineno, file, line)

        warnings.showwarning = show
        yield


Handler = Callable[[argparse.Namespace, "Console", "Console"], int]


def run(handler: Handler, args: argparse.Namespace, out: Console, err: Console) -> int:
    """Run a command's ``handler``; its exit status, or the status of what it raised."""
    previous = None
    # signal.signal works only in the main thread (tests call main() from others).
    if threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        with one_line_warnings():
            status = handler(args, out, err)
        # Flushed here so that a full disk is reported like any other write error.
        sys.stdout.flush()
        return status
    except ModuleNotFoundError as exc:
        missing = missing_extra(exc)
        if missing is None:
            raise
        err.print(f"{PROG}: error: {missing}", markup=False, highlight=False)
        return ExitStatus.ERROR
    except (CliError, InputError) as exc:
        # The message may quote input (a path, a URL, a watchlist entry).
        err.print(
            f"{PROG}: error: {clean(str(exc))}",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
        return ExitStatus.ERROR
    except BrokenPipeError:
        # Python's documented recipe: the reader closed stdout (`| head`); point stdout at
        # devnull so the flush at exit does not fail again, and stop quietly (rich's
        # Console does the same for what it prints).
        silence_stdout()
        return ExitStatus.BROKEN_PIPE
    except OSError as exc:
        # Reading errors are InputError/CliError by now: what is left is writing the
        # output (a full disk, /dev/full, an I/O error).
        silence_stdout()
        detail = exc.strerror or str(exc)
        err.print(
            f"{PROG}: error: cannot write output: {detail}",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
        return ExitStatus.ERROR
    except KeyboardInterrupt:
        err.print(f"{PROG}: interrupted", markup=False)
        return ExitStatus.INTERRUPTED
    except Terminated:
        err.print(f"{PROG}: terminated", markup=False)
        return ExitStatus.TERMINATED
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
