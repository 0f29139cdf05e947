"""Making text from documents and the database safe to print on a terminal.

Document text is hostile input: an ESC sequence in a title can clear the screen, change
colours or set the window title; bidi controls can reorder what the reader sees. Every
string the CLI prints from a document or the database (titles, snippets, company names,
paths, ids, error messages quoting input) goes through :func:`printable`, and every
JSON line through :func:`json_line`.

What :func:`printable` replaces, one character for one (so that match offsets into the
text stay valid for highlighting):

* C0 controls U+0000-U+001F except tab and newline (kept only with ``layout=True``):
  by their Unicode control picture (U+2400 + code, e.g. ESC -> U+241B);
* DEL U+007F: by U+2421;
* C1 controls U+0080-U+009F (U+009B is a one-byte CSI), the bidi embeddings and
  overrides U+202A-U+202E, the bidi isolates U+2066-U+2069, and lone surrogates
  (which no terminal encoding can write): by U+FFFD.

Rich markup is a separate concern: the CLI hands document text to rich only as
:class:`rich.text.Text` or with ``markup=False``, never as a markup string.
"""

from __future__ import annotations

import json
import re
from typing import Any

__all__ = ["json_line", "printable"]

_C0_ONE_LINE = "\x00-\x1f"
_C0_LAYOUT = "\x00-\x08\x0b-\x1f"  # keeps \t (0x09) and \n (0x0a)
_OTHER = "\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff"
_UNSAFE = re.compile(f"[{_C0_ONE_LINE}{_OTHER}]")
_UNSAFE_LAYOUT = re.compile(f"[{_C0_LAYOUT}{_OTHER}]")
# In JSON text these characters can only occur inside strings, where \uXXXX is valid.
_JSON_UNSAFE = re.compile(f"[{_OTHER}]")


def _replacement(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x20:
        return chr(0x2400 + code)
    if code == 0x7F:
        return "\u2421"
    return "\ufffd"


def printable(text: str, *, layout: bool = False) -> str:
    """``text`` with terminal control characters replaced (see the module docstring).

    ``layout=True`` keeps tab and newline, for text printed as a block (``explain``).
    The result has the same length as ``text``.
    """
    return (_UNSAFE_LAYOUT if layout else _UNSAFE).sub(_replacement, text)


def json_line(payload: Any) -> str:
    """``payload`` as one line of JSON safe for a terminal, non-ASCII text kept readable.

    ``json.dumps`` escapes C0 controls; this also escapes DEL, C1 controls, bidi
    controls and lone surrogates as ``\\uXXXX`` (the value read back is unchanged).
    """
    line = json.dumps(payload, ensure_ascii=False)
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", line)
