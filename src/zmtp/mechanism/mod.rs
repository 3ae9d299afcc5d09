//! Security mechanisms: ZMTP 3.0 "Security Handshake" (spec 23). After the greeting,
//! each peer runs the mechanism named in the greetings (both must name the same one)
//! as a state machine of command frames, until it is ready for messages.
//!
//! - `null`: NULL (spec 23): READY both ways; ZAP when a domain is set.
//! - `plain`: PLAIN (spec 24): HELLO with a username and password, checked by ZAP.
//! - `curve`: CURVE (specs 25, 26): an authenticated key exchange, then every
//!   message encrypted ([`Codec`]).
//!
//! A mechanism produces commands to send when it has them, consumes the peer's, may
//! ask for a ZAP verdict ([`Mechanism::zap_request`], [`Mechanism::zap_reply`]) and
//! says when it is done. Server-side failures after a ZAP refusal leave an ERROR
//! command to send.

mod curve;
mod null;
mod plain;

use core::fmt;

use super::command;
use super::error::{ProtocolError, ZapError};
use super::greeting::MECHANISM_NAME_SIZE;
use super::random::RandomSource;
use super::zap::{self, Credentials};
use super::{socket_type, Config, Security};
use crate::constants::{ZMQ_DEALER, ZMQ_REQ, ZMQ_ROUTER};
use crate::msg::Msg;

#[cfg(test)]
pub(crate) use curve::public_key as curve_public_key;

/// One side of a security handshake.
pub(crate) trait Mechanism: fmt::Debug + Send {
    /// The body of the next command to send now, if there is one.
    fn next_handshake_command(&mut self) -> Result<Option<Vec<u8>>, ProtocolError>;

    /// Handles a frame the peer sent during the handshake.
    fn process_handshake_command(&mut self, body: &[u8]) -> Result<(), ProtocolError>;

    /// What to ask the ZAP handler, once, when the mechanism needs the peer
    /// authenticated; the handshake then waits for [`zap_reply`](Self::zap_reply).
    fn zap_request(&mut self) -> Option<Credentials> {
        None
    }

    /// The handler's verdict on the request. A refusal fails the handshake (with
    /// an ERROR command to send first, except for 300).
    fn zap_reply(&mut self, status: zap::Status) -> Result<(), ProtocolError> {
        let _ = status;
        Err(ProtocolError::ZapReply(ZapError::Unexpected))
    }

    /// Whether the handshake is complete: messages may flow.
    fn is_ready(&self) -> bool;

    /// The properties the peer declared, in the order sent (the first of duplicate
    /// names kept, as libzmq's property map does).
    fn peer_properties(&self) -> &[(String, Vec<u8>)];

    /// Once ready: what messages must go through (CURVE encrypts them); `None` when
    /// they pass unchanged. Taken once.
    fn take_codec(&mut self) -> Option<Box<dyn Codec>> {
        None
    }
}

/// Per-message transformation after the handshake.
pub(crate) trait Codec: fmt::Debug + Send {
    /// Appends the frame that carries one message part (flags `more` and `command`,
    /// body `prefix` then `body`) to `out`. On failure `out` is left as it was.
    fn encode(
        &mut self,
        out: &mut Vec<u8>,
        more: bool,
        command: bool,
        prefix: &[u8],
        body: &[u8],
    ) -> Result<(), ProtocolError>;

    /// The message part a received frame carries, its MORE and COMMAND flags set.
    fn decode(&mut self, frame: Msg) -> Result<Msg, ProtocolError>;
}

/// The greeting's mechanism name for `security`, zero-padded to 20 bytes.
pub(crate) fn padded_name(security: &Security) -> [u8; MECHANISM_NAME_SIZE] {
    let name: &[u8] = match security {
        Security::Null => b"NULL",
        Security::PlainClient { .. } | Security::PlainServer => b"PLAIN",
        Security::CurveClient { .. } | Security::CurveServer { .. } => b"CURVE",
    };
    let mut padded = [0; MECHANISM_NAME_SIZE];
    if let Some(start) = padded.get_mut(..name.len()) {
        start.copy_from_slice(name);
    }
    padded
}

/// The mechanism `config.security` names, ready to start.
pub(crate) fn create(config: &Config, random: Box<dyn RandomSource>) -> Box<dyn Mechanism> {
    let setup = Setup {
        socket_type: config.socket_type,
        properties: basic_properties(config),
        zap: zap::Policy::new(config),
    };
    match &config.security {
        Security::Null => Box::new(null::Null::new(setup)),
        Security::PlainClient { username, password } => {
            Box::new(plain::Client::new(setup, username, password))
        }
        Security::PlainServer => Box::new(plain::Server::new(setup)),
        Security::CurveClient { public_key, secret_key, server_key } => {
            let keys = curve::ClientKeys { public: *public_key, secret: *secret_key, server: *server_key };
            Box::new(curve::Client::new(setup, keys, random))
        }
        Security::CurveServer { secret_key } => Box::new(curve::Server::new(setup, *secret_key, random)),
    }
}

/// What every mechanism needs from the configuration.
#[derive(Debug, Clone)]
pub(crate) struct Setup {
    /// Ours, to check the peer's `Socket-Type` against.
    pub(crate) socket_type: i32,
    /// Our property list for READY/INITIATE ([`basic_properties`]).
    pub(crate) properties: Vec<u8>,
    pub(crate) zap: zap::Policy,
}

impl Setup {
    /// Adds the peer's property list to `into`; `malformed` is the error for a list
    /// that does not parse, `incompatible` for a refused `Socket-Type`.
    pub(crate) fn collect_properties(
        &self,
        list: &[u8],
        into: &mut Vec<(String, Vec<u8>)>,
        malformed: ProtocolError,
        incompatible: fn(Vec<u8>) -> ProtocolError,
    ) -> Result<(), ProtocolError> {
        command::collect_properties(list, self.socket_type, into).map_err(|error| match error {
            command::PropertyError::Malformed => malformed,
            command::PropertyError::IncompatibleSocketType(name) => incompatible(name),
        })
    }
}

/// The property list of our READY (and INITIATE): `Socket-Type`; `Identity` (our
/// routing id, even empty) for the types libzmq sends it for (REQ, DEALER, ROUTER);
/// then the application's `ZMQ_METADATA` properties in the order configured
/// (libzmq's `mechanism_t::add_basic_properties`).
pub(crate) fn basic_properties(config: &Config) -> Vec<u8> {
    let mut list = Vec::new();
    let name = socket_type::name(config.socket_type).unwrap_or_default();
    command::write_property(&mut list, command::SOCKET_TYPE.as_bytes(), name.as_bytes());
    if matches!(config.socket_type, ZMQ_REQ | ZMQ_DEALER | ZMQ_ROUTER) {
        command::write_property(&mut list, command::IDENTITY.as_bytes(), &config.routing_id);
    }
    for (name, value) in &config.metadata {
        command::write_property(&mut list, name.as_bytes(), value);
    }
    list
}

/// `name` followed by `data`: a command body.
pub(crate) fn command_body(name: &[u8], data: &[u8]) -> Vec<u8> {
    let mut body = Vec::with_capacity(name.len() + data.len());
    body.extend_from_slice(name);
    body.extend_from_slice(data);
    body
}

/// libzmq's `check_basic_command_structure`, run by the PLAIN and CURVE servers:
/// the command must be longer than one byte and than its name length byte says.
pub(crate) fn check_command_structure(body: &[u8]) -> Result<(), ProtocolError> {
    match body.first() {
        Some(&name_len) if body.len() > 1 && body.len() > usize::from(name_len) => Ok(()),
        _ => Err(ProtocolError::MalformedCommand),
    }
}

/// The peer's ERROR (data after the name): fails with its reason, or with
/// [`ProtocolError::MalformedError`].
pub(crate) fn peer_error(data: &[u8]) -> ProtocolError {
    match command::error_reason(data) {
        Ok(reason) => ProtocolError::PeerError(reason.to_vec()),
        Err(command::Malformed) => ProtocolError::MalformedError,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_structure() {
        assert_eq!(&padded_name(&Security::Null)[..5], b"NULL\0");
        assert_eq!(&padded_name(&Security::PlainServer)[..6], b"PLAIN\0");
        assert_eq!(&padded_name(&Security::CurveServer { secret_key: [0; 32] })[..6], b"CURVE\0");
        assert_eq!(check_command_structure(b"\x05HELLO!"), Ok(()));
        assert_eq!(check_command_structure(b"\x05HELL"), Err(ProtocolError::MalformedCommand));
        assert_eq!(check_command_structure(b"\x05HELLO"), Ok(()));
        assert_eq!(check_command_structure(b"\x00"), Err(ProtocolError::MalformedCommand));
        assert_eq!(check_command_structure(b""), Err(ProtocolError::MalformedCommand));
        assert_eq!(peer_error(b"\x03400"), ProtocolError::PeerError(b"400".to_vec()));
        assert_eq!(peer_error(b"\x03"), ProtocolError::MalformedError);
    }
}
