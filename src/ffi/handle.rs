//! The opaque handles C holds: `void *` contexts, sockets, and utility objects.
//!
//! A context handle is the address of a small allocation that is registered while
//! the context lives. Every call looks the address up instead of dereferencing it, so
//! NULL, a pointer that was never a context, or a context already terminated is
//! `EFAULT` (libzmq's `check_tag`, made reliable), and a call racing with
//! `zmq_ctx_term` gets either the live context or `EFAULT`, never freed memory.

use core::ffi::c_void;
use std::collections::HashMap;

use core::sync::atomic::{AtomicU32, Ordering};

use once_cell::sync::Lazy;
use parking_lot::{MappedRwLockReadGuard, Mutex, RwLock, RwLockReadGuard};

use crate::ctx::Context;
use crate::error::{Errno, Result};
use crate::socket::Socket;

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

/// The allocation a socket handle points at. Slots are never freed: a closed socket's
/// slot is marked dead and reused for a later socket, so a stale handle reads a dead
/// tag (`ENOTSOCK`) instead of freed memory.
#[repr(C)]
#[derive(Debug)]
struct SocketSlot {
    tag: AtomicU32,
    socket: RwLock<Option<Socket>>,
}

/// libzmq's socket tag.
const SOCKET_TAG: u32 = 0xbadd_ecaf;

static FREE_SOCKET_SLOTS: Lazy<Mutex<Vec<&'static SocketSlot>>> = Lazy::new(Default::default);

/// Slots of sockets closed while another thread was inside a call on them: reused once
/// that call has returned.
static RETIRED_SOCKET_SLOTS: Lazy<Mutex<Vec<&'static SocketSlot>>> = Lazy::new(Default::default);

/// A live socket, borrowed for the length of one call.
pub type SocketRef = MappedRwLockReadGuard<'static, Socket>;

/// Hands `socket` to C.
pub fn new_socket(socket: Socket) -> *mut c_void {
    let slot = reusable_slot().unwrap_or_else(|| {
        Box::leak(Box::new(SocketSlot { tag: AtomicU32::new(DEAD_TAG), socket: RwLock::new(None) }))
    });
    *slot.socket.write() = Some(socket);
    slot.tag.store(SOCKET_TAG, Ordering::Release);
    core::ptr::from_ref(slot).cast_mut().cast()
}

/// A free slot, or a retired one whose last call has returned.
fn reusable_slot() -> Option<&'static SocketSlot> {
    if let Some(slot) = FREE_SOCKET_SLOTS.lock().pop() {
        return Some(slot);
    }
    let mut retired = RETIRED_SOCKET_SLOTS.lock();
    let index = retired.iter().position(|slot| slot.socket.try_write().is_some())?;
    let slot = retired.swap_remove(index);
    drop(slot.socket.write().take());
    Some(slot)
}

/// The slot behind a live socket handle; `ENOTSOCK` for anything else.
fn socket_slot(handle: *mut c_void) -> Result<&'static SocketSlot> {
    let slot = handle.cast::<SocketSlot>();
    if slot.is_null() || !slot.is_aligned() {
        return Err(Errno::ENOTSOCK);
    }
    // SAFETY: the tag is the first field, so only 4 aligned bytes are read before it is
    // known to be a socket slot; C passes a pointer to at least that much (a socket,
    // a context, or whatever it mistook for one, as libzmq's check_tag assumes).
    let tag = unsafe { &*slot.cast::<AtomicU32>() };
    if tag.load(Ordering::Acquire) != SOCKET_TAG {
        return Err(Errno::ENOTSOCK);
    }
    // SAFETY: the tag says this is a slot from `new_socket`, which is never freed.
    Ok(unsafe { &*slot })
}

/// The live socket behind `handle`, borrowed without a reference-count round trip
/// (this is on every send and receive); `ENOTSOCK` for NULL, closed or foreign
/// handles. Recursive, so a free function that closes the socket from inside a call
/// on it cannot deadlock.
pub fn socket(handle: *mut c_void) -> Result<SocketRef> {
    let guard = socket_slot(handle)?.socket.read_recursive();
    RwLockReadGuard::try_map(guard, Option::as_ref).map_err(|_| Errno::ENOTSOCK)
}

/// `ENOTSOCK` unless `handle` is a live socket.
pub fn check_socket(handle: *mut c_void) -> Result<()> {
    socket(handle).map(drop)
}

/// Marks the handle closed and returns its socket; `ENOTSOCK` as in [`socket`]. Never
/// waits: when another thread is inside a call on the socket, the slot is retired
/// until that call returns instead of being reused at once.
pub fn release_socket(handle: *mut c_void) -> Result<Socket> {
    let slot = socket_slot(handle)?;
    if slot.tag.compare_exchange(SOCKET_TAG, DEAD_TAG, Ordering::AcqRel, Ordering::Acquire).is_err() {
        return Err(Errno::ENOTSOCK);
    }
    if let Some(mut socket) = slot.socket.try_write() {
        let socket = socket.take().ok_or(Errno::ENOTSOCK)?;
        FREE_SOCKET_SLOTS.lock().push(slot);
        return Ok(socket);
    }
    let socket = slot.socket.read_recursive().clone().ok_or(Errno::ENOTSOCK)?;
    RETIRED_SOCKET_SLOTS.lock().push(slot);
    Ok(socket)
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
    fn a_socket_closed_during_a_call_keeps_its_slot_until_the_call_returns() {
        let context = Context::new();
        let handle = new_socket(Socket::new(&context, crate::constants::ZMQ_PAIR).unwrap());
        // The only unit test that makes socket handles, so the slot it frees is not
        // taken by another test running beside it.
        let in_call = socket(handle).unwrap();
        release_socket(handle).unwrap().close();
        assert_eq!(socket(handle).unwrap_err(), Errno::ENOTSOCK);
        assert_eq!(release_socket(handle).unwrap_err(), Errno::ENOTSOCK);
        // The call still sees its socket, and the slot is not handed out meanwhile.
        assert_eq!(in_call.socket_type(), crate::constants::ZMQ_PAIR);
        let other = new_socket(Socket::new(&context, crate::constants::ZMQ_PUSH).unwrap());
        assert_ne!(other, handle);
        drop(in_call);
        let reused = new_socket(Socket::new(&context, crate::constants::ZMQ_PULL).unwrap());
        assert_eq!(reused, handle);
        assert_eq!(socket(reused).unwrap().socket_type(), crate::constants::ZMQ_PULL);
        for handle in [other, reused] {
            release_socket(handle).unwrap().close();
        }
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
    tag: AtomicU32,
    value: T,
}

/// The tag of a released object, so a stale handle fails its check while the
/// allocator has not reused the memory.
const DEAD_TAG: u32 = 0xdead_beef;

/// Moves `value` to the heap and returns its C handle.
pub fn into_tagged<T>(tag: u32, value: T) -> *mut c_void {
    let tagged = Tagged { tag: AtomicU32::new(tag), value };
    Box::into_raw(Box::new(tagged)).cast()
}

/// The object behind a handle made by [`into_tagged`] with the same `tag`; `error`
/// for NULL or a mismatched tag.
///
/// # Safety
/// `handle` must be NULL or point to at least 4 readable bytes (only they are read
/// unless they hold `tag`); a handle from `into_tagged::<T>` that is not released
/// qualifies, and so does a pointer to a C `void *` holding NULL (libzmq's tests
/// pass `&null_poller`).
pub unsafe fn tagged<'a, T>(handle: *mut c_void, tag: u32, error: Errno) -> Result<&'a T> {
    let tagged = handle.cast::<Tagged<T>>();
    if tagged.is_null() || !tagged.is_aligned() {
        return Err(error);
    }
    // SAFETY: the tag is the first field of the `repr(C)` struct, so only 4 aligned
    // bytes are read, readable by the caller's contract.
    let found = unsafe { &*tagged.cast::<AtomicU32>() };
    if found.load(Ordering::Acquire) != tag {
        return Err(error);
    }
    // SAFETY: the tag says this is a live `Tagged<T>` from `into_tagged`.
    Ok(unsafe { &(*tagged).value })
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
    tagged.tag.store(DEAD_TAG, Ordering::Release);
    Ok(tagged.value)
}
