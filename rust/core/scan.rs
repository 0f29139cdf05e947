//! The scan (docs/matching.md §2-§4, §6): normalise the text, run the automaton once,
//! turn literal matches into unit occurrences (whole-word and not-followed-by checks),
//! then combine the parts of gap patterns.

use std::cell::RefCell;
use std::collections::VecDeque;

use super::compiled::Scanner;
use super::reuse::with_reused;
use super::tables::tables;
use super::text::{decode_at, normalise_mapped, point_at, Point, TextMap};

/// One occurrence of a target: `text[start:end]` in code points.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Occurrence {
    /// Target kind (0 company, 1 company veto, 2 keyword, 3 exclusion, 4 context,
    /// 5 shared cashtag).
    pub kind: u8,
    /// Index of the company, keyword rule, exclusion rule, context term or shared tag.
    pub reference: usize,
    /// Start offset (code points).
    pub start: usize,
    /// End offset (code points, exclusive).
    pub end: usize,
}

/// Occurrences of every target, as `(target, start, end)`, sorted and distinct.
pub(crate) type TargetOccurrences = Vec<(usize, usize, usize)>;

/// Buffers a scan needs, kept per thread from one scan to the next ([`with_reused`]): a
/// scan allocates nothing else until it builds its result.
#[derive(Default)]
struct Scratch {
    /// The normalised text.
    c: Vec<u8>,
    map: TextMap,
    matches: Vec<RawMatch>,
    /// `(target, part, start, end)` of every unit occurrence.
    units_occ: Vec<(usize, usize, usize, usize)>,
    /// The result: `(target, start, end)`.
    out: TargetOccurrences,
}

/// A thread keeps its buffers while they are at most this large (about 1 MB of text).
const SCRATCH_KEEP_BYTES: usize = 1 << 20;

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

/// A literal match in `C` that may pass its checks: the literal, its end (byte offset of
/// `C`), and the original characters of its first and last characters.
struct RawMatch {
    literal: usize,
    end: usize,
    first: Point,
    last: Point,
}

impl Scanner {
    /// All occurrences of all targets in `text` (generalized UTF-8), distinct, sorted by
    /// `(start, end, kind, ref)`.
    pub fn find(&self, text: &[u8]) -> Vec<Occurrence> {
        let mut out: Vec<Occurrence> = self
            .target_occurrences(text)
            .into_iter()
            .map(|(t, start, end)| {
                let target = &self.targets[t];
                Occurrence {
                    kind: target.kind,
                    reference: target.reference,
                    start,
                    end,
                }
            })
            .collect();
        out.sort_unstable_by_key(|o| (o.start, o.end, o.kind, o.reference));
        out.dedup();
        out
    }

    /// Occurrences of every target: sorted by `(target, start, end)`, distinct.
    pub(crate) fn target_occurrences(&self, text: &[u8]) -> TargetOccurrences {
        self.with_target_occurrences(text, <[_]>::to_vec)
    }

    /// `f(occurrences of every target)`, the occurrences as `target_occurrences` returns
    /// them, held in this thread's scan buffers while `f` runs.
    pub(crate) fn with_target_occurrences<R>(
        &self,
        text: &[u8],
        f: impl FnOnce(&[(usize, usize, usize)]) -> R,
    ) -> R {
        with_reused(
            &SCRATCH,
            |scratch| scratch.c.capacity() > SCRATCH_KEEP_BYTES,
            |scratch| {
                self.target_occurrences_in(text, scratch);
                f(&scratch.out)
            },
        )
    }

    /// Fills `scratch.out` with the occurrences of every target.
    fn target_occurrences_in(&self, text: &[u8], scratch: &mut Scratch) {
        let Scratch {
            c,
            map,
            matches,
            units_occ,
            out,
        } = scratch;
        normalise_mapped(text, c, map, self.has_gaps);
        let (c, map): (&[u8], &TextMap) = (c, map);

        let t = tables();
        matches.clear();
        units_occ.clear();
        out.clear();
        self.automaton.for_each_match(c, |literal, start, end| {
            if t.ascii_decides_glue && self.surely_rejected(c, literal, start, end) {
                return;
            }
            // The original characters at both ends (anchors make this a binary search).
            let last = end.saturating_sub(self.last_char_len[literal]);
            if let (Some(first), Some(last)) =
                (point_at(text, c, map, start), point_at(text, c, map, last))
            {
                matches.push(RawMatch {
                    literal,
                    end,
                    first,
                    last,
                });
            }
        });
        if matches.is_empty() {
            return;
        }
        let newlines = &map.newlines;

        for m in matches.iter() {
            let (first, last) = (m.first, m.last);
            let (start, end) = (first.index, last.index + 1);
            let start_glued = matches!(first.prev, Some(p) if t.glued(p, first.cur));
            let end_glued = matches!(last.next, Some(n) if t.glued(last.cur, n));
            let rest = c.get(m.end..).unwrap_or_default();
            // Only literals with an exact-case or contraction-aware unit look further into
            // the original text; for the others (every literal of the seed profile) this
            // is one flag.
            let extra = self.literal_extra_checks[m.literal];
            let in_contraction = extra && ends_in_contraction(text, &last);
            for unit in &self.literal_units[m.literal] {
                if (unit.start_check && start_glued) || (unit.end_check && end_glued) {
                    continue;
                }
                if extra {
                    if unit.contraction && in_contraction {
                        continue;
                    }
                    if let Some(k) = unit.cased {
                        if !written_as(text, first.byte, &self.cased[k]) {
                            continue;
                        }
                    }
                }
                if let Some(set) = unit.nfb {
                    if self.nfb_sets[set].iter().any(|alt| rest.starts_with(alt)) {
                        continue;
                    }
                }
                units_occ.push((unit.target, unit.part, start, end));
            }
        }
        units_occ.sort_unstable();
        units_occ.dedup();

        let mut i = 0;
        while i < units_occ.len() {
            let target = units_occ[i].0;
            let mut j = i;
            while j < units_occ.len() && units_occ[j].0 == target {
                j += 1;
            }
            let group = &units_occ[i..j];
            let info = &self.targets[target];
            if info.nparts == 1 {
                out.extend(group.iter().map(|&(t, _, s, e)| (t, s, e)));
            } else {
                let mut parts: Vec<Vec<(usize, usize)>> = vec![Vec::new(); info.nparts];
                for &(_, part, s, e) in group {
                    parts[part].push((s, e));
                }
                let start = out.len();
                out.extend(
                    combine_gaps(&parts, info.max_gap, newlines)
                        .into_iter()
                        .map(|(s, e)| (target, s, e)),
                );
                out[start..].sort_unstable();
            }
            i = j;
        }
        out.dedup();
    }
}

impl Scanner {
    /// Whether every unit of the literal matched at `c[start..end]` is sure to be
    /// rejected, judging from `c` alone: by not-followed-by, or by a whole-word check
    /// whose two characters are ASCII in `c` (which then have the original characters'
    /// flags, see `Tables::ascii_decides_glue`). A pre-filter only: it never rejects a
    /// match that the exact checks on the original text would keep.
    fn surely_rejected(&self, c: &[u8], literal: usize, start: usize, end: usize) -> bool {
        let t = tables();
        let ascii_glued = |a: Option<&u8>, b: Option<&u8>| match (a, b) {
            (Some(&a), Some(&b)) if a < 0x80 && b < 0x80 => t.glued(u32::from(a), u32::from(b)),
            _ => false,
        };
        let before = start.checked_sub(1).and_then(|i| c.get(i));
        let start_glued = ascii_glued(before, c.get(start));
        let end_glued = ascii_glued(end.checked_sub(1).and_then(|i| c.get(i)), c.get(end));
        let rest = c.get(end..).unwrap_or_default();
        self.literal_units[literal].iter().all(|unit| {
            (unit.start_check && start_glued)
                || (unit.end_check && end_glued)
                || unit
                    .nfb
                    .is_some_and(|set| self.nfb_sets[set].iter().any(|alt| rest.starts_with(alt)))
        })
    }
}

/// Whether the match whose last character is `last` ends inside a contraction (docs
/// §8.2): `T[end]` is an apostrophe followed by a word character, and not the `'s` of a
/// possessive ("haven't" is one, "Caldera's" is not).
fn ends_in_contraction(text: &[u8], last: &Point) -> bool {
    if !matches!(last.next, Some(0x27 | 0x2019)) {
        return false;
    }
    let t = tables();
    // Byte offsets of T[end], T[end + 1], T[end + 2]; decoded as the normalisation
    // decoded them, so the code point count agrees with the text map's indices.
    let (_, len) = decode_at(text, last.byte);
    let apostrophe = last.byte + len;
    let (_, len) = decode_at(text, apostrophe);
    let after = apostrophe + len;
    if after >= text.len() {
        return false;
    }
    let (next, len) = decode_at(text, after);
    if !t.is_word(next) {
        return false;
    }
    let possessive = matches!(next, 0x73 | 0x53) && {
        let beyond = after + len;
        beyond >= text.len() || !t.is_word(decode_at(text, beyond).0)
    };
    !possessive
}

/// Whether the non-space characters of the original text from byte `start` on are, in
/// order, `cased` (the non-space characters of a cased literal, docs §8.1). The literal's
/// non-space characters come one to one from the text's non-space characters of the
/// match (folding is per character, only spaces collapse), so the walk stops after
/// `cased.len()` of them, at the match's last character.
fn written_as(text: &[u8], start: usize, cased: &[u32]) -> bool {
    let t = tables();
    let mut i = start;
    let mut want = cased.iter();
    let mut expected = want.next();
    while let Some(&e) = expected {
        if i >= text.len() {
            return false;
        }
        let (cp, len) = decode_at(text, i);
        i += len;
        if t.is_space(cp) {
            continue;
        }
        if cp != e {
            return false;
        }
        expected = want.next();
    }
    true
}

/// First newline index `>= e`, or `usize::MAX`.
fn next_newline(newlines: &[usize], e: usize) -> usize {
    let i = newlines.partition_point(|&x| x < e);
    newlines.get(i).copied().unwrap_or(usize::MAX)
}

/// Combines the occurrences of the parts of a gap pattern (docs §4). `parts[j]` holds the
/// distinct `(start, end)` occurrences of part `j`, sorted. Returns the distinct
/// `(s0, min end)` occurrences of the pattern.
///
/// Equivalent to the reachable-set definition: `best[j][o]` is the least end of a last
/// part reachable from occurrence `o` of part `j`, computed from the last part backwards;
/// occurrence `(s', e')` reaches `(s, e)` of the next part when
/// `e' <= s <= min(e' + max_gap, first newline at or after e')`. The window bounds are
/// non-decreasing in `e'`, so a monotone deque gives each window's minimum.
pub(crate) fn combine_gaps(
    parts: &[Vec<(usize, usize)>],
    max_gap: i64,
    newlines: &[usize],
) -> Vec<(usize, usize)> {
    let k = parts.len();
    if k == 0 || parts.iter().any(Vec::is_empty) {
        return Vec::new();
    }
    // best of the last part: its own end.
    let mut best: Vec<Option<usize>> = parts[k - 1].iter().map(|&(_, e)| Some(e)).collect();
    for j in (0..k - 1).rev() {
        let next = &parts[j + 1]; // sorted by start
        let cur = &parts[j];
        let mut order: Vec<usize> = (0..cur.len()).collect();
        order.sort_unstable_by_key(|&i| cur[i].1);
        let mut cur_best = vec![None; cur.len()];
        let mut deque: VecDeque<usize> = VecDeque::new();
        let mut hi_ptr = 0; // next index of `next` to push
        for &oi in &order {
            let e = cur[oi].1;
            let lo = e;
            let hi = {
                let gap_end = i128::try_from(e).unwrap_or(i128::MAX) + i128::from(max_gap);
                let nl = next_newline(newlines, e);
                let bound = i128::try_from(nl).unwrap_or(i128::MAX).min(gap_end);
                if bound < i128::try_from(lo).unwrap_or(i128::MAX) {
                    continue;
                }
                usize::try_from(bound).unwrap_or(usize::MAX)
            };
            while hi_ptr < next.len() && next[hi_ptr].0 <= hi {
                if let Some(v) = best[hi_ptr] {
                    while let Some(&back) = deque.back() {
                        if best[back].is_some_and(|b| b >= v) {
                            deque.pop_back();
                        } else {
                            break;
                        }
                    }
                    deque.push_back(hi_ptr);
                }
                hi_ptr += 1;
            }
            while let Some(&front) = deque.front() {
                if next[front].0 < lo {
                    deque.pop_front();
                } else {
                    break;
                }
            }
            cur_best[oi] = deque.front().and_then(|&f| best[f]);
        }
        best = cur_best;
    }
    let mut out: Vec<(usize, usize)> = parts[0]
        .iter()
        .zip(&best)
        .filter_map(|(&(s, _), b)| b.map(|e| (s, e)))
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}
