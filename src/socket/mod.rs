//! Sockets: the user-facing object. `Socket` owns a pattern (PAIR, PUSH, PULL, …) over
//! pipes and does what all types share: blocking with timeouts, command processing,
//! endpoints, options, `ZMQ_EVENTS`/`ZMQ_FD`, termination. libzmq: `socket_base.cpp`.
//!
//! A socket is used by one thread at a time (classic types) and may migrate between
//! threads; its state sits behind a mutex that is never held while waiting, so a
//! blocked call never stops the context or a peer from reaching the socket.

mod dealer;
mod dgram;
mod dish;
pub mod mailbox;
pub mod monitor;
mod network;
mod pacing;
mod pair;
mod pattern;
pub mod poll;
pub mod poller;
pub mod proxy;
mod pull;
mod push;
mod radio;
pub mod readiness;
mod rep;
mod req;
mod router;
mod server;
mod single_part;
mod throttle;
mod xpub;
mod xsub;

use core::ffi::{c_int, c_short};
use std::collections::VecDeque;
use std::os::fd::RawFd;
use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use parking_lot::{Mutex, MutexGuard};

use crate::constants::*;
use crate::ctx::{Context, InprocPeer, SocketId};
use crate::error::{Errno, Result};
use crate::msg::{Flags, Msg};
use crate::options::{codec, SocketOptions};
use crate::pipe::{Pipe, PipeId};
use crate::session::{Listener, Session, SocketLink, UdpRole};
use crate::transport::endpoint::{self, Transport};
use mailbox::{Command, Mailbox};
use monitor::{Endpoints, Monitor};
use network::NetworkEndpoint;
use pattern::Pattern;

/// A ZeroMQ socket.
#[derive(Debug, Clone)]
pub struct Socket {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    id: SocketId,
    socket_type: c_int,
    context: Context,
    mailbox: Arc<Mailbox>,
    state: Mutex<State>,
    /// `ZMQ_LINGER`, shared with the socket's sessions (read when they close).
    linger: Arc<AtomicI32>,
    /// `zmq_socket_monitor`, shared with the socket's sessions and listeners.
    monitor: Arc<Monitor>,
    /// A tcp/ipc/ws endpoint was disconnected or unbound while
    /// `ZMQ_RECONNECT_STOP_AFTER_DISCONNECT` was set (libzmq's `_disconnected`):
    /// shared with the sessions, whose refused ipc attempts then stop.
    disconnected: Arc<AtomicBool>,
}

#[derive(Debug)]
struct State {
    options: SocketOptions,
    pattern: Box<dyn Pattern>,
    /// The last part received had `ZMQ_RCVMORE`.
    rcvmore: bool,
    /// The context was shut down (`Command::Stop` seen).
    terminated: bool,
    /// Pipes made by `connect`, by endpoint, for `disconnect`.
    connections: Vec<(String, PipeId)>,
    /// inproc names this socket bound.
    bound: Vec<String>,
    /// tcp/ipc listeners and connecting sessions, in their I/O threads.
    network: Vec<NetworkEndpoint>,
    /// `ZMQ_CONNECT_ROUTING_ID`: the name the next connection's peer gets here.
    connect_routing_id: Option<Vec<u8>>,
    /// Commands being processed (kept to reuse its buffer).
    commands: VecDeque<Command>,
    /// When a send last took commands in.
    send_throttle: throttle::CommandThrottle,
    read_pacing: pacing::ReadPacing,
    last_endpoint: String,
}

/// The socket types whose pattern is implemented.
fn new_pattern(socket_type: c_int) -> Result<Box<dyn Pattern>> {
    Ok(match socket_type {
        ZMQ_PAIR => Box::<pair::Pair>::default(),
        ZMQ_PUSH => Box::<push::Push>::default(),
        ZMQ_PULL => Box::<pull::Pull>::default(),
        ZMQ_DEALER => Box::<dealer::Dealer>::default(),
        ZMQ_ROUTER => Box::<router::Router>::default(),
        ZMQ_REQ => Box::new(req::Req::new()),
        ZMQ_REP => Box::<rep::Rep>::default(),
        ZMQ_PUB => Box::new(xpub::XPub::new(true)),
        ZMQ_XPUB => Box::new(xpub::XPub::new(false)),
        ZMQ_SUB => Box::new(xsub::XSub::new(true)),
        ZMQ_XSUB => Box::new(xsub::XSub::new(false)),
        ZMQ_STREAM => Box::new(router::Router::stream()),
        ZMQ_SERVER | ZMQ_PEER => Box::<server::Server>::default(),
        ZMQ_CLIENT => Box::new(single_part::SinglePart::<dealer::Dealer>::new(true)),
        ZMQ_SCATTER => Box::new(single_part::SinglePart::<push::Push>::new(true)),
        ZMQ_GATHER => Box::new(single_part::SinglePart::<pull::Pull>::new(false)),
        ZMQ_CHANNEL => Box::new(single_part::SinglePart::<pair::Pair>::new(true)),
        ZMQ_RADIO => Box::<radio::Radio>::default(),
        ZMQ_DISH => Box::<dish::Dish>::default(),
        ZMQ_DGRAM => Box::<dgram::Dgram>::default(),
        _ => return Err(Errno::EINVAL),
    })
}

/// The types libzmq makes thread-safe (`ZMQ_THREAD_SAFE` 1, no `ZMQ_FD`).
fn is_thread_safe(socket_type: c_int) -> bool {
    matches!(
        socket_type,
        ZMQ_CLIENT | ZMQ_SERVER | ZMQ_RADIO | ZMQ_DISH | ZMQ_SCATTER | ZMQ_GATHER | ZMQ_PEER | ZMQ_CHANNEL
    )
}

/// When a call that cannot complete now must give up (`None`: never): at once with
/// `ZMQ_DONTWAIT`, else after the socket's timeout. Computed only when the call would
/// wait, so the fast path never reads the clock.
fn wait_limit(flags: c_int, timeout_ms: c_int) -> Option<Instant> {
    if flags & ZMQ_DONTWAIT != 0 {
        return Some(Instant::now());
    }
    u64::try_from(timeout_ms).ok().map(|ms| Instant::now() + Duration::from_millis(ms))
}

impl Socket {
    /// zmq_socket(3): `EINVAL` for an unknown type, `ENOTSUP` for a type not yet
    /// implemented, `ETERM` after a shutdown, `EMFILE` beyond `ZMQ_MAX_SOCKETS`.
    pub fn new(context: &Context, socket_type: c_int) -> Result<Socket> {
        let pattern = new_pattern(socket_type)?;
        let mailbox = Arc::new(Mailbox::new(is_thread_safe(socket_type))?);
        let id = context.register_socket(Arc::clone(&mailbox))?;
        let context_options = context.options();
        let options = SocketOptions::for_context(socket_type, context_options.ipv6, context_options.blocky);
        let state = State {
            options,
            pattern,
            rcvmore: false,
            terminated: false,
            connections: Vec::new(),
            bound: Vec::new(),
            network: Vec::new(),
            connect_routing_id: None,
            commands: VecDeque::new(),
            send_throttle: throttle::CommandThrottle::default(),
            read_pacing: pacing::ReadPacing::default(),
            last_endpoint: String::new(),
        };
        let linger = Arc::new(AtomicI32::new(state.options.linger));
        let inner = Inner {
            id,
            socket_type,
            context: context.clone(),
            mailbox,
            state: Mutex::new(state),
            linger,
            monitor: Arc::default(),
            disconnected: Arc::default(),
        };
        Ok(Socket { inner: Arc::new(inner) })
    }

    pub fn socket_type(&self) -> c_int {
        self.inner.socket_type
    }

    /// Whether both handles are the same socket.
    pub fn same_as(&self, other: &Socket) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
    }

    /// The descriptor of `ZMQ_FD`: readable when the socket has something to process.
    pub fn fd(&self) -> RawFd {
        self.inner.mailbox.expose_fd()
    }

    /// Whether the type is thread-safe (`ZMQ_THREAD_SAFE`): CLIENT, SERVER, …
    pub fn is_thread_safe(&self) -> bool {
        is_thread_safe(self.inner.socket_type)
    }

    /// A number that tells this socket from every other one alive.
    pub fn identity(&self) -> usize {
        Arc::as_ptr(&self.inner) as usize
    }

    /// The pollers holding the socket (see `readiness`).
    pub(crate) fn watchers(&self) -> &readiness::Watchers {
        self.inner.mailbox.watchers()
    }

    /// Locks the state for a call that may change it, and applies pending commands;
    /// `ETERM` after a shutdown. The pollers holding the socket will look at it again.
    fn lock(&self) -> Result<MutexGuard<'_, State>> {
        let state = self.lock_to_read()?;
        // Held under the state lock, so a poller looking at the socket because of this
        // sees what the call did.
        self.inner.mailbox.watchers().notify();
        Ok(state)
    }

    /// Locks the state for a send, which applies pending commands at most once a
    /// millisecond (see `throttle`); `ETERM` after a shutdown it has taken in.
    fn lock_to_send(&self) -> Result<MutexGuard<'_, State>> {
        let mut state = self.inner.state.lock();
        if self.inner.mailbox.has_pending() && state.send_throttle.due() {
            state.process_commands(&self.inner.mailbox);
        }
        if state.terminated {
            return Err(Errno::ETERM);
        }
        self.inner.mailbox.watchers().notify();
        Ok(state)
    }

    /// Locks the state and applies pending commands (which told the pollers already);
    /// `ETERM` after a shutdown.
    fn lock_to_read(&self) -> Result<MutexGuard<'_, State>> {
        let mut state = self.inner.state.lock();
        if self.inner.mailbox.has_pending() {
            state.process_commands(&self.inner.mailbox);
        }
        if state.terminated {
            return Err(Errno::ETERM);
        }
        Ok(state)
    }

    /// Waits until the mailbox has something new since `seen` (read while the state
    /// was still locked) or `until` passes; `EAGAIN` on timeout.
    fn wait(&self, until: Option<Instant>, seen: u64) -> Result<()> {
        let timeout = match until {
            None => None,
            Some(until) => match until.checked_duration_since(Instant::now()) {
                Some(left) if !left.is_zero() => Some(left),
                _ => return Err(Errno::EAGAIN),
            },
        };
        self.inner.mailbox.wait(timeout, seen, |now| self.inner.context.io_saturated(now))
    }

    /// zmq_bind(3): inproc, tcp, ipc, ws, and udp (DISH and DGRAM).
    pub fn bind(&self, uri: &str) -> Result<()> {
        let endpoint = endpoint::parse(uri, self.inner.socket_type)?;
        let mut state = self.lock()?;
        match endpoint.transport {
            Transport::Inproc => {
                let peer = self.inproc_peer(&state);
                let ends = self.inner.context.bind_inproc(endpoint.address, peer)?;
                for end in ends {
                    state.attach(end, &self.inner.mailbox);
                }
                state.bound.push(endpoint.address.to_owned());
            }
            Transport::Tcp | Transport::Ipc | Transport::Ws => {
                let (listener, resolved) =
                    match network::listen(endpoint.transport, endpoint.address, &state.options) {
                        Ok(listening) => listening,
                        Err(error) => {
                            let endpoints = Endpoints::bound(uri, "");
                            self.inner.monitor.emit(ZMQ_EVENT_BIND_FAILED, error.code() as u64, &endpoints);
                            return Err(error);
                        }
                    };
                let endpoints = Endpoints::bound(resolved.as_str(), "");
                self.inner.monitor.emit(ZMQ_EVENT_LISTENING, listener.fd() as u64, &endpoints);
                let io = self.inner.context.io_thread()?;
                let link = self.link(&state);
                let listener = Listener::new(listener, resolved.clone(), link);
                let token = network::start(&io, move |reactor| listener.start(reactor))?;
                self.inner.mailbox.send(Command::Launched);
                state.network.push(NetworkEndpoint {
                    // A wildcard is unbound by what it resolved to, never by itself.
                    uris: if uri.contains('*') {
                        vec![resolved.clone()]
                    } else {
                        vec![uri.to_owned(), resolved.clone()]
                    },
                    io,
                    token,
                    pipe: None,
                    listening: true,
                    link: None,
                });
                state.last_endpoint = resolved;
                return Ok(());
            }
            Transport::Udp => {
                let role = UdpRole::of(self.inner.socket_type, true)?;
                let io = self.inner.context.io_thread()?;
                let (token, pipe) = network::start_udp(&io, role, endpoint.address, &state.options)?;
                self.inner.mailbox.send(Command::Launched);
                let id = pipe.id();
                state.attach(pipe, &self.inner.mailbox);
                // Closed synchronously (as a listener), so the port is free at once.
                state.network.push(NetworkEndpoint {
                    uris: vec![uri.to_owned()],
                    io,
                    token,
                    pipe: Some(id),
                    listening: true,
                    link: None,
                });
                // libzmq's text for a udp endpoint: the address as given, no scheme.
                state.last_endpoint = endpoint.address.to_owned();
                return Ok(());
            }
            _ => return Err(Errno::EPROTONOSUPPORT),
        }
        state.last_endpoint = uri.to_owned();
        Ok(())
    }

    /// What a session of this socket needs to know of it.
    fn link(&self, state: &State) -> Arc<SocketLink> {
        Arc::new(SocketLink {
            mailbox: Arc::clone(&self.inner.mailbox),
            monitor: Arc::clone(&self.inner.monitor),
            context: self.inner.context.clone(),
            options: state.options.clone(),
            linger: Arc::clone(&self.inner.linger),
            socket_disconnected: Arc::clone(&self.inner.disconnected),
            disconnected: AtomicBool::new(false),
        })
    }

    /// zmq_connect(3): inproc (connects before the bind are queued until it comes),
    /// tcp, ipc, ws, and udp (RADIO).
    pub fn connect(&self, uri: &str) -> Result<()> {
        let mut state = self.lock()?;
        self.connect_locked(&mut state, uri)
    }

    /// zmq_connect_peer (draft): a PEER connects and learns the routing id of the
    /// new peer at once, which needs the pipe now: `EFAULT` under `ZMQ_IMMEDIATE`
    /// (as libzmq), `ENOTSUP` for the other types.
    pub fn connect_peer(&self, uri: &str) -> Result<u32> {
        if self.inner.socket_type != ZMQ_PEER {
            return Err(Errno::ENOTSUP);
        }
        let mut state = self.lock()?;
        if state.options.immediate {
            return Err(Errno::EFAULT);
        }
        self.connect_locked(&mut state, uri)?;
        state.pattern.last_routing_id().ok_or(Errno::EFAULT)
    }

    /// zmq_socket_get_peer_state (draft): whether a message could go to the peer
    /// named `routing_id` now (`ZMQ_POLLOUT`); ROUTER only (`ENOTSUP`).
    pub fn peer_state(&self, routing_id: &[u8]) -> Result<c_int> {
        self.lock()?.pattern.peer_state(routing_id)
    }

    /// zmq_disconnect_peer (draft): SERVER and PEER drop the peer a routing id
    /// names (`EHOSTUNREACH` when none does); `ENOTSUP` for the other types.
    pub fn disconnect_peer(&self, routing_id: u32) -> Result<()> {
        self.lock()?.pattern.disconnect_peer(routing_id)
    }

    fn connect_locked(&self, state: &mut State, uri: &str) -> Result<()> {
        let endpoint = endpoint::parse(uri, self.inner.socket_type)?;
        match endpoint.transport {
            Transport::Inproc => {
                let peer = self.inproc_peer(state);
                let end = self.inner.context.connect_inproc(endpoint.address, peer);
                if let Some(id) = state.connect_routing_id.take() {
                    end.pin_peer_routing_id(id);
                }
                state.connections.push((uri.to_owned(), end.id()));
                state.attach(end, &self.inner.mailbox);
            }
            Transport::Tcp | Transport::Ipc | Transport::Ws => {
                let target = network::target(endpoint.transport, endpoint.address, &state.options)?;
                let endpoint_text = target.endpoint_text(uri);
                let io = self.inner.context.io_thread()?;
                let link = self.link(state);
                let session_link = Arc::clone(&link);
                let (socket_end, session_end) = if state.options.immediate {
                    (None, None)
                } else {
                    let (socket_end, session_end) = Session::pipe_for(&state.options);
                    (Some(socket_end), Some(session_end))
                };
                let session_text = endpoint_text.clone();
                let token = network::start(&io, move |reactor| {
                    Session::connecting(link, target, &session_text, session_end).start(reactor)
                })?;
                self.inner.mailbox.send(Command::Launched);
                let connect_routing_id = state.connect_routing_id.take();
                let pipe = socket_end.map(|end| {
                    if let Some(routing_id) = connect_routing_id {
                        end.pin_peer_routing_id(routing_id);
                    }
                    let id = end.id();
                    state.attach(end, &self.inner.mailbox);
                    id
                });
                state.network.push(NetworkEndpoint {
                    uris: vec![uri.to_owned()],
                    io,
                    token,
                    pipe,
                    listening: false,
                    link: Some(session_link),
                });
                state.last_endpoint = endpoint_text;
                return Ok(());
            }
            Transport::Udp => {
                let role = UdpRole::of(self.inner.socket_type, false)?;
                let io = self.inner.context.io_thread()?;
                let (token, pipe) = network::start_udp(&io, role, endpoint.address, &state.options)?;
                self.inner.mailbox.send(Command::Launched);
                let id = pipe.id();
                // A udp peer cannot join groups: it takes every message.
                state.attach_unfiltered(pipe, &self.inner.mailbox);
                state.network.push(NetworkEndpoint {
                    uris: vec![uri.to_owned()],
                    io,
                    token,
                    pipe: Some(id),
                    listening: false,
                    link: None,
                });
                state.last_endpoint = endpoint.address.to_owned();
                return Ok(());
            }
            _ => return Err(Errno::EPROTONOSUPPORT),
        }
        state.last_endpoint = uri.to_owned();
        Ok(())
    }

    /// zmq_unbind(3) and zmq_disconnect(3) (libzmq treats them alike): stops listening
    /// on a bound name, or closes the connections made to an endpoint; `ENOENT` when
    /// there is neither.
    pub fn unbind(&self, uri: &str) -> Result<()> {
        let endpoint = endpoint::parse(uri, self.inner.socket_type)?;
        let mut state = self.lock()?;
        if endpoint.transport == Transport::Inproc {
            if let Some(index) = state.bound.iter().position(|name| name == endpoint.address) {
                state.bound.swap_remove(index);
                return self.inner.context.unbind_inproc(endpoint.address, self.inner.id);
            }
        }
        // Every connection made to the endpoint goes, as in libzmq.
        let (matching, others): (Vec<_>, Vec<_>) = std::mem::take(&mut state.network)
            .into_iter()
            .partition(|endpoint| endpoint.uris.iter().any(|known| known == uri));
        state.network = others;
        if !matching.is_empty() {
            if state.options.reconnect_stop & ZMQ_RECONNECT_STOP_AFTER_DISCONNECT != 0 {
                self.inner.disconnected.store(true, Ordering::Relaxed);
            }
            for endpoint in matching {
                endpoint.mark_disconnected();
                if let Some(pipe) = endpoint.pipe.and_then(|id| state.pattern.remove(id)) {
                    pipe.close();
                }
                endpoint.close();
            }
            return Ok(());
        }
        let closing: Vec<PipeId> =
            state.connections.iter().filter(|(connected, _)| connected == uri).map(|&(_, id)| id).collect();
        if closing.is_empty() {
            return Err(Errno::ENOENT);
        }
        state.connections.retain(|(connected, _)| connected != uri);
        for id in closing {
            if let Some(pipe) = state.pattern.remove(id) {
                pipe.close();
            }
        }
        Ok(())
    }

    /// zmq_disconnect(3).
    pub fn disconnect(&self, uri: &str) -> Result<()> {
        self.unbind(uri)
    }

    fn inproc_peer(&self, state: &State) -> InprocPeer {
        let conflate = state.options.effective_conflate();
        InprocPeer {
            socket: self.inner.id,
            mailbox: Arc::clone(&self.inner.mailbox),
            sndhwm: usize::try_from(state.options.sndhwm).unwrap_or(0),
            rcvhwm: usize::try_from(state.options.rcvhwm).unwrap_or(0),
            conflate,
            routing_id: state.options.routing_id.clone(),
            hello: state.options.hello_to_send().to_vec(),
            disconnect_msg: state.options.disconnect_msg_to_receive().to_vec(),
        }
    }

    /// zmq_msg_send(3): sends one part (`ZMQ_SNDMORE` in `flags` for more to come),
    /// taking it out of `msg`. Blocks while no peer can take it, unless
    /// `ZMQ_DONTWAIT` or `ZMQ_SNDTIMEO` say otherwise (`EAGAIN`; `msg` is kept).
    pub fn send(&self, msg: &mut Msg, flags: c_int) -> Result<()> {
        let mut state = self.lock_to_send()?;
        msg.set_more(flags & ZMQ_SNDMORE != 0);
        msg.set_flag(Flags::COMMAND, false);
        let mut until = None;
        loop {
            match state.pattern.send(msg) {
                Err(Errno::EAGAIN) => {}
                outcome => return outcome,
            }
            let until = *until.get_or_insert_with(|| wait_limit(flags, state.options.sndtimeo));
            let seen = self.inner.mailbox.sent();
            drop(state);
            self.wait(until, seen)?;
            state = self.lock()?;
        }
    }

    /// Receives one part (see [`Socket::recv_into`]).
    pub fn recv(&self, flags: c_int) -> Result<Msg> {
        let mut msg = Msg::new();
        self.recv_into(&mut msg, flags)?;
        Ok(msg)
    }

    /// zmq_msg_recv(3): receives one part into `msg`, replacing what it held. Blocks
    /// while none is ready, unless `ZMQ_DONTWAIT` or `ZMQ_RCVTIMEO` say otherwise
    /// (`EAGAIN`, `msg` untouched).
    pub fn recv_into(&self, msg: &mut Msg, flags: c_int) -> Result<()> {
        let mut state = self.lock()?;
        let mut until = None;
        loop {
            match state.pattern.recv_into(msg) {
                Ok(()) => {
                    state.rcvmore = msg.more();
                    state.read_pacing.received();
                    return Ok(());
                }
                Err(Errno::EAGAIN) => {}
                Err(error) => return Err(error),
            }
            let until = *until.get_or_insert_with(|| wait_limit(flags, state.options.rcvtimeo));
            let seen = self.inner.mailbox.sent();
            let streaming = state.read_pacing.caught_up();
            drop(state);
            self.wait(until, seen)?;
            if streaming {
                pacing::gather(until);
            }
            state = self.lock()?;
        }
    }

    /// `ZMQ_EVENTS`: `ZMQ_POLLIN` when a part can be received, `ZMQ_POLLOUT` when one
    /// can be sent, right now.
    pub fn events(&self) -> Result<c_short> {
        let mut state = self.lock_to_read()?;
        let mut events = 0;
        if state.pattern.has_in() {
            events |= ZMQ_POLLIN as c_short;
        }
        if state.pattern.has_out() {
            events |= ZMQ_POLLOUT as c_short;
        }
        Ok(events)
    }

    /// zmq_setsockopt(3); `None` is a NULL `optval` (which clears some options).
    pub fn set_option(&self, option: c_int, value: Option<&[u8]>) -> Result<()> {
        let mut state = self.lock()?;
        if let Some(outcome) = state.pattern.set_option(option, value) {
            if option == ZMQ_ROUTER_RAW && outcome.is_ok() && pattern::bool_option(value) == Ok(true) {
                // The ROUTER went raw: so do the connections it makes from now on.
                state.options.raw_socket = true;
            }
            return outcome;
        }
        if option == ZMQ_STREAM_NOTIFY && self.inner.socket_type == ZMQ_STREAM {
            // Read by the sessions (they send the notifications), so kept with the
            // options rather than in the pattern.
            state.options.raw_notify = pattern::bool_option(value)?;
            return Ok(());
        }
        if option == ZMQ_ROUTER_NOTIFY && self.inner.socket_type == ZMQ_ROUTER {
            // Draft: 0 to ZMQ_NOTIFY_CONNECT | ZMQ_NOTIFY_DISCONNECT. The sessions send
            // the notifications, so it is kept with the options.
            let all = ZMQ_NOTIFY_CONNECT | ZMQ_NOTIFY_DISCONNECT;
            state.options.router_notify = codec::int_where(value, |bits| (0..=all).contains(&bits))?;
            return Ok(());
        }
        if option == ZMQ_CONNECT_ROUTING_ID {
            // libzmq: 1 to 255 bytes, for the next connect only.
            let id = value.filter(|id| (1..=255).contains(&id.len())).ok_or(Errno::EINVAL)?;
            state.connect_routing_id = Some(id.to_vec());
            return Ok(());
        }
        state.options.set_raw(option, value)?;
        self.inner.linger.store(state.options.linger, Ordering::Relaxed);
        let State { pattern, options, .. } = &mut *state;
        pattern.shared_option_set(option, options);
        // libzmq applies new high-water marks to the existing pipes too.
        let hwm = |value: c_int| usize::try_from(value).unwrap_or(0);
        match option {
            ZMQ_SNDHWM => {
                state.pattern.pipes().iter().for_each(|p| p.set_send_hwm(hwm(state.options.sndhwm)))
            }
            ZMQ_RCVHWM => {
                state.pattern.pipes().iter().for_each(|p| p.set_receive_hwm(hwm(state.options.rcvhwm)))
            }
            _ => {}
        }
        Ok(())
    }

    /// zmq_getsockopt(3) into a buffer of `capacity` bytes: the bytes to copy out
    /// (their length is the new `*optvallen`).
    pub fn option(&self, option: c_int, capacity: usize) -> Result<Vec<u8>> {
        let int = |value: c_int| {
            if capacity < core::mem::size_of::<c_int>() {
                return Err(Errno::EINVAL);
            }
            Ok(value.to_ne_bytes().to_vec())
        };
        match option {
            ZMQ_FD => {
                // libzmq: a thread-safe socket has no file descriptor.
                if is_thread_safe(self.inner.socket_type) || capacity < core::mem::size_of::<RawFd>() {
                    return Err(Errno::EINVAL);
                }
                // libzmq answers ZMQ_FD even after a shutdown.
                Ok(self.fd().to_ne_bytes().to_vec())
            }
            ZMQ_EVENTS => int(self.events()?.into()),
            ZMQ_RCVMORE => int(self.lock()?.rcvmore.into()),
            ZMQ_THREAD_SAFE => int(is_thread_safe(self.inner.socket_type).into()),
            ZMQ_LAST_ENDPOINT => {
                let state = self.lock()?;
                let mut text = state.last_endpoint.clone().into_bytes();
                text.push(0);
                if capacity < text.len() {
                    return Err(Errno::EINVAL);
                }
                Ok(text)
            }
            _ => {
                let mut state = self.lock()?;
                match state.pattern.option(option, capacity) {
                    Some(outcome) => outcome,
                    None => state.options.get(option, capacity),
                }
            }
        }
    }

    /// zmq_join(3): a DISH joins `group` (at most `ZMQ_GROUP_MAX_LENGTH` bytes; `EINVAL`
    /// when already joined); `ENOTSUP` for the other types.
    pub fn join(&self, group: &[u8]) -> Result<()> {
        self.lock()?.pattern.join(group)
    }

    /// zmq_leave(3): a DISH leaves `group` (`EINVAL` when not joined); `ENOTSUP` for
    /// the other types.
    pub fn leave(&self, group: &[u8]) -> Result<()> {
        self.lock()?.pattern.leave(group)
    }

    /// zmq_close(3): never blocks. What was sent stays readable by the peers.
    ///
    /// In a child of `fork`, the socket's pipes and endpoints are set aside untouched
    /// (see `crate::ctx`): their other ends, the I/O threads, are in the parent.
    pub fn close(&self) {
        // Its inproc names are forgotten first, so no new connection can be sent to
        // this socket; then the connections already on their way are taken in and
        // closed with the rest.
        self.inner.context.forget_inproc(self.inner.id);
        {
            let mut state = self.inner.state.lock();
            if self.inner.context.is_inherited() {
                let pattern = std::mem::replace(&mut state.pattern, Box::new(Closed));
                let network = std::mem::take(&mut state.network);
                crate::ctx::set_aside(Box::new((pattern, network)));
            } else {
                state.process_commands(&self.inner.mailbox);
                for pipe in state.pattern.pipes() {
                    pipe.close();
                }
                state.pattern = Box::<Closed>::default();
                for endpoint in state.network.drain(..) {
                    endpoint.close();
                }
                // After the listeners reported CLOSED; sessions still closing report nothing.
                self.inner.monitor.stop();
            }
        }
        // Last: a zmq_ctx_term waiting for this socket stops the I/O threads once it
        // is unregistered, and the listeners above needed theirs to close.
        self.inner.context.unregister_socket(self.inner.id);
    }

    /// zmq_socket_monitor_pipes_stats (draft): a `ZMQ_EVENT_PIPES_STATS` event for
    /// each pipe, in the order they were made, with the messages queued each way.
    /// `EINVAL` unless monitored for it, `EAGAIN` without pipes, as libzmq.
    pub fn pipes_stats(&self) -> Result<()> {
        let state = self.lock()?;
        if !self.inner.monitor.wants(ZMQ_EVENT_PIPES_STATS) {
            return Err(Errno::EINVAL);
        }
        let mut pipes = state.pattern.pipes();
        if pipes.is_empty() {
            return Err(Errno::EAGAIN);
        }
        pipes.sort_by_key(Pipe::id);
        for pipe in pipes {
            let (outbound, inbound) = pipe.queued();
            let endpoints = pipe.endpoints().unwrap_or_default();
            self.inner.monitor.emit_values(ZMQ_EVENT_PIPES_STATS, &[outbound, inbound], &endpoints);
        }
        Ok(())
    }

    /// zmq_socket_monitor_versioned(3); `None` stops monitoring. Version 1 carries
    /// only the first 16 events (`EINVAL` for more), checked first as in libzmq.
    pub fn monitor(&self, uri: Option<&str>, events: u64, version: c_int, socket_type: c_int) -> Result<()> {
        let _state = self.lock()?;
        if version == 1 && events >> 16 != 0 {
            return Err(Errno::EINVAL);
        }
        match uri {
            None => {
                self.inner.monitor.stop();
                Ok(())
            }
            Some(uri) => self.inner.monitor.start(&self.inner.context, uri, events, version, socket_type),
        }
    }
}

impl State {
    fn attach(&mut self, pipe: Pipe, mailbox: &Arc<Mailbox>) {
        pipe.attach(Arc::clone(mailbox) as Arc<dyn crate::pipe::PipeOwner>);
        self.pattern.attach(pipe);
    }

    /// Attaches a pipe that takes every message (a udp endpoint's).
    fn attach_unfiltered(&mut self, pipe: Pipe, mailbox: &Arc<Mailbox>) {
        pipe.attach(Arc::clone(mailbox) as Arc<dyn crate::pipe::PipeOwner>);
        self.pattern.attach_unfiltered(pipe);
    }

    #[cold]
    fn process_commands(&mut self, mailbox: &Arc<Mailbox>) {
        mailbox.drain_into(&mut self.commands);
        while let Some(command) = self.commands.pop_front() {
            match command {
                Command::ActivateRead(id) => self.pattern.read_activated(id),
                Command::ActivateWrite(id) => self.pattern.write_activated(id),
                Command::PipeTerm(id) => self.pattern.peer_closed(id),
                Command::Attach(pipe) => self.attach(pipe, mailbox),
                Command::Stop => self.terminated = true,
                Command::Launched => {}
            }
        }
    }
}

/// What a closed socket holds: nothing.
#[derive(Debug, Default)]
struct Closed;

impl Pattern for Closed {
    fn attach(&mut self, pipe: Pipe) {
        pipe.close();
    }
    fn read_activated(&mut self, _id: PipeId) {}
    fn write_activated(&mut self, _id: PipeId) {}
    fn peer_closed(&mut self, _id: PipeId) {}
    fn remove(&mut self, _id: PipeId) -> Option<Pipe> {
        None
    }
    fn pipes(&self) -> Vec<Pipe> {
        Vec::new()
    }
    fn send(&mut self, _msg: &mut Msg) -> Result<()> {
        Err(Errno::ENOTSOCK)
    }
    fn recv(&mut self) -> Result<Msg> {
        Err(Errno::ENOTSOCK)
    }
    fn has_in(&mut self) -> bool {
        false
    }
    fn has_out(&mut self) -> bool {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicBool;

    /// zmq_ctx_term waits until every socket has finished closing: a close that has
    /// begun (here held up while its state is locked) keeps terminate waiting, so the
    /// I/O threads outlive the listeners the close hands them. pyzmq's
    /// test_context::test_term_thread closes its socket right after ETERM; terminate
    /// used to return as soon as the close began, stop the I/O thread, and the close
    /// then waited 10 s for that thread to close its listener.
    #[test]
    fn terminate_waits_for_a_close_in_progress() {
        let context = Context::new();
        let socket = Socket::new(&context, ZMQ_REP).unwrap();
        socket.bind("tcp://127.0.0.1:*").unwrap();
        let held = socket.inner.state.lock();
        let closing = {
            let socket = socket.clone();
            std::thread::spawn(move || {
                let start = Instant::now();
                socket.close();
                start.elapsed()
            })
        };
        let terminated = Arc::new(AtomicBool::new(false));
        let terminating = {
            let (context, terminated) = (context.clone(), Arc::clone(&terminated));
            std::thread::spawn(move || {
                context.terminate();
                terminated.store(true, Ordering::SeqCst);
            })
        };
        std::thread::sleep(Duration::from_millis(200));
        assert!(!terminated.load(Ordering::SeqCst), "terminate returned while a socket was still closing");
        drop(held);
        let close_took = closing.join().unwrap();
        terminating.join().unwrap();
        assert!(terminated.load(Ordering::SeqCst));
        assert!(close_took < Duration::from_secs(5), "zmq_close took {close_took:?}");
    }
}
