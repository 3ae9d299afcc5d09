//! Polling: zmq_poll(3), the draft zmq_ppoll and the draft zmq_poller API.
//!
//! `zmq_poll` works over sockets and plain descriptors. The `zmq_poller_*` API is
//! not implemented yet: `zmq_poller_new` is `ENOTSUP`, so every other poller call
//! sees no poller (`EFAULT`).

use core::ffi::{c_int, c_long, c_short, c_void};
use std::time::Duration;

use super::types::{zmq_fd_t, zmq_pollitem_t};
use super::{boundary, handle};
use crate::error::{Errno, Result};
use crate::socket::poll::{poll, PollItem};

#[cfg(zmq_draft)]
use super::types::zmq_poller_event_t;

/// zmq_poll over C poll items: validates them as libzmq does, polls, writes `revents`.
fn poll_items(
    items: *mut zmq_pollitem_t,
    nitems: c_int,
    timeout: c_long,
    mask: Option<&libc::sigset_t>,
) -> Result<c_int> {
    if nitems > 0 && !items.is_null() {
        // SAFETY: the caller passes `nitems` poll items at `items`.
        let raw = unsafe { core::slice::from_raw_parts(items, nitems as usize) };
        // libzmq rejects a bad socket before anything else.
        for item in raw.iter().filter(|item| !item.socket.is_null()) {
            handle::check_socket(item.socket)?;
        }
    }
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
    // SAFETY: the caller passes `nitems` poll items at `items`, not aliased elsewhere.
    let raw = unsafe { core::slice::from_raw_parts_mut(items, count) };
    let mut polled = raw
        .iter()
        .map(|item| {
            let socket =
                if item.socket.is_null() { None } else { Some(handle::socket(item.socket)?.clone()) };
            Ok(PollItem { socket, fd: item.fd, events: item.events, revents: 0 })
        })
        .collect::<Result<Vec<_>>>()?;
    let ready = poll(&mut polled, timeout, mask)?;
    for (item, result) in raw.iter_mut().zip(&polled) {
        item.revents = result.revents;
    }
    Ok(c_int::try_from(ready).unwrap_or(c_int::MAX))
}

/// zmq_poll(3).
///
/// # Safety
/// `items` must point to `nitems` poll items.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zmq_poll(items: *mut zmq_pollitem_t, nitems: c_int, timeout: c_long) -> c_int {
    boundary::call(|| poll_items(items, nitems, timeout, None))
}

/// zmq_ppoll (draft): zmq_poll with `sigmask` (when not NULL) as the thread's signal
/// mask while waiting, atomically, as ppoll(2).
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
    boundary::call(|| {
        // SAFETY: the caller passes NULL or a valid signal set.
        let mask = unsafe { sigmask.as_ref() };
        poll_items(items, nitems, timeout, mask)
    })
}

/// zmq_poller_new (draft): not implemented yet (`ENOTSUP`).
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
