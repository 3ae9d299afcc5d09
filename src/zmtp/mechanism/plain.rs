//! The PLAIN mechanism (spec 24, "ZMTP 3.0 PLAIN"): a username and password in clear
//! text, checked by the server's ZAP handler. libzmq: `plain_client.cpp`,
//! `plain_server.cpp`.
//!
//! ```text
//! C: HELLO     "\x05HELLO" username-len username password-len password
//! S: WELCOME   "\x07WELCOME"                       (after ZAP said 200)
//! C: INITIATE  "\x08INITIATE" properties
//! S: READY     "\x05READY" properties
//! S: ERROR     "\x05ERROR" reason-len reason       (instead of WELCOME on refusal)
//! ```
//!
//! The server always asks ZAP (mechanism "PLAIN", credentials username and
//! password) and fails without a handler.

use super::{Mechanism, Setup};
use crate::zmtp::command;
use crate::zmtp::error::{ProtocolError, ZapError};
use crate::zmtp::zap::{self, Credentials};

/// Usernames and passwords travel with a one-byte length.
const MAX_CREDENTIAL: usize = u8::MAX as usize;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ClientState {
    SendHello,
    WaitWelcome,
    SendInitiate,
    WaitReady,
    Ready,
}

/// The PLAIN client (the side with `ZMQ_PLAIN_USERNAME`).
#[derive(Debug)]
pub(crate) struct Client {
    setup: Setup,
    state: ClientState,
    hello: Vec<u8>,
    properties: Vec<(String, Vec<u8>)>,
}

impl Client {
    /// Credentials longer than 255 bytes (which the socket options refuse) are cut.
    pub(crate) fn new(setup: Setup, username: &[u8], password: &[u8]) -> Client {
        let username = username.get(..MAX_CREDENTIAL).unwrap_or(username);
        let password = password.get(..MAX_CREDENTIAL).unwrap_or(password);
        let mut hello = Vec::with_capacity(command::HELLO.len() + 2 + username.len() + password.len());
        hello.extend_from_slice(command::HELLO);
        hello.push(username.len() as u8);
        hello.extend_from_slice(username);
        hello.push(password.len() as u8);
        hello.extend_from_slice(password);
        Client { setup, state: ClientState::SendHello, hello, properties: Vec::new() }
    }
}

impl Mechanism for Client {
    fn next_handshake_command(&mut self) -> Result<Option<Vec<u8>>, ProtocolError> {
        Ok(match self.state {
            ClientState::SendHello => {
                self.state = ClientState::WaitWelcome;
                Some(core::mem::take(&mut self.hello))
            }
            ClientState::SendInitiate => {
                self.state = ClientState::WaitReady;
                Some(super::command_body(command::INITIATE, &self.setup.properties))
            }
            _ => None,
        })
    }

    fn process_handshake_command(&mut self, body: &[u8]) -> Result<(), ProtocolError> {
        if let Some(rest) = body.strip_prefix(command::WELCOME) {
            if self.state != ClientState::WaitWelcome {
                return Err(ProtocolError::UnexpectedCommand);
            }
            if !rest.is_empty() {
                return Err(ProtocolError::MalformedWelcome);
            }
            self.state = ClientState::SendInitiate;
            Ok(())
        } else if let Some(list) = body.strip_prefix(command::READY) {
            if self.state != ClientState::WaitReady {
                return Err(ProtocolError::UnexpectedCommand);
            }
            self.setup.collect_properties(
                list,
                &mut self.properties,
                ProtocolError::InvalidMetadata,
                |_| ProtocolError::InvalidMetadata,
            )?;
            self.state = ClientState::Ready;
            Ok(())
        } else if let Some(rest) = body.strip_prefix(command::ERROR) {
            if !matches!(self.state, ClientState::WaitWelcome | ClientState::WaitReady) {
                return Err(ProtocolError::UnexpectedCommand);
            }
            Err(super::peer_error(rest))
        } else {
            Err(ProtocolError::UnexpectedCommand)
        }
    }

    fn is_ready(&self) -> bool {
        self.state == ClientState::Ready
    }

    fn peer_properties(&self) -> &[(String, Vec<u8>)] {
        &self.properties
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ServerState {
    WaitHello,
    /// HELLO checked; the ZAP request is out (or about to be handed out).
    WaitZap,
    SendWelcome,
    WaitInitiate,
    SendReady,
    Ready,
    /// Refused by ZAP with 400/500: ERROR to send.
    SendError(zap::Status),
    /// ERROR sent, or refused with 300.
    Failed,
}

/// The PLAIN server (`ZMQ_PLAIN_SERVER`).
#[derive(Debug)]
pub(crate) struct Server {
    setup: Setup,
    state: ServerState,
    /// Username and password from HELLO until handed to ZAP.
    zap_request: Option<Credentials>,
    properties: Vec<(String, Vec<u8>)>,
}

impl Server {
    pub(crate) fn new(setup: Setup) -> Server {
        Server { setup, state: ServerState::WaitHello, zap_request: None, properties: Vec::new() }
    }

    /// HELLO: the name, then username and password, each with a length byte, and
    /// nothing after them.
    fn process_hello(&mut self, body: &[u8]) -> Result<(), ProtocolError> {
        super::check_command_structure(body)?;
        let rest = body.strip_prefix(command::HELLO).ok_or(ProtocolError::UnexpectedCommand)?;
        let (username, rest) = short_string(rest).ok_or(ProtocolError::MalformedHello)?;
        let (password, rest) = short_string(rest).ok_or(ProtocolError::MalformedHello)?;
        if !rest.is_empty() {
            return Err(ProtocolError::MalformedHello);
        }
        self.setup.zap.plain_server()?;
        self.zap_request =
            Some(Credentials { mechanism: b"PLAIN", frames: vec![username.to_vec(), password.to_vec()] });
        self.state = ServerState::WaitZap;
        Ok(())
    }

    fn process_initiate(&mut self, body: &[u8]) -> Result<(), ProtocolError> {
        let list = body.strip_prefix(command::INITIATE).ok_or(ProtocolError::UnexpectedCommand)?;
        self.setup.collect_properties(
            list,
            &mut self.properties,
            ProtocolError::MalformedInitiateMetadata,
            ProtocolError::IncompatibleSocketType,
        )?;
        self.state = ServerState::SendReady;
        Ok(())
    }
}

/// A length byte and that many bytes; the rest.
fn short_string(bytes: &[u8]) -> Option<(&[u8], &[u8])> {
    let (&len, rest) = bytes.split_first()?;
    Some((rest.get(..usize::from(len))?, rest.get(usize::from(len)..)?))
}

impl Mechanism for Server {
    fn next_handshake_command(&mut self) -> Result<Option<Vec<u8>>, ProtocolError> {
        Ok(match self.state {
            ServerState::SendWelcome => {
                self.state = ServerState::WaitInitiate;
                Some(command::WELCOME.to_vec())
            }
            ServerState::SendReady => {
                self.state = ServerState::Ready;
                Some(super::command_body(command::READY, &self.setup.properties))
            }
            ServerState::SendError(status) => {
                self.state = ServerState::Failed;
                status.error_command()
            }
            _ => None,
        })
    }

    fn process_handshake_command(&mut self, body: &[u8]) -> Result<(), ProtocolError> {
        match self.state {
            ServerState::WaitHello => self.process_hello(body),
            ServerState::WaitInitiate => self.process_initiate(body),
            _ => Err(ProtocolError::CommandOutOfSequence),
        }
    }

    fn zap_request(&mut self) -> Option<Credentials> {
        self.zap_request.take()
    }

    fn zap_reply(&mut self, status: zap::Status) -> Result<(), ProtocolError> {
        if self.state != ServerState::WaitZap || self.zap_request.is_some() {
            return Err(ProtocolError::ZapReply(ZapError::Unexpected));
        }
        self.state = match status {
            zap::Status::Accepted => ServerState::SendWelcome,
            zap::Status::Refused(300) => ServerState::Failed,
            refused => ServerState::SendError(refused),
        };
        status.check()
    }

    fn is_ready(&self) -> bool {
        self.state == ServerState::Ready
    }

    fn peer_properties(&self) -> &[(String, Vec<u8>)] {
        &self.properties
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::constants::{ZMQ_DEALER, ZMQ_PUSH, ZMQ_ROUTER};
    use crate::zmtp::mechanism::basic_properties;
    use crate::zmtp::Config;

    fn setup(socket_type: i32, handler: bool) -> Setup {
        let mut config = Config::new(socket_type);
        config.routing_id = b"id".to_vec();
        config.zap_handler = handler;
        Setup { socket_type, properties: basic_properties(&config), zap: zap::Policy::new(&config) }
    }

    fn client() -> Client {
        Client::new(setup(ZMQ_DEALER, false), b"admin", b"password")
    }

    fn server() -> Server {
        Server::new(setup(ZMQ_ROUTER, true))
    }

    const HELLO: &[u8] = b"\x05HELLO\x05admin\x08password";
    const INITIATE: &[u8] = b"\x08INITIATE\x0bSocket-Type\0\0\0\x06DEALER\x08Identity\0\0\0\x02id";
    const READY: &[u8] = b"\x05READY\x0bSocket-Type\0\0\0\x06ROUTER\x08Identity\0\0\0\x02id";

    #[test]
    fn full_handshake_byte_exact() {
        let mut client = client();
        let mut server = server();
        assert_eq!(server.next_handshake_command(), Ok(None));
        assert_eq!(client.next_handshake_command().unwrap().unwrap(), HELLO);
        assert_eq!(client.next_handshake_command(), Ok(None));
        server.process_handshake_command(HELLO).unwrap();
        assert_eq!(server.next_handshake_command(), Ok(None));
        assert_eq!(
            server.zap_request(),
            Some(Credentials { mechanism: b"PLAIN", frames: vec![b"admin".to_vec(), b"password".to_vec()] })
        );
        assert_eq!(server.zap_request(), None);
        server.zap_reply(zap::Status::Accepted).unwrap();
        assert_eq!(server.next_handshake_command().unwrap().unwrap(), b"\x07WELCOME");
        client.process_handshake_command(b"\x07WELCOME").unwrap();
        assert_eq!(client.next_handshake_command().unwrap().unwrap(), INITIATE);
        server.process_handshake_command(INITIATE).unwrap();
        assert_eq!(server.next_handshake_command().unwrap().unwrap(), READY);
        assert!(server.is_ready());
        assert_eq!(server.peer_properties()[0], ("Socket-Type".to_owned(), b"DEALER".to_vec()));
        assert!(!client.is_ready());
        client.process_handshake_command(READY).unwrap();
        assert!(client.is_ready());
        assert_eq!(client.peer_properties()[1], ("Identity".to_owned(), b"id".to_vec()));
        assert!(client.take_codec().is_none() && server.take_codec().is_none());
    }

    #[test]
    fn long_credentials_are_cut_and_empty_ones_sent() {
        let mut client = Client::new(setup(ZMQ_DEALER, false), &[b'u'; 300], b"");
        let hello = client.next_handshake_command().unwrap().unwrap();
        assert_eq!(hello.len(), 6 + 1 + 255 + 1);
        assert_eq!(hello[6], 255);
        assert_eq!(hello[hello.len() - 1], 0);
        let mut server = server();
        server.process_handshake_command(&hello).unwrap();
        assert_eq!(server.zap_request().unwrap().frames, [vec![b'u'; 255], vec![]]);
    }

    #[test]
    fn malformed_hellos() {
        let cases: [(&[u8], ProtocolError); 9] = [
            (b"", ProtocolError::MalformedCommand),
            (b"\x05", ProtocolError::MalformedCommand),
            (b"\x05HELL", ProtocolError::MalformedCommand),
            (b"\x05WORLD\x00\x00", ProtocolError::UnexpectedCommand),
            (b"\x05HELLO", ProtocolError::MalformedHello),
            (b"\x05HELLO\x05adm", ProtocolError::MalformedHello),
            (b"\x05HELLO\x05admin", ProtocolError::MalformedHello),
            (b"\x05HELLO\x05admin\x02p", ProtocolError::MalformedHello),
            (b"\x05HELLO\x05admin\x01pp", ProtocolError::MalformedHello),
        ];
        for (body, error) in cases {
            assert_eq!(server().process_handshake_command(body), Err(error), "{body:?}");
        }
        // An ERROR is not a HELLO either.
        assert_eq!(
            server().process_handshake_command(b"\x05ERROR\x00"),
            Err(ProtocolError::UnexpectedCommand)
        );
        // The maximum is fine.
        let mut hello = b"\x05HELLO\xff".to_vec();
        hello.extend([b'u'; 255]);
        hello.push(255);
        hello.extend([b'p'; 255]);
        assert_eq!(server().process_handshake_command(&hello), Ok(()));
    }

    #[test]
    fn server_needs_a_zap_handler() {
        let mut server = Server::new(setup(ZMQ_ROUTER, false));
        assert_eq!(server.process_handshake_command(HELLO), Err(ProtocolError::NoZapHandler));
    }

    #[test]
    fn server_refusals() {
        for (code, error) in
            [(300, None), (400, Some(&b"\x05ERROR\x03400"[..])), (500, Some(b"\x05ERROR\x03500"))]
        {
            let mut server = server();
            server.process_handshake_command(HELLO).unwrap();
            assert_eq!(
                server.zap_reply(zap::Status::Accepted),
                Err(ProtocolError::ZapReply(ZapError::Unexpected))
            );
            server.zap_request().unwrap();
            assert_eq!(
                server.zap_reply(zap::Status::Refused(code)),
                Err(ProtocolError::AuthenticationFailed(code))
            );
            assert_eq!(server.next_handshake_command().unwrap().as_deref(), error);
            assert_eq!(server.next_handshake_command(), Ok(None));
            assert_eq!(server.process_handshake_command(INITIATE), Err(ProtocolError::CommandOutOfSequence));
        }
    }

    #[test]
    fn server_sequence_and_initiate_errors() {
        let mut server = server();
        server.process_handshake_command(HELLO).unwrap();
        // While ZAP decides, nothing else is accepted.
        assert_eq!(server.process_handshake_command(INITIATE), Err(ProtocolError::CommandOutOfSequence));
        let initiate = |body: &[u8]| {
            let mut server = self::server();
            server.process_handshake_command(HELLO).unwrap();
            server.zap_request().unwrap();
            server.zap_reply(zap::Status::Accepted).unwrap();
            server.next_handshake_command().unwrap();
            server.process_handshake_command(body)
        };
        assert_eq!(initiate(b"\x05READY"), Err(ProtocolError::UnexpectedCommand));
        assert_eq!(initiate(b"\x08INITIATE\x01"), Err(ProtocolError::MalformedInitiateMetadata));
        let wrong_type = b"\x08INITIATE\x0bSocket-Type\0\0\0\x04PUSH";
        assert_eq!(initiate(wrong_type), Err(ProtocolError::IncompatibleSocketType(b"PUSH".to_vec())));
        assert_eq!(initiate(b"\x08INITIATE"), Ok(()));
    }

    #[test]
    fn client_errors() {
        let welcomed = || {
            let mut client = client();
            client.next_handshake_command().unwrap();
            client
        };
        let cases: [(&[u8], ProtocolError); 6] = [
            (b"\x07WELCOMEx", ProtocolError::MalformedWelcome),
            (b"\x05READY", ProtocolError::UnexpectedCommand),
            (b"\x05ERROR\x03400", ProtocolError::PeerError(b"400".to_vec())),
            (b"\x05ERROR\x03", ProtocolError::MalformedError),
            (b"\x05ERROR", ProtocolError::MalformedError),
            (b"\x05HELLO", ProtocolError::UnexpectedCommand),
        ];
        for (body, error) in cases {
            assert_eq!(welcomed().process_handshake_command(body), Err(error), "{body:?}");
        }
        let mut client = welcomed();
        client.process_handshake_command(b"\x07WELCOME").unwrap();
        assert_eq!(client.process_handshake_command(b"\x07WELCOME"), Err(ProtocolError::UnexpectedCommand));
        // ERROR before INITIATE went out is unexpected, as in libzmq.
        assert_eq!(client.process_handshake_command(b"\x05ERROR\x00"), Err(ProtocolError::UnexpectedCommand));
        client.next_handshake_command().unwrap();
        assert_eq!(client.process_handshake_command(b"\x05READY\x01"), Err(ProtocolError::InvalidMetadata));
        let mut client = Client::new(setup(ZMQ_PUSH, false), b"", b"");
        client.next_handshake_command().unwrap();
        client.process_handshake_command(b"\x07WELCOME").unwrap();
        client.next_handshake_command().unwrap();
        let wrong_type = b"\x05READY\x0bSocket-Type\0\0\0\x04PUSH";
        assert_eq!(client.process_handshake_command(wrong_type), Err(ProtocolError::InvalidMetadata));
    }
}
