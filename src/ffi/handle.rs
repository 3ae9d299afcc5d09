//! The opaque handles C holds: `void *` contexts (and, with the engine, sockets).
//!
//! A context handle is the address of a small allocation that is registered while
//! the context lives. Every call looks the address up instead of dereferencing it, so
//! NULL, a pointer that was never a context, or a context already terminated is
//! `EFAULT` (libzmq's `check_tag`, made reliable), and a call racing with
//! `zmq_ctx_term` gets either the live context or `EFAULT`, never freed memory.

use core::ffi::c_void;
use std::collections::HashMap;

use once_cell::sync::Lazy;
use parking_lot::Mutex;

use crate::ctx::Context;
use crate::error::{Errno, Result};

/// The allocation a context handle points at. Its address is the handle; its bytes
/// are never read.
struct ContextHandle {
    _tag: u32,
}

/// libzmq's context tag, kept in the allocation so a core dump reads the same.
const CONTEXT_TAG: u32 = 0xabad_cafe;

static LIVE_CONTEXTS: Lazy<Mutex<HashMap<usize, Context>>> = Lazy::new(Default::default);

/// Registers `context` and returns its C handle.
pub fn new_context(context: Context) -> *mut c_void {
    let handle = Box::into_raw(Box::new(ContextHandle { _tag: CONTEXT_TAG }));
    LIVE_CONTEXTS.lock().insert(handle as usize, context);
    handle.cast()
}

/// The live context behind `handle`; `EFAULT` for anything else.
pub fn context(handle: *mut c_void) -> Result<Context> {
    LIVE_CONTEXTS.lock().get(&(handle as usize)).cloned().ok_or(Errno::EFAULT)
}

/// Unregisters `handle` (later calls with it fail with `EFAULT`) and frees it,
/// returning the context so the caller can finish terminating it.
pub fn release_context(handle: *mut c_void) -> Result<Context> {
    let context = LIVE_CONTEXTS.lock().remove(&(handle as usize)).ok_or(Errno::EFAULT)?;
    // SAFETY: the address was registered, so it came from `Box::into_raw` in
    // `new_context`, and removing it from the registry makes this the only release.
    drop(unsafe { Box::from_raw(handle.cast::<ContextHandle>()) });
    Ok(context)
}

/// The socket behind `handle`. No socket type is implemented yet, so no handle can
/// be a socket: every pointer is `ENOTSOCK`, which is what libzmq answers for NULL
/// or a pointer that is not a socket.
pub fn socket(_handle: *mut c_void) -> Result<core::convert::Infallible> {
    Err(Errno::ENOTSOCK)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registered_contexts_resolve_until_released() {
        let handle = new_context(Context::new());
        assert!(context(handle).is_ok());
        assert!(release_context(handle).is_ok());
        assert_eq!(context(handle).unwrap_err(), Errno::EFAULT);
        assert_eq!(release_context(handle).unwrap_err(), Errno::EFAULT);
    }

    #[test]
    fn foreign_pointers_are_efault() {
        let mut not_a_context = 0u64;
        assert_eq!(context(core::ptr::null_mut()).unwrap_err(), Errno::EFAULT);
        assert_eq!(context((&raw mut not_a_context).cast()).unwrap_err(), Errno::EFAULT);
    }
}

/// A heap object handed to C as `void *`, with a tag checked on every use (libzmq's
/// `check_tag`): NULL or a pointer to anything else with another tag is an error
/// instead of a crash. Used for timers, counters and stopwatches.
#[derive(Debug)]
#[repr(C)]
pub struct Tagged<T> {
    tag: core::sync::atomic::AtomicU32,
    value: T,
}

/// The tag of a released object, so a stale handle fails its check while the
/// allocator has not reused the memory.
const DEAD_TAG: u32 = 0xdead_beef;

/// Moves `value` to the heap and returns its C handle.
pub fn into_tagged<T>(tag: u32, value: T) -> *mut c_void {
    let tagged = Tagged { tag: core::sync::atomic::AtomicU32::new(tag), value };
    Box::into_raw(Box::new(tagged)).cast()
}

/// The object behind a handle made by [`into_tagged`] with the same `tag`; `error`
/// for NULL or a mismatched tag.
///
/// # Safety
/// `handle` must be NULL or point to readable memory at least as large as a
/// `Tagged<T>`; a handle from `into_tagged::<T>` that is not released qualifies.
pub unsafe fn tagged<'a, T>(handle: *mut c_void, tag: u32, error: Errno) -> Result<&'a T> {
    let tagged = handle.cast::<Tagged<T>>();
    if tagged.is_null() || !tagged.is_aligned() {
        return Err(error);
    }
    // SAFETY: non-null, aligned, and readable by the caller's contract.
    let tagged = unsafe { &*tagged };
    if tagged.tag.load(core::sync::atomic::Ordering::Acquire) != tag {
        return Err(error);
    }
    Ok(&tagged.value)
}

/// Frees the object behind `handle`, returning it; `error` as in [`tagged`].
///
/// # Safety
/// As [`tagged`]; after this call the handle must not be used again (a use is caught
/// by the tag only while the memory is not reused).
pub unsafe fn release_tagged<T>(handle: *mut c_void, tag: u32, error: Errno) -> Result<T> {
    // SAFETY: forwarded contract.
    unsafe { tagged::<T>(handle, tag, error) }?;
    let tagged = handle.cast::<Tagged<T>>();
    // SAFETY: the tag matched, so this is a live `Box<Tagged<T>>` from `into_tagged`.
    let tagged = unsafe { Box::from_raw(tagged) };
    tagged.tag.store(DEAD_TAG, core::sync::atomic::Ordering::Release);
    Ok(tagged.value)
}
