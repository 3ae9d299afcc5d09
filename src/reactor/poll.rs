//! `poll(2)` over a set of descriptors, for `zmq_poll`: socket signalers and the
//! application's own descriptors together.

use std::time::Duration;

use crate::error::{Errno, Result};

pub use libc::pollfd as PollFd;
pub use libc::sigset_t as SignalSet;
pub use libc::{POLLERR, POLLIN, POLLOUT, POLLPRI};

/// A poll entry for `fd` waiting for `events`.
pub fn poll_fd(fd: i32, events: i16) -> PollFd {
    PollFd { fd, events, revents: 0 }
}

/// Waits until one of `fds` is ready or `timeout` passes (`None`: forever); fills in
/// `revents`. With `mask`, the thread's signal mask is replaced by it while waiting
/// (`ppoll`). `EINTR` when a signal interrupted the wait.
pub fn wait(fds: &mut [PollFd], timeout: Option<Duration>, mask: Option<&SignalSet>) -> Result<usize> {
    let count = libc::nfds_t::try_from(fds.len()).map_err(|_| Errno::EINVAL)?;
    let ready = match mask {
        None => {
            let millis = match timeout {
                None => -1,
                Some(t) => i32::try_from(t.as_nanos().div_ceil(1_000_000)).unwrap_or(i32::MAX),
            };
            // SAFETY: `fds` is a valid array of `count` pollfd structures.
            unsafe { libc::poll(fds.as_mut_ptr(), count, millis) }
        }
        Some(mask) => {
            let spec = timeout.map(|t| libc::timespec {
                tv_sec: libc::time_t::try_from(t.as_secs()).unwrap_or(libc::time_t::MAX),
                tv_nsec: libc::c_long::from(t.subsec_nanos()),
            });
            let spec_ptr = spec.as_ref().map_or(core::ptr::null(), core::ptr::from_ref);
            // SAFETY: `fds` is a valid array of `count` pollfds; `spec_ptr` is NULL or a
            // live timespec; `mask` is a valid signal set.
            unsafe { libc::ppoll(fds.as_mut_ptr(), count, spec_ptr, mask) }
        }
    };
    usize::try_from(ready).map_err(|_| Errno::from(std::io::Error::last_os_error()))
}
