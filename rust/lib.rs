//! tgematch native extension: the matching core (`matchcore`, plain Rust) plus a thin
//! PyO3 binding (`binding`, compiled only with the optional `pyo3` dependency, which
//! maturin enables through `--features pyo3/extension-module`).

#[path = "core/mod.rs"]
pub mod matchcore;

#[cfg(feature = "pyo3")]
mod binding;
