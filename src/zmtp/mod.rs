//! ZMTP, the ZeroMQ Message Transport Protocol, as a sans-IO state machine: no
//! sockets, threads or clocks. The engine moves bytes in and out of a [`Connection`]
//! and passes the current time in; the connection tells it what arrived
//! ([`Event`]s), what to write ([`Connection::pending_output`]) and when to call back
//! ([`Connection::poll_timeout`]).
//!
//! Specifications: ZMTP 3.1 (rfc.zeromq.org spec 37), ZMTP 3.0 (spec 23, also the NULL
//! mechanism), ZMTP 2.0 (spec 15), ZMTP 1.0 (spec 13), PLAIN (spec 24), CURVE (specs
//! 25 and 26), ZAP (spec 27). Where they leave room, libzmq 4.3.5 (`zmtp_engine.cpp`,
//! `stream_engine_base.cpp`, the v1/v2/v3.1 codecs, the mechanisms, `zap_client.cpp`)
//! is the reference. All four versions are spoken: 3.1 and 3.0 with the NULL, PLAIN
//! and CURVE mechanisms, 2.0 and 1.0 (with or without greeting) as libzmq serves
//! them, only without security.
//!
//! Layout: `greeting` (version negotiation), `frame` and `v1` (framing), `command`
//! (command bodies and properties), `mechanism` (security handshakes and CURVE's
//! message encryption), `zap` (authentication requests and replies), `random`
//! (CURVE's randomness), `heartbeat` (PING/PONG timers), [`socket_type`] (names and
//! compatibility), `error` ([`ProtocolError`]), `connection` (the state machine
//! tying them together).

pub(crate) mod command;
mod connection;
mod error;
pub(crate) mod frame;
pub(crate) mod greeting;
mod heartbeat;
mod mechanism;
pub(crate) mod output;
mod random;
pub mod socket_type;
pub(crate) mod v1;
mod zap;

use core::fmt;
use std::sync::Arc;
use std::time::Duration;

pub use connection::Connection;
pub use error::{ProtocolError, ZapError};
pub use random::{OsRandom, RandomSource, RandomUnavailable};

use crate::msg::{Flags, Metadata, Msg};

/// Where a [`Connection::without_greeting`] starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Headless {
    /// The security handshake of [`Config::security`] (ZWS 2.0 with a mechanism:
    /// `ZWS2.0/NULL`, `ZWS2.0/PLAIN`, `ZWS2.0/CURVE`).
    Mechanism,
    /// No mechanism: each side's first message is its routing id, as in ZMTP 2.0
    /// (bare `ZWS2.0`); commands are neither sent nor taken, and the peer's socket
    /// type is unknown (-1 in [`Event::Ready`]).
    Identity,
}

/// What a connection needs to know about its socket (a subset of the socket options).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// Our `ZMQ_*` socket type.
    pub socket_type: i32,
    /// `ZMQ_ROUTING_ID`: sent as the `Identity` property in READY by REQ, DEALER and
    /// ROUTER sockets (as libzmq's `mechanism_t::add_basic_properties`), and as the
    /// identity message to ZMTP 1.0/2.0 peers.
    pub routing_id: Vec<u8>,
    /// `ZMQ_METADATA` properties (`X-…` names), sent in READY in this order.
    pub metadata: Vec<(String, Vec<u8>)>,
    /// `ZMQ_MAXMSGSIZE`; `None` (libzmq's -1) is unlimited. Checked on every frame,
    /// commands included.
    pub max_msg_size: Option<u64>,
    /// `ZMQ_HEARTBEAT_IVL`: send a PING this often once the handshake is done (ZMTP 3.x
    /// peers only). `None` or zero: no heartbeats.
    pub heartbeat_ivl: Option<Duration>,
    /// `ZMQ_HEARTBEAT_TTL`: sent in our PINGs, in deciseconds (at most 6553.5 s).
    pub heartbeat_ttl: Option<Duration>,
    /// `ZMQ_HEARTBEAT_TIMEOUT`: give up when nothing arrives this long after a PING;
    /// `None` means the interval, zero means never.
    pub heartbeat_timeout: Option<Duration>,
    /// `ZMQ_HANDSHAKE_IVL`: the handshake must finish this soon after
    /// [`Connection::new`]; `None` or zero: no limit.
    pub handshake_ivl: Option<Duration>,
    /// Put on received messages as the `Peer-Address` property (ZMTP 3.x peers), and
    /// sent as the address in ZAP requests.
    pub peer_address: Option<String>,
    /// The descriptor the connection runs on, recorded on received messages for the
    /// deprecated `ZMQ_SRCFD` (an opaque number here).
    pub source_fd: Option<i32>,
    /// The security mechanism and its keys: `ZMQ_MECHANISM` with `ZMQ_PLAIN_SERVER`/
    /// `ZMQ_CURVE_SERVER` (as_server) and the `ZMQ_PLAIN_*`/`ZMQ_CURVE_*` options.
    /// Both peers must use the same mechanism (else
    /// [`ProtocolError::MechanismMismatch`]); with any mechanism but NULL, or with a
    /// ZAP domain, ZMTP 1.0/2.0 peers are refused.
    pub security: Security,
    /// `ZMQ_ZAP_DOMAIN`: sent in ZAP requests; with NULL, setting it is what turns
    /// ZAP on.
    pub zap_domain: Vec<u8>,
    /// `ZMQ_ZAP_ENFORCE_DOMAIN`: fail ([`ProtocolError::NoZapHandler`]) rather than
    /// let NULL/CURVE peers in unauthenticated when no handler is bound.
    pub zap_enforce_domain: bool,
    /// Whether a ZAP handler is bound (`inproc://zeromq.zap.01` exists in the
    /// context) when the connection is created; decided once by the owner. When it
    /// is and the mechanism needs authentication, the connection emits
    /// [`Event::ZapRequest`] and waits for [`Connection::zap_reply`].
    pub zap_handler: bool,
}

/// The security mechanism of a connection, with what it needs.
#[derive(Clone, PartialEq, Eq, Default)]
pub enum Security {
    /// NULL: no security (libzmq's default).
    #[default]
    Null,
    /// PLAIN client: sends these credentials (each at most 255 bytes).
    PlainClient { username: Vec<u8>, password: Vec<u8> },
    /// PLAIN server: has its ZAP handler check the client's credentials.
    PlainServer,
    /// CURVE client: our long-term key pair and the server's public key. libzmq
    /// uses zeros for keys never set.
    CurveClient { public_key: [u8; 32], secret_key: [u8; 32], server_key: [u8; 32] },
    /// CURVE server: our long-term secret key.
    CurveServer { secret_key: [u8; 32] },
}

impl Security {
    /// Whether libzmq's session would have ZAP enabled (`session_base_t::zap_enabled`:
    /// a mechanism other than NULL, or a ZAP domain): then older peers are refused.
    fn refuses_legacy_peers(&self, zap_domain: &[u8]) -> bool {
        *self != Security::Null || !zap_domain.is_empty()
    }
}

/// Secret keys are never printed.
impl fmt::Debug for Security {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Security::Null => f.write_str("Null"),
            Security::PlainClient { username, .. } => f
                .debug_struct("PlainClient")
                .field("username", &String::from_utf8_lossy(username))
                .finish_non_exhaustive(),
            Security::PlainServer => f.write_str("PlainServer"),
            Security::CurveClient { public_key, server_key, .. } => f
                .debug_struct("CurveClient")
                .field("public_key", public_key)
                .field("server_key", server_key)
                .finish_non_exhaustive(),
            Security::CurveServer { .. } => f.debug_struct("CurveServer").finish_non_exhaustive(),
        }
    }
}

impl Config {
    /// libzmq's defaults for a socket of type `socket_type`: no routing id or
    /// metadata, no size limit, no heartbeats, a 30 s handshake limit, the NULL
    /// mechanism without ZAP.
    pub fn new(socket_type: i32) -> Config {
        Config {
            socket_type,
            routing_id: Vec::new(),
            metadata: Vec::new(),
            max_msg_size: None,
            heartbeat_ivl: None,
            heartbeat_ttl: None,
            heartbeat_timeout: None,
            handshake_ivl: Some(Duration::from_secs(30)),
            peer_address: None,
            source_fd: None,
            security: Security::Null,
            zap_domain: Vec::new(),
            zap_enforce_domain: false,
            zap_handler: false,
        }
    }
}

/// Takes message parts as they are decoded, sparing them the connection's event
/// queue (see [`Connection::received_into`]): the session hands its pipe, and a part
/// goes from the read buffer into it in one move.
pub trait Inbound {
    /// Takes `msg` (leaving it empty) or refuses it (`false`): the part is then
    /// queued as [`Event::Message`], as is every part after it until the queue has
    /// been drained, so that the peer's order is kept.
    fn take(&mut self, msg: &mut Msg) -> bool;
}

/// Takes nothing: every part waits in the event queue.
#[derive(Debug)]
pub struct Queued;

impl Inbound for Queued {
    fn take(&mut self, _msg: &mut Msg) -> bool {
        false
    }
}

/// What the peer did, in order.
#[derive(Debug)]
pub enum Event {
    /// The handshake is complete; messages may be sent.
    ///
    /// `peer_socket_type` is the peer's type, checked compatible with ours for ZMTP
    /// 3.x (libzmq's `mechanism_t::check_socket_type`); for 3.x peers that sent no
    /// `Socket-Type` (libzmq accepts that) and for unversioned ZMTP 1.0 peers it is -1;
    /// ZMTP 1.0/2.0 greetings carry it unchecked, as libzmq does.
    ///
    /// `peer_routing_id` is the peer's `Identity` property (ZMTP 3.x) or its identity
    /// message (ZMTP 1.0/2.0); it may be empty.
    ///
    /// `metadata` holds `Peer-Address` (from [`Config::peer_address`]), then, when a
    /// ZAP handler was asked, `User-Id` (the reply's user id, maybe empty) and the
    /// reply's metadata properties, then every property of the peer's READY or
    /// INITIATE (`Socket-Type`, `Identity`, `X-…`); the first of duplicate names
    /// wins, as in libzmq's map. It is attached to every message received, so
    /// `zmq_msg_gets("User-Id")` works. For ZMTP 1.0/2.0 peers it is empty and
    /// messages carry none, as in libzmq.
    Ready { peer_socket_type: i32, peer_routing_id: Vec<u8>, metadata: Arc<Metadata> },
    /// A message part, with MORE as on the wire and the connection's metadata.
    ///
    /// Peers older than ZMTP 3.1 send subscriptions as messages whose first byte is 1
    /// (subscribe) or 0 (cancel): those arrive here for the XPUB/PUB pattern to
    /// interpret, as libzmq's `xpub_t` does. An unversioned ZMTP 1.0 peer of a PUB or
    /// XPUB socket is followed by a subscription to everything (`[1]`), as libzmq
    /// injects, because such peers never send subscriptions.
    Message(Msg),
    /// A ZMTP 3.1 SUBSCRIBE command: the topic.
    Subscribe(Vec<u8>),
    /// A ZMTP 3.1 CANCEL command: the topic.
    Cancel(Vec<u8>),
    /// A JOIN command (RFC 48, from a DISH): the group, as sent (libzmq takes any
    /// length here; a group longer than `ZMQ_GROUP_MAX_LENGTH` is the caller's to
    /// refuse).
    Join(Vec<u8>),
    /// A LEAVE command (RFC 48): the group.
    Leave(Vec<u8>),
    /// The peer sent ERROR during the handshake, with this reason; the connection has
    /// failed with [`ProtocolError::PeerError`].
    PeerError(Vec<u8>),
    /// The mechanism needs the peer authenticated: send these frames, as one
    /// multipart message, to the ZAP handler (they start with the empty delimiter
    /// frame; MORE is set on all but the last), then pass the handler's reply to
    /// [`Connection::zap_reply`]. The handshake waits meanwhile (its timer runs).
    /// Emitted at most once per connection, and only when [`Config::zap_handler`].
    ZapRequest(Vec<Msg>),
}

/// A ZMTP 3.1 SUBSCRIBE command for `topic`, to [`Connection::send`]. Sent to an
/// older peer, it goes out as the message `1` + topic that those peers expect.
pub fn subscribe_command(topic: &[u8]) -> Msg {
    command_msg(command::SUBSCRIBE, topic)
}

/// A ZMTP 3.1 CANCEL command for `topic`, to [`Connection::send`]. Sent to an older
/// peer, it goes out as the message `0` + topic.
pub fn cancel_command(topic: &[u8]) -> Msg {
    command_msg(command::CANCEL, topic)
}

/// A JOIN command for `group` (RFC 48), to [`Connection::send`]: a DISH's join. libzmq
/// sends it as a command frame to every ZMTP 3.x peer (3.0 included); there is no
/// older form, since older peers have no RADIO.
pub fn join_command(group: &[u8]) -> Msg {
    command_msg(command::JOIN, group)
}

/// A LEAVE command for `group` (RFC 48), as [`join_command`].
pub fn leave_command(group: &[u8]) -> Msg {
    command_msg(command::LEAVE, group)
}

/// What a JOIN or LEAVE command (as [`join_command`] makes them) asks: `Some((true,
/// group))` to join, `Some((false, group))` to leave; `None` for anything else.
pub fn parse_membership(msg: &Msg) -> Option<(bool, &[u8])> {
    if !msg.flags().contains(Flags::COMMAND) {
        return None;
    }
    match command::parse(msg.data()) {
        command::Command::Join(group) => Some((true, group)),
        command::Command::Leave(group) => Some((false, group)),
        _ => None,
    }
}

fn command_msg(name: &[u8], data: &[u8]) -> Msg {
    let mut body = Vec::with_capacity(name.len() + data.len());
    body.extend_from_slice(name);
    body.extend_from_slice(data);
    let mut msg = Msg::from_vec(body);
    msg.set_flag(Flags::COMMAND, true);
    msg
}

#[cfg(test)]
mod security_tests;
#[cfg(test)]
mod tests;
