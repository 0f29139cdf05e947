//! Buffers a thread keeps from one document to the next.
//!
//! Allocating the buffers of a scan afresh for every document was a tenth of the time of
//! a news article, so the scan and the binding's text reader each keep theirs in a
//! thread-local, give it back when one huge document made it large, and fall back to a
//! fresh buffer if the thread-local is already borrowed (a re-entrant call).

use std::cell::RefCell;
use std::thread::LocalKey;

/// `f(buffer)` with this thread's buffer in `key`, reset to `T::default()` afterwards if
/// `too_big(buffer)`; with a fresh buffer when `key`'s is already in use.
pub fn with_reused<T: Default + 'static, R>(
    key: &'static LocalKey<RefCell<T>>,
    too_big: impl FnOnce(&T) -> bool,
    f: impl FnOnce(&mut T) -> R,
) -> R {
    key.with(|cell| match cell.try_borrow_mut() {
        Ok(mut buffer) => {
            let result = f(&mut buffer);
            if too_big(&buffer) {
                *buffer = T::default();
            }
            result
        }
        Err(_) => f(&mut T::default()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    thread_local! {
        static BUF: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
    }

    #[test]
    fn reuses_gives_back_and_survives_reentry() {
        let too_big = |v: &Vec<u8>| v.capacity() > 100;
        with_reused(&BUF, too_big, |v| v.extend_from_slice(b"abc"));
        // Kept: the next call sees the same allocation (cleared by its user, not here).
        with_reused(&BUF, too_big, |v| assert_eq!(v, b"abc"));
        // Re-entrant: the inner call gets a fresh buffer instead of panicking.
        with_reused(&BUF, too_big, |outer| {
            with_reused(&BUF, too_big, |inner| assert!(inner.is_empty()));
            outer.resize(1000, 0);
        });
        // Given back after growing past the limit.
        with_reused(&BUF, too_big, |v| assert_eq!(v.capacity(), 0));
    }
}
