//! Reading texts: a Python `str` (or a batch element) as the generalized UTF-8 bytes the
//! core scans.

use pyo3::exceptions::PyTypeError;
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyString, PyTuple};

use super::errors::{not_str, type_name};
use super::ffi;
use crate::core::reuse::with_reused;
use crate::core::text::{push_utf8, utf8_room};

/// The generalized UTF-8 bytes of a text for the duration of a call.
///
/// An ASCII `str` is read in place. Any other `str` is copied out as code points
/// (`PyUnicode_AsUCS4`) and encoded here, lone surrogates included (as
/// `surrogatepass` would), rather than through `PyUnicode_AsUTF8AndSize`, which would
/// keep a UTF-8 copy inside the caller's string for its whole lifetime (and make a second
/// scan of the same object look cheaper than the first, which is not what a scraper
/// sees), or `str.encode`, whose per-character encoder is slower than widening plus this.
pub(super) enum TextHolder<'py> {
    /// An ASCII string: its own bytes are UTF-8.
    Ascii(ExactStr<'py>),
    /// A non-ASCII string encoded, or `title + "\n" + content` joined here.
    Owned(Vec<u8>),
}

/// A text as the reader sees it: an exact `str`, never an instance of a subclass.
///
/// A `str` subclass can override every protocol (`__len__`, `isascii`, `__iter__`,
/// `__str__`, ...), and the reader uses a length as the bound of raw memory
/// ([`ffi::code_points`]). So every text is first turned into an exact `str` holding the
/// subclass instance's real characters ([`ffi::exact_str_copy`]); only this type reaches
/// the reader, so no value a subclass computes can ever bound a buffer or decide what is
/// read.
pub(super) struct ExactStr<'py>(Bound<'py, PyString>);

impl<'py> ExactStr<'py> {
    pub(super) fn of(s: &Bound<'py, PyString>) -> PyResult<ExactStr<'py>> {
        if s.is_exact_instance_of::<PyString>() {
            return Ok(ExactStr(s.clone()));
        }
        let copy = ffi::exact_str_copy(s)?;
        if !copy.is_exact_instance_of::<PyString>() {
            return Err(PyTypeError::new_err(
                "internal error: str copy is not exact",
            ));
        }
        Ok(ExactStr(copy))
    }

    /// The number of code points, from the string object itself (see
    /// [`ffi::str_length`]; here the type is exact anyway).
    fn char_count(&self) -> PyResult<usize> {
        ffi::str_length(&self.0)
    }

    /// Whether the text is ASCII (`str.isascii`, which reads a flag CPython keeps; an
    /// exact `str` cannot override it).
    fn is_ascii(&self) -> PyResult<bool> {
        self.0
            .call_method0(intern!(self.0.py(), "isascii"))?
            .is_truthy()
    }
}

/// Appends the generalized UTF-8 of `s` to `out`.
fn append_str(s: &ExactStr<'_>, out: &mut Vec<u8>) -> PyResult<()> {
    if s.is_ascii()? {
        out.extend_from_slice(s.0.to_str()?.as_bytes());
        return Ok(());
    }
    append_code_points(s, out)
}

/// A thread keeps its code point buffer while it holds at most this many (1 MB).
const CODE_POINTS_KEEP: usize = 1 << 18;

thread_local! {
    /// The code points of the text being read, reused from one text to the next.
    static CODE_POINTS: std::cell::RefCell<Vec<u32>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Appends the generalized UTF-8 of `s`, read as code points, to `out`.
fn append_code_points(s: &ExactStr<'_>, out: &mut Vec<u8>) -> PyResult<()> {
    with_reused(
        &CODE_POINTS,
        |cps| cps.capacity() > CODE_POINTS_KEEP,
        |cps| ffi::code_points(&s.0, cps).map(|cps| push_utf8(cps, out)),
    )
}

/// One element of a batch, as text.
pub(super) enum Doc<'py> {
    Text(ExactStr<'py>),
    /// `(content, title)`, scanned as `title + "\n" + content`.
    Titled(ExactStr<'py>, ExactStr<'py>),
}

impl<'py> Doc<'py> {
    /// A `str`, or a `(content, title)` pair of `str` and `str | None`; anything else
    /// goes through `convert(doc, index)`, which returns the text or raises the error
    /// that names the element.
    pub(super) fn of(
        doc: &Bound<'py, PyAny>,
        index: usize,
        convert: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Doc<'py>> {
        if let Ok(s) = doc.cast::<PyString>() {
            return Ok(Doc::Text(ExactStr::of(s)?));
        }
        if let Ok(pair) = doc.cast::<PyTuple>() {
            if pair.len() == 2 {
                let (content, title) = (pair.get_item(0)?, pair.get_item(1)?);
                if let Ok(content) = content.cast_into::<PyString>() {
                    if title.is_none() {
                        return Ok(Doc::Text(ExactStr::of(&content)?));
                    }
                    if let Ok(title) = title.cast_into::<PyString>() {
                        return Ok(Doc::Titled(ExactStr::of(&content)?, ExactStr::of(&title)?));
                    }
                }
            }
        }
        let (obj, what) = match convert {
            Some(f) => (f.call1((doc, index))?, "docs"),
            None => (doc.clone(), "texts"),
        };
        let s = obj.cast_into::<PyString>().map_err(|e| {
            let obj = e.into_inner();
            PyTypeError::new_err(format!(
                "{what}[{index}] must be str, not {}",
                type_name(&obj)
            ))
        })?;
        Ok(Doc::Text(ExactStr::of(&s)?))
    }

    /// Room for the text: at least what [`Doc::append_to`] asks to reserve for it (so a
    /// buffer with this much room never grows while the text is appended).
    pub(super) fn size_hint(&self) -> PyResult<usize> {
        let room = |s: &ExactStr<'_>| s.char_count().map(utf8_room);
        Ok(match self {
            Doc::Text(s) => room(s)?,
            Doc::Titled(content, title) => room(title)? + 1 + room(content)?,
        })
    }

    /// Appends the document's generalized UTF-8 text to `out`.
    pub(super) fn append_to(&self, out: &mut Vec<u8>) -> PyResult<()> {
        match self {
            Doc::Text(s) => append_str(s, out),
            Doc::Titled(content, title) => {
                append_str(title, out)?;
                out.push(b'\n');
                append_str(content, out)
            }
        }
    }
}

impl<'py> TextHolder<'py> {
    /// The text of argument `what`, which must be a `str`.
    pub(super) fn new(obj: &Bound<'py, PyAny>, what: &str) -> PyResult<TextHolder<'py>> {
        let s = obj.cast::<PyString>().map_err(|_| not_str(what, obj))?;
        Self::of_str(ExactStr::of(s)?)
    }

    fn of_str(s: ExactStr<'py>) -> PyResult<TextHolder<'py>> {
        if s.is_ascii()? {
            return Ok(TextHolder::Ascii(s));
        }
        let mut out = Vec::new();
        append_code_points(&s, &mut out)?;
        Ok(TextHolder::Owned(out))
    }

    /// `title + "\n" + content`.
    pub(super) fn joined(
        content: &Bound<'py, PyString>,
        title: &Bound<'py, PyString>,
    ) -> PyResult<Self> {
        let mut out = Vec::new();
        Doc::Titled(ExactStr::of(content)?, ExactStr::of(title)?).append_to(&mut out)?;
        Ok(TextHolder::Owned(out))
    }

    /// The text of one element of a batch (see [`Doc::of`]).
    pub(super) fn document(
        doc: &Bound<'py, PyAny>,
        index: usize,
        convert: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<TextHolder<'py>> {
        match Doc::of(doc, index, convert)? {
            Doc::Text(s) => Self::of_str(s),
            titled @ Doc::Titled(..) => {
                let mut out = Vec::new();
                titled.append_to(&mut out)?;
                Ok(TextHolder::Owned(out))
            }
        }
    }

    pub(super) fn bytes(&self) -> PyResult<&[u8]> {
        match self {
            TextHolder::Ascii(s) => Ok(s.0.to_str()?.as_bytes()),
            TextHolder::Owned(v) => Ok(v),
        }
    }
}
