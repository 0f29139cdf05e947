//! Generalized UTF-8 and the normalised text `C` of docs/matching.md §2.
//!
//! Text is a byte slice in *generalized* UTF-8: UTF-8 in which lone surrogates
//! (U+D800..U+DFFF) may appear, each encoded on its own in the 3-byte form (what Python's
//! `str.encode("utf-8", "surrogatepass")` produces). Every code point of the Python `str`
//! is exactly one decoded code point here, so code point indices are `str` indices.
//! Decoding never fails: a byte that does not start a well-formed sequence decodes as
//! U+FFFD on its own (this cannot happen for text coming from a Python `str`).

use super::tables::{ascii_norm_formula, tables};

/// The replacement for a malformed byte.
const REPLACEMENT: u32 = 0xFFFD;

#[inline]
fn cont(bytes: &[u8], i: usize) -> Option<u32> {
    match bytes.get(i) {
        Some(&b) if b & 0xC0 == 0x80 => Some(u32::from(b & 0x3F)),
        _ => None,
    }
}

/// Decodes the code point starting at byte `i` (`i < bytes.len()`), returning it and
/// its length in bytes. Surrogates decode as themselves; malformed bytes as U+FFFD.
#[inline]
pub fn decode_at(bytes: &[u8], i: usize) -> (u32, usize) {
    let b0 = match bytes.get(i) {
        Some(&b) => b,
        None => return (REPLACEMENT, 1),
    };
    if b0 < 0x80 {
        return (u32::from(b0), 1);
    }
    match b0 {
        0xC2..=0xDF => {
            if let Some(c1) = cont(bytes, i + 1) {
                return ((u32::from(b0 & 0x1F) << 6) | c1, 2);
            }
        }
        0xE0..=0xEF => {
            if let (Some(c1), Some(c2)) = (cont(bytes, i + 1), cont(bytes, i + 2)) {
                let cp = (u32::from(b0 & 0x0F) << 12) | (c1 << 6) | c2;
                if cp >= 0x800 {
                    return (cp, 3);
                }
            }
        }
        0xF0..=0xF4 => {
            if let (Some(c1), Some(c2), Some(c3)) =
                (cont(bytes, i + 1), cont(bytes, i + 2), cont(bytes, i + 3))
            {
                let cp = (u32::from(b0 & 0x07) << 18) | (c1 << 12) | (c2 << 6) | c3;
                if (0x1_0000..=0x10_FFFF).contains(&cp) {
                    return (cp, 4);
                }
            }
        }
        _ => {}
    }
    (REPLACEMENT, 1)
}

/// Length in bytes of the generalized UTF-8 encoding of `cp`.
#[inline]
pub fn encoded_len(cp: u32) -> usize {
    match cp {
        0..=0x7F => 1,
        0x80..=0x7FF => 2,
        0x800..=0xFFFF => 3,
        _ => 4,
    }
}

/// Appends the generalized UTF-8 encoding of `cp` (a surrogate gets its 3-byte form).
#[inline]
pub fn push_cp(out: &mut Vec<u8>, cp: u32) {
    match cp {
        0..=0x7F => out.push(cp as u8),
        0x80..=0x7FF => out.extend_from_slice(&[0xC0 | (cp >> 6) as u8, 0x80 | (cp & 0x3F) as u8]),
        0x800..=0xFFFF => out.extend_from_slice(&[
            0xE0 | (cp >> 12) as u8,
            0x80 | ((cp >> 6) & 0x3F) as u8,
            0x80 | (cp & 0x3F) as u8,
        ]),
        _ => out.extend_from_slice(&[
            0xF0 | ((cp >> 18) & 0x07) as u8,
            0x80 | ((cp >> 12) & 0x3F) as u8,
            0x80 | ((cp >> 6) & 0x3F) as u8,
            0x80 | (cp & 0x3F) as u8,
        ]),
    }
}

/// The room [`push_utf8`] reserves for `n` code points: enough for text that is mostly
/// ASCII with a few wider characters (curly quotes, accents: a news article), so that
/// encoding it never reallocates and copies.
pub fn utf8_room(n: usize) -> usize {
    n + n / 8 + 64
}

/// Appends the generalized UTF-8 encoding of the code points `cps` (what Python's
/// `str.encode("utf-8", "surrogatepass")` gives for the `str` of those code points).
/// Each ASCII run, most of any text, is measured in blocks of eight code points and then
/// narrowed in one pass (loops the compiler vectorises); the code points after a run,
/// up to the next block, are encoded one by one.
pub fn push_utf8(cps: &[u32], out: &mut Vec<u8>) {
    out.reserve(utf8_room(cps.len()));
    let mut rest = cps;
    while !rest.is_empty() {
        let ascii = rest
            .chunks_exact(8)
            .take_while(|chunk| chunk.iter().fold(0, |acc, &c| acc | c) < 0x80)
            .count()
            * 8;
        out.extend(rest[..ascii].iter().map(|&c| c as u8));
        rest = &rest[ascii..];
        let slow = rest.len().min(8);
        for &c in &rest[..slow] {
            push_cp(out, c);
        }
        rest = &rest[slow..];
    }
}

/// Decodes a whole string strictly: `None` when some byte is malformed.
pub fn decode_all(bytes: &[u8]) -> Option<Vec<u32>> {
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let (cp, len) = decode_at(bytes, i);
        if cp == REPLACEMENT && !bytes[i..].starts_with("\u{FFFD}".as_bytes()) {
            return None;
        }
        out.push(cp);
        i += len;
    }
    Some(out)
}

/// Length of the run of ASCII bytes at the start of `bytes`.
#[inline]
fn ascii_prefix(bytes: &[u8]) -> usize {
    // Whole 8-byte words first: most runs are long.
    let mut n = 0;
    for chunk in bytes.chunks_exact(8) {
        let word = u64::from_le_bytes([
            chunk[0], chunk[1], chunk[2], chunk[3], chunk[4], chunk[5], chunk[6], chunk[7],
        ]);
        if word & 0x8080_8080_8080_8080 != 0 {
            break;
        }
        n += 8;
    }
    n + bytes[n..]
        .iter()
        .position(|&b| b >= 0x80)
        .unwrap_or(bytes.len() - n)
}

/// Where `C` and the original text stop advancing in lockstep.
///
/// Between two anchors every character is ASCII in the text and one byte of `C` (one code
/// point, one text byte, one `C` byte), so the position of any `C` byte follows from the
/// last anchor at or before it. An anchor is recorded after every character that breaks
/// that rule: a non-ASCII character (its fold may differ in length) and a space dropped
/// by collapsing.
#[derive(Clone, Debug, Default)]
pub struct TextMap {
    /// `(C byte offset, text byte offset, code point index)`, by `C` offset; several
    /// anchors may share a `C` offset (consecutive dropped spaces): the last one counts.
    anchors: Vec<(usize, usize, usize)>,
    /// Code point indices of U+000A, when asked for.
    pub newlines: Vec<usize>,
}

impl TextMap {
    fn clear(&mut self) {
        self.anchors.clear();
        self.newlines.clear();
    }
}

/// The normalised text `C` (docs §2) of `text`: spaces mapped to `' '`, everything else
/// folded, runs of `' '` collapsed to one. Written into `out` (cleared first).
pub fn normalise_into(text: &[u8], out: &mut Vec<u8>) {
    normalise_mapped(text, out, &mut TextMap::default(), false);
}

/// [`normalise_into`], also filling `map` (cleared first) with the anchors that
/// [`point_at`] needs and, when `newlines` is set, the indices of U+000A.
pub fn normalise_mapped(text: &[u8], out: &mut Vec<u8>, map: &mut TextMap, newlines: bool) {
    let t = tables();
    out.clear();
    map.clear();
    out.reserve(text.len());
    // ASCII runs, most of any tweet or article, are copied and normalised in bulk (by
    // arithmetic the compiler vectorises); only a run holding two spaces in a row is
    // walked again, to collapse them.
    let mut index = 0usize;
    let mut i = 0;
    while i < text.len() {
        if t.ascii_closed {
            let run = ascii_prefix(&text[i..]);
            if run > 0 {
                let src = &text[i..i + run];
                let base = out.len();
                out.extend_from_slice(src);
                let dst = &mut out[base..];
                if t.ascii_norm_is_formula {
                    for d in dst.iter_mut() {
                        *d = ascii_norm_formula(*d);
                    }
                } else {
                    for d in dst.iter_mut() {
                        *d = t.ascii_norm[usize::from(*d & 0x7F)];
                    }
                }
                if newlines {
                    map.newlines
                        .extend(memchr::memchr_iter(b'\n', src).map(|k| index + k));
                }
                let from = base.saturating_sub(1);
                if t.double_space.find(&out[from..]).is_some() {
                    collapse_run(out, base, i, index, &mut map.anchors);
                }
                i += run;
                index += run;
                continue;
            }
        }
        let (cp, len) = decode_at(text, i);
        let c_before = out.len();
        if t.is_space(cp) {
            if newlines && cp == 0x0A {
                map.newlines.push(index);
            }
            if out.last() != Some(&b' ') {
                out.push(b' ');
            }
        } else {
            push_cp(out, t.fold(cp));
        }
        i += len;
        index += 1;
        if len != 1 || out.len() - c_before != 1 {
            map.anchors.push((out.len(), i, index));
        }
    }
}

/// Collapses runs of `' '` in `out[base..]` (an ASCII run of the text starting at byte
/// `t_base`, code point `index`, just appended; the byte before `base` counts too),
/// recording an anchor after every space dropped.
fn collapse_run(
    out: &mut Vec<u8>,
    base: usize,
    t_base: usize,
    index: usize,
    anchors: &mut Vec<(usize, usize, usize)>,
) {
    let mut w = base;
    let mut prev_space = base > 0 && out[base - 1] == b' ';
    for k in 0..out.len() - base {
        let b = out[base + k];
        if b == b' ' && prev_space {
            anchors.push((w, t_base + k + 1, index + k + 1));
            continue;
        }
        out[w] = b;
        w += 1;
        prev_space = b == b' ';
    }
    out.truncate(w);
}

/// Normalises a phrase or literal the way the text is normalised (used by tests).
pub fn normalise(text: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    normalise_into(text, &mut out);
    out
}

/// What the walk learns about the original character that produced `C[q]`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Point {
    /// Code point index in the original text.
    pub index: usize,
    /// Byte offset of `T[index]` in the original text.
    pub byte: usize,
    /// `T[index - 1]`, if any.
    pub prev: Option<u32>,
    /// `T[index]`.
    pub cur: u32,
    /// `T[index + 1]`, if any.
    pub next: Option<u32>,
}

/// The code point that ends just before byte `t` (`0 < t <= text.len()`), decoded as the
/// forward decoder does: every byte that is not a continuation byte starts a character
/// there, so the character ending at `t` starts at the nearest such byte within four,
/// unless that one's sequence does not end at `t` (then byte `t - 1` is malformed alone).
fn decode_before(text: &[u8], t: usize) -> u32 {
    let lo = t.saturating_sub(4);
    let mut j = t - 1;
    while j > lo && text[j] & 0xC0 == 0x80 {
        j -= 1;
    }
    let (cp, len) = decode_at(text, j);
    if j + len == t {
        cp
    } else {
        REPLACEMENT
    }
}

/// The original character producing the (non-space) character at byte offset `q` of
/// `C`, from the anchors `map` that [`normalise_mapped`] recorded while producing `c` from
/// `text` (one binary search). An offset that is not the start of a non-space character
/// of `C` gets `None`.
#[inline]
pub fn point_at(text: &[u8], c: &[u8], map: &TextMap, q: usize) -> Option<Point> {
    let b = *c.get(q)?;
    if b == b' ' || b & 0xC0 == 0x80 {
        return None;
    }
    let k = map.anchors.partition_point(|&(ac, _, _)| ac <= q);
    let (ac, at, ai) = if k == 0 {
        (0, 0, 0)
    } else {
        map.anchors[k - 1]
    };
    let (t, index) = (at + (q - ac), ai + (q - ac));
    if t >= text.len() {
        return None;
    }
    let (cur, len) = decode_at(text, t);
    Some(Point {
        index,
        byte: t,
        prev: (t > 0).then(|| decode_before(text, t)),
        cur,
        next: (t + len < text.len()).then(|| decode_at(text, t + len).0),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Python's `s.encode("utf-8", "surrogatepass")` for a sequence of code points.
    pub(crate) fn gen_utf8(cps: &[u32]) -> Vec<u8> {
        let mut out = Vec::new();
        for &c in cps {
            push_cp(&mut out, c);
        }
        out
    }

    #[test]
    fn push_utf8_encodes_like_surrogatepass() {
        let mut cps: Vec<u32> = (0..40).map(|i| 0x61 + i % 26).collect();
        cps.extend([
            0xE9, 0xD83D, 0xDE00, 0x1F600, 0x10_FFFF, 0x7F, 0x80, 0x7FF, 0x800,
        ]);
        cps.extend((0..17).map(|i| 0x30 + i));
        for start in 0..cps.len() {
            let mut out = vec![b'x'];
            push_utf8(&cps[start..], &mut out);
            assert_eq!(out[1..], gen_utf8(&cps[start..]), "from {start}");
        }
    }

    #[test]
    fn decode_roundtrip_with_surrogates() {
        let cps = [
            0x41, 0xE9, 0xD83D, 0xDE00, 0x1F600, 0x3000, 0xFFFD, 0x10_FFFF,
        ];
        let bytes = gen_utf8(&cps);
        assert_eq!(decode_all(&bytes).unwrap(), cps);
        // A surrogate pair written as two lone surrogates stays two code points.
        assert_eq!(bytes[3..9], [0xED, 0xA0, 0xBD, 0xED, 0xB8, 0x80]);
    }

    #[test]
    fn malformed_bytes_decode_as_replacement_without_panicking() {
        for bad in [
            &[0xFFu8][..],
            &[0xE2, 0x82],
            &[0xF0, 0x9F, 0x98],
            &[0xC0, 0x80],
            &[0x80],
        ] {
            assert!(decode_all(bad).is_none(), "{bad:?}");
            let mut out = Vec::new();
            let mut map = TextMap::default();
            normalise_mapped(bad, &mut out, &mut map, true);
            for q in 0..10 {
                let _ = point_at(bad, &out, &map, q);
            }
        }
    }

    #[test]
    fn normalise_folds_and_collapses() {
        let cases: &[(&str, &str)] = &[
            ("Hello  World", "hello world"),
            ("a\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f b", "a b"),
            ("A\u{00A0}\u{3000}\u{2003}B", "a b"),
            ("  lead and trail  ", " lead and trail "),
            ("ÉCOLE \u{212A}elvin İ", "école kelvin İ"),
            ("\u{10400}", "\u{10428}"),
        ];
        for (input, expected) in cases {
            assert_eq!(
                normalise(input.as_bytes()),
                expected.as_bytes(),
                "{input:?}"
            );
        }
    }

    /// Docs §2 by the letter: per code point, F then C with the map M.
    fn naive(cps: &[u32]) -> (Vec<u8>, Vec<(usize, usize)>) {
        let t = tables();
        let mut c = Vec::new();
        let mut starts = Vec::new(); // (C byte offset of a non-space char, M)
        let mut prev_space = false;
        for (i, &cp) in cps.iter().enumerate() {
            if t.is_space(cp) {
                if !prev_space {
                    c.push(b' ');
                }
                prev_space = true;
            } else {
                starts.push((c.len(), i));
                push_cp(&mut c, t.fold(cp));
                prev_space = false;
            }
        }
        (c, starts)
    }

    #[test]
    fn normalise_and_locate_match_the_definition() {
        // Includes folds that shrink (Kelvin sign) and grow (U+023A -> U+2C65) in bytes.
        let alphabet = [
            0x41, 0x61, 0x5F, 0x20, 0x20, 0x0A, 0x09, 0x1C, 0xA0, 0x3000, 0xC9, 0x212A, 0x023A,
            0x0130, 0xD83D, 0xDE00, 0x1F600, 0x30B3, 0x10400, 0x2E,
        ];
        let t = tables();
        assert_eq!(t.fold(0x023A), 0x2C65);
        let mut seed: u64 = 0x2545_F491_4F6C_DD1D;
        for round in 0..3000 {
            let len = round % 40;
            let cps: Vec<u32> = (0..len)
                .map(|_| {
                    seed ^= seed << 13;
                    seed ^= seed >> 7;
                    seed ^= seed << 17;
                    let ascii_only = round % 3 == 0;
                    let n = if ascii_only { 9 } else { alphabet.len() };
                    alphabet[(seed % n as u64) as usize]
                })
                .collect();
            let text = gen_utf8(&cps);
            let (c, starts) = naive(&cps);
            assert_eq!(normalise(&text), c, "{cps:X?}");
            // Every character start, plus offsets that are not starts.
            let mut queries: Vec<usize> = (0..=c.len() + 1).collect();
            queries.retain(|&q| q % 2 == round % 2 || starts.iter().any(|&(s, _)| s == q));
            let mut c2 = Vec::new();
            let mut map = TextMap::default();
            normalise_mapped(&text, &mut c2, &mut map, true);
            assert_eq!(c2, c);
            let got: Vec<_> = queries
                .iter()
                .map(|&q| point_at(&text, &c, &map, q))
                .collect();
            for (q, p) in queries.iter().zip(&got) {
                let expected = starts.iter().find(|&&(s, _)| s == *q).map(|&(_, i)| i);
                assert_eq!(p.map(|p| p.index), expected, "query {q} in {cps:X?}");
                if let Some(p) = p {
                    assert_eq!(p.cur, cps[p.index]);
                    assert_eq!(p.prev, p.index.checked_sub(1).map(|k| cps[k]));
                    assert_eq!(p.next, cps.get(p.index + 1).copied());
                }
            }
            let expected_nl: Vec<usize> = (0..cps.len()).filter(|&k| cps[k] == 0x0A).collect();
            assert_eq!(map.newlines, expected_nl, "{cps:X?}");
        }
    }

    #[test]
    fn point_at_maps_c_offsets_to_code_points() {
        // T = "😀 \u{3000}AB\ud800x\ny", C = "😀 ab\u{d800}x y"
        let text = gen_utf8(&[0x1F600, 0x20, 0x3000, 0x41, 0x42, 0xD800, 0x78, 0x0A, 0x79]);
        let c = normalise(&text);
        assert_eq!(
            c,
            gen_utf8(&[0x1F600, 0x20, 0x61, 0x62, 0xD800, 0x78, 0x20, 0x79])
        );
        // C byte offsets: 😀 0..4, ' ' 4, a 5, b 6, surrogate 7..10, x 10, ' ' 11, y 12
        let mut map = TextMap::default();
        normalise_mapped(&text, &mut Vec::new(), &mut map, true);
        let got: Vec<_> = [0, 4, 5, 6, 7, 10, 12]
            .iter()
            .map(|&q| point_at(&text, &c, &map, q))
            .collect();
        let idx: Vec<Option<usize>> = got.iter().map(|p| p.map(|p| p.index)).collect();
        assert_eq!(
            idx,
            [Some(0), None, Some(3), Some(4), Some(5), Some(6), Some(8)]
        );
        let a = got[2].unwrap();
        assert_eq!((a.prev, a.cur, a.next), (Some(0x3000), 0x41, Some(0x42)));
        let y = got[6].unwrap();
        assert_eq!((y.prev, y.cur, y.next), (Some(0x0A), 0x79, None));
        assert_eq!(map.newlines, [7]);
    }
}
