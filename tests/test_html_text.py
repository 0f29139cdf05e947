"""HTML in text fields: what ``tgematch scan`` analyses (issue 11, item 5)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import tgematch
from tgematch.html_text import carries_html, decode_field, html_to_text
from tgematch.inputs import Fields, InputFile, read_input

CASES = [
    # (field as scraped, text the scan analyses)
    ("Curvance &amp; Fabric", "Curvance & Fabric"),
    ("It&#8217;s live &#x2014; claim", "It\u2019s live \u2014 claim"),
    ("<p>Caldera</p><p>TGE</p>", "\nCaldera\n\nTGE\n"),
    ("<b>Cal</b>dera <a href='x'>launch</a>", "Caldera launch"),
    ("one<br/>two<br>three", "one\ntwo\nthree"),
    ("<script>var tge = 1;</script>visible", "visible"),
    ("a <!-- hidden TGE --> b", "a  b"),
]


@pytest.mark.parametrize(("raw", "text"), CASES)
def test_html_fields_become_the_text_a_reader_sees(raw: str, text: str) -> None:
    assert carries_html(raw)
    assert html_to_text(raw) == text
    assert decode_field(raw) == text
    assert decode_field(raw, "never") == raw


@pytest.mark.parametrize(
    "plain", ["no markup at all", "a < b and c > 1", "AT&T and R&D", "5 &lt 6", "$CAL <3"]
)
def test_plain_text_is_left_alone(plain: str) -> None:
    assert not carries_html(plain)
    assert decode_field(plain) == plain


def test_unknown_mode_is_an_error() -> None:
    with pytest.raises(ValueError, match="html mode"):
        decode_field("<p>x</p>", "sometimes")


def test_scan_reads_decoded_fields_and_offsets_index_them(tmp_path: Path) -> None:
    rec = {"title": "Caldera &amp; Fabric", "content": "<p>The Caldera TGE &#8212; live</p>"}
    path = tmp_path / "docs.jsonl"
    path.write_text(json.dumps(rec) + "\n", encoding="utf-8")
    inp = InputFile(str(path), path.name, path.name, "jsonl", path.stat().st_size)
    (doc,) = list(read_input(inp, Fields()))
    assert isinstance(doc, tgematch.inputs.Document)
    assert doc.title == "Caldera & Fabric"
    assert doc.content == "\nThe Caldera TGE \u2014 live\n"
    m = tgematch.Matcher(tgematch.Watchlist.from_dict({"companies": [{"name": "Caldera"}]}))
    a = m.analyze(doc.content, doc.title)
    scanned = f"{doc.title}\n{doc.content}"
    assert [scanned[s:e] for c in a.companies for s, e in c.spans] == ["Caldera", "Caldera"]
    (raw,) = list(read_input(inp, Fields(html="never")))
    assert isinstance(raw, tgematch.inputs.Document) and raw.content == rec["content"]
