//! Helpers of the tests that drive the engine through its Rust API: sockets with
//! bounded waits, sending and receiving strings of bytes, the bound endpoint.

#![allow(dead_code)]

use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use zmq::constants::*;
use zmq::{Context, Msg, Socket};

pub fn int(value: i32) -> [u8; 4] {
    value.to_ne_bytes()
}

/// A socket whose blocking calls give up after 5 s and whose close drops what is
/// unsent.
pub fn socket(context: &Context, kind: i32) -> Socket {
    let socket = Socket::new(context, kind).unwrap();
    socket.set_option(ZMQ_RCVTIMEO, Some(&int(5000))).unwrap();
    socket.set_option(ZMQ_SNDTIMEO, Some(&int(5000))).unwrap();
    socket.set_option(ZMQ_LINGER, Some(&int(0))).unwrap();
    socket
}

/// Sends a one-part message.
pub fn send(socket: &Socket, bytes: &[u8]) {
    socket.send(&mut Msg::from_slice(bytes).unwrap(), 0).expect("sent within 5 s");
}

/// Sends a message of these parts.
pub fn send_parts(socket: &Socket, parts: &[&[u8]]) {
    for (index, part) in parts.iter().enumerate() {
        let flags = if index + 1 < parts.len() { ZMQ_SNDMORE } else { 0 };
        socket.send(&mut Msg::from_slice(part).unwrap(), flags).expect("sent within 5 s");
    }
}

/// The next part's bytes.
pub fn recv(socket: &Socket) -> Vec<u8> {
    socket.recv(0).expect("a message within 5 s").data().to_vec()
}

/// Every part of the next message.
pub fn recv_parts(socket: &Socket) -> Vec<Vec<u8>> {
    let mut parts = Vec::new();
    loop {
        let part = socket.recv(0).expect("a message within 5 s");
        parts.push(part.data().to_vec());
        if !part.more() {
            return parts;
        }
    }
}

/// `ZMQ_LAST_ENDPOINT` as text.
pub fn last_endpoint(socket: &Socket) -> String {
    let mut bytes = socket.option(ZMQ_LAST_ENDPOINT, 256).unwrap();
    bytes.pop();
    String::from_utf8(bytes).unwrap()
}

/// How long `zmq_ctx_term` may take in a test. Every test closes its sockets first, and
/// those with tcp/ipc connections have `LINGER` 0 or a bounded one, so a terminate
/// still running after this long is a bug: the test fails instead of hanging the run.
pub const TERMINATE_LIMIT: Duration = Duration::from_secs(30);

/// `context.terminate()`, bounded by [`TERMINATE_LIMIT`] (a hung terminate is left
/// behind in its thread and the test panics).
pub fn terminate(context: &Context) {
    let context = context.clone();
    let (done, finished) = mpsc::channel();
    thread::spawn(move || {
        context.terminate();
        let _ = done.send(());
    });
    finished.recv_timeout(TERMINATE_LIMIT).expect("zmq_ctx_term returns within 30 s");
}

/// Closes the sockets and terminates their context (bounded, see [`terminate`]).
pub fn finish(context: Context, sockets: impl IntoIterator<Item = Socket>) {
    for socket in sockets {
        socket.close();
    }
    terminate(&context);
}

/// A socket of type `bound` bound at `endpoint` and one of type `connected`
/// connected to it (in that order).
pub fn connected_pair(context: &Context, bound: i32, connected: i32, endpoint: &str) -> (Socket, Socket) {
    let first = socket(context, bound);
    first.bind(endpoint).unwrap();
    let second = socket(context, connected);
    second.connect(&last_endpoint(&first)).unwrap();
    (first, second)
}

/// Starts a version 1 monitor of `events` on `socket` at `name`, and connects a PAIR
/// to it (before any event: ours drops events no one is connected to yet).
pub fn watch(context: &Context, events: i32, socket: &Socket, name: &str) -> Socket {
    socket.monitor(Some(name), events as u64, 1, ZMQ_PAIR).unwrap();
    let monitor = self::socket(context, ZMQ_PAIR);
    monitor.connect(name).unwrap();
    monitor
}

/// The next version 1 monitor event: the event, its value and its endpoint.
pub fn event_v1(monitor: &Socket) -> (i32, u32, String) {
    let parts = recv_parts(monitor);
    assert_eq!(parts.len(), 2, "two frames");
    assert_eq!(parts[0].len(), 6);
    let event = u16::from_ne_bytes([parts[0][0], parts[0][1]]);
    let value = u32::from_ne_bytes([parts[0][2], parts[0][3], parts[0][4], parts[0][5]]);
    (i32::from(event), value, String::from_utf8(parts[1].clone()).unwrap())
}

/// The next version 2 monitor event: the event, its values and both endpoints.
pub fn event_v2(monitor: &Socket) -> (u64, Vec<u64>, String, String) {
    let parts = recv_parts(monitor);
    let number = |part: &Vec<u8>| u64::from_ne_bytes(part.as_slice().try_into().expect("8 bytes"));
    let count = number(&parts[1]) as usize;
    assert_eq!(parts.len(), 4 + count);
    let values = parts[2..2 + count].iter().map(number).collect();
    let text = |part: &Vec<u8>| String::from_utf8(part.clone()).unwrap();
    (number(&parts[0]), values, text(&parts[2 + count]), text(&parts[3 + count]))
}

/// Checks `condition` every 10 ms until it holds or `timeout` passes; whether it held.
pub fn wait_until(timeout: Duration, mut condition: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + timeout;
    loop {
        if condition() {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        thread::sleep(Duration::from_millis(10));
    }
}
