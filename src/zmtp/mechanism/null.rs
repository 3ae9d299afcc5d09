//! The NULL mechanism: ZMTP 3.0 "The NULL Security Mechanism" (spec 23). Each peer
//! sends READY with its properties and expects the other's READY; a peer that refuses
//! the connection sends ERROR with a reason instead. libzmq: `null_mechanism.cpp`,
//! `mechanism.cpp` (properties and the socket type check).
//!
//! With a ZAP domain set (and a handler bound), either side first asks the ZAP
//! handler about the peer (mechanism "NULL", no credentials) and holds its READY
//! until the verdict: 200 sends READY, 400/500 send ERROR with the status code, 300
//! sends nothing; a refusal fails the handshake. The peer's READY may arrive before
//! the verdict; it is kept.

use super::{Mechanism, Setup};
use crate::zmtp::command;
use crate::zmtp::error::{ProtocolError, ZapError};
use crate::zmtp::zap::{self, Credentials};

/// Where the ZAP exchange stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Zap {
    /// Not decided yet: decided when READY would first be sent.
    Undecided,
    /// Not needed (no domain, or no handler without enforcement).
    Skipped,
    /// A request is to be handed out.
    ToAsk,
    /// The request is out; waiting for the verdict.
    Asked,
    Accepted,
    Refused(zap::Status),
}

#[derive(Debug)]
pub(crate) struct Null {
    setup: Setup,
    zap: Zap,
    /// READY or ERROR was handed out.
    command_sent: bool,
    ready_sent: bool,
    ready_received: bool,
    properties: Vec<(String, Vec<u8>)>,
}

impl Null {
    pub(crate) fn new(setup: Setup) -> Null {
        Null {
            setup,
            zap: Zap::Undecided,
            command_sent: false,
            ready_sent: false,
            ready_received: false,
            properties: Vec::new(),
        }
    }
}

impl Mechanism for Null {
    fn next_handshake_command(&mut self) -> Result<Option<Vec<u8>>, ProtocolError> {
        if self.command_sent {
            return Ok(None);
        }
        if self.zap == Zap::Undecided {
            self.zap = if self.setup.zap.null()? { Zap::ToAsk } else { Zap::Skipped };
        }
        match self.zap {
            Zap::ToAsk | Zap::Asked | Zap::Undecided => Ok(None),
            Zap::Refused(status) => {
                self.command_sent = true;
                Ok(status.error_command())
            }
            Zap::Skipped | Zap::Accepted => {
                self.command_sent = true;
                self.ready_sent = true;
                Ok(Some(super::command_body(command::READY, &self.setup.properties)))
            }
        }
    }

    /// As libzmq, the command flag of the frame is not checked: the body must start
    /// with READY or ERROR, and anything after READY is unexpected.
    fn process_handshake_command(&mut self, body: &[u8]) -> Result<(), ProtocolError> {
        if self.ready_received {
            return Err(ProtocolError::UnexpectedCommand);
        }
        if let Some(list) = body.strip_prefix(command::READY) {
            self.ready_received = true;
            self.setup.collect_properties(
                list,
                &mut self.properties,
                ProtocolError::MalformedReady,
                ProtocolError::IncompatibleSocketType,
            )
        } else if let Some(rest) = body.strip_prefix(command::ERROR) {
            Err(super::peer_error(rest))
        } else {
            Err(ProtocolError::UnexpectedCommand)
        }
    }

    fn zap_request(&mut self) -> Option<Credentials> {
        if self.zap != Zap::ToAsk {
            return None;
        }
        self.zap = Zap::Asked;
        Some(Credentials { mechanism: b"NULL", frames: Vec::new() })
    }

    fn zap_reply(&mut self, status: zap::Status) -> Result<(), ProtocolError> {
        if self.zap != Zap::Asked {
            return Err(ProtocolError::ZapReply(ZapError::Unexpected));
        }
        self.zap = match status {
            zap::Status::Accepted => Zap::Accepted,
            refused => Zap::Refused(refused),
        };
        status.check()
    }

    fn is_ready(&self) -> bool {
        self.ready_sent && self.ready_received
    }

    fn peer_properties(&self) -> &[(String, Vec<u8>)] {
        &self.properties
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::constants::{ZMQ_DEALER, ZMQ_PUB, ZMQ_SUB};
    use crate::zmtp::mechanism::basic_properties;
    use crate::zmtp::Config;

    fn config(socket_type: i32) -> Config {
        let mut config = Config::new(socket_type);
        config.routing_id = b"me".to_vec();
        config.metadata = vec![("X-Hello".to_owned(), b"world".to_vec())];
        config
    }

    fn make(config: &Config) -> Null {
        Null::new(Setup {
            socket_type: config.socket_type,
            properties: basic_properties(config),
            zap: zap::Policy::new(config),
        })
    }

    #[test]
    fn ready_carries_basic_properties() {
        let mut null = make(&config(ZMQ_DEALER));
        let ready = null.next_handshake_command().unwrap().unwrap();
        let expected: &[u8] =
            b"\x05READY\x0bSocket-Type\0\0\0\x06DEALER\x08Identity\0\0\0\x02me\x07X-Hello\0\0\0\x05world";
        assert_eq!(ready, expected);
        assert_eq!(null.next_handshake_command(), Ok(None));
        assert!(null.zap_request().is_none());

        let mut null = make(&config(ZMQ_PUB));
        let ready = null.next_handshake_command().unwrap().unwrap();
        assert_eq!(ready, b"\x05READY\x0bSocket-Type\0\0\0\x03PUB\x07X-Hello\0\0\0\x05world");
    }

    #[test]
    fn peer_ready_completes_the_handshake() {
        let mut null = make(&config(ZMQ_SUB));
        null.next_handshake_command().unwrap();
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
            let mut null = make(&config(ZMQ_SUB));
            assert_eq!(null.process_handshake_command(body), Err(error), "{body:?}");
        }
        // No Socket-Type at all is accepted, as libzmq does.
        let mut null = make(&config(ZMQ_SUB));
        assert_eq!(null.process_handshake_command(b"\x05READY"), Ok(()));
    }

    fn with_zap(enforce: bool, handler: bool) -> Null {
        let mut config = config(ZMQ_SUB);
        config.zap_domain = b"test".to_vec();
        config.zap_enforce_domain = enforce;
        config.zap_handler = handler;
        make(&config)
    }

    #[test]
    fn zap_holds_ready_until_accepted() {
        let mut null = with_zap(false, true);
        assert_eq!(null.next_handshake_command(), Ok(None));
        // A reply before the request went out is unexpected.
        assert_eq!(null.zap_reply(zap::Status::Accepted), Err(ProtocolError::ZapReply(ZapError::Unexpected)));
        let request = null.zap_request().unwrap();
        assert_eq!(request, Credentials { mechanism: b"NULL", frames: vec![] });
        assert!(null.zap_request().is_none());
        // The peer's READY is kept meanwhile.
        null.process_handshake_command(b"\x05READY\x0bSocket-Type\0\0\0\x03PUB").unwrap();
        assert!(!null.is_ready());
        assert_eq!(null.next_handshake_command(), Ok(None));
        null.zap_reply(zap::Status::Accepted).unwrap();
        assert!(null.next_handshake_command().unwrap().unwrap().starts_with(b"\x05READY"));
        assert!(null.is_ready());
        assert_eq!(null.zap_reply(zap::Status::Accepted), Err(ProtocolError::ZapReply(ZapError::Unexpected)));
    }

    #[test]
    fn zap_refusals_send_error_except_300() {
        for (code, error) in
            [(300, None), (400, Some(&b"\x05ERROR\x03400"[..])), (500, Some(b"\x05ERROR\x03500"))]
        {
            let mut null = with_zap(true, true);
            assert_eq!(null.next_handshake_command(), Ok(None));
            null.zap_request().unwrap();
            assert_eq!(
                null.zap_reply(zap::Status::Refused(code)),
                Err(ProtocolError::AuthenticationFailed(code))
            );
            assert_eq!(null.next_handshake_command().unwrap().as_deref(), error);
            assert_eq!(null.next_handshake_command(), Ok(None));
            assert!(!null.is_ready());
        }
    }

    #[test]
    fn zap_without_a_handler() {
        // Not enforced: the peer is let in without asking.
        let mut null = with_zap(false, false);
        assert!(null.next_handshake_command().unwrap().is_some());
        assert!(null.zap_request().is_none());
        // Enforced: the handshake fails.
        let mut null = with_zap(true, false);
        assert_eq!(null.next_handshake_command(), Err(ProtocolError::NoZapHandler));
    }
}
