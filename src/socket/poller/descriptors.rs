//! How a poller watches descriptors: the application's, and its own inbox's, in one
//! level-triggered epoll set, registered once. Descriptors epoll refuses (a regular
//! file, a number that is not open) are polled with poll(2) on every pass instead,
//! which reports them at once, as libzmq's poll-based poller does.

use core::ffi::c_short;
use std::os::fd::RawFd;
use std::time::Duration;

use super::items::Key;
use crate::error::{Errno, Result};
use crate::reactor::epoll::{Epoll, ReadyBuffer};
use crate::reactor::poll as sys;
use crate::socket::poll::system_events;

/// The epoll token of the inbox's descriptor (no registration's key reaches it).
const INBOX: u64 = u64::MAX;

/// How one descriptor is watched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FdWatch {
    /// Not at all: it asks for no events.
    Idle,
    /// By the epoll set.
    Epoll,
    /// By poll(2) on every pass.
    Polled,
}

/// A descriptor epoll refused.
#[derive(Debug)]
struct Refused {
    key: Key,
    fd: RawFd,
    interest: c_short,
}

#[derive(Debug)]
pub struct Descriptors {
    epoll: Epoll,
    /// Descriptors in the epoll set, besides the inbox's.
    in_epoll: usize,
    refused: Vec<Refused>,
    /// What the last wait found, kept from one wait to the next.
    ready: ReadyBuffer,
    ready_count: usize,
    polled: Vec<sys::PollFd>,
}

impl Descriptors {
    /// An epoll set holding the inbox's descriptor.
    pub fn new(inbox: RawFd) -> Result<Descriptors> {
        let epoll = Epoll::new()?;
        epoll.add(inbox, sys::POLLIN, INBOX)?;
        Ok(Descriptors {
            epoll,
            in_epoll: 0,
            refused: Vec::new(),
            ready: ReadyBuffer::default(),
            ready_count: 0,
            polled: Vec::new(),
        })
    }

    /// The epoll set's descriptor: readable while a watched descriptor is ready.
    pub fn fd(&self) -> RawFd {
        self.epoll.fd()
    }

    /// Moves `fd` (registration `key`) from being watched as `was` to what `events`
    /// (zmq bits) need, and says how it is watched now.
    pub fn watch(&mut self, fd: RawFd, key: Key, was: FdWatch, events: c_short) -> Result<FdWatch> {
        // What the last wait found no longer lines up.
        self.ready_count = 0;
        self.polled.clear();
        if was == FdWatch::Polled {
            self.refused.retain(|refused| refused.key != key);
        }
        let interest = system_events(events);
        let now = match (was, events != 0) {
            (FdWatch::Idle | FdWatch::Polled, false) => FdWatch::Idle,
            (FdWatch::Polled, true) => FdWatch::Polled,
            (FdWatch::Epoll, false) => {
                // A descriptor closed before its removal has left the set already.
                let _ = self.epoll.remove(fd);
                self.in_epoll -= 1;
                FdWatch::Idle
            }
            (FdWatch::Epoll, true) => match self.epoll.modify(fd, interest, key.token()) {
                Ok(()) => FdWatch::Epoll,
                // Closed (and perhaps reopened) while registered: it left the set.
                Err(Errno::ENOENT | Errno::EBADF) => {
                    self.in_epoll -= 1;
                    self.watch(fd, key, FdWatch::Idle, events)?
                }
                Err(error) => return Err(error),
            },
            (FdWatch::Idle, true) => match self.epoll.add(fd, interest, key.token()) {
                Ok(()) => {
                    self.in_epoll += 1;
                    FdWatch::Epoll
                }
                Err(Errno(libc::EPERM) | Errno::EBADF) => FdWatch::Polled,
                Err(error) => return Err(error),
            },
        };
        if now == FdWatch::Polled {
            self.refused.push(Refused { key, fd, interest });
        }
        Ok(now)
    }

    /// Waits up to `timeout` (`None`: forever) for the epoll set, then polls the
    /// refused descriptors without waiting. `EINTR` when a signal interrupted it.
    pub fn wait(&mut self, timeout: Option<Duration>) -> Result<()> {
        self.ready_count = 0;
        self.ready_count = self.epoll.wait(&mut self.ready, self.in_epoll + 1, timeout)?;
        self.polled.clear();
        if self.refused.is_empty() {
            return Ok(());
        }
        self.polled.extend(self.refused.iter().map(|refused| sys::poll_fd(refused.fd, refused.interest)));
        sys::wait(&mut self.polled, Some(Duration::ZERO), None).map(drop)
    }

    /// The registrations the last wait found ready, with their poll(2) readiness.
    pub fn ready(&self) -> impl Iterator<Item = (Key, c_short)> + '_ {
        let from_epoll = self
            .ready
            .ready(self.ready_count)
            .filter(|readiness| readiness.token != INBOX)
            .map(|readiness| (Key::from_token(readiness.token), readiness.revents));
        let from_poll = self
            .refused
            .iter()
            .zip(&self.polled)
            .filter(|(_, polled)| polled.revents != 0)
            .map(|(refused, polled)| (refused.key, polled.revents));
        from_epoll.chain(from_poll)
    }
}
