//! ZAP, the ZeroMQ Authentication Protocol (RFC 27), seen from a connection: when a
//! server-side mechanism must authenticate its peer it hands credentials to the
//! socket's ZAP handler (a REP socket bound to `inproc://zeromq.zap.01`) and waits
//! for the verdict. This module builds the request, checks the reply as libzmq
//! 4.3.5 does (`zap_client.cpp`), and holds libzmq's rules for when to ask
//! ([`Policy`]). The connection moves the frames; the session moves them to and
//! from the handler.
//!
//! Request, one frame each: an empty delimiter (the session speaks to the REP
//! handler as a DEALER would), version "1.0", request id "1", the `ZMQ_ZAP_DOMAIN`,
//! the peer's address, our own routing id, the mechanism name, then the mechanism's
//! credentials (none for NULL; username and password for PLAIN; the client's 32-byte
//! long-term public key for CURVE).
//!
//! Reply: delimiter, version, request id, status code ("200" accepts; "300"
//! temporary failure, "400" denied, "500" internal error refuse), status text, user
//! id, metadata (a property list). The user id and the metadata become properties of
//! every message received on the connection (`User-Id` first).

use super::command::{self, PropertyError};
use super::error::{ProtocolError, ZapError};
use super::Config;
use crate::msg::Msg;

/// The only ZAP version (RFC 27).
const VERSION: &[u8] = b"1.0";
/// libzmq sends every request with this id, one request per connection.
const REQUEST_ID: &[u8] = b"1";
/// Frames in a reply, the delimiter included.
const REPLY_FRAMES: usize = 7;
/// The message property that carries the user id (`ZMQ_MSG_PROPERTY_USER_ID`).
pub(crate) const USER_ID: &str = "User-Id";

/// What a mechanism asks the handler to check: its name and credential frames.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Credentials {
    pub(crate) mechanism: &'static [u8],
    pub(crate) frames: Vec<Vec<u8>>,
}

/// The handler's verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Status {
    /// "200": go on with the handshake.
    Accepted,
    /// "300", "400" or "500": refuse the peer.
    Refused(u16),
}

impl Status {
    /// The ERROR command a refusing server sends: none for 300 (a temporary failure
    /// must not reach the client, RFC 26 and libzmq), else the status code as reason.
    pub(crate) fn error_command(self) -> Option<Vec<u8>> {
        match self {
            Status::Refused(code @ (400 | 500)) => Some(command::error(code.to_string().as_bytes())),
            _ => None,
        }
    }

    /// Err([`ProtocolError::AuthenticationFailed`]) for a refusal.
    pub(crate) fn check(self) -> Result<(), ProtocolError> {
        match self {
            Status::Accepted => Ok(()),
            Status::Refused(code) => Err(ProtocolError::AuthenticationFailed(code)),
        }
    }
}

/// A reply that passed every check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Reply {
    pub(crate) status: Status,
    /// `User-Id` (always present, maybe empty), then the metadata properties, first
    /// of duplicate names kept.
    pub(crate) properties: Vec<(String, Vec<u8>)>,
}

/// The request frames for `credentials`, MORE set on all but the last.
pub(crate) fn request(config: &Config, credentials: &Credentials) -> Vec<Msg> {
    let address = config.peer_address.as_deref().unwrap_or_default().as_bytes();
    let mut parts: Vec<&[u8]> = vec![
        b"",
        VERSION,
        REQUEST_ID,
        &config.zap_domain,
        address,
        &config.routing_id,
        credentials.mechanism,
    ];
    parts.extend(credentials.frames.iter().map(Vec::as_slice));
    let last = parts.len() - 1;
    parts
        .into_iter()
        .enumerate()
        .map(|(i, part)| {
            let mut msg = Msg::from_vec(part.to_vec());
            msg.set_more(i < last);
            msg
        })
        .collect()
}

/// Checks a reply in libzmq's order (frame count and MORE flags, delimiter,
/// version, request id, status code, metadata) and extracts the verdict.
/// `socket_type` is ours: a `Socket-Type` in the metadata must be compatible.
pub(crate) fn parse_reply(frames: &[Msg], socket_type: i32) -> Result<Reply, ZapError> {
    let well_framed = frames.len() == REPLY_FRAMES
        && frames.iter().enumerate().all(|(i, frame)| frame.more() == (i + 1 < REPLY_FRAMES));
    let [delimiter, version, request_id, status, _text, user_id, metadata] = frames else {
        return Err(ZapError::MalformedReply);
    };
    if !well_framed {
        return Err(ZapError::MalformedReply);
    }
    if !delimiter.is_empty() {
        return Err(ZapError::BadDelimiter);
    }
    if version.data() != VERSION {
        return Err(ZapError::BadVersion);
    }
    if request_id.data() != REQUEST_ID {
        return Err(ZapError::BadRequestId);
    }
    let status = match status.data() {
        b"200" => Status::Accepted,
        b"300" => Status::Refused(300),
        b"400" => Status::Refused(400),
        b"500" => Status::Refused(500),
        _ => return Err(ZapError::InvalidStatusCode),
    };
    let mut properties = vec![(USER_ID.to_owned(), user_id.data().to_vec())];
    command::collect_properties(metadata.data(), socket_type, &mut properties)
        .map_err(|_: PropertyError| ZapError::InvalidMetadata)?;
    Ok(Reply { status, properties })
}

/// libzmq's rules for whether a server-side mechanism asks the ZAP handler, from
/// `ZMQ_ZAP_DOMAIN`, `ZMQ_ZAP_ENFORCE_DOMAIN` and whether a handler is bound.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Policy {
    domain_set: bool,
    enforce_domain: bool,
    handler: bool,
}

impl Policy {
    pub(crate) fn new(config: &Config) -> Policy {
        Policy {
            domain_set: !config.zap_domain.is_empty(),
            enforce_domain: config.zap_enforce_domain,
            handler: config.zap_handler,
        }
    }

    /// NULL (`null_mechanism.cpp`): only with a ZAP domain; without a handler the
    /// peer is let in, unless `ZMQ_ZAP_ENFORCE_DOMAIN`.
    pub(crate) fn null(self) -> Result<bool, ProtocolError> {
        match (self.domain_set, self.handler) {
            (false, _) => Ok(false),
            (true, true) => Ok(true),
            (true, false) if self.enforce_domain => Err(ProtocolError::NoZapHandler),
            (true, false) => Ok(false),
        }
    }

    /// PLAIN server (`plain_server.cpp`): always, domain or not; without a handler
    /// the handshake fails, since PLAIN without ZAP checks nothing.
    pub(crate) fn plain_server(self) -> Result<bool, ProtocolError> {
        if self.handler {
            Ok(true)
        } else {
            Err(ProtocolError::NoZapHandler)
        }
    }

    /// CURVE server (`curve_server.cpp`): with a handler, unless
    /// `ZMQ_ZAP_ENFORCE_DOMAIN` is set without a domain. Without a handler the
    /// client is let in (the "Stonehouse" pattern: encryption without
    /// authentication), unless `ZMQ_ZAP_ENFORCE_DOMAIN`.
    pub(crate) fn curve_server(self) -> Result<bool, ProtocolError> {
        if !self.domain_set && self.enforce_domain {
            return Ok(false);
        }
        match (self.handler, self.enforce_domain) {
            (true, _) => Ok(true),
            (false, false) => Ok(false),
            (false, true) => Err(ProtocolError::NoZapHandler),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::constants::{ZMQ_DEALER, ZMQ_PUB, ZMQ_ROUTER};
    use crate::msg::part;

    fn reply(frames: &[&[u8]]) -> Vec<Msg> {
        frames.iter().enumerate().map(|(i, frame)| part(frame, i + 1 < frames.len())).collect()
    }

    fn metadata(properties: &[(&str, &[u8])]) -> Vec<u8> {
        let mut list = Vec::new();
        for (name, value) in properties {
            command::write_property(&mut list, name.as_bytes(), value);
        }
        list
    }

    #[test]
    fn request_frames_are_libzmqs() {
        let mut config = Config::new(ZMQ_ROUTER);
        config.zap_domain = b"global".to_vec();
        config.peer_address = Some("127.0.0.1".to_owned());
        config.routing_id = b"me".to_vec();
        let plain = Credentials { mechanism: b"PLAIN", frames: vec![b"admin".to_vec(), b"secret".to_vec()] };
        let frames = request(&config, &plain);
        let bodies: Vec<&[u8]> = frames.iter().map(Msg::data).collect();
        let expected: [&[u8]; 9] =
            [b"", b"1.0", b"1", b"global", b"127.0.0.1", b"me", b"PLAIN", b"admin", b"secret"];
        assert_eq!(bodies, expected);
        let more: Vec<bool> = frames.iter().map(Msg::more).collect();
        assert_eq!(more, [true, true, true, true, true, true, true, true, false]);

        // NULL has no credentials: the mechanism frame is the last.
        let frames = request(&Config::new(ZMQ_DEALER), &Credentials { mechanism: b"NULL", frames: vec![] });
        let bodies: Vec<&[u8]> = frames.iter().map(Msg::data).collect();
        assert_eq!(bodies, [&b""[..], b"1.0", b"1", b"", b"", b"", b"NULL"]);
        assert!(!frames[6].more() && frames[5].more());
    }

    #[test]
    fn valid_replies() {
        let list = metadata(&[("X-Role", b"admin"), ("User-Id", b"spoof"), ("X-Role", b"other")]);
        let parsed =
            parse_reply(&reply(&[b"", b"1.0", b"1", b"200", b"OK", b"alice", &list]), ZMQ_DEALER).unwrap();
        assert_eq!(parsed.status, Status::Accepted);
        assert_eq!(
            parsed.properties,
            [("User-Id".to_owned(), b"alice".to_vec()), ("X-Role".to_owned(), b"admin".to_vec())]
        );
        for (code, status) in [(b"300", 300), (b"400", 400), (b"500", 500)] {
            let parsed = parse_reply(&reply(&[b"", b"1.0", b"1", code, b"", b"", b""]), ZMQ_DEALER).unwrap();
            assert_eq!(parsed.status, Status::Refused(status));
            assert_eq!(parsed.status.check(), Err(ProtocolError::AuthenticationFailed(status)));
            assert_eq!(parsed.properties, [("User-Id".to_owned(), Vec::new())]);
        }
        assert_eq!(Status::Refused(300).error_command(), None);
        assert_eq!(Status::Refused(400).error_command().unwrap(), b"\x05ERROR\x03400");
        assert_eq!(Status::Refused(500).error_command().unwrap(), b"\x05ERROR\x03500");
        assert_eq!(Status::Accepted.error_command(), None);
    }

    #[test]
    fn invalid_replies_in_libzmqs_order() {
        let good: [&[u8]; 7] = [b"", b"1.0", b"1", b"200", b"OK", b"", b""];
        let check = |frames: Vec<Msg>| parse_reply(&frames, ZMQ_DEALER).map(|_| ()).unwrap_err();
        assert_eq!(check(reply(&good[..6])), ZapError::MalformedReply);
        assert_eq!(check(reply(&[&good[..], &[b""]].concat())), ZapError::MalformedReply);
        let mut flags = reply(&good);
        flags[6].set_more(true);
        assert_eq!(check(flags), ZapError::MalformedReply);
        let mut flags = reply(&good);
        flags[2].set_more(false);
        assert_eq!(check(flags), ZapError::MalformedReply);
        let cases: [(usize, &[u8], ZapError); 9] = [
            (0, b"x", ZapError::BadDelimiter),
            (1, b"1.1", ZapError::BadVersion),
            (1, b"1.0 ", ZapError::BadVersion),
            (2, b"2", ZapError::BadRequestId),
            (3, b"100", ZapError::InvalidStatusCode),
            (3, b"201", ZapError::InvalidStatusCode),
            (3, b"20", ZapError::InvalidStatusCode),
            (6, b"\x01", ZapError::InvalidMetadata),
            (6, b"\x0bSocket-Type\0\0\0\x03PUB", ZapError::InvalidMetadata),
        ];
        for (index, value, error) in cases {
            let mut frames = good;
            frames[index] = value;
            assert_eq!(check(reply(&frames)), error, "{index} {value:?}");
        }
        // A bad version is reported before a bad status code, and so on.
        assert_eq!(check(reply(&[b"", b"9", b"9", b"9", b"", b"", b"\x01"])), ZapError::BadVersion);
        // A compatible Socket-Type is fine.
        let mut frames = good;
        frames[6] = b"\x0bSocket-Type\0\0\0\x06DEALER";
        assert!(parse_reply(&reply(&frames), ZMQ_DEALER).is_ok());
        assert!(parse_reply(&reply(&frames), ZMQ_PUB).is_err());
    }

    #[test]
    fn when_to_ask_the_handler() {
        let policy = |domain: bool, enforce: bool, handler: bool| Policy {
            domain_set: domain,
            enforce_domain: enforce,
            handler,
        };
        let no = Err(ProtocolError::NoZapHandler);
        // (domain, enforce, handler) -> NULL, PLAIN server, CURVE server
        let table = [
            ((false, false, false), Ok(false), no.clone(), Ok(false)),
            ((false, false, true), Ok(false), Ok(true), Ok(true)),
            ((false, true, false), Ok(false), no.clone(), Ok(false)),
            ((false, true, true), Ok(false), Ok(true), Ok(false)),
            ((true, false, false), Ok(false), no.clone(), Ok(false)),
            ((true, false, true), Ok(true), Ok(true), Ok(true)),
            ((true, true, false), no.clone(), no.clone(), no.clone()),
            ((true, true, true), Ok(true), Ok(true), Ok(true)),
        ];
        for ((domain, enforce, handler), null, plain, curve) in table {
            let policy = policy(domain, enforce, handler);
            assert_eq!(policy.null(), null, "{policy:?}");
            assert_eq!(policy.plain_server(), plain, "{policy:?}");
            assert_eq!(policy.curve_server(), curve, "{policy:?}");
        }
    }
}
