//! ZMTP commands: a command frame's body is a name (one length byte, then the name)
//! followed by command data. ZMTP 3.0 "Commands" (spec 23) and ZMTP 3.1 (spec 37):
//! READY/ERROR (NULL mechanism), PING/PONG (heartbeats), SUBSCRIBE/CANCEL.
//!
//! Also the property list carried by READY and INITIATE (and ZAP replies):
//! `name-length (1) name value-length (4, big-endian) value`, repeated.

/// Command names with their length byte, as they start a command body.
pub(crate) const READY: &[u8] = b"\x05READY";
pub(crate) const ERROR: &[u8] = b"\x05ERROR";
pub(crate) const HELLO: &[u8] = b"\x05HELLO";
pub(crate) const WELCOME: &[u8] = b"\x07WELCOME";
pub(crate) const INITIATE: &[u8] = b"\x08INITIATE";
pub(crate) const MESSAGE: &[u8] = b"\x07MESSAGE";
pub(crate) const PING: &[u8] = b"\x04PING";
pub(crate) const PONG: &[u8] = b"\x04PONG";
pub(crate) const SUBSCRIBE: &[u8] = b"\x09SUBSCRIBE";
pub(crate) const CANCEL: &[u8] = b"\x06CANCEL";
pub(crate) const JOIN: &[u8] = b"\x04JOIN";
pub(crate) const LEAVE: &[u8] = b"\x05LEAVE";

/// ZMTP 3.1 "PING": at most this much context is echoed in the PONG (libzmq truncates
/// longer contexts the same way).
const PING_MAX_CONTEXT: usize = 16;

/// Property names of the basic properties (ZMTP 3.0 "Connection Metadata").
pub(crate) const SOCKET_TYPE: &str = "Socket-Type";
pub(crate) const IDENTITY: &str = "Identity";

/// A command received after the handshake, as the connection acts on it.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Command<'a> {
    /// TTL in deciseconds (0 when the peer sent none) and the context to echo.
    Ping {
        ttl: u16,
        context: &'a [u8],
    },
    Pong,
    Subscribe(&'a [u8]),
    Cancel(&'a [u8]),
    /// A DISH joins the group (RFC 48).
    Join(&'a [u8]),
    /// A DISH leaves the group.
    Leave(&'a [u8]),
    /// Any other command, or a body too short for its name: libzmq ignores these
    /// (its session drops every command but SUBSCRIBE and CANCEL).
    Other,
}

/// Classifies a command body received after the handshake.
pub(crate) fn parse(body: &[u8]) -> Command<'_> {
    if let Some(rest) = body.strip_prefix(PING) {
        // libzmq reads the TTL without checking the size; a short PING counts as TTL 0.
        let ttl = match rest {
            [high, low, ..] => u16::from_be_bytes([*high, *low]),
            _ => 0,
        };
        let context = rest.get(2..).unwrap_or_default();
        let context = context.get(..PING_MAX_CONTEXT).unwrap_or(context);
        Command::Ping { ttl, context }
    } else if body.starts_with(PONG) {
        Command::Pong
    } else if let Some(topic) = body.strip_prefix(SUBSCRIBE) {
        Command::Subscribe(topic)
    } else if let Some(topic) = body.strip_prefix(CANCEL) {
        Command::Cancel(topic)
    } else if let Some(group) = body.strip_prefix(JOIN) {
        Command::Join(group)
    } else if let Some(group) = body.strip_prefix(LEAVE) {
        Command::Leave(group)
    } else {
        Command::Other
    }
}

/// The body of a PING with the given TTL (deciseconds) and no context, as libzmq sends.
pub(crate) fn ping(ttl: u16) -> [u8; 7] {
    let [high, low] = ttl.to_be_bytes();
    let mut body = [0; 7];
    body[..5].copy_from_slice(PING);
    body[5] = high;
    body[6] = low;
    body
}

/// Writes the frame body of a PONG echoing `context` (already bounded by [`parse`]).
pub(crate) fn write_pong(out: &mut Vec<u8>, context: &[u8]) {
    out.extend_from_slice(PONG);
    out.extend_from_slice(context);
}

/// For a SUBSCRIBE or CANCEL command body: the byte pre-3.1 peers expect in front of
/// the topic instead (1 subscribe, 0 cancel: ZMTP 3.0 leaves subscriptions to the
/// XPUB/XSUB pattern, as messages) and the topic.
pub(crate) fn as_legacy_subscription(body: &[u8]) -> Option<(u8, &[u8])> {
    if let Some(topic) = body.strip_prefix(SUBSCRIBE) {
        Some((1, topic))
    } else {
        body.strip_prefix(CANCEL).map(|topic| (0, topic))
    }
}

/// Appends one property. Names longer than 255 bytes cannot be encoded and are
/// skipped (libzmq asserts instead); values are bounded by the 4-byte length.
pub(crate) fn write_property(out: &mut Vec<u8>, name: &[u8], value: &[u8]) {
    let (Ok(name_len), Ok(value_len)) = (u8::try_from(name.len()), u32::try_from(value.len())) else {
        return;
    };
    out.push(name_len);
    out.extend_from_slice(name);
    out.extend_from_slice(&value_len.to_be_bytes());
    out.extend_from_slice(value);
}

/// The property list did not parse.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Malformed;

/// Why [`collect_properties`] refused a list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum PropertyError {
    Malformed,
    /// A `Socket-Type` our socket may not talk to; holds the name.
    IncompatibleSocketType(Vec<u8>),
}

/// Appends the properties of `list` to `into`, keeping the first of duplicate names
/// (libzmq's map insert), and checks a `Socket-Type` against `socket_type`, as
/// libzmq's `mechanism_t::parse_metadata` does for READY, INITIATE and ZAP metadata.
/// Properties before a failure stay appended.
pub(crate) fn collect_properties(
    list: &[u8],
    socket_type: i32,
    into: &mut Vec<(String, Vec<u8>)>,
) -> Result<(), PropertyError> {
    // A set of the names so far: a peer may send hundreds of thousands.
    let mut known: std::collections::HashSet<String> = into.iter().map(|(name, _)| name.clone()).collect();
    for property in Properties::new(list) {
        let (name, value) = property.map_err(|Malformed| PropertyError::Malformed)?;
        if name == SOCKET_TYPE.as_bytes() && !super::socket_type::compatible_with_name(socket_type, value) {
            return Err(PropertyError::IncompatibleSocketType(value.to_vec()));
        }
        let name = String::from_utf8_lossy(name).into_owned();
        if known.insert(name.clone()) {
            into.push((name, value.to_vec()));
        }
    }
    Ok(())
}

/// The body of an ERROR command with `reason` (at most 255 bytes are sent).
pub(crate) fn error(reason: &[u8]) -> Vec<u8> {
    let reason = reason.get(..usize::from(u8::MAX)).unwrap_or(reason);
    let mut body = Vec::with_capacity(ERROR.len() + 1 + reason.len());
    body.extend_from_slice(ERROR);
    body.push(reason.len() as u8);
    body.extend_from_slice(reason);
    body
}

/// The reason of an ERROR command body (after its name): a length byte and that
/// many bytes, anything after them ignored (ZMTP 3.0 "The NULL Security
/// Mechanism", libzmq's `process_error_command`).
pub(crate) fn error_reason(data: &[u8]) -> Result<&[u8], Malformed> {
    let (&len, rest) = data.split_first().ok_or(Malformed)?;
    rest.get(..usize::from(len)).ok_or(Malformed)
}

/// Iterates a property list; yields `Err(Malformed)` once (then stops) when the list
/// is truncated or has trailing bytes, as libzmq's `mechanism_t::parse_metadata`.
#[derive(Debug)]
pub(crate) struct Properties<'a> {
    rest: &'a [u8],
    failed: bool,
}

impl<'a> Properties<'a> {
    pub(crate) fn new(list: &'a [u8]) -> Properties<'a> {
        Properties { rest: list, failed: false }
    }
}

impl<'a> Iterator for Properties<'a> {
    type Item = Result<(&'a [u8], &'a [u8]), Malformed>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed || self.rest.is_empty() {
            return None;
        }
        let parsed = (|| {
            let (&name_len, rest) = self.rest.split_first()?;
            let name = rest.get(..usize::from(name_len))?;
            let rest = rest.get(usize::from(name_len)..)?;
            let value_len = rest.get(..4)?;
            let value_len = usize::try_from(u32::from_be_bytes(value_len.try_into().ok()?)).ok()?;
            let rest = rest.get(4..)?;
            let value = rest.get(..value_len)?;
            Some((name, value, rest.get(value_len..)?))
        })();
        match parsed {
            Some((name, value, rest)) => {
                self.rest = rest;
                Some(Ok((name, value)))
            }
            None => {
                self.failed = true;
                Some(Err(Malformed))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn properties_round_trip() {
        let mut list = Vec::new();
        write_property(&mut list, b"Socket-Type", b"DEALER");
        write_property(&mut list, b"Identity", b"");
        write_property(&mut list, b"", b"v");
        write_property(&mut list, &[b'n'; 256], b"skipped");
        assert_eq!(&list[..12], b"\x0bSocket-Type");
        assert_eq!(&list[12..16], &[0, 0, 0, 6]);
        let parsed: Vec<_> = Properties::new(&list).collect();
        assert_eq!(
            parsed,
            vec![
                Ok((&b"Socket-Type"[..], &b"DEALER"[..])),
                Ok((&b"Identity"[..], &b""[..])),
                Ok((&b""[..], &b"v"[..]))
            ]
        );
    }

    #[test]
    fn malformed_lists_fail_once() {
        let mut list = Vec::new();
        write_property(&mut list, b"A", b"value");
        for cut in 1..list.len() {
            let parsed: Vec<_> = Properties::new(&list[..cut]).collect();
            assert_eq!(parsed, vec![Err(Malformed)], "cut at {cut}");
        }
        let mut trailing = list.clone();
        trailing.push(0);
        let parsed: Vec<_> = Properties::new(&trailing).collect();
        assert_eq!(parsed, vec![Ok((&b"A"[..], &b"value"[..])), Err(Malformed)]);
        let huge = [1, b'A', 0xff, 0xff, 0xff, 0xff, 0];
        assert_eq!(Properties::new(&huge).collect::<Vec<_>>(), vec![Err(Malformed)]);
    }

    #[test]
    fn commands_are_classified() {
        assert_eq!(parse(b"\x04PING\x00\x0a"), Command::Ping { ttl: 10, context: b"" });
        assert_eq!(parse(b"\x04PING"), Command::Ping { ttl: 0, context: b"" });
        assert_eq!(parse(b"\x04PING\x01"), Command::Ping { ttl: 0, context: b"" });
        let long = b"\x04PING\x00\x01abcdefghijklmnopqrstuvwxyz";
        assert_eq!(parse(long), Command::Ping { ttl: 1, context: b"abcdefghijklmnop" });
        assert_eq!(parse(b"\x04PONGctx"), Command::Pong);
        assert_eq!(parse(b"\x09SUBSCRIBEtopic"), Command::Subscribe(b"topic"));
        assert_eq!(parse(b"\x06CANCEL"), Command::Cancel(b""));
        assert_eq!(parse(b"\x04JOINtv"), Command::Join(b"tv"));
        assert_eq!(parse(b"\x05LEAVE"), Command::Leave(b""));
        assert_eq!(parse(b"\x04JOI"), Command::Other);
        assert_eq!(parse(b"\x05HELLO"), Command::Other);
        assert_eq!(parse(b"\x09SUB"), Command::Other);
        assert_eq!(parse(b""), Command::Other);
        assert_eq!(&ping(0x0102), b"\x04PING\x01\x02");
        let mut pong = Vec::new();
        write_pong(&mut pong, b"ctx");
        assert_eq!(pong, b"\x04PONGctx");
    }

    #[test]
    fn properties_are_collected_and_checked() {
        let mut list = Vec::new();
        write_property(&mut list, b"Socket-Type", b"PUB");
        write_property(&mut list, b"X-A", b"1");
        write_property(&mut list, b"X-A", b"2");
        let mut into = vec![("X-B".to_owned(), b"0".to_vec())];
        assert_eq!(collect_properties(&list, crate::constants::ZMQ_SUB, &mut into), Ok(()));
        assert_eq!(
            into,
            [
                ("X-B".to_owned(), b"0".to_vec()),
                ("Socket-Type".to_owned(), b"PUB".to_vec()),
                ("X-A".to_owned(), b"1".to_vec())
            ]
        );
        let refused = collect_properties(&list, crate::constants::ZMQ_PUSH, &mut Vec::new());
        assert_eq!(refused, Err(PropertyError::IncompatibleSocketType(b"PUB".to_vec())));
        assert_eq!(collect_properties(&[1], 0, &mut Vec::new()), Err(PropertyError::Malformed));
    }

    #[test]
    fn error_commands() {
        assert_eq!(error(b"400"), b"\x05ERROR\x03400");
        assert_eq!(error(&[b'x'; 300]).len(), 6 + 1 + 255);
        assert_eq!(error_reason(b"\x03400trailing"), Ok(&b"400"[..]));
        assert_eq!(error_reason(b""), Err(Malformed));
        assert_eq!(error_reason(b"\x04abc"), Err(Malformed));
    }

    #[test]
    fn legacy_subscriptions() {
        assert_eq!(as_legacy_subscription(b"\x09SUBSCRIBEab"), Some((1, &b"ab"[..])));
        assert_eq!(as_legacy_subscription(b"\x06CANCELab"), Some((0, &b"ab"[..])));
        assert_eq!(as_legacy_subscription(b"\x04PING"), None);
    }
}
