//! The security handshakes (NULL, PLAIN, CURVE) in both roles, and ZAP replies.

use std::time::{Duration, Instant};

use super::{greeting, zap_reply_with, Input, Seeded};
use crate::constants::*;
use crate::msg::Msg;
use crate::util::curve_keys::public_key;
use crate::zmtp::socket_type::compatible;
use crate::zmtp::{Config, Connection, Event, ProtocolError, Security};

/// Moves bytes both ways until both ends are quiet.
fn pump(a: &mut Connection, b: &mut Connection, now: Instant) -> Result<(), ProtocolError> {
    loop {
        let ab = a.pending_output().to_vec();
        a.consume(ab.len());
        b.handle_input(&ab, now)?;
        let ba = b.pending_output().to_vec();
        b.consume(ba.len());
        a.handle_input(&ba, now)?;
        if ab.is_empty() && ba.is_empty() {
            return Ok(());
        }
    }
}

/// Socket types, for selectors.
const TYPES: [i32; 21] = [
    ZMQ_PAIR,
    ZMQ_PUB,
    ZMQ_SUB,
    ZMQ_REQ,
    ZMQ_REP,
    ZMQ_DEALER,
    ZMQ_ROUTER,
    ZMQ_PULL,
    ZMQ_PUSH,
    ZMQ_XPUB,
    ZMQ_XSUB,
    ZMQ_STREAM,
    ZMQ_SERVER,
    ZMQ_CLIENT,
    ZMQ_RADIO,
    ZMQ_DISH,
    ZMQ_GATHER,
    ZMQ_SCATTER,
    ZMQ_DGRAM,
    ZMQ_PEER,
    ZMQ_CHANNEL,
];

/// Pairs of socket types that may talk.
const PAIRS: [(i32, i32); 12] = [
    (ZMQ_PAIR, ZMQ_PAIR),
    (ZMQ_REQ, ZMQ_REP),
    (ZMQ_REQ, ZMQ_ROUTER),
    (ZMQ_DEALER, ZMQ_ROUTER),
    (ZMQ_DEALER, ZMQ_DEALER),
    (ZMQ_ROUTER, ZMQ_ROUTER),
    (ZMQ_PUSH, ZMQ_PULL),
    (ZMQ_PUB, ZMQ_SUB),
    (ZMQ_XPUB, ZMQ_XSUB),
    (ZMQ_CLIENT, ZMQ_SERVER),
    (ZMQ_RADIO, ZMQ_DISH),
    (ZMQ_SCATTER, ZMQ_GATHER),
];

/// A property name the options would accept (`X-` and letters, at most 255 bytes).
fn property_name(bytes: &[u8]) -> String {
    let mut name = String::from("X-");
    name.extend(bytes.iter().take(253).map(|&b| char::from(b'a' + b % 26)));
    name
}

/// The NULL mechanism.
///
/// Raw mode (selector bit 7 clear): our NULL connection of any socket type, maybe
/// with a ZAP domain, handler and enforcement, gets an honest ZMTP 3.0/3.1 greeting
/// and then arbitrary bytes in chunks. Nothing may panic; failures are final; ZAP
/// is asked at most once and only when a handler is bound and a domain set; it
/// becomes ready only after a 200 when it asked, and only with a compatible peer.
///
/// Pair mode (bit 7 set): two of our NULL connections of compatible types, with
/// routing ids and metadata from the input, must both become ready, each seeing
/// the other's type, routing id (for REQ, DEALER, ROUTER) and metadata; then the
/// messages cut from the input cross intact.
pub fn null_handshake(data: &[u8]) {
    let mut input = Input(data);
    let selector = input.byte();
    if selector & 0x80 != 0 {
        null_pair(selector, input);
    } else {
        null_raw(selector, input);
    }
}

fn null_raw(selector: u8, mut input: Input<'_>) {
    let socket_type = TYPES[usize::from(input.byte()) % TYPES.len()];
    let mut config = Config::new(socket_type);
    config.routing_id = input.short().to_vec();
    config.zap_handler = selector & 0x01 != 0;
    if selector & 0x02 != 0 {
        config.zap_domain = b"domain".to_vec();
    }
    config.zap_enforce_domain = selector & 0x04 != 0;
    let status: &[u8] = [b"200", b"300", b"400", b"500"][usize::from((selector >> 3) & 3)];
    let minor = (selector >> 5) & 1;
    let chunk = usize::from(selector >> 6 & 1) * 40 + usize::from(input.byte() % 40) + 1;
    let zap_expected = config.zap_handler && !config.zap_domain.is_empty();
    let mut now = Instant::now();
    let mut connection = Connection::new(config, now);
    let mut failed = connection.handle_input(&greeting(minor, b"NULL"), now).is_err();
    let mut asked = false;
    let mut accepted = false;
    let mut ready = false;
    for piece in input.rest().chunks(chunk) {
        let outcome = connection.handle_input(piece, now);
        assert!(!(failed && outcome.is_ok()), "a failed connection came back");
        failed |= outcome.is_err();
        while let Some(event) = connection.poll_event() {
            match event {
                Event::ZapRequest(frames) => {
                    assert!(zap_expected, "ZAP asked without a handler and a domain");
                    assert!(!asked, "ZAP asked twice");
                    asked = true;
                    assert_eq!(frames.get(6).map(Msg::data), Some(&b"NULL"[..]));
                    assert_eq!(frames.len(), 7);
                    let verdict = connection.zap_reply(&zap_reply_with(status), now);
                    if !failed {
                        assert_eq!(verdict.is_ok(), status == b"200");
                    }
                    accepted = verdict.is_ok();
                    failed |= verdict.is_err();
                }
                Event::Ready { peer_socket_type, .. } => {
                    assert!(!ready, "ready twice");
                    ready = true;
                    assert!(!asked || accepted, "ready without ZAP's 200");
                    assert!(peer_socket_type == -1 || compatible(socket_type, peer_socket_type));
                }
                _ => {}
            }
        }
        assert!(!(connection.is_ready() && failed), "a failed connection is ready");
        let pending = connection.pending_output().len();
        connection.consume(pending);
        now += Duration::from_millis(7);
        if connection.poll_timeout().is_some_and(|at| at <= now) {
            let outcome = connection.handle_timeout(now);
            assert!(!(failed && outcome.is_ok()), "a failed connection came back");
            failed |= outcome.is_err();
        }
        if connection.is_ready() {
            assert_eq!(connection.send(&Msg::from_vec(piece.to_vec())), Ok(()));
        }
    }
}

fn null_pair(selector: u8, mut input: Input<'_>) {
    let (first, second) = PAIRS[usize::from(selector & 0x7f) % PAIRS.len()];
    let (client_type, server_type) = if selector & 0x40 != 0 { (second, first) } else { (first, second) };
    let mut configs = [Config::new(client_type), Config::new(server_type)];
    for config in &mut configs {
        config.routing_id = input.short().to_vec();
        for _ in 0..input.byte() % 4 {
            let name = property_name(input.short());
            config.metadata.push((name, input.short().to_vec()));
        }
    }
    let now = Instant::now();
    let [client, server] = configs.clone();
    let mut client = Connection::new(client, now);
    let mut server = Connection::new(server, now);
    assert_eq!(pump(&mut client, &mut server, now), Ok(()));
    assert!(client.is_ready() && server.is_ready());
    for (connection, peer) in [(&mut client, &configs[1]), (&mut server, &configs[0])] {
        let Some(Event::Ready { peer_socket_type, peer_routing_id, metadata }) = connection.poll_event()
        else {
            panic!("no Ready event");
        };
        assert_eq!(peer_socket_type, peer.socket_type);
        let sends_identity = matches!(peer.socket_type, ZMQ_REQ | ZMQ_DEALER | ZMQ_ROUTER);
        assert_eq!(peer_routing_id, if sends_identity { peer.routing_id.clone() } else { Vec::new() });
        for (name, value) in &peer.metadata {
            let first = peer.metadata.iter().find(|(known, _)| known == name).map(|(_, v)| v);
            let expected = first.unwrap_or(value);
            let cut = expected.iter().position(|&b| b == 0).map_or(&expected[..], |end| &expected[..end]);
            assert_eq!(metadata.get(name.as_bytes()).map(|v| v.to_bytes()), Some(cut));
        }
        assert!(connection.poll_event().is_none());
    }
    // Messages cross intact.
    let mut sent = Vec::new();
    while !input.is_empty() {
        let body = input.short();
        let mut msg = Msg::from_vec(body.to_vec());
        msg.set_more(body.first().is_some_and(|b| b & 1 != 0));
        sent.push((body.to_vec(), msg.more()));
        assert_eq!(client.send(&msg), Ok(()));
    }
    assert_eq!(pump(&mut client, &mut server, now), Ok(()));
    let received: Vec<(Vec<u8>, bool)> = std::iter::from_fn(|| server.poll_event())
        .filter_map(|event| match event {
            Event::Message(msg) => Some((msg.data().to_vec(), msg.more())),
            _ => None,
        })
        .collect();
    assert_eq!(received, sent);
}

/// Plays a PLAIN peer with arbitrary bytes against our PLAIN client or server (with
/// or without a ZAP handler, which answers with a status the input picks): nothing
/// may panic, a failed connection must stay failed, and a server must never become
/// ready unless its ZAP handler said 200.
///
/// Input: a selector byte (bit 0 server; bit 1 ZAP handler; bit 2 ZAP domain; bits
/// 3-4 the ZAP status; bits 5-7 the chunk size; bit 6 also MORE on what we send),
/// then the peer's bytes after its greeting.
pub fn plain_handshake(data: &[u8]) {
    let Some((&selector, mut input)) = data.split_first() else { return };
    let server = selector & 0x01 != 0;
    let mut config = Config::new(if server { ZMQ_ROUTER } else { ZMQ_DEALER });
    config.security = if server {
        Security::PlainServer
    } else {
        Security::PlainClient { username: b"admin".to_vec(), password: b"secret".to_vec() }
    };
    config.zap_handler = selector & 0x02 != 0;
    if selector & 0x04 != 0 {
        config.zap_domain = b"domain".to_vec();
    }
    let status: &[u8] = [b"200", b"300", b"400", b"500"][usize::from((selector >> 3) & 3)];
    let chunk = usize::from(selector >> 5) * 7 + 1;
    let mut now = Instant::now();
    let mut connection = Connection::new(config, now);
    assert!(connection.handle_input(&greeting(1, b"PLAIN"), now).is_ok());
    let mut failed = false;
    let mut accepted = false;
    while !input.is_empty() {
        let (head, rest) = input.split_at(chunk.min(input.len()));
        input = rest;
        let outcome = connection.handle_input(head, now);
        assert!(!(failed && outcome.is_ok()), "a failed connection came back");
        failed |= outcome.is_err();
        while let Some(event) = connection.poll_event() {
            match event {
                Event::ZapRequest(frames) => {
                    assert!(server, "a PLAIN client never asks ZAP");
                    assert_eq!(frames.get(6).map(Msg::data), Some(&b"PLAIN"[..]));
                    assert_eq!(frames.len(), 9);
                    let verdict = connection.zap_reply(&zap_reply_with(status), now);
                    // (Later input in the same chunk may have failed it already.)
                    if !failed {
                        assert_eq!(verdict.is_ok(), status == b"200");
                    }
                    accepted = verdict.is_ok();
                    failed |= verdict.is_err();
                }
                Event::Ready { .. } => assert!(!server || accepted, "ready without ZAP's 200"),
                _ => {}
            }
        }
        let pending = connection.pending_output().len();
        connection.consume(pending);
        now += Duration::from_millis(3);
        if connection.poll_timeout().is_some_and(|at| at <= now) {
            failed |= connection.handle_timeout(now).is_err();
        }
        if connection.is_ready() {
            let mut msg = Msg::from_vec(head.to_vec());
            msg.set_more(selector & 0x40 != 0);
            assert!(connection.send(&msg).is_ok());
        }
    }
}

const SERVER_SECRET: [u8; 32] = [0x53; 32];
const CLIENT_SECRET: [u8; 32] = [0x43; 32];

/// A CURVE client's and server's configurations (fixed keys), the server with a
/// ZAP handler when `zap`.
fn curve_configs(zap: bool) -> (Config, Config) {
    let mut client = Config::new(ZMQ_DEALER);
    client.security = Security::CurveClient {
        public_key: public_key(&CLIENT_SECRET),
        secret_key: CLIENT_SECRET,
        server_key: public_key(&SERVER_SECRET),
    };
    let mut server = Config::new(ZMQ_ROUTER);
    server.security = Security::CurveServer { secret_key: SERVER_SECRET };
    server.zap_handler = zap;
    (client, server)
}

/// One side of a CURVE exchange and what became of it.
struct End {
    connection: Connection,
    error: Option<ProtocolError>,
    received: Vec<Msg>,
}

impl End {
    fn record(&mut self, outcome: Result<(), ProtocolError>) {
        match (&self.error, outcome) {
            (Some(_), outcome) => assert!(outcome.is_err(), "a failed connection came back"),
            (None, Err(error)) => self.error = Some(error),
            (None, Ok(())) => {}
        }
    }

    fn events(&mut self, status: &[u8], now: Instant) {
        while let Some(event) = self.connection.poll_event() {
            match event {
                Event::ZapRequest(_) => {
                    let outcome = self.connection.zap_reply(&zap_reply_with(status), now);
                    self.record(outcome);
                }
                Event::Message(msg) => self.received.push(msg),
                _ => {}
            }
        }
    }
}

/// CURVE under attack. In the first mode (selector bit 7 clear) a CURVE client and
/// server (fixed keys, reproducible randomness, ZAP verdict from the input) talk
/// through a channel the input tampers with: bytes passed on, bits flipped, streams
/// cut short or replaced. Untampered, the handshake must succeed and messages must
/// arrive intact; tampered, nothing may panic and failures must be final. In the
/// second mode the input is the raw bytes of a CURVE peer, straight after its
/// greeting, to our server (bit 1 clear) or our client (bit 1 set).
pub fn curve_handshake(data: &[u8]) {
    let Some((&selector, input)) = data.split_first() else { return };
    if selector & 0x80 != 0 {
        curve_raw_peer(selector, input);
    } else {
        curve_tampered(selector, input);
    }
}

/// The tampering channel.
fn curve_tampered(selector: u8, mut script: &[u8]) {
    let now = Instant::now();
    let status: &[u8] = [b"200", b"300", b"400", b"500"][usize::from((selector >> 1) & 3)];
    let (client, server) = curve_configs(selector & 0x01 != 0);
    let mut ends = [
        End {
            connection: Connection::with_random(client, now, Box::new(Seeded(1))),
            error: None,
            received: vec![],
        },
        End {
            connection: Connection::with_random(server, now, Box::new(Seeded(2))),
            error: None,
            received: vec![],
        },
    ];
    let mut damaged = false;
    let mut sent: Vec<Vec<u8>> = Vec::new();
    // Each action: which side's output moves, and how.
    while let Some((&action, rest)) = script.split_first() {
        script = rest;
        let from = usize::from(action & 1);
        let to = 1 - from;
        let mut bytes = ends[from].connection.pending_output().to_vec();
        ends[from].connection.consume(bytes.len());
        match action >> 5 {
            0..=3 => {}
            4 | 5 => {
                if let (Some((&at, rest)), false) = (script.split_first(), bytes.is_empty()) {
                    script = rest;
                    let at = usize::from(at) * 7 % bytes.len();
                    bytes[at] ^= 1 << ((action >> 1) & 7);
                    damaged = true;
                }
            }
            6 => {
                let keep = usize::from(action & 0x1e) * 3;
                damaged |= keep < bytes.len();
                bytes.truncate(keep);
            }
            _ => {
                let n = usize::from(action & 0x1e).min(script.len());
                bytes = script[..n].to_vec();
                script = &script[n..];
                damaged = true;
            }
        }
        if ends[to].error.is_none() && !bytes.is_empty() {
            let outcome = ends[to].connection.handle_input(&bytes, now);
            ends[to].record(outcome);
        }
        for end in &mut ends {
            end.events(status, now);
        }
        // Once ready, say something.
        if ends[0].connection.is_ready() && ends[0].error.is_none() && sent.len() < 4 {
            let mut msg = Msg::from_vec(vec![action; usize::from(action)]);
            msg.set_more(action & 2 != 0);
            if ends[0].connection.send(&msg).is_ok() {
                sent.push(vec![action; usize::from(action)]);
            }
        }
    }
    // Then an honest channel until both are quiet.
    loop {
        let mut moved = false;
        for from in 0..2 {
            let bytes = ends[from].connection.pending_output().to_vec();
            ends[from].connection.consume(bytes.len());
            if !bytes.is_empty() && ends[1 - from].error.is_none() {
                moved = true;
                let outcome = ends[1 - from].connection.handle_input(&bytes, now);
                ends[1 - from].record(outcome);
            }
            for end in &mut ends {
                end.events(status, now);
            }
        }
        if !moved {
            break;
        }
    }
    let accepted = selector & 0x01 == 0 || status == b"200";
    if !damaged && accepted {
        assert!(
            ends[0].error.is_none() && ends[1].error.is_none(),
            "{:?} {:?}",
            ends[0].error,
            ends[1].error
        );
        assert!(ends[0].connection.is_ready() && ends[1].connection.is_ready());
        let received: Vec<&[u8]> = ends[1].received.iter().map(Msg::data).collect();
        let sent: Vec<&[u8]> = sent.iter().map(Vec::as_slice).collect();
        assert_eq!(received, sent);
    }
    if !accepted {
        assert!(!ends[1].connection.is_ready());
    }
}

/// The raw-peer mode.
fn curve_raw_peer(selector: u8, input: &[u8]) {
    let now = Instant::now();
    let (client, server) = curve_configs(selector & 0x01 != 0);
    let config = if selector & 0x02 != 0 { client } else { server };
    let mut connection = Connection::with_random(config, now, Box::new(Seeded(3)));
    assert!(connection.handle_input(&greeting(1, b"CURVE"), now).is_ok());
    let chunk = usize::from(selector >> 2 & 0x1f) * 13 + 1;
    let mut failed = false;
    for piece in input.chunks(chunk) {
        let outcome = connection.handle_input(piece, now);
        assert!(!(failed && outcome.is_ok()), "a failed connection came back");
        failed |= outcome.is_err();
        while let Some(event) = connection.poll_event() {
            if let Event::ZapRequest(_) = event {
                failed |= connection.zap_reply(&zap_reply_with(b"200"), now).is_err();
            }
        }
        let pending = connection.pending_output().len();
        connection.consume(pending);
    }
}

/// Frames from the input: a header byte (bit 7 MORE, bits 0-6 the length), then the
/// body, repeated.
fn frames(mut input: &[u8]) -> Vec<Msg> {
    let mut frames = Vec::new();
    while let Some((&header, rest)) = input.split_first() {
        let len = usize::from(header & 0x7f).min(rest.len());
        let (body, rest) = rest.split_at(len);
        let mut msg = Msg::from_vec(body.to_vec());
        msg.set_more(header & 0x80 != 0);
        frames.push(msg);
        input = rest;
    }
    frames
}

/// Gets a NULL, PLAIN or CURVE server (talking to an honest client in memory) to
/// ask its ZAP handler, then hands it an arbitrary reply: nothing may panic, a
/// refused or malformed reply must fail the connection for good, and an accepted
/// one must complete the handshake with the reply's user id on received messages.
///
/// Input: a selector byte (`% 3` the mechanism), then the reply's frames, each a
/// header byte (bit 7 MORE, bits 0-6 the length) and the body.
pub fn zap_reply(data: &[u8]) {
    let Some((&selector, input)) = data.split_first() else { return };
    let now = Instant::now();
    let mut server_config = Config::new(ZMQ_ROUTER);
    server_config.zap_handler = true;
    server_config.zap_domain = b"domain".to_vec();
    let mut client_config = Config::new(ZMQ_DEALER);
    match selector % 3 {
        0 => {}
        1 => {
            server_config.security = Security::PlainServer;
            client_config.security =
                Security::PlainClient { username: b"admin".to_vec(), password: b"secret".to_vec() };
        }
        _ => {
            let (client, server) = curve_configs(true);
            server_config.security = server.security;
            client_config.security = client.security;
        }
    }
    let mut server = Connection::with_random(server_config, now, Box::new(Seeded(2)));
    let mut client = Connection::with_random(client_config, now, Box::new(Seeded(1)));
    assert!(pump(&mut client, &mut server, now).is_ok());
    let mut asked = false;
    while let Some(event) = server.poll_event() {
        asked |= matches!(event, Event::ZapRequest(_));
    }
    assert!(asked, "the server must ask ZAP");
    let reply = frames(input);
    let verdict = server.zap_reply(&reply, now);
    match &verdict {
        Ok(()) => {
            assert_eq!(reply.len(), 7);
            assert_eq!(reply[3].data(), b"200");
            assert!(pump(&mut client, &mut server, now).is_ok());
            assert!(client.is_ready() && server.is_ready());
            let mut msg = Msg::from_vec(b"x".to_vec());
            msg.set_more(false);
            assert!(client.send(&msg).is_ok());
            assert!(pump(&mut client, &mut server, now).is_ok());
            let user_id = reply[5].data();
            let user_id = &user_id[..user_id.iter().position(|&b| b == 0).unwrap_or(user_id.len())];
            let received = std::iter::from_fn(|| server.poll_event()).find_map(|event| match event {
                Event::Message(msg) => Some(msg),
                _ => None,
            });
            let received = received.expect("the message must arrive");
            assert_eq!(received.property(b"User-Id").map(|v| v.to_bytes()).ok(), Some(user_id));
        }
        Err(ProtocolError::AuthenticationFailed(code)) => {
            assert!(matches!(code, 300 | 400 | 500));
            let output = server.pending_output();
            assert_eq!(output.is_empty(), *code == 300);
        }
        Err(ProtocolError::ZapReply(_)) => {}
        Err(other) => panic!("unexpected failure {other:?}"),
    }
    if let Err(error) = verdict {
        assert_eq!(server.zap_reply(&reply, now), Err(error.clone()));
        assert_eq!(server.handle_input(b"\0", now), Err(error));
    }
}
