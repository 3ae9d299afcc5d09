//! A level-triggered wake-up flag backed by an `eventfd`: what `ZMQ_FD` returns. It is
//! readable while a signal is pending and cleared by [`Signaler::clear`].
//! libzmq: `signaler.cpp`.
//!
//! One of the few modules that call `libc` directly: the descriptor must be a real fd
//! that applications can hand to their own `poll`/`epoll`.

use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::time::Duration;

use super::poll;
use crate::error::Result;

/// An eventfd-backed signal.
#[derive(Debug)]
pub struct Signaler {
    fd: OwnedFd,
}

impl Signaler {
    /// A new, cleared signaler; `EMFILE`/`ENFILE` when descriptors run out.
    pub fn new() -> Result<Signaler> {
        // SAFETY: eventfd takes no pointers; the result is checked below.
        let fd = unsafe { libc::eventfd(0, libc::EFD_CLOEXEC | libc::EFD_NONBLOCK) };
        if fd < 0 {
            return Err(std::io::Error::last_os_error().into());
        }
        // SAFETY: `fd` is a fresh descriptor that nothing else owns.
        Ok(Signaler { fd: unsafe { OwnedFd::from_raw_fd(fd) } })
    }

    /// The descriptor: readable while a signal is pending.
    pub fn fd(&self) -> RawFd {
        self.fd.as_raw_fd()
    }

    /// Raises the signal (idempotent until cleared).
    pub fn raise(&self) {
        let one: u64 = 1;
        // SAFETY: writes 8 bytes from a live local. Failure is only possible when the
        // counter is saturated (it is then readable anyway), so it is ignored.
        let _ = unsafe { libc::write(self.fd(), (&raw const one).cast(), 8) };
    }

    /// Clears a pending signal, if any.
    pub fn clear(&self) {
        let mut value: u64 = 0;
        // SAFETY: reads at most 8 bytes into a live local; EAGAIN (no signal) is fine.
        let _ = unsafe { libc::read(self.fd(), (&raw mut value).cast(), 8) };
    }

    /// Waits until the signal is raised or `timeout` passes (`None`: forever).
    /// Returns whether it was raised; `EINTR` when a signal handler interrupted the wait.
    pub fn wait(&self, timeout: Option<Duration>) -> Result<bool> {
        let mut fds = [poll::poll_fd(self.fd(), poll::POLLIN)];
        Ok(poll::wait(&mut fds, timeout, None)? > 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raise_is_level_triggered_until_cleared() {
        let signaler = Signaler::new().unwrap();
        assert!(!signaler.wait(Some(Duration::ZERO)).unwrap());
        signaler.raise();
        signaler.raise();
        assert!(signaler.wait(Some(Duration::ZERO)).unwrap());
        assert!(signaler.wait(Some(Duration::ZERO)).unwrap());
        signaler.clear();
        assert!(!signaler.wait(Some(Duration::from_millis(1))).unwrap());
    }

    #[test]
    fn a_raise_from_another_thread_wakes_a_waiter() {
        let signaler = std::sync::Arc::new(Signaler::new().unwrap());
        let remote = std::sync::Arc::clone(&signaler);
        let thread = std::thread::spawn(move || remote.raise());
        assert!(signaler.wait(Some(Duration::from_secs(10))).unwrap());
        thread.join().unwrap();
    }
}
