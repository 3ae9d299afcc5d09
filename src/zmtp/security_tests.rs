//! Security through whole connections: two `Connection`s wired back to back, the
//! test playing the ZAP handler.

use std::time::{Duration, Instant};

use super::frame::{Decoder, Framing};
use super::random::testing::Counter;
use super::*;
use crate::constants::*;
use crate::error::Errno;
use crate::msg::part;
use crate::msg::Flags;

const SERVER_SECRET: [u8; 32] = [0x53; 32];
const CLIENT_SECRET: [u8; 32] = [0x43; 32];

fn public(secret: &[u8; 32]) -> [u8; 32] {
    mechanism::curve_public_key(secret)
}

fn curve_client(socket_type: i32, server_key: [u8; 32]) -> Config {
    let mut config = Config::new(socket_type);
    config.security =
        Security::CurveClient { public_key: public(&CLIENT_SECRET), secret_key: CLIENT_SECRET, server_key };
    config
}

fn curve_server(socket_type: i32) -> Config {
    let mut config = Config::new(socket_type);
    config.security = Security::CurveServer { secret_key: SERVER_SECRET };
    config.peer_address = Some("10.0.0.1".to_owned());
    config
}

fn plain_client(password: &[u8]) -> Config {
    let mut config = Config::new(ZMQ_DEALER);
    config.routing_id = b"cid".to_vec();
    config.security = Security::PlainClient { username: b"admin".to_vec(), password: password.to_vec() };
    config
}

fn plain_server() -> Config {
    let mut config = Config::new(ZMQ_ROUTER);
    config.security = Security::PlainServer;
    config.zap_handler = true;
    config.zap_domain = b"global".to_vec();
    config.routing_id = b"sid".to_vec();
    config.peer_address = Some("10.0.0.2".to_owned());
    config
}

/// One end: a connection and what it reported.
struct End {
    connection: Connection,
    events: Vec<Event>,
    error: Option<ProtocolError>,
}

impl End {
    fn new(config: Config, seed: u64, now: Instant) -> End {
        End {
            connection: Connection::with_random(config, now, Box::new(Counter(seed))),
            events: Vec::new(),
            error: None,
        }
    }

    fn drain(&mut self) {
        self.events.extend(std::iter::from_fn(|| self.connection.poll_event()));
    }

    fn take_zap_request(&mut self) -> Option<Vec<Vec<u8>>> {
        let index = self.events.iter().position(|event| matches!(event, Event::ZapRequest(_)))?;
        let Event::ZapRequest(frames) = self.events.remove(index) else { return None };
        assert!(frames.iter().rev().skip(1).all(Msg::more) && !frames.last().unwrap().more());
        Some(frames.iter().map(|frame| frame.data().to_vec()).collect())
    }

    fn ready_metadata(&self) -> Option<&Metadata> {
        self.events.iter().find_map(|event| match event {
            Event::Ready { metadata, .. } => Some(&**metadata),
            _ => None,
        })
    }

    fn messages(&mut self) -> Vec<Msg> {
        let mut messages = Vec::new();
        self.events.retain_mut(|event| match event {
            Event::Message(msg) => {
                messages.push(msg.take());
                false
            }
            _ => true,
        });
        messages
    }
}

/// Moves what `from` wrote to `to`; whether there was anything.
fn transfer(from: &mut End, to: &mut End, now: Instant) -> bool {
    let bytes = from.connection.pending_output().to_vec();
    from.connection.consume(bytes.len());
    let moved = !bytes.is_empty() && to.error.is_none();
    if moved {
        if let Err(error) = to.connection.handle_input(&bytes, now) {
            to.error = Some(error);
        }
    }
    from.drain();
    to.drain();
    moved
}

/// Moves bytes both ways until neither side has anything to say.
fn pump(a: &mut End, b: &mut End, now: Instant) {
    while transfer(a, b, now) | transfer(b, a, now) {}
}

fn zap_reply(status: &[u8], user_id: &[u8], metadata: &[(&str, &[u8])]) -> Vec<Msg> {
    let mut list = Vec::new();
    for (name, value) in metadata {
        command::write_property(&mut list, name.as_bytes(), value);
    }
    let frames: [&[u8]; 7] = [b"", b"1.0", b"1", status, b"text", user_id, &list];
    frames.iter().enumerate().map(|(i, frame)| part(frame, i < 6)).collect()
}

#[test]
fn plain_with_zap_accepting() {
    let now = Instant::now();
    let mut client = End::new(plain_client(b"secret"), 1, now);
    let mut server = End::new(plain_server(), 2, now);
    pump(&mut client, &mut server, now);
    let request = server.take_zap_request().unwrap();
    let expected: [&[u8]; 9] =
        [b"", b"1.0", b"1", b"global", b"10.0.0.2", b"sid", b"PLAIN", b"admin", b"secret"];
    assert_eq!(request, expected);
    assert!(!server.connection.is_ready() && !client.connection.is_ready());
    // The handshake waits for the reply, and the timer still runs.
    assert!(server.connection.poll_timeout().is_some());
    let reply = zap_reply(b"200", b"alice", &[("X-Role", b"admin"), ("Socket-Type", b"DEALER")]);
    server.connection.zap_reply(&reply, now).unwrap();
    pump(&mut client, &mut server, now);
    assert!(client.connection.is_ready() && server.connection.is_ready());
    assert!(client.error.is_none() && server.error.is_none());

    let metadata = server.ready_metadata().unwrap();
    assert_eq!(metadata.get(b"User-Id").unwrap().to_bytes(), b"alice");
    assert_eq!(metadata.get(b"X-Role").unwrap().to_bytes(), b"admin");
    assert_eq!(metadata.get(b"Peer-Address").unwrap().to_bytes(), b"10.0.0.2");
    assert_eq!(metadata.get(b"Identity").unwrap().to_bytes(), b"cid");
    // The client knows nothing of ZAP.
    assert!(client.ready_metadata().unwrap().get(b"User-Id").is_none());
    assert!(matches!(
        server.events.first(),
        Some(Event::Ready { peer_socket_type: ZMQ_DEALER, peer_routing_id, .. }) if peer_routing_id == b"cid"
    ));

    client.connection.send(&part(b"one", true)).unwrap();
    client.connection.send(&part(b"two", false)).unwrap();
    pump(&mut client, &mut server, now);
    let messages = server.messages();
    assert_eq!(messages.len(), 2);
    assert!(messages[0].more() && !messages[1].more());
    assert_eq!(messages[1].data(), b"two");
    assert_eq!(messages[0].property(b"User-Id").unwrap().to_bytes(), b"alice");
    assert_eq!(messages[1].property(b"X-Role").unwrap().to_bytes(), b"admin");
    // PLAIN messages are sent as they are.
    client.connection.send(&part(b"clear", false)).unwrap();
    assert_eq!(client.connection.pending_output(), b"\x00\x05clear");
}

#[test]
fn plain_with_zap_refusing() {
    let now = Instant::now();
    for (status, error_sent) in [(b"400", true), (b"500", true), (b"300", false)] {
        let mut client = End::new(plain_client(b"wrong"), 1, now);
        let mut server = End::new(plain_server(), 2, now);
        pump(&mut client, &mut server, now);
        server.take_zap_request().unwrap();
        let code = u16::from(status[0] - b'0') * 100;
        let refused = server.connection.zap_reply(&zap_reply(status, b"", &[]), now);
        assert_eq!(refused, Err(ProtocolError::AuthenticationFailed(code)));
        let event = refused.as_ref().unwrap_err().handshake_failed_event();
        assert_eq!(event, Some((ZMQ_EVENT_HANDSHAKE_FAILED_AUTH, i32::from(code))));
        let expected_output =
            if error_sent { frame_bytes(&[&b"\x05ERROR\x03"[..], status].concat()) } else { vec![] };
        assert_eq!(server.connection.pending_output(), &expected_output[..]);
        // Final, as every failure.
        assert_eq!(server.connection.zap_reply(&zap_reply(b"200", b"", &[]), now), refused);
        assert_eq!(server.connection.handle_input(b"x", now), refused);
        pump(&mut client, &mut server, now);
        if error_sent {
            assert_eq!(client.error, Some(ProtocolError::PeerError(status.to_vec())));
            assert!(matches!(&client.events[..], [Event::PeerError(reason)] if reason == status));
            assert_eq!(client.error.as_ref().unwrap().zap_status_code(), Some(i32::from(code)));
        } else {
            assert_eq!(client.error, None);
            assert!(!client.connection.is_ready());
        }
    }
}

/// A command frame with this body, as on the wire.
fn frame_bytes(body: &[u8]) -> Vec<u8> {
    let mut bytes = Vec::new();
    frame::write_header(&mut bytes, false, true, body.len());
    bytes.extend_from_slice(body);
    bytes
}

#[test]
fn plain_server_without_zap_handler_fails() {
    let now = Instant::now();
    let mut config = plain_server();
    config.zap_handler = false;
    let mut client = End::new(plain_client(b"secret"), 1, now);
    let mut server = End::new(config, 2, now);
    pump(&mut client, &mut server, now);
    assert_eq!(server.error, Some(ProtocolError::NoZapHandler));
    assert_eq!(
        ProtocolError::NoZapHandler.handshake_failed_event(),
        Some((ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL, libc::EFAULT))
    );
}

#[test]
fn bad_zap_replies_fail_the_connection() {
    let now = Instant::now();
    let cases: [(Vec<Msg>, ZapError); 4] = [
        (zap_reply(b"200", b"", &[]).into_iter().take(6).collect(), ZapError::MalformedReply),
        (zap_reply(b"201", b"", &[]), ZapError::InvalidStatusCode),
        (
            [part(b"", true), part(b"2.0", true)]
                .into_iter()
                .chain(zap_reply(b"200", b"", &[]).split_off(2))
                .collect(),
            ZapError::BadVersion,
        ),
        (zap_reply(b"200", b"", &[("Socket-Type", b"PUSH")]), ZapError::InvalidMetadata),
    ];
    for (reply, error) in cases {
        let mut client = End::new(plain_client(b"secret"), 1, now);
        let mut server = End::new(plain_server(), 2, now);
        pump(&mut client, &mut server, now);
        server.take_zap_request().unwrap();
        assert_eq!(server.connection.zap_reply(&reply, now), Err(ProtocolError::ZapReply(error)));
        assert!(server.connection.pending_output().is_empty());
    }
    // A reply nobody asked for.
    let mut server = End::new(plain_server(), 2, now);
    let unexpected = server.connection.zap_reply(&zap_reply(b"200", b"", &[]), now);
    assert_eq!(unexpected, Err(ProtocolError::ZapReply(ZapError::Unexpected)));
}

#[test]
fn curve_stonehouse_without_zap() {
    let now = Instant::now();
    let mut client = End::new(curve_client(ZMQ_DEALER, public(&SERVER_SECRET)), 1, now);
    let mut server = End::new(curve_server(ZMQ_ROUTER), 2, now);
    pump(&mut client, &mut server, now);
    assert!(client.connection.is_ready() && server.connection.is_ready());
    assert!(server.take_zap_request().is_none());
    assert!(server.ready_metadata().unwrap().get(b"User-Id").is_none());

    // Parts, flags and sizes both ways; large ones go through the direct read path.
    let large: Vec<u8> = (0..100_000u32).map(|i| i as u8).collect();
    for (more, body) in [(true, &b"head"[..]), (true, b""), (false, &large[..])] {
        client.connection.send(&part(body, more)).unwrap();
        server.connection.send(&part(body, more)).unwrap();
    }
    // Nothing goes in clear.
    assert!(!client.connection.pending_output().windows(4).any(|w| w == b"head"));
    pump(&mut client, &mut server, now);
    for end in [&mut client, &mut server] {
        let messages = end.messages();
        assert_eq!(messages.len(), 3);
        assert_eq!(messages[0].data(), b"head");
        assert!(messages[0].more() && messages[1].more() && !messages[2].more());
        assert_eq!(messages[2].data(), &large[..]);
    }
    assert!(client.error.is_none() && server.error.is_none());
}

#[test]
fn curve_with_zap_and_real_randomness() {
    let now = Instant::now();
    let mut config = curve_server(ZMQ_ROUTER);
    config.zap_handler = true;
    let mut client = End {
        connection: Connection::new(curve_client(ZMQ_DEALER, public(&SERVER_SECRET)), now),
        events: Vec::new(),
        error: None,
    };
    let mut server = End { connection: Connection::new(config, now), events: Vec::new(), error: None };
    pump(&mut client, &mut server, now);
    let request = server.take_zap_request().unwrap();
    let client_public = public(&CLIENT_SECRET);
    let expected: [&[u8]; 8] = [b"", b"1.0", b"1", b"", b"10.0.0.1", b"", b"CURVE", &client_public];
    assert_eq!(request, expected);
    server.connection.zap_reply(&zap_reply(b"200", b"bob", &[("X-Level", b"3")]), now).unwrap();
    pump(&mut client, &mut server, now);
    assert!(client.connection.is_ready() && server.connection.is_ready());
    client.connection.send(&part(b"hi", false)).unwrap();
    pump(&mut client, &mut server, now);
    let messages = server.messages();
    assert_eq!(messages[0].property(b"User-Id").unwrap().to_bytes(), b"bob");
    assert_eq!(messages[0].property(b"X-Level").unwrap().to_bytes(), b"3");
    assert_eq!(messages[0].property(b"Socket-Type").unwrap().to_bytes(), b"DEALER");
}

#[test]
fn curve_refused_by_zap() {
    let now = Instant::now();
    let mut config = curve_server(ZMQ_ROUTER);
    config.zap_handler = true;
    let mut client = End::new(curve_client(ZMQ_DEALER, public(&SERVER_SECRET)), 1, now);
    let mut server = End::new(config, 2, now);
    pump(&mut client, &mut server, now);
    server.take_zap_request().unwrap();
    let refused = server.connection.zap_reply(&zap_reply(b"400", b"", &[]), now);
    assert_eq!(refused, Err(ProtocolError::AuthenticationFailed(400)));
    pump(&mut client, &mut server, now);
    assert_eq!(client.error, Some(ProtocolError::PeerError(b"400".to_vec())));
}

#[test]
fn curve_wrong_server_key_and_tampering() {
    let now = Instant::now();
    let mut client = End::new(curve_client(ZMQ_DEALER, public(&[1; 32])), 1, now);
    let mut server = End::new(curve_server(ZMQ_ROUTER), 2, now);
    pump(&mut client, &mut server, now);
    assert_eq!(server.error, Some(ProtocolError::Cryptographic));
    assert!(!client.connection.is_ready());

    let mut client = End::new(curve_client(ZMQ_DEALER, public(&SERVER_SECRET)), 1, now);
    let mut server = End::new(curve_server(ZMQ_ROUTER), 2, now);
    pump(&mut client, &mut server, now);
    client.connection.send(&part(b"secret", false)).unwrap();
    let mut bytes = client.connection.pending_output().to_vec();
    *bytes.last_mut().unwrap() ^= 0x80;
    assert_eq!(server.connection.handle_input(&bytes, now), Err(ProtocolError::Cryptographic));
    assert!(server.connection.poll_event().is_none());
}

#[test]
fn curve_heartbeats_and_subscriptions_are_encrypted() {
    let now = Instant::now();
    let mut config = curve_client(ZMQ_SUB, public(&SERVER_SECRET));
    config.heartbeat_ivl = Some(Duration::from_millis(100));
    let mut sub = End::new(config, 1, now);
    let mut xpub = End::new(curve_server(ZMQ_XPUB), 2, now);
    pump(&mut sub, &mut xpub, now);
    assert!(sub.connection.is_ready());
    sub.connection.send(&subscribe_command(b"news")).unwrap();
    pump(&mut sub, &mut xpub, now);
    assert!(matches!(&xpub.events[1..], [Event::Subscribe(topic)] if topic == b"news"));

    let later = now + Duration::from_millis(100);
    sub.connection.handle_timeout(later).unwrap();
    let ping = sub.connection.pending_output().to_vec();
    assert!(!ping.is_empty() && !ping.windows(4).any(|w| w == b"PING"));
    assert_eq!(&ping[2..10], b"\x07MESSAGE");
    pump(&mut sub, &mut xpub, later);
    // The PONG came back encrypted and cleared the timeout.
    assert!(sub.error.is_none() && xpub.error.is_none());
    sub.connection.handle_timeout(later + Duration::from_millis(150)).unwrap();
}

/// Frames written by a connection, parsed back.
fn frames_of(bytes: &[u8]) -> Vec<Msg> {
    let mut decoder = Decoder::new(Framing::V2, None);
    let mut frames = Vec::new();
    let mut rest = bytes;
    while !rest.is_empty() {
        let (used, frame) = decoder.decode(rest).unwrap();
        rest = &rest[used..];
        frames.extend(frame);
    }
    frames
}

#[test]
fn curve_subscriptions_to_a_zmtp_3_0_peer_are_legacy_messages_in_the_box() {
    let now = Instant::now();
    let mut sub =
        Connection::with_random(curve_client(ZMQ_SUB, public(&SERVER_SECRET)), now, Box::new(Counter(1)));
    // The peer: a ZMTP 3.0 greeting, then a CURVE server run by hand.
    let mut greeting = vec![0xff, 0, 0, 0, 0, 0, 0, 0, 1, 0x7f, 3, 0];
    greeting.extend_from_slice(b"CURVE");
    greeting.resize(64, 0);
    sub.handle_input(&greeting, now).unwrap();
    assert_eq!(sub.pending_output()[12..17], *b"CURVE");
    sub.consume(64);
    let mut peer = mechanism::create(&curve_server(ZMQ_PUB), Box::new(Counter(2)));
    let mut to_sub = Vec::new();
    loop {
        let output = sub.pending_output().to_vec();
        sub.consume(output.len());
        for frame in frames_of(&output) {
            peer.process_handshake_command(frame.data()).unwrap();
        }
        while let Some(body) = peer.next_handshake_command().unwrap() {
            to_sub.extend(frame_bytes(&body));
        }
        if to_sub.is_empty() {
            break;
        }
        sub.handle_input(&core::mem::take(&mut to_sub), now).unwrap();
        if sub.is_ready() {
            break;
        }
    }
    assert!(sub.is_ready() && peer.is_ready());
    assert_eq!(sub.peer_version(), Some((3, 0)));
    let mut codec = peer.take_codec().unwrap();
    sub.send(&subscribe_command(b"ab")).unwrap();
    let frames = frames_of(sub.pending_output());
    let received = codec.decode(Msg::from_slice(frames[0].data()).unwrap()).unwrap();
    assert_eq!(received.data(), b"\x01ab");
    assert!(!received.flags().contains(Flags::COMMAND));
}

#[test]
fn null_with_zap() {
    let now = Instant::now();
    let mut config = Config::new(ZMQ_PULL);
    config.zap_domain = b"dom".to_vec();
    config.zap_handler = true;
    let mut server = End::new(config.clone(), 2, now);
    let mut client = End::new(Config::new(ZMQ_PUSH), 1, now);
    pump(&mut client, &mut server, now);
    let request = server.take_zap_request().unwrap();
    assert_eq!(request, [&b""[..], b"1.0", b"1", b"dom", b"", b"", b"NULL"]);
    // The client's READY came in; ours waits for the verdict.
    assert!(client.ready_metadata().is_none() && !server.connection.is_ready());
    server.connection.zap_reply(&zap_reply(b"200", b"anon", &[]), now).unwrap();
    pump(&mut client, &mut server, now);
    assert!(client.connection.is_ready() && server.connection.is_ready());
    client.connection.send(&part(b"m", false)).unwrap();
    pump(&mut client, &mut server, now);
    assert_eq!(server.messages()[0].property(b"User-Id").unwrap().to_bytes(), b"anon");

    // 300: no ERROR, the handshake fails.
    let mut server = End::new(config, 2, now);
    let mut client = End::new(Config::new(ZMQ_PUSH), 1, now);
    pump(&mut client, &mut server, now);
    server.take_zap_request().unwrap();
    let refused = server.connection.zap_reply(&zap_reply(b"300", b"", &[]), now);
    assert_eq!(refused, Err(ProtocolError::AuthenticationFailed(300)));
    assert!(server.connection.pending_output().is_empty());
}

#[test]
fn mechanism_mismatch_and_legacy_peers() {
    let now = Instant::now();
    // A NULL (plain-text) peer of a CURVE server.
    let mut client = End::new(Config::new(ZMQ_DEALER), 1, now);
    let mut server = End::new(curve_server(ZMQ_ROUTER), 2, now);
    pump(&mut client, &mut server, now);
    assert_eq!(server.error, Some(ProtocolError::MechanismMismatch));
    assert_eq!(client.error, Some(ProtocolError::MechanismMismatch));
    assert_eq!(
        ProtocolError::MechanismMismatch.handshake_failed_event(),
        Some((ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL, ZMQ_PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH))
    );
    // PLAIN against CURVE.
    let mut client = End::new(plain_client(b"x"), 1, now);
    let mut server = End::new(curve_server(ZMQ_ROUTER), 2, now);
    pump(&mut client, &mut server, now);
    assert_eq!(server.error, Some(ProtocolError::MechanismMismatch));

    // ZMTP 2.0 and unversioned 1.0 peers are refused when security is on.
    let v2 = [0xff, 0, 0, 0, 0, 0, 0, 0, 1, 0x7f, 1, ZMQ_DEALER as u8];
    let mut zap_null = Config::new(ZMQ_ROUTER);
    zap_null.zap_domain = b"d".to_vec();
    for config in [curve_server(ZMQ_ROUTER), plain_server(), zap_null.clone()] {
        let mut connection = Connection::new(config.clone(), now);
        assert_eq!(connection.handle_input(&v2, now), Err(ProtocolError::LegacyPeerRefused));
        let mut connection = Connection::new(config, now);
        assert_eq!(connection.handle_input(&[1, 0], now), Err(ProtocolError::LegacyPeerRefused));
    }
    assert_eq!(ProtocolError::LegacyPeerRefused.handshake_failed_event(), None);
    // Without security they are served.
    let mut connection = Connection::new(Config::new(ZMQ_ROUTER), now);
    connection.handle_input(&v2, now).unwrap();
    // Nothing can be sent before the handshake.
    let mut connection = Connection::new(curve_server(ZMQ_ROUTER), now);
    assert_eq!(connection.send(&part(b"x", false)), Err(Errno::EAGAIN));
}

#[test]
fn secrets_stay_out_of_debug_output() {
    let config = curve_client(ZMQ_DEALER, [7; 32]);
    let text = format!("{config:?}");
    assert!(text.contains("CurveClient"));
    assert!(!text.contains(&format!("{:?}", CLIENT_SECRET)));
    let text = format!("{:?}", plain_client(b"hunter2").security);
    assert!(text.contains("admin") && !text.contains("hunter2"));
}
