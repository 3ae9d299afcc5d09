//! Plays a PLAIN peer with arbitrary bytes against our PLAIN client or server (with
//! or without a ZAP handler, which answers with a status the input picks): nothing
//! may panic, a failed connection must stay failed, and a server must never become
//! ready unless its ZAP handler said 200.
#![no_main]

use std::time::{Duration, Instant};

use libfuzzer_sys::fuzz_target;
use zmq::constants::{ZMQ_DEALER, ZMQ_ROUTER};
use zmq::msg::Msg;
use zmq::zmtp::{Config, Connection, Event, Security};

/// A ZMTP 3.1 greeting naming `mechanism`.
fn greeting(mechanism: &[u8]) -> Vec<u8> {
    let mut bytes = vec![0xff, 0, 0, 0, 0, 0, 0, 0, 1, 0x7f, 3, 1];
    bytes.extend_from_slice(mechanism);
    bytes.resize(64, 0);
    bytes
}

/// A ZAP reply with `status`, user id "user".
fn zap_reply(status: &[u8]) -> Vec<Msg> {
    let frames: [&[u8]; 7] = [b"", b"1.0", b"1", status, b"", b"user", b""];
    frames
        .iter()
        .enumerate()
        .map(|(i, frame)| {
            let mut msg = Msg::from_vec(frame.to_vec());
            msg.set_more(i < 6);
            msg
        })
        .collect()
}

fuzz_target!(|data: &[u8]| {
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
    let start = Instant::now();
    let mut now = start;
    let mut connection = Connection::new(config, now);
    assert!(connection.handle_input(&greeting(b"PLAIN"), now).is_ok());
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
                    let verdict = connection.zap_reply(&zap_reply(status), now);
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
            assert!(connection.send(msg).is_ok());
        }
    }
});
