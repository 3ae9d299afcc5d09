//! The opening handshake (RFC 6455 section 4) as ZWS 2.0 (RFC 45) and libzmq's
//! `ws_engine` run it: the client sends an HTTP `GET` asking to upgrade, offering
//! sub-protocols in `Sec-WebSocket-Protocol`; the server picks the first it speaks
//! and answers `101 Switching Protocols` with `Sec-WebSocket-Accept`, base64 of the
//! SHA-1 of the client's key and RFC 6455's GUID.
//!
//! The sub-protocol names the security mechanism (`ZWS2.0/NULL`, `ZWS2.0/PLAIN`,
//! `ZWS2.0/CURVE`) or none (`ZWS2.0`: routing ids first, as ZMTP 2.0). A peer takes
//! only its own mechanism's name, and `ZWS2.0` only with NULL, as libzmq's
//! `select_protocol`. Beyond libzmq, the client checks the server's
//! `Sec-WebSocket-Accept` (libzmq only requires one).

use sha1::{Digest, Sha1};

use super::base64;
use super::http::{self, Head, Malformed, Step};
use crate::zmtp::{Headless, ProtocolError, Security};

/// RFC 6455's GUID, appended to the client's key before hashing.
const GUID: &str = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/// What runs over the WebSocket once it is open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subprotocol {
    /// `ZWS2.0`: no mechanism.
    Bare,
    /// `ZWS2.0/NULL`
    Null,
    /// `ZWS2.0/PLAIN`
    Plain,
    /// `ZWS2.0/CURVE`
    Curve,
}

impl Subprotocol {
    /// The name in `Sec-WebSocket-Protocol`.
    pub fn name(self) -> &'static str {
        match self {
            Subprotocol::Bare => "ZWS2.0",
            Subprotocol::Null => "ZWS2.0/NULL",
            Subprotocol::Plain => "ZWS2.0/PLAIN",
            Subprotocol::Curve => "ZWS2.0/CURVE",
        }
    }

    /// Where the ZMTP connection starts.
    pub fn headless(self) -> Headless {
        match self {
            Subprotocol::Bare => Headless::Identity,
            Subprotocol::Null | Subprotocol::Plain | Subprotocol::Curve => Headless::Mechanism,
        }
    }

    /// libzmq's `select_protocol`: the sub-protocol `name` is, if a peer with
    /// `security` speaks it.
    pub fn select(security: &Security, name: &[u8]) -> Option<Subprotocol> {
        let ours: &[Subprotocol] = match security {
            Security::Null => &[Subprotocol::Bare, Subprotocol::Null],
            Security::PlainClient { .. } | Security::PlainServer => &[Subprotocol::Plain],
            Security::CurveClient { .. } | Security::CurveServer { .. } => &[Subprotocol::Curve],
        };
        ours.iter().copied().find(|protocol| protocol.name().as_bytes() == name)
    }

    /// What a client with `security` offers, in libzmq's order.
    pub fn offer(security: &Security) -> &'static str {
        match security {
            Security::Null => "ZWS2.0/NULL,ZWS2.0",
            Security::PlainClient { .. } | Security::PlainServer => "ZWS2.0/PLAIN",
            Security::CurveClient { .. } | Security::CurveServer { .. } => "ZWS2.0/CURVE",
        }
    }
}

/// `Sec-WebSocket-Accept` for the client's `Sec-WebSocket-Key`.
pub fn accept_key(key: &[u8]) -> String {
    let mut hash = Sha1::new();
    hash.update(key);
    hash.update(GUID.as_bytes());
    base64::encode(&hash.finalize())
}

/// `bytes` without its leading spaces.
fn skip_spaces(bytes: &[u8]) -> &[u8] {
    let start = bytes.iter().position(|&byte| byte != b' ').unwrap_or(bytes.len());
    bytes.get(start..).unwrap_or_default()
}

/// How far a handshake got with the input it was given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Progress {
    /// The head is not complete; all the input was read.
    NeedMore,
    /// The head ended after `used` bytes of the input (the rest is WebSocket frames)
    /// and the connection speaks `protocol`.
    Done { protocol: Subprotocol, used: usize },
}

/// Feeds `input` to `head` a byte at a time, handing each header to `header`;
/// `Some(used)` once the head is complete.
fn read_head(
    head: &mut Head,
    input: &[u8],
    mut header: impl FnMut(&[u8], &[u8]) -> Result<(), Malformed>,
) -> Result<Option<usize>, Malformed> {
    for (index, &byte) in input.iter().enumerate() {
        match head.step(byte)? {
            Step::More => {}
            Step::Header { name, value } => header(name, value)?,
            Step::End => return Ok(Some(index + 1)),
        }
    }
    Ok(None)
}

/// The server's side: reads the client's request, then has the answer.
#[derive(Debug)]
pub(crate) struct ServerHandshake {
    security: Security,
    head: Head,
    upgrade_websocket: bool,
    connection_upgrade: bool,
    key: Vec<u8>,
    protocol: Option<Subprotocol>,
}

impl ServerHandshake {
    /// A server whose socket uses `security`.
    pub(crate) fn new(security: &Security) -> ServerHandshake {
        ServerHandshake {
            security: security.clone(),
            head: Head::new(http::REQUEST_LINE),
            upgrade_websocket: false,
            connection_upgrade: false,
            key: Vec::new(),
            protocol: None,
        }
    }

    /// Reads request bytes. Fails ([`ProtocolError::WsUpgradeFailed`]) on a
    /// malformed request, and at its end when it lacks `Upgrade: websocket`,
    /// `Connection: Upgrade`, a `Sec-WebSocket-Key` or a sub-protocol we speak.
    pub(crate) fn feed(&mut self, input: &[u8]) -> Result<Progress, ProtocolError> {
        let Self { security, head, upgrade_websocket, connection_upgrade, key, protocol } = self;
        let header = |name: &[u8], value: &[u8]| {
            if http::same_text(name, "Upgrade") {
                *upgrade_websocket = http::same_text(value, "websocket");
            } else if http::same_text(name, "Connection") {
                // A list; "Upgrade" among its elements (leading spaces ignored).
                let mut elements = value.split(|&byte| byte == b',');
                if elements.any(|element| http::same_text(skip_spaces(element), "upgrade")) {
                    *connection_upgrade = true;
                }
            } else if http::same_text(name, "Sec-WebSocket-Key") {
                *key = value.to_vec();
            } else if http::same_text(name, "Sec-WebSocket-Protocol") && protocol.is_none() {
                // A list, possibly over several headers: the first we speak wins.
                // libzmq drops one leading space per element.
                *protocol = value
                    .split(|&byte| byte == b',')
                    .map(|element| element.strip_prefix(b" ").unwrap_or(element))
                    .find_map(|element| Subprotocol::select(security, element));
            }
            Ok(())
        };
        let used = read_head(head, input, header).map_err(|Malformed| ProtocolError::WsUpgradeFailed)?;
        let Some(used) = used else { return Ok(Progress::NeedMore) };
        match self.protocol {
            Some(protocol) if self.upgrade_websocket && self.connection_upgrade && !self.key.is_empty() => {
                Ok(Progress::Done { protocol, used })
            }
            _ => Err(ProtocolError::WsUpgradeFailed),
        }
    }

    /// The answer to a complete request (libzmq's bytes exactly).
    pub(crate) fn response(&self) -> Vec<u8> {
        let protocol = self.protocol.map_or("", Subprotocol::name);
        format!(
            "HTTP/1.1 101 Switching Protocols\r\n\
             Upgrade: websocket\r\n\
             Connection: Upgrade\r\n\
             Sec-WebSocket-Accept: {}\r\n\
             Sec-WebSocket-Protocol: {}\r\n\
             \r\n",
            accept_key(&self.key),
            protocol
        )
        .into_bytes()
    }
}

/// The client's side: has the request to send, then reads the answer.
#[derive(Debug)]
pub(crate) struct ClientHandshake {
    security: Security,
    head: Head,
    expected_accept: String,
    upgrade_websocket: bool,
    connection_upgrade: bool,
    accept: Vec<u8>,
    protocol: Option<Subprotocol>,
}

impl ClientHandshake {
    /// A client for `ws://host:port/path` (`host` as given to `zmq_connect`, without
    /// the port, as libzmq sends it) whose socket uses `security`, with the 16
    /// random bytes of its key. Also returns the request to send.
    pub(crate) fn new(
        security: &Security,
        host: &str,
        path: &str,
        nonce: [u8; 16],
    ) -> (ClientHandshake, Vec<u8>) {
        let key = base64::encode(&nonce);
        let request = format!(
            "GET {path} HTTP/1.1\r\n\
             Host: {host}\r\n\
             Upgrade: websocket\r\n\
             Connection: Upgrade\r\n\
             Sec-WebSocket-Key: {key}\r\n\
             Sec-WebSocket-Protocol: {}\r\n\
             Sec-WebSocket-Version: 13\r\n\
             \r\n",
            Subprotocol::offer(security)
        );
        let handshake = ClientHandshake {
            security: security.clone(),
            head: Head::new(http::STATUS_LINE),
            expected_accept: accept_key(key.as_bytes()),
            upgrade_websocket: false,
            connection_upgrade: false,
            accept: Vec::new(),
            protocol: None,
        };
        (handshake, request.into_bytes())
    }

    /// Reads response bytes. Fails ([`ProtocolError::WsUpgradeFailed`]) on anything
    /// but `101 Switching Protocols` with `Upgrade: websocket`, `Connection:
    /// Upgrade`, the right `Sec-WebSocket-Accept` and one sub-protocol we offered.
    pub(crate) fn feed(&mut self, input: &[u8]) -> Result<Progress, ProtocolError> {
        let Self { security, head, upgrade_websocket, connection_upgrade, accept, protocol, .. } = self;
        let header = |name: &[u8], value: &[u8]| {
            if http::same_text(name, "Upgrade") {
                *upgrade_websocket = http::same_text(value, "websocket");
            } else if http::same_text(name, "Connection") {
                *connection_upgrade = http::same_text(value, "upgrade");
            } else if http::same_text(name, "Sec-WebSocket-Accept") {
                *accept = value.to_vec();
            } else if http::same_text(name, "Sec-WebSocket-Protocol") {
                // A second choice after a mechanism was chosen is refused, as libzmq.
                if protocol.is_some_and(|chosen| chosen != Subprotocol::Bare) {
                    return Err(Malformed);
                }
                if let Some(chosen) = Subprotocol::select(security, value) {
                    *protocol = Some(chosen);
                }
            }
            Ok(())
        };
        let used = read_head(head, input, header).map_err(|Malformed| ProtocolError::WsUpgradeFailed)?;
        let Some(used) = used else { return Ok(Progress::NeedMore) };
        let accepted = self.accept == self.expected_accept.as_bytes();
        match self.protocol {
            Some(protocol) if self.upgrade_websocket && self.connection_upgrade && accepted => {
                Ok(Progress::Done { protocol, used })
            }
            _ => Err(ProtocolError::WsUpgradeFailed),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NONCE: [u8; 16] = *b"the sample nonce";

    fn plain_client() -> Security {
        Security::PlainClient { username: b"u".to_vec(), password: b"p".to_vec() }
    }

    #[test]
    fn rfc_6455_accept_key() {
        // RFC 6455 section 1.3.
        assert_eq!(accept_key(b"dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
        assert_eq!(base64::encode(&NONCE), "dGhlIHNhbXBsZSBub25jZQ==");
    }

    #[test]
    fn protocols_per_mechanism() {
        let null = Security::Null;
        assert_eq!(Subprotocol::select(&null, b"ZWS2.0"), Some(Subprotocol::Bare));
        assert_eq!(Subprotocol::select(&null, b"ZWS2.0/NULL"), Some(Subprotocol::Null));
        assert_eq!(Subprotocol::select(&null, b"ZWS2.0/PLAIN"), None);
        assert_eq!(Subprotocol::select(&null, b"zws2.0"), None, "names are case-sensitive");
        assert_eq!(Subprotocol::select(&plain_client(), b"ZWS2.0/PLAIN"), Some(Subprotocol::Plain));
        assert_eq!(Subprotocol::select(&Security::PlainServer, b"ZWS2.0"), None);
        let curve = Security::CurveServer { secret_key: [0; 32] };
        assert_eq!(Subprotocol::select(&curve, b"ZWS2.0/CURVE"), Some(Subprotocol::Curve));
        assert_eq!(Subprotocol::offer(&null), "ZWS2.0/NULL,ZWS2.0");
        assert_eq!(Subprotocol::offer(&plain_client()), "ZWS2.0/PLAIN");
        assert_eq!(Subprotocol::offer(&curve), "ZWS2.0/CURVE");
        assert_eq!(Subprotocol::Bare.headless(), Headless::Identity);
        assert_eq!(Subprotocol::Curve.headless(), Headless::Mechanism);
    }

    #[test]
    fn client_and_server_agree() {
        let (mut client, request) = ClientHandshake::new(&Security::Null, "example.com", "/zmq", NONCE);
        assert_eq!(
            String::from_utf8(request.clone()).unwrap(),
            "GET /zmq HTTP/1.1\r\nHost: example.com\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
             Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Protocol: ZWS2.0/NULL,ZWS2.0\r\n\
             Sec-WebSocket-Version: 13\r\n\r\n"
        );
        let mut server = ServerHandshake::new(&Security::Null);
        let mut input = request.clone();
        input.extend_from_slice(b"frames");
        let done = Progress::Done { protocol: Subprotocol::Null, used: request.len() };
        assert_eq!(server.feed(&input), Ok(done));
        let response = server.response();
        assert_eq!(
            String::from_utf8(response.clone()).unwrap(),
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
             Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\nSec-WebSocket-Protocol: ZWS2.0/NULL\r\n\r\n"
        );
        // A byte at a time.
        for (index, byte) in response.iter().enumerate() {
            let progress = client.feed(&[*byte]).unwrap();
            if index + 1 < response.len() {
                assert_eq!(progress, Progress::NeedMore);
            } else {
                assert_eq!(progress, Progress::Done { protocol: Subprotocol::Null, used: 1 });
            }
        }
    }

    fn request(headers: &str) -> Vec<u8> {
        format!("GET / HTTP/1.1\r\n{headers}\r\n").into_bytes()
    }

    fn serve(security: &Security, headers: &str) -> Result<Progress, ProtocolError> {
        ServerHandshake::new(security).feed(&request(headers))
    }

    #[test]
    fn the_server_takes_libzmqs_variants() {
        let done = |protocol, headers: &str| Ok(Progress::Done { protocol, used: request(headers).len() });
        let headers = "upgrade: WebSocket\r\nconnection: keep-alive,  Upgrade\r\nsec-websocket-key: k\r\n\
                       Sec-WebSocket-Protocol: chat, ZWS2.0\r\nSec-WebSocket-Protocol: ZWS2.0/NULL\r\n";
        assert_eq!(serve(&Security::Null, headers), done(Subprotocol::Bare, headers));
        let headers = "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: k\r\n\
                       Sec-WebSocket-Protocol: ZWS2.0/NULL,ZWS2.0/PLAIN\r\n";
        assert_eq!(serve(&Security::PlainServer, headers), done(Subprotocol::Plain, headers));
    }

    #[test]
    fn the_server_refuses_incomplete_requests() {
        let all = [
            "Upgrade: websocket\r\n",
            "Connection: Upgrade\r\n",
            "Sec-WebSocket-Key: k\r\n",
            "Sec-WebSocket-Protocol: ZWS2.0\r\n",
        ];
        for missing in 0..all.len() {
            let headers: String =
                all.iter().enumerate().filter(|&(i, _)| i != missing).map(|(_, h)| *h).collect();
            assert_eq!(serve(&Security::Null, &headers), Err(ProtocolError::WsUpgradeFailed), "{headers}");
        }
        let wrong = [
            "Upgrade: h2c\r\nConnection: Upgrade\r\nSec-WebSocket-Key: k\r\nSec-WebSocket-Protocol: ZWS2.0\r\n",
            "Upgrade: websocket\r\nConnection: close\r\nSec-WebSocket-Key: k\r\nSec-WebSocket-Protocol: ZWS2.0\r\n",
            "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: k\r\nSec-WebSocket-Protocol: ZWS2.0/PLAIN\r\n",
            "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: k\r\nSec-WebSocket-Protocol: x,  ZWS2.0\r\n",
        ];
        for headers in wrong {
            assert_eq!(serve(&Security::Null, headers), Err(ProtocolError::WsUpgradeFailed), "{headers}");
        }
        let mut server = ServerHandshake::new(&Security::Null);
        assert_eq!(server.feed(b"GET / HTTP/1.1\r\n"), Ok(Progress::NeedMore));
        assert_eq!(server.feed(b"\xff: any bytes\r\n"), Ok(Progress::NeedMore));
        assert_eq!(server.feed(b"\n"), Err(ProtocolError::WsUpgradeFailed));
    }

    fn respond(client: &mut ClientHandshake, headers: &str) -> Result<Progress, ProtocolError> {
        client.feed(format!("HTTP/1.1 101 Switching Protocols\r\n{headers}\r\n").as_bytes())
    }

    #[test]
    fn the_client_checks_the_answer() {
        let accept = accept_key(b"dGhlIHNhbXBsZSBub25jZQ==");
        let good = format!(
            "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {accept}\r\n\
             Sec-WebSocket-Protocol: ZWS2.0\r\n"
        );
        let mut client = ClientHandshake::new(&Security::Null, "h", "/", NONCE).0;
        assert!(matches!(
            respond(&mut client, &good),
            Ok(Progress::Done { protocol: Subprotocol::Bare, .. })
        ));
        let bad = [
            good.replace(&accept, "AAAAAAAAAAAAAAAAAAAAAAAAAAA="),
            good.replace("Sec-WebSocket-Accept", "X-Accept"),
            good.replace("ZWS2.0", "ZWS2.0/PLAIN"),
            good.replace("Connection: Upgrade", "Connection: keep-alive, Upgrade"),
            good.replace("websocket", "h2c"),
            format!("{good}Sec-WebSocket-Protocol: ZWS2.0/NULL\r\nSec-WebSocket-Protocol: ZWS2.0\r\n"),
        ];
        for headers in bad {
            let mut client = ClientHandshake::new(&Security::Null, "h", "/", NONCE).0;
            assert_eq!(respond(&mut client, &headers), Err(ProtocolError::WsUpgradeFailed), "{headers}");
        }
        let mut client = ClientHandshake::new(&Security::Null, "h", "/", NONCE).0;
        assert_eq!(client.feed(b"HTTP/1.1 400 Bad Request\r\n"), Err(ProtocolError::WsUpgradeFailed));
        let mut plain = ClientHandshake::new(&plain_client(), "h", "/", NONCE).0;
        let chosen = good.replace("ZWS2.0", "ZWS2.0/PLAIN");
        assert!(matches!(
            respond(&mut plain, &chosen),
            Ok(Progress::Done { protocol: Subprotocol::Plain, .. })
        ));
    }
}
