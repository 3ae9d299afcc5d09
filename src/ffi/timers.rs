//! zmq_timers(3): a timer set the application drives (`zmq_timers_timeout` tells how
//! long to wait, `zmq_timers_execute` calls the handlers that are due). Errors:
//! `EFAULT` for a handle that is not a timer set, `EINVAL` for an unknown timer id or
//! a NULL handler. Handlers may add, cancel or reset timers while being called.

use core::ffi::{c_int, c_long, c_void};
use std::time::{Duration, Instant};

use parking_lot::Mutex;

use super::handle::{into_tagged, release_tagged, tagged};
use super::types::zmq_timer_fn;
use super::{args, boundary};
use crate::error::{Errno, Result};
use crate::util::timers::Timers;

/// libzmq's timers tag.
const TIMERS_TAG: u32 = 0xcafe_dead;

/// A C handler and its argument.
#[derive(Clone, Copy)]
struct Handler {
    function: zmq_timer_fn,
    arg: *mut c_void,
}

// SAFETY: the handler is only ever called on the thread that calls
// zmq_timers_execute; the pointer is the caller's, passed back untouched.
unsafe impl Send for Handler {}

type TimerSet = Mutex<Timers<Handler>>;

/// # Safety
/// `timers` must be NULL or a handle from `zmq_timers_new` (see `handle::tagged`).
unsafe fn timer_set<'a>(timers: *mut c_void) -> Result<&'a TimerSet> {
    // SAFETY: forwarded contract.
    unsafe { tagged(timers, TIMERS_TAG, Errno::EFAULT) }
}

fn millis(interval: usize) -> Duration {
    Duration::from_millis(u64::try_from(interval).unwrap_or(u64::MAX))
}

/// zmq_timers_new(3).
#[unsafe(no_mangle)]
pub extern "C" fn zmq_timers_new() -> *mut c_void {
    boundary::call(|| Ok(into_tagged::<TimerSet>(TIMERS_TAG, Mutex::new(Timers::new()))))
}

/// zmq_timers_destroy(3): frees the set and clears `*timers_p`.
///
/// # Safety
/// `timers_p` must be NULL or point to a handle from `zmq_timers_new`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zmq_timers_destroy(timers_p: *mut *mut c_void) -> c_int {
    boundary::call(|| {
        // SAFETY: forwarded contract.
        let slot = unsafe { args::out(timers_p) }?;
        // SAFETY: forwarded contract.
        drop(unsafe { release_tagged::<TimerSet>(*slot, TIMERS_TAG, Errno::EFAULT) }?);
        *slot = core::ptr::null_mut();
        Ok(0)
    })
}

/// zmq_timers_add(3): returns the new timer's id.
///
/// # Safety
/// `timers` must be a handle from `zmq_timers_new`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zmq_timers_add(
    timers: *mut c_void,
    interval: usize,
    handler: Option<unsafe extern "C" fn(timer_id: c_int, arg: *mut c_void)>,
    arg: *mut c_void,
) -> c_int {
    boundary::call(|| {
        // SAFETY: forwarded contract.
        let set = unsafe { timer_set(timers) }?;
        let function = handler.ok_or(Errno::EFAULT)?;
        Ok(set.lock().add(millis(interval), Handler { function, arg }, Instant::now()))
    })
}

/// zmq_timers_cancel(3).
///
/// # Safety
/// `timers` must be a handle from `zmq_timers_new`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zmq_timers_cancel(timers: *mut c_void, timer_id: c_int) -> c_int {
    boundary::call(|| {
        // SAFETY: forwarded contract.
        unsafe { timer_set(timers) }?.lock().cancel(timer_id)?;
        Ok(0)
    })
}

/// zmq_timers_set_interval(3): the new interval applies from now.
///
/// # Safety
/// `timers` must be a handle from `zmq_timers_new`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zmq_timers_set_interval(
    timers: *mut c_void,
    timer_id: c_int,
    interval: usize,
) -> c_int {
    boundary::call(|| {
        // SAFETY: forwarded contract.
        let set = unsafe { timer_set(timers) }?;
        set.lock().set_interval(timer_id, millis(interval), Instant::now())?;
        Ok(0)
    })
}

/// zmq_timers_reset(3): restarts the timer's interval from now.
///
/// # Safety
/// `timers` must be a handle from `zmq_timers_new`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zmq_timers_reset(timers: *mut c_void, timer_id: c_int) -> c_int {
    boundary::call(|| {
        // SAFETY: forwarded contract.
        unsafe { timer_set(timers) }?.lock().reset(timer_id, Instant::now())?;
        Ok(0)
    })
}

/// zmq_timers_timeout(3): milliseconds until the next timer is due (rounded up), 0
/// when one is overdue, -1 when there is none.
///
/// # Safety
/// `timers` must be a handle from `zmq_timers_new`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zmq_timers_timeout(timers: *mut c_void) -> c_long {
    boundary::call(|| {
        // SAFETY: forwarded contract.
        let timeout = unsafe { timer_set(timers) }?.lock().timeout(Instant::now());
        Ok(match timeout {
            None => -1,
            Some(wait) => {
                let ms = wait.as_nanos().div_ceil(1_000_000);
                c_long::try_from(ms).unwrap_or(c_long::MAX)
            }
        })
    })
}

/// zmq_timers_execute(3): calls every handler that is due, once each.
///
/// # Safety
/// `timers` must be a handle from `zmq_timers_new`; handlers must not destroy it.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zmq_timers_execute(timers: *mut c_void) -> c_int {
    boundary::call(|| {
        // SAFETY: forwarded contract.
        let set = unsafe { timer_set(timers) }?;
        let due = set.lock().take_due(Instant::now());
        for (id, handler) in due {
            // The lock is not held while a handler runs: it may use the timer set.
            // A timer cancelled by an earlier handler of this round is skipped.
            if set.lock().is_active(id) {
                // SAFETY: the caller registered this handler with this argument.
                unsafe { (handler.function)(id, handler.arg) };
            }
        }
        Ok(0)
    })
}
