//! [`Connection`]: one ZMTP connection's protocol state, from greeting to heartbeats.

use core::fmt;
use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Instant;

use super::command::{self, Command};
use super::error::ProtocolError;
use super::frame::{self, Decoder, Framing};
use super::greeting::{Greeting, Progress, Protocol};
use super::heartbeat::Heartbeat;
use super::mechanism::{self, Codec, Mechanism};
use super::output::Output;
use super::random::{OsRandom, RandomSource};
use super::v1;
use super::zap;
use super::{Config, Event, Headless, Inbound, Queued, ZapError};
use crate::constants::{ZMQ_PUB, ZMQ_XPUB};
use crate::error::Errno;
use crate::msg::{Flags, Metadata, Msg};

/// Small frames are decoded from a read buffer this large (libzmq's default
/// `ZMQ_IN_BATCH_SIZE`)...
const READ_BUFFER_SIZE: usize = 8192;

/// ...which grows to this once a read of large frames fills it: the peer streams,
/// and each read then takes eight times as much (a `recvfrom` per 8 KiB was most of
/// the reading side's system time with 1 KiB messages). The decoder keeps no bytes
/// in the buffer between reads, so it can be replaced at any time.
const STREAMING_READ_BUFFER_SIZE: usize = 64 * 1024;

/// Frames of this size or more on average in a full read make the buffer grow. With
/// smaller ones a read of 8 KiB already carries hundreds of messages, and growing
/// measured 4% to 9% slower with 8-byte messages (BENCHMARKS.md).
const STREAMING_FRAME_SIZE: usize = 128;

/// A PING is answered at once only while less than this much output waits; beyond
/// it the peer is not reading, and only the latest PING is answered once the output
/// drains (libzmq's engine owes at most one PONG too), so a peer that pings without
/// reading cannot make the output grow.
const PONG_BACKLOG: usize = 64 * 1024;

/// How many references to its metadata a connection makes at a time.
const METADATA_STOCK: usize = 64;

/// The metadata property libzmq names `ZMQ_MSG_PROPERTY_PEER_ADDRESS`.
const PEER_ADDRESS: &str = "Peer-Address";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    /// Exchanging greetings.
    Greeting,
    /// ZMTP 3.x: running the security mechanism.
    Handshake,
    /// ZMTP 1.0/2.0: waiting for the peer's identity message.
    Identity,
    /// Messages flow.
    Ready,
}

/// The protocol state of one connection to one peer.
///
/// Input: read into [`read_buffer`](Self::read_buffer), then call
/// [`received`](Self::received) (or hand bytes to [`handle_input`](Self::handle_input)),
/// then drain [`poll_event`](Self::poll_event). Output: [`send`](Self::send) message
/// parts once [`is_ready`](Self::is_ready), write [`pending_output`](Self::pending_output)
/// and [`consume`](Self::consume) what was written. Time: call
/// [`handle_timeout`](Self::handle_timeout) at [`poll_timeout`](Self::poll_timeout).
///
/// Security: the mechanism comes from [`Config::security`]. When it needs the peer
/// authenticated, [`Event::ZapRequest`] carries the request for the ZAP handler and
/// the handshake waits for [`zap_reply`](Self::zap_reply). With CURVE, every message
/// part is encrypted by [`send`](Self::send) and decrypted before it is reported.
///
/// Any error is final: the engine should close the connection (after writing what
/// is pending, if it likes: after [`ProtocolError::AuthenticationFailed`] that is
/// the ERROR for the peer), and every later call reports the same error.
pub struct Connection {
    config: Config,
    phase: Phase,
    protocol: Option<Protocol>,
    greeting: Greeting,
    decoder: Decoder,
    read_buffer: Box<[u8]>,
    /// Encoded output, still to be written.
    out: Output,
    /// Handed to the mechanism when it is created.
    random: Option<Box<dyn RandomSource>>,
    mechanism: Option<Box<dyn Mechanism>>,
    /// Once ready, when the mechanism transforms messages (CURVE).
    codec: Option<Box<dyn Codec>>,
    /// A ZAP request is out and no reply came yet.
    zap_pending: bool,
    /// From the ZAP reply: `User-Id`, then the reply's metadata.
    zap_properties: Vec<(String, Vec<u8>)>,
    /// Attached to every received message once ready (ZMTP 3.x).
    metadata: Option<Arc<Metadata>>,
    /// References to `metadata` made ahead, one for each message received (see
    /// [`Connection::metadata_for_message`]).
    metadata_stock: Vec<Arc<Metadata>>,
    events: VecDeque<Event>,
    heartbeat: Heartbeat,
    handshake_deadline: Option<Instant>,
    /// An unversioned ZMTP 1.0 peer of a PUB/XPUB socket gets a phantom subscription.
    subscription_required: bool,
    /// The PONG for the latest PING that came while the output was backed up.
    owed_pong: Option<Vec<u8>>,
    failure: Option<ProtocolError>,
}

impl Connection {
    /// A connection that has just been established; queues the first part of our
    /// greeting (see the `greeting` module) and starts the handshake timer. CURVE
    /// draws its keys and nonces from the operating system.
    pub fn new(config: Config, now: Instant) -> Connection {
        Connection::with_random(config, now, Box::new(OsRandom))
    }

    /// As [`new`](Self::new), with CURVE's short-term keys, random nonces and cookie
    /// key drawn from `random` (tests and fuzzers use a reproducible source).
    pub fn with_random(config: Config, now: Instant, random: Box<dyn RandomSource>) -> Connection {
        let mut out = Vec::with_capacity(READ_BUFFER_SIZE);
        let greeting = Greeting::start(
            &mut out,
            config.routing_id.len(),
            config.socket_type,
            mechanism::padded_name(&config.security),
        );
        let handshake_deadline =
            config.handshake_ivl.filter(|ivl| !ivl.is_zero()).and_then(|ivl| now.checked_add(ivl));
        let heartbeat = Heartbeat::new(config.heartbeat_ivl, config.heartbeat_timeout, config.heartbeat_ttl);
        let decoder = Decoder::new(Framing::V2, config.max_msg_size);
        Connection {
            config,
            phase: Phase::Greeting,
            protocol: None,
            greeting,
            decoder,
            read_buffer: vec![0; READ_BUFFER_SIZE].into_boxed_slice(),
            out: Output::with(out),
            random: Some(random),
            mechanism: None,
            codec: None,
            zap_pending: false,
            zap_properties: Vec::new(),
            metadata: None,
            metadata_stock: Vec::new(),
            events: VecDeque::new(),
            heartbeat,
            handshake_deadline,
            subscription_required: false,
            owed_pong: None,
            failure: None,
        }
    }

    /// A connection whose protocol was agreed outside ZMTP, so that no greeting is
    /// exchanged: ZWS 2.0 (RFC 45) picks it in the WebSocket upgrade, and libzmq's
    /// `ws_engine` then starts straight at the security handshake. Framing is ZMTP
    /// 3.x's (the WebSocket layer translates frames both ways); `start` says what
    /// comes first.
    ///
    /// ZMTP 3.0's rules apply after the handshake: subscriptions are sent as the
    /// messages `1`/`0` + topic (RFC 45 "Publish-Subscribe", libzmq's `ws_encoder`)
    /// and other commands as commands.
    pub fn without_greeting(
        config: Config,
        now: Instant,
        random: Box<dyn RandomSource>,
        start: Headless,
    ) -> Connection {
        let mut connection = Connection::with_random(config, now, random);
        connection.out.clear();
        let result = match start {
            Headless::Mechanism => {
                connection.protocol = Some(Protocol::Zmtp30);
                connection.start_mechanism(now)
            }
            Headless::Identity => connection.start_protocol(Protocol::Zmtp20, now),
        };
        let _ = connection.record(result);
        connection
    }

    /// Where the engine should read the next bytes into; then call
    /// [`received`](Self::received) with how many it read.
    ///
    /// During the greeting this is exactly the rest of the peer's greeting. In the
    /// middle of a body of 8 KiB or more it is that body's own buffer (up to 1 MiB at a
    /// time), which becomes the message without a copy. Otherwise it is a read buffer
    /// from which many small frames are decoded per read: 8 KiB, and 64 KiB from the
    /// first read that filled it. Never empty.
    pub fn read_buffer(&mut self) -> &mut [u8] {
        if self.phase == Phase::Greeting && self.failure.is_none() {
            return self.greeting.unread_mut();
        }
        if self.failure.is_none() && self.decoder.prepare_direct() {
            return self.decoder.direct_space();
        }
        &mut self.read_buffer
    }

    /// Processes `n` bytes just read into [`read_buffer`](Self::read_buffer) (more
    /// than it offered count as all of it).
    pub fn received(&mut self, n: usize, now: Instant) -> Result<(), ProtocolError> {
        self.received_into(n, now, &mut Queued)
    }

    /// [`received`](Self::received), handing the message parts decoded to `inbound`
    /// as they come (those it refuses, and every event else, are queued as usual).
    pub fn received_into(
        &mut self,
        n: usize,
        now: Instant,
        inbound: &mut dyn Inbound,
    ) -> Result<(), ProtocolError> {
        self.check_failed()?;
        let result = if self.phase == Phase::Greeting {
            match self.greeting.received(n, &mut self.out) {
                Progress::NeedMore => Ok(()),
                Progress::Done(protocol) => self.start_protocol(protocol, now),
            }
        } else if self.decoder.is_direct() {
            match self.decoder.direct_received(n) {
                Some(mut msg) => self.on_frame(&mut msg, now, inbound),
                None => Ok(()),
            }
        } else {
            let buffer = core::mem::take(&mut self.read_buffer);
            let result = self.process(buffer.get(..n).unwrap_or(&buffer), now, inbound);
            let streaming_large_frames = n >= buffer.len()
                && buffer.len() < STREAMING_READ_BUFFER_SIZE
                && result.as_ref().is_ok_and(|&frames| frames <= n / STREAMING_FRAME_SIZE);
            self.read_buffer = if streaming_large_frames {
                vec![0; STREAMING_READ_BUFFER_SIZE].into_boxed_slice()
            } else {
                buffer
            };
            result.map(|_| ())
        };
        self.record(result)
    }

    /// Processes `bytes` as if read from the peer: copies them through
    /// [`read_buffer`](Self::read_buffer) and [`received`](Self::received).
    pub fn handle_input(&mut self, bytes: &[u8], now: Instant) -> Result<(), ProtocolError> {
        self.check_failed()?;
        let mut rest = bytes;
        while !rest.is_empty() {
            let buffer = self.read_buffer();
            let n = buffer.len().min(rest.len());
            let (Some(to), Some(from)) = (buffer.get_mut(..n), rest.get(..n)) else { break };
            if n == 0 {
                break;
            }
            to.copy_from_slice(from);
            self.received(n, now)?;
            rest = rest.get(n..).unwrap_or_default();
        }
        Ok(())
    }

    /// Encodes an outgoing message part (MORE from `msg.more()`).
    ///
    /// `EAGAIN` until [`is_ready`](Self::is_ready) (and after a failure): the engine
    /// keeps such messages in its pipe. Messages flagged [`Flags::COMMAND`] are sent
    /// as commands, except that SUBSCRIBE/CANCEL commands (see
    /// [`subscribe_command`](super::subscribe_command)) go to peers older than ZMTP
    /// 3.1 as the `1`/`0` + topic messages those expect; other commands cannot be sent
    /// to ZMTP 1.0/2.0 peers (`ENOTSUP`).
    ///
    /// The body is copied into the output buffer, large ones included (a later
    /// version may hand large bodies to the writer separately).
    pub fn send(&mut self, msg: &Msg) -> Result<(), Errno> {
        let protocol = match self.protocol {
            Some(protocol) if self.phase == Phase::Ready && self.failure.is_none() => protocol,
            _ => return Err(Errno::EAGAIN),
        };
        let more = msg.more();
        let command = msg.flags().contains(Flags::COMMAND);
        let data = msg.data();
        let legacy = if command && protocol != Protocol::Zmtp31 {
            command::as_legacy_subscription(data)
        } else {
            None
        };
        if let Some(codec) = self.codec.as_mut() {
            // Only ZMTP 3.x peers get this far with a mechanism that encrypts.
            let encoded = match legacy {
                Some((prefix, topic)) => codec.encode(&mut self.out, more, false, &[prefix], topic),
                None => codec.encode(&mut self.out, more, command, &[], data),
            };
            return encoded.map_err(|error| {
                self.failure = Some(error);
                Errno::EAGAIN
            });
        }
        let out = &mut self.out;
        match (protocol, legacy) {
            (Protocol::Zmtp31, _) | (Protocol::Zmtp30, None) => {
                frame::write_header(out, more, command, data.len());
                out.extend_from_slice(data);
            }
            (Protocol::Zmtp30 | Protocol::Zmtp20, Some((prefix, topic))) => {
                frame::write_header(out, more, false, topic.len() + 1);
                out.push(prefix);
                out.extend_from_slice(topic);
            }
            (Protocol::Zmtp10 | Protocol::Zmtp10Unversioned, Some((prefix, topic))) => {
                v1::write_header(out, more, topic.len() + 1);
                out.push(prefix);
                out.extend_from_slice(topic);
            }
            (_, None) if command => return Err(Errno::ENOTSUP),
            (Protocol::Zmtp20, None) => {
                frame::write_header(out, more, false, data.len());
                out.extend_from_slice(data);
            }
            (Protocol::Zmtp10 | Protocol::Zmtp10Unversioned, None) => {
                v1::write_header(out, more, data.len());
                out.extend_from_slice(data);
            }
        }
        Ok(())
    }

    /// Bytes waiting to be written, in order: greeting, handshake commands, frames,
    /// PINGs and PONGs, all batched in one buffer.
    pub fn pending_output(&self) -> &[u8] {
        self.out.pending()
    }

    /// Drops the first `n` bytes of [`pending_output`](Self::pending_output), which
    /// were written; a PONG owed since the output backed up goes out once it drains.
    pub fn consume(&mut self, n: usize) {
        self.out.consume(n);
        if self.owed_pong.is_some() && self.out.pending().len() < PONG_BACKLOG && self.failure.is_none() {
            if let Some(pong) = self.owed_pong.take() {
                let result = self.write_command(&pong);
                let _ = self.record(result);
            }
        }
    }

    /// The next thing the peer did, if any.
    pub fn poll_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    /// When [`handle_timeout`](Self::handle_timeout) is due: the handshake deadline
    /// until ready, then the next heartbeat deadline. `None` after a failure.
    pub fn poll_timeout(&self) -> Option<Instant> {
        match (&self.failure, self.phase) {
            (Some(_), _) => None,
            (None, Phase::Ready) => self.heartbeat.next_deadline(),
            (None, _) => self.handshake_deadline,
        }
    }

    /// Runs the timers: fails when the handshake took too long or a heartbeat
    /// expectation expired; queues a PING when one is due.
    pub fn handle_timeout(&mut self, now: Instant) -> Result<(), ProtocolError> {
        self.check_failed()?;
        let result = if self.phase != Phase::Ready {
            match self.handshake_deadline {
                Some(deadline) if deadline <= now => Err(ProtocolError::HandshakeTimeout),
                _ => Ok(()),
            }
        } else {
            match self.heartbeat.poll(now) {
                Ok(Some(ping)) => self.write_command(&ping),
                Ok(None) => Ok(()),
                Err(error) => Err(error),
            }
        };
        self.record(result)
    }

    /// Whether the handshake is complete and messages may be sent.
    pub fn is_ready(&self) -> bool {
        self.phase == Phase::Ready && self.failure.is_none()
    }

    /// Hands the ZAP handler's reply to the handshake that asked
    /// ([`Event::ZapRequest`]): the frames of one reply message as read from the
    /// handler, the empty delimiter first (seven in all).
    ///
    /// The reply is checked as libzmq does ([`ProtocolError::ZapReply`] when it is
    /// malformed, or when no request is outstanding). Status 200 resumes the
    /// handshake; the reply's user id and metadata will be properties of every
    /// message received (see [`Event::Ready`]). 300, 400 and 500 fail it with
    /// [`ProtocolError::AuthenticationFailed`], after queueing an ERROR with the
    /// status code for the peer (not for 300).
    pub fn zap_reply(&mut self, frames: &[Msg], now: Instant) -> Result<(), ProtocolError> {
        self.check_failed()?;
        let result = self.process_zap_reply(frames, now);
        self.record(result)
    }

    /// The protocol version spoken with the peer, once its greeting showed it:
    /// (3, 1), (3, 0), (2, 0) or (1, 0).
    pub fn peer_version(&self) -> Option<(u8, u8)> {
        self.protocol.map(Protocol::version)
    }

    fn check_failed(&self) -> Result<(), ProtocolError> {
        match &self.failure {
            Some(error) => Err(error.clone()),
            None => Ok(()),
        }
    }

    fn record(&mut self, result: Result<(), ProtocolError>) -> Result<(), ProtocolError> {
        if let Err(error) = &result {
            self.failure = Some(error.clone());
        }
        result
    }

    /// The greeting is complete: set up framing and the handshake for `protocol`.
    fn start_protocol(&mut self, protocol: Protocol, now: Instant) -> Result<(), ProtocolError> {
        self.protocol = Some(protocol);
        if !protocol.has_commands() && self.config.security.refuses_legacy_peers(&self.config.zap_domain) {
            return Err(ProtocolError::LegacyPeerRefused);
        }
        let max = self.config.max_msg_size;
        let routing_id = &self.config.routing_id;
        match protocol {
            Protocol::Zmtp10Unversioned => {
                // Our signature was the header of our identity message: its body follows.
                self.decoder = Decoder::new(Framing::V1, max);
                self.out.extend_from_slice(routing_id);
                self.phase = Phase::Identity;
                self.subscription_required = matches!(self.config.socket_type, ZMQ_PUB | ZMQ_XPUB);
                // What looked like a greeting is the start of the peer's first frame.
                let mut received = [0; 64];
                let bytes = self.greeting.bytes();
                let len = bytes.len().min(received.len());
                received[..len].copy_from_slice(&bytes[..len]);
                self.process(&received[..len], now, &mut Queued).map(|_| ())
            }
            Protocol::Zmtp10 => {
                self.decoder = Decoder::new(Framing::V1, max);
                v1::write_header(&mut self.out, false, routing_id.len());
                self.out.extend_from_slice(routing_id);
                self.phase = Phase::Identity;
                Ok(())
            }
            Protocol::Zmtp20 => {
                self.decoder = Decoder::new(Framing::V2, max);
                frame::write_header(&mut self.out, false, false, routing_id.len());
                self.out.extend_from_slice(routing_id);
                self.phase = Phase::Identity;
                Ok(())
            }
            Protocol::Zmtp30 | Protocol::Zmtp31 => {
                if !self.greeting.same_mechanism() {
                    return Err(ProtocolError::MechanismMismatch);
                }
                self.start_mechanism(now)
            }
        }
    }

    /// ZMTP 3.x framing and our side of the security handshake.
    fn start_mechanism(&mut self, now: Instant) -> Result<(), ProtocolError> {
        self.decoder = Decoder::new(Framing::V2, self.config.max_msg_size);
        let random = self.random.take().unwrap_or_else(|| Box::new(OsRandom));
        self.mechanism = Some(mechanism::create(&self.config, random));
        self.phase = Phase::Handshake;
        self.mechanism_step(now)
    }

    /// Decodes `input` and acts on its frames; how many frames it completed.
    fn process(
        &mut self,
        input: &[u8],
        now: Instant,
        inbound: &mut dyn Inbound,
    ) -> Result<usize, ProtocolError> {
        let mut rest = input;
        let mut frames = 0;
        // One message for every frame, decoded into and taken out of in place.
        let mut frame = Msg::new();
        while !rest.is_empty() {
            let (used, complete) = self.decoder.decode_into(rest, &mut frame)?;
            rest = rest.get(used..).unwrap_or_default();
            if complete {
                frames += 1;
                self.on_frame(&mut frame, now, inbound)?;
            } else if used == 0 {
                break;
            }
        }
        Ok(frames)
    }

    /// Acts on one decoded frame (taken out of `msg` when kept).
    fn on_frame(
        &mut self,
        msg: &mut Msg,
        now: Instant,
        inbound: &mut dyn Inbound,
    ) -> Result<(), ProtocolError> {
        match self.phase {
            Phase::Greeting => Ok(()),
            Phase::Handshake => {
                let Some(mechanism) = self.mechanism.as_mut() else {
                    return Err(ProtocolError::UnexpectedCommand);
                };
                if let Err(error) = mechanism.process_handshake_command(msg.data()) {
                    if let ProtocolError::PeerError(reason) = &error {
                        self.events.push_back(Event::PeerError(reason.clone()));
                    }
                    return Err(error);
                }
                self.mechanism_step(now)
            }
            Phase::Identity => {
                let peer_socket_type = match self.protocol {
                    // Unknown (-1) when no greeting said it (bare ZWS 2.0).
                    Some(Protocol::Zmtp10 | Protocol::Zmtp20) if !self.greeting.is_unread() => {
                        i32::from(self.greeting.peer_socket_type())
                    }
                    _ => -1,
                };
                let ready = Event::Ready {
                    peer_socket_type,
                    peer_routing_id: msg.data().to_vec(),
                    metadata: Arc::new(Metadata::new()),
                };
                self.become_ready(ready, now);
                if self.subscription_required {
                    self.events.push_back(Event::Message(Msg::from_vec(vec![1])));
                }
                Ok(())
            }
            Phase::Ready => {
                let commands = self.protocol.is_some_and(Protocol::has_commands);
                self.heartbeat.traffic();
                if let Some(codec) = self.codec.as_mut() {
                    *msg = codec.decode(msg.take())?;
                }
                if msg.flags().contains(Flags::COMMAND) {
                    // Commands of ZMTP 2.0 peers are dropped, as libzmq's session does.
                    if commands {
                        return self.on_command(msg, now);
                    }
                    return Ok(());
                }
                if let Some(metadata) = self.metadata_for_message() {
                    msg.set_metadata(Some(metadata));
                }
                if self.events.is_empty() && inbound.take(msg) {
                    return Ok(());
                }
                self.events.push_back(Event::Message(msg.take()));
                Ok(())
            }
        }
    }

    /// A reference to the connection's metadata for one received message. They are
    /// made [`METADATA_STOCK`] at a time: the count is also written by the thread
    /// that reads the messages, as it drops them, and taking its cache line over for
    /// every message cost a tcp fan-out a tenth of its throughput.
    fn metadata_for_message(&mut self) -> Option<Arc<Metadata>> {
        let metadata = self.metadata.as_ref()?;
        if self.metadata_stock.is_empty() {
            let made = std::iter::repeat_with(|| Arc::clone(metadata)).take(METADATA_STOCK);
            self.metadata_stock.extend(made);
        }
        self.metadata_stock.pop()
    }

    /// A command after the handshake (ZMTP 3.1 "Commands"); unknown ones are ignored,
    /// as libzmq does.
    fn on_command(&mut self, msg: &Msg, now: Instant) -> Result<(), ProtocolError> {
        match command::parse(msg.data()) {
            Command::Ping { ttl, context } => {
                self.heartbeat.ping_received(ttl, now);
                let mut pong = Vec::with_capacity(command::PONG.len() + context.len());
                command::write_pong(&mut pong, context);
                if self.out.pending().len() >= PONG_BACKLOG {
                    self.owed_pong = Some(pong);
                    return Ok(());
                }
                return self.write_command(&pong);
            }
            Command::Subscribe(topic) => self.events.push_back(Event::Subscribe(topic.to_vec())),
            Command::Cancel(topic) => self.events.push_back(Event::Cancel(topic.to_vec())),
            Command::Join(group) => self.events.push_back(Event::Join(group.to_vec())),
            Command::Leave(group) => self.events.push_back(Event::Leave(group.to_vec())),
            Command::Pong | Command::Other => {}
        }
        Ok(())
    }

    /// Checks a ZAP reply and hands the verdict to the mechanism.
    fn process_zap_reply(&mut self, frames: &[Msg], now: Instant) -> Result<(), ProtocolError> {
        if !self.zap_pending {
            return Err(ProtocolError::ZapReply(ZapError::Unexpected));
        }
        let reply = zap::parse_reply(frames, self.config.socket_type).map_err(ProtocolError::ZapReply)?;
        self.zap_pending = false;
        self.zap_properties = reply.properties;
        let Some(mechanism) = self.mechanism.as_mut() else {
            return Err(ProtocolError::ZapReply(ZapError::Unexpected));
        };
        let verdict = mechanism.zap_reply(reply.status);
        // A refusal leaves an ERROR for the peer.
        self.write_handshake_commands()?;
        verdict?;
        self.mechanism_step(now)
    }

    /// Queues the mechanism's commands.
    fn write_handshake_commands(&mut self) -> Result<(), ProtocolError> {
        let Some(mechanism) = self.mechanism.as_mut() else { return Ok(()) };
        while let Some(body) = mechanism.next_handshake_command()? {
            frame::write_header(&mut self.out, false, true, body.len());
            self.out.extend_from_slice(&body);
        }
        Ok(())
    }

    /// Sends what the mechanism has to send, passes on its ZAP request, and finishes
    /// the handshake when it is done.
    fn mechanism_step(&mut self, now: Instant) -> Result<(), ProtocolError> {
        self.write_handshake_commands()?;
        let Some(mechanism) = self.mechanism.as_mut() else { return Ok(()) };
        if let Some(credentials) = mechanism.zap_request() {
            self.zap_pending = true;
            self.events.push_back(Event::ZapRequest(zap::request(&self.config, &credentials)));
        }
        if self.phase != Phase::Handshake || !mechanism.is_ready() {
            return Ok(());
        }
        self.codec = mechanism.take_codec();
        let mut metadata = Metadata::new();
        metadata.set_source_fd(self.config.source_fd);
        // The first of duplicate names wins.
        if let Some(address) = self.config.peer_address.as_deref().filter(|address| !address.is_empty()) {
            metadata.insert_new(PEER_ADDRESS, address.as_bytes());
        }
        for (name, value) in &self.zap_properties {
            metadata.insert_new(name, value);
        }
        let mut peer_socket_type = -1;
        let mut peer_routing_id = Vec::new();
        for (name, value) in mechanism.peer_properties() {
            if name == command::SOCKET_TYPE {
                peer_socket_type = super::socket_type::from_name(value).unwrap_or(-1);
            } else if name == command::IDENTITY {
                peer_routing_id.clone_from(value);
            }
            metadata.insert_new(name, value);
        }
        let metadata = Arc::new(metadata);
        self.metadata = Some(Arc::clone(&metadata));
        self.metadata_stock.clear();
        self.become_ready(Event::Ready { peer_socket_type, peer_routing_id, metadata }, now);
        Ok(())
    }

    fn become_ready(&mut self, ready: Event, now: Instant) {
        self.phase = Phase::Ready;
        self.handshake_deadline = None;
        if self.protocol.is_some_and(Protocol::has_commands) {
            self.heartbeat.start(now);
        }
        self.events.push_back(ready);
    }

    /// Queues a command after the handshake (PING, PONG), encrypted with CURVE.
    fn write_command(&mut self, body: &[u8]) -> Result<(), ProtocolError> {
        if let Some(codec) = self.codec.as_mut() {
            return codec.encode(&mut self.out, false, true, &[], body);
        }
        frame::write_header(&mut self.out, false, true, body.len());
        self.out.extend_from_slice(body);
        Ok(())
    }
}

impl fmt::Debug for Connection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Connection")
            .field("socket_type", &self.config.socket_type)
            .field("phase", &self.phase)
            .field("protocol", &self.protocol)
            .field("decoder", &self.decoder)
            .field("pending_output", &self.pending_output().len())
            .field("events", &self.events.len())
            .field("failure", &self.failure)
            .finish_non_exhaustive()
    }
}
