//! Connection tests: our client against our server, and each against a peer
//! written here byte by byte, with no sockets.

use std::time::{Duration, Instant};

use super::*;
use crate::constants::*;
use crate::msg::part;
use crate::zmtp::{Config, Event, ProtocolError};

const MS: Duration = Duration::from_millis(1);

fn client(config: Config, now: Instant) -> WsConnection {
    let role = Role::Client { host: "127.0.0.1".into(), path: "/test".into() };
    WsConnection::new(config, role, now)
}

fn server(config: Config, now: Instant) -> WsConnection {
    WsConnection::new(config, Role::Server, now)
}

/// Moves output both ways until neither side has anything to say.
fn exchange(a: &mut WsConnection, b: &mut WsConnection, now: Instant) {
    loop {
        let from_a = a.pending_output().to_vec();
        a.consume(from_a.len());
        let from_b = b.pending_output().to_vec();
        b.consume(from_b.len());
        if from_a.is_empty() && from_b.is_empty() {
            return;
        }
        if !from_a.is_empty() {
            b.handle_input(&from_a, now).unwrap();
        }
        if !from_b.is_empty() {
            a.handle_input(&from_b, now).unwrap();
        }
    }
}

fn events(connection: &mut WsConnection) -> Vec<Event> {
    std::iter::from_fn(|| connection.poll_event()).collect()
}

fn messages(connection: &mut WsConnection) -> Vec<(Vec<u8>, bool)> {
    events(connection)
        .into_iter()
        .filter_map(|event| match event {
            Event::Message(msg) => Some((msg.data().to_vec(), msg.more())),
            _ => None,
        })
        .collect()
}

/// A connected pair of DEALERs (ours on both ends), handshakes done.
fn pair(now: Instant) -> (WsConnection, WsConnection) {
    let mut a = client(Config::new(ZMQ_DEALER), now);
    let mut b = server(Config::new(ZMQ_DEALER), now);
    exchange(&mut a, &mut b, now);
    assert!(a.is_ready() && b.is_ready());
    assert_eq!(a.subprotocol(), Some(Subprotocol::Null));
    assert_eq!(b.subprotocol(), Some(Subprotocol::Null));
    for side in [&mut a, &mut b] {
        let ready = events(side);
        assert!(matches!(ready.as_slice(), [Event::Ready { peer_socket_type: ZMQ_DEALER, .. }]), "{ready:?}");
    }
    (a, b)
}

#[test]
fn ours_on_both_ends_carry_multipart_and_large_messages() {
    let now = Instant::now();
    let (mut a, mut b) = pair(now);
    let large = vec![0x5a; 300_000];
    a.send(&part(b"first", true)).unwrap();
    a.send(&part(b"", true)).unwrap();
    a.send(&part(&large, false)).unwrap();
    b.send(&part(b"back", false)).unwrap();
    exchange(&mut a, &mut b, now);
    assert_eq!(messages(&mut b), [(b"first".to_vec(), true), (Vec::new(), true), (large, false)]);
    assert_eq!(messages(&mut a), [(b"back".to_vec(), false)]);
}

#[test]
fn nothing_is_sent_before_the_handshakes() {
    let now = Instant::now();
    let mut a = client(Config::new(ZMQ_PAIR), now);
    assert_eq!(a.send(&part(b"early", false)), Err(crate::error::Errno::EAGAIN));
    assert!(a.pending_output().starts_with(b"GET /test HTTP/1.1\r\nHost: 127.0.0.1\r\n"));
    assert!(!a.is_ready());
    assert_eq!(a.subprotocol(), None);
}

/// The bytes a client sends: the request, then what `frames` writes, masked.
struct RawClient {
    bytes: Vec<u8>,
}

impl RawClient {
    fn new(protocols: &str) -> RawClient {
        let request = format!(
            "GET /x HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
             Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Protocol: {protocols}\r\n\
             Sec-WebSocket-Version: 13\r\n\r\n"
        );
        RawClient { bytes: request.into_bytes() }
    }

    /// A masked frame with this first byte and payload.
    fn frame(&mut self, first: u8, payload: &[u8]) -> &mut Self {
        let mask = [0xa1, 0xb2, 0xc3, 0xd4];
        self.bytes.push(first);
        match payload.len() {
            0..=125 => self.bytes.push(0x80 | payload.len() as u8),
            126..=0xffff => {
                self.bytes.push(0x80 | 126);
                self.bytes.extend_from_slice(&(payload.len() as u16).to_be_bytes());
            }
            _ => {
                self.bytes.push(0x80 | 127);
                self.bytes.extend_from_slice(&(payload.len() as u64).to_be_bytes());
            }
        }
        self.bytes.extend_from_slice(&mask);
        self.bytes.extend(payload.iter().enumerate().map(|(i, byte)| byte ^ mask[i % 4]));
        self
    }

    /// A ZWS message part: flags byte, then the body.
    fn part(&mut self, flags: u8, body: &[u8]) -> &mut Self {
        let mut payload = vec![flags];
        payload.extend_from_slice(body);
        self.frame(0x82, &payload)
    }
}

/// Splits a server's output into its HTTP head and its frames (unmasked, as a
/// server sends them): (first byte, payload).
fn server_frames(output: &[u8]) -> (String, Vec<(u8, Vec<u8>)>) {
    let end = output.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
    let head = String::from_utf8(output[..end].to_vec()).unwrap();
    let mut frames = Vec::new();
    let mut rest = &output[end..];
    while let [first, second, tail @ ..] = rest {
        assert_eq!(second & 0x80, 0, "a server never masks");
        let (length, tail) = match second & 0x7f {
            126 => (u16::from_be_bytes([tail[0], tail[1]]) as usize, &tail[2..]),
            127 => (u64::from_be_bytes(tail[..8].try_into().unwrap()) as usize, &tail[8..]),
            short => (short as usize, tail),
        };
        frames.push((*first, tail[..length].to_vec()));
        rest = &tail[length..];
    }
    (head, frames)
}

const READY_PAIR: &[u8] = b"\x05READY\x0bSocket-Type\x00\x00\x00\x04PAIR";

#[test]
fn the_wire_format_is_libzmqs() {
    let now = Instant::now();
    let mut ours = server(Config::new(ZMQ_PAIR), now);
    let mut peer = RawClient::new("ZWS2.0/NULL,ZWS2.0");
    peer.part(0x02, READY_PAIR).part(0x01, b"one").part(0x00, b"two").frame(0x89, b"");
    ours.handle_input(&peer.bytes, now).unwrap();
    assert!(ours.is_ready());
    assert_eq!(messages(&mut ours), [(b"one".to_vec(), true), (b"two".to_vec(), false)]);
    ours.send(&part(b"reply", true)).unwrap();
    ours.send(&part(&[7; 200], false)).unwrap();
    let (head, frames) = server_frames(ours.pending_output());
    assert_eq!(
        head,
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\nSec-WebSocket-Protocol: ZWS2.0/NULL\r\n\r\n"
    );
    let mut large = vec![0x00];
    large.extend_from_slice(&[7; 200]);
    let mut ready = vec![0x02];
    ready.extend_from_slice(READY_PAIR);
    assert_eq!(frames, [(0x82, ready), (0x8a, vec![]), (0x82, b"\x01reply".to_vec()), (0x82, large)]);
}

#[test]
fn bare_zws_exchanges_routing_ids_first() {
    let now = Instant::now();
    let mut config = Config::new(ZMQ_DEALER);
    config.routing_id = b"me".to_vec();
    let mut ours = server(config, now);
    let mut peer = RawClient::new("ZWS2.0");
    peer.part(0x00, b"peer-id").part(0x00, b"hello");
    ours.handle_input(&peer.bytes, now).unwrap();
    assert_eq!(ours.subprotocol(), Some(Subprotocol::Bare));
    let seen = events(&mut ours);
    assert!(matches!(&seen[0], Event::Ready { peer_routing_id, .. } if peer_routing_id == b"peer-id"));
    assert!(matches!(&seen[1], Event::Message(msg) if msg.data() == b"hello"));
    let (_, frames) = server_frames(ours.pending_output());
    assert_eq!(frames, [(0x82, b"\x00me".to_vec())]);
}

#[test]
fn subscriptions_travel_as_messages() {
    let now = Instant::now();
    let mut sub = client(Config::new(ZMQ_SUB), now);
    let mut publisher = server(Config::new(ZMQ_PUB), now);
    exchange(&mut sub, &mut publisher, now);
    events(&mut publisher);
    sub.send(&crate::zmtp::subscribe_command(b"topic")).unwrap();
    exchange(&mut sub, &mut publisher, now);
    // RFC 45: 0x01 then the topic, a message (libzmq's ws_encoder).
    assert_eq!(messages(&mut publisher), [(b"\x01topic".to_vec(), false)]);
}

#[test]
fn pings_are_answered_and_a_close_is_echoed() {
    let now = Instant::now();
    let mut ours = server(Config::new(ZMQ_PAIR), now);
    let mut peer = RawClient::new("ZWS2.0/NULL");
    peer.part(0x02, READY_PAIR).frame(0x89, b"ctx").frame(0x8a, b"").frame(0x88, b"\x03\xe8bye");
    peer.part(0x00, b"ignored");
    ours.handle_input(&peer.bytes, now).unwrap();
    assert!(!ours.is_ready(), "closing");
    assert!(!ours.peer_closed(), "the answer is not written yet");
    assert!(messages(&mut ours).is_empty());
    let (_, frames) = server_frames(ours.pending_output());
    assert_eq!(frames[1..], [(0x8a, vec![]), (0x88, b"\x03\xe8bye".to_vec())]);
    let pending = ours.pending_output().len();
    ours.consume(pending);
    assert!(ours.peer_closed());
    assert_eq!(ours.send(&part(b"late", false)), Err(crate::error::Errno::EAGAIN));
}

#[test]
fn heartbeats_are_websocket_pings() {
    let now = Instant::now();
    let mut config = Config::new(ZMQ_DEALER);
    config.heartbeat_ivl = Some(10 * MS);
    config.heartbeat_timeout = Some(30 * MS);
    let mut a = client(config, now);
    let mut b = server(Config::new(ZMQ_DEALER), now);
    exchange(&mut a, &mut b, now);
    assert_eq!(a.poll_timeout(), Some(now + 10 * MS));
    a.handle_timeout(now + 10 * MS).unwrap();
    // One masked, empty ping.
    let ping = a.pending_output().to_vec();
    assert_eq!((ping[0], ping[1], ping.len()), (0x89, 0x80, 6));
    exchange(&mut a, &mut b, now + 10 * MS);
    // The pong came back: the timeout is cleared; the next ping is due.
    assert_eq!(a.poll_timeout(), Some(now + 20 * MS));
    a.handle_timeout(now + 20 * MS).unwrap();
    a.consume(a.pending_output().len());
    a.handle_timeout(now + 30 * MS).unwrap();
    assert_eq!(a.handle_timeout(now + 50 * MS), Err(ProtocolError::HeartbeatTimeout));
    assert_eq!(a.poll_timeout(), None);
}

#[test]
fn the_handshake_deadline_covers_the_upgrade() {
    let now = Instant::now();
    let mut config = Config::new(ZMQ_PAIR);
    config.handshake_ivl = Some(100 * MS);
    let mut ours = server(config.clone(), now);
    assert_eq!(ours.poll_timeout(), Some(now + 100 * MS));
    assert_eq!(ours.handle_timeout(now + 100 * MS), Err(ProtocolError::HandshakeTimeout));
    // Upgraded, but the security handshake never finishes: the same deadline.
    let mut ours = server(config, now);
    ours.handle_input(&RawClient::new("ZWS2.0/NULL").bytes, now + 50 * MS).unwrap();
    assert_eq!(ours.poll_timeout(), Some(now + 100 * MS));
    assert_eq!(ours.handle_timeout(now + 100 * MS), Err(ProtocolError::HandshakeTimeout));
}

#[test]
fn malformed_input_fails_for_good() {
    let now = Instant::now();
    let cases: Vec<(Vec<u8>, ProtocolError)> = vec![
        (b"\xff\x00\x00\x00\x00\x00\x00\x00\x01\x7f".to_vec(), ProtocolError::WsUpgradeFailed),
        (b"GET / HTTP/1.1\r\nUpgrade: websocket\r\n\r\n".to_vec(), ProtocolError::WsUpgradeFailed),
        (RawClient::new("ZWS2.0/PLAIN").bytes, ProtocolError::WsUpgradeFailed),
        (
            {
                // Unmasked from a client.
                let mut bytes = RawClient::new("ZWS2.0").bytes;
                bytes.extend_from_slice(b"\x82\x01\x00");
                bytes
            },
            ProtocolError::WsMalformedFrame,
        ),
        (RawClient::new("ZWS2.0").frame(0x81, b"\x00text").bytes.clone(), ProtocolError::WsMalformedFrame),
        (RawClient::new("ZWS2.0").frame(0x02, b"\x00frag").bytes.clone(), ProtocolError::WsMalformedFrame),
        (RawClient::new("ZWS2.0").frame(0x82, b"").bytes.clone(), ProtocolError::WsMalformedFrame),
        (RawClient::new("ZWS2.0").frame(0x89, &[0; 126]).bytes.clone(), ProtocolError::WsMalformedFrame),
        (
            RawClient::new("ZWS2.0/NULL").part(0x00, b"not a command").bytes.clone(),
            ProtocolError::UnexpectedCommand,
        ),
    ];
    for (input, expected) in cases {
        let mut ours = server(Config::new(ZMQ_PAIR), now);
        assert_eq!(
            ours.handle_input(&input, now),
            Err(expected.clone()),
            "{:?}",
            String::from_utf8_lossy(&input)
        );
        assert_eq!(ours.handle_input(b"more", now), Err(expected.clone()));
        assert_eq!(ours.handle_timeout(now), Err(expected));
        assert!(!ours.is_ready());
    }
}

#[test]
fn the_client_refuses_a_bad_answer() {
    let now = Instant::now();
    let mut ours = client(Config::new(ZMQ_PAIR), now);
    let answer = b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
                   Sec-WebSocket-Accept: wrong\r\nSec-WebSocket-Protocol: ZWS2.0/NULL\r\n\r\n";
    assert_eq!(ours.handle_input(answer, now), Err(ProtocolError::WsUpgradeFailed));
    // A server's frame must not be masked.
    let mut a = client(Config::new(ZMQ_PAIR), now);
    let mut b = server(Config::new(ZMQ_PAIR), now);
    b.handle_input(a.pending_output(), now).unwrap();
    let mut answer = b.pending_output().to_vec();
    let head_end = answer.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
    answer.truncate(head_end);
    answer.extend_from_slice(b"\x82\x81\x00\x00\x00\x00\x00");
    a.consume(a.pending_output().len());
    assert_eq!(a.handle_input(&answer, now), Err(ProtocolError::WsMalformedFrame));
}

#[test]
fn max_msg_size_limits_each_body() {
    let now = Instant::now();
    let mut config = Config::new(ZMQ_PAIR);
    config.max_msg_size = Some(4);
    let mut ours = server(config.clone(), now);
    let mut peer = RawClient::new("ZWS2.0/NULL");
    peer.part(0x02, READY_PAIR);
    ours.handle_input(&peer.bytes, now).expect_err("READY is larger than 4 bytes");
    let mut ours = server(config, now);
    let mut peer = RawClient::new("ZWS2.0");
    peer.part(0x00, b"id").part(0x00, b"four").part(0x00, b"fives");
    assert_eq!(ours.handle_input(&peer.bytes, now), Err(ProtocolError::MessageTooLarge));
    assert_eq!(messages(&mut ours), [(b"four".to_vec(), false)]);
}

#[test]
fn input_in_any_pieces_decodes_the_same() {
    let now = Instant::now();
    let mut peer = RawClient::new("ZWS2.0/NULL");
    peer.part(0x02, READY_PAIR).part(0x01, b"a").part(0x00, &[3; 70_000]).frame(0x89, b"");
    for chunk in [1, 5, 64, 1000, 100_000] {
        let mut ours = server(Config::new(ZMQ_PAIR), now);
        for piece in peer.bytes.chunks(chunk) {
            ours.handle_input(piece, now).unwrap();
        }
        assert_eq!(messages(&mut ours), [(b"a".to_vec(), true), (vec![3; 70_000], false)], "{chunk}");
    }
}

#[test]
fn a_peer_that_pings_without_reading_is_owed_one_pong() {
    let now = Instant::now();
    let mut ours = server(Config::new(ZMQ_PAIR), now);
    let mut peer = RawClient::new("ZWS2.0/NULL");
    peer.part(0x02, READY_PAIR);
    ours.handle_input(&peer.bytes, now).unwrap();
    // 100 000 WebSocket pings and as many ZMTP PINGs, none of the output read.
    for index in 0..100_000u32 {
        let mut peer = RawClient { bytes: Vec::new() };
        peer.frame(0x89, b"");
        peer.part(0x02, &[&b"\x04PING\x00\x00"[..], &index.to_be_bytes()].concat());
        ours.handle_input(&peer.bytes, now).unwrap();
    }
    let backlog = ours.pending_output().len();
    assert!(backlog < 64 * 1024 + 64, "{backlog} bytes of pongs");
    // Draining the output answers what is owed, once, then nothing more.
    let mut drained = 0;
    let mut frames = 0;
    while !ours.pending_output().is_empty() {
        let pending = ours.pending_output().len();
        drained += pending;
        frames += 1;
        ours.consume(pending);
        assert!(frames < 100, "the output drains");
    }
    assert!(drained < 3 * 64 * 1024, "{drained} bytes in all");
    // With the output flowing, each ping is answered at once.
    let mut peer = RawClient { bytes: Vec::new() };
    peer.frame(0x89, b"");
    ours.handle_input(&peer.bytes, now).unwrap();
    assert_eq!(ours.pending_output(), b"\x8a\x00");
}
