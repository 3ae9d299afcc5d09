//! The ws:// protocol (ZWS 2.0).

use std::time::{Duration, Instant};

use super::Seeded;
use crate::constants::{ZMQ_DEALER, ZMQ_PAIR, ZMQ_PUB, ZMQ_SUB};
use crate::msg::Msg;
use crate::ws::{accept_key, Role, WsConnection};
use crate::zmtp::{Config, Event};

fn config(selector: u8) -> Config {
    let socket_type = [ZMQ_PAIR, ZMQ_DEALER, ZMQ_PUB, ZMQ_SUB][usize::from(selector & 3)];
    let mut config = Config::new(socket_type);
    if selector & 0x04 != 0 {
        config.max_msg_size = Some(64);
    }
    if selector & 0x08 != 0 {
        config.heartbeat_ivl = Some(Duration::from_millis(10));
    }
    config
}

fn client_role() -> Role {
    Role::Client { host: "h".into(), path: "/".into() }
}

/// Our answer to a client's request, as an honest server would give it.
fn answer(request: &[u8], protocol: &str) -> Vec<u8> {
    let text = String::from_utf8_lossy(request);
    let key = text.lines().find_map(|line| line.strip_prefix("Sec-WebSocket-Key: ")).unwrap_or_default();
    format!(
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Accept: {}\r\nSec-WebSocket-Protocol: {protocol}\r\n\r\n",
        accept_key(key.as_bytes())
    )
    .into_bytes()
}

/// A peer's bytes to one of ours.
fn raw_peer(selector: u8, mut input: &[u8]) {
    let start = Instant::now();
    let mut now = start;
    let protocol = if selector & 0x10 != 0 { "ZWS2.0" } else { "ZWS2.0/NULL" };
    let server = selector & 0x20 != 0;
    let role = if server { Role::Server } else { client_role() };
    let mut connection = WsConnection::with_random(config(selector), role, now, Box::new(Seeded(5)));
    if selector & 0x40 != 0 {
        let upgrade = if server {
            format!(
                "GET / HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
                 Sec-WebSocket-Key: a2V5\r\nSec-WebSocket-Protocol: {protocol}\r\n\r\n"
            )
            .into_bytes()
        } else {
            answer(connection.pending_output(), protocol)
        };
        assert!(connection.handle_input(&upgrade, now).is_ok());
    }
    let chunk = usize::from(input.first().copied().unwrap_or(0) % 61) + 1;
    let mut failed = false;
    while !input.is_empty() {
        let (head, rest) = input.split_at(chunk.min(input.len()));
        input = rest;
        let outcome = connection.handle_input(head, now);
        assert!(!(failed && outcome.is_ok()), "a failed connection came back");
        failed |= outcome.is_err();
        while connection.poll_event().is_some() {}
        if connection.is_ready() {
            let _ = connection.send(&Msg::from_slice(head).unwrap_or_default());
        }
        let pending = connection.pending_output().len();
        connection.consume(pending);
        now += Duration::from_millis(3);
        if connection.poll_timeout().is_some_and(|at| at <= now) {
            let outcome = connection.handle_timeout(now);
            assert!(!(failed && outcome.is_ok()), "a failed connection came back");
            failed |= outcome.is_err();
        }
    }
}

/// Moves everything `from` has written to `to`, `chunk` bytes at a time; whether
/// there was anything.
fn shuttle(from: &mut WsConnection, to: &mut WsConnection, chunk: usize, now: Instant) -> bool {
    let bytes = from.pending_output().to_vec();
    from.consume(bytes.len());
    for piece in bytes.chunks(chunk) {
        assert_eq!(to.handle_input(piece, now), Ok(()), "our own peer failed");
    }
    !bytes.is_empty()
}

/// Ours on both ends: messages cut from the input cross intact, whatever the
/// chunking.
fn pair(selector: u8, input: &[u8]) {
    let now = Instant::now();
    let mut config = Config::new(ZMQ_PAIR);
    config.max_msg_size = None;
    let mut client = WsConnection::with_random(config.clone(), client_role(), now, Box::new(Seeded(1)));
    let mut server = WsConnection::with_random(config, Role::Server, now, Box::new(Seeded(2)));
    let chunk = usize::from(selector & 0x3f) * 7 + 1;
    let mut sent: Vec<(Vec<u8>, bool)> = Vec::new();
    let mut received: Vec<(Vec<u8>, bool)> = Vec::new();
    let mut messages = input.split(|&byte| byte == 0xff);
    for _ in 0..100_000 {
        if client.is_ready() {
            if let Some(body) = messages.next() {
                let more = body.first().is_some_and(|first| first & 1 != 0);
                let mut msg = Msg::from_vec(body.to_vec());
                msg.set_more(more);
                assert_eq!(client.send(&msg), Ok(()));
                sent.push((body.to_vec(), more));
            }
        }
        let moved =
            shuttle(&mut client, &mut server, chunk, now) | shuttle(&mut server, &mut client, chunk, now);
        while let Some(event) = server.poll_event() {
            if let Event::Message(msg) = event {
                received.push((msg.data().to_vec(), msg.more()));
            }
        }
        while client.poll_event().is_some() {}
        if !moved && client.is_ready() && sent.len() == received.len() && messages.clone().next().is_none() {
            break;
        }
    }
    assert_eq!(sent, received);
}

/// The ws:// protocol (ZWS 2.0) under arbitrary input. A server or a client gets
/// the bytes of a peer (after an honest upgrade, or from the first byte, so the
/// HTTP upgrade itself is parsed) in arbitrary chunks with timers firing in
/// between: nothing may panic and a failed connection must stay failed. A third
/// mode runs our client against our server with messages and chunk sizes from the
/// input: everything sent must arrive, in order, intact.
///
/// Input: a selector byte (bit 7 the pair mode; bits 0-1 socket type; bit 2 a
/// 64-byte `ZMQ_MAXMSGSIZE`; bit 3 heartbeats; bit 4 bare `ZWS2.0`; bit 5 server;
/// bit 6 an honest upgrade first), then the peer's bytes (or, in pair mode, the
/// messages, separated by 0xff).
pub fn ws_frames(data: &[u8]) {
    let Some((&selector, input)) = data.split_first() else { return };
    if selector & 0x80 != 0 {
        pair(selector, input);
    } else {
        raw_peer(selector, input);
    }
}
