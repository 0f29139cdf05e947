//! The PyO3 binding `tgematch._native`: converts Python data to the core's plain types
//! and back, and releases the GIL while scanning. No matching logic lives here.
//!
//! * [`engine`]: the pyclass `Engine` (what Python sees) and its methods.
//! * [`results`]: building the raw analysis tuple and the finished `Analysis` objects.
//! * [`text`]: reading a `str` (or a batch element) as the bytes the core scans.
//! * [`plain`]: decoding `CompiledWatchlist.to_plain()` into the core's watchlist.
//! * [`batch`]: the Python-facing half of a batch (the rest is `crate::core::batch`).
//! * [`errors`]: the errors raised for bad input.
//! * [`ffi`]: every `unsafe` block, behind safe functions.

// Only `ffi` may use `unsafe` (it allows it for itself).
#![deny(unsafe_code)]

use pyo3::prelude::*;

mod batch;
mod engine;
mod errors;
mod ffi;
mod plain;
mod results;
mod text;

/// The native engine of tgematch.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<engine::Engine>()?;
    m.add("UNICODE_VERSION", crate::core::UNICODE_VERSION)?;
    Ok(())
}
