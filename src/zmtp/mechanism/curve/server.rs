//! The CURVE server (`ZMQ_CURVE_SERVER`): opens HELLO with its long-term secret
//! key, answers with a WELCOME whose cookie lets it forget the client until
//! INITIATE, checks the client's vouch, asks ZAP about the client's long-term key
//! (see [`Policy::curve_server`](crate::zmtp::zap::Policy::curve_server)), and
//! sends READY.

use super::codec::MessageCodec;
use super::crypto::{self, BoxKey, Key, Keypair};
use super::{
    key_at, short_nonce, CLIENT_MESSAGE_NONCE, COOKIE_NONCE, COOKIE_SIZE, HELLO_NONCE, HELLO_PADDING,
    HELLO_SIZE, INITIATE_MIN_SIZE, INITIATE_NONCE, LONG_NONCE_SIZE, READY_NONCE, SERVER_MESSAGE_NONCE,
    SHORT_NONCE_SIZE, VERSION, VOUCH_NONCE, WELCOME_NONCE,
};
use crate::zmtp::command;
use crate::zmtp::error::{ProtocolError, ZapError};
use crate::zmtp::mechanism::{check_command_structure, Codec, Mechanism, Setup};
use crate::zmtp::random::{self, RandomSource};
use crate::zmtp::zap::{self, Credentials};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    WaitHello,
    SendWelcome,
    WaitInitiate,
    /// INITIATE checked; the ZAP request is out (or about to be handed out).
    WaitZap,
    SendReady,
    Ready,
    /// Refused by ZAP with 400/500: ERROR to send.
    SendError(zap::Status),
    /// ERROR sent, or refused with 300.
    Failed,
}

/// Where the handshake's offsets come from: the layouts in the module docs.
mod at {
    use super::{COOKIE_SIZE, HELLO_PADDING, LONG_NONCE_SIZE, SHORT_NONCE_SIZE};
    use crate::zmtp::mechanism::curve::crypto::{KEY_SIZE, TAG_SIZE};

    /// HELLO.
    pub(super) const HELLO_VERSION: usize = 6;
    pub(super) const HELLO_CLIENT_KEY: usize = HELLO_VERSION + 2 + HELLO_PADDING;
    pub(super) const HELLO_NONCE: usize = HELLO_CLIENT_KEY + KEY_SIZE;
    pub(super) const HELLO_BOX: usize = HELLO_NONCE + SHORT_NONCE_SIZE;
    /// INITIATE.
    pub(super) const INITIATE_COOKIE: usize = 9;
    pub(super) const INITIATE_NONCE: usize = INITIATE_COOKIE + COOKIE_SIZE;
    pub(super) const INITIATE_BOX: usize = INITIATE_NONCE + SHORT_NONCE_SIZE;
    /// INITIATE's plaintext.
    pub(super) const VOUCH_NONCE: usize = KEY_SIZE;
    pub(super) const VOUCH: usize = VOUCH_NONCE + LONG_NONCE_SIZE;
    pub(super) const PROPERTIES: usize = VOUCH + TAG_SIZE + 2 * KEY_SIZE;
}

pub(crate) struct Server {
    setup: Setup,
    /// s.
    secret_key: Key,
    random: Box<dyn RandomSource>,
    state: State,
    /// C', from HELLO.
    client_short_term: Key,
    /// Box[..](S->C'), for HELLO and WELCOME.
    hello_key: Option<BoxKey>,
    /// S', s': made when WELCOME is.
    short_term: Option<Keypair>,
    /// The key of this connection's cookie, made with WELCOME.
    cookie_key: Option<BoxKey>,
    /// Box[..](S'->C'), for INITIATE, READY and messages.
    session: Option<BoxKey>,
    /// Our next short nonce.
    nonce: u64,
    /// The client's last short nonce (INITIATE's).
    peer_nonce: u64,
    zap_request: Option<Credentials>,
    properties: Vec<(String, Vec<u8>)>,
}

impl Server {
    pub(crate) fn new(setup: Setup, secret_key: Key, random: Box<dyn RandomSource>) -> Server {
        Server {
            setup,
            secret_key,
            random,
            state: State::WaitHello,
            client_short_term: [0; crypto::KEY_SIZE],
            hello_key: None,
            short_term: None,
            cookie_key: None,
            session: None,
            nonce: 1,
            peer_nonce: 1,
            zap_request: None,
            properties: Vec::new(),
        }
    }

    /// HELLO: exactly 200 bytes, version 1.0, and a signature box that opens with
    /// C' and our long-term secret (else the client has the wrong server key).
    fn process_hello(&mut self, body: &[u8]) -> Result<(), ProtocolError> {
        check_command_structure(body)?;
        if !body.starts_with(command::HELLO) {
            return Err(ProtocolError::UnexpectedCommand);
        }
        if body.len() != HELLO_SIZE || body[at::HELLO_VERSION..at::HELLO_VERSION + 2] != VERSION {
            return Err(ProtocolError::MalformedHello);
        }
        self.client_short_term = key_at(body, at::HELLO_CLIENT_KEY);
        let nonce = short_nonce(body, at::HELLO_NONCE);
        self.peer_nonce = u64::from_be_bytes(nonce);
        let hello_key = BoxKey::agree(&self.client_short_term, &self.secret_key)?;
        hello_key.open(&crypto::nonce(HELLO_NONCE, &nonce), &body[at::HELLO_BOX..])?;
        self.hello_key = Some(hello_key);
        self.state = State::SendWelcome;
        Ok(())
    }

    /// WELCOME: a 16-byte random nonce and Box[S' + cookie](S->C'), the cookie
    /// being a 16-byte random nonce and SecretBox[C' + s'] under a fresh key.
    fn produce_welcome(&mut self) -> Result<Vec<u8>, ProtocolError> {
        let random = self.random.as_mut();
        let short_term = Keypair::generate(random)?;
        let cookie_nonce: [u8; LONG_NONCE_SIZE] =
            random::bytes(random).map_err(|_| ProtocolError::Cryptographic)?;
        let cookie_key: Key = random::bytes(random).map_err(|_| ProtocolError::Cryptographic)?;
        let welcome_nonce: [u8; LONG_NONCE_SIZE] =
            random::bytes(random).map_err(|_| ProtocolError::Cryptographic)?;
        let cookie_key = BoxKey::symmetric(&cookie_key);
        let mut cookie_plaintext = [0; 2 * crypto::KEY_SIZE];
        cookie_plaintext[..crypto::KEY_SIZE].copy_from_slice(&self.client_short_term);
        cookie_plaintext[crypto::KEY_SIZE..].copy_from_slice(&short_term.secret);
        let cookie = cookie_key.seal(&crypto::nonce(COOKIE_NONCE, &cookie_nonce), &cookie_plaintext)?;
        let mut plaintext = Vec::with_capacity(crypto::KEY_SIZE + COOKIE_SIZE);
        plaintext.extend_from_slice(&short_term.public);
        plaintext.extend_from_slice(&cookie_nonce);
        plaintext.extend_from_slice(&cookie);
        let hello_key = self.hello_key.as_ref().ok_or(ProtocolError::Cryptographic)?;
        let boxed = hello_key.seal(&crypto::nonce(WELCOME_NONCE, &welcome_nonce), &plaintext)?;
        let mut welcome = Vec::with_capacity(super::WELCOME_SIZE);
        welcome.extend_from_slice(command::WELCOME);
        welcome.extend_from_slice(&welcome_nonce);
        welcome.extend_from_slice(&boxed);
        self.short_term = Some(short_term);
        self.cookie_key = Some(cookie_key);
        Ok(welcome)
    }

    /// INITIATE: our cookie back (proving the client got WELCOME), the box from C'
    /// to S', and inside it the vouch: C' boxed with the client's long-term key.
    fn process_initiate(&mut self, body: &[u8]) -> Result<(), ProtocolError> {
        check_command_structure(body)?;
        if !body.starts_with(command::INITIATE) {
            return Err(ProtocolError::UnexpectedCommand);
        }
        if body.len() < INITIATE_MIN_SIZE {
            return Err(ProtocolError::MalformedInitiate);
        }
        let (Some(short_term), Some(cookie_key)) = (&self.short_term, &self.cookie_key) else {
            return Err(ProtocolError::Cryptographic);
        };
        let cookie_nonce = &body[at::INITIATE_COOKIE..at::INITIATE_COOKIE + LONG_NONCE_SIZE];
        let cookie = cookie_key.open(
            &crypto::nonce(COOKIE_NONCE, cookie_nonce),
            &body[at::INITIATE_COOKIE + LONG_NONCE_SIZE..at::INITIATE_NONCE],
        )?;
        if cookie[..crypto::KEY_SIZE] != self.client_short_term
            || cookie[crypto::KEY_SIZE..] != short_term.secret
        {
            return Err(ProtocolError::Cryptographic);
        }
        let nonce = short_nonce(body, at::INITIATE_NONCE);
        self.peer_nonce = u64::from_be_bytes(nonce);
        let session = BoxKey::agree(&self.client_short_term, &short_term.secret)?;
        let plaintext = session.open(&crypto::nonce(INITIATE_NONCE, &nonce), &body[at::INITIATE_BOX..])?;
        let client_key = key_at(&plaintext, 0);
        let vouch_nonce = &plaintext[at::VOUCH_NONCE..at::VOUCH];
        let vouched = BoxKey::agree(&client_key, &short_term.secret)?
            .open(&crypto::nonce(VOUCH_NONCE, vouch_nonce), &plaintext[at::VOUCH..at::PROPERTIES])?;
        // libzmq checks C' only (not the S that follows it).
        if vouched[..crypto::KEY_SIZE] != self.client_short_term {
            return Err(ProtocolError::KeyExchange);
        }
        let ask_zap = self.setup.zap.curve_server()?;
        self.setup.collect_properties(
            &plaintext[at::PROPERTIES..],
            &mut self.properties,
            ProtocolError::MalformedInitiateMetadata,
            ProtocolError::IncompatibleSocketType,
        )?;
        self.session = Some(session);
        if ask_zap {
            self.zap_request = Some(Credentials { mechanism: b"CURVE", frames: vec![client_key.to_vec()] });
            self.state = State::WaitZap;
        } else {
            self.state = State::SendReady;
        }
        Ok(())
    }

    /// READY: short nonce, Box[properties](S'->C').
    fn produce_ready(&mut self) -> Result<Vec<u8>, ProtocolError> {
        let session = self.session.as_ref().ok_or(ProtocolError::Cryptographic)?;
        let nonce = self.nonce.to_be_bytes();
        let boxed = session.seal(&crypto::nonce(READY_NONCE, &nonce), &self.setup.properties)?;
        self.nonce = self.nonce.wrapping_add(1);
        let mut ready = Vec::with_capacity(command::READY.len() + SHORT_NONCE_SIZE + boxed.len());
        ready.extend_from_slice(command::READY);
        ready.extend_from_slice(&nonce);
        ready.extend_from_slice(&boxed);
        Ok(ready)
    }
}

impl Mechanism for Server {
    fn next_handshake_command(&mut self) -> Result<Option<Vec<u8>>, ProtocolError> {
        match self.state {
            State::SendWelcome => {
                let welcome = self.produce_welcome()?;
                self.state = State::WaitInitiate;
                Ok(Some(welcome))
            }
            State::SendReady => {
                let ready = self.produce_ready()?;
                self.state = State::Ready;
                Ok(Some(ready))
            }
            State::SendError(status) => {
                self.state = State::Failed;
                Ok(status.error_command())
            }
            _ => Ok(None),
        }
    }

    fn process_handshake_command(&mut self, body: &[u8]) -> Result<(), ProtocolError> {
        match self.state {
            State::WaitHello => self.process_hello(body),
            State::WaitInitiate => self.process_initiate(body),
            _ => Err(ProtocolError::CommandOutOfSequence),
        }
    }

    fn zap_request(&mut self) -> Option<Credentials> {
        self.zap_request.take()
    }

    fn zap_reply(&mut self, status: zap::Status) -> Result<(), ProtocolError> {
        if self.state != State::WaitZap || self.zap_request.is_some() {
            return Err(ProtocolError::ZapReply(ZapError::Unexpected));
        }
        self.state = match status {
            zap::Status::Accepted => State::SendReady,
            zap::Status::Refused(300) => State::Failed,
            refused => State::SendError(refused),
        };
        status.check()
    }

    fn is_ready(&self) -> bool {
        self.state == State::Ready
    }

    fn peer_properties(&self) -> &[(String, Vec<u8>)] {
        &self.properties
    }

    fn take_codec(&mut self) -> Option<Box<dyn Codec>> {
        if self.state != State::Ready {
            return None;
        }
        let session = self.session.take()?;
        let codec = MessageCodec::new(
            session,
            SERVER_MESSAGE_NONCE,
            CLIENT_MESSAGE_NONCE,
            self.nonce,
            self.peer_nonce,
        );
        Some(Box::new(codec))
    }
}

impl core::fmt::Debug for Server {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("CurveServer")
            .field("state", &self.state)
            .field("nonce", &self.nonce)
            .field("peer_nonce", &self.peer_nonce)
            .finish_non_exhaustive()
    }
}
