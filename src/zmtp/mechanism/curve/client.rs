//! The CURVE client (`ZMQ_CURVE_SERVERKEY` set): sends HELLO, opens WELCOME with
//! its short-term key, proves its long-term key in INITIATE, and opens READY.

use super::codec::MessageCodec;
use super::crypto::{self, BoxKey, Key, Keypair};
use super::{
    key_at, short_nonce, CLIENT_MESSAGE_NONCE, COOKIE_SIZE, HELLO_NONCE, HELLO_PADDING, HELLO_SIGNATURE,
    INITIATE_NONCE, LONG_NONCE_SIZE, READY_MIN_SIZE, READY_NONCE, SERVER_MESSAGE_NONCE, SHORT_NONCE_SIZE,
    VERSION, VOUCH_NONCE, WELCOME_NONCE, WELCOME_SIZE,
};
use crate::zmtp::command;
use crate::zmtp::error::ProtocolError;
use crate::zmtp::mechanism::{Codec, Mechanism, Setup};
use crate::zmtp::random::{self, RandomSource};

/// The client's long-term keys and the server's public key.
#[derive(Clone, Copy)]
pub(crate) struct ClientKeys {
    /// C.
    pub(crate) public: Key,
    /// c.
    pub(crate) secret: Key,
    /// S.
    pub(crate) server: Key,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    SendHello,
    ExpectWelcome,
    SendInitiate,
    ExpectReady,
    Connected,
}

/// What WELCOME gave us.
#[derive(Debug)]
struct Welcome {
    /// S'.
    server_short_term: Key,
    cookie: [u8; COOKIE_SIZE],
}

pub(crate) struct Client {
    setup: Setup,
    keys: ClientKeys,
    random: Box<dyn RandomSource>,
    state: State,
    /// C', c': made when HELLO is.
    short_term: Option<Keypair>,
    welcome: Option<Welcome>,
    /// Box[..](C'->S'), for INITIATE, READY and messages.
    session: Option<BoxKey>,
    /// Our next short nonce.
    nonce: u64,
    /// The server's last short nonce (READY's).
    peer_nonce: u64,
    properties: Vec<(String, Vec<u8>)>,
}

impl Client {
    pub(crate) fn new(setup: Setup, keys: ClientKeys, random: Box<dyn RandomSource>) -> Client {
        Client {
            setup,
            keys,
            random,
            state: State::SendHello,
            short_term: None,
            welcome: None,
            session: None,
            nonce: 1,
            peer_nonce: 1,
            properties: Vec::new(),
        }
    }

    fn next_nonce(&mut self) -> [u8; SHORT_NONCE_SIZE] {
        let nonce = self.nonce.to_be_bytes();
        self.nonce = self.nonce.wrapping_add(1);
        nonce
    }

    /// HELLO: version, padding, C', short nonce, Box[64 zeros](C'->S).
    fn produce_hello(&mut self) -> Result<Vec<u8>, ProtocolError> {
        let short_term = Keypair::generate(self.random.as_mut())?;
        let nonce = self.next_nonce();
        let signature = BoxKey::agree(&self.keys.server, &short_term.secret)?
            .seal(&crypto::nonce(HELLO_NONCE, &nonce), &[0; HELLO_SIGNATURE])?;
        let mut hello = Vec::with_capacity(super::HELLO_SIZE);
        hello.extend_from_slice(command::HELLO);
        hello.extend_from_slice(&VERSION);
        hello.extend_from_slice(&[0; HELLO_PADDING]);
        hello.extend_from_slice(&short_term.public);
        hello.extend_from_slice(&nonce);
        hello.extend_from_slice(&signature);
        self.short_term = Some(short_term);
        Ok(hello)
    }

    /// WELCOME: exactly 168 bytes; Box[S' + cookie](S->C') with "WELCOME-" and the
    /// 16-byte nonce. Any failure is cryptographic, as in libzmq.
    fn process_welcome(&mut self, body: &[u8]) -> Result<(), ProtocolError> {
        let short_term = self.short_term.as_ref().ok_or(ProtocolError::UnexpectedCommand)?;
        if body.len() != WELCOME_SIZE {
            return Err(ProtocolError::Cryptographic);
        }
        let name = command::WELCOME.len();
        let nonce = crypto::nonce(WELCOME_NONCE, &body[name..name + LONG_NONCE_SIZE]);
        let plaintext = BoxKey::agree(&self.keys.server, &short_term.secret)?
            .open(&nonce, &body[name + LONG_NONCE_SIZE..])?;
        let server_short_term = key_at(&plaintext, 0);
        let mut cookie = [0; COOKIE_SIZE];
        cookie.copy_from_slice(&plaintext[crypto::KEY_SIZE..]);
        self.session = Some(BoxKey::agree(&server_short_term, &short_term.secret)?);
        self.welcome = Some(Welcome { server_short_term, cookie });
        self.state = State::SendInitiate;
        Ok(())
    }

    /// INITIATE: cookie, short nonce, Box[C + vouch nonce + vouch + properties]
    /// (C'->S'), the vouch being Box[C' + S](C->S') with "VOUCH---" and 16 random
    /// bytes.
    fn produce_initiate(&mut self) -> Result<Vec<u8>, ProtocolError> {
        let (Some(short_term), Some(welcome), Some(session)) =
            (&self.short_term, &self.welcome, &self.session)
        else {
            return Err(ProtocolError::Cryptographic);
        };
        let vouch_nonce: [u8; LONG_NONCE_SIZE] =
            random::bytes(self.random.as_mut()).map_err(|_| ProtocolError::Cryptographic)?;
        let mut vouched = [0; 2 * crypto::KEY_SIZE];
        vouched[..crypto::KEY_SIZE].copy_from_slice(&short_term.public);
        vouched[crypto::KEY_SIZE..].copy_from_slice(&self.keys.server);
        let vouch = BoxKey::agree(&welcome.server_short_term, &self.keys.secret)?
            .seal(&crypto::nonce(VOUCH_NONCE, &vouch_nonce), &vouched)?;
        let mut plaintext = Vec::with_capacity(128 + self.setup.properties.len());
        plaintext.extend_from_slice(&self.keys.public);
        plaintext.extend_from_slice(&vouch_nonce);
        plaintext.extend_from_slice(&vouch);
        plaintext.extend_from_slice(&self.setup.properties);
        let nonce = self.nonce.to_be_bytes();
        let boxed = session.seal(&crypto::nonce(INITIATE_NONCE, &nonce), &plaintext)?;
        self.nonce = self.nonce.wrapping_add(1);
        let mut initiate =
            Vec::with_capacity(command::INITIATE.len() + COOKIE_SIZE + nonce.len() + boxed.len());
        initiate.extend_from_slice(command::INITIATE);
        initiate.extend_from_slice(&welcome.cookie);
        initiate.extend_from_slice(&nonce);
        initiate.extend_from_slice(&boxed);
        Ok(initiate)
    }

    /// READY: short nonce, Box[properties](S'->C'). Its nonce becomes the one
    /// messages must exceed.
    fn process_ready(&mut self, body: &[u8]) -> Result<(), ProtocolError> {
        if body.len() < READY_MIN_SIZE {
            return Err(ProtocolError::MalformedCurveReady);
        }
        if self.state != State::ExpectReady {
            // libzmq opens it with a key it does not have yet, and fails so.
            return Err(ProtocolError::Cryptographic);
        }
        let session = self.session.as_ref().ok_or(ProtocolError::Cryptographic)?;
        let name = command::READY.len();
        let nonce = short_nonce(body, name);
        self.peer_nonce = u64::from_be_bytes(nonce);
        let list = session.open(&crypto::nonce(READY_NONCE, &nonce), &body[name + SHORT_NONCE_SIZE..])?;
        self.setup.collect_properties(&list, &mut self.properties, ProtocolError::InvalidMetadata, |_| {
            ProtocolError::InvalidMetadata
        })?;
        self.state = State::Connected;
        Ok(())
    }
}

impl Mechanism for Client {
    fn next_handshake_command(&mut self) -> Result<Option<Vec<u8>>, ProtocolError> {
        match self.state {
            State::SendHello => {
                let hello = self.produce_hello()?;
                self.state = State::ExpectWelcome;
                Ok(Some(hello))
            }
            State::SendInitiate => {
                let initiate = self.produce_initiate()?;
                self.state = State::ExpectReady;
                Ok(Some(initiate))
            }
            _ => Ok(None),
        }
    }

    fn process_handshake_command(&mut self, body: &[u8]) -> Result<(), ProtocolError> {
        if body.starts_with(command::WELCOME) {
            // libzmq would process a second WELCOME; we refuse it.
            if self.state != State::ExpectWelcome {
                return Err(ProtocolError::UnexpectedCommand);
            }
            self.process_welcome(body)
        } else if body.starts_with(command::READY) {
            self.process_ready(body)
        } else if let Some(rest) = body.strip_prefix(command::ERROR) {
            if !matches!(self.state, State::ExpectWelcome | State::ExpectReady) {
                return Err(ProtocolError::UnexpectedCommand);
            }
            Err(crate::zmtp::mechanism::peer_error(rest))
        } else {
            Err(ProtocolError::UnexpectedCommand)
        }
    }

    fn is_ready(&self) -> bool {
        self.state == State::Connected
    }

    fn peer_properties(&self) -> &[(String, Vec<u8>)] {
        &self.properties
    }

    fn take_codec(&mut self) -> Option<Box<dyn Codec>> {
        if self.state != State::Connected {
            return None;
        }
        let session = self.session.take()?;
        let codec = MessageCodec::new(
            session,
            CLIENT_MESSAGE_NONCE,
            SERVER_MESSAGE_NONCE,
            self.nonce,
            self.peer_nonce,
        );
        Some(Box::new(codec))
    }
}

impl core::fmt::Debug for Client {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("CurveClient")
            .field("state", &self.state)
            .field("nonce", &self.nonce)
            .field("peer_nonce", &self.peer_nonce)
            .finish_non_exhaustive()
    }
}
