//! `zmq_poller` (draft): a set of sockets and descriptors to wait on, level-triggered,
//! with libzmq 4.3.5's rules (`socket_poller.cpp`), at a cost that does not grow with
//! the size of the set.
//!
//! Descriptors are registered once with an epoll set (`descriptors`). Sockets post to
//! the poller's inbox whenever they may have changed (see `socket::readiness`), and
//! the inbox's descriptor is in the same epoll set. A wait is one `epoll_wait` and a look at
//! `ZMQ_EVENTS` of the sockets that may be ready: those that posted, and those the
//! previous wait found ready (or failing), which a level-triggered poller reports
//! again for as long as they stay so. Every other socket was not ready when last
//! looked at, and nothing has happened to it since.

mod descriptors;
mod items;

use core::ffi::{c_long, c_short};
use std::collections::HashMap;
use std::os::fd::RawFd;
use std::sync::atomic::{fence, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::poll::zmq_events;
use super::readiness::{Inbox, Watch};
use super::Socket;
use crate::constants::{ZMQ_POLLERR, ZMQ_POLLIN, ZMQ_POLLOUT, ZMQ_POLLPRI};
use crate::error::{Errno, Result};
use descriptors::{Descriptors, FdWatch};
use items::{Items, Key};

/// The events a registration may ask for (libzmq: `EINVAL` for any other bit).
const ANY_EVENT: c_short = (ZMQ_POLLIN | ZMQ_POLLOUT | ZMQ_POLLERR | ZMQ_POLLPRI) as c_short;

/// What a socket can be ready for.
const SOCKET_EVENTS: c_short = (ZMQ_POLLIN | ZMQ_POLLOUT) as c_short;

/// libzmq's `retired_fd`: `EBADF` as a descriptor argument.
const RETIRED_FD: RawFd = -1;

/// A ready registration, as `zmq_poller_wait_all` reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PollerEvent<T> {
    /// The descriptor of a descriptor's registration; `None` for a socket's.
    pub fd: Option<RawFd>,
    /// What the registration was given.
    pub data: T,
    /// What it is ready for, among what it asked for (`ZMQ_POLLERR` for a descriptor
    /// in error or hung up).
    pub events: c_short,
}

/// A set of sockets and descriptors to wait on. `T` is what each registration
/// carries back in its events (the C API keeps the socket handle and `user_data`).
#[derive(Debug)]
pub struct Poller<T> {
    descriptors: Descriptors,
    inbox: Arc<Inbox>,
    items: Items<Item<T>>,
    sockets: HashMap<usize, Key>,
    fds: HashMap<RawFd, Key>,
    /// Registrations asking for some event.
    enabled: usize,
    /// Sockets to look at on the next pass whether or not they post: found ready (or
    /// failing) by the last one, or added or modified since.
    recheck: Vec<Key>,
    /// A thread-safe socket was added once: `zmq_poller_fd` answers from then on.
    had_thread_safe: bool,
    /// The application has the descriptor (`zmq_poller_fd`).
    exposed: bool,
    /// Buffers kept from one wait to the next.
    buffers: Buffers,
}

#[derive(Debug, Default)]
struct Buffers {
    tokens: Vec<u64>,
    candidates: Vec<Candidate>,
}

/// One registration.
#[derive(Debug)]
struct Item<T> {
    /// When it was added: ready registrations are reported in this order, as libzmq.
    order: u64,
    events: c_short,
    data: T,
    target: Target,
    /// Already among the current pass's candidates.
    listed: bool,
}

#[derive(Debug)]
enum Target {
    Socket { socket: Socket, watch: Arc<Watch> },
    Fd { fd: RawFd, watching: FdWatch },
}

/// A registration to look at in this pass, with its descriptor's readiness.
#[derive(Debug, Clone, Copy)]
struct Candidate {
    order: u64,
    key: Key,
    revents: c_short,
}

fn check_events(events: c_short) -> Result<()> {
    if events & !ANY_EVENT != 0 {
        return Err(Errno::EINVAL);
    }
    Ok(())
}

fn check_fd(fd: RawFd) -> Result<()> {
    if fd == RETIRED_FD {
        return Err(Errno::EBADF);
    }
    Ok(())
}

impl<T: Clone> Poller<T> {
    /// An empty poller; `EMFILE` when descriptors run out.
    pub fn new() -> Result<Poller<T>> {
        let inbox = Inbox::new()?;
        Ok(Poller {
            descriptors: Descriptors::new(inbox.fd())?,
            inbox,
            items: Items::default(),
            sockets: HashMap::new(),
            fds: HashMap::new(),
            enabled: 0,
            recheck: Vec::new(),
            had_thread_safe: false,
            exposed: false,
            buffers: Buffers::default(),
        })
    }

    /// How many sockets and descriptors are registered (whatever their events).
    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.len() == 0
    }

    /// zmq_poller_add: `EINVAL` for an unknown event bit or a socket already there.
    pub fn add(&mut self, socket: &Socket, data: T, events: c_short) -> Result<()> {
        check_events(events)?;
        if self.sockets.contains_key(&socket.identity()) {
            return Err(Errno::EINVAL);
        }
        let (key, order) = self.items.next();
        let watch = Watch::new(&self.inbox, key.token());
        socket.watchers().add(Arc::clone(&watch));
        let target = Target::Socket { socket: socket.clone(), watch };
        self.items.insert(Item { order, events, data, target, listed: false });
        self.sockets.insert(socket.identity(), key);
        self.had_thread_safe |= socket.is_thread_safe();
        self.count_enabled(0, events);
        self.look_again(key);
        Ok(())
    }

    /// zmq_poller_modify: `EINVAL` for an unknown event bit or a socket not there.
    pub fn modify(&mut self, socket: &Socket, events: c_short) -> Result<()> {
        check_events(events)?;
        let key = *self.sockets.get(&socket.identity()).ok_or(Errno::EINVAL)?;
        let item = self.items.get_mut(key).ok_or(Errno::EINVAL)?;
        let old = std::mem::replace(&mut item.events, events);
        self.count_enabled(old, events);
        self.look_again(key);
        Ok(())
    }

    /// zmq_poller_remove: `EINVAL` for a socket not there.
    pub fn remove(&mut self, socket: &Socket) -> Result<()> {
        let key = self.sockets.remove(&socket.identity()).ok_or(Errno::EINVAL)?;
        let item = self.items.remove(key).ok_or(Errno::EINVAL)?;
        self.count_enabled(item.events, 0);
        if let Target::Socket { socket, watch } = &item.target {
            socket.watchers().remove(watch);
        }
        Ok(())
    }

    /// zmq_poller_add_fd: `EBADF` for -1, `EINVAL` for an unknown event bit or a
    /// descriptor already there. Any other descriptor is accepted, as by libzmq: one
    /// that is not open is reported in error by the next wait.
    pub fn add_fd(&mut self, fd: RawFd, data: T, events: c_short) -> Result<()> {
        check_fd(fd)?;
        check_events(events)?;
        if self.fds.contains_key(&fd) {
            return Err(Errno::EINVAL);
        }
        let (key, order) = self.items.next();
        let watching = self.descriptors.watch(fd, key, FdWatch::Idle, events)?;
        self.items.insert(Item { order, events, data, target: Target::Fd { fd, watching }, listed: false });
        self.fds.insert(fd, key);
        self.count_enabled(0, events);
        Ok(())
    }

    /// zmq_poller_modify_fd: `EBADF` for -1, `EINVAL` for an unknown event bit or a
    /// descriptor not there.
    pub fn modify_fd(&mut self, fd: RawFd, events: c_short) -> Result<()> {
        check_fd(fd)?;
        check_events(events)?;
        let key = *self.fds.get(&fd).ok_or(Errno::EINVAL)?;
        let Some(Item { target: Target::Fd { watching, .. }, .. }) = self.items.get(key) else {
            return Err(Errno::EINVAL);
        };
        let now = self.descriptors.watch(fd, key, *watching, events)?;
        if let Some(Item { target: Target::Fd { watching, .. }, events: asked, .. }) = self.items.get_mut(key)
        {
            *watching = now;
            let old = std::mem::replace(asked, events);
            self.count_enabled(old, events);
        }
        Ok(())
    }

    /// zmq_poller_remove_fd: `EBADF` for -1, `EINVAL` for a descriptor not there.
    pub fn remove_fd(&mut self, fd: RawFd) -> Result<()> {
        check_fd(fd)?;
        let key = self.fds.remove(&fd).ok_or(Errno::EINVAL)?;
        let item = self.items.remove(key).ok_or(Errno::EINVAL)?;
        self.count_enabled(item.events, 0);
        if let Target::Fd { watching, .. } = item.target {
            self.descriptors.watch(fd, key, watching, 0)?;
        }
        Ok(())
    }

    /// zmq_poller_fd: a descriptor that is readable whenever a member may be ready
    /// (then `wait` with timeout 0 tells which). libzmq has one only once a
    /// thread-safe socket was added (`EINVAL` until then); ours is the epoll set's.
    pub fn fd(&mut self) -> Result<RawFd> {
        if !self.had_thread_safe {
            return Err(Errno::EINVAL);
        }
        if !self.exposed {
            self.exposed = true;
            self.inbox.expose();
            if !self.recheck.is_empty() {
                self.inbox.raise_if_exposed();
            }
        }
        Ok(self.descriptors.fd())
    }

    /// zmq_poller_wait_all: waits until a registration is ready or `timeout_ms`
    /// passes (-1: forever, 0: just look), and puts at most `max` ready
    /// registrations into `ready`, in the order they were added; returns how many
    /// (never 0). Errors, as libzmq: `EAGAIN` when the time is up (when nothing asks
    /// for events: after sleeping through the timeout, without looking); `EFAULT`
    /// when nothing is registered or asks for events and the timeout is negative;
    /// `ETERM` when a socket's context was shut down; `EINTR` when a signal
    /// interrupted the wait.
    pub fn wait(&mut self, ready: &mut Vec<PollerEvent<T>>, max: usize, timeout_ms: c_long) -> Result<usize> {
        ready.clear();
        if self.is_empty() && timeout_ms < 0 {
            return Err(Errno::EFAULT);
        }
        if self.enabled == 0 {
            if timeout_ms < 0 {
                return Err(Errno::EFAULT);
            }
            let millis = u64::try_from(timeout_ms).unwrap_or(0);
            std::thread::sleep(Duration::from_millis(millis));
            return Err(Errno::EAGAIN);
        }
        let mut deadline = None;
        let mut first_pass = true;
        loop {
            let timeout = if first_pass {
                Some(Duration::ZERO)
            } else {
                deadline.map(|deadline: Instant| deadline.saturating_duration_since(Instant::now()))
            };
            self.gather(timeout)?;
            let found = self.look(ready, max);
            if self.exposed && !self.recheck.is_empty() {
                self.inbox.raise_if_exposed();
            }
            if found? > 0 {
                return Ok(ready.len());
            }
            // libzmq's `adjust_timeout`: the clock starts after the first pass.
            if timeout_ms == 0 {
                return Err(Errno::EAGAIN);
            }
            if let Ok(millis) = u64::try_from(timeout_ms) {
                let now = Instant::now();
                match deadline {
                    // Too far to represent: as good as forever.
                    None => deadline = now.checked_add(Duration::from_millis(millis)),
                    Some(deadline) if now >= deadline => return Err(Errno::EAGAIN),
                    Some(_) => {}
                }
            }
            first_pass = false;
        }
    }

    fn count_enabled(&mut self, old: c_short, new: c_short) {
        match (old != 0, new != 0) {
            (false, true) => self.enabled += 1,
            (true, false) => self.enabled -= 1,
            _ => {}
        }
    }

    /// The next pass looks at this socket whether or not it posts.
    fn look_again(&mut self, key: Key) {
        self.recheck.push(key);
        if self.exposed {
            self.inbox.raise_if_exposed();
        }
    }

    /// Waits up to `timeout` for the descriptors, then lists this pass's candidates,
    /// in the order they were added: the sockets to look at again, those that
    /// posted, and the descriptors found ready. The wait comes first, so a failure
    /// (`EINTR`) leaves every list as it was.
    fn gather(&mut self, timeout: Option<Duration>) -> Result<()> {
        self.wait_for_descriptors(timeout)?;
        let Buffers { tokens, candidates } = &mut self.buffers;
        candidates.clear();
        for key in self.recheck.drain(..) {
            list(&mut self.items, candidates, key, 0);
        }
        self.inbox.take_into(tokens);
        for token in tokens.drain(..) {
            let key = Key::from_token(token);
            if let Some(Item { target: Target::Socket { watch, .. }, .. }) = self.items.get(key) {
                watch.rearm();
            }
            list(&mut self.items, candidates, key, 0);
        }
        // Pairs with the SeqCst of `Watch::notify`: a change that found its token
        // still posted is seen by the look that follows.
        fence(Ordering::SeqCst);
        for (key, revents) in self.descriptors.ready() {
            list(&mut self.items, candidates, key, revents);
        }
        candidates.sort_unstable_by_key(|candidate| candidate.order);
        Ok(())
    }

    /// Waits for the descriptors up to `timeout`, or not at all when a socket's token
    /// already waits in the inbox.
    fn wait_for_descriptors(&mut self, timeout: Option<Duration>) -> Result<()> {
        let may_block = timeout != Some(Duration::ZERO);
        let sleeps = may_block && self.inbox.prepare_to_sleep();
        let timeout = if may_block && !sleeps { Some(Duration::ZERO) } else { timeout };
        let outcome = self.descriptors.wait(timeout);
        if sleeps {
            self.inbox.woke();
        }
        outcome
    }

    /// Looks at this pass's candidates in order and reports the ready ones, at most
    /// `max`; the sockets found ready or failing, and those not looked at, are looked
    /// at again next pass. A socket's error (`ETERM`) fails the pass, as in libzmq.
    fn look(&mut self, ready: &mut Vec<PollerEvent<T>>, max: usize) -> Result<usize> {
        let mut outcome = Ok(());
        for candidate in &self.buffers.candidates {
            let Some(item) = self.items.get_mut(candidate.key) else { continue };
            item.listed = false;
            let is_socket = matches!(item.target, Target::Socket { .. });
            if ready.len() >= max || outcome.is_err() {
                if is_socket {
                    self.recheck.push(candidate.key);
                }
                continue;
            }
            let events = match &item.target {
                Target::Socket { socket, .. } => match socket.events() {
                    Ok(events) => events & item.events & SOCKET_EVENTS,
                    Err(error) => {
                        outcome = Err(error);
                        self.recheck.push(candidate.key);
                        continue;
                    }
                },
                Target::Fd { .. } if item.events == 0 => 0,
                Target::Fd { .. } => zmq_events(item.events, candidate.revents),
            };
            if events == 0 {
                continue;
            }
            let fd = match &item.target {
                Target::Socket { .. } => {
                    self.recheck.push(candidate.key);
                    None
                }
                Target::Fd { fd, .. } => Some(*fd),
            };
            ready.push(PollerEvent { fd, data: item.data.clone(), events });
        }
        outcome.map(|()| ready.len())
    }
}

/// Adds a registration to the pass's candidates, once.
fn list<T>(items: &mut Items<Item<T>>, candidates: &mut Vec<Candidate>, key: Key, revents: c_short) {
    if let Some(item) = items.get_mut(key) {
        if !item.listed {
            item.listed = true;
            candidates.push(Candidate { order: item.order, key, revents });
        }
    }
}

impl<T> Drop for Poller<T> {
    /// zmq_poller_destroy: the sockets stop posting to this poller.
    fn drop(&mut self) {
        for item in self.items.values() {
            if let Target::Socket { socket, watch } = &item.target {
                socket.watchers().remove(watch);
            }
        }
    }
}
