//! tgematch native extension: the matching core ([`core`], folder `rust/core/`, plain
//! Rust) plus a thin PyO3 binding (`binding`, folder `rust/binding/`, compiled only with
//! the optional `pyo3` dependency, which maturin enables through
//! `--features pyo3/extension-module`).
//!
//! The crate's own `core` module shadows Rust's `core` crate only at this crate root;
//! every other module that wants ours names it `crate::core`.

pub mod core;

#[cfg(feature = "pyo3")]
mod binding;
