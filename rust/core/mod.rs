//! The matching core of tgematch: plain Rust, no Python.
//!
//! * [`tables`]: the shipped Unicode tables (word, space, fold, nosp).
//! * [`text`]: generalized UTF-8, the normalised text `C` and the offset walk.
//! * [`compiled`]: the compiled watchlist (docs/matching.md §5) and [`Scanner`].
//! * `scanner`: the literal scanner (anchored walks from possible word starts).
//! * [`scan`]: occurrences (docs §2-§4, §6, §8.1-§8.2).
//! * [`score`]: the analysis of one document (docs §7, §8.3-§8.5).
//! * [`reuse`]: buffers a thread keeps from one document to the next.
//! * [`batch`]: the Python-free half of a parallel batch (threads, order, errors).

#![deny(missing_docs)]

pub mod batch;
pub mod compiled;
pub mod reuse;
pub mod scan;
mod scanner;
pub mod score;
pub mod tables;
pub mod text;
#[allow(clippy::unreadable_literal)]
mod unicode_tables;

#[cfg(test)]
mod fuzz;
#[cfg(test)]
mod tests;

pub use compiled::{BuildError, CompiledWatchlist, Scanner};
pub use scan::Occurrence;
pub use score::Analysis;

/// Unicode version of the shipped word, space and fold tables.
pub const UNICODE_VERSION: &str = unicode_tables::UNICODE_VERSION;
