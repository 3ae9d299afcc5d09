//! [`WsConnection`]: one ZWS 2.0 connection (the ws:// transport), sans-IO: the
//! WebSocket upgrade, then a ZMTP [`Connection`] started without a greeting
//! (libzmq's `ws_engine`), its frames carried in WebSocket frames both ways, with
//! WebSocket pings for heartbeats and the close handshake.

use core::fmt;
use std::time::Instant;

use super::frame::{FrameError, Opcode};
use super::handshake::{ClientHandshake, Progress, ServerHandshake, Subprotocol};
use super::heartbeat::Heartbeat;
use super::inbound::{Control, Inbound, Piece};
use super::mask::MaskKeys;
use super::outbound::Outbound;
use crate::error::Errno;
use crate::msg::Msg;
use crate::zmtp::output::Output;
use crate::zmtp::{Config, Connection, Event, OsRandom, ProtocolError, RandomSource};

/// Input is read this much at a time (large bodies pass through it, so it is
/// larger than the ZMTP connection's 8 KiB).
const READ_BUFFER_SIZE: usize = 64 * 1024;

impl From<FrameError> for ProtocolError {
    fn from(_: FrameError) -> ProtocolError {
        ProtocolError::WsMalformedFrame
    }
}

/// Which end of the WebSocket we are, and what the client asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Role {
    /// We connected to `ws://host:port/path`: `host` and `path` go in the request
    /// (`host` without the port, as libzmq sends it).
    Client { host: String, path: String },
    /// We accepted the connection (the path asked for is not checked, as libzmq).
    Server,
}

enum Upgrade {
    Client(ClientHandshake),
    Server(ServerHandshake),
}

enum Phase {
    /// The HTTP upgrade; the ZMTP connection does not exist yet.
    Upgrading(Box<Upgrade>),
    /// ZMTP over WebSocket frames.
    Open(Box<Connection>),
}

/// The protocol state of one ws:// connection, with the same interface as
/// [`Connection`] (read into [`read_buffer`](Self::read_buffer), call
/// [`received`](Self::received), drain [`poll_event`](Self::poll_event); write
/// [`pending_output`](Self::pending_output) and [`consume`](Self::consume) it; call
/// [`handle_timeout`](Self::handle_timeout) at [`poll_timeout`](Self::poll_timeout)).
///
/// The ZMTP side is the [`Config`]'s: its mechanism picks the sub-protocols offered
/// or taken, `ZMQ_HANDSHAKE_IVL` covers the upgrade and the security handshake
/// together, `ZMQ_MAXMSGSIZE` limits each frame's body, and heartbeats are
/// WebSocket pings. A peer's close frame is answered in kind; then
/// [`peer_closed`](Self::peer_closed) says to end the connection once the answer
/// is written. Any error is final, as with [`Connection`].
pub struct WsConnection {
    config: Config,
    started: Instant,
    handshake_deadline: Option<Instant>,
    phase: Phase,
    /// The sub-protocol, once the upgrade is done.
    agreed: Option<Subprotocol>,
    /// For the ZMTP connection's mechanism (CURVE's keys and nonces).
    random: Option<Box<dyn RandomSource>>,
    read_buffer: Box<[u8]>,
    inbound: Inbound,
    outbound: Outbound,
    out: Output,
    heartbeat: Heartbeat,
    /// The peer sent a close frame; nothing more is read.
    close_received: bool,
    /// A ping came while the output was backed up: one pong is owed (RFC 6455
    /// allows answering only the latest ping).
    owed_pong: bool,
    failure: Option<ProtocolError>,
}

/// Past this much unwritten output the peer is not reading: pings are answered
/// once it drains, and the ZMTP connection's output (its PONGs) waits there,
/// where it is bounded the same way.
const BACKLOG: usize = 64 * 1024;

impl WsConnection {
    /// A connection that has just been established: a client queues its upgrade
    /// request. Keys, nonces and masks come from the operating system.
    pub fn new(config: Config, role: Role, now: Instant) -> WsConnection {
        WsConnection::with_random(config, role, now, Box::new(OsRandom))
    }

    /// As [`new`](Self::new), with randomness from `random` (tests and fuzzers use
    /// a reproducible source).
    pub fn with_random(
        config: Config,
        role: Role,
        now: Instant,
        mut random: Box<dyn RandomSource>,
    ) -> WsConnection {
        let handshake_deadline =
            config.handshake_ivl.filter(|ivl| !ivl.is_zero()).and_then(|ivl| now.checked_add(ivl));
        let heartbeat = Heartbeat::new(config.heartbeat_ivl, config.heartbeat_timeout);
        let mut out = Vec::new();
        let (upgrade, inbound, outbound) = match role {
            Role::Client { host, path } => {
                let mut keys = MaskKeys::from_random(random.as_mut());
                // The key's nonce only has to differ between connections (it defeats
                // caches), as libzmq's.
                let mut nonce = [0; 16];
                for chunk in nonce.chunks_mut(4) {
                    chunk.copy_from_slice(&keys.next_key());
                }
                let (handshake, request) = ClientHandshake::new(&config.security, &host, &path, nonce);
                out = request;
                (Upgrade::Client(handshake), Inbound::new(false), Outbound::new(Some(keys)))
            }
            Role::Server => (
                Upgrade::Server(ServerHandshake::new(&config.security)),
                Inbound::new(true),
                Outbound::new(None),
            ),
        };
        WsConnection {
            config,
            started: now,
            handshake_deadline,
            phase: Phase::Upgrading(Box::new(upgrade)),
            agreed: None,
            random: Some(random),
            read_buffer: vec![0; READ_BUFFER_SIZE].into_boxed_slice(),
            inbound,
            outbound,
            out: Output::with(out),
            heartbeat,
            close_received: false,
            owed_pong: false,
            failure: None,
        }
    }

    /// Where to read the next bytes into; then call [`received`](Self::received).
    pub fn read_buffer(&mut self) -> &mut [u8] {
        &mut self.read_buffer
    }

    /// Processes `n` bytes just read into [`read_buffer`](Self::read_buffer).
    pub fn received(&mut self, n: usize, now: Instant) -> Result<(), ProtocolError> {
        self.check_failed()?;
        let n = n.min(self.read_buffer.len());
        let mut buffer = core::mem::take(&mut self.read_buffer);
        let result = self.process(buffer.get_mut(..n).unwrap_or_default(), now);
        self.read_buffer = buffer;
        self.record(result)
    }

    /// Processes `bytes` as if read from the peer.
    pub fn handle_input(&mut self, bytes: &[u8], now: Instant) -> Result<(), ProtocolError> {
        for chunk in bytes.chunks(READ_BUFFER_SIZE) {
            let Some(buffer) = self.read_buffer.get_mut(..chunk.len()) else { break };
            buffer.copy_from_slice(chunk);
            self.received(chunk.len(), now)?;
        }
        self.check_failed()
    }

    /// Encodes an outgoing message part, as [`Connection::send`]: `EAGAIN` until
    /// [`is_ready`](Self::is_ready).
    pub fn send(&mut self, msg: &Msg) -> Result<(), Errno> {
        if self.failure.is_some() || self.close_received {
            return Err(Errno::EAGAIN);
        }
        let Phase::Open(connection) = &mut self.phase else { return Err(Errno::EAGAIN) };
        connection.send(msg)?;
        self.pull_output();
        Ok(())
    }

    /// Bytes waiting to be written.
    pub fn pending_output(&self) -> &[u8] {
        self.out.pending()
    }

    /// Drops the first `n` bytes of [`pending_output`](Self::pending_output), which
    /// were written.
    pub fn consume(&mut self, n: usize) {
        self.out.consume(n);
        if self.out.pending().len() < BACKLOG && !self.close_received {
            self.pull_output();
            if std::mem::take(&mut self.owed_pong) {
                self.outbound.control(Opcode::Pong, b"", &mut self.out);
            }
        }
    }

    /// The next thing the peer did, if any.
    pub fn poll_event(&mut self) -> Option<Event> {
        match &mut self.phase {
            Phase::Open(connection) => connection.poll_event(),
            Phase::Upgrading(_) => None,
        }
    }

    /// Whether the handshakes are done and messages may be sent.
    pub fn is_ready(&self) -> bool {
        self.failure.is_none()
            && !self.close_received
            && matches!(&self.phase, Phase::Open(connection) if connection.is_ready())
    }

    /// The peer closed the WebSocket and our answering close frame is written:
    /// the connection is over (libzmq then drops it and, connecting, reconnects).
    pub fn peer_closed(&self) -> bool {
        self.close_received && self.outbound.controls_written() && self.pending_output().is_empty()
    }

    /// The sub-protocol agreed in the upgrade, once it is done.
    pub fn subprotocol(&self) -> Option<Subprotocol> {
        self.agreed
    }

    /// When [`handle_timeout`](Self::handle_timeout) is due.
    pub fn poll_timeout(&self) -> Option<Instant> {
        if self.failure.is_some() {
            return None;
        }
        match &self.phase {
            Phase::Upgrading(_) => self.handshake_deadline,
            Phase::Open(connection) if connection.is_ready() => {
                [connection.poll_timeout(), self.heartbeat.next_deadline()].into_iter().flatten().min()
            }
            Phase::Open(connection) => connection.poll_timeout(),
        }
    }

    /// Runs the timers: the handshake deadline, then heartbeats.
    pub fn handle_timeout(&mut self, now: Instant) -> Result<(), ProtocolError> {
        self.check_failed()?;
        let result = self.run_timers(now);
        self.record(result)
    }

    /// Hands a ZAP reply to the security handshake, as [`Connection::zap_reply`].
    pub fn zap_reply(&mut self, frames: &[Msg], now: Instant) -> Result<(), ProtocolError> {
        self.check_failed()?;
        let result = match &mut self.phase {
            Phase::Open(connection) => connection.zap_reply(frames, now),
            Phase::Upgrading(_) => Err(ProtocolError::ZapReply(crate::zmtp::ZapError::Unexpected)),
        };
        self.after_zmtp(now);
        self.record(result)
    }

    fn run_timers(&mut self, now: Instant) -> Result<(), ProtocolError> {
        let Phase::Open(connection) = &mut self.phase else {
            return match self.handshake_deadline {
                Some(deadline) if deadline <= now => Err(ProtocolError::HandshakeTimeout),
                _ => Ok(()),
            };
        };
        let result = connection.handle_timeout(now);
        self.after_zmtp(now);
        result?;
        if self.is_ready() && self.heartbeat.poll(now)? {
            self.outbound.control(Opcode::Ping, b"", &mut self.out);
        }
        Ok(())
    }

    fn check_failed(&self) -> Result<(), ProtocolError> {
        match &self.failure {
            Some(error) => Err(error.clone()),
            None => Ok(()),
        }
    }

    fn record(&mut self, result: Result<(), ProtocolError>) -> Result<(), ProtocolError> {
        if let Err(error) = &result {
            self.failure = Some(error.clone());
        }
        result
    }

    /// Handles input bytes, whatever the phase.
    fn process(&mut self, input: &mut [u8], now: Instant) -> Result<(), ProtocolError> {
        if self.close_received || input.is_empty() {
            return Ok(());
        }
        let input = match &mut self.phase {
            Phase::Upgrading(upgrade) => {
                let progress = match upgrade.as_mut() {
                    Upgrade::Client(handshake) => handshake.feed(input)?,
                    Upgrade::Server(handshake) => handshake.feed(input)?,
                };
                let Progress::Done { protocol, used } = progress else { return Ok(()) };
                if let Phase::Upgrading(upgrade) = &self.phase {
                    if let Upgrade::Server(handshake) = upgrade.as_ref() {
                        self.out.extend_from_slice(&handshake.response());
                    }
                }
                self.open(protocol, now);
                input.get_mut(used..).unwrap_or_default()
            }
            Phase::Open(_) => input,
        };
        self.heartbeat.traffic();
        let Self {
            phase: Phase::Open(connection), inbound, outbound, out, close_received, owed_pong, ..
        } = self
        else {
            return Ok(());
        };
        let result = inbound.process(input, |piece| match piece {
            Piece::Zmtp(bytes) if !*close_received => connection.handle_input(bytes, now),
            Piece::Zmtp(_) => Ok(()),
            Piece::Control(Control::Ping) if out.pending().len() >= BACKLOG => {
                *owed_pong = true;
                Ok(())
            }
            Piece::Control(Control::Ping) => {
                translate_all(connection, outbound, out);
                outbound.control(Opcode::Pong, b"", out);
                Ok(())
            }
            Piece::Control(Control::Pong) => Ok(()),
            Piece::Control(Control::Close(payload)) => {
                // Answered with the same payload (libzmq echoes the frame); what
                // follows is ignored.
                if !*close_received {
                    translate_all(connection, outbound, out);
                    outbound.control(Opcode::Close, &payload, out);
                    *close_received = true;
                }
                Ok(())
            }
        });
        self.after_zmtp(now);
        result
    }

    /// The upgrade is done: the ZMTP connection starts, with the handshake deadline
    /// counted from the start of the upgrade.
    fn open(&mut self, protocol: Subprotocol, now: Instant) {
        let mut config = self.config.clone();
        // Heartbeats are WebSocket pings, kept here.
        config.heartbeat_ivl = None;
        config.heartbeat_timeout = None;
        config.heartbeat_ttl = None;
        let random = self.random.take().unwrap_or_else(|| Box::new(OsRandom));
        let started = self.started.min(now);
        let connection = Connection::without_greeting(config, started, random, protocol.headless());
        self.agreed = Some(protocol);
        self.phase = Phase::Open(Box::new(connection));
    }

    /// Moves what the ZMTP connection wrote into WebSocket frames, and starts the
    /// heartbeats once it is ready.
    fn after_zmtp(&mut self, now: Instant) {
        self.pull_output();
        if self.is_ready() {
            self.heartbeat.start(now);
        }
    }

    fn pull_output(&mut self) {
        if let Phase::Open(connection) = &mut self.phase {
            translate_output(connection, &mut self.outbound, &mut self.out);
        }
    }
}

/// Moves what the ZMTP connection wrote into `out` as WebSocket frames, unless `out`
/// is backed up: then it waits in the connection (where PONGs are bounded) until
/// [`WsConnection::consume`] finds room.
fn translate_output(connection: &mut Connection, outbound: &mut Outbound, out: &mut Output) {
    if out.pending().len() < BACKLOG {
        translate_all(connection, outbound, out);
    }
}

/// Moves everything the ZMTP connection wrote into `out` as WebSocket frames,
/// however much waits there already (so that a control frame written next comes
/// after it, as it was caused after it).
fn translate_all(connection: &mut Connection, outbound: &mut Outbound, out: &mut Vec<u8>) {
    let zmtp = connection.pending_output();
    let written = zmtp.len();
    outbound.translate(zmtp, out);
    connection.consume(written);
}

impl fmt::Debug for WsConnection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let phase = match &self.phase {
            Phase::Upgrading(upgrade) => match upgrade.as_ref() {
                Upgrade::Client(_) => "upgrading (client)",
                Upgrade::Server(_) => "upgrading (server)",
            },
            Phase::Open(_) => "open",
        };
        f.debug_struct("WsConnection")
            .field("phase", &phase)
            .field("pending_output", &self.pending_output().len())
            .field("close_received", &self.close_received)
            .field("failure", &self.failure)
            .finish_non_exhaustive()
    }
}
