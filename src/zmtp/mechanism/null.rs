//! The NULL mechanism: ZMTP 3.0 "The NULL Security Mechanism" (spec 23). Each peer
//! sends READY with its properties and expects the other's READY; a peer that refuses
//! the connection sends ERROR with a reason instead. libzmq: `null_mechanism.cpp`,
//! `mechanism.cpp` (properties and the socket type check). ZAP is not handled here.

use super::Mechanism;
use crate::constants::{ZMQ_DEALER, ZMQ_REQ, ZMQ_ROUTER};
use crate::zmtp::command::{self, Malformed, Properties};
use crate::zmtp::error::ProtocolError;
use crate::zmtp::{socket_type, Config};

#[derive(Debug)]
pub(crate) struct Null {
    socket_type: i32,
    /// Our READY until it is handed out to be sent.
    ready: Option<Vec<u8>>,
    ready_received: bool,
    properties: Vec<(String, Vec<u8>)>,
}

impl Null {
    pub(crate) fn new(config: &Config) -> Null {
        Null {
            socket_type: config.socket_type,
            ready: Some(ready_command(config)),
            ready_received: false,
            properties: Vec::new(),
        }
    }

    fn process_ready(&mut self, list: &[u8]) -> Result<(), ProtocolError> {
        self.ready_received = true;
        for property in Properties::new(list) {
            let (name, value) = property.map_err(|Malformed| ProtocolError::MalformedReady)?;
            if name == command::SOCKET_TYPE.as_bytes()
                && !socket_type::compatible_with_name(self.socket_type, value)
            {
                return Err(ProtocolError::IncompatibleSocketType(value.to_vec()));
            }
            let name = String::from_utf8_lossy(name);
            if !self.properties.iter().any(|(known, _)| *known == name) {
                self.properties.push((name.into_owned(), value.to_vec()));
            }
        }
        Ok(())
    }
}

/// READY with the basic properties: `Socket-Type`; `Identity` (our routing id, even
/// empty) for the types libzmq sends it for (REQ, DEALER, ROUTER); then the
/// application's `ZMQ_METADATA` properties in the order configured.
fn ready_command(config: &Config) -> Vec<u8> {
    let mut body = command::READY.to_vec();
    let name = socket_type::name(config.socket_type).unwrap_or_default();
    command::write_property(&mut body, command::SOCKET_TYPE.as_bytes(), name.as_bytes());
    if matches!(config.socket_type, ZMQ_REQ | ZMQ_DEALER | ZMQ_ROUTER) {
        command::write_property(&mut body, command::IDENTITY.as_bytes(), &config.routing_id);
    }
    for (name, value) in &config.metadata {
        command::write_property(&mut body, name.as_bytes(), value);
    }
    body
}

impl Mechanism for Null {
    fn next_handshake_command(&mut self) -> Option<Vec<u8>> {
        self.ready.take()
    }

    /// As libzmq, the command flag of the frame is not checked: the body must start
    /// with READY or ERROR, and anything after READY is unexpected.
    fn process_handshake_command(&mut self, body: &[u8]) -> Result<(), ProtocolError> {
        if self.ready_received {
            return Err(ProtocolError::UnexpectedCommand);
        }
        if let Some(list) = body.strip_prefix(command::READY) {
            self.process_ready(list)
        } else if let Some(rest) = body.strip_prefix(command::ERROR) {
            let (&len, rest) = rest.split_first().ok_or(ProtocolError::MalformedError)?;
            let reason = rest.get(..usize::from(len)).ok_or(ProtocolError::MalformedError)?;
            Err(ProtocolError::PeerError(reason.to_vec()))
        } else {
            Err(ProtocolError::UnexpectedCommand)
        }
    }

    fn is_ready(&self) -> bool {
        self.ready.is_none() && self.ready_received
    }

    fn peer_properties(&self) -> &[(String, Vec<u8>)] {
        &self.properties
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::constants::{ZMQ_PUB, ZMQ_SUB};

    fn config(socket_type: i32) -> Config {
        let mut config = Config::new(socket_type);
        config.routing_id = b"me".to_vec();
        config.metadata = vec![("X-Hello".to_owned(), b"world".to_vec())];
        config
    }

    #[test]
    fn ready_carries_basic_properties() {
        let mut null = Null::new(&config(ZMQ_DEALER));
        let ready = null.next_handshake_command().unwrap();
        let expected: &[u8] =
            b"\x05READY\x0bSocket-Type\0\0\0\x06DEALER\x08Identity\0\0\0\x02me\x07X-Hello\0\0\0\x05world";
        assert_eq!(ready, expected);
        assert!(null.next_handshake_command().is_none());

        let mut null = Null::new(&config(ZMQ_PUB));
        let ready = null.next_handshake_command().unwrap();
        assert_eq!(ready, b"\x05READY\x0bSocket-Type\0\0\0\x03PUB\x07X-Hello\0\0\0\x05world");
    }

    #[test]
    fn peer_ready_completes_the_handshake() {
        let mut null = Null::new(&config(ZMQ_SUB));
        null.next_handshake_command();
        assert!(!null.is_ready());
        let body = b"\x05READY\x0bSocket-Type\0\0\0\x04XPUB\x01A\0\0\0\x01a\x01A\0\0\0\x01b";
        null.process_handshake_command(body).unwrap();
        assert!(null.is_ready());
        assert_eq!(
            null.peer_properties(),
            [("Socket-Type".to_owned(), b"XPUB".to_vec()), ("A".to_owned(), b"a".to_vec())]
        );
        assert_eq!(null.process_handshake_command(b"\x05READY"), Err(ProtocolError::UnexpectedCommand));
    }

    #[test]
    fn bad_commands_fail() {
        let cases: [(&[u8], ProtocolError); 7] = [
            (
                b"\x05READY\x0bSocket-Type\0\0\0\x03SUB",
                ProtocolError::IncompatibleSocketType(b"SUB".to_vec()),
            ),
            (b"\x05READY\x0bSocket-Type\0\0\0", ProtocolError::MalformedReady),
            (b"\x05READY\x00", ProtocolError::MalformedReady),
            (b"\x05ERROR\x03400", ProtocolError::PeerError(b"400".to_vec())),
            (b"\x05ERROR", ProtocolError::MalformedError),
            (b"\x05ERROR\x04abc", ProtocolError::MalformedError),
            (b"\x05HELLO", ProtocolError::UnexpectedCommand),
        ];
        for (body, error) in cases {
            let mut null = Null::new(&config(ZMQ_SUB));
            assert_eq!(null.process_handshake_command(body), Err(error), "{body:?}");
        }
        // No Socket-Type at all is accepted, as libzmq does.
        let mut null = Null::new(&config(ZMQ_SUB));
        assert_eq!(null.process_handshake_command(b"\x05READY"), Ok(()));
    }
}
