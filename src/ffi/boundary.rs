//! The one way into the library from C: run the engine call, catch any panic, and
//! turn its `Result` into the C return value plus errno.

use core::ffi::{c_char, c_int, c_long, c_ulong, c_void};
use std::panic::{catch_unwind, AssertUnwindSafe};

use super::errno;
use crate::error::{Errno, Result};

/// A C return type and the value it takes on failure.
pub trait CReturn: Sized {
    const FAILURE: Self;
}

impl CReturn for c_int {
    const FAILURE: Self = -1;
}

impl CReturn for c_long {
    const FAILURE: Self = -1;
}

impl CReturn for c_ulong {
    const FAILURE: Self = 0;
}

impl CReturn for u32 {
    const FAILURE: Self = 0;
}

impl CReturn for usize {
    const FAILURE: Self = 0;
}

impl CReturn for () {
    const FAILURE: Self = ();
}

impl CReturn for *mut c_void {
    const FAILURE: Self = core::ptr::null_mut();
}

impl CReturn for *const c_char {
    const FAILURE: Self = core::ptr::null();
}

impl CReturn for *mut c_char {
    const FAILURE: Self = core::ptr::null_mut();
}

impl CReturn for *mut u8 {
    const FAILURE: Self = core::ptr::null_mut();
}

/// Runs `body`; on `Err` or on a panic, sets errno and returns `R::FAILURE`.
pub fn call<R: CReturn>(body: impl FnOnce() -> Result<R>) -> R {
    call_or(R::FAILURE, body)
}

/// Like [`call`], for bodies that make no system call and allocate nothing, so that
/// errno cannot change on the way: it is not saved and restored (the accessors C
/// calls for every message: `zmq_msg_data`, `zmq_msg_size`, …).
pub fn call_pure<R: CReturn>(body: impl FnOnce() -> Result<R>) -> R {
    call_pure_or(R::FAILURE, body)
}

/// [`call_pure`] when `pure` (the body will neither allocate nor make a system call
/// this time), else [`call`].
pub fn call_pure_when<R: CReturn>(pure: bool, body: impl FnOnce() -> Result<R>) -> R {
    if pure {
        call_pure(body)
    } else {
        call(body)
    }
}

/// [`call_pure`] with an explicit failure value (see [`call_or`]).
pub fn call_pure_or<R>(failure: R, body: impl FnOnce() -> Result<R>) -> R {
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(value)) => value,
        Ok(Err(error)) => {
            errno::set(error);
            failure
        }
        Err(_panic) => {
            errno::set(Errno::INTERNAL);
            failure
        }
    }
}

/// Like [`call`], with an explicit failure value for functions whose libzmq
/// counterpart has no error sentinel (`zmq_msg_more` returns 0, say).
pub fn call_or<R>(failure: R, body: impl FnOnce() -> Result<R>) -> R {
    // A successful call leaves errno as it found it, whatever the system calls and
    // the allocator did to it on the way (libzmq's tests check this). Restored once
    // `body` has returned: the engine's locals are dropped by then, so nothing can
    // clobber errno after this.
    let caller_errno = errno::get();
    call_pure_or(failure, || body().inspect(|_| errno::restore(caller_errno)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_set_errno_and_return_the_sentinel() {
        let value: c_int = call(|| Err(Errno::ETERM));
        assert_eq!(value, -1);
        assert_eq!(errno::get(), Errno::ETERM.code());
        let pointer: *mut c_void = call(|| Err(Errno::EFAULT));
        assert!(pointer.is_null());
        assert_eq!(errno::get(), libc::EFAULT);
    }

    #[test]
    fn success_leaves_errno_alone() {
        errno::set(Errno::EAGAIN);
        let value: c_int = call(|| Ok(7));
        assert_eq!(value, 7);
        assert_eq!(errno::get(), libc::EAGAIN);
        // Even when something inside changed it.
        errno::restore(0);
        let value: c_int = call(|| {
            errno::set(Errno::EINVAL);
            Ok(8)
        });
        assert_eq!((value, errno::get()), (8, 0));
    }

    #[test]
    fn pure_calls_report_errors_and_panics_alike() {
        errno::set(Errno::EAGAIN);
        assert_eq!(call_pure(|| Ok(5)), 5);
        assert_eq!(errno::get(), libc::EAGAIN, "untouched on success");
        let value: c_int = call_pure(|| Err(Errno::EFAULT));
        assert_eq!((value, errno::get()), (-1, libc::EFAULT));
        assert_eq!(call_pure_or(0u8, || panic!("a bug")), 0);
        assert_eq!(errno::get(), Errno::INTERNAL.code());
    }

    #[test]
    fn panics_are_caught_and_reported() {
        let value: c_int = call(|| panic!("a bug"));
        assert_eq!(value, -1);
        assert_eq!(errno::get(), Errno::INTERNAL.code());
        assert_eq!(call_or(0u8, || panic!("another")), 0);
    }
}
