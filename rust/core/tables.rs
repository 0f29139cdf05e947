//! Per-code-point character tables (docs/matching.md §1), read only from the shipped
//! `unicode_tables.rs` — never from the Rust standard library's Unicode data.
//!
//! Lookups for the Basic Multilingual Plane go through dense arrays built once (lazily)
//! from the shipped ranges; code points above U+FFFF use a binary search of the ranges.

use std::sync::OnceLock;

use super::unicode_tables::{FOLD_PAIRS, NOSP_RANGES, SPACE_RANGES, WORD_RANGES};

/// `word(c)`: `c.isalnum() or c == "_"`.
pub const WORD: u8 = 1;
/// `space(c)`: `c.isspace()`.
pub const SPACE: u8 = 2;
/// `nosp(c)`: script written without spaces (Han, Kana, Hangul, Thai, ...).
pub const NOSP: u8 = 4;

const BMP: usize = 0x1_0000;

/// Dense lookup tables for the BMP, plus the ASCII byte tables of the fast path.
pub struct Tables {
    flags: Vec<u8>,
    fold: Vec<u32>,
    /// `fold` of each ASCII byte (an ASCII byte folds to an ASCII byte in the shipped
    /// tables; checked when building, otherwise that byte leaves the fast path).
    pub ascii_fold: [u8; 128],
    /// `space` of each ASCII byte.
    pub ascii_space: [bool; 128],
    /// The normalised form of each ASCII byte: `' '` for a space, else its fold.
    pub ascii_norm: [u8; 128],
    /// `true` when `ascii_norm` equals [`ascii_norm_formula`] for every ASCII byte (it does
    /// with the shipped tables), so ASCII runs can be normalised by arithmetic the
    /// compiler vectorises instead of by table lookups.
    pub ascii_norm_is_formula: bool,
    /// A prebuilt searcher for two spaces (building one per document costs more than
    /// searching a tweet).
    pub double_space: memchr::memmem::Finder<'static>,
    /// `true` when every ASCII byte folds to an ASCII byte (always, with real tables).
    pub ascii_closed: bool,
    /// `true` when an ASCII byte of the normalised text tells the `word` and `nosp`
    /// flags of the original character that produced it: every character folding to an
    /// ASCII character has that character's flags, and only space characters become
    /// `' '` (always, with real tables). Lets the scan drop literal matches whose
    /// whole-word checks fail before mapping offsets.
    pub ascii_decides_glue: bool,
}

fn in_ranges(ranges: &[(u32, u32)], cp: u32) -> bool {
    // Ranges are sorted and disjoint: find the last range starting at or before `cp`.
    let i = ranges.partition_point(|&(lo, _)| lo <= cp);
    i > 0 && cp <= ranges[i - 1].1
}

fn fold_slow(cp: u32) -> u32 {
    match FOLD_PAIRS.binary_search_by_key(&cp, |&(c, _)| c) {
        Ok(i) => FOLD_PAIRS[i].1,
        Err(_) => cp,
    }
}

fn flags_slow(cp: u32) -> u8 {
    let mut f = 0;
    if in_ranges(WORD_RANGES, cp) {
        f |= WORD;
    }
    if in_ranges(SPACE_RANGES, cp) {
        f |= SPACE;
    }
    if in_ranges(NOSP_RANGES, cp) {
        f |= NOSP;
    }
    f
}

fn mark(flags: &mut [u8], ranges: &[(u32, u32)], bit: u8) {
    for &(lo, hi) in ranges {
        let lo = lo as usize;
        if lo >= BMP {
            continue;
        }
        let hi = (hi as usize).min(BMP - 1);
        for f in flags.iter_mut().take(hi + 1).skip(lo) {
            *f |= bit;
        }
    }
}

impl Tables {
    fn build() -> Tables {
        let mut flags = vec![0u8; BMP];
        mark(&mut flags, WORD_RANGES, WORD);
        mark(&mut flags, SPACE_RANGES, SPACE);
        mark(&mut flags, NOSP_RANGES, NOSP);
        let mut fold: Vec<u32> = (0..BMP as u32).collect();
        for &(c, f) in FOLD_PAIRS {
            if let Some(slot) = fold.get_mut(c as usize) {
                *slot = f;
            }
        }
        let mut ascii_fold = [0u8; 128];
        let mut ascii_space = [false; 128];
        let mut ascii_closed = true;
        for b in 0..128u8 {
            let f = fold[b as usize];
            if f < 128 {
                ascii_fold[b as usize] = f as u8;
            } else {
                ascii_fold[b as usize] = b;
                ascii_closed = false;
            }
            ascii_space[b as usize] = flags[b as usize] & SPACE != 0;
        }
        let glue_bits = |cp: u32| flags_slow(cp) & (WORD | NOSP);
        let ascii_decides_glue = ascii_closed
            && glue_bits(0x20) == 0
            && (0..128u32).all(|c| glue_bits(c) == glue_bits(fold_slow(c)))
            && FOLD_PAIRS
                .iter()
                .filter(|&&(_, f)| f < 128)
                .all(|&(c, f)| f != 0x20 && glue_bits(c) == glue_bits(f));
        let ascii_norm: [u8; 128] =
            std::array::from_fn(|b| if ascii_space[b] { b' ' } else { ascii_fold[b] });
        Tables {
            flags,
            fold,
            ascii_fold,
            ascii_space,
            ascii_norm,
            ascii_norm_is_formula: (0..128u8)
                .all(|b| ascii_norm[usize::from(b)] == ascii_norm_formula(b)),
            double_space: memchr::memmem::Finder::new(b"  ").into_owned(),
            ascii_closed,
            ascii_decides_glue,
        }
    }

    /// The table flags (`WORD | SPACE | NOSP` bits) of `cp`.
    #[inline]
    pub fn flags(&self, cp: u32) -> u8 {
        match self.flags.get(cp as usize) {
            Some(&f) => f,
            None => flags_slow(cp),
        }
    }

    /// `fold(cp)`: the simple lowercase of `cp` when it is one character, else `cp`.
    #[inline]
    pub fn fold(&self, cp: u32) -> u32 {
        match self.fold.get(cp as usize) {
            Some(&f) => f,
            None => fold_slow(cp),
        }
    }

    /// `word(cp)`.
    #[inline]
    pub fn is_word(&self, cp: u32) -> bool {
        self.flags(cp) & WORD != 0
    }

    /// `space(cp)`.
    #[inline]
    pub fn is_space(&self, cp: u32) -> bool {
        self.flags(cp) & SPACE != 0
    }

    /// `glued(a, b) = word(a) and word(b) and not nosp(a) and not nosp(b)`.
    #[inline]
    pub fn glued(&self, a: u32, b: u32) -> bool {
        let (fa, fb) = (self.flags(a), self.flags(b));
        fa & (WORD | NOSP) == WORD && fb & (WORD | NOSP) == WORD
    }
}

/// Normalisation of an ASCII byte by arithmetic: `A-Z` lowercased, the ASCII space
/// characters of Unicode 14 (`\t \n \x0b \x0c \r`, `\x1c-\x1f`, `' '`) mapped to `' '`.
/// Used only when the tables say the same ([`Tables::ascii_norm_is_formula`]).
#[inline(always)]
pub fn ascii_norm_formula(b: u8) -> u8 {
    let upper = b.wrapping_sub(b'A') < 26;
    let space = (b.wrapping_sub(9) < 5) | (b.wrapping_sub(28) < 5);
    let lowered = b | (u8::from(upper) << 5);
    if space {
        b' '
    } else {
        lowered
    }
}

/// The shared tables, built on first use.
pub fn tables() -> &'static Tables {
    static TABLES: OnceLock<Tables> = OnceLock::new();
    TABLES.get_or_init(Tables::build)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dense_tables_agree_with_ranges() {
        let t = tables();
        for cp in (0..0x11_0000u32)
            .step_by(7)
            .chain([0x20, 0x3000, 0x10_FFFF])
        {
            assert_eq!(t.flags(cp), flags_slow(cp), "flags of U+{cp:04X}");
            assert_eq!(t.fold(cp), fold_slow(cp), "fold of U+{cp:04X}");
        }
    }

    #[test]
    fn known_characters() {
        let t = tables();
        let cases: &[(u32, bool, bool, bool, u32)] = &[
            // (cp, word, space, nosp, fold)
            ('A' as u32, true, false, false, 'a' as u32),
            ('_' as u32, true, false, false, '_' as u32),
            ('$' as u32, false, false, false, '$' as u32),
            (0x00A0, false, true, false, 0x00A0),     // NBSP
            (0x3000, false, true, false, 0x3000),     // ideographic space
            (0x001C, false, true, false, 0x001C),     // file separator is a Python space
            (0x00C9, true, false, false, 0x00E9),     // É
            (0x0130, true, false, false, 0x0130),     // İ lowers to two chars: itself
            (0x212A, true, false, false, 'k' as u32), // Kelvin sign
            (0x30B3, true, false, true, 0x30B3),      // コ
            (0xD83D, false, false, false, 0xD83D),    // lone surrogate
            (0x1F600, false, false, false, 0x1F600),  // emoji
            (0x10400, true, false, false, 0x10428),   // Deseret capital long I
        ];
        for &(cp, word, space, nosp, fold) in cases {
            let f = t.flags(cp);
            assert_eq!(f & WORD != 0, word, "word U+{cp:04X}");
            assert_eq!(f & SPACE != 0, space, "space U+{cp:04X}");
            assert_eq!(f & NOSP != 0, nosp, "nosp U+{cp:04X}");
            assert_eq!(t.fold(cp), fold, "fold U+{cp:04X}");
        }
        assert!(t.ascii_closed);
        assert!(t.ascii_decides_glue);
        assert!(t.ascii_norm_is_formula);
        assert!(t.glued('a' as u32, 'b' as u32));
        assert!(!t.glued('a' as u32, 0x30B3));
        assert!(!t.glued('a' as u32, '-' as u32));
    }
}
