//! The inproc endpoint registry: which socket bound which name, and connections made
//! before the bind (libzmq queues them and completes them when the bind comes).
//! libzmq: `ctx.cpp` (`register_endpoint`, `pend_connection`, `connect_pending`).

use std::collections::HashMap;
use std::sync::Arc;

use crate::error::{Errno, Result};
use crate::msg::Msg;
use crate::pipe::{pipe_pair, Limits, Pipe};
use crate::socket::mailbox::{Command, Mailbox};

/// Identifies a socket within its context.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SocketId(pub u64);

/// What the registry needs to know of a socket at one end of an inproc connection.
#[derive(Debug, Clone)]
pub struct InprocPeer {
    pub socket: SocketId,
    pub mailbox: Arc<Mailbox>,
    /// `ZMQ_SNDHWM` and `ZMQ_RCVHWM` (0: no limit).
    pub sndhwm: usize,
    pub rcvhwm: usize,
    /// `ZMQ_CONFLATE`, for the socket types that honour it.
    pub conflate: bool,
    /// `ZMQ_ROUTING_ID`, by which a ROUTER-like peer knows it.
    pub routing_id: Vec<u8>,
    /// `ZMQ_HELLO_MSG`, sent first on every connection (empty: none, or a type that
    /// sends none).
    pub hello: Vec<u8>,
    /// `ZMQ_DISCONNECT_MSG`, received when a peer that connected goes (empty: none,
    /// or a type that receives none).
    pub disconnect_msg: Vec<u8>,
}

impl InprocPeer {
    /// Greets the other side of a new connection through `end`, as libzmq's
    /// `send_hello_msg`.
    fn greet(&self, end: &Pipe) {
        if !self.hello.is_empty() {
            let _ = end.write_past_hwm(Msg::from_vec(self.hello.clone()));
        }
    }

    /// As the binder: has the connecter's end say goodbye when it closes.
    fn await_farewell(&self, connect_end: &Pipe) {
        if !self.disconnect_msg.is_empty() {
            connect_end.set_farewell(Msg::from_vec(self.disconnect_msg.clone()));
        }
    }
}

/// The limits of one direction between two known sockets. Only the connecting
/// socket's `ZMQ_CONFLATE` counts, for both directions, as in libzmq.
fn combined(writer: &InprocPeer, reader: &InprocPeer, conflate: bool) -> Limits {
    Limits { send: writer.sndhwm, receive: Some(reader.rcvhwm), conflate }
}

/// The limits of one direction before its reader is known.
fn alone(writer: &InprocPeer) -> Limits {
    Limits { send: writer.sndhwm, receive: None, conflate: writer.conflate }
}

#[derive(Debug)]
struct Pending {
    connecter: InprocPeer,
    /// The connecter's end, to adjust its limits when the bind comes.
    connect_end: Pipe,
    /// The end the binder will hold.
    bind_end: Pipe,
}

/// Bound names and pending connections.
#[derive(Debug, Default)]
pub struct InprocRegistry {
    bound: HashMap<String, InprocPeer>,
    pending: HashMap<String, Vec<Pending>>,
}

impl InprocRegistry {
    /// Binds `name` to `binder`; `EADDRINUSE` when taken. Returns the ends of the
    /// connections that were waiting for this name, for the binder to attach.
    pub fn bind(&mut self, name: &str, binder: InprocPeer) -> Result<Vec<Pipe>> {
        if self.bound.contains_key(name) {
            return Err(Errno::EADDRINUSE);
        }
        let waiting = self.pending.remove(name).unwrap_or_default();
        let ends = waiting
            .into_iter()
            .map(|pending| {
                let conflate = pending.connecter.conflate;
                pending.connect_end.set_outbound_limits(combined(&pending.connecter, &binder, conflate));
                pending.bind_end.set_outbound_limits(combined(&binder, &pending.connecter, conflate));
                pending.connect_end.set_peer_routing_id(binder.routing_id.clone());
                binder.await_farewell(&pending.connect_end);
                binder.greet(&pending.bind_end);
                pending.bind_end
            })
            .collect();
        self.bound.insert(name.to_owned(), binder);
        Ok(ends)
    }

    /// Connects `connecter` to `name` and returns its end of the new pipe. When the
    /// name is bound, the binder is sent the other end; otherwise the connection waits
    /// for the bind, and messages queue meanwhile.
    pub fn connect(&mut self, name: &str, connecter: InprocPeer) -> Pipe {
        match self.bound.get(name) {
            Some(binder) => {
                let conflate = connecter.conflate;
                let (connect_end, bind_end) = pipe_pair([
                    combined(&connecter, binder, conflate),
                    combined(binder, &connecter, conflate),
                ]);
                connect_end.set_peer_routing_id(binder.routing_id.clone());
                bind_end.set_peer_routing_id(connecter.routing_id.clone());
                binder.await_farewell(&connect_end);
                connecter.greet(&connect_end);
                binder.greet(&bind_end);
                binder.mailbox.send(Command::Attach(bind_end));
                connect_end
            }
            None => {
                let (connect_end, bind_end) = pipe_pair([
                    alone(&connecter),
                    Limits { conflate: connecter.conflate, ..Limits::default() },
                ]);
                bind_end.set_peer_routing_id(connecter.routing_id.clone());
                connecter.greet(&connect_end);
                let pending = Pending { connecter, connect_end: connect_end.clone(), bind_end };
                self.pending.entry(name.to_owned()).or_default().push(pending);
                connect_end
            }
        }
    }

    /// A connection to the socket bound at `name` for the library's own use (the ZAP
    /// handler): no high-water mark, no routing id, and nothing when `name` is not
    /// bound now (libzmq's `session_base_t::zap_connect` does not wait for a bind).
    pub fn connect_internal(&mut self, name: &str) -> Option<Pipe> {
        let binder = self.bound.get(name)?;
        let (connect_end, bind_end) = pipe_pair([Limits::default(), Limits::default()]);
        connect_end.set_peer_routing_id(binder.routing_id.clone());
        bind_end.set_peer_routing_id(Vec::new());
        binder.mailbox.send(Command::Attach(bind_end));
        Some(connect_end)
    }

    /// Whether a socket is bound at `name`.
    pub fn is_bound(&self, name: &str) -> bool {
        self.bound.contains_key(name)
    }

    /// Unbinds `name` if `socket` bound it; `ENOENT` otherwise. Existing connections
    /// stay, as in libzmq.
    pub fn unbind(&mut self, name: &str, socket: SocketId) -> Result<()> {
        match self.bound.get(name) {
            Some(binder) if binder.socket == socket => {
                self.bound.remove(name);
                Ok(())
            }
            _ => Err(Errno::ENOENT),
        }
    }

    /// Forgets the names a closing socket bound. Its pending connections stay: what it
    /// sent before closing is delivered when the bind comes, as in libzmq.
    pub fn forget(&mut self, socket: SocketId) {
        self.bound.retain(|_, binder| binder.socket != socket);
    }
}
