//! The ws:// transport (ZWS 2.0) through the engine's Rust API: ours on both ends
//! for several socket types, and raw WebSocket peers written here over std's
//! TcpStream that prove the wire format byte by byte and misbehave on purpose.
//! Loopback only; every wait is bounded.

mod engine;

use std::io::{ErrorKind, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::{Duration, Instant};

use engine::*;
use zmq::constants::*;
use zmq::{Context, Errno, Socket};

/// `ws://127.0.0.1:port/path` → `127.0.0.1:port`.
fn tcp_address(endpoint: &str) -> String {
    let rest = endpoint.trim_start_matches("ws://");
    let colon = rest.rfind(':').unwrap();
    let path = rest[colon..].find('/').map_or(rest.len(), |slash| colon + slash);
    rest[..path].to_owned()
}

#[test]
fn pair_round_trip_with_libzmqs_endpoint_texts() {
    let context = Context::new();
    let (server, client) = (socket(&context, ZMQ_PAIR), socket(&context, ZMQ_PAIR));
    server.bind("ws://127.0.0.1:*/chat").unwrap();
    let endpoint = last_endpoint(&server);
    assert!(endpoint.starts_with("ws://127.0.0.1:") && endpoint.ends_with("/chat"), "{endpoint}");
    client.connect(&endpoint).unwrap();
    assert_eq!(last_endpoint(&client), endpoint);
    send(&client, b"hello");
    assert_eq!(recv(&server), b"hello");
    send(&server, b"world");
    assert_eq!(recv(&client), b"world");
    // The default path, and a connect endpoint as libzmq prints it.
    let other = socket(&context, ZMQ_PAIR);
    other.bind("ws://127.0.0.1:*").unwrap();
    let bare = last_endpoint(&other);
    assert!(bare.ends_with('/'), "{bare}");
    let port = &bare["ws://127.0.0.1:".len()..bare.len() - 1];
    let named = socket(&context, ZMQ_PAIR);
    named.connect(&format!("ws://localhost:{port}")).unwrap();
    assert_eq!(last_endpoint(&named), format!("ws://localhost:{port}/"));
    send(&named, b"by name");
    assert_eq!(recv(&other), b"by name");
    // Disconnect and unbind by the names used.
    client.disconnect(&endpoint).unwrap();
    server.unbind(&endpoint).unwrap();
    assert_eq!(server.unbind(&endpoint), Err(Errno::ENOENT));
    finish(context, [server, client, other, named]);
}

#[test]
fn endpoint_errors() {
    let context = Context::new();
    let socket = socket(&context, ZMQ_PAIR);
    assert_eq!(socket.bind("wss://127.0.0.1:*"), Err(Errno::EPROTONOSUPPORT));
    assert_eq!(socket.connect("wss://127.0.0.1:5555"), Err(Errno::EPROTONOSUPPORT));
    assert_eq!(socket.bind("ws://127.0.0.1"), Err(Errno::EINVAL));
    assert_eq!(socket.bind("ws://localhost:5555"), Err(Errno::ENODEV));
    assert_eq!(socket.connect("ws://127.0.0.1:*"), Err(Errno::EINVAL));
    assert_eq!(socket.connect("ws://127.0.0.1"), Err(Errno::EINVAL));
    socket.bind("ws://127.0.0.1:*/a").unwrap();
    let endpoint = last_endpoint(&socket);
    let second = engine::socket(&context, ZMQ_PAIR);
    assert_eq!(second.bind(&endpoint), Err(Errno::EADDRINUSE));
    finish(context, [socket, second]);
}

#[test]
fn req_rep_and_large_multipart_messages() {
    let context = Context::new();
    let (rep, req) = (socket(&context, ZMQ_REP), socket(&context, ZMQ_REQ));
    rep.bind("ws://127.0.0.1:*/rpc").unwrap();
    req.connect(&last_endpoint(&rep)).unwrap();
    let large = (0..1_500_000u32).map(|i| (i % 251) as u8).collect::<Vec<u8>>();
    for round in 0..3 {
        send_parts(&req, &[b"head", b"", &large[..large.len() - round], b"tail"]);
        let parts = recv_parts(&rep);
        assert_eq!(parts.len(), 4);
        assert_eq!(
            (parts[0].as_slice(), parts[1].as_slice(), parts[3].as_slice()),
            (&b"head"[..], &b""[..], &b"tail"[..])
        );
        assert!(parts[2] == large[..large.len() - round]);
        send(&rep, &[round as u8; 255]);
        assert_eq!(recv(&req), [round as u8; 255]);
    }
    finish(context, [rep, req]);
}

#[test]
fn pub_sub_subscriptions_cross_as_messages() {
    let context = Context::new();
    let (xpub, sub) = (socket(&context, ZMQ_XPUB), socket(&context, ZMQ_SUB));
    xpub.bind("ws://127.0.0.1:*").unwrap();
    sub.set_option(ZMQ_SUBSCRIBE, Some(b"A")).unwrap();
    sub.set_option(ZMQ_SUBSCRIBE, Some(b"B")).unwrap();
    sub.connect(&last_endpoint(&xpub)).unwrap();
    // As libzmq's test_ws_transport: the XPUB reads them.
    assert_eq!(recv(&xpub), b"\x01A");
    assert_eq!(recv(&xpub), b"\x01B");
    send(&xpub, b"A-news");
    send(&xpub, b"C-news");
    send(&xpub, b"B-news");
    assert_eq!(recv(&sub), b"A-news");
    assert_eq!(recv(&sub), b"B-news");
    sub.set_option(ZMQ_UNSUBSCRIBE, Some(b"A")).unwrap();
    assert_eq!(recv(&xpub), b"\x00A");
    finish(context, [xpub, sub]);
}

#[test]
fn a_restarted_server_is_reconnected() {
    let context = Context::new();
    let first = socket(&context, ZMQ_PULL);
    first.bind("ws://127.0.0.1:*/r").unwrap();
    let endpoint = last_endpoint(&first);
    let push = socket(&context, ZMQ_PUSH);
    push.set_option(ZMQ_RECONNECT_IVL, Some(&int(20))).unwrap();
    push.connect(&endpoint).unwrap();
    send(&push, b"one");
    assert_eq!(recv(&first), b"one");
    first.close();
    let second = socket(&context, ZMQ_PULL);
    second.bind(&endpoint).unwrap();
    send(&push, b"two");
    assert_eq!(recv(&second), b"two");
    finish(context, [second, push]);
}

#[test]
fn heartbeats_keep_an_idle_connection() {
    // libzmq's test_heartbeat: pings at 10 ms, no reconnection, then a round trip.
    let context = Context::new();
    let (rep, req) = (socket(&context, ZMQ_REP), socket(&context, ZMQ_REQ));
    rep.bind("ws://127.0.0.1:*/heartbeat").unwrap();
    req.set_option(ZMQ_HEARTBEAT_IVL, Some(&int(10))).unwrap();
    req.set_option(ZMQ_RECONNECT_IVL, Some(&int(-1))).unwrap();
    req.connect(&last_endpoint(&rep)).unwrap();
    std::thread::sleep(Duration::from_millis(100));
    send(&req, b"still there?");
    assert_eq!(recv(&rep), b"still there?");
    send(&rep, b"yes");
    assert_eq!(recv(&req), b"yes");
    finish(context, [rep, req]);
}

// ---- raw WebSocket peers

const KEY: &str = "dGhlIHNhbXBsZSBub25jZQ==";
const ACCEPT: &str = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";
const MASK: [u8; 4] = [0x12, 0x34, 0x56, 0x78];

/// One end of a WebSocket, written by hand.
struct RawPeer {
    stream: TcpStream,
    /// Whether our frames are masked (we are the client).
    masks: bool,
    buffered: Vec<u8>,
}

impl RawPeer {
    fn new(stream: TcpStream, masks: bool) -> RawPeer {
        stream.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        RawPeer { stream, masks, buffered: Vec::new() }
    }

    /// Connects to our socket at `endpoint` and upgrades with `protocols`;
    /// returns the peer and the server's answer.
    fn connect(endpoint: &str, protocols: &str) -> (RawPeer, String) {
        let mut peer = RawPeer::new(TcpStream::connect(tcp_address(endpoint)).unwrap(), true);
        let request = format!(
            "GET /anything HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
             Sec-WebSocket-Key: {KEY}\r\nSec-WebSocket-Protocol: {protocols}\r\nSec-WebSocket-Version: 13\r\n\r\n"
        );
        peer.stream.write_all(request.as_bytes()).unwrap();
        let answer = peer.read_head();
        (peer, answer)
    }

    fn fill(&mut self) -> bool {
        let mut chunk = [0; 65536];
        match self.stream.read(&mut chunk) {
            Ok(0) => false,
            Ok(n) => {
                self.buffered.extend_from_slice(&chunk[..n]);
                true
            }
            Err(error) if error.kind() == ErrorKind::Interrupted => true,
            Err(_) => false,
        }
    }

    /// An HTTP head, up to the empty line.
    fn read_head(&mut self) -> String {
        loop {
            if let Some(end) = self.buffered.windows(4).position(|w| w == b"\r\n\r\n") {
                let head: Vec<u8> = self.buffered.drain(..end + 4).collect();
                return String::from_utf8(head).unwrap();
            }
            assert!(self.fill(), "the connection ended inside the head: {:?}", self.buffered);
        }
    }

    fn write_frame(&mut self, first: u8, payload: &[u8]) {
        self.stream.write_all(&frame_bytes(first, payload, self.masks.then_some(MASK))).unwrap();
    }

    /// A ZWS message part: the flags byte, then the body.
    fn write_part(&mut self, flags: u8, body: &[u8]) {
        let mut payload = vec![flags];
        payload.extend_from_slice(body);
        self.write_frame(0x82, &payload);
    }

    /// The next frame: its first byte and its payload (unmasked), or `None` when
    /// the connection ended.
    fn read_frame(&mut self) -> Option<(u8, Vec<u8>)> {
        loop {
            if let Some((frame, used)) = parse_frame(&self.buffered, !self.masks) {
                self.buffered.drain(..used);
                return Some(frame);
            }
            if !self.fill() {
                return None;
            }
        }
    }

    /// Whether our socket ended the connection (EOF or reset) within 5 s.
    fn is_closed(&mut self) -> bool {
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            let mut chunk = [0; 4096];
            match self.stream.read(&mut chunk) {
                Ok(0) => return true,
                Ok(_) => {}
                Err(error)
                    if error.kind() == ErrorKind::WouldBlock || error.kind() == ErrorKind::TimedOut =>
                {
                    return false;
                }
                Err(error) if error.kind() == ErrorKind::Interrupted => {}
                Err(_) => return true,
            }
        }
        false
    }
}

fn frame_bytes(first: u8, payload: &[u8], mask: Option<[u8; 4]>) -> Vec<u8> {
    let mask_bit = if mask.is_some() { 0x80 } else { 0 };
    let mut bytes = vec![first];
    match payload.len() {
        0..=125 => bytes.push(mask_bit | payload.len() as u8),
        126..=0xffff => {
            bytes.push(mask_bit | 126);
            bytes.extend_from_slice(&(payload.len() as u16).to_be_bytes());
        }
        _ => {
            bytes.push(mask_bit | 127);
            bytes.extend_from_slice(&(payload.len() as u64).to_be_bytes());
        }
    }
    match mask {
        Some(mask) => {
            bytes.extend_from_slice(&mask);
            bytes.extend(payload.iter().enumerate().map(|(i, byte)| byte ^ mask[i % 4]));
        }
        None => bytes.extend_from_slice(payload),
    }
    bytes
}

/// A complete frame at the start of `bytes`, checking its masking: ((first byte,
/// unmasked payload), bytes used).
fn parse_frame(bytes: &[u8], expect_masked: bool) -> Option<((u8, Vec<u8>), usize)> {
    let [first, second, rest @ ..] = bytes else { return None };
    assert_eq!(second & 0x80 != 0, expect_masked, "masking of frame {first:#x}");
    let (length, mut used) = match second & 0x7f {
        126 => (u16::from_be_bytes(rest.get(..2)?.try_into().unwrap()) as usize, 4),
        127 => (u64::from_be_bytes(rest.get(..8)?.try_into().unwrap()) as usize, 10),
        short => (short as usize, 2),
    };
    let mask = if expect_masked {
        let mask: [u8; 4] = bytes.get(used..used + 4)?.try_into().unwrap();
        used += 4;
        Some(mask)
    } else {
        None
    };
    let mut payload = bytes.get(used..used + length)?.to_vec();
    if let Some(mask) = mask {
        payload.iter_mut().enumerate().for_each(|(i, byte)| *byte ^= mask[i % 4]);
    }
    Some(((*first, payload), used + length))
}

/// A READY command body declaring `socket_type`.
fn ready(socket_type: &str) -> Vec<u8> {
    let mut body = b"\x05READY\x0bSocket-Type".to_vec();
    body.extend_from_slice(&(socket_type.len() as u32).to_be_bytes());
    body.extend_from_slice(socket_type.as_bytes());
    body
}

#[test]
fn a_raw_client_sees_libzmqs_wire_format() {
    let context = Context::new();
    let server = socket(&context, ZMQ_DEALER);
    server.bind("ws://127.0.0.1:*/wire").unwrap();
    let endpoint = last_endpoint(&server);
    let (mut peer, answer) = RawPeer::connect(&endpoint, "chat, ZWS2.0/NULL, ZWS2.0");
    assert_eq!(
        answer,
        format!(
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
             Sec-WebSocket-Accept: {ACCEPT}\r\nSec-WebSocket-Protocol: ZWS2.0/NULL\r\n\r\n"
        )
    );
    // The server's READY: a binary frame, COMMAND flag, unmasked.
    let mut expected_ready = vec![0x02];
    expected_ready.extend(ready("DEALER"));
    expected_ready.extend_from_slice(b"\x08Identity\x00\x00\x00\x00");
    assert_eq!(peer.read_frame(), Some((0x82, expected_ready)));
    peer.write_part(0x02, &ready("DEALER"));
    peer.write_part(0x01, b"part one");
    peer.write_part(0x00, b"part two");
    assert_eq!(recv_parts(&server), [b"part one".to_vec(), b"part two".to_vec()]);
    // A ping is answered with an empty pong.
    peer.write_frame(0x89, b"are you there");
    assert_eq!(peer.read_frame(), Some((0x8a, vec![])));
    send_parts(&server, &[b"re", &[0xee; 70_000]]);
    assert_eq!(peer.read_frame(), Some((0x82, b"\x01re".to_vec())));
    let (first, payload) = peer.read_frame().unwrap();
    assert_eq!((first, payload.len(), payload[0]), (0x82, 70_001, 0x00));
    assert!(payload[1..].iter().all(|&byte| byte == 0xee));
    // A close is echoed, then the connection ends.
    peer.write_frame(0x88, b"\x03\xe8done");
    assert_eq!(peer.read_frame(), Some((0x88, b"\x03\xe8done".to_vec())));
    assert!(peer.is_closed());
    finish(context, [server]);
}

#[test]
fn a_raw_client_without_mechanism_sends_its_routing_id_first() {
    let context = Context::new();
    let router = socket(&context, ZMQ_ROUTER);
    router.bind("ws://127.0.0.1:*").unwrap();
    let (mut peer, answer) = RawPeer::connect(&last_endpoint(&router), "ZWS2.0");
    assert!(answer.contains("Sec-WebSocket-Protocol: ZWS2.0\r\n"), "{answer}");
    // Our routing id (empty) comes first, as ZMTP 2.0.
    assert_eq!(peer.read_frame(), Some((0x82, vec![0x00])));
    peer.write_part(0x00, b"browser");
    peer.write_part(0x00, b"hi");
    assert_eq!(recv_parts(&router), [b"browser".to_vec(), b"hi".to_vec()]);
    send_parts(&router, &[b"browser", b"hello"]);
    assert_eq!(peer.read_frame(), Some((0x82, b"\x00hello".to_vec())));
    finish(context, [router]);
}

#[test]
fn a_raw_server_sees_our_client_request_and_masked_frames() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let context = Context::new();
    let client = socket(&context, ZMQ_PAIR);
    client.connect(&format!("ws://127.0.0.1:{port}/some/path")).unwrap();
    let (stream, _) = listener.accept().unwrap();
    let mut peer = RawPeer::new(stream, false);
    let request = peer.read_head();
    let lines: Vec<&str> = request.split("\r\n").collect();
    assert_eq!(lines[0], "GET /some/path HTTP/1.1");
    assert_eq!(lines[1], "Host: 127.0.0.1");
    assert!(lines.contains(&"Upgrade: websocket") && lines.contains(&"Connection: Upgrade"));
    assert!(lines.contains(&"Sec-WebSocket-Protocol: ZWS2.0/NULL,ZWS2.0"));
    assert!(lines.contains(&"Sec-WebSocket-Version: 13"));
    let key = lines.iter().find_map(|line| line.strip_prefix("Sec-WebSocket-Key: ")).unwrap();
    assert_eq!(key.len(), 24, "16 bytes in base64");
    let accept = zmq::ws::accept_key(key.as_bytes());
    let answer = format!(
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Accept: {accept}\r\nSec-WebSocket-Protocol: ZWS2.0/NULL\r\n\r\n"
    );
    peer.stream.write_all(answer.as_bytes()).unwrap();
    peer.write_part(0x02, &ready("PAIR"));
    // Our READY, masked (parse_frame checks).
    let mut expected = vec![0x02];
    expected.extend(ready("PAIR"));
    assert_eq!(peer.read_frame(), Some((0x82, expected)));
    send_parts(&client, &[b"a", b"b"]);
    assert_eq!(peer.read_frame(), Some((0x82, b"\x01a".to_vec())));
    assert_eq!(peer.read_frame(), Some((0x82, b"\x00b".to_vec())));
    peer.write_part(0x00, b"from the server");
    assert_eq!(recv(&client), b"from the server");
    finish(context, [client]);
}

#[test]
fn malformed_clients_are_dropped_and_the_server_keeps_serving() {
    let context = Context::new();
    let server = socket(&context, ZMQ_PAIR);
    server.set_option(ZMQ_MAXMSGSIZE, Some(&1000i64.to_ne_bytes())).unwrap();
    server.bind("ws://127.0.0.1:*/guarded").unwrap();
    let endpoint = last_endpoint(&server);
    let address = tcp_address(&endpoint);
    let dropped_after = |bytes: &[u8]| {
        let mut raw = RawPeer::new(TcpStream::connect(&address).unwrap(), true);
        raw.stream.write_all(bytes).unwrap();
        assert!(
            raw.is_closed(),
            "kept {:?}",
            String::from_utf8_lossy(&bytes[bytes.len().saturating_sub(60)..])
        );
    };
    let upgraded = |then: &[u8]| {
        let mut bytes = format!(
            "GET / HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: {KEY}\r\n\
             Sec-WebSocket-Protocol: ZWS2.0/NULL\r\n\r\n"
        )
        .into_bytes();
        let mut ready_frame = vec![0x02];
        ready_frame.extend(ready("PAIR"));
        bytes.extend(frame_bytes(0x82, &ready_frame, Some(MASK)));
        bytes.extend_from_slice(then);
        bytes
    };
    // Not HTTP at all (a ZMTP greeting), a bad request line, a missing header, a
    // header too long, no protocol we speak.
    dropped_after(b"\xff\x00\x00\x00\x00\x00\x00\x00\x01\x7f");
    dropped_after(b"POST / HTTP/1.1\r\n");
    dropped_after(b"GET / HTTP/1.1\r\nUpgrade: websocket\r\n\r\n");
    dropped_after(&[b"GET / HTTP/1.1\r\nX: ".as_slice(), &[b'x'; 3000]].concat());
    dropped_after(
        format!("GET / HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: {KEY}\r\nSec-WebSocket-Protocol: mqtt\r\n\r\n")
            .as_bytes(),
    );
    // Frames: unmasked, text, fragmented, empty binary, a control frame too long,
    // a message over ZMQ_MAXMSGSIZE, a body length of 2^63.
    dropped_after(&upgraded(&frame_bytes(0x82, b"\x00x", None)));
    dropped_after(&upgraded(&frame_bytes(0x81, b"\x00x", Some(MASK))));
    dropped_after(&upgraded(&frame_bytes(0x02, b"\x00x", Some(MASK))));
    dropped_after(&upgraded(&frame_bytes(0x82, b"", Some(MASK))));
    dropped_after(&upgraded(&frame_bytes(0x89, &[0; 200], Some(MASK))));
    dropped_after(&upgraded(&frame_bytes(0x82, &[0; 1002], Some(MASK))));
    let mut huge = vec![0x82, 0x80 | 127];
    huge.extend_from_slice(&(1u64 << 63).to_be_bytes());
    huge.extend_from_slice(&MASK);
    // The size is judged once the flags byte is in, as libzmq's decoder does.
    huge.push(MASK[0]);
    dropped_after(&upgraded(&huge));
    // A well-behaved peer still gets through.
    let client = socket(&context, ZMQ_PAIR);
    client.connect(&endpoint).unwrap();
    send(&client, b"still serving");
    assert_eq!(recv(&server), b"still serving");
    finish(context, [server, client]);
}

#[test]
fn monitor_events_name_ws_endpoints() {
    let context = Context::new();
    let server = socket(&context, ZMQ_PULL);
    server
        .monitor(
            Some("inproc://ws-monitor"),
            (ZMQ_EVENT_ACCEPTED | ZMQ_EVENT_HANDSHAKE_SUCCEEDED | ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL) as u64,
            2,
            ZMQ_PAIR,
        )
        .unwrap();
    let events = socket(&context, ZMQ_PAIR);
    events.connect("inproc://ws-monitor").unwrap();
    server.bind("ws://127.0.0.1:*/m").unwrap();
    let endpoint = last_endpoint(&server);
    // The event as an `int`, its first value, and both ends.
    let event = |monitor: &Socket| {
        let (kind, values, local, remote) = event_v2(monitor);
        (kind as i32, values[0], local, remote)
    };
    let push = socket(&context, ZMQ_PUSH);
    push.connect(&endpoint).unwrap();
    let (kind, _, local, remote) = event(&events);
    assert_eq!((kind, local.as_str()), (ZMQ_EVENT_ACCEPTED, endpoint.as_str()));
    assert!(
        remote.starts_with("ws://127.0.0.1:") && remote.ends_with("/m") && remote != endpoint,
        "{remote}"
    );
    assert_eq!(event(&events).0, ZMQ_EVENT_HANDSHAKE_SUCCEEDED);
    // A bad upgrade: HANDSHAKE_FAILED_PROTOCOL with libzmq's WS code.
    let mut raw = TcpStream::connect(tcp_address(&endpoint)).unwrap();
    raw.write_all(b"GET / HTTP/1.1\r\n\r\n").unwrap();
    assert_eq!(event(&events).0, ZMQ_EVENT_ACCEPTED);
    let (kind, value, _, _) = event(&events);
    assert_eq!(
        (kind, value),
        (ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL, ZMQ_PROTOCOL_ERROR_WS_UNSPECIFIED as u64)
    );
    finish(context, [server, events, push]);
}

/// Accepts our client's connection on `listener` and completes the upgrade and
/// the NULL handshake as a PAIR server would.
fn accept_upgraded(listener: &TcpListener) -> RawPeer {
    let (stream, _) = listener.accept().unwrap();
    let mut peer = RawPeer::new(stream, false);
    let request = peer.read_head();
    let key = request.split("\r\n").find_map(|line| line.strip_prefix("Sec-WebSocket-Key: ")).unwrap();
    let answer = format!(
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Accept: {}\r\nSec-WebSocket-Protocol: ZWS2.0/NULL\r\n\r\n",
        zmq::ws::accept_key(key.as_bytes())
    );
    peer.stream.write_all(answer.as_bytes()).unwrap();
    peer.write_part(0x02, &ready("PAIR"));
    let (first, payload) = peer.read_frame().unwrap();
    assert_eq!((first, payload[0]), (0x82, 0x02), "our READY");
    peer
}

#[test]
fn heartbeats_are_pings_and_a_silent_server_is_dropped() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let context = Context::new();
    let client = socket(&context, ZMQ_PAIR);
    client.set_option(ZMQ_HEARTBEAT_IVL, Some(&int(50))).unwrap();
    client.set_option(ZMQ_HEARTBEAT_TIMEOUT, Some(&int(200))).unwrap();
    client.set_option(ZMQ_RECONNECT_IVL, Some(&int(20))).unwrap();
    client.connect(&format!("ws://127.0.0.1:{port}/hb")).unwrap();
    let mut peer = accept_upgraded(&listener);
    // Empty pings, masked (read_frame checks), at the interval; left unanswered.
    let started = Instant::now();
    assert_eq!(peer.read_frame(), Some((0x89, vec![])));
    assert_eq!(peer.read_frame(), Some((0x89, vec![])));
    // Nothing came back: the client gives up and connects again.
    assert!(peer.is_closed());
    assert!(started.elapsed() < Duration::from_secs(3));
    let mut again = accept_upgraded(&listener);
    again.write_part(0x00, b"after the timeout");
    assert_eq!(recv(&client), b"after the timeout");
    finish(context, [client]);
}

#[test]
fn a_server_closing_the_websocket_is_answered_and_reconnected() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let context = Context::new();
    let client = socket(&context, ZMQ_PAIR);
    client.set_option(ZMQ_RECONNECT_IVL, Some(&int(20))).unwrap();
    client.connect(&format!("ws://127.0.0.1:{port}")).unwrap();
    let mut peer = accept_upgraded(&listener);
    peer.write_frame(0x88, b"\x03\xe9going away");
    assert_eq!(peer.read_frame(), Some((0x88, b"\x03\xe9going away".to_vec())));
    assert!(peer.is_closed());
    let mut again = accept_upgraded(&listener);
    send(&client, b"queued or new");
    assert_eq!(again.read_frame(), Some((0x82, b"\x00queued or new".to_vec())));
    finish(context, [client]);
}

#[test]
fn ipv6_loopback() {
    let context = Context::new();
    let (server, client) = (socket(&context, ZMQ_PAIR), socket(&context, ZMQ_PAIR));
    for socket in [&server, &client] {
        socket.set_option(ZMQ_IPV6, Some(&int(1))).unwrap();
    }
    server.bind("ws://[::1]:*/six").unwrap();
    let endpoint = last_endpoint(&server);
    assert!(endpoint.starts_with("ws://[::1]:") && endpoint.ends_with("/six"), "{endpoint}");
    client.connect(&endpoint).unwrap();
    send(&client, b"v6");
    assert_eq!(recv(&server), b"v6");
    finish(context, [server, client]);
}

#[test]
fn curve_and_plain_over_ws() {
    let context = Context::new();
    // CURVE: the sub-protocol is ZWS2.0/CURVE and every message is boxed.
    let (server_public, server_secret) = zmq::util::curve_keys::generate_keypair();
    let (client_public, client_secret) = zmq::util::curve_keys::generate_keypair();
    let server = socket(&context, ZMQ_DEALER);
    server.set_option(ZMQ_CURVE_SERVER, Some(&int(1))).unwrap();
    server.set_option(ZMQ_CURVE_SECRETKEY, Some(&server_secret)).unwrap();
    server.bind("ws://127.0.0.1:*/secure").unwrap();
    let client = socket(&context, ZMQ_DEALER);
    client.set_option(ZMQ_CURVE_SERVERKEY, Some(&server_public)).unwrap();
    client.set_option(ZMQ_CURVE_PUBLICKEY, Some(&client_public)).unwrap();
    client.set_option(ZMQ_CURVE_SECRETKEY, Some(&client_secret)).unwrap();
    client.connect(&last_endpoint(&server)).unwrap();
    send_parts(&client, &[b"boxed", &[9u8; 70_000]]);
    assert_eq!(recv_parts(&server), [b"boxed".to_vec(), vec![9u8; 70_000]]);
    send(&server, b"back");
    assert_eq!(recv(&client), b"back");

    // PLAIN with a ZAP handler that accepts everyone.
    let handler = socket(&context, ZMQ_REP);
    handler.bind("inproc://zeromq.zap.01").unwrap();
    let zap = std::thread::spawn(move || {
        let request = recv_parts(&handler);
        send_parts(&handler, &[b"1.0", &request[1], b"200", b"OK", b"ws-user", b""]);
        handler.close();
        request
    });
    let plain_server = socket(&context, ZMQ_PULL);
    plain_server.set_option(ZMQ_PLAIN_SERVER, Some(&int(1))).unwrap();
    plain_server.bind("ws://127.0.0.1:*").unwrap();
    let plain_client = socket(&context, ZMQ_PUSH);
    plain_client.set_option(ZMQ_PLAIN_USERNAME, Some(b"user")).unwrap();
    plain_client.set_option(ZMQ_PLAIN_PASSWORD, Some(b"pass")).unwrap();
    plain_client.connect(&last_endpoint(&plain_server)).unwrap();
    send(&plain_client, b"plain over ws");
    let msg = plain_server.recv(0).unwrap();
    assert_eq!(msg.data(), b"plain over ws");
    assert_eq!(msg.property(b"User-Id").unwrap().to_bytes(), b"ws-user");
    let request = zap.join().unwrap();
    assert_eq!(request[5], b"PLAIN");
    finish(context, [server, client, plain_server, plain_client]);
}
