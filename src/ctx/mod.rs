//! The context: the container of sockets and I/O threads, and its options.
//! libzmq: `ctx.cpp`.
//!
//! A `Context` is a cheap, thread-safe handle; every clone refers to the same
//! context. `shutdown` makes blocking calls on its sockets return `ETERM`;
//! `terminate` does that and then waits until every socket is closed.
//!
//! After `fork`, the child has a copy of every context but none of their threads: the
//! I/O threads and the threads that used the sockets stayed in the parent, and the
//! descriptors (eventfds, epoll sets, connections) are shared with it. In the child,
//! such an *inherited* context refuses new sockets (`ETERM`), and closing its sockets
//! or terminating it never waits and never signals anything: what they hold is set
//! aside, untouched (see [`set_aside`]). The child makes a context of its own.

pub mod inproc;
mod options;

use core::ffi::c_int;
use std::any::Any;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use once_cell::sync::OnceCell;
use parking_lot::{Condvar, Mutex};

pub use inproc::{InprocPeer, SocketId};
pub use options::ContextOptions;

use crate::error::{Errno, Result};
use crate::pipe::Pipe;
use crate::reactor::io_thread::{IoHandle, IoThread};
use crate::reactor::workload::Workload;
use crate::socket::mailbox::{Command, Mailbox};

/// A ZeroMQ context.
#[derive(Debug, Clone, Default)]
pub struct Context {
    shared: Arc<Shared>,
}

#[derive(Debug)]
struct Shared {
    state: Mutex<State>,
    sockets_closed: Condvar,
    /// The process that made the context (a child of `fork` has another).
    pid: u32,
    /// The I/O threads' workloads, once they started: read, without the state's
    /// lock, by every socket about to wait.
    io_workloads: OnceCell<Vec<Arc<Workload>>>,
}

impl Default for Shared {
    fn default() -> Shared {
        Shared {
            state: Mutex::default(),
            sockets_closed: Condvar::new(),
            pid: std::process::id(),
            io_workloads: OnceCell::new(),
        }
    }
}

/// What a child of `fork` inherited and may neither use nor drop: the I/O threads'
/// handles (joining or detaching a thread of the parent is undefined), closed sockets'
/// pipes and endpoints (their other ends belong to threads that are not here; dropping
/// them would take locks such a thread may have held at the fork, or signal
/// descriptors shared with the parent). Kept here, reachable, for the child's life.
static SET_ASIDE: Mutex<Vec<Box<dyn Any + Send>>> = Mutex::new(Vec::new());

/// Keeps `inherited` alive and untouched (see [`SET_ASIDE`]).
pub(crate) fn set_aside(inherited: Box<dyn Any + Send>) {
    SET_ASIDE.lock().push(inherited);
}

#[derive(Debug, Default)]
struct State {
    options: ContextOptions,
    phase: Phase,
    /// The open sockets' mailboxes, to tell them of a shutdown.
    sockets: HashMap<SocketId, Arc<Mailbox>>,
    next_socket: u64,
    inproc: inproc::InprocRegistry,
    /// Started at the first tcp/ipc endpoint, stopped by `terminate`.
    io_threads: Vec<IoThread>,
    next_io_thread: usize,
}

/// Where a context is in its life.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Phase {
    #[default]
    Active,
    /// `zmq_ctx_shutdown` (or `zmq_ctx_term`) was called: no new sockets, blocking
    /// calls return `ETERM`.
    ShutDown,
}

impl Context {
    pub fn new() -> Context {
        Context::default()
    }

    /// Sets an option from its raw C value (`zmq_ctx_set_ext`).
    pub fn set_option(&self, option: c_int, value: &[u8]) -> Result<()> {
        self.shared.state.lock().options.set(option, value)
    }

    /// Sets an `int` option (`zmq_ctx_set`).
    pub fn set_int_option(&self, option: c_int, value: c_int) -> Result<()> {
        self.set_option(option, &value.to_ne_bytes())
    }

    /// Reads an `int` option (`zmq_ctx_get`).
    pub fn int_option(&self, option: c_int) -> Result<c_int> {
        self.shared.state.lock().options.get(option)
    }

    /// Reads an option into a buffer of `capacity` bytes (`zmq_ctx_get_ext`).
    pub fn option(&self, option: c_int, capacity: usize) -> Result<Vec<u8>> {
        self.shared.state.lock().options.get_ext(option, capacity)
    }

    /// A snapshot of every option.
    pub fn options(&self) -> ContextOptions {
        self.shared.state.lock().options.clone()
    }

    pub fn phase(&self) -> Phase {
        self.shared.state.lock().phase
    }

    /// Whether this is a copy inherited through `fork`: the process is not the one
    /// that made the context, so its threads are not here (see the module notes).
    pub fn is_inherited(&self) -> bool {
        self.shared.pid != std::process::id()
    }

    /// Stops the context: blocking operations on its sockets return `ETERM` and no
    /// socket can be created any more. Idempotent. In a child of `fork`, the sockets
    /// are not told (their descriptors are the parent's too; no thread of the child
    /// is blocked on them).
    pub fn shutdown(&self) {
        let inherited = self.is_inherited();
        let mut state = self.shared.state.lock();
        if state.phase == Phase::Active {
            state.phase = Phase::ShutDown;
            if !inherited {
                for mailbox in state.sockets.values() {
                    mailbox.send(Command::Stop);
                }
            }
        }
    }

    /// Shuts the context down, waits until every socket on it is closed, then stops
    /// the I/O threads once their connections have sent what `ZMQ_LINGER` allows.
    ///
    /// In a child of `fork` it returns at once: the sockets' users and the I/O threads
    /// are in the parent, so there is nothing to wait for; the threads' handles are
    /// set aside. (libzmq's `zmq_ctx_term` returns -1 with `EINTR` there, leaving the
    /// context allocated.)
    pub fn terminate(&self) {
        if self.is_inherited() {
            self.shutdown();
            let io_threads = std::mem::take(&mut self.shared.state.lock().io_threads);
            if !io_threads.is_empty() {
                set_aside(Box::new(io_threads));
            }
            return;
        }
        self.shutdown();
        let io_threads = {
            let mut state = self.shared.state.lock();
            while !state.sockets.is_empty() {
                self.shared.sockets_closed.wait(&mut state);
            }
            std::mem::take(&mut state.io_threads)
        };
        for thread in io_threads {
            thread.stop();
        }
    }

    /// An I/O thread for a new endpoint (started on first use, taken in turn);
    /// `EMTHREAD` when `ZMQ_IO_THREADS` is 0, `ETERM` after a shutdown.
    pub(crate) fn io_thread(&self) -> Result<IoHandle> {
        let mut state = self.shared.state.lock();
        if state.phase != Phase::Active || self.is_inherited() {
            return Err(Errno::ETERM);
        }
        if state.io_threads.is_empty() {
            let count = usize::try_from(state.options.io_threads).unwrap_or(0);
            for index in 0..count {
                let setup = state.options.thread_setup(&format!("IO/{index}"));
                state.io_threads.push(IoThread::start(setup)?);
            }
        }
        let count = state.io_threads.len();
        if count == 0 {
            return Err(Errno::EMTHREAD);
        }
        self.shared.io_workloads.get_or_init(|| state.io_threads.iter().map(IoThread::workload).collect());
        state.next_io_thread = (state.next_io_thread + 1) % count;
        Ok(state.io_threads[state.next_io_thread].handle())
    }

    /// Whether, at `now`, one of the context's I/O threads is saturated (see
    /// `reactor::workload`).
    pub(crate) fn io_saturated(&self, now: Instant) -> bool {
        self.shared.io_workloads.get().is_some_and(|workloads| workloads.iter().any(|w| w.saturated(now)))
    }

    /// Registers a new socket: `ETERM` after a shutdown or in a child of `fork` (the
    /// context's threads are in the parent), `EMFILE` beyond `ZMQ_MAX_SOCKETS`.
    pub(crate) fn register_socket(&self, mailbox: Arc<Mailbox>) -> Result<SocketId> {
        let mut state = self.shared.state.lock();
        if state.phase != Phase::Active || self.is_inherited() {
            return Err(Errno::ETERM);
        }
        let limit = usize::try_from(state.options.max_sockets).unwrap_or(0);
        if state.sockets.len() >= limit {
            return Err(Errno::EMFILE);
        }
        state.next_socket += 1;
        let id = SocketId(state.next_socket);
        state.sockets.insert(id, mailbox);
        Ok(id)
    }

    /// A socket is closing: its inproc names are free, and no connection reaches it.
    pub(crate) fn forget_inproc(&self, id: SocketId) {
        self.shared.state.lock().inproc.forget(id);
    }

    /// A socket finished closing (its listeners and connections handed to the I/O
    /// threads): forget it, and wake `terminate` when it was the last.
    pub(crate) fn unregister_socket(&self, id: SocketId) {
        let mut state = self.shared.state.lock();
        state.inproc.forget(id);
        state.sockets.remove(&id);
        if state.sockets.is_empty() {
            self.shared.sockets_closed.notify_all();
        }
    }

    /// Binds an inproc name (see [`inproc::InprocRegistry::bind`]).
    pub(crate) fn bind_inproc(&self, name: &str, binder: InprocPeer) -> Result<Vec<Pipe>> {
        self.shared.state.lock().inproc.bind(name, binder)
    }

    /// Connects to an inproc name (see [`inproc::InprocRegistry::connect`]).
    pub(crate) fn connect_inproc(&self, name: &str, connecter: InprocPeer) -> Pipe {
        self.shared.state.lock().inproc.connect(name, connecter)
    }

    /// The ZAP handler's endpoint (RFC 27).
    const ZAP_ENDPOINT: &'static str = "zeromq.zap.01";

    /// Whether an application bound a ZAP handler at `inproc://zeromq.zap.01`.
    pub(crate) fn has_zap_handler(&self) -> bool {
        self.shared.state.lock().inproc.is_bound(Self::ZAP_ENDPOINT)
    }

    /// A pipe to the ZAP handler, if one is bound now.
    pub(crate) fn connect_zap_handler(&self) -> Option<Pipe> {
        self.shared.state.lock().inproc.connect_internal(Self::ZAP_ENDPOINT)
    }

    /// Unbinds an inproc name bound by `socket`; `ENOENT` otherwise.
    pub(crate) fn unbind_inproc(&self, name: &str, socket: SocketId) -> Result<()> {
        self.shared.state.lock().inproc.unbind(name, socket)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::constants::*;
    use crate::error::Errno;

    #[test]
    fn options_are_shared_by_clones() {
        let context = Context::new();
        let clone = context.clone();
        clone.set_int_option(ZMQ_IO_THREADS, 3).unwrap();
        assert_eq!(context.int_option(ZMQ_IO_THREADS), Ok(3));
        assert_eq!(context.set_int_option(ZMQ_IO_THREADS, -1), Err(Errno::EINVAL));
    }

    #[test]
    fn terminate_without_sockets_returns_and_shuts_down() {
        let context = Context::new();
        assert_eq!(context.phase(), Phase::Active);
        context.shutdown();
        assert_eq!(context.phase(), Phase::ShutDown);
        context.terminate();
        assert_eq!(context.phase(), Phase::ShutDown);
    }
}
