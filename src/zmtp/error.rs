//! Why a ZMTP connection failed, and how libzmq reports each reason.
//!
//! libzmq reports protocol failures to monitors as `ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL`
//! with one of the `ZMQ_PROTOCOL_ERROR_ZMTP_*` codes, but only for some of them (see
//! [`ProtocolError::emits_handshake_failed_protocol`]); the others only close the
//! connection (`ZMQ_EVENT_DISCONNECTED`). [`ProtocolError::code`] gives the closest code
//! for every variant so the engine can log or report uniformly.

use core::fmt;

use crate::constants::{
    ZMQ_PROTOCOL_ERROR_ZMTP_INVALID_METADATA, ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_ERROR,
    ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_READY, ZMQ_PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH,
    ZMQ_PROTOCOL_ERROR_ZMTP_UNEXPECTED_COMMAND, ZMQ_PROTOCOL_ERROR_ZMTP_UNSPECIFIED,
};

/// A fatal protocol condition: the connection must be closed. Once a [`Connection`]
/// returned one, every later input or timer call returns the same error.
///
/// [`Connection`]: super::Connection
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProtocolError {
    /// The peer's greeting names another security mechanism than ours (ZMTP 3.0
    /// "Version Negotiation"/"Security Handshake": both peers must use the same one).
    MechanismMismatch,
    /// A handshake command that is not valid at this point (not READY nor ERROR for
    /// NULL, or any command after the mechanism finished).
    UnexpectedCommand,
    /// A READY command whose property list does not parse (ZMTP 3.0 "The NULL Security
    /// Mechanism": name-length, name, 4-byte value-length, value, repeated).
    MalformedReady,
    /// An ERROR command whose reason length exceeds the command.
    MalformedError,
    /// The peer's `Socket-Type` property names a type ours may not talk to
    /// (libzmq's `mechanism_t::check_socket_type`). Holds the name the peer sent.
    IncompatibleSocketType(Vec<u8>),
    /// The peer sent an ERROR command during the handshake; holds its reason. The
    /// connection also reports [`Event::PeerError`](super::Event::PeerError).
    PeerError(Vec<u8>),
    /// A frame larger than `ZMQ_MAXMSGSIZE`, or than this machine can address (libzmq
    /// fails the decoder with `EMSGSIZE`).
    MessageTooLarge,
    /// A ZMTP 1.0 frame whose length is 0 (it must at least count its flags byte).
    MalformedFrame,
    /// Memory for a frame body could not be allocated (libzmq: `ENOMEM`).
    OutOfMemory,
    /// The handshake did not finish within `ZMQ_HANDSHAKE_IVL`.
    HandshakeTimeout,
    /// Nothing arrived within `ZMQ_HEARTBEAT_TIMEOUT` after we sent a PING.
    HeartbeatTimeout,
    /// Nothing arrived within the TTL that the peer's PING asked for (ZMTP 3.1 "PING").
    HeartbeatTtlExpired,
}

impl ProtocolError {
    /// The `ZMQ_PROTOCOL_ERROR_ZMTP_*` code for this failure;
    /// `ZMQ_PROTOCOL_ERROR_ZMTP_UNSPECIFIED` for failures libzmq has no code for
    /// (framing, memory, timeouts, ERROR from the peer).
    pub fn code(&self) -> i32 {
        match self {
            ProtocolError::MechanismMismatch => ZMQ_PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH,
            ProtocolError::UnexpectedCommand => ZMQ_PROTOCOL_ERROR_ZMTP_UNEXPECTED_COMMAND,
            ProtocolError::MalformedReady => ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_READY,
            ProtocolError::MalformedError => ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_ERROR,
            ProtocolError::IncompatibleSocketType(_) => ZMQ_PROTOCOL_ERROR_ZMTP_INVALID_METADATA,
            ProtocolError::PeerError(_)
            | ProtocolError::MessageTooLarge
            | ProtocolError::MalformedFrame
            | ProtocolError::OutOfMemory
            | ProtocolError::HandshakeTimeout
            | ProtocolError::HeartbeatTimeout
            | ProtocolError::HeartbeatTtlExpired => ZMQ_PROTOCOL_ERROR_ZMTP_UNSPECIFIED,
        }
    }

    /// Whether libzmq 4.3.5 reports this failure as `ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL`
    /// (with [`code`](Self::code)). Its NULL mechanism does not for a malformed READY
    /// or an incompatible socket type: it only drops the connection.
    pub fn emits_handshake_failed_protocol(&self) -> bool {
        matches!(
            self,
            ProtocolError::MechanismMismatch
                | ProtocolError::UnexpectedCommand
                | ProtocolError::MalformedError
        )
    }

    /// For an ERROR whose reason is a ZAP status code "300", "400" or "500": that
    /// number. libzmq then reports `ZMQ_EVENT_HANDSHAKE_FAILED_AUTH` with it.
    pub fn zap_status_code(&self) -> Option<i32> {
        match self {
            ProtocolError::PeerError(reason) => match reason.as_slice() {
                [digit @ b'3'..=b'5', b'0', b'0'] => Some(i32::from(digit - b'0') * 100),
                _ => None,
            },
            _ => None,
        }
    }

    /// Whether this is a timer expiry (libzmq's `timeout_error`, which lets the socket
    /// reconnect) rather than a protocol violation.
    pub fn is_timeout(&self) -> bool {
        matches!(
            self,
            ProtocolError::HandshakeTimeout
                | ProtocolError::HeartbeatTimeout
                | ProtocolError::HeartbeatTtlExpired
        )
    }
}

impl fmt::Display for ProtocolError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProtocolError::MechanismMismatch => f.write_str("ZMTP security mechanism mismatch"),
            ProtocolError::UnexpectedCommand => f.write_str("unexpected ZMTP command during handshake"),
            ProtocolError::MalformedReady => f.write_str("malformed ZMTP READY command"),
            ProtocolError::MalformedError => f.write_str("malformed ZMTP ERROR command"),
            ProtocolError::IncompatibleSocketType(name) => {
                write!(f, "incompatible peer socket type {:?}", String::from_utf8_lossy(name))
            }
            ProtocolError::PeerError(reason) => {
                write!(f, "peer sent ZMTP ERROR {:?}", String::from_utf8_lossy(reason))
            }
            ProtocolError::MessageTooLarge => f.write_str("ZMTP frame larger than the maximum message size"),
            ProtocolError::MalformedFrame => f.write_str("malformed ZMTP frame"),
            ProtocolError::OutOfMemory => f.write_str("out of memory for a ZMTP frame"),
            ProtocolError::HandshakeTimeout => f.write_str("ZMTP handshake timed out"),
            ProtocolError::HeartbeatTimeout => f.write_str("ZMTP heartbeat timed out"),
            ProtocolError::HeartbeatTtlExpired => f.write_str("ZMTP heartbeat TTL expired"),
        }
    }
}

impl std::error::Error for ProtocolError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_libzmqs() {
        assert_eq!(ProtocolError::MalformedReady.code(), 0x10000016);
        assert_eq!(ProtocolError::MechanismMismatch.code(), 0x11000002);
        assert_eq!(ProtocolError::IncompatibleSocketType(b"PUB".to_vec()).code(), 0x10000018);
        assert_eq!(ProtocolError::HeartbeatTimeout.code(), 0x10000000);
        assert!(ProtocolError::UnexpectedCommand.emits_handshake_failed_protocol());
        assert!(!ProtocolError::MalformedReady.emits_handshake_failed_protocol());
        assert!(ProtocolError::HandshakeTimeout.is_timeout());
    }

    #[test]
    fn zap_status_codes_are_recognised() {
        assert_eq!(ProtocolError::PeerError(b"400".to_vec()).zap_status_code(), Some(400));
        assert_eq!(ProtocolError::PeerError(b"200".to_vec()).zap_status_code(), None);
        assert_eq!(ProtocolError::PeerError(b"4000".to_vec()).zap_status_code(), None);
        assert_eq!(ProtocolError::MalformedError.zap_status_code(), None);
        assert!(ProtocolError::PeerError(b"x".to_vec()).to_string().contains("ERROR"));
    }
}
