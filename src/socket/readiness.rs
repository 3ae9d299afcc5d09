//! How a socket tells the pollers that hold it to look at it again (`zmq_poller`).
//!
//! A poller does not read every socket's `ZMQ_EVENTS` on every wait: each socket it
//! holds has a [`Watch`] in the socket's [`Watchers`], and whatever may change the
//! socket's readiness — a command arriving in its mailbox, or a call on the socket
//! (a connect attaches a pipe, a REP's reply lets the next request through) — posts
//! the watch's token to the poller's [`Inbox`], once until the poller takes it. The
//! inbox has one eventfd, raised only while the poller sleeps on it (or the
//! application watches it through `zmq_poller_fd`), so a busy socket costs no system
//! call and a wait over 10 000 sockets looks at the few that moved.
//!
//! Every poller has its own inbox, so a socket in several pollers (thread-safe types
//! may be), or whose commands another thread processed, is never missed by any.

use std::os::fd::RawFd;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use parking_lot::Mutex;

use crate::error::Result;
use crate::reactor::signaler::Signaler;

/// A poller's inbox: the tokens of the sockets to look at again.
#[derive(Debug)]
pub struct Inbox {
    state: Mutex<InboxState>,
    /// Raised while tokens wait and someone may be asleep on its descriptor.
    signal: Signaler,
}

#[derive(Debug, Default)]
struct InboxState {
    tokens: Vec<u64>,
    /// The signal is raised (and must be cleared when the tokens are taken).
    raised: bool,
    /// The poller is about to sleep (or sleeps) on the signal.
    sleeping: bool,
    /// The application may be waiting on the poller's descriptor (`zmq_poller_fd`).
    exposed: bool,
}

impl InboxState {
    fn raise(&mut self, signal: &Signaler) {
        if !self.raised {
            signal.raise();
            self.raised = true;
        }
    }
}

impl Inbox {
    /// A new, empty inbox; `EMFILE` when descriptors run out.
    pub fn new() -> Result<Arc<Inbox>> {
        Ok(Arc::new(Inbox { state: Mutex::default(), signal: Signaler::new()? }))
    }

    /// The descriptor to sleep on: readable while tokens wait for a sleeper.
    pub fn fd(&self) -> RawFd {
        self.signal.fd()
    }

    fn post(&self, token: u64) {
        let mut state = self.state.lock();
        state.tokens.push(token);
        if state.sleeping || state.exposed {
            state.raise(&self.signal);
        }
    }

    /// Moves the waiting tokens into `into` (expected empty; kept between calls so
    /// its buffer is reused) and clears the signal.
    pub fn take_into(&self, into: &mut Vec<u64>) {
        let mut state = self.state.lock();
        std::mem::swap(&mut state.tokens, into);
        if std::mem::take(&mut state.raised) {
            self.signal.clear();
        }
    }

    /// Before sleeping on the descriptor: `false` when tokens already wait (then do
    /// not sleep); otherwise later posts raise the signal until [`Inbox::woke`].
    pub fn prepare_to_sleep(&self) -> bool {
        let mut state = self.state.lock();
        if !state.tokens.is_empty() {
            return false;
        }
        state.sleeping = true;
        true
    }

    /// After sleeping: posts stop raising the signal.
    pub fn woke(&self) {
        self.state.lock().sleeping = false;
    }

    /// The application may wait on the descriptor from now on: every post raises it.
    pub fn expose(&self) {
        let mut state = self.state.lock();
        state.exposed = true;
        if !state.tokens.is_empty() {
            state.raise(&self.signal);
        }
    }

    /// Raises the signal if the application may be waiting on it: a poller whose
    /// members stay ready keeps its descriptor readable.
    pub fn raise_if_exposed(&self) {
        let mut state = self.state.lock();
        if state.exposed {
            state.raise(&self.signal);
        }
    }
}

/// One socket's registration with one poller.
#[derive(Debug)]
pub struct Watch {
    inbox: Arc<Inbox>,
    token: u64,
    /// The token is in the inbox, or taken and not yet looked at: no need to post it
    /// again.
    posted: AtomicBool,
}

impl Watch {
    /// A registration that posts `token` to `inbox`.
    pub fn new(inbox: &Arc<Inbox>, token: u64) -> Arc<Watch> {
        Arc::new(Watch { inbox: Arc::clone(inbox), token, posted: AtomicBool::new(false) })
    }

    fn notify(&self) {
        // SeqCst, with the poller's `rearm` and fence: either this sees the poller's
        // rearm and posts again, or the poller's look comes after this change.
        if !self.posted.swap(true, Ordering::SeqCst) {
            self.inbox.post(self.token);
        }
    }

    /// The poller took the token and is about to look at the socket: the next change
    /// posts it again. Call `std::sync::atomic::fence(SeqCst)` before looking.
    pub fn rearm(&self) {
        self.posted.store(false, Ordering::SeqCst);
    }
}

/// The pollers watching one socket.
#[derive(Debug, Default)]
pub struct Watchers {
    /// Someone watches: lets `notify` skip the lock on the (hot) unwatched path.
    any: AtomicBool,
    list: Mutex<Vec<Arc<Watch>>>,
}

impl Watchers {
    pub fn add(&self, watch: Arc<Watch>) {
        let mut list = self.list.lock();
        list.push(watch);
        self.any.store(true, Ordering::SeqCst);
    }

    pub fn remove(&self, watch: &Arc<Watch>) {
        let mut list = self.list.lock();
        list.retain(|known| !Arc::ptr_eq(known, watch));
        self.any.store(!list.is_empty(), Ordering::SeqCst);
    }

    /// The socket may have changed: every watching poller will look at it again.
    pub fn notify(&self) {
        if self.any.load(Ordering::SeqCst) {
            for watch in self.list.lock().iter() {
                watch.notify();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn readable(fd: RawFd) -> bool {
        let mut fds = [crate::reactor::poll::poll_fd(fd, crate::reactor::poll::POLLIN)];
        crate::reactor::poll::wait(&mut fds, Some(Duration::ZERO), None).unwrap() > 0
    }

    #[test]
    fn a_token_is_posted_once_until_rearmed() {
        let inbox = Inbox::new().unwrap();
        let watchers = Watchers::default();
        let watch = Watch::new(&inbox, 42);
        watchers.notify();
        watchers.add(Arc::clone(&watch));
        watchers.notify();
        watchers.notify();
        let mut tokens = Vec::new();
        inbox.take_into(&mut tokens);
        assert_eq!(tokens, [42]);
        tokens.clear();
        watchers.notify();
        inbox.take_into(&mut tokens);
        assert!(tokens.is_empty(), "not rearmed yet");
        watch.rearm();
        watchers.notify();
        inbox.take_into(&mut tokens);
        assert_eq!(tokens, [42]);
        tokens.clear();
        watch.rearm();
        watchers.remove(&watch);
        watchers.notify();
        inbox.take_into(&mut tokens);
        assert!(tokens.is_empty(), "removed");
    }

    #[test]
    fn the_signal_is_raised_only_for_a_sleeper_or_an_exposed_inbox() {
        let inbox = Inbox::new().unwrap();
        let watch = Watch::new(&inbox, 1);
        watch.notify();
        assert!(!readable(inbox.fd()), "nobody sleeps: no system call");
        assert!(!inbox.prepare_to_sleep(), "a token waits: do not sleep");
        inbox.take_into(&mut Vec::new());
        watch.rearm();
        assert!(inbox.prepare_to_sleep());
        watch.notify();
        assert!(readable(inbox.fd()));
        inbox.woke();
        inbox.take_into(&mut Vec::new());
        assert!(!readable(inbox.fd()));
        watch.rearm();
        watch.notify();
        assert!(!readable(inbox.fd()));
        inbox.expose();
        assert!(readable(inbox.fd()), "exposed with a token waiting");
        inbox.take_into(&mut Vec::new());
        inbox.raise_if_exposed();
        assert!(readable(inbox.fd()));
    }
}
