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

/// Largest count of free literals (no start check) scanned with a DFA; larger sets, and
/// every anchored set, use a contiguous NFA.
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
    /// the candidate mask is computed 16 bytes at a time.
    glue_is_formula: bool,
    /// Which non-glue bytes can begin a literal (glue bytes can only at a word start).
    firsts: Firsts,
}

/// The bytes other than [`glue_formula`] ones that begin some anchored literal.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Firsts {
    /// ASCII ones (`$`, `#`, `@`, ...), when there are at most [`MAX_FIRSTS`].
    ascii: [u8; MAX_FIRSTS],
    n_ascii: usize,
    /// Some literal begins with a non-ASCII character: every lead byte (`0xC0..`).
    lead: bool,
    /// More than [`MAX_FIRSTS`] ASCII ones: every non-glue, non-space byte.
    all: bool,
}

/// ASCII non-glue first bytes told apart one by one; with more, all non-glue bytes count.
const MAX_FIRSTS: usize = 4;

impl Firsts {
    fn of(literals: &[&[u8]]) -> Firsts {
        let mut f = Firsts::default();
        for lit in literals {
            match lit.first() {
                Some(&b) if glue_formula(b) => {}
                Some(&b) if b >= 0x80 => f.lead = true,
                Some(&b) if f.ascii[..f.n_ascii].contains(&b) => {}
                Some(&b) => {
                    if f.n_ascii == MAX_FIRSTS {
                        f.all = true;
                    } else {
                        f.ascii[f.n_ascii] = b;
                        f.n_ascii += 1;
                    }
                }
                None => {}
            }
        }
        f
    }
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
            firsts: Firsts::of(literals),
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

    /// Bit `j` set: a literal may begin at position `j` of `block` (at most 64 bytes of
    /// `C`), given whether the byte before the block is glue. Also returns whether the
    /// block's last byte is glue.
    ///
    /// With the shipped tables: a glue byte that starts a word, or a byte in
    /// [`Firsts`]. Otherwise (tables where an ASCII byte does not decide glue): every
    /// position not inside a glued run, and not a space.
    #[inline(always)]
    fn candidates(&self, block: &[u8], prev_glue: bool) -> (u64, bool) {
        let len = block.len();
        let valid = if len >= 64 {
            u64::MAX
        } else {
            (1u64 << len) - 1
        };
        if self.glue_is_formula {
            let mut padded = [0u8; 64];
            let full: &[u8] = if len == 64 {
                block
            } else {
                padded[..len].copy_from_slice(block);
                &padded
            };
            let (mut g, mut sp, mut x) = (0u64, 0u64, 0u64);
            for (k, chunk) in full.chunks_exact(16).enumerate() {
                let mut bytes = [0u8; 16];
                bytes.copy_from_slice(chunk);
                let (cg, cs, cx) = classify_16(&bytes, &self.firsts);
                g |= cg << (16 * k);
                sp |= cs << (16 * k);
                x |= cx << (16 * k);
            }
            let before = (g << 1) | u64::from(prev_glue);
            let last = len > 0 && (g >> (len - 1)) & 1 != 0;
            let starts = g & !before;
            let others = if self.firsts.all { !g & !sp } else { x };
            return ((starts | others) & valid, last);
        }
        let (mut g, mut sp) = (0u64, 0u64);
        for (j, &b) in block.iter().enumerate() {
            g |= u64::from(self.glue[usize::from(b)]) << j;
            sp |= u64::from(b == b' ') << j;
        }
        let before = (g << 1) | u64::from(prev_glue);
        let last = len > 0 && (g >> (len - 1)) & 1 != 0;
        (!(before & g) & !sp & valid, last)
    }
}

/// For 16 bytes of `C`: bit `i` of the results says whether byte `i` is glue
/// ([`glue_formula`]), a space, and a byte of `firsts` (its ASCII bytes and, if
/// `firsts.lead`, the lead bytes `0xC0..`).
#[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
#[inline(always)]
fn classify_16(bytes: &[u8; 16], firsts: &Firsts) -> (u64, u64, u64) {
    classify_16_portable(bytes, firsts)
}

/// [`classify_16`] one byte at a time: the definition (and the fallback without SSE2).
#[cfg_attr(all(target_arch = "x86_64", target_feature = "sse2"), allow(dead_code))]
fn classify_16_portable(bytes: &[u8; 16], firsts: &Firsts) -> (u64, u64, u64) {
    let (mut g, mut sp, mut x) = (0u64, 0u64, 0u64);
    for (i, &b) in bytes.iter().enumerate() {
        g |= u64::from(glue_formula(b)) << i;
        sp |= u64::from(b == b' ') << i;
        let first = firsts.ascii[..firsts.n_ascii].contains(&b) || (firsts.lead && b >= 0xC0);
        x |= u64::from(first) << i;
    }
    (g, sp, x)
}

/// [`classify_16`] with SSE2.
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
#[inline(always)]
fn classify_16(bytes: &[u8; 16], firsts: &Firsts) -> (u64, u64, u64) {
    // SAFETY: `sse2_classify_16` requires only the SSE2 target feature, and this function
    // is compiled only when the build target enables SSE2 (the `cfg` above; SSE2 is part
    // of the x86_64 baseline), so every CPU that runs this code has it. It takes no
    // pointers: the bytes come in by value.
    unsafe { sse2_classify_16(bytes, firsts) }
}

#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
#[target_feature(enable = "sse2")]
fn sse2_classify_16(bytes: &[u8; 16], firsts: &Firsts) -> (u64, u64, u64) {
    use std::arch::x86_64::{
        _mm_add_epi8, _mm_and_si128, _mm_cmpeq_epi8, _mm_cmplt_epi8, _mm_movemask_epi8,
        _mm_or_si128, _mm_set1_epi8, _mm_set_epi64x, _mm_setzero_si128,
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
    let mut first = _mm_setzero_si128();
    for &b in &firsts.ascii[..firsts.n_ascii] {
        first = _mm_or_si128(first, _mm_cmpeq_epi8(v, _mm_set1_epi8(b as i8)));
    }
    if firsts.lead {
        // 0xC0..=0xFF are -64..=-1 as i8.
        let lead = _mm_and_si128(
            _mm_cmplt_epi8(_mm_set1_epi8(-65), v),
            _mm_cmplt_epi8(v, _mm_setzero_si128()),
        );
        first = _mm_or_si128(first, lead);
    }
    // movemask yields the 16 sign bits in the low 16 bits of a non-negative i32.
    let bits = |m| u64::from(_mm_movemask_epi8(m) as u32 & 0xFFFF);
    (bits(glue), bits(space), bits(first))
}

#[inline(always)]
fn pair(b0: u8, b1: u8) -> usize {
    (usize::from(b0) << 8) | usize::from(b1)
}

/// The automaton of the unanchored scan of every byte.
///
/// A DFA is about twice as fast as the contiguous NFA for the watchlists tgematch is made
/// for (hundreds of literals), but its memory grows with the literal count (85 MB for 18k
/// literals) while its speed advantage disappears, so large sets get the NFA.
enum Aut {
    Dfa(dfa::DFA),
    Nfa(nfa::contiguous::NFA),
}

impl Aut {
    fn build(literals: &[&[u8]]) -> Result<Aut, aho_corasick::BuildError> {
        if literals.len() <= DFA_MAX_LITERALS {
            dfa::Builder::new()
                .match_kind(MatchKind::Standard)
                .start_kind(StartKind::Unanchored)
                .prefilter(false)
                .build(literals)
                .map(Aut::Dfa)
        } else {
            build_nfa(literals).map(Aut::Nfa)
        }
    }

    fn memory_usage(&self) -> usize {
        match self {
            Aut::Dfa(a) => a.memory_usage(),
            Aut::Nfa(a) => a.memory_usage(),
        }
    }
}

/// The contiguous NFA of `literals` (its start states serve anchored and unanchored
/// searches alike).
///
/// The anchored walks always use it: they never follow a failure transition, most end
/// after a byte or two, and what costs is the cache miss of each step, so a table twelve
/// to twenty times smaller than a DFA's wins (measured on the shared corpora: 15-company
/// watchlist, 76 KB instead of 981 KB, 2 % faster on articles; 1,000 companies, 0.27 MB
/// instead of 6.1 MB, 10 % faster on tweets).
///
/// Its pattern ids are `PAD_PATTERNS` plus the index in `literals` (see [`padding`]).
fn build_nfa(literals: &[&[u8]]) -> Result<nfa::contiguous::NFA, aho_corasick::BuildError> {
    let pad = padding(literals.len());
    nfa::contiguous::Builder::new()
        .match_kind(MatchKind::Standard)
        .prefilter(false)
        .build(std::iter::once(pad.as_slice()).chain(literals.iter().copied()))
}

/// Pattern ids of an NFA before those of its literals: the padding pattern.
const PAD_PATTERNS: usize = 1;

/// The padding pattern inserted before the literals of an NFA of `n` literals.
///
/// aho-corasick (1.1) orders the trie's states match states first by pairwise swaps and
/// then resolves the swaps by walking each permutation cycle once per element of it
/// (`Remapper::remap`): the cost is the sum of the squared cycle lengths. When the trie
/// begins with `k` non-match states (a shared prefix such as `project `) followed by `m`
/// match states (one new state per literal, as for `project 1` ... `project 80000`),
/// each of the `k` states hops forward once per `k` swaps, giving `k` cycles of length
/// `m / k`: `m^2 / k` steps, 2.4 s of a 2.6 s build for 80,000 such names. A first
/// pattern of `n / 4` bytes adds that many non-match states at the front, so every
/// cycle is at most a few states long and the build is linear again. The pattern is
/// bytes 0xFF, which never occur in (generalized) UTF-8, and its id is skipped by every
/// search ([`literal_of`]), so it can never produce a match.
fn padding(n: usize) -> Vec<u8> {
    vec![0xFF; (n / 4).max(1)]
}

/// The literal of pattern id `pid` of an automaton whose first `pad` pattern ids are
/// padding, or None for a padding id.
#[inline(always)]
fn literal_of(ids: &[usize], pad: usize, pid: usize) -> Option<usize> {
    ids.get(pid.checked_sub(pad)?).copied()
}

/// A literal set's automaton and the literal index of each of its pattern ids after
/// the first `pad` (padding, see [`padding`]).
struct Set<A> {
    aut: A,
    ids: Vec<usize>,
    pad: usize,
}

/// The literal automata of one [`Scanner`](super::Scanner) (see the module docs).
pub(crate) struct LiteralScanner {
    /// Literals whose every unit has a start check, walked from candidate positions.
    anchored: Option<Set<nfa::contiguous::NFA>>,
    /// Literals some unit of which has no start check: an unanchored scan.
    free: Option<Set<Aut>>,
    /// Candidate positions of the anchored walks.
    filter: StartFilter,
}

impl LiteralScanner {
    /// Builds the scanner. `anchored[i]` says whether literal `i` may be searched only
    /// where its start check can pass; `tables` decides what such a position is.
    pub(crate) fn new(
        literals: &[Vec<u8>],
        anchored: &[bool],
        tables: &Tables,
    ) -> Result<LiteralScanner, aho_corasick::BuildError> {
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
                aut: build_nfa(&a_lits)?,
                ids: a_ids,
                pad: PAD_PATTERNS,
            })
        };
        let free = if f_lits.is_empty() {
            None
        } else {
            let aut = Aut::build(&f_lits)?;
            let pad = match aut {
                Aut::Dfa(_) => 0,
                Aut::Nfa(_) => PAD_PATTERNS,
            };
            Some(Set {
                aut,
                ids: f_ids,
                pad,
            })
        };
        Ok(LiteralScanner {
            anchored,
            free,
            filter,
        })
    }

    /// Heap memory of the automata, in bytes.
    pub(crate) fn memory_usage(&self) -> usize {
        self.anchored.as_ref().map_or(0, |s| s.aut.memory_usage())
            + self.free.as_ref().map_or(0, |s| s.aut.memory_usage())
    }

    /// Calls `f(literal, start, end)` for every occurrence in `hay` of every free literal,
    /// and of every anchored literal at a position where its start check can pass.
    #[inline]
    pub(crate) fn for_each_match(&self, hay: &[u8], mut f: impl FnMut(usize, usize, usize)) {
        if let Some(set) = &self.anchored {
            anchored_walks(&set.aut, &set.ids, set.pad, &self.filter, hay, &mut f);
        }
        if let Some(set) = &self.free {
            match &set.aut {
                Aut::Dfa(a) => overlapping(a, &set.ids, set.pad, hay, &mut f),
                Aut::Nfa(a) => overlapping(a, &set.ids, set.pad, hay, &mut f),
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
    pad: usize,
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
        let (mut mask, last) = filter.candidates(block, prev_glue);
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
                            if let Some(lit) = literal_of(ids, pad, pid.as_usize()) {
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
    pad: usize,
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
                if let Some(lit) = literal_of(ids, pad, pid.as_usize()) {
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
    fn sixteen_byte_classes_every_byte_like_the_definition() {
        let sets = [
            Firsts::default(),
            Firsts::of(&[b"$cal", b"#tag", b"\xc3\xa9t\xc3\xa9", b"token"]),
            Firsts::of(&[b"@a", b"(b", b".c", b"'d", b"\"e"]), // more than four: all
        ];
        assert!(sets[1].lead && sets[1].n_ascii == 2 && !sets[1].all);
        assert!(sets[2].all);
        for firsts in &sets {
            for b in 0..=255u8 {
                for lane in 0..16 {
                    let filler = if glue_formula(b) { b'-' } else { b'a' };
                    let mut bytes = [filler; 16];
                    bytes[lane] = b;
                    bytes[(lane + 7) % 16] = b' ';
                    bytes[(lane + 3) % 16] = b'$';
                    let got = classify_16(&bytes, firsts);
                    assert_eq!(got, classify_16_portable(&bytes, firsts), "{bytes:?}");
                    for (i, &x) in bytes.iter().enumerate() {
                        assert_eq!((got.0 >> i) & 1 != 0, glue_formula(x));
                        assert_eq!((got.1 >> i) & 1 != 0, x == b' ');
                        let first = firsts.ascii[..firsts.n_ascii].contains(&x)
                            || (firsts.lead && x >= 0xC0);
                        assert_eq!((got.2 >> i) & 1 != 0, first, "{x:#x} {firsts:?}");
                    }
                    assert_eq!(got.0 >> 16 | got.1 >> 16 | got.2 >> 16, 0);
                }
            }
        }
    }
}
