//! The literal scanner: every occurrence of every literal in the normalised text `C`
//! that could pass its whole-word start check.
//!
//! Nearly every literal is whole-word at its start (docs/matching.md §3: only a leading
//! `\w*` opts out). Such a literal cannot match where `C[p - 1]` and `C[p]` are both
//! ASCII word characters: those bytes carry the original characters' `word`/`nosp` flags
//! ([`Tables::ascii_decides_glue`]), so the start check on the original text would fail.
//! Inside a word of English text that is about two positions in three. So instead of
//! running an unanchored automaton over every byte (a chain of dependent table loads, one
//! per byte), the scanner walks an *anchored* automaton from each remaining position whose
//! byte can begin a literal, and stops the walk at the first dead state: most walks end
//! after a byte or two. Literals that opt out of the start check go to a second, ordinary
//! unanchored automaton, built only when the watchlist has such literals.
//!
//! Matches are reported with their literal index and byte span in `C`; their order is
//! unspecified (the scan sorts what it keeps).

use aho_corasick::automaton::Automaton;
use aho_corasick::{dfa, nfa, Anchored, MatchKind, StartKind};

use super::tables::Tables;

/// Largest literal count scanned with a DFA; larger sets use a contiguous NFA.
pub const DFA_MAX_LITERALS: usize = 4096;

/// Where an anchored literal can start: the filter applied to a position before an
/// automaton walk from it.
struct StartFilter {
    /// Bit `quad_hash(b0 b1 b2 b3)`: some literal of 4 bytes or more begins with them.
    quads: Box<[u64; 1024]>,
    /// Bit `b0 << 8 | b1`: some literal shorter than 4 bytes begins with `b0 b1` (a
    /// 1-byte literal `b0` sets every `b1`). Past the end of the text a zero byte stands
    /// in for the missing bytes.
    shorts: Box<[u64; 1024]>,
    /// 1 for an ASCII byte whose character is `word` and not `nosp` (can be glued), when
    /// the tables let an ASCII byte of `C` decide that; else 0 for every byte.
    glue: [u8; 256],
    /// `glue[b]` is [`glue_formula`]`(b)` for every byte (with the shipped tables), so
    /// the candidate mask is computed by arithmetic the compiler vectorises.
    glue_is_formula: bool,
}

/// `[0-9A-Za-z_]`: the ASCII characters that are `word` and not `nosp`.
#[inline(always)]
fn glue_formula(b: u8) -> bool {
    ((b | 0x20).wrapping_sub(b'a') < 26) | (b.wrapping_sub(b'0') < 10) | (b == b'_')
}

#[inline(always)]
fn quad_hash(quad: u32) -> usize {
    (quad.wrapping_mul(0x9E37_79B1) >> 16) as usize
}

#[inline(always)]
fn test_bit(bits: &[u64; 1024], i: usize) -> bool {
    (bits[(i >> 6) & 1023] >> (i & 63)) & 1 != 0
}

fn set_bit(bits: &mut [u64; 1024], i: usize) {
    bits[(i >> 6) & 1023] |= 1 << (i & 63);
}

impl StartFilter {
    fn new(literals: &[&[u8]], tables: &Tables) -> StartFilter {
        let mut glue = [0u8; 256];
        if tables.ascii_decides_glue {
            for b in 0..128u8 {
                glue[usize::from(b)] = u8::from(tables.glued(u32::from(b), u32::from(b)));
            }
        }
        let glue_is_formula = (0..=255u8).all(|b| (glue[usize::from(b)] != 0) == glue_formula(b));
        let mut quads = Box::new([0u64; 1024]);
        let mut shorts = Box::new([0u64; 1024]);
        for lit in literals {
            match **lit {
                [b0, b1, b2, b3, ..] => {
                    set_bit(&mut quads, quad_hash(u32::from_le_bytes([b0, b1, b2, b3])));
                }
                [b0] => (0..=255u8).for_each(|b1| set_bit(&mut shorts, pair(b0, b1))),
                [b0, b1, ..] => set_bit(&mut shorts, pair(b0, b1)),
                [] => {}
            }
        }
        StartFilter {
            quads,
            shorts,
            glue,
            glue_is_formula,
        }
    }

    /// Whether some literal can begin at `hay[p..]` (`p < hay.len()`).
    #[inline(always)]
    fn admits(&self, hay: &[u8], p: usize) -> bool {
        let quad = match hay.get(p..p + 4) {
            Some(&[b0, b1, b2, b3]) => [b0, b1, b2, b3],
            _ => {
                let mut q = [0u8; 4];
                for (d, &b) in q.iter_mut().zip(&hay[p..]) {
                    *d = b;
                }
                q
            }
        };
        test_bit(&self.quads, quad_hash(u32::from_le_bytes(quad)))
            || test_bit(&self.shorts, pair(quad[0], quad[1]))
    }

    /// Bit `j` set: position `j` of `block` (at most 64 bytes of `C`) is not inside a
    /// glued run and is not a space, given whether the byte before the block is glue.
    /// Also returns whether the block's last byte is glue.
    #[inline(always)]
    fn unglued(&self, block: &[u8], prev_glue: bool) -> (u64, bool) {
        let len = block.len();
        let (g, sp) = if self.glue_is_formula {
            let mut padded = [0u8; 64];
            let full: &[u8] = if len == 64 {
                block
            } else {
                padded[..len].copy_from_slice(block);
                &padded
            };
            let (mut g, mut sp) = (0u64, 0u64);
            for (k, chunk) in full.chunks_exact(16).enumerate() {
                let mut bytes = [0u8; 16];
                bytes.copy_from_slice(chunk);
                let (cg, cs) = glue_space_16(&bytes);
                g |= cg << (16 * k);
                sp |= cs << (16 * k);
            }
            (g, sp)
        } else {
            let (mut g, mut sp) = (0u64, 0u64);
            for (j, &b) in block.iter().enumerate() {
                g |= u64::from(self.glue[usize::from(b)]) << j;
                sp |= u64::from(b == b' ') << j;
            }
            (g, sp)
        };
        let valid = if len >= 64 {
            u64::MAX
        } else {
            (1u64 << len) - 1
        };
        let before = (g << 1) | u64::from(prev_glue);
        let last = len > 0 && (g >> (len - 1)) & 1 != 0;
        (!(before & g) & !sp & valid, last)
    }
}

// The portable (SWAR) classifier: used where SSE2 is not available; tested everywhere.
#[cfg(any(test, not(all(target_arch = "x86_64", target_feature = "sse2"))))]
const LOW: u64 = 0x0101_0101_0101_0101;
#[cfg(any(test, not(all(target_arch = "x86_64", target_feature = "sse2"))))]
const HIGH: u64 = 0x8080_8080_8080_8080;

#[cfg(any(test, not(all(target_arch = "x86_64", target_feature = "sse2"))))]
/// High bit of each byte of `y` (every byte `< 0x80`) set when the byte is in `lo..=hi`.
/// No sum carries into the next byte: `y + 0x80 - lo <= 0xFF` and `y + 0x7F - hi <= 0xFE`.
#[inline(always)]
fn swar_in_range(y: u64, lo: u8, hi: u8) -> u64 {
    let ge = y.wrapping_add(u64::from(0x80 - lo) * LOW);
    let gt = y.wrapping_add(u64::from(0x7F - hi) * LOW);
    ge & !gt & HIGH
}

#[cfg(any(test, not(all(target_arch = "x86_64", target_feature = "sse2"))))]
/// Gathers the high bit of byte `i` of `v` into bit `i` of the result. The product's
/// partial terms for bytes `i + j = 7` land on bits `56 + i`; terms of other byte pairs
/// fall in disjoint lower ranges or past bit 63, so nothing carries into the top byte.
#[inline(always)]
fn swar_movemask(v: u64) -> u64 {
    ((v >> 7) & LOW).wrapping_mul(0x0102_0408_1020_4080) >> 56
}

#[cfg(any(test, not(all(target_arch = "x86_64", target_feature = "sse2"))))]
/// For 8 bytes (little-endian in `x`): bit `i` of the first result is
/// [`glue_formula`]`(byte i)`, of the second `byte i == b' '`. Eight bytes at a time
/// with plain integer arithmetic.
#[inline(always)]
fn swar_glue_space(x: u64) -> (u64, u64) {
    let ascii = !x & HIGH;
    let y = x & !HIGH;
    let letter = swar_in_range(y | (0x20 * LOW), b'a', b'z');
    let digit = swar_in_range(y, b'0', b'9');
    let underscore = swar_in_range(y, b'_', b'_');
    let space = swar_in_range(y, b' ', b' ');
    (
        swar_movemask((letter | digit | underscore) & ascii),
        swar_movemask(space & ascii),
    )
}

/// [`swar_glue_space`] for 16 bytes: bit `i` of each mask for byte `i`.
#[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
#[inline(always)]
fn glue_space_16(bytes: &[u8; 16]) -> (u64, u64) {
    let mut lo = [0u8; 8];
    let mut hi = [0u8; 8];
    lo.copy_from_slice(&bytes[..8]);
    hi.copy_from_slice(&bytes[8..]);
    let (g0, s0) = swar_glue_space(u64::from_le_bytes(lo));
    let (g1, s1) = swar_glue_space(u64::from_le_bytes(hi));
    (g0 | (g1 << 8), s0 | (s1 << 8))
}

/// [`swar_glue_space`] for 16 bytes with SSE2 (a third of the instructions).
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
#[inline(always)]
fn glue_space_16(bytes: &[u8; 16]) -> (u64, u64) {
    // SAFETY: `sse2_glue_space` requires only the SSE2 target feature, and this function
    // is compiled only when the build target enables SSE2 (the `cfg` above; SSE2 is part
    // of the x86_64 baseline), so every CPU that runs this code has it. It takes no
    // pointers: the bytes come in by value.
    unsafe { sse2_glue_space(bytes) }
}

#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
#[target_feature(enable = "sse2")]
fn sse2_glue_space(bytes: &[u8; 16]) -> (u64, u64) {
    use std::arch::x86_64::{
        _mm_add_epi8, _mm_cmpeq_epi8, _mm_cmplt_epi8, _mm_movemask_epi8, _mm_or_si128,
        _mm_set1_epi8, _mm_set_epi64x,
    };
    let mut lo = [0u8; 8];
    let mut hi = [0u8; 8];
    lo.copy_from_slice(&bytes[..8]);
    hi.copy_from_slice(&bytes[8..]);
    let v = _mm_set_epi64x(i64::from_le_bytes(hi), i64::from_le_bytes(lo));
    // Unsigned `x - lo < n` as a signed compare: shift the range to start at -128.
    let in_range = |x, lo: u8, n: u8| {
        let bias = (-128i16 - i16::from(lo)) as i8;
        let limit = (-128i16 + i16::from(n)) as i8;
        _mm_cmplt_epi8(_mm_add_epi8(x, _mm_set1_epi8(bias)), _mm_set1_epi8(limit))
    };
    let letter = in_range(_mm_or_si128(v, _mm_set1_epi8(0x20)), b'a', 26);
    let digit = in_range(v, b'0', 10);
    let underscore = _mm_cmpeq_epi8(v, _mm_set1_epi8(b'_' as i8));
    let space = _mm_cmpeq_epi8(v, _mm_set1_epi8(b' ' as i8));
    let glue = _mm_or_si128(_mm_or_si128(letter, digit), underscore);
    // movemask yields the 16 sign bits in the low 16 bits of a non-negative i32.
    let bits = |m| u64::from(_mm_movemask_epi8(m) as u32 & 0xFFFF);
    (bits(glue), bits(space))
}

#[inline(always)]
fn pair(b0: u8, b1: u8) -> usize {
    (usize::from(b0) << 8) | usize::from(b1)
}

/// One Aho-Corasick automaton.
///
/// A DFA is about twice as fast as the contiguous NFA for the watchlists tgematch is made
/// for (hundreds of literals, a few MB), but its memory grows with the literal count
/// (85 MB for 18k literals) while its speed advantage disappears, so large sets get the
/// NFA.
enum Aut {
    Dfa(dfa::DFA),
    Nfa(nfa::contiguous::NFA),
}

impl Aut {
    fn build(literals: &[&[u8]], start: StartKind) -> Result<Aut, aho_corasick::BuildError> {
        if literals.len() <= DFA_MAX_LITERALS {
            dfa::Builder::new()
                .match_kind(MatchKind::Standard)
                .start_kind(start)
                .prefilter(false)
                .build(literals)
                .map(Aut::Dfa)
        } else {
            nfa::contiguous::Builder::new()
                .match_kind(MatchKind::Standard)
                .prefilter(false)
                .build(literals)
                .map(Aut::Nfa)
        }
    }

    fn memory_usage(&self) -> usize {
        match self {
            Aut::Dfa(a) => a.memory_usage(),
            Aut::Nfa(a) => a.memory_usage(),
        }
    }
}

/// A literal set and the literal index of each of its pattern ids.
struct Set {
    aut: Aut,
    ids: Vec<usize>,
}

/// The scanner of one engine (see the module docs).
pub(crate) struct Scanner {
    /// Literals whose every unit has a start check, walked from candidate positions.
    anchored: Option<Set>,
    /// Literals some unit of which has no start check: an unanchored scan.
    free: Option<Set>,
    /// Candidate positions of the anchored walks.
    filter: StartFilter,
}

impl Scanner {
    /// Builds the scanner. `anchored[i]` says whether literal `i` may be searched only
    /// where its start check can pass; `tables` decides what such a position is.
    pub(crate) fn new(
        literals: &[Vec<u8>],
        anchored: &[bool],
        tables: &Tables,
    ) -> Result<Scanner, aho_corasick::BuildError> {
        let mut sets: [(Vec<&[u8]>, Vec<usize>); 2] = Default::default();
        for (i, lit) in literals.iter().enumerate() {
            let k = usize::from(!anchored.get(i).copied().unwrap_or(false));
            sets[k].0.push(lit);
            sets[k].1.push(i);
        }
        let [(a_lits, a_ids), (f_lits, f_ids)] = sets;
        let filter = StartFilter::new(&a_lits, tables);
        let anchored = if a_lits.is_empty() {
            None
        } else {
            Some(Set {
                aut: Aut::build(&a_lits, StartKind::Anchored)?,
                ids: a_ids,
            })
        };
        let free = if f_lits.is_empty() {
            None
        } else {
            Some(Set {
                aut: Aut::build(&f_lits, StartKind::Unanchored)?,
                ids: f_ids,
            })
        };
        Ok(Scanner {
            anchored,
            free,
            filter,
        })
    }

    /// Heap memory of the automata, in bytes.
    pub(crate) fn memory_usage(&self) -> usize {
        [&self.anchored, &self.free]
            .into_iter()
            .flatten()
            .map(|s| s.aut.memory_usage())
            .sum()
    }

    /// Calls `f(literal, start, end)` for every occurrence in `hay` of every free literal,
    /// and of every anchored literal at a position where its start check can pass.
    #[inline]
    pub(crate) fn for_each_match(&self, hay: &[u8], mut f: impl FnMut(usize, usize, usize)) {
        if let Some(set) = &self.anchored {
            match &set.aut {
                Aut::Dfa(a) => anchored_walks(a, &set.ids, &self.filter, hay, &mut f),
                Aut::Nfa(a) => anchored_walks(a, &set.ids, &self.filter, hay, &mut f),
            }
        }
        if let Some(set) = &self.free {
            match &set.aut {
                Aut::Dfa(a) => overlapping(a, &set.ids, hay, &mut f),
                Aut::Nfa(a) => overlapping(a, &set.ids, hay, &mut f),
            }
        }
    }
}

/// Anchored walks from every candidate position `p`: `hay[p - 1]` and `hay[p]` are not
/// both glue bytes, `hay[p]` is not a space, and the filter admits `p`.
///
/// Candidates are found 64 positions at a time as a bit mask built without branches (a
/// branch per position mispredicts at every word start), then filtered and walked in
/// order. The automaton is driven directly, not through the crate's iterators: inlining
/// its transition function into this loop is what makes the walks cheap.
#[inline]
fn anchored_walks<A: Automaton>(
    aut: &A,
    ids: &[usize],
    filter: &StartFilter,
    hay: &[u8],
    f: &mut impl FnMut(usize, usize, usize),
) {
    // Built with an anchored start, so this cannot fail; if it ever did, reporting
    // nothing is the safe answer (no panic crosses the FFI boundary).
    let Ok(start) = aut.start_state(Anchored::Yes) else {
        return;
    };
    let mut prev_glue = false;
    for (k, block) in hay.chunks(64).enumerate() {
        let base = k * 64;
        let (mut mask, last) = filter.unglued(block, prev_glue);
        prev_glue = last;
        while mask != 0 {
            let p = base + mask.trailing_zeros() as usize;
            mask &= mask - 1;
            if !filter.admits(hay, p) {
                continue;
            }
            let mut sid = start;
            for (q, &c) in hay[p..].iter().enumerate() {
                sid = aut.next_state(Anchored::Yes, sid, c);
                if aut.is_dead(sid) {
                    break;
                }
                if aut.is_match(sid) {
                    let end = p + q + 1;
                    for m in 0..aut.match_len(sid) {
                        let pid = aut.match_pattern(sid, m);
                        // A state's matches include literals that are suffixes of the
                        // path walked; those start later and are found from there.
                        if end - aut.pattern_len(pid) == p {
                            if let Some(&lit) = ids.get(pid.as_usize()) {
                                f(lit, p, end);
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The classic overlapping scan of every byte.
#[inline]
fn overlapping<A: Automaton>(
    aut: &A,
    ids: &[usize],
    hay: &[u8],
    f: &mut impl FnMut(usize, usize, usize),
) {
    let Ok(mut sid) = aut.start_state(Anchored::No) else {
        return;
    };
    for (i, &b) in hay.iter().enumerate() {
        sid = aut.next_state(Anchored::No, sid, b);
        if aut.is_match(sid) {
            let end = i + 1;
            for m in 0..aut.match_len(sid) {
                let pid = aut.match_pattern(sid, m);
                if let Some(&lit) = ids.get(pid.as_usize()) {
                    f(lit, end - aut.pattern_len(pid), end);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn swar_classes_every_byte_like_the_formula() {
        for b in 0..=255u8 {
            for lane in 0..8 {
                // the byte in one lane, every other lane holding a byte of the other class
                let filler = if glue_formula(b) { b'-' } else { b'a' };
                let mut bytes = [filler; 8];
                bytes[lane] = b;
                let (g, sp) = swar_glue_space(u64::from_le_bytes(bytes));
                for (i, &x) in bytes.iter().enumerate() {
                    assert_eq!((g >> i) & 1 != 0, glue_formula(x), "{bytes:?} lane {i}");
                    assert_eq!((sp >> i) & 1 != 0, x == b' ', "{bytes:?} lane {i}");
                }
                assert_eq!(g >> 8, 0);
                assert_eq!(sp >> 8, 0);
            }
        }
    }

    #[test]
    fn sixteen_byte_classes_every_byte_like_the_formula() {
        for b in 0..=255u8 {
            for lane in 0..16 {
                let filler = if glue_formula(b) { b'-' } else { b'a' };
                let mut bytes = [filler; 16];
                bytes[lane] = b;
                bytes[(lane + 7) % 16] = b' ';
                let (g, sp) = glue_space_16(&bytes);
                for (i, &x) in bytes.iter().enumerate() {
                    assert_eq!((g >> i) & 1 != 0, glue_formula(x), "{bytes:?} lane {i}");
                    assert_eq!((sp >> i) & 1 != 0, x == b' ', "{bytes:?} lane {i}");
                }
                assert_eq!(g >> 16, 0);
                assert_eq!(sp >> 16, 0);
            }
        }
    }
}
