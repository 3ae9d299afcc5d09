//! Polling: zmq_poll(3), the draft zmq_ppoll and the draft zmq_poller API.
//!
//! Polling needs the engine's sockets and signalers, which land with the next issue.
//! Until then: an empty set sleeps for the timeout as libzmq does, a socket item is
//! `ENOTSOCK` (no socket can exist), a set of plain descriptors is `ENOTSUP`, and
//! `zmq_poller_new` is `ENOTSUP` (so every other poller call sees no poller: `EFAULT`).

use core::ffi::{c_int, c_long, c_short, c_void};
use std::time::Duration;

use super::types::{zmq_fd_t, zmq_pollitem_t};
use super::{boundary, handle};
use crate::error::{Errno, Result};

#[cfg(zmq_draft)]
use super::types::zmq_poller_event_t;

/// The checks every poll makes before waiting.
fn poll_items(items: *mut zmq_pollitem_t, nitems: c_int, timeout: c_long) -> Result<c_int> {
    let count = usize::try_from(nitems).map_err(|_| Errno::EINVAL)?;
    if count == 0 {
        // libzmq sleeps with `usleep(timeout * 1000)`: -1 wraps to about 71 minutes.
        let micros = timeout.wrapping_mul(1000) as u32;
        std::thread::sleep(Duration::from_micros(micros.into()));
        return Ok(0);
    }
    if items.is_null() {
        return Err(Errno::EFAULT);
    }
    // SAFETY: the caller passes `nitems` poll items at `items`.
    let items = unsafe { core::slice::from_raw_parts(items, count) };
    if let Some(item) = items.iter().find(|item| !item.socket.is_null()) {
        match handle::socket(item.socket)? {}
    }
    Err(Errno::ENOTSUP)
}

/// zmq_poll(3).
///
/// # Safety
/// `items` must point to `nitems` poll items.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zmq_poll(items: *mut zmq_pollitem_t, nitems: c_int, timeout: c_long) -> c_int {
    boundary::call(|| poll_items(items, nitems, timeout))
}

/// zmq_ppoll (draft): zmq_poll with a signal mask applied while waiting.
///
/// # Safety
/// As [`zmq_poll`]; `sigmask` is NULL or a valid signal set.
#[cfg(zmq_draft)]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zmq_ppoll(
    items: *mut zmq_pollitem_t,
    nitems: c_int,
    timeout: c_long,
    sigmask: *const libc::sigset_t,
) -> c_int {
    let _ = sigmask;
    boundary::call(|| poll_items(items, nitems, timeout))
}

/// zmq_poller_new (draft): not available yet (`ENOTSUP`).
#[cfg(zmq_draft)]
#[unsafe(no_mangle)]
pub extern "C" fn zmq_poller_new() -> *mut c_void {
    boundary::call(|| Err(Errno::ENOTSUP))
}

/// zmq_poller_destroy (draft): no poller can exist yet, so `EFAULT`.
#[cfg(zmq_draft)]
#[unsafe(no_mangle)]
pub extern "C" fn zmq_poller_destroy(poller_p: *mut *mut c_void) -> c_int {
    let _ = poller_p;
    boundary::call(|| Err(Errno::EFAULT))
}

/// zmq_poller_size (draft).
#[cfg(zmq_draft)]
#[unsafe(no_mangle)]
pub extern "C" fn zmq_poller_size(poller: *mut c_void) -> c_int {
    let _ = poller;
    boundary::call(|| Err(Errno::EFAULT))
}

/// zmq_poller_add (draft).
#[cfg(zmq_draft)]
#[unsafe(no_mangle)]
pub extern "C" fn zmq_poller_add(
    poller: *mut c_void,
    socket: *mut c_void,
    user_data: *mut c_void,
    events: c_short,
) -> c_int {
    let _ = (poller, socket, user_data, events);
    boundary::call(|| Err(Errno::EFAULT))
}

/// zmq_poller_modify (draft).
#[cfg(zmq_draft)]
#[unsafe(no_mangle)]
pub extern "C" fn zmq_poller_modify(poller: *mut c_void, socket: *mut c_void, events: c_short) -> c_int {
    let _ = (poller, socket, events);
    boundary::call(|| Err(Errno::EFAULT))
}

/// zmq_poller_remove (draft).
#[cfg(zmq_draft)]
#[unsafe(no_mangle)]
pub extern "C" fn zmq_poller_remove(poller: *mut c_void, socket: *mut c_void) -> c_int {
    let _ = (poller, socket);
    boundary::call(|| Err(Errno::EFAULT))
}

/// zmq_poller_add_fd (draft).
#[cfg(zmq_draft)]
#[unsafe(no_mangle)]
pub extern "C" fn zmq_poller_add_fd(
    poller: *mut c_void,
    fd: zmq_fd_t,
    user_data: *mut c_void,
    events: c_short,
) -> c_int {
    let _ = (poller, fd, user_data, events);
    boundary::call(|| Err(Errno::EFAULT))
}

/// zmq_poller_modify_fd (draft).
#[cfg(zmq_draft)]
#[unsafe(no_mangle)]
pub extern "C" fn zmq_poller_modify_fd(poller: *mut c_void, fd: zmq_fd_t, events: c_short) -> c_int {
    let _ = (poller, fd, events);
    boundary::call(|| Err(Errno::EFAULT))
}

/// zmq_poller_remove_fd (draft).
#[cfg(zmq_draft)]
#[unsafe(no_mangle)]
pub extern "C" fn zmq_poller_remove_fd(poller: *mut c_void, fd: zmq_fd_t) -> c_int {
    let _ = (poller, fd);
    boundary::call(|| Err(Errno::EFAULT))
}

/// zmq_poller_wait (draft).
#[cfg(zmq_draft)]
#[unsafe(no_mangle)]
pub extern "C" fn zmq_poller_wait(
    poller: *mut c_void,
    event: *mut zmq_poller_event_t,
    timeout: c_long,
) -> c_int {
    let _ = (poller, event, timeout);
    boundary::call(|| Err(Errno::EFAULT))
}

/// zmq_poller_wait_all (draft).
#[cfg(zmq_draft)]
#[unsafe(no_mangle)]
pub extern "C" fn zmq_poller_wait_all(
    poller: *mut c_void,
    events: *mut zmq_poller_event_t,
    n_events: c_int,
    timeout: c_long,
) -> c_int {
    let _ = (poller, events, n_events, timeout);
    boundary::call(|| Err(Errno::EFAULT))
}

/// zmq_poller_fd (draft).
#[cfg(zmq_draft)]
#[unsafe(no_mangle)]
pub extern "C" fn zmq_poller_fd(poller: *mut c_void, fd: *mut zmq_fd_t) -> c_int {
    let _ = (poller, fd);
    boundary::call(|| Err(Errno::EFAULT))
}
