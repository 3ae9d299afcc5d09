//! Why a ZMTP connection failed, and how libzmq reports each reason.
//!
//! libzmq reports protocol failures to monitors as `ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL`
//! with one of the `ZMQ_PROTOCOL_ERROR_ZMTP_*` codes, but only for some of them (see
//! [`ProtocolError::emits_handshake_failed_protocol`]); the others only close the
//! connection (`ZMQ_EVENT_DISCONNECTED`). [`ProtocolError::code`] gives the closest code
//! for every variant so the engine can log or report uniformly. Security adds
//! `ZMQ_EVENT_HANDSHAKE_FAILED_AUTH` (ZAP refusals, either side) and
//! `ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL` (no ZAP handler);
//! [`ProtocolError::handshake_failed_event`] says which event, if any, libzmq emits.

use core::fmt;

use crate::constants::{
    ZMQ_EVENT_HANDSHAKE_FAILED_AUTH, ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL,
    ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL, ZMQ_PROTOCOL_ERROR_WS_UNSPECIFIED,
    ZMQ_PROTOCOL_ERROR_ZAP_BAD_REQUEST_ID, ZMQ_PROTOCOL_ERROR_ZAP_BAD_VERSION,
    ZMQ_PROTOCOL_ERROR_ZAP_INVALID_METADATA, ZMQ_PROTOCOL_ERROR_ZAP_INVALID_STATUS_CODE,
    ZMQ_PROTOCOL_ERROR_ZAP_MALFORMED_REPLY, ZMQ_PROTOCOL_ERROR_ZAP_UNSPECIFIED,
    ZMQ_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC, ZMQ_PROTOCOL_ERROR_ZMTP_INVALID_METADATA,
    ZMQ_PROTOCOL_ERROR_ZMTP_INVALID_SEQUENCE, ZMQ_PROTOCOL_ERROR_ZMTP_KEY_EXCHANGE,
    ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_ERROR, ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_HELLO,
    ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_INITIATE, ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_MESSAGE,
    ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_READY, ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_UNSPECIFIED,
    ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_WELCOME, ZMQ_PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH,
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

    // ---- security mechanisms (PLAIN, CURVE) and ZAP
    /// A ZMTP 1.0/2.0 peer of a socket with a security mechanism or a ZAP domain:
    /// libzmq refuses those, since they cannot authenticate (no event).
    LegacyPeerRefused,
    /// A PLAIN/CURVE server's handshake command whose name length byte runs past the
    /// command (libzmq's `check_basic_command_structure`).
    MalformedCommand,
    /// A handshake command arrived while the mechanism expected none: a PLAIN/CURVE
    /// server waiting for its ZAP handler's reply, or done.
    CommandOutOfSequence,
    /// A PLAIN HELLO whose username/password lengths do not add up, or a CURVE
    /// HELLO that is not 200 bytes or not version 1.0.
    MalformedHello,
    /// A PLAIN WELCOME with bytes after its name.
    MalformedWelcome,
    /// A CURVE INITIATE shorter than its fixed part (257 bytes).
    MalformedInitiate,
    /// An INITIATE (PLAIN or CURVE) whose property list does not parse; libzmq drops
    /// the connection without an event.
    MalformedInitiateMetadata,
    /// A CURVE READY shorter than its fixed part (30 bytes).
    MalformedCurveReady,
    /// The property list of a PLAIN or CURVE READY does not parse or names an
    /// incompatible socket type.
    InvalidMetadata,
    /// A CURVE MESSAGE too short to hold a nonce, a box and the flags byte.
    MalformedMessage,
    /// A CURVE MESSAGE whose nonce is not above the previous one (replayed or out of
    /// order).
    InvalidSequence,
    /// A CURVE box did not open (wrong keys, tampering, truncation), a peer key of
    /// small order, a WELCOME of the wrong size, or no randomness for our keys.
    Cryptographic,
    /// A CURVE vouch that does not name the client's short-term key.
    KeyExchange,
    /// Authentication was required but no ZAP handler is bound
    /// ([`Config::zap_handler`](super::Config::zap_handler) false): always for a PLAIN
    /// server, and for NULL/CURVE with `ZMQ_ZAP_ENFORCE_DOMAIN`. libzmq reports
    /// `ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL` with `EFAULT`.
    NoZapHandler,
    /// The ZAP handler's reply is not valid (RFC 27); see [`ZapError`].
    ZapReply(ZapError),
    /// The ZAP handler refused the peer with this status code (300, 400 or 500). The
    /// ERROR command for the peer (none for 300) is in the pending output: write it
    /// before closing. libzmq reports `ZMQ_EVENT_HANDSHAKE_FAILED_AUTH` with the code.
    AuthenticationFailed(u16),

    // ---- the WebSocket layer under ZWS 2.0 (`crate::ws`)
    /// The HTTP upgrade failed: a malformed request or response line or header, a
    /// header too long, a missing `Upgrade`/`Connection`/`Sec-WebSocket-*` header, or
    /// no `Sec-WebSocket-Protocol` both sides speak. libzmq reports
    /// `ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL` with `ZMQ_PROTOCOL_ERROR_WS_UNSPECIFIED`.
    WsUpgradeFailed,
    /// A WebSocket frame libzmq's `ws_decoder` refuses (fragmented, a text,
    /// continuation or unknown opcode, masked the wrong way, a binary frame without
    /// the ZWS flags byte) or a control frame over 125 bytes. No event, as libzmq.
    WsMalformedFrame,
}

/// What is wrong with a ZAP reply (RFC 27 "ZAP"; libzmq's
/// `zap_client_t::receive_and_process_zap_reply`), checked in this order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ZapError {
    /// Not exactly seven frames (delimiter, version, request id, status code, status
    /// text, user id, metadata), MORE set on all but the last.
    MalformedReply,
    /// The first (delimiter) frame is not empty.
    BadDelimiter,
    /// The version is not "1.0".
    BadVersion,
    /// The request id is not the one we sent ("1").
    BadRequestId,
    /// The status code is not "200", "300", "400" or "500".
    InvalidStatusCode,
    /// The metadata frame is not a property list, or names an incompatible
    /// `Socket-Type`.
    InvalidMetadata,
    /// A reply arrived while no request was outstanding.
    Unexpected,
}

impl ZapError {
    /// The `ZMQ_PROTOCOL_ERROR_ZAP_*` code.
    pub fn code(self) -> i32 {
        match self {
            ZapError::MalformedReply => ZMQ_PROTOCOL_ERROR_ZAP_MALFORMED_REPLY,
            ZapError::BadDelimiter | ZapError::Unexpected => ZMQ_PROTOCOL_ERROR_ZAP_UNSPECIFIED,
            ZapError::BadVersion => ZMQ_PROTOCOL_ERROR_ZAP_BAD_VERSION,
            ZapError::BadRequestId => ZMQ_PROTOCOL_ERROR_ZAP_BAD_REQUEST_ID,
            ZapError::InvalidStatusCode => ZMQ_PROTOCOL_ERROR_ZAP_INVALID_STATUS_CODE,
            ZapError::InvalidMetadata => ZMQ_PROTOCOL_ERROR_ZAP_INVALID_METADATA,
        }
    }
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
            | ProtocolError::HeartbeatTtlExpired
            | ProtocolError::LegacyPeerRefused
            | ProtocolError::CommandOutOfSequence
            | ProtocolError::NoZapHandler
            | ProtocolError::AuthenticationFailed(_)
            | ProtocolError::WsMalformedFrame => ZMQ_PROTOCOL_ERROR_ZMTP_UNSPECIFIED,
            ProtocolError::WsUpgradeFailed => ZMQ_PROTOCOL_ERROR_WS_UNSPECIFIED,
            ProtocolError::MalformedCommand => ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_UNSPECIFIED,
            ProtocolError::MalformedHello => ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_HELLO,
            ProtocolError::MalformedWelcome => ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_WELCOME,
            ProtocolError::MalformedInitiate | ProtocolError::MalformedInitiateMetadata => {
                ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_INITIATE
            }
            ProtocolError::MalformedCurveReady => ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_READY,
            ProtocolError::InvalidMetadata => ZMQ_PROTOCOL_ERROR_ZMTP_INVALID_METADATA,
            ProtocolError::MalformedMessage => ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_MESSAGE,
            ProtocolError::InvalidSequence => ZMQ_PROTOCOL_ERROR_ZMTP_INVALID_SEQUENCE,
            ProtocolError::Cryptographic => ZMQ_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC,
            ProtocolError::KeyExchange => ZMQ_PROTOCOL_ERROR_ZMTP_KEY_EXCHANGE,
            ProtocolError::ZapReply(error) => error.code(),
        }
    }

    /// Whether libzmq 4.3.5 reports this failure as `ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL`
    /// (with [`code`](Self::code)). Its NULL mechanism does not for a malformed READY
    /// or an incompatible socket type: it only drops the connection.
    /// Neither do its PLAIN and CURVE servers for an INITIATE whose properties do not
    /// parse, nor does it for a refused old peer or an unexpected ZAP reply.
    pub fn emits_handshake_failed_protocol(&self) -> bool {
        match self {
            ProtocolError::ZapReply(error) => *error != ZapError::Unexpected,
            _ => matches!(
                self,
                ProtocolError::MechanismMismatch
                    | ProtocolError::UnexpectedCommand
                    | ProtocolError::MalformedError
                    | ProtocolError::MalformedCommand
                    | ProtocolError::CommandOutOfSequence
                    | ProtocolError::MalformedHello
                    | ProtocolError::MalformedWelcome
                    | ProtocolError::MalformedInitiate
                    | ProtocolError::MalformedCurveReady
                    | ProtocolError::InvalidMetadata
                    | ProtocolError::MalformedMessage
                    | ProtocolError::InvalidSequence
                    | ProtocolError::Cryptographic
                    | ProtocolError::KeyExchange
                    | ProtocolError::WsUpgradeFailed
            ),
        }
    }

    /// A ZAP status code "300", "400" or "500": the one our ZAP handler refused the
    /// peer with ([`AuthenticationFailed`](Self::AuthenticationFailed)), or the reason
    /// of the peer's ERROR. libzmq then reports `ZMQ_EVENT_HANDSHAKE_FAILED_AUTH`
    /// with it.
    pub fn zap_status_code(&self) -> Option<i32> {
        match self {
            ProtocolError::AuthenticationFailed(status) => Some(i32::from(*status)),
            ProtocolError::PeerError(reason) => match reason.as_slice() {
                [digit @ b'3'..=b'5', b'0', b'0'] => Some(i32::from(digit - b'0') * 100),
                _ => None,
            },
            _ => None,
        }
    }

    /// The monitor event libzmq 4.3.5 emits for this failure, with its value:
    /// `ZMQ_EVENT_HANDSHAKE_FAILED_AUTH` with the ZAP status code,
    /// `ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL` with `EFAULT` when no ZAP handler is
    /// bound, `ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL` with [`code`](Self::code); `None`
    /// when libzmq only disconnects.
    pub fn handshake_failed_event(&self) -> Option<(i32, i32)> {
        if let Some(status) = self.zap_status_code() {
            Some((ZMQ_EVENT_HANDSHAKE_FAILED_AUTH, status))
        } else if *self == ProtocolError::NoZapHandler {
            Some((ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL, libc::EFAULT))
        } else if self.emits_handshake_failed_protocol() {
            Some((ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL, self.code()))
        } else {
            None
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
            ProtocolError::LegacyPeerRefused => {
                f.write_str("ZMTP 1.0/2.0 peer refused: security is configured")
            }
            ProtocolError::MalformedCommand => f.write_str("malformed ZMTP handshake command"),
            ProtocolError::CommandOutOfSequence => f.write_str("ZMTP handshake command out of sequence"),
            ProtocolError::MalformedHello => f.write_str("malformed HELLO command"),
            ProtocolError::MalformedWelcome => f.write_str("malformed WELCOME command"),
            ProtocolError::MalformedInitiate => f.write_str("malformed INITIATE command"),
            ProtocolError::MalformedInitiateMetadata => f.write_str("malformed INITIATE properties"),
            ProtocolError::MalformedCurveReady => f.write_str("malformed CURVE READY command"),
            ProtocolError::InvalidMetadata => f.write_str("invalid READY properties"),
            ProtocolError::MalformedMessage => f.write_str("malformed CURVE MESSAGE command"),
            ProtocolError::InvalidSequence => f.write_str("CURVE message nonce out of sequence"),
            ProtocolError::Cryptographic => f.write_str("CURVE cryptographic failure"),
            ProtocolError::KeyExchange => f.write_str("CURVE key exchange failure"),
            ProtocolError::NoZapHandler => f.write_str("authentication required but no ZAP handler"),
            ProtocolError::ZapReply(error) => write!(f, "invalid ZAP reply: {error:?}"),
            ProtocolError::AuthenticationFailed(status) => write!(f, "ZAP authentication failed ({status})"),
            ProtocolError::WsUpgradeFailed => f.write_str("WebSocket upgrade failed"),
            ProtocolError::WsMalformedFrame => f.write_str("malformed WebSocket frame"),
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
        assert_eq!(ProtocolError::AuthenticationFailed(400).zap_status_code(), Some(400));
    }

    #[test]
    fn monitor_events_follow_libzmq() {
        let auth = ProtocolError::AuthenticationFailed(300).handshake_failed_event();
        assert_eq!(auth, Some((ZMQ_EVENT_HANDSHAKE_FAILED_AUTH, 300)));
        let peer = ProtocolError::PeerError(b"500".to_vec()).handshake_failed_event();
        assert_eq!(peer, Some((ZMQ_EVENT_HANDSHAKE_FAILED_AUTH, 500)));
        assert_eq!(ProtocolError::PeerError(b"no".to_vec()).handshake_failed_event(), None);
        assert_eq!(
            ProtocolError::NoZapHandler.handshake_failed_event(),
            Some((ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL, libc::EFAULT))
        );
        assert_eq!(
            ProtocolError::Cryptographic.handshake_failed_event(),
            Some((ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL, 0x11000001))
        );
        assert_eq!(
            ProtocolError::ZapReply(ZapError::BadVersion).handshake_failed_event(),
            Some((ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL, 0x20000003))
        );
        assert_eq!(ProtocolError::ZapReply(ZapError::Unexpected).handshake_failed_event(), None);
        assert_eq!(ProtocolError::MalformedInitiateMetadata.handshake_failed_event(), None);
        assert_eq!(ProtocolError::LegacyPeerRefused.handshake_failed_event(), None);
        assert_eq!(ProtocolError::MalformedReady.handshake_failed_event(), None);
        assert_eq!(ProtocolError::InvalidSequence.code(), 0x10000002);
        assert_eq!(ProtocolError::MalformedCommand.code(), 0x10000011);
        assert_eq!(
            ProtocolError::WsUpgradeFailed.handshake_failed_event(),
            Some((ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL, 0x30000000))
        );
        assert_eq!(ProtocolError::WsMalformedFrame.handshake_failed_event(), None);
    }
}
