//! zmq_poller(3) (draft): the C face of `socket::poller::Poller`. A poller handle is
//! a tagged box (libzmq's tag 0xCAFEBABE), so NULL, a pointer to NULL and anything
//! else are `EFAULT`. Argument checks come in libzmq's order: the poller (`EFAULT`),
//! the socket (`ENOTSOCK`) or descriptor (`EBADF` for -1), the events (`EINVAL`).

use core::ffi::{c_int, c_long, c_short, c_void};

use parking_lot::Mutex;

use super::handle::{into_tagged, release_tagged, tagged};
use super::types::{zmq_fd_t, zmq_poller_event_t};
use super::{args, boundary, handle};
use crate::error::{Errno, Result};
use crate::socket::poller::{Poller, PollerEvent};

/// libzmq's poller tag.
const POLLER_TAG: u32 = 0xcafe_babe;

/// What a registration gives back in its events.
#[derive(Debug, Clone, Copy)]
struct Registration {
    /// The socket handle (NULL for a descriptor).
    socket: *mut c_void,
    user_data: *mut c_void,
}

/// A poller and the buffer its waits report into.
#[derive(Debug)]
struct PollerHandle {
    poller: Poller<Registration>,
    ready: Vec<PollerEvent<Registration>>,
}

type SharedPoller = Mutex<PollerHandle>;

/// # Safety
/// `poller` must be NULL or a handle from `zmq_poller_new` (see `handle::tagged`).
unsafe fn shared_poller<'a>(poller: *mut c_void) -> Result<&'a SharedPoller> {
    // SAFETY: forwarded contract.
    unsafe { tagged(poller, POLLER_TAG, Errno::EFAULT) }
}

/// An event libzmq writes where there is none: no socket, fd -1 (`retired_fd`).
fn no_event() -> zmq_poller_event_t {
    zmq_poller_event_t { socket: core::ptr::null_mut(), fd: -1, user_data: core::ptr::null_mut(), events: 0 }
}

fn c_event(event: &PollerEvent<Registration>) -> zmq_poller_event_t {
    zmq_poller_event_t {
        socket: event.data.socket,
        fd: event.fd.unwrap_or(-1),
        user_data: event.data.user_data,
        events: event.events,
    }
}

/// zmq_poller_wait_all's body: waits and writes the events, then (as libzmq) blanks
/// the rest of the array.
///
/// # Safety
/// As [`zmq_poller_wait_all`].
unsafe fn wait_into(
    poller: *mut c_void,
    events: *mut zmq_poller_event_t,
    n_events: c_int,
    timeout: c_long,
) -> Result<c_int> {
    // SAFETY: forwarded contract.
    let shared = unsafe { shared_poller(poller) }?;
    if events.is_null() {
        return Err(Errno::EFAULT);
    }
    let capacity = usize::try_from(n_events).map_err(|_| Errno::EINVAL)?;
    let mut handle = shared.lock();
    let PollerHandle { poller: engine, ready } = &mut *handle;
    let found = engine.wait(ready, capacity, timeout)?;
    // SAFETY: the caller passes `n_events` writable events at `events`.
    let out = unsafe { core::slice::from_raw_parts_mut(events, capacity) };
    for (slot, event) in out.iter_mut().zip(ready.iter()) {
        *slot = c_event(event);
    }
    if let Some(rest) = out.get_mut(found..) {
        rest.fill_with(no_event);
    }
    Ok(c_int::try_from(found).unwrap_or(c_int::MAX))
}

/// zmq_poller_new (draft): a new, empty poller.
#[cfg(zmq_draft)]
#[unsafe(no_mangle)]
pub extern "C" fn zmq_poller_new() -> *mut c_void {
    boundary::call(|| {
        let handle = PollerHandle { poller: Poller::new()?, ready: Vec::new() };
        Ok(into_tagged::<SharedPoller>(POLLER_TAG, Mutex::new(handle)))
    })
}

/// zmq_poller_destroy (draft): frees the poller (its sockets and descriptors are
/// left as they are) and clears `*poller_p`; `EFAULT` unless `*poller_p` is a poller.
///
/// # Safety
/// `poller_p` must be NULL or point to NULL or to a handle from `zmq_poller_new`.
#[cfg(zmq_draft)]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zmq_poller_destroy(poller_p: *mut *mut c_void) -> c_int {
    boundary::call(|| {
        // SAFETY: forwarded contract.
        let slot = unsafe { args::out(poller_p) }?;
        // SAFETY: forwarded contract.
        drop(unsafe { release_tagged::<SharedPoller>(*slot, POLLER_TAG, Errno::EFAULT) }?);
        *slot = core::ptr::null_mut();
        Ok(0)
    })
}

/// zmq_poller_size (draft): how many sockets and descriptors are registered.
///
/// # Safety
/// `poller` must be NULL or a handle from `zmq_poller_new`.
#[cfg(zmq_draft)]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zmq_poller_size(poller: *mut c_void) -> c_int {
    boundary::call(|| {
        // SAFETY: forwarded contract.
        let size = unsafe { shared_poller(poller) }?.lock().poller.len();
        Ok(c_int::try_from(size).unwrap_or(c_int::MAX))
    })
}

/// zmq_poller_add (draft): registers `socket` for `events` (ZMQ_POLLIN,
/// ZMQ_POLLOUT; 0 is allowed), with `user_data` to give back in its events.
/// `EINVAL` when it is registered already or for other event bits.
///
/// # Safety
/// `poller` must be NULL or a handle from `zmq_poller_new`.
#[cfg(zmq_draft)]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zmq_poller_add(
    poller: *mut c_void,
    socket: *mut c_void,
    user_data: *mut c_void,
    events: c_short,
) -> c_int {
    boundary::call(|| {
        // SAFETY: forwarded contract.
        let shared = unsafe { shared_poller(poller) }?;
        let member = handle::socket(socket)?;
        shared.lock().poller.add(&member, Registration { socket, user_data }, events)?;
        Ok(0)
    })
}

/// zmq_poller_modify (draft): changes the events a registered socket waits for;
/// `EINVAL` when it is not registered.
///
/// # Safety
/// `poller` must be NULL or a handle from `zmq_poller_new`.
#[cfg(zmq_draft)]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zmq_poller_modify(
    poller: *mut c_void,
    socket: *mut c_void,
    events: c_short,
) -> c_int {
    boundary::call(|| {
        // SAFETY: forwarded contract.
        let shared = unsafe { shared_poller(poller) }?;
        let member = handle::socket(socket)?;
        shared.lock().poller.modify(&member, events)?;
        Ok(0)
    })
}

/// zmq_poller_remove (draft): unregisters a socket; `EINVAL` when it is not
/// registered.
///
/// # Safety
/// `poller` must be NULL or a handle from `zmq_poller_new`.
#[cfg(zmq_draft)]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zmq_poller_remove(poller: *mut c_void, socket: *mut c_void) -> c_int {
    boundary::call(|| {
        // SAFETY: forwarded contract.
        let shared = unsafe { shared_poller(poller) }?;
        let member = handle::socket(socket)?;
        shared.lock().poller.remove(&member)?;
        Ok(0)
    })
}

/// zmq_poller_add_fd (draft): registers a descriptor for `events` (ZMQ_POLLIN,
/// ZMQ_POLLOUT, ZMQ_POLLPRI, ZMQ_POLLERR; 0 is allowed). `EBADF` for -1, `EINVAL`
/// when it is registered already or for other event bits.
///
/// # Safety
/// `poller` must be NULL or a handle from `zmq_poller_new`.
#[cfg(zmq_draft)]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zmq_poller_add_fd(
    poller: *mut c_void,
    fd: zmq_fd_t,
    user_data: *mut c_void,
    events: c_short,
) -> c_int {
    boundary::call(|| {
        // SAFETY: forwarded contract.
        let shared = unsafe { shared_poller(poller) }?;
        let registration = Registration { socket: core::ptr::null_mut(), user_data };
        shared.lock().poller.add_fd(fd, registration, events)?;
        Ok(0)
    })
}

/// zmq_poller_modify_fd (draft): `EBADF` for -1, `EINVAL` when not registered.
///
/// # Safety
/// `poller` must be NULL or a handle from `zmq_poller_new`.
#[cfg(zmq_draft)]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zmq_poller_modify_fd(poller: *mut c_void, fd: zmq_fd_t, events: c_short) -> c_int {
    boundary::call(|| {
        // SAFETY: forwarded contract.
        unsafe { shared_poller(poller) }?.lock().poller.modify_fd(fd, events)?;
        Ok(0)
    })
}

/// zmq_poller_remove_fd (draft): `EBADF` for -1, `EINVAL` when not registered.
///
/// # Safety
/// `poller` must be NULL or a handle from `zmq_poller_new`.
#[cfg(zmq_draft)]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zmq_poller_remove_fd(poller: *mut c_void, fd: zmq_fd_t) -> c_int {
    boundary::call(|| {
        // SAFETY: forwarded contract.
        unsafe { shared_poller(poller) }?.lock().poller.remove_fd(fd)?;
        Ok(0)
    })
}

/// zmq_poller_wait (draft): zmq_poller_wait_all for one event; 0 on success. On
/// failure `*event` is blanked (no socket, fd -1).
///
/// # Safety
/// `poller` must be NULL or a handle from `zmq_poller_new`; `event` NULL or writable.
#[cfg(zmq_draft)]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zmq_poller_wait(
    poller: *mut c_void,
    event: *mut zmq_poller_event_t,
    timeout: c_long,
) -> c_int {
    boundary::call(|| {
        // SAFETY: forwarded contract.
        match unsafe { wait_into(poller, event, 1, timeout) } {
            Ok(_) => Ok(0),
            Err(error) => {
                // SAFETY: the caller passes NULL or a writable event.
                if let Some(event) = unsafe { event.as_mut() } {
                    *event = no_event();
                }
                Err(error)
            }
        }
    })
}

/// zmq_poller_wait_all (draft): waits up to `timeout` ms (-1: forever, 0: just look)
/// for registered sockets and descriptors to be ready, and writes at most
/// `n_events` of them, in the order they were added; returns how many (never 0).
/// `EAGAIN` when the time is up (also when nothing asks for events: after
/// sleeping `timeout`); `EFAULT` for a NULL `events`, or when nothing is registered
/// or asks for events and `timeout` is negative; `EINVAL` for a negative `n_events`; `ETERM` when a
/// socket's context was shut down; `EINTR` when a signal interrupted the wait.
///
/// # Safety
/// `poller` must be NULL or a handle from `zmq_poller_new`; `events` NULL or
/// `n_events` writable events.
#[cfg(zmq_draft)]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zmq_poller_wait_all(
    poller: *mut c_void,
    events: *mut zmq_poller_event_t,
    n_events: c_int,
    timeout: c_long,
) -> c_int {
    // SAFETY: forwarded contract.
    boundary::call(|| unsafe { wait_into(poller, events, n_events, timeout) })
}

/// zmq_poller_fd (draft): a descriptor that becomes readable when a registered
/// socket or descriptor may be ready (then wait with timeout 0). As libzmq, only
/// once a thread-safe socket was added; `EINVAL` before.
///
/// # Safety
/// `poller` must be NULL or a handle from `zmq_poller_new`; `fd` writable.
#[cfg(zmq_draft)]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zmq_poller_fd(poller: *mut c_void, fd: *mut zmq_fd_t) -> c_int {
    boundary::call(|| {
        // SAFETY: forwarded contract.
        let descriptor = unsafe { shared_poller(poller) }?.lock().poller.fd()?;
        // SAFETY: forwarded contract.
        *unsafe { args::out(fd) }? = descriptor;
        Ok(0)
    })
}
