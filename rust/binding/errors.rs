//! The errors the binding raises for bad input, and the type names in their messages.

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;

/// The name of `obj`'s type, for messages (`"?"` if it has none readable).
pub(super) fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type()
        .name()
        .map_or_else(|_| "?".to_owned(), |n| n.to_string())
}

/// `TypeError: {what} must be str, not {type}`.
pub(super) fn not_str(what: &str, obj: &Bound<'_, PyAny>) -> PyErr {
    PyTypeError::new_err(format!("{what} must be str, not {}", type_name(obj)))
}

/// A bad entry `key` of the compiled watchlist (`plain`).
pub(super) fn malformed_plain(key: &str, msg: impl std::fmt::Display) -> PyErr {
    PyValueError::new_err(format!("malformed compiled watchlist: {key}: {msg}"))
}

/// A bad entry `key` of the results spec (`results`).
pub(super) fn malformed_results(key: &str, msg: impl std::fmt::Display) -> PyErr {
    PyValueError::new_err(format!("malformed results spec: {key}: {msg}"))
}
