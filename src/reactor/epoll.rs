//! A level-triggered `epoll` instance, for the `zmq_poller` API: descriptors are
//! registered once and a wait costs one system call, however many are registered.
//!
//! Interests and readiness are poll(2)'s bits (`POLLIN`, `POLLOUT`, `POLLPRI`, and in
//! readiness `POLLERR`/`POLLHUP`), which on Linux are epoll's own values. The
//! module that calls `libc::epoll_*`: mio's registrations are edge-triggered, and a
//! poller reports a descriptor for as long as it is ready.

use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::time::Duration;

use crate::error::{Errno, Result};

// poll(2)'s bits are epoll's: interests and readiness pass through unchanged.
const _: () = assert!(libc::EPOLLIN == libc::POLLIN as i32);
const _: () = assert!(libc::EPOLLOUT == libc::POLLOUT as i32);
const _: () = assert!(libc::EPOLLPRI == libc::POLLPRI as i32);
const _: () = assert!(libc::EPOLLERR == libc::POLLERR as i32);
const _: () = assert!(libc::EPOLLHUP == libc::POLLHUP as i32);

/// The poll(2) bits an interest may hold.
const INTEREST_BITS: i16 = libc::POLLIN | libc::POLLOUT | libc::POLLPRI;

/// An epoll instance.
#[derive(Debug)]
pub struct Epoll {
    fd: OwnedFd,
}

/// One ready descriptor: the token it was registered with and its poll(2) readiness.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Readiness {
    pub token: u64,
    pub revents: i16,
}

/// Room for the readiness of one wait, reused from one wait to the next.
#[derive(Debug, Default)]
pub struct ReadyBuffer {
    events: Vec<libc::epoll_event>,
}

impl ReadyBuffer {
    /// The readiness the last wait reported, `count` being what it returned.
    pub fn ready(&self, count: usize) -> impl Iterator<Item = Readiness> + '_ {
        self.events.iter().take(count).map(|event| {
            // Copied out first: the structure is packed on x86-64.
            let (token, bits) = (event.u64, event.events);
            Readiness { token, revents: (bits & 0xffff) as i16 }
        })
    }
}

impl Epoll {
    /// A new, empty instance; `EMFILE`/`ENFILE` when descriptors run out.
    pub fn new() -> Result<Epoll> {
        // SAFETY: epoll_create1 takes no pointers; the result is checked below.
        let fd = unsafe { libc::epoll_create1(libc::EPOLL_CLOEXEC) };
        if fd < 0 {
            return Err(last_error());
        }
        // SAFETY: `fd` is a fresh descriptor that nothing else owns.
        Ok(Epoll { fd: unsafe { OwnedFd::from_raw_fd(fd) } })
    }

    /// The instance's own descriptor: readable while a registered descriptor is ready.
    pub fn fd(&self) -> RawFd {
        self.fd.as_raw_fd()
    }

    /// Starts watching `fd` for `interest` (poll(2) bits); readiness carries `token`.
    /// The kernel's errors as they are: `EPERM` for a descriptor epoll cannot watch (a
    /// regular file), `EBADF` for one that is not open, `EEXIST` when already watched.
    pub fn add(&self, fd: RawFd, interest: i16, token: u64) -> Result<()> {
        self.control(libc::EPOLL_CTL_ADD, fd, interest, token)
    }

    /// Changes what `fd` is watched for.
    pub fn modify(&self, fd: RawFd, interest: i16, token: u64) -> Result<()> {
        self.control(libc::EPOLL_CTL_MOD, fd, interest, token)
    }

    /// Stops watching `fd`.
    pub fn remove(&self, fd: RawFd) -> Result<()> {
        self.control(libc::EPOLL_CTL_DEL, fd, 0, 0)
    }

    fn control(&self, operation: i32, fd: RawFd, interest: i16, token: u64) -> Result<()> {
        let mut event = libc::epoll_event { events: (interest & INTEREST_BITS) as u32, u64: token };
        // SAFETY: `event` is a live local the kernel only reads (ignored for DEL).
        let outcome = unsafe { libc::epoll_ctl(self.fd(), operation, fd, &raw mut event) };
        if outcome < 0 {
            return Err(last_error());
        }
        Ok(())
    }

    /// Waits until a watched descriptor is ready or `timeout` passes (`None`: forever);
    /// at most `capacity` of them are reported into `buffer`. Returns how many.
    /// `EINTR` when a signal handler interrupted the wait.
    pub fn wait(
        &self,
        buffer: &mut ReadyBuffer,
        capacity: usize,
        timeout: Option<Duration>,
    ) -> Result<usize> {
        let capacity = capacity.clamp(1, i32::MAX as usize);
        if buffer.events.len() < capacity {
            buffer.events.resize(capacity, libc::epoll_event { events: 0, u64: 0 });
        }
        let millis = match timeout {
            None => -1,
            Some(wait) => i32::try_from(wait.as_nanos().div_ceil(1_000_000)).unwrap_or(i32::MAX),
        };
        // SAFETY: the buffer holds at least `capacity` writable events, and `capacity`
        // fits in an i32.
        let ready =
            unsafe { libc::epoll_wait(self.fd(), buffer.events.as_mut_ptr(), capacity as i32, millis) };
        usize::try_from(ready).map_err(|_| last_error())
    }
}

fn last_error() -> Errno {
    Errno::from(std::io::Error::last_os_error())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reactor::signaler::Signaler;

    #[test]
    fn a_watched_descriptor_is_reported_while_it_is_ready() {
        let epoll = Epoll::new().unwrap();
        let signal = Signaler::new().unwrap();
        epoll.add(signal.fd(), libc::POLLIN, 7).unwrap();
        let mut buffer = ReadyBuffer::default();
        assert_eq!(epoll.wait(&mut buffer, 4, Some(Duration::ZERO)).unwrap(), 0);
        signal.raise();
        for _ in 0..2 {
            let count = epoll.wait(&mut buffer, 4, Some(Duration::from_secs(5))).unwrap();
            let ready: Vec<_> = buffer.ready(count).collect();
            assert_eq!(ready, [Readiness { token: 7, revents: libc::POLLIN }]);
        }
        signal.clear();
        assert_eq!(epoll.wait(&mut buffer, 4, Some(Duration::from_millis(1))).unwrap(), 0);
        epoll.modify(signal.fd(), libc::POLLOUT, 8).unwrap();
        let count = epoll.wait(&mut buffer, 4, Some(Duration::ZERO)).unwrap();
        assert_eq!(buffer.ready(count).collect::<Vec<_>>(), [Readiness { token: 8, revents: libc::POLLOUT }]);
        epoll.remove(signal.fd()).unwrap();
        assert_eq!(epoll.wait(&mut buffer, 4, Some(Duration::ZERO)).unwrap(), 0);
    }

    #[test]
    fn the_kernel_refuses_what_it_cannot_watch() {
        let epoll = Epoll::new().unwrap();
        assert_eq!(epoll.add(-1, libc::POLLIN, 0), Err(Errno(libc::EBADF)));
        let file = std::fs::File::open(std::env::current_exe().unwrap()).unwrap();
        assert_eq!(epoll.add(file.as_raw_fd(), libc::POLLIN, 0), Err(Errno(libc::EPERM)));
    }
}
