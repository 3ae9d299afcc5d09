//! Sessions: the I/O thread's side of one connection of a socket. libzmq:
//! `session_base.cpp`, `stream_engine_base.cpp`, `tcp_connecter.cpp`,
//! `ws_connecter.cpp`.
//!
//! A session owns the pipe to its socket and, while connected, the stream and the
//! protocol's state machine ([`crate::zmtp::Connection`], or for ws://
//! [`crate::ws::WsConnection`]). This is the only place where
//! bytes meet sockets: it reads into the protocol's buffer and writes what the
//! protocol produced, in large batches, and moves messages between the protocol and
//! the pipe. A connecting session outlives its connections: it reconnects with
//! back-off and, unless `ZMQ_IMMEDIATE`, keeps its pipe (and the messages queued in
//! it) across them. A peer that broke the protocol or refused us is not called
//! again, as in libzmq.
//!
//! Beside it in this module: `translate` (socket types whose messages are not one
//! frame per part on the wire), and the udp endpoints (`udp`, `datagram`), which
//! have no connection and are handlers of their own.

pub(crate) mod datagram;
mod listener;
mod stream;
pub(crate) mod translate;
pub(crate) mod udp;
mod wire;

use core::ffi::c_int;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use mio::event::Event;
use mio::{Interest, Token};

pub use listener::{Listener, ListenerSocket};
pub use stream::Stream;
use translate::Translator;
pub use udp::{UdpEndpoint, UdpRole};
use wire::Wire;

use crate::constants::{
    ZMQ_EVENT_CLOSED, ZMQ_EVENT_CONNECTED, ZMQ_EVENT_CONNECT_DELAYED, ZMQ_EVENT_CONNECT_RETRIED,
    ZMQ_EVENT_DISCONNECTED, ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL, ZMQ_EVENT_HANDSHAKE_SUCCEEDED,
    ZMQ_NOTIFY_CONNECT, ZMQ_NOTIFY_DISCONNECT, ZMQ_RECONNECT_STOP_AFTER_DISCONNECT,
    ZMQ_RECONNECT_STOP_CONN_REFUSED, ZMQ_RECONNECT_STOP_HANDSHAKE_FAILED,
};
use crate::ctx::Context;
use crate::error::Errno;
use crate::msg::{Metadata, Msg};
use crate::options::{Mechanism, SocketOptions};
use crate::pipe::{pipe_pair, Drained, Limits, Pipe, PipeEvent, PipeId, Read, Refusal};
use crate::reactor::io_thread::{self, Flow, Handler, Reactor};
use crate::routing::subscriptions::subscription_msg;
use crate::socket::mailbox::{Command, Mailbox};
use crate::socket::monitor::{Endpoints, Monitor};
use crate::transport::ipc::IpcAddress;
use crate::transport::lookup::Lookup;
use crate::transport::socks;
use crate::transport::tcp::{self, ConnectAddress};
use crate::transport::ws::WsTarget;
use crate::transport::ConnectFailed;
use crate::ws;
use crate::zmtp::{Config, Event as ZmtpEvent, Inbound, OsRandom, ProtocolError, RandomSource, Security};

/// What a session needs of its socket: where to hand new pipes, and the options it
/// had when the session began (libzmq copies them too).
#[derive(Debug)]
pub struct SocketLink {
    pub mailbox: Arc<Mailbox>,
    pub options: SocketOptions,
    /// The socket's `ZMQ_LINGER` as it is now: libzmq applies the value at close
    /// time, not the one the session started with.
    pub linger: Arc<AtomicI32>,
    /// Where connection events go (`zmq_socket_monitor`).
    pub monitor: Arc<Monitor>,
    /// The socket's context, where a ZAP handler may be bound.
    pub context: Context,
    /// The socket has disconnected (or unbound) an endpoint with
    /// `ZMQ_RECONNECT_STOP_AFTER_DISCONNECT` set: refused ipc attempts stop.
    pub socket_disconnected: Arc<AtomicBool>,
    /// This session's endpoint was disconnected (`zmq_disconnect`), not closed.
    pub disconnected: AtomicBool,
}

/// Where a connecting session connects to.
#[derive(Debug, Clone)]
pub enum Target {
    Tcp(ConnectAddress),
    Ipc(IpcAddress),
    Ws(WsTarget),
}

impl Target {
    /// libzmq's text for the endpoint `uri` (as given to `zmq_connect`) names:
    /// `ZMQ_LAST_ENDPOINT`, and the peer's end in monitor events. The URI itself,
    /// but for ws, whose resolved form libzmq reports.
    pub fn endpoint_text(&self, uri: &str) -> String {
        match self {
            Target::Ws(target) => target.endpoint().to_owned(),
            Target::Tcp(_) | Target::Ipc(_) => uri.to_owned(),
        }
    }
}

#[derive(Debug)]
enum Role {
    Connect(Target),
    /// A connection a listener accepted, and whether it speaks WebSocket.
    Accepted {
        websocket: bool,
    },
}

/// One live connection.
struct Link {
    stream: Stream,
    /// `None` while a TCP connect is in progress.
    protocol: Option<Wire>,
    /// The peer shut its side down (an event said so): read to the end, not just
    /// until a short read (see [`Session::pump_in`]).
    hung_up: bool,
}

/// Write this much before reading more messages from the pipe.
const OUTPUT_BATCH: usize = 64 * 1024;

/// Read from one connection for at most this long before letting the I/O thread's
/// other connections and jobs have their turn; the session's timer then calls back
/// at once to read on (readiness is edge-triggered: it will not be reported again).
/// Without it, a peer that writes as fast as we read keeps the thread to itself.
/// A time, not a count of reads or bytes: ordinary traffic rarely fills a turn, so
/// it never pays for yielding (yielding every 32 reads cost a quarter of the
/// throughput of 64 KiB messages), while a flood is cut into slices.
const TURN: Duration = Duration::from_millis(1);

pub struct Session {
    link: Arc<SocketLink>,
    role: Role,
    pipe: Option<Pipe>,
    connection: Option<Link>,
    /// A received message the pipe had no room for; reading waits for room.
    stalled: Option<Msg>,
    /// The socket closed its end: send what is left, until this deadline if any.
    lingering: bool,
    linger_until: Option<Instant>,
    reconnect_at: Option<Instant>,
    reconnect_ivl: Duration,
    connect_deadline: Option<Instant>,
    /// A handshake completed at least once (`ZMQ_RECONNECT_STOP_AFTER_DISCONNECT`).
    was_connected: bool,
    /// Disconnected while waiting to try again: the scheduled attempt is the last
    /// (see [`Session::makes_last_attempt`]).
    last_attempt: bool,
    /// The current connection's handshake completed.
    handshake_done: bool,
    /// All is sent and FIN is out: waiting (until then) for the peer to close.
    draining_until: Option<Instant>,
    /// The socket type's wire form, and what a new connection must be sent again
    /// (a SUB's topics, a DISH's groups).
    translator: Translator,
    /// The current connection's ends, as monitor events name them.
    endpoints: Endpoints,
    /// Why the protocol failed, when it did.
    failure: Option<ProtocolError>,
    /// The errno that ended the connection when the stream did (`EPIPE`: the peer
    /// closed it), for the monitor's `HANDSHAKE_FAILED_NO_DETAIL`, as libzmq's.
    stream_error: Option<i32>,
    /// The pipe to the ZAP handler while a request is out, and the reply's parts so far.
    zap: Option<(Pipe, Vec<Msg>)>,
    /// The ZAP handler refused the peer and the monitor was told; the connection
    /// stays until the peer leaves or the handshake times out, as in libzmq.
    refused: bool,
    /// The SOCKS5 handshake with `ZMQ_SOCKS_PROXY`, between the tcp connect to the
    /// proxy and the protocol.
    socks: Option<socks::Handshake>,
    /// The name lookup of the attempt under way (see [`Session::resolve`]).
    lookup: Option<Lookup<Resolved>>,
    /// An attempt got past its name lookup: the first one may give up without ending
    /// the session (see [`Session::attempt_failed`]).
    attempted: bool,
    /// The current peer's properties, from its handshake: put on the subscriptions
    /// its SUBSCRIBE and CANCEL commands become, as libzmq's engine puts them on
    /// every message it decodes (an XPUB's application reads them there).
    peer_metadata: Option<Arc<Metadata>>,
    /// The last read stopped at the end of its [`TURN`] with input maybe left.
    more_to_read: bool,
}

/// Where a connection attempt goes, and from where (`ZMQ_CONNECT` `src;host:port`).
type Resolved = Result<(SocketAddr, Option<SocketAddr>), Errno>;

/// How long a finished connection waits for its peer to close after our FIN.
const DRAIN_TIME: Duration = Duration::from_millis(250);

/// Why a connection or an attempt ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cause {
    /// The peer refused the connection.
    Refused,
    /// Connected, but the handshake failed or timed out.
    HandshakeFailed,
    /// A working connection was lost.
    Lost,
    /// Anything else (resolution, timeout, an I/O error before connecting).
    Failed,
}

impl core::fmt::Debug for Session {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Session")
            .field("role", &self.role)
            .field("connected", &self.connection.is_some())
            .finish()
    }
}

/// The security mechanism a connection runs, from the socket's options as libzmq
/// reads them: keys never set are zeros.
fn security_of(options: &SocketOptions) -> Security {
    let key = |key: Option<[u8; 32]>| key.unwrap_or([0; 32]);
    match (options.mechanism, options.as_server) {
        (Mechanism::Plain, true) => Security::PlainServer,
        (Mechanism::Plain, false) => Security::PlainClient {
            username: options.plain_username.clone(),
            password: options.plain_password.clone(),
        },
        (Mechanism::Curve, true) => Security::CurveServer { secret_key: key(options.curve_secret_key) },
        (Mechanism::Curve, false) => Security::CurveClient {
            public_key: key(options.curve_public_key),
            secret_key: key(options.curve_secret_key),
            server_key: key(options.curve_server_key),
        },
        // GSSAPI options cannot be set in this build (no GSSAPI), so NULL is all
        // that is left.
        (Mechanism::Null | Mechanism::Gssapi, _) => Security::Null,
    }
}

/// A positive number of milliseconds; `None` for 0 or negative ("off").
fn millis(value: c_int) -> Option<Duration> {
    u64::try_from(value).ok().filter(|&ms| ms > 0).map(Duration::from_millis)
}

/// A random whole number of milliseconds below `limit` (none when the system's
/// generator fails: the jitter is a courtesy).
fn random_below(limit: Duration) -> Duration {
    let mut bytes = [0u8; 8];
    let limit = u64::try_from(limit.as_millis()).unwrap_or(u64::MAX);
    if limit == 0 || OsRandom.fill(&mut bytes).is_err() {
        return Duration::ZERO;
    }
    Duration::from_millis(u64::from_ne_bytes(bytes) % limit)
}

impl Session {
    fn new(link: Arc<SocketLink>, role: Role, endpoints: Endpoints, pipe: Option<Pipe>) -> Session {
        let reconnect_ivl = millis(link.options.reconnect_ivl).unwrap_or(Duration::from_millis(100));
        let translator = Translator::new(link.options.socket_type);
        Session {
            link,
            role,
            pipe,
            connection: None,
            stalled: None,
            lingering: false,
            linger_until: None,
            reconnect_at: None,
            reconnect_ivl,
            connect_deadline: None,
            was_connected: false,
            last_attempt: false,
            handshake_done: false,
            draining_until: None,
            translator,
            endpoints,
            failure: None,
            stream_error: None,
            zap: None,
            refused: false,
            socks: None,
            lookup: None,
            attempted: false,
            peer_metadata: None,
            more_to_read: false,
        }
    }

    /// A session that connects to `target` (`uri`: the endpoint as monitor events
    /// name the peer, [`Target::endpoint_text`]). Unless
    /// `ZMQ_IMMEDIATE`, its pipe exists from the start: `pipe` is the session's end,
    /// the socket holding the other.
    pub fn connecting(link: Arc<SocketLink>, target: Target, uri: &str, pipe: Option<Pipe>) -> Session {
        Session::new(link, Role::Connect(target), Endpoints::connected("", uri), pipe)
    }

    /// A session for a connection a listener accepted.
    pub fn accepted(
        link: Arc<SocketLink>,
        stream: Stream,
        endpoints: Endpoints,
        websocket: bool,
        now: Instant,
    ) -> Session {
        let mut session = Session::new(link, Role::Accepted { websocket }, endpoints, None);
        session.start_protocol(stream, now);
        session
    }

    /// The pipe for a session made by `zmq_connect` (both ends: the socket's first).
    pub fn pipe_for(options: &SocketOptions) -> (Pipe, Pipe) {
        let hwm = |value: c_int| usize::try_from(value).unwrap_or(0);
        let conflate = options.effective_conflate();
        let limits = |value| Limits { conflate, ..Limits::bounded(if conflate { 0 } else { hwm(value) }) };
        pipe_pair([limits(options.sndhwm), limits(options.rcvhwm)])
    }

    /// Registers with the reactor and starts connecting.
    pub fn start(mut self, reactor: &mut Reactor) -> Token {
        reactor.add(move |reactor, token| {
            if let Some(pipe) = &self.pipe {
                pipe.attach(reactor.notifier(token));
            }
            if let Some(connection) = &mut self.connection {
                let _ =
                    reactor.register(&mut connection.stream, token, Interest::READABLE | Interest::WRITABLE);
            }
            let now = Instant::now();
            if matches!(self.role, Role::Connect(_)) {
                // A first attempt never ends the session (see `connect`).
                let _ = self.connect(reactor, token, now);
            } else {
                // A write error shows again as an event on the registered stream.
                let _ = self.flush();
            }
            self.arm_timer(reactor, token, now);
            Box::new(self)
        })
    }

    /// The protocol's settings for a connection on `stream`.
    fn config(&self, stream: &Stream) -> Config {
        let options = &self.link.options;
        Config {
            socket_type: options.socket_type,
            routing_id: options.routing_id.clone(),
            metadata: options
                .app_metadata
                .iter()
                .map(|(name, value)| (String::from_utf8_lossy(name).into_owned(), value.clone()))
                .collect(),
            max_msg_size: u64::try_from(options.maxmsgsize).ok(),
            heartbeat_ivl: millis(options.heartbeat_interval),
            heartbeat_ttl: (options.heartbeat_ttl > 0)
                .then(|| Duration::from_millis(u64::from(options.heartbeat_ttl) * 100)),
            heartbeat_timeout: millis(options.heartbeat_timeout),
            handshake_ivl: millis(options.handshake_ivl),
            peer_address: stream.peer_address(),
            source_fd: Some(stream.fd()),
            security: security_of(options),
            zap_domain: options.zap_domain.clone(),
            zap_enforce_domain: options.zap_enforce_domain,
            zap_handler: self.link.context.has_zap_handler(),
        }
    }

    /// Our end of the WebSocket, for ws:// connections.
    fn websocket(&self) -> Option<ws::Role> {
        match &self.role {
            Role::Connect(Target::Ws(target)) => {
                Some(ws::Role::Client { host: target.host().to_owned(), path: target.path().to_owned() })
            }
            Role::Accepted { websocket: true } => Some(ws::Role::Server),
            Role::Connect(_) | Role::Accepted { websocket: false } => None,
        }
    }

    fn start_protocol(&mut self, stream: Stream, now: Instant) {
        let options = &self.link.options;
        // ws:// speaks ZWS whatever the socket type, as libzmq's ws_engine does.
        let protocol = if let Some(role) = self.websocket() {
            Wire::ws(self.config(&stream), role, now)
        } else if options.raw_socket {
            Wire::raw(stream.peer_address(), Some(stream.fd()), options.raw_notify)
        } else {
            Wire::zmtp(self.config(&stream), now)
        };
        self.connection = Some(Link { stream, protocol: Some(protocol), hung_up: false });
        self.handshake_done = false;
        self.refused = false;
        self.peer_metadata = None;
        self.translator.connection_started();
    }

    /// Starts a connection attempt; a failure schedules the next one (or, per
    /// `ZMQ_RECONNECT_STOP`, ends the session).
    fn connect(&mut self, reactor: &mut Reactor, token: Token, now: Instant) -> Flow {
        let Role::Connect(target) = &self.role else { return Flow::Continue };
        self.socks = None;
        let attempt = if let Target::Ipc(address) = target {
            address.connect().map(|stream| Stream::Ipc(mio::net::UnixStream::from_std(stream)))
        } else {
            match self.tcp_destination() {
                Err(errno) => Err(ConnectFailed::from(errno)),
                Ok((address, socks)) => {
                    let Some(resolved) = self.resolve(&address, reactor, token) else {
                        // Looking a name up: `woken` calls again once it is done.
                        return Flow::Continue;
                    };
                    let stream = resolved
                        .map_err(ConnectFailed::from)
                        .and_then(|(target, source)| tcp::connect(target, source, &self.link.options));
                    if stream.is_ok() {
                        self.socks = socks;
                    }
                    stream.map(|stream| Stream::Tcp(mio::net::TcpStream::from_std(stream)))
                }
            }
        };
        // Past any name lookup: the attempt is made.
        let first = !std::mem::replace(&mut self.attempted, true);
        let mut stream = match attempt {
            Ok(stream) => stream,
            Err(failed) => {
                // As libzmq's connecters: a descriptor opened for the attempt is
                // reported closed before the retry is scheduled.
                if let Some(fd) = failed.fd {
                    self.event(ZMQ_EVENT_CLOSED, fd as u64);
                }
                let cause = if failed.errno == Errno::ECONNREFUSED { Cause::Refused } else { Cause::Failed };
                return self.attempt_failed(now, cause, first);
            }
        };
        if reactor.register(&mut stream, token, Interest::READABLE | Interest::WRITABLE).is_err() {
            return self.attempt_failed(now, Cause::Failed, first);
        }
        match stream {
            Stream::Ipc(_) => self.connected(stream, now),
            Stream::Tcp(_) => {
                self.connect_deadline =
                    millis(self.link.options.connect_timeout).map(|timeout| now + timeout);
                self.endpoints.local.clear();
                self.event(ZMQ_EVENT_CONNECT_DELAYED, libc::EINPROGRESS as u64);
                self.connection = Some(Link { stream, protocol: None, hung_up: false });
            }
        }
        // A write error shows again as an event on the registered stream.
        let _ = self.flush();
        Flow::Continue
    }

    /// An attempt failed, as [`Session::disconnected`] says; but a first attempt that
    /// gives up leaves the session holding its pipe until the socket closes it, as
    /// libzmq's session outlives its connecter.
    fn attempt_failed(&mut self, now: Instant, cause: Cause, first: bool) -> Flow {
        let flow = self.disconnected(now, cause);
        if first {
            Flow::Continue
        } else {
            flow
        }
    }

    /// Where the tcp connection of an attempt goes: the target, or the SOCKS proxy
    /// (`ZMQ_SOCKS_PROXY`), with the handshake that asks it for the target.
    fn tcp_destination(&self) -> Result<(ConnectAddress, Option<socks::Handshake>), Errno> {
        let options = &self.link.options;
        match &self.role {
            Role::Connect(Target::Tcp(address)) if !options.socks_proxy_address.is_empty() => {
                let handshake = socks::Handshake::new(
                    address.target(),
                    &options.socks_proxy_username,
                    &options.socks_proxy_password,
                )?;
                let proxy = tcp::connect_address(&String::from_utf8_lossy(&options.socks_proxy_address))?;
                Ok((proxy, Some(handshake)))
            }
            Role::Connect(Target::Tcp(address)) => Ok((address.clone(), None)),
            Role::Connect(Target::Ws(address)) => Ok((address.tcp_address().clone(), None)),
            _ => Err(Errno::EINVAL),
        }
    }

    /// Where `address` is now, and from where: at once when its host is numeric; for a
    /// name, from a lookup on a thread of its own (see `transport::lookup`), `None`
    /// while it runs. The lookup wakes the session when done, and the call then made
    /// takes its outcome.
    fn resolve(&mut self, address: &ConnectAddress, reactor: &mut Reactor, token: Token) -> Option<Resolved> {
        let ipv6 = self.link.options.ipv6;
        if self.lookup.is_none() {
            if !address.needs_lookup(ipv6) {
                return Some(address.resolve(ipv6));
            }
            let (address, handle) = (address.clone(), reactor.handle());
            let (lookup, thread) = Lookup::start(move || address.resolve(ipv6), move || handle.wake(token));
            if let Some(thread) = thread {
                reactor.adopt(thread);
            }
            self.lookup = Some(lookup);
        }
        // Ready once done; at once when no thread could be started for it.
        let outcome = self.lookup.as_ref()?.outcome();
        if outcome.is_some() {
            self.lookup = None;
        }
        outcome
    }

    /// Talks SOCKS5 with the proxy as far as the stream allows; once the proxy has
    /// connected us to the target, the connection is made. A failure closes it and
    /// tries again later, as libzmq's `socks_connecter`.
    fn through_proxy(&mut self, reactor: &mut Reactor, token: Token, now: Instant) -> Flow {
        loop {
            let (Some(link), Some(handshake)) = (&mut self.connection, &mut self.socks) else {
                return Flow::Continue;
            };
            while !handshake.pending_output().is_empty() {
                match link.stream.write(handshake.pending_output()) {
                    Ok(0) => return self.disconnected(now, Cause::Failed),
                    Ok(n) => handshake.consume(n),
                    Err(error) if error.kind() == std::io::ErrorKind::WouldBlock => break,
                    Err(error) if error.kind() == std::io::ErrorKind::Interrupted => {}
                    Err(_) => return self.disconnected(now, Cause::Failed),
                }
            }
            if handshake.is_done() {
                break;
            }
            // No more than the proxy's reply: what follows is the peer's.
            let mut reply = [0u8; 512];
            let wanted = handshake.wanted().min(reply.len());
            match link.stream.read(&mut reply[..wanted]) {
                Ok(0) => return self.disconnected(now, Cause::Failed),
                Ok(n) => {
                    if handshake.received(&reply[..n]).is_err() {
                        return self.disconnected(now, Cause::Failed);
                    }
                }
                Err(error) if error.kind() == std::io::ErrorKind::WouldBlock => return Flow::Continue,
                Err(error) if error.kind() == std::io::ErrorKind::Interrupted => {}
                Err(_) => return self.disconnected(now, Cause::Failed),
            }
        }
        self.socks = None;
        let Some(link) = self.connection.take() else { return Flow::Continue };
        self.connected(link.stream, now);
        self.drive(reactor, token, now)
    }

    /// A connection was made: the protocol starts.
    fn connected(&mut self, stream: Stream, now: Instant) {
        // libzmq names a ws connecter's own end without a path.
        self.endpoints.local = match self.websocket() {
            Some(_) => stream.local_ws_endpoint(""),
            None => stream.local_endpoint(),
        };
        self.event(ZMQ_EVENT_CONNECTED, stream.fd() as u64);
        self.start_protocol(stream, now);
    }

    /// Reports `event` to the socket's monitor.
    fn event(&self, event: c_int, value: u64) {
        self.link.monitor.emit(event, value, &self.endpoints);
    }

    fn schedule_reconnect(&mut self, now: Instant) {
        self.connection = None;
        self.connect_deadline = None;
        let wait = self.next_reconnect_wait();
        self.reconnect_at = Some(now + wait);
        self.endpoints.local.clear();
        self.event(ZMQ_EVENT_CONNECT_RETRIED, wait.as_millis() as u64);
    }

    /// How long to wait before the next attempt, as libzmq's `get_new_reconnect_ivl`:
    /// with `ZMQ_RECONNECT_IVL_MAX`, the interval, doubled after each attempt up to the
    /// maximum; without, the interval plus a random part of it, so that peers cut off
    /// together (a restarted server's clients) do not all call back at once.
    fn next_reconnect_wait(&mut self) -> Duration {
        let wait = self.reconnect_ivl;
        match millis(self.link.options.reconnect_ivl_max) {
            Some(max) => {
                self.reconnect_ivl = (wait * 2).min(max.max(wait));
                wait
            }
            None => wait + random_below(wait),
        }
    }

    /// Why the current connection (or attempt) ended, judged before it is dropped.
    fn cause(&self) -> Cause {
        match self.connection.as_ref().and_then(|link| link.protocol.as_ref()) {
            // Judged by the handshake having completed: a protocol that failed since
            // no longer says it is ready.
            Some(_) if self.handshake_done => Cause::Lost,
            Some(_) => Cause::HandshakeFailed,
            None => Cause::Failed,
        }
    }

    /// Whether `ZMQ_RECONNECT_STOP` (or a `ZMQ_RECONNECT_IVL` of 0 or -1, as libzmq) says not to try again.
    fn gives_up(&self, cause: Cause) -> bool {
        let stop = self.link.options.reconnect_stop;
        self.link.options.reconnect_ivl <= 0
            || (cause == Cause::Refused && stop & ZMQ_RECONNECT_STOP_CONN_REFUSED != 0)
            || (cause == Cause::HandshakeFailed && stop & ZMQ_RECONNECT_STOP_HANDSHAKE_FAILED != 0)
            || (cause == Cause::Refused
                && self.ipc_stops_after_disconnect()
                && self.link.socket_disconnected.load(Ordering::Relaxed))
    }

    /// An ipc endpoint with `ZMQ_RECONNECT_STOP_AFTER_DISCONNECT` set: the only kind
    /// libzmq's option acts on.
    fn ipc_stops_after_disconnect(&self) -> bool {
        self.link.options.reconnect_stop & ZMQ_RECONNECT_STOP_AFTER_DISCONNECT != 0
            && matches!(self.role, Role::Connect(Target::Ipc(_)))
    }

    /// Whether this session, disconnected while it waited to try an ipc endpoint
    /// again, makes that attempt before it ends. libzmq ends a disconnected
    /// endpoint's connecter only once its socket next takes commands in, so the
    /// attempt it had scheduled is still made; with
    /// `ZMQ_RECONNECT_STOP_AFTER_DISCONNECT`, a refused one is the last (its CLOSED
    /// is what upstream's `test_reconnect_options` waits for). Ours makes that one
    /// attempt, whatever comes of it, and no other.
    fn makes_last_attempt(&mut self) -> bool {
        let disconnected = self.link.disconnected.load(Ordering::Relaxed)
            && self.ipc_stops_after_disconnect()
            && self.connection.is_none()
            && self.reconnect_at.is_some();
        self.last_attempt |= disconnected;
        self.last_attempt
    }

    /// Tells the monitor how the connection (or an attempt) ended, as libzmq's
    /// engines do: a handshake that failed says why, then the connection is
    /// DISCONNECTED; an attempt that never connected is CLOSED.
    fn report_end(&mut self) {
        let Some(link) = &self.connection else { return };
        let fd = link.stream.fd() as u64;
        if link.protocol.is_none() {
            self.event(ZMQ_EVENT_CLOSED, fd);
            return;
        }
        let failure = self.failure.take();
        let stream_error = self.stream_error.take();
        if !self.handshake_done && !std::mem::take(&mut self.refused) {
            match &failure {
                Some(error) => {
                    if let Some((event, value)) = error.handshake_failed_event() {
                        self.event(event, value as u64);
                    } else if error.is_timeout() {
                        self.event(ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL, libc::ETIMEDOUT as u64);
                    }
                }
                None => self.event(ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL, stream_error.unwrap_or(0) as u64),
            }
        }
        self.event(ZMQ_EVENT_DISCONNECTED, fd);
    }

    /// The connection (or an attempt) ended.
    fn disconnected(&mut self, now: Instant, cause: Cause) -> Flow {
        // libzmq's `protocol_error`: a peer that broke the protocol (or refused us
        // with an ERROR) is not called again; only lost connections and timeouts are.
        let violated = self.failure.as_ref().is_some_and(|failure| !failure.is_timeout());
        self.report_end();
        if let Some((zap, _)) = self.zap.take() {
            zap.close();
        }
        let raw = self.connection.as_ref().and_then(|link| link.protocol.as_ref()).is_some_and(Wire::is_raw);
        if let Some(pipe) = &self.pipe {
            // A message cut by the disconnection never reaches the socket.
            pipe.rollback();
            let handshake_done = cause == Cause::Lost;
            if handshake_done && !raw && self.link.options.router_notify & ZMQ_NOTIFY_DISCONNECT != 0 {
                // ROUTER_NOTIFY: an empty message says the peer has gone.
                let _ = pipe.write(Msg::new());
            }
            // ZMQ_DISCONNECT_MSG when a peer that connected here goes; ZMQ_HICCUP_MSG
            // when a connection made from here breaks.
            let options = &self.link.options;
            let news = match self.role {
                Role::Accepted { .. } => options.disconnect_msg_to_receive(),
                Role::Connect(_) => options.hiccup_msg_to_receive(),
            };
            if handshake_done && !news.is_empty() {
                let _ = pipe.write_past_hwm(Msg::from_vec(news.to_vec()));
            }
        }
        if raw && self.link.options.raw_notify {
            // STREAM: an empty message says the peer is gone.
            if let Some(pipe) = &self.pipe {
                let _ = pipe.write(Msg::new());
            }
        }
        self.connection = None;
        self.connect_deadline = None;
        self.stalled = None;
        self.more_to_read = false;
        match self.role {
            Role::Accepted { .. } => {
                if let Some(pipe) = self.pipe.take() {
                    pipe.close();
                }
                Flow::Done
            }
            Role::Connect(_) => {
                // A closed socket's session reconnects only while it still has
                // something to deliver.
                let delivered = self.pipe.as_ref().is_none_or(|pipe| !pipe.check_read());
                if violated || self.gives_up(cause) || (self.lingering && delivered) {
                    // Nothing more will be sent (or, without reconnection, can be):
                    // the pipe closes with the session, as libzmq's does.
                    return Flow::Done;
                }
                if self.link.options.immediate {
                    if let Some(pipe) = self.pipe.take() {
                        pipe.close();
                    }
                }
                self.schedule_reconnect(now);
                Flow::Continue
            }
        }
    }

    /// Reads and writes as far as the stream allows; `Done` when the session ended.
    fn drive(&mut self, reactor: &mut Reactor, token: Token, now: Instant) -> Flow {
        self.drive_with(true, reactor, token, now)
    }

    /// [`Session::drive`] without reading: the socket queued messages, and there is
    /// nothing new to read (readiness would have said so; a read would only be told
    /// `EAGAIN`).
    fn drive_output(&mut self, reactor: &mut Reactor, token: Token, now: Instant) -> Flow {
        self.drive_with(false, reactor, token, now)
    }

    fn drive_with(&mut self, read: bool, reactor: &mut Reactor, token: Token, now: Instant) -> Flow {
        if (read && self.pump_in(reactor, token, now).is_err()) || self.flush().is_err() {
            return self.disconnected(now, self.cause());
        }
        let peer_closed =
            self.connection.as_ref().and_then(|link| link.protocol.as_ref()).is_some_and(Wire::peer_closed);
        if peer_closed {
            return self.disconnected(now, self.cause());
        }
        let close_requested = self
            .connection
            .as_ref()
            .and_then(|link| link.protocol.as_ref())
            .is_some_and(Wire::close_requested);
        if close_requested || (self.lingering && self.pipe.is_none() && self.output_empty()) {
            return self.close_gracefully(now);
        }
        Flow::Continue
    }

    /// Everything is sent: end the connection without losing it in flight. Closing a
    /// socket with unread input (a heartbeat, say) makes the kernel send RST, and a
    /// peer that gets RST may drop what it had not read yet. So: FIN first, then read
    /// and discard until the peer closes too, for at most `DRAIN_TIME`.
    fn close_gracefully(&mut self, now: Instant) -> Flow {
        let Some(link) = &mut self.connection else { return Flow::Done };
        if self.draining_until.is_none() {
            if link.stream.shutdown_write().is_err() {
                return Flow::Done;
            }
            self.draining_until = Some(now + DRAIN_TIME);
        }
        let mut scratch = [0u8; 4096];
        let turn_ends = now + TURN;
        loop {
            if Instant::now() >= turn_ends {
                self.more_to_read = true;
                return Flow::Continue;
            }
            match link.stream.read(&mut scratch) {
                Ok(0) => return Flow::Done,
                Ok(_) => {}
                Err(error) if error.kind() == std::io::ErrorKind::WouldBlock => return Flow::Continue,
                Err(error) if error.kind() == std::io::ErrorKind::Interrupted => {}
                Err(_) => return Flow::Done,
            }
        }
    }

    fn output_empty(&self) -> bool {
        self.connection
            .as_ref()
            .and_then(|link| link.protocol.as_ref())
            .is_none_or(|protocol| protocol.pending_output().is_empty())
    }

    /// Reads what the network has, while the pipe has room, for one [`TURN`] at
    /// most.
    ///
    /// A read that did not fill the buffer took everything the kernel had, and
    /// readiness is edge-triggered, so more data will be reported: reading again
    /// would only be told `EAGAIN` (most reads, with small messages). Except after
    /// the peer hung up: its FIN may have come with that data, and no event will
    /// report it again, so then reading goes on to the end.
    fn pump_in(&mut self, reactor: &mut Reactor, token: Token, now: Instant) -> Result<(), ()> {
        let turn_ends = now + TURN;
        self.more_to_read = false;
        let mut drained = false;
        loop {
            self.take_events(reactor, token)?;
            if self.stalled.is_some() || drained {
                return Ok(());
            }
            if Instant::now() >= turn_ends {
                self.more_to_read = true;
                return Ok(());
            }
            let Some(link) = &mut self.connection else { return Ok(()) };
            let Some(protocol) = &mut link.protocol else { return Ok(()) };
            let buffer = protocol.read_buffer();
            let capacity = buffer.len();
            match link.stream.read(buffer) {
                Ok(0) => return self.stream_failed(libc::EPIPE),
                Ok(n) => {
                    drained = n < capacity && !link.hung_up;
                    // Not stalled (checked above): parts go straight into the pipe
                    // while it has room, unless the socket type's form needs them
                    // translated.
                    let pipe = self.pipe.as_ref().filter(|_| self.translator.passes_through());
                    let mut straight = Straight { pipe, delivered: 0 };
                    let received = protocol.received_into(n, now, &mut straight);
                    io_thread::note_delivered(straight.delivered);
                    if let Err(error) = received {
                        self.failure = Some(error);
                        return Err(());
                    }
                }
                Err(error) if error.kind() == std::io::ErrorKind::WouldBlock => return Ok(()),
                Err(error) if error.kind() == std::io::ErrorKind::Interrupted => {}
                Err(error) => return self.stream_failed(error.raw_os_error().unwrap_or(libc::EIO)),
            }
        }
    }

    /// Notes the errno that ended the connection (for the monitor); the failure to
    /// return.
    fn stream_failed(&mut self, errno: i32) -> Result<(), ()> {
        self.stream_error = Some(errno);
        Err(())
    }

    /// Acts on what the protocol decoded.
    fn take_events(&mut self, reactor: &mut Reactor, token: Token) -> Result<(), ()> {
        while self.stalled.is_none() {
            let Some(link) = &mut self.connection else { return Ok(()) };
            let Some(protocol) = &mut link.protocol else { return Ok(()) };
            let Some(event) = protocol.poll_event() else { return Ok(()) };
            match event {
                ZmtpEvent::Ready { peer_routing_id, metadata, .. } => {
                    self.peer_metadata = Some(metadata);
                    self.ready(reactor, token, peer_routing_id);
                }
                ZmtpEvent::Message(msg) => {
                    if let Some(msg) = self.translator.incoming(msg).map_err(|_| ())? {
                        self.deliver(msg);
                    }
                }
                ZmtpEvent::Subscribe(topic) => self.deliver(self.subscription(1, &topic)),
                ZmtpEvent::Cancel(topic) => self.deliver(self.subscription(0, &topic)),
                ZmtpEvent::Join(group) => {
                    if let Some(msg) = self.translator.membership(true, &group) {
                        self.deliver(msg);
                    }
                }
                ZmtpEvent::Leave(group) => {
                    if let Some(msg) = self.translator.membership(false, &group) {
                        self.deliver(msg);
                    }
                }
                ZmtpEvent::PeerError(_) => return Err(()),
                // Never asked for: the config says no ZAP handler is bound.
                ZmtpEvent::ZapRequest(request) => self.ask_zap(reactor, token, request)?,
            }
        }
        Ok(())
    }

    /// ZAP (RFC 27): sends the mechanism's request to the handler bound at
    /// `inproc://zeromq.zap.01`; the handshake waits for the reply (`zap_answered`).
    fn ask_zap(&mut self, reactor: &mut Reactor, token: Token, request: Vec<Msg>) -> Result<(), ()> {
        let Some(pipe) = self.link.context.connect_zap_handler() else {
            // The handler was unbound since the connection began.
            self.failure = Some(ProtocolError::NoZapHandler);
            return Err(());
        };
        let notifier = reactor.notifier(token);
        pipe.attach(Arc::clone(&notifier));
        for part in request {
            if pipe.write(part).is_err() {
                pipe.close();
                self.failure = Some(ProtocolError::NoZapHandler);
                return Err(());
            }
        }
        // Marks this end asleep, so the reply wakes the session; a handler that has
        // answered already is seen as if it had woken it.
        if pipe.check_read() {
            notifier.pipe_event(pipe.id(), PipeEvent::ActivateRead);
        }
        self.zap = Some((pipe, Vec::new()));
        Ok(())
    }

    /// Reads the ZAP handler's reply once it is whole and hands it to the protocol.
    /// A refusal queues an ERROR for the peer, which is written before the
    /// connection closes.
    fn zap_answered(&mut self, reactor: &mut Reactor, token: Token, now: Instant) -> Flow {
        let Some((pipe, reply)) = &mut self.zap else { return Flow::Continue };
        loop {
            match pipe.read() {
                Read::Msg(part) => {
                    let last = !part.more();
                    reply.push(part);
                    if last {
                        break;
                    }
                }
                Read::Empty => return Flow::Continue,
                Read::Ended => {
                    // The handler went away without a whole reply: as libzmq, the
                    // handshake waits on (until the peer leaves or it times out).
                    if reply.last().is_none_or(Msg::more) {
                        if let Some((pipe, _)) = self.zap.take() {
                            pipe.close();
                        }
                        return Flow::Continue;
                    }
                    break;
                }
            }
        }
        let Some((pipe, reply)) = self.zap.take() else { return Flow::Continue };
        pipe.close();
        let answer = match self.connection.as_mut().and_then(|link| link.protocol.as_mut()) {
            Some(protocol) => protocol.zap_reply(&reply, now),
            None => return Flow::Continue,
        };
        match answer {
            Err(error @ ProtocolError::AuthenticationFailed(_)) => {
                // Reported now; the ERROR (400, 500) goes out, and the peer decides
                // when the connection ends, as with libzmq.
                if let Some((event, value)) = error.handshake_failed_event() {
                    self.event(event, value as u64);
                }
                self.refused = true;
                self.failure = Some(error);
            }
            Err(error) => {
                self.failure = Some(error);
                let _ = self.flush();
                let cause = self.cause();
                return self.disconnected(now, cause);
            }
            Ok(()) => {}
        }
        self.drive(reactor, token, now)
    }

    /// The handshake is done: hand a pipe to the socket if there is none yet.
    fn ready(&mut self, reactor: &mut Reactor, token: Token, peer_routing_id: Vec<u8>) {
        if let Some(pipe) = &self.pipe {
            pipe.set_endpoints(self.endpoints.clone());
        }
        if self.pipe.is_none() && !self.lingering {
            let (socket_end, session_end) = Session::pipe_for(&self.link.options);
            socket_end.set_peer_routing_id(peer_routing_id);
            socket_end.set_endpoints(self.endpoints.clone());
            session_end.attach(reactor.notifier(token));
            self.link.mailbox.send(Command::Attach(socket_end));
            self.pipe = Some(session_end);
        } else if let Some(pipe) = &self.pipe {
            // The socket's end was made at connect time; the session end's peer is
            // that socket, so the peer id goes on the other side.
            pipe.set_socket_side_peer_routing_id(peer_routing_id);
        }
        self.reconnect_ivl = millis(self.link.options.reconnect_ivl).unwrap_or(Duration::from_millis(100));
        if self.was_connected {
            let resent = self.translator.resend();
            if let Some(protocol) = self.connection.as_mut().and_then(|link| link.protocol.as_mut()) {
                for msg in resent {
                    // Refused only before the handshake, which is done.
                    let _ = protocol.send(&msg);
                }
            }
        }
        let hello = self.link.options.hello_to_send();
        if !hello.is_empty() {
            if let Some(protocol) = self.connection.as_mut().and_then(|link| link.protocol.as_mut()) {
                // ZMQ_HELLO_MSG: the first message on every connection.
                let _ = protocol.send(&Msg::from_vec(hello.to_vec()));
            }
        }
        self.was_connected = true;
        self.handshake_done = true;
        self.event(ZMQ_EVENT_HANDSHAKE_SUCCEEDED, 0);
        if self.link.options.router_notify & ZMQ_NOTIFY_CONNECT != 0 {
            // ROUTER_NOTIFY: an empty message says the peer has connected.
            self.deliver(Msg::new());
        }
        let _ = self.pump_out();
    }

    /// The subscription message (`1`/`0` + topic) a SUBSCRIBE or CANCEL command
    /// becomes, with the peer's properties.
    fn subscription(&self, prefix: u8, topic: &[u8]) -> Msg {
        let mut msg = subscription_msg(prefix, topic);
        msg.set_metadata(self.peer_metadata.clone());
        msg
    }

    /// Hands a part to the socket; kept back (stalled) while the pipe is full, and
    /// dropped once the socket has closed its end.
    fn deliver(&mut self, mut msg: Msg) {
        let Some(pipe) = &self.pipe else { return };
        let mut delivered = 0;
        if !hand_to_socket(pipe, &mut msg, &mut delivered) {
            self.stalled = Some(msg);
        }
        io_thread::note_delivered(delivered);
    }

    /// Moves queued messages from the pipe into the protocol's output. Returns
    /// whether it found the pipe drained. The parts taken count towards the I/O
    /// thread's batch (`note_taken`).
    fn pump_out(&mut self) -> bool {
        let Some(link) = &mut self.connection else { return true };
        let Some(protocol) = &mut link.protocol else { return true };
        if !protocol.is_ready() {
            return false;
        }
        let mut taken = 0;
        let drained = loop {
            if protocol.pending_output().len() >= OUTPUT_BATCH {
                break false;
            }
            let Some(pipe) = &self.pipe else { break true };
            // Read in place, encoded by reference, and released at once (its body may
            // be the application's, whose free function it is waiting for).
            let mut part = Msg::new();
            match pipe.read_into(&mut part) {
                Ok(()) => {
                    taken += 1;
                    // Refused only before the handshake, checked above.
                    self.translator.outgoing(&part, |frame| {
                        let _ = protocol.send(frame);
                    });
                }
                Err(Drained::Empty) => break true,
                Err(Drained::Ended) => {
                    // The socket closed its end and everything it sent is out of the
                    // pipe: linger from now, even if the pipe's Term event is still on
                    // its way (it will find no pipe).
                    self.pipe = None;
                    self.start_lingering(Instant::now());
                    break true;
                }
            }
        };
        io_thread::note_taken(taken);
        drained
    }

    /// Writes the protocol's output (after topping it up from the pipe), until it
    /// is all out and the pipe was found empty, or the stream takes no more.
    fn flush(&mut self) -> Result<(), ()> {
        loop {
            let drained = self.pump_out();
            let Some(link) = &mut self.connection else { return Ok(()) };
            let Some(protocol) = &mut link.protocol else { return Ok(()) };
            let output = protocol.pending_output();
            if output.is_empty() {
                return Ok(());
            }
            match link.stream.write(output) {
                Ok(0) => return self.stream_failed(libc::EPIPE),
                Ok(n) => {
                    protocol.consume(n);
                    if drained && protocol.pending_output().is_empty() {
                        // Everything the pipe had is out. What the socket queues from
                        // now on comes with an `ActivateRead` (the pipe is asleep), and
                        // is sent in the I/O thread's next round, in one batch. Going
                        // round again here instead chased a streaming writer with a
                        // `sendto` per dozen messages (three times libzmq's count).
                        return Ok(());
                    }
                }
                Err(error) if error.kind() == std::io::ErrorKind::WouldBlock => return Ok(()),
                Err(error) if error.kind() == std::io::ErrorKind::Interrupted => {}
                Err(error) => return self.stream_failed(error.raw_os_error().unwrap_or(libc::EIO)),
            }
        }
    }

    fn arm_timer(&self, reactor: &mut Reactor, token: Token, now: Instant) {
        let protocol_timeout =
            self.connection.as_ref().and_then(|link| link.protocol.as_ref()).and_then(Wire::poll_timeout);
        let next = [
            // At once (after the thread's other events of this round).
            self.more_to_read.then_some(now),
            self.reconnect_at,
            self.connect_deadline,
            self.linger_until,
            self.draining_until,
            protocol_timeout,
        ]
        .into_iter()
        .flatten()
        .min();
        reactor.set_timer(token, next);
    }

    /// The socket closed its end of the pipe: send what is queued, within `ZMQ_LINGER`.
    /// From now on only what is queued goes out, within `ZMQ_LINGER`.
    fn start_lingering(&mut self, now: Instant) {
        if self.lingering {
            return;
        }
        self.lingering = true;
        if let Ok(ms) = u64::try_from(self.link.linger.load(Ordering::Relaxed)) {
            self.linger_until = Some(now + Duration::from_millis(ms));
        }
    }

    fn linger(&mut self, now: Instant) -> Flow {
        if self.makes_last_attempt() {
            return Flow::Continue;
        }
        self.start_lingering(now);
        let linger = self.link.linger.load(Ordering::Relaxed);
        let connected =
            self.connection.as_ref().and_then(|link| link.protocol.as_ref()).is_some_and(Wire::is_ready);
        // With nothing left to send, or no time to send it, the session ends now.
        // Otherwise it goes on (reconnecting if need be, as libzmq does) until the
        // queue is out or the linger period is over (never, for -1).
        let nothing_left = !connected && self.pipe.as_ref().is_none_or(|pipe| !pipe.check_read());
        if linger == 0
            || nothing_left
            || (matches!(self.role, Role::Accepted { .. }) && self.connection.is_none())
        {
            return Flow::Done;
        }
        Flow::Continue
    }
}

/// Received parts go straight into the socket's pipe, as [`Session::deliver`] would
/// put them, while it has room (`None`: nothing is taken, every part is queued).
/// The parts written are counted in `delivered`.
struct Straight<'a> {
    pipe: Option<&'a Pipe>,
    delivered: u32,
}

impl Inbound for Straight<'_> {
    fn take(&mut self, msg: &mut Msg) -> bool {
        self.pipe.is_some_and(|pipe| hand_to_socket(pipe, msg, &mut self.delivered))
    }
}

/// Writes a received part into the socket's pipe, counting it in `delivered`; `false`
/// (the part left in `msg`) only when the pipe is full. A part for a socket that
/// closed its end is dropped.
fn hand_to_socket(pipe: &Pipe, msg: &mut Msg, delivered: &mut u32) -> bool {
    match pipe.write_from(msg) {
        Ok(()) => {
            *delivered += 1;
            true
        }
        Err(Refusal::Full) => false,
        Err(Refusal::Closed) => true,
    }
}

impl Handler for Session {
    fn io(&mut self, reactor: &mut Reactor, token: Token, event: &Event) -> Flow {
        let now = Instant::now();
        if self.draining_until.is_some() {
            let flow = self.close_gracefully(now);
            self.arm_timer(reactor, token, now);
            return flow;
        }
        if let Some(link) = &mut self.connection {
            link.hung_up |= event.is_read_closed();
            if link.protocol.is_none() {
                // A TCP connect finished, one way or the other.
                let error = match link.stream.take_error() {
                    Ok(error) => error,
                    Err(error) => Some(error),
                };
                let refused =
                    error.as_ref().is_some_and(|e| e.kind() == std::io::ErrorKind::ConnectionRefused);
                let failed = event.is_error() || error.is_some();
                if failed || !link.stream.is_connected() {
                    if failed || event.is_read_closed() {
                        let cause = if refused { Cause::Refused } else { Cause::Failed };
                        let flow = self.disconnected(now, cause);
                        self.arm_timer(reactor, token, now);
                        return flow;
                    }
                    return Flow::Continue;
                }
                self.connect_deadline = None;
                if self.socks.is_some() {
                    let flow = self.through_proxy(reactor, token, now);
                    self.arm_timer(reactor, token, now);
                    return flow;
                }
                let Some(link) = self.connection.take() else { return Flow::Continue };
                self.connected(link.stream, now);
            }
        }
        // Every event reads, even one that only says the stream is writable: new
        // connections then make their handshakes in the order their events come,
        // and a socket's pipes are attached in the order it made the connections
        // (libzmq's tests of round robin count on it).
        let flow = self.drive(reactor, token, now);
        self.arm_timer(reactor, token, now);
        flow
    }

    fn timer(&mut self, reactor: &mut Reactor, token: Token) -> Flow {
        let now = Instant::now();
        if [self.linger_until, self.draining_until].into_iter().flatten().any(|at| at <= now) {
            return Flow::Done;
        }
        if self.connect_deadline.is_some_and(|at| at <= now) {
            let flow = self.disconnected(now, Cause::Failed);
            self.arm_timer(reactor, token, now);
            return flow;
        }
        if self.reconnect_at.is_some_and(|at| at <= now) {
            self.reconnect_at = None;
            if self.connect(reactor, token, now) == Flow::Done {
                return Flow::Done;
            }
            if self.last_attempt {
                // Made; whatever came of it, the session ends.
                if let Some(link) = self.connection.take() {
                    let event =
                        if link.protocol.is_some() { ZMQ_EVENT_DISCONNECTED } else { ZMQ_EVENT_CLOSED };
                    self.event(event, link.stream.fd() as u64);
                }
                return Flow::Done;
            }
        }
        let mut flow = Flow::Continue;
        if let Some(protocol) = self.connection.as_mut().and_then(|link| link.protocol.as_mut()) {
            if protocol.poll_timeout().is_some_and(|at| at <= now) {
                flow = match protocol.handle_timeout(now) {
                    Ok(()) => self.drive(reactor, token, now),
                    Err(error) => {
                        self.failure = Some(error);
                        let cause = self.cause();
                        self.disconnected(now, cause)
                    }
                };
            }
        }
        if std::mem::take(&mut self.more_to_read) && flow == Flow::Continue {
            flow = if self.draining_until.is_some() {
                self.close_gracefully(now)
            } else if self.connection.is_some() {
                self.drive(reactor, token, now)
            } else {
                Flow::Continue
            };
        }
        self.arm_timer(reactor, token, now);
        flow
    }

    fn pipe(&mut self, reactor: &mut Reactor, token: Token, pipe: PipeId, event: PipeEvent) -> Flow {
        if self.zap.as_ref().is_some_and(|(zap, _)| zap.id() == pipe) {
            let flow = self.zap_answered(reactor, token, Instant::now());
            self.arm_timer(reactor, token, Instant::now());
            return flow;
        }
        if self.pipe.as_ref().is_none_or(|ours| ours.id() != pipe) {
            return Flow::Continue;
        }
        let now = Instant::now();
        let flow = match event {
            PipeEvent::ActivateRead => self.drive_output(reactor, token, now),
            // Room again: reading resumes if it had stopped for want of it. Otherwise
            // this is the socket's periodic report of what it read, and nothing was
            // held back (a read would only be told EAGAIN).
            PipeEvent::ActivateWrite => match self.stalled.take() {
                Some(msg) => {
                    self.deliver(msg);
                    self.drive(reactor, token, now)
                }
                None => Flow::Continue,
            },
            PipeEvent::Term => match self.linger(now) {
                Flow::Done => Flow::Done,
                Flow::Continue => self.drive(reactor, token, now),
            },
        };
        self.arm_timer(reactor, token, now);
        flow
    }

    fn woken(&mut self, reactor: &mut Reactor, token: Token) -> Flow {
        // A name lookup is done: the attempt that started it goes on.
        if self.lookup.is_none() {
            return Flow::Continue;
        }
        let now = Instant::now();
        let flow = self.connect(reactor, token, now);
        self.arm_timer(reactor, token, now);
        flow
    }

    fn close(&mut self, reactor: &mut Reactor, _token: Token) -> Flow {
        // A lingering session goes on flushing until done or its linger deadline (so a
        // context waits for it, as libzmq's does); one disconnected while waiting to
        // try again makes that attempt, unless the I/O thread is ending; any other
        // one ends now.
        if self.lingering || (!reactor.is_stopping() && self.makes_last_attempt()) {
            Flow::Continue
        } else {
            Flow::Done
        }
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        if let Some(pipe) = self.pipe.take() {
            pipe.close();
        }
        if let Some((zap, _)) = self.zap.take() {
            zap.close();
        }
    }
}
