//! The only raw-pointer helpers of the C ABI: C arguments become Rust slices,
//! strings and output slots here, with the NULL checks libzmq makes.

use core::ffi::{c_char, c_void};
use std::ffi::CStr;

use crate::error::{Errno, Result};

/// `len` bytes at `ptr`; a NULL `ptr` is allowed only when `len` is 0.
///
/// # Safety
/// When non-null, `ptr` must be valid for reads of `len` bytes for `'a`.
pub unsafe fn slice<'a>(ptr: *const c_void, len: usize) -> Result<&'a [u8]> {
    if len == 0 {
        return Ok(&[]);
    }
    if ptr.is_null() {
        return Err(Errno::EFAULT);
    }
    // SAFETY: non-null and, by the caller's contract, valid for `len` bytes.
    Ok(unsafe { core::slice::from_raw_parts(ptr.cast::<u8>(), len) })
}

/// `len` writable bytes at `ptr`; a NULL `ptr` is allowed only when `len` is 0.
///
/// # Safety
/// When non-null, `ptr` must be valid for writes of `len` bytes for `'a`, and not
/// aliased by any other reference.
pub unsafe fn slice_mut<'a>(ptr: *mut c_void, len: usize) -> Result<&'a mut [u8]> {
    if len == 0 {
        return Ok(&mut []);
    }
    if ptr.is_null() {
        return Err(Errno::EFAULT);
    }
    // SAFETY: non-null and, by the caller's contract, valid and unique for `len` bytes.
    Ok(unsafe { core::slice::from_raw_parts_mut(ptr.cast::<u8>(), len) })
}

/// A NUL-terminated C string; NULL is `EINVAL` (as libzmq's endpoint and property
/// arguments).
///
/// # Safety
/// When non-null, `ptr` must point to a NUL-terminated string valid for `'a`.
pub unsafe fn c_str<'a>(ptr: *const c_char) -> Result<&'a CStr> {
    if ptr.is_null() {
        return Err(Errno::EINVAL);
    }
    // SAFETY: non-null and NUL-terminated by the caller's contract.
    Ok(unsafe { CStr::from_ptr(ptr) })
}

/// The first bytes of a C string, at most `max` of them (C's `strnlen`): bytes past
/// `max` are never read. NULL is `EINVAL`.
///
/// # Safety
/// When non-null, `ptr` must be readable up to its NUL or for `max` bytes, whichever
/// comes first, for `'a`.
pub unsafe fn c_str_prefix<'a>(ptr: *const c_char, max: usize) -> Result<&'a [u8]> {
    if ptr.is_null() {
        return Err(Errno::EINVAL);
    }
    let bytes = ptr.cast::<u8>();
    // SAFETY: each byte read is before the NUL or within `max`, readable by contract.
    let len = (0..max).find(|&i| unsafe { bytes.add(i).read() } == 0).unwrap_or(max);
    // SAFETY: the `len` bytes just scanned are readable.
    Ok(unsafe { core::slice::from_raw_parts(bytes, len) })
}

/// A writable output slot; NULL is `EFAULT`.
///
/// # Safety
/// When non-null, `ptr` must be valid, aligned and unaliased for writes of `T` for `'a`.
pub unsafe fn out<'a, T>(ptr: *mut T) -> Result<&'a mut T> {
    // SAFETY: the caller's contract; `as_mut` checks for NULL.
    unsafe { ptr.as_mut() }.ok_or(Errno::EFAULT)
}

/// Writes `value` through `ptr` when it is not NULL (for optional out-parameters).
///
/// # Safety
/// When non-null, `ptr` must be valid and aligned for writes of `T`.
pub unsafe fn write_if_some<T>(ptr: *mut T, value: T) {
    if !ptr.is_null() {
        // SAFETY: non-null, valid and aligned by the caller's contract.
        unsafe { ptr.write(value) }
    }
}
