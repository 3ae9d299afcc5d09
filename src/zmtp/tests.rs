//! Connection tests: exact bytes in, exact bytes and events out, no sockets.

use std::sync::Arc;
use std::time::{Duration, Instant};

use super::*;
use crate::constants::*;
use crate::error::Errno;
use crate::msg::Flags;

const MS: Duration = Duration::from_millis(1);

/// A peer's ZMTP 3 greeting.
fn greeting(major: u8, minor: u8, mechanism: &[u8]) -> Vec<u8> {
    let mut bytes = vec![0xff, 0, 0, 0, 0, 0, 0, 0, 1, 0x7f, major, minor];
    bytes.extend_from_slice(mechanism);
    bytes.resize(64, 0);
    bytes
}

/// A ZMTP 2.0/3.x frame.
fn frame(more: bool, command: bool, body: &[u8]) -> Vec<u8> {
    let mut bytes = Vec::new();
    frame::write_header(&mut bytes, more, command, body.len());
    bytes.extend_from_slice(body);
    bytes
}

fn ready(properties: &[(&str, &[u8])]) -> Vec<u8> {
    let mut body = b"\x05READY".to_vec();
    for (name, value) in properties {
        command::write_property(&mut body, name.as_bytes(), value);
    }
    frame(false, true, &body)
}

fn events(connection: &mut Connection) -> Vec<Event> {
    std::iter::from_fn(|| connection.poll_event()).collect()
}

/// A comparable summary of an event.
#[derive(Debug, PartialEq)]
enum Seen {
    Ready(i32, Vec<u8>, Metadata),
    Message(Vec<u8>, bool, Option<Metadata>),
    Subscribe(Vec<u8>),
    Cancel(Vec<u8>),
    Join(Vec<u8>),
    Leave(Vec<u8>),
    PeerError(Vec<u8>),
    ZapRequest(Vec<Vec<u8>>),
}

fn seen(events: Vec<Event>) -> Vec<Seen> {
    events
        .into_iter()
        .map(|event| match event {
            Event::Ready { peer_socket_type, peer_routing_id, metadata } => {
                Seen::Ready(peer_socket_type, peer_routing_id, (*metadata).clone())
            }
            Event::Message(msg) => {
                Seen::Message(msg.data().to_vec(), msg.more(), msg.metadata().map(|m| (**m).clone()))
            }
            Event::Subscribe(topic) => Seen::Subscribe(topic),
            Event::Cancel(topic) => Seen::Cancel(topic),
            Event::Join(group) => Seen::Join(group),
            Event::Leave(group) => Seen::Leave(group),
            Event::PeerError(reason) => Seen::PeerError(reason),
            Event::ZapRequest(frames) => Seen::ZapRequest(frames.iter().map(|f| f.data().to_vec()).collect()),
        })
        .collect()
}

fn take_output(connection: &mut Connection) -> Vec<u8> {
    let output = connection.pending_output().to_vec();
    connection.consume(output.len());
    output
}

/// A connection of `config` that completed a ZMTP 3.1 NULL handshake with a peer of
/// type `peer`; the Ready event and handshake output are drained.
fn connected(config: Config, peer: &str, now: Instant) -> Connection {
    let mut connection = Connection::new(config, now);
    connection.handle_input(&greeting(3, 1, b"NULL"), now).unwrap();
    connection.handle_input(&ready(&[("Socket-Type", peer.as_bytes())]), now).unwrap();
    assert!(connection.is_ready());
    assert!(matches!(connection.poll_event(), Some(Event::Ready { .. })));
    take_output(&mut connection);
    connection
}

#[test]
fn greeting_goes_out_in_libzmq_steps() {
    let now = Instant::now();
    let mut config = Config::new(ZMQ_DEALER);
    config.routing_id = b"abc".to_vec();
    let mut connection = Connection::new(config, now);
    assert_eq!(connection.pending_output(), [0xff, 0, 0, 0, 0, 0, 0, 0, 4, 0x7f]);
    assert_eq!(connection.read_buffer().len(), 12);
    assert_eq!(connection.peer_version(), None);
    let peer = greeting(3, 1, b"NULL");
    connection.handle_input(&peer[..10], now).unwrap();
    assert_eq!(connection.pending_output().len(), 11);
    connection.handle_input(&peer[10..11], now).unwrap();
    let mut expected = vec![0xff, 0, 0, 0, 0, 0, 0, 0, 4, 0x7f, 3, 1];
    expected.extend_from_slice(b"NULL");
    expected.resize(64, 0);
    assert_eq!(connection.pending_output(), &expected[..]);
    assert!(!connection.is_ready());
    connection.handle_input(&peer[11..], now).unwrap();
    assert_eq!(connection.peer_version(), Some((3, 1)));
    // Then our READY, as a command frame.
    let ready_body = b"\x05READY\x0bSocket-Type\0\0\0\x06DEALER\x08Identity\0\0\0\x03abc";
    expected.extend_from_slice(&frame(false, true, ready_body));
    assert_eq!(connection.pending_output(), &expected[..]);
    assert!(!connection.is_ready());
    assert_eq!(connection.send(&Msg::from_vec(b"early".to_vec())).unwrap_err(), Errno::EAGAIN);
}

#[test]
fn null_handshake_reports_the_peer_and_its_metadata() {
    let now = Instant::now();
    let mut config = Config::new(ZMQ_ROUTER);
    config.metadata = vec![("X-Mine".to_owned(), b"1".to_vec())];
    config.peer_address = Some("127.0.0.1".to_owned());
    let mut connection = Connection::new(config, now);
    connection.handle_input(&greeting(3, 1, b"NULL"), now).unwrap();
    let peer_ready = ready(&[
        ("Socket-Type", b"DEALER"),
        ("Identity", b"peer"),
        ("X-Hello", b"world"),
        ("Peer-Address", b"spoofed"),
        ("X-Hello", b"again"),
    ]);
    connection.handle_input(&peer_ready, now).unwrap();
    assert!(connection.is_ready());
    let mut metadata = Metadata::new();
    metadata.insert("Peer-Address", b"127.0.0.1");
    metadata.insert("Socket-Type", b"DEALER");
    metadata.insert("Identity", b"peer");
    metadata.insert("X-Hello", b"world");
    assert_eq!(seen(events(&mut connection)), [Seen::Ready(ZMQ_DEALER, b"peer".to_vec(), metadata.clone())]);
    let output = take_output(&mut connection);
    assert!(output.ends_with(b"\x08Identity\0\0\0\0\x06X-Mine\0\0\0\x011"));

    // Messages carry the metadata and MORE as on the wire.
    let mut input = frame(true, false, b"part1");
    input.extend(frame(false, false, &[7; 300]));
    connection.handle_input(&input, now).unwrap();
    assert_eq!(
        seen(events(&mut connection)),
        [
            Seen::Message(b"part1".to_vec(), true, Some(metadata.clone())),
            Seen::Message(vec![7; 300], false, Some(metadata)),
        ]
    );
    let message = Msg::from_slice(b"x").unwrap();
    connection.handle_input(&frame(false, false, b"y"), now).unwrap();
    let Some(Event::Message(received)) = connection.poll_event() else { panic!("no message") };
    assert_eq!(received.property(b"X-Hello").unwrap().to_bytes(), b"world");
    assert_eq!(received.property(b"Peer-Address").unwrap().to_bytes(), b"127.0.0.1");
    drop(message);
}

#[test]
fn sent_messages_are_framed_and_batched() {
    let now = Instant::now();
    let mut connection = connected(Config::new(ZMQ_PAIR), "PAIR", now);
    let mut first = Msg::from_slice(b"abc").unwrap();
    first.set_more(true);
    connection.send(&first).unwrap();
    connection.send(&Msg::from_vec(vec![5; 255])).unwrap();
    connection.send(&Msg::from_vec(vec![6; 256])).unwrap();
    let mut expected = vec![1, 3, b'a', b'b', b'c', 0, 255];
    expected.extend_from_slice(&[5; 255]);
    expected.extend_from_slice(&[2, 0, 0, 0, 0, 0, 0, 1, 0]);
    expected.extend_from_slice(&[6; 256]);
    assert_eq!(connection.pending_output(), &expected[..]);
    connection.consume(4);
    assert_eq!(connection.pending_output(), &expected[4..]);
    connection.consume(usize::MAX);
    assert!(connection.pending_output().is_empty());

    // Many small messages share one buffer, drained in pieces.
    for i in 0..100_000u32 {
        connection.send(&Msg::from_slice(&i.to_be_bytes()).unwrap()).unwrap();
    }
    let mut total = 0;
    while !connection.pending_output().is_empty() {
        let n = connection.pending_output().len().min(7_000);
        total += n;
        connection.consume(n);
    }
    assert_eq!(total, 600_000);
}

#[test]
fn handshake_failures() {
    let now = Instant::now();
    let cases: [(Vec<u8>, ProtocolError); 5] = [
        (greeting(3, 1, b"PLAIN"), ProtocolError::MechanismMismatch),
        (
            [greeting(3, 1, b"NULL"), ready(&[("Socket-Type", b"PUSH")])].concat(),
            ProtocolError::IncompatibleSocketType(b"PUSH".to_vec()),
        ),
        (
            [greeting(3, 1, b"NULL"), frame(false, true, b"\x05READY\x01A\0\0\0\x05x")].concat(),
            ProtocolError::MalformedReady,
        ),
        (
            [greeting(3, 0, b"NULL"), frame(false, true, b"\x05HELLO")].concat(),
            ProtocolError::UnexpectedCommand,
        ),
        (
            [greeting(3, 1, b"NULL"), frame(false, true, b"\x05ERROR\x09")].concat(),
            ProtocolError::MalformedError,
        ),
    ];
    for (input, error) in cases {
        let mut connection = Connection::new(Config::new(ZMQ_PAIR), now);
        assert_eq!(connection.handle_input(&input, now), Err(error.clone()));
        // Final: every later call reports it.
        assert_eq!(connection.handle_input(b"", now), Err(error.clone()));
        assert_eq!(connection.received(1, now), Err(error.clone()));
        assert_eq!(connection.handle_timeout(now), Err(error));
        assert_eq!(connection.poll_timeout(), None);
        assert!(!connection.is_ready());
    }
    assert_eq!(
        ProtocolError::IncompatibleSocketType(vec![]).code(),
        ZMQ_PROTOCOL_ERROR_ZMTP_INVALID_METADATA
    );
}

#[test]
fn error_command_is_reported_then_fails() {
    let now = Instant::now();
    let mut connection = Connection::new(Config::new(ZMQ_PAIR), now);
    let input = [greeting(3, 1, b"NULL"), frame(false, true, b"\x05ERROR\x03400")].concat();
    let error = ProtocolError::PeerError(b"400".to_vec());
    assert_eq!(connection.handle_input(&input, now), Err(error.clone()));
    assert_eq!(seen(events(&mut connection)), [Seen::PeerError(b"400".to_vec())]);
    assert_eq!(error.zap_status_code(), Some(400));
}

#[test]
fn stream_sockets_never_complete_a_handshake() {
    let now = Instant::now();
    let mut connection = Connection::new(Config::new(ZMQ_STREAM), now);
    let input = [greeting(3, 1, b"NULL"), ready(&[("Socket-Type", b"STREAM")])].concat();
    assert!(matches!(connection.handle_input(&input, now), Err(ProtocolError::IncompatibleSocketType(_))));
}

#[test]
fn frames_over_max_msg_size_fail() {
    let now = Instant::now();
    let mut config = Config::new(ZMQ_PULL);
    config.max_msg_size = Some(40);
    let mut connection = connected(config, "PUSH", now);
    connection.handle_input(&frame(false, false, &[1; 40]), now).unwrap();
    assert_eq!(connection.handle_input(&[0, 41], now), Err(ProtocolError::MessageTooLarge));
    // The handshake itself is subject to the limit too, as in libzmq.
    let mut config = Config::new(ZMQ_PULL);
    config.max_msg_size = Some(4);
    let mut connection = Connection::new(config, now);
    let input = [greeting(3, 1, b"NULL"), ready(&[("Socket-Type", b"PUSH")])].concat();
    assert_eq!(connection.handle_input(&input, now), Err(ProtocolError::MessageTooLarge));
}

#[test]
fn ping_gets_a_pong_and_arms_the_peers_ttl() {
    let now = Instant::now();
    let mut connection = connected(Config::new(ZMQ_PAIR), "PAIR", now);
    assert_eq!(connection.poll_timeout(), None);
    let ping = frame(false, true, b"\x04PING\x00\x0512345678901234567890");
    connection.handle_input(&ping, now).unwrap();
    assert_eq!(connection.pending_output(), &frame(false, true, b"\x04PONG1234567890123456")[..]);
    assert!(events(&mut connection).is_empty());
    assert_eq!(connection.poll_timeout(), Some(now + 500 * MS));
    connection.handle_timeout(now + 499 * MS).unwrap();
    // Any traffic clears it.
    connection.handle_input(&frame(false, false, b"alive"), now + 499 * MS).unwrap();
    assert_eq!(connection.poll_timeout(), None);
    connection.handle_input(&frame(false, true, b"\x04PING\x00\x01"), now + 600 * MS).unwrap();
    assert_eq!(connection.handle_timeout(now + 700 * MS), Err(ProtocolError::HeartbeatTtlExpired));
    assert!(ProtocolError::HeartbeatTtlExpired.is_timeout());
}

#[test]
fn a_peer_that_pings_without_reading_is_owed_one_pong() {
    let now = Instant::now();
    let mut connection = connected(Config::new(ZMQ_PAIR), "PAIR", now);
    let pong = |index: u32| frame(false, true, &[&b"\x04PONG"[..], &index.to_be_bytes()].concat());
    // 100 000 PINGs, none of the output read: the PONGs stop at the backlog.
    for index in 0..100_000u32 {
        let ping = frame(false, true, &[&b"\x04PING\x00\x00"[..], &index.to_be_bytes()].concat());
        connection.handle_input(&ping, now).unwrap();
    }
    let backlog = connection.pending_output().len();
    assert!((64 * 1024..64 * 1024 + 64).contains(&backlog), "{backlog} bytes of PONGs");
    assert!(connection.pending_output().starts_with(&pong(0)));
    // Once the output drains, the latest PING is answered, once.
    connection.consume(backlog);
    assert_eq!(take_output(&mut connection), pong(99_999));
    assert_eq!(take_output(&mut connection), b"");
    // With the output flowing, each PING is answered at once.
    connection.handle_input(&frame(false, true, b"\x04PING\x00\x00\x00\x00\x00\x07"), now).unwrap();
    assert_eq!(take_output(&mut connection), pong(7));
}

#[test]
fn heartbeats_ping_and_time_out() {
    let now = Instant::now();
    let mut config = Config::new(ZMQ_PAIR);
    config.heartbeat_ivl = Some(100 * MS);
    config.heartbeat_ttl = Some(Duration::from_secs(2));
    config.heartbeat_timeout = Some(30 * MS);
    let mut connection = connected(config, "PAIR", now);
    assert_eq!(connection.poll_timeout(), Some(now + 100 * MS));
    connection.handle_timeout(now + 50 * MS).unwrap();
    assert!(connection.pending_output().is_empty());
    connection.handle_timeout(now + 100 * MS).unwrap();
    assert_eq!(take_output(&mut connection), frame(false, true, b"\x04PING\x00\x14"));
    assert_eq!(connection.poll_timeout(), Some(now + 130 * MS));
    connection.handle_input(&frame(false, true, b"\x04PONG"), now + 120 * MS).unwrap();
    assert_eq!(connection.poll_timeout(), Some(now + 200 * MS));
    connection.handle_timeout(now + 200 * MS).unwrap();
    assert_eq!(connection.handle_timeout(now + 230 * MS), Err(ProtocolError::HeartbeatTimeout));
}

#[test]
fn handshake_times_out() {
    let now = Instant::now();
    let mut config = Config::new(ZMQ_PAIR);
    config.handshake_ivl = Some(100 * MS);
    let mut connection = Connection::new(config.clone(), now);
    assert_eq!(connection.poll_timeout(), Some(now + 100 * MS));
    connection.handle_timeout(now + 99 * MS).unwrap();
    connection.handle_input(&greeting(3, 1, b"NULL"), now).unwrap();
    assert_eq!(connection.handle_timeout(now + 100 * MS), Err(ProtocolError::HandshakeTimeout));

    let mut connection = connected(config.clone(), "PAIR", now);
    assert_eq!(connection.poll_timeout(), None);
    connection.handle_timeout(now + Duration::from_secs(1)).unwrap();

    config.handshake_ivl = None;
    let mut connection = Connection::new(config, now);
    assert_eq!(connection.poll_timeout(), None);
    connection.handle_timeout(now + Duration::from_secs(3600)).unwrap();
}

#[test]
fn joins_and_leaves_are_commands_both_ways() {
    let now = Instant::now();
    let mut radio = connected(Config::new(ZMQ_RADIO), "DISH", now);
    let mut input = frame(false, true, b"\x04JOINtv");
    input.extend(frame(false, true, b"\x05LEAVEtv"));
    input.extend(frame(false, true, b"\x04JOIN"));
    radio.handle_input(&input, now).unwrap();
    assert_eq!(
        seen(events(&mut radio)),
        [Seen::Join(b"tv".to_vec()), Seen::Leave(b"tv".to_vec()), Seen::Join(Vec::new())]
    );
    // A DISH sends them as command frames to ZMTP 3.1 and 3.0 peers alike.
    for minor in [1, 0] {
        let mut dish = Connection::new(Config::new(ZMQ_DISH), now);
        dish.handle_input(&greeting(3, minor, b"NULL"), now).unwrap();
        dish.handle_input(&ready(&[("Socket-Type", b"RADIO")]), now).unwrap();
        assert!(dish.is_ready());
        take_output(&mut dish);
        dish.send(&join_command(b"movies")).unwrap();
        dish.send(&leave_command(b"movies")).unwrap();
        let mut expected = frame(false, true, b"\x04JOINmovies");
        expected.extend(frame(false, true, b"\x05LEAVEmovies"));
        assert_eq!(take_output(&mut dish), expected, "ZMTP 3.{minor}");
    }
    assert_eq!(parse_membership(&join_command(b"g")), Some((true, &b"g"[..])));
    assert_eq!(parse_membership(&leave_command(b"")), Some((false, &b""[..])));
    assert_eq!(parse_membership(&Msg::from_vec(b"\x04JOINg".to_vec())), None, "not a command");
    assert_eq!(parse_membership(&subscribe_command(b"g")), None);
}

#[test]
fn subscriptions_in_both_directions() {
    let now = Instant::now();
    let mut connection = connected(Config::new(ZMQ_XPUB), "SUB", now);
    let mut input = frame(false, true, b"\x09SUBSCRIBEnews");
    input.extend(frame(false, true, b"\x06CANCELnews"));
    input.extend(frame(false, true, b"\x07UNKNOWN"));
    input.extend(frame(false, true, b""));
    input.extend(frame(false, false, b"\x01old-style"));
    connection.handle_input(&input, now).unwrap();
    let found = seen(events(&mut connection));
    assert_eq!(found[..2], [Seen::Subscribe(b"news".to_vec()), Seen::Cancel(b"news".to_vec())]);
    assert!(matches!(&found[2], Seen::Message(body, false, Some(_)) if body == b"\x01old-style"));
    assert_eq!(found.len(), 3);

    // To a ZMTP 3.1 peer, subscriptions are commands.
    let mut sub = connected(Config::new(ZMQ_SUB), "PUB", now);
    sub.send(&subscribe_command(b"ab")).unwrap();
    sub.send(&cancel_command(b"ab")).unwrap();
    let mut expected = frame(false, true, b"\x09SUBSCRIBEab");
    expected.extend(frame(false, true, b"\x06CANCELab"));
    assert_eq!(take_output(&mut sub), expected);

    // To a ZMTP 3.0 peer, they are messages starting with 1 or 0.
    let mut sub = Connection::new(Config::new(ZMQ_SUB), now);
    sub.handle_input(&greeting(3, 0, b"NULL"), now).unwrap();
    sub.handle_input(&ready(&[("Socket-Type", b"PUB")]), now).unwrap();
    assert_eq!(sub.peer_version(), Some((3, 0)));
    take_output(&mut sub);
    sub.send(&subscribe_command(b"ab")).unwrap();
    sub.send(&cancel_command(b"")).unwrap();
    assert_eq!(take_output(&mut sub), [0, 3, 1, b'a', b'b', 0, 1, 0]);
    // Other commands still go to 3.0 peers as commands.
    let mut ping = Msg::from_slice(b"\x04PING\0\0").unwrap();
    ping.set_flag(Flags::COMMAND, true);
    sub.send(&ping).unwrap();
    assert_eq!(take_output(&mut sub), frame(false, true, b"\x04PING\0\0"));
}

#[test]
fn large_bodies_are_read_into_their_own_buffer() {
    let now = Instant::now();
    let mut connection = connected(Config::new(ZMQ_PAIR), "PAIR", now);
    let body: Vec<u8> = (0..3_000_000u32).map(|i| i as u8).collect();
    let bytes = frame(true, false, &body);
    // Header and the start of the body come through the read buffer.
    let buffer = connection.read_buffer();
    assert_eq!(buffer.len(), 8192);
    buffer[..100].copy_from_slice(&bytes[..100]);
    connection.received(100, now).unwrap();
    // Then the rest goes straight into the body, a bounded chunk at a time.
    let mut offset = 100;
    let mut reads = 0;
    while offset < bytes.len() {
        let buffer = connection.read_buffer();
        assert!(buffer.len() <= 1 << 20);
        assert_eq!(buffer.len(), (bytes.len() - offset).min(buffer.len()));
        let n = buffer.len().min(700_000);
        buffer[..n].copy_from_slice(&bytes[offset..offset + n]);
        connection.received(n, now).unwrap();
        offset += n;
        reads += 1;
    }
    // The first offers are small (64 KiB, then as much as arrived), so a peer that
    // announces a large body and stops costs little.
    assert_eq!(reads, 8);
    let Some(Event::Message(msg)) = connection.poll_event() else { panic!("no message") };
    assert_eq!(msg.data(), &body[..]);
    assert!(msg.more());
    assert_eq!(connection.read_buffer().len(), 8192);
}

/// A peer streaming `size`-byte frames, cut wherever a read ends.
struct Streamer {
    frame: Vec<u8>,
    /// Where in `frame` the next read starts.
    offset: usize,
}

impl Streamer {
    fn new(size: usize) -> Streamer {
        Streamer { frame: frame(false, false, &vec![7; size]), offset: 0 }
    }

    /// Fills the connection's read buffer, as a full read: the frames it completed.
    fn fill(&mut self, connection: &mut Connection, now: Instant) -> usize {
        let buffer = connection.read_buffer();
        let len = buffer.len();
        let bytes: Vec<u8> = self.frame.iter().copied().cycle().skip(self.offset).take(len).collect();
        buffer.copy_from_slice(&bytes);
        self.offset = (self.offset + len) % self.frame.len();
        connection.received(len, now).unwrap();
        events(connection).iter().filter(|event| matches!(event, Event::Message(_))).count()
    }

    /// Sends the rest of the frame the last read cut: the frames it completed.
    fn finish(&mut self, connection: &mut Connection, now: Instant) -> usize {
        if self.offset == 0 {
            return 0;
        }
        let rest = self.frame[self.offset..].to_vec();
        self.offset = 0;
        connection.handle_input(&rest, now).unwrap();
        events(connection).len()
    }
}

#[test]
fn a_stream_of_large_frames_is_read_in_larger_reads() {
    let now = Instant::now();
    let mut connection = connected(Config::new(ZMQ_PAIR), "PAIR", now);
    assert_eq!(connection.read_buffer().len(), 8192);
    // Hundreds of small frames per read: the buffer is large enough.
    let mut small = Streamer::new(8);
    assert_eq!(small.fill(&mut connection, now), 819);
    assert_eq!(small.finish(&mut connection, now), 1);
    assert_eq!(connection.read_buffer().len(), 8192);
    // A short read of large ones: the peer is not streaming.
    let one = frame(false, false, &[1; 1000]);
    connection.read_buffer()[..one.len()].copy_from_slice(&one);
    connection.received(one.len(), now).unwrap();
    assert_eq!(events(&mut connection).len(), 1);
    assert_eq!(connection.read_buffer().len(), 8192);
    // A full read of a few large ones: eight times as much per read from then on,
    // and the frame cut at the end of the small buffer completes in the large one.
    let mut large = Streamer::new(1024);
    assert_eq!(large.fill(&mut connection, now), 7);
    assert_eq!(connection.read_buffer().len(), 64 * 1024);
    assert_eq!(large.fill(&mut connection, now), 64);
    assert_eq!(large.finish(&mut connection, now), 1);
    assert_eq!(connection.read_buffer().len(), 64 * 1024);
}

#[test]
fn zmtp_2_0_peers() {
    let now = Instant::now();
    let mut config = Config::new(ZMQ_SUB);
    config.routing_id = b"me".to_vec();
    let mut connection = Connection::new(config, now);
    let peer = [0xff, 0, 0, 0, 0, 0, 0, 0, 1, 0x7f, 1, ZMQ_PUB as u8];
    connection.handle_input(&peer, now).unwrap();
    assert_eq!(connection.peer_version(), Some((2, 0)));
    assert_eq!(
        connection.pending_output(),
        [0xff, 0, 0, 0, 0, 0, 0, 0, 3, 0x7f, 3, ZMQ_SUB as u8, 0, 2, b'm', b'e']
    );
    take_output(&mut connection);
    assert!(!connection.is_ready());
    // The peer's identity message, then messages; commands are dropped.
    let mut input = frame(false, false, b"them");
    input.extend(frame(true, false, b"a"));
    input.extend(frame(false, true, b"\x04PING\0\0"));
    input.extend(frame(false, false, b"b"));
    connection.handle_input(&input, now).unwrap();
    assert_eq!(
        seen(events(&mut connection)),
        [
            Seen::Ready(ZMQ_PUB, b"them".to_vec(), Metadata::new()),
            Seen::Message(b"a".to_vec(), true, None),
            Seen::Message(b"b".to_vec(), false, None),
        ]
    );
    assert!(connection.pending_output().is_empty(), "no PONG to a 2.0 peer");
    connection.send(&subscribe_command(b"t")).unwrap();
    connection.send(&Msg::from_slice(b"m").unwrap()).unwrap();
    assert_eq!(take_output(&mut connection), [0, 2, 1, b't', 0, 1, b'm']);
    let mut command = Msg::new();
    command.set_flag(Flags::COMMAND, true);
    assert_eq!(connection.send(&command), Err(Errno::ENOTSUP));
}

#[test]
fn zmtp_1_0_peers_with_greeting() {
    let now = Instant::now();
    let mut connection = Connection::new(Config::new(ZMQ_PULL), now);
    let peer = [0xff, 0, 0, 0, 0, 0, 0, 0, 1, 0x7f, 0, ZMQ_PUSH as u8];
    let mut input = peer.to_vec();
    input.extend_from_slice(&[1, 0]); // empty identity
    input.extend_from_slice(&[4, 1, b'a', b'b', b'c', 1, 0]);
    connection.handle_input(&input, now).unwrap();
    assert_eq!(connection.peer_version(), Some((1, 0)));
    assert_eq!(connection.pending_output(), [0xff, 0, 0, 0, 0, 0, 0, 0, 1, 0x7f, 3, ZMQ_PULL as u8, 1, 0]);
    assert_eq!(
        seen(events(&mut connection)),
        [
            Seen::Ready(ZMQ_PUSH, vec![], Metadata::new()),
            Seen::Message(b"abc".to_vec(), true, None),
            Seen::Message(vec![], false, None),
        ]
    );
    take_output(&mut connection);
    connection.send(&Msg::from_vec(vec![9; 254])).unwrap();
    let output = take_output(&mut connection);
    assert_eq!(output[..10], [0xff, 0, 0, 0, 0, 0, 0, 0, 255, 0]);
    assert_eq!(output.len(), 264);
}

#[test]
fn unversioned_zmtp_1_0_peers() {
    let now = Instant::now();
    let mut config = Config::new(ZMQ_PUB);
    config.routing_id = b"id".to_vec();
    let mut connection = Connection::new(config, now);
    // A libzmq 2.x peer starts with its identity message: length 3, flags 0, "sub".
    let mut input = vec![4, 0, b's', b'u', b'b'];
    input.extend_from_slice(&[5, 0, 1, b'n', b'e', b'w']);
    connection.handle_input(&input, now).unwrap();
    assert_eq!(connection.peer_version(), Some((1, 0)));
    // Our signature was our identity header; its body follows.
    assert_eq!(connection.pending_output(), [0xff, 0, 0, 0, 0, 0, 0, 0, 3, 0x7f, b'i', b'd']);
    assert_eq!(
        seen(events(&mut connection)),
        [
            Seen::Ready(-1, b"sub".to_vec(), Metadata::new()),
            Seen::Message(vec![1], false, None),
            Seen::Message(b"\x01new".to_vec(), false, None),
        ]
    );
    take_output(&mut connection);
    connection.send(&Msg::from_slice(b"hi").unwrap()).unwrap();
    assert_eq!(take_output(&mut connection), [3, 0, b'h', b'i']);

    // A long identity makes the first byte 0xFF; its flags byte (10th) is even.
    let mut connection = Connection::new(Config::new(ZMQ_PAIR), now);
    let mut input = vec![0xff, 0, 0, 0, 0, 0, 0, 1, 0, 0];
    input.extend_from_slice(&[b'x'; 255]);
    connection.handle_input(&input, now).unwrap();
    let found = seen(events(&mut connection));
    assert_eq!(found, [Seen::Ready(-1, vec![b'x'; 255], Metadata::new())]);
}

/// A valid stream covering the handshake and every kind of frame.
fn valid_stream() -> Vec<u8> {
    let mut stream = greeting(3, 1, b"NULL");
    stream.extend(ready(&[("Socket-Type", b"DEALER"), ("Identity", b"peer"), ("X-A", b"b")]));
    stream.extend(frame(true, false, b""));
    stream.extend(frame(true, false, b"short"));
    stream.extend(frame(false, false, &[3; 256]));
    stream.extend(frame(false, true, b"\x04PING\x00\x00ctx"));
    stream.extend(frame(false, true, b"\x09SUBSCRIBEtopic"));
    stream.extend(frame(false, false, &[4; 9000]));
    stream.extend(frame(false, true, b"\x06CANCEL"));
    stream.extend(frame(true, false, &[5; 40]));
    stream.extend(frame(false, false, b"end"));
    stream
}

#[test]
fn any_split_of_the_input_gives_the_same_events_and_output() {
    let now = Instant::now();
    let stream = valid_stream();
    let mut whole = Connection::new(Config::new(ZMQ_ROUTER), now);
    whole.handle_input(&stream, now).unwrap();
    let expected = seen(events(&mut whole));
    assert_eq!(expected.len(), 9);
    let expected_output = take_output(&mut whole);
    for split in 0..=stream.len() {
        let mut connection = Connection::new(Config::new(ZMQ_ROUTER), now);
        connection.handle_input(&stream[..split], now).unwrap();
        connection.handle_input(&stream[split..], now).unwrap();
        assert_eq!(seen(events(&mut connection)), expected, "split at {split}");
        assert_eq!(take_output(&mut connection), expected_output, "split at {split}");
    }
}

/// xorshift64*: a tiny deterministic PRNG for the randomized tests.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

#[test]
fn random_chunking_gives_the_same_events() {
    let now = Instant::now();
    let stream = valid_stream();
    let mut whole = Connection::new(Config::new(ZMQ_ROUTER), now);
    whole.handle_input(&stream, now).unwrap();
    let expected = seen(events(&mut whole));
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for _ in 0..200 {
        let mut connection = Connection::new(Config::new(ZMQ_ROUTER), now);
        let mut rest = &stream[..];
        while !rest.is_empty() {
            // Read like an engine: at most what read_buffer offers, at most a random size.
            let buffer = connection.read_buffer();
            let n = buffer.len().min(rest.len()).min(1 + rng.below(300));
            buffer[..n].copy_from_slice(&rest[..n]);
            connection.received(n, now).unwrap();
            rest = &rest[n..];
        }
        assert_eq!(seen(events(&mut connection)), expected);
    }
}

#[test]
fn garbage_never_panics() {
    let start = Instant::now();
    let valid = valid_stream();
    let prefixes: [&[u8]; 5] = [
        b"",
        &valid[..10],
        &valid[..64],
        &valid[..valid.len().min(64 + 60)],
        &[0xff, 0, 0, 0, 0, 0, 0, 0, 1, 0x7f, 1, 0, 0, 0],
    ];
    let mut rng = Rng(0x0123_4567_89ab_cdef);
    for iteration in 0..3_000 {
        let mut config = Config::new(rng.below(22) as i32 - 1);
        config.max_msg_size = if iteration % 4 == 0 { None } else { Some(rng.below(1 << 16) as u64) };
        config.heartbeat_ivl = Some(Duration::from_millis(rng.below(50) as u64));
        config.heartbeat_ttl = Some(Duration::from_millis(rng.below(100_000) as u64));
        let mut connection = Connection::new(config, start);
        let mut input = prefixes[rng.below(prefixes.len())].to_vec();
        let garbage = rng.below(2_000);
        // Mostly small bytes, so that sizes are plausible and bodies get decoded.
        input.extend((0..garbage).map(|_| {
            if rng.below(4) == 0 {
                rng.next() as u8
            } else {
                rng.below(12) as u8
            }
        }));
        let mut rest = &input[..];
        let mut now = start;
        while !rest.is_empty() {
            let n = (1 + rng.below(64)).min(rest.len());
            let _ = connection.handle_input(&rest[..n], now);
            rest = &rest[n..];
            now += Duration::from_millis(rng.below(20) as u64);
            let _ = connection.handle_timeout(now);
            let _ = connection.send(&Msg::from_slice(&rest[..rest.len().min(3)]).unwrap());
            let _ = connection.send(&subscribe_command(b"t"));
            let pending = connection.pending_output().len();
            connection.consume(rng.below(pending + 2));
            while connection.poll_event().is_some() {}
            let _ = connection.poll_timeout();
            assert!(!connection.read_buffer().is_empty());
        }
    }
}

#[test]
fn metadata_arc_is_shared_by_messages() {
    let now = Instant::now();
    let mut connection = Connection::new(Config::new(ZMQ_PAIR), now);
    let input =
        [greeting(3, 1, b"NULL"), ready(&[("Socket-Type", b"PAIR")]), frame(false, false, b"m")].concat();
    connection.handle_input(&input, now).unwrap();
    let Some(Event::Ready { metadata, peer_socket_type, peer_routing_id }) = connection.poll_event() else {
        panic!("not ready")
    };
    assert_eq!((peer_socket_type, peer_routing_id), (ZMQ_PAIR, vec![]));
    let Some(Event::Message(msg)) = connection.poll_event() else { panic!("no message") };
    assert!(Arc::ptr_eq(&metadata, msg.metadata().unwrap()));

    // References are made ahead in batches: every message still gets one, and the
    // connection lets go of those it made when it goes.
    let many: Vec<u8> = (0..300).flat_map(|_| frame(false, false, b"n")).collect();
    connection.handle_input(&many, now).unwrap();
    let mut received = Vec::new();
    while let Some(Event::Message(msg)) = connection.poll_event() {
        assert!(Arc::ptr_eq(&metadata, msg.metadata().unwrap()));
        received.push(msg);
    }
    assert_eq!(received.len(), 300);
    drop((connection, msg, received));
    assert_eq!(Arc::strong_count(&metadata), 1, "only the test's own reference is left");
}

#[test]
fn connections_can_move_between_threads() {
    fn assert_send<T: Send>() {}
    assert_send::<Connection>();
    assert_send::<Event>();
    assert_send::<ProtocolError>();
}

#[test]
fn without_greeting_starts_at_the_handshake_or_the_routing_id() {
    let now = Instant::now();
    let mut config = Config::new(ZMQ_SUB);
    config.routing_id = b"id".to_vec();
    let random = || Box::new(OsRandom) as Box<dyn RandomSource>;
    // With a mechanism: READY at once, no greeting; ZMTP 3.0's subscriptions.
    let mut connection = Connection::without_greeting(config.clone(), now, random(), Headless::Mechanism);
    assert_eq!(take_output(&mut connection), ready(&[("Socket-Type", b"SUB")]));
    connection.handle_input(&ready(&[("Socket-Type", b"PUB")]), now).unwrap();
    assert!(connection.is_ready());
    assert_eq!(connection.peer_version(), Some((3, 0)));
    connection.send(&subscribe_command(b"t")).unwrap();
    assert_eq!(take_output(&mut connection), frame(false, false, b"\x01t"));
    // Without: the routing id goes first, the peer's comes back as Ready.
    let mut bare = Connection::without_greeting(config, now, random(), Headless::Identity);
    assert_eq!(take_output(&mut bare), frame(false, false, b"id"));
    bare.handle_input(&[frame(false, false, b"peer"), frame(false, false, b"m")].concat(), now).unwrap();
    let seen = events(&mut bare);
    assert!(matches!(
        &seen[0],
        Event::Ready { peer_routing_id, peer_socket_type: -1, .. } if peer_routing_id == b"peer"
    ));
    assert!(matches!(&seen[1], Event::Message(msg) if msg.data() == b"m"));
    assert_eq!(bare.send(&join_command(b"g")), Err(Errno::ENOTSUP));
}

/// Takes parts while it has room for them, as a pipe does.
struct Room {
    room: usize,
    taken: Vec<Msg>,
}

impl Inbound for Room {
    fn take(&mut self, msg: &mut Msg) -> bool {
        if self.taken.len() == self.room {
            return false;
        }
        self.taken.push(msg.take());
        true
    }
}

/// Reads `input` into the connection's buffer and hands it over with `inbound`.
fn receive_into(connection: &mut Connection, input: &[u8], now: Instant, inbound: &mut Room) {
    let buffer = connection.read_buffer();
    buffer[..input.len()].copy_from_slice(input);
    connection.received_into(input.len(), now, inbound).unwrap();
}

fn bodies(msgs: &[Msg]) -> Vec<Vec<u8>> {
    msgs.iter().map(|msg| msg.data().to_vec()).collect()
}

#[test]
fn parts_go_straight_to_the_inbound_until_refused_then_queue_in_order() {
    let now = Instant::now();
    let mut connection = connected(Config::new(ZMQ_PULL), "PUSH", now);
    let mut inbound = Room { room: 2, taken: Vec::new() };
    let input: Vec<u8> = (0..5u8).flat_map(|i| frame(i % 2 == 0, false, &[i])).collect();
    receive_into(&mut connection, &input, now, &mut inbound);
    assert_eq!(bodies(&inbound.taken), [[0], [1]]);
    assert!(inbound.taken[0].more() && !inbound.taken[1].more(), "MORE as on the wire");
    let metadata = Arc::clone(inbound.taken[0].metadata().expect("the connection's metadata"));
    assert_eq!(metadata.get(b"Socket-Type").map(|value| value.to_bytes()), Some(&b"PUSH"[..]));

    // While refused parts wait, later ones queue behind them, even with room again.
    inbound.room = 100;
    receive_into(&mut connection, &frame(false, false, &[5]), now, &mut inbound);
    assert_eq!(inbound.taken.len(), 2);
    let queued = seen(events(&mut connection));
    let expected: Vec<Seen> = [2u8, 3, 4, 5]
        .iter()
        .map(|&i| Seen::Message(vec![i], i == 2 || i == 4, Some((*metadata).clone())))
        .collect();
    assert_eq!(queued, expected);

    // Once the queue is drained, parts go straight again.
    receive_into(&mut connection, &frame(false, false, &[6]), now, &mut inbound);
    assert_eq!(bodies(&inbound.taken), [[0], [1], [6]]);
    assert!(connection.poll_event().is_none());

    assert!(connection.poll_event().is_none());
}

#[test]
fn parts_after_a_command_event_queue_behind_it() {
    let now = Instant::now();
    let mut connection = connected(Config::new(ZMQ_XPUB), "XSUB", now);
    let mut inbound = Room { room: 100, taken: Vec::new() };
    let input = [frame(false, true, b"\x09SUBSCRIBEtopic"), frame(false, false, b"x")].concat();
    receive_into(&mut connection, &input, now, &mut inbound);
    assert!(inbound.taken.is_empty());
    let queued = seen(events(&mut connection));
    assert!(matches!(&queued[..], [Seen::Subscribe(topic), Seen::Message(body, false, _)]
        if topic == b"topic" && body == b"x"));
    receive_into(&mut connection, &frame(false, false, b"y"), now, &mut inbound);
    assert_eq!(bodies(&inbound.taken), [b"y"]);
}
