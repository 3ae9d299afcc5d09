//! Feeds arbitrary bytes, in arbitrary chunks, to a ZMTP connection as a peer would
//! send them, with timers firing in between: nothing may panic, and a failed
//! connection must stay failed.
#![no_main]

use std::time::{Duration, Instant};

use libfuzzer_sys::fuzz_target;
use zmq::constants::{ZMQ_PAIR, ZMQ_PUB, ZMQ_PULL, ZMQ_PUSH, ZMQ_SUB};
use zmq::zmtp::{Config, Connection};

fuzz_target!(|data: &[u8]| {
    let Some((&selector, mut input)) = data.split_first() else { return };
    let socket_type = [ZMQ_PAIR, ZMQ_PUSH, ZMQ_PULL, ZMQ_PUB, ZMQ_SUB][usize::from(selector % 5)];
    let mut config = Config::new(socket_type);
    if selector & 0x08 != 0 {
        config.max_msg_size = Some(64);
    }
    if selector & 0x10 != 0 {
        config.heartbeat_ivl = Some(Duration::from_millis(10));
    }
    let start = Instant::now();
    let mut now = start;
    let mut connection = Connection::new(config, now);
    let chunk = usize::from(selector >> 5) + 1;
    let mut failed = false;
    while !input.is_empty() {
        let (head, rest) = input.split_at(chunk.min(input.len()));
        input = rest;
        let outcome = connection.handle_input(head, now);
        assert!(!(failed && outcome.is_ok()), "a failed connection came back");
        failed |= outcome.is_err();
        while connection.poll_event().is_some() {}
        let pending = connection.pending_output().len();
        connection.consume(pending);
        now += Duration::from_millis(3);
        if connection.poll_timeout().is_some_and(|at| at <= now) {
            failed |= connection.handle_timeout(now).is_err();
        }
    }
});
