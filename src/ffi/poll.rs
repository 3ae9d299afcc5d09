//! Polling: zmq_poll(3) and the draft zmq_ppoll, over sockets and plain descriptors.
//! The draft zmq_poller API is in `poller`.

use core::ffi::{c_int, c_long};
use std::time::Duration;

use super::types::zmq_pollitem_t;
use super::{boundary, handle};
use crate::error::{Errno, Result};
use crate::socket::poll::{poll, PollItem};

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
