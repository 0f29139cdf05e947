"""Text fields that carry HTML, turned into the text a reader sees.

Scraped articles and tweets often arrive with markup (``<p>``, ``<a href=...>``) and
entities (``&amp;``, ``&#8217;``). Matched as they are, ``&amp;`` is the word "amp" (the
project "Amp" matched it 95 times in the shared tweets) and a tag glues or splits words.
``tgematch scan`` therefore decodes a field that carries HTML before the analysis; the
analysis, its offsets and the stored document are of the decoded text.

Standard library only: :func:`html.unescape` decodes entities exactly as HTML5 does.
"""

from __future__ import annotations

import html
import re

__all__ = ["HTML_MODES", "carries_html", "decode_field", "html_to_text"]

HTML_MODES = ("auto", "always", "never")
"""``auto``: decode a field when it carries HTML (:func:`carries_html`); ``always``;
``never``: analyse every field as it is."""

_TAG = re.compile(
    r"<(?:[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?|/[A-Za-z][A-Za-z0-9-]*\s*|!--.*?--)>", re.S
)
_ENTITY = re.compile(r"&(?:[A-Za-z][A-Za-z0-9]{1,31}|#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6});")
# Elements whose content is never shown, removed with their content.
_HIDDEN = re.compile(r"<(script|style|template)\b[^>]*>.*?</\1\s*>", re.S | re.I)
# Elements that end a line or block: replaced by a newline so that words on both sides
# stay apart ("<p>Caldera</p><p>TGE</p>"); any other tag (<b>, <a>, <span>) is removed
# without a trace, so "<b>Cal</b>dera" reads "Caldera" as a browser shows it.
_BREAK = re.compile(
    r"</?(?:p|div|br|hr|li|ul|ol|h[1-6]|tr|td|th|table|blockquote|section|article|header|"
    r"footer|pre|dd|dt|dl|figure|figcaption|nav|aside|main)\b[^<>]*>",
    re.I,
)


def carries_html(text: str) -> bool:
    """True when ``text`` holds an HTML tag or a character reference (``&amp;``)."""
    return ("<" in text and _TAG.search(text) is not None) or (
        "&" in text and _ENTITY.search(text) is not None
    )


def html_to_text(text: str) -> str:
    """The text of an HTML fragment: hidden elements and comments dropped, block tags
    turned into line breaks, other tags removed, entities decoded."""
    out = _HIDDEN.sub("", text)
    out = _BREAK.sub("\n", out)
    out = _TAG.sub("", out)
    return html.unescape(out)


def decode_field(text: str, mode: str = "auto") -> str:
    """``text`` as the scan analyses it under ``mode`` (one of :data:`HTML_MODES`)."""
    if mode == "never" or (mode == "auto" and not carries_html(text)):
        return text
    if mode not in HTML_MODES:
        raise ValueError(f"html mode must be one of {', '.join(HTML_MODES)}, not {mode!r}")
    return html_to_text(text)
