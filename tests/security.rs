//! PLAIN and CURVE over sockets, with and without a ZAP handler (RFC 27): the
//! handshake, what the handler is asked, its verdicts, User-Id and ZAP metadata on
//! received messages, and the monitor's HANDSHAKE_FAILED_* events. Loopback tcp;
//! every wait bounded by RCVTIMEO.

mod engine;

use std::thread;

use engine::*;
use zmq::constants::*;
use zmq::{Context, Errno, Msg, Socket};

/// A ZAP handler on its own thread: answers `count` requests with `status`, "anna"
/// as user id and an `X-Role` property, and returns the requests it saw.
fn zap_handler(
    context: &Context,
    status: &'static str,
    count: usize,
) -> thread::JoinHandle<Vec<Vec<Vec<u8>>>> {
    let handler = socket(context, ZMQ_REP);
    handler.set_option(ZMQ_RCVTIMEO, Some(&int(-1))).unwrap();
    handler.bind("inproc://zeromq.zap.01").unwrap();
    thread::spawn(move || {
        let mut requests = Vec::new();
        for _ in 0..count {
            let request = recv_parts(&handler);
            let metadata = [&[6u8][..], b"X-Role", &[0, 0, 0, 5], b"admin"].concat();
            let reply: [&[u8]; 6] =
                [b"1.0", &request[1], status.as_bytes(), b"status text", b"anna", &metadata];
            send_parts(&handler, &reply);
            requests.push(request);
        }
        handler.close();
        requests
    })
}

/// A DEALER bound on tcp with the NULL mechanism and ZAP `domain`, so its handshakes
/// ask the ZAP handler.
fn null_server(context: &Context, domain: &[u8]) -> Socket {
    let server = socket(context, ZMQ_DEALER);
    server.set_option(ZMQ_ZAP_DOMAIN, Some(domain)).unwrap();
    server.bind("tcp://127.0.0.1:*").unwrap();
    server
}

fn plain_pair(context: &Context, password: &[u8]) -> (Socket, Socket) {
    let (server, client) = plain_sockets(context, password);
    client.connect(&last_endpoint(&server)).unwrap();
    (server, client)
}

/// A bound PLAIN server and a PLAIN client not yet connected to it, so a monitor can
/// be watching before the handshake starts (a refused client does not call again, so
/// an event missed is never seen).
fn plain_sockets(context: &Context, password: &[u8]) -> (Socket, Socket) {
    let server = socket(context, ZMQ_DEALER);
    server.set_option(ZMQ_PLAIN_SERVER, Some(&int(1))).unwrap();
    server.set_option(ZMQ_ZAP_DOMAIN, Some(b"test")).unwrap();
    server.bind("tcp://127.0.0.1:*").unwrap();
    let client = socket(context, ZMQ_DEALER);
    client.set_option(ZMQ_PLAIN_USERNAME, Some(b"admin")).unwrap();
    client.set_option(ZMQ_PLAIN_PASSWORD, Some(password)).unwrap();
    (server, client)
}

#[test]
fn plain_with_a_zap_handler_that_accepts() {
    let context = Context::new();
    let handler = zap_handler(&context, "200", 1);
    let (server, client) = plain_pair(&context, b"secret");
    send(&client, b"hello");
    let msg = server.recv(0).unwrap();
    assert_eq!(msg.data(), b"hello");
    assert_eq!(msg.property(b"User-Id").unwrap().to_bytes(), b"anna");
    assert_eq!(msg.property(b"X-Role").unwrap().to_bytes(), b"admin");
    assert_eq!(msg.property(b"Peer-Address").unwrap().to_bytes(), b"127.0.0.1");
    send(&server, b"welcome");
    assert_eq!(recv(&client), b"welcome");
    let requests = handler.join().unwrap();
    let request = &requests[0];
    // (The REP took the delimiter.) Version, request id, domain, address, routing
    // id, mechanism, username, password.
    assert_eq!(request.len(), 8, "{request:?}");
    assert_eq!(request[0], b"1.0");
    assert_eq!(request[2], b"test");
    assert_eq!(request[3], b"127.0.0.1");
    assert_eq!(request[5], b"PLAIN");
    assert_eq!((&request[6][..], &request[7][..]), (&b"admin"[..], &b"secret"[..]));
    finish(context, [server, client]);
}

#[test]
fn plain_refused_by_the_handler_is_reported_and_delivers_nothing() {
    let context = Context::new();
    let handler = zap_handler(&context, "400", 1);
    let (server, client) = plain_sockets(&context, b"wrong");
    let events = watch(&context, ZMQ_EVENT_HANDSHAKE_FAILED_AUTH, &server, "inproc://plain-events");
    client.connect(&last_endpoint(&server)).unwrap();
    let _ = client.send(&mut Msg::from_slice(b"hello").unwrap(), ZMQ_DONTWAIT);
    let event = event_v1(&events);
    assert_eq!((event.0, event.1), (ZMQ_EVENT_HANDSHAKE_FAILED_AUTH, 400));
    handler.join().unwrap();
    server.set_option(ZMQ_RCVTIMEO, Some(&int(200))).unwrap();
    assert_eq!(server.recv(0).unwrap_err(), Errno::EAGAIN);
    finish(context, [server, client, events]);
}

#[test]
fn plain_without_a_handler_fails_the_handshake() {
    let context = Context::new();
    let (server, client) = plain_pair(&context, b"secret");
    let _ = client.send(&mut Msg::from_slice(b"hello").unwrap(), ZMQ_DONTWAIT);
    server.set_option(ZMQ_RCVTIMEO, Some(&int(300))).unwrap();
    assert_eq!(server.recv(0).unwrap_err(), Errno::EAGAIN);
    finish(context, [server, client]);
}

fn curve_keys() -> ([u8; 32], [u8; 32]) {
    zmq::util::curve_keys::generate_keypair()
}

fn curve_pair(context: &Context, server_public: &[u8; 32], server_secret: &[u8; 32]) -> (Socket, Socket) {
    let server = socket(context, ZMQ_DEALER);
    server.set_option(ZMQ_CURVE_SERVER, Some(&int(1))).unwrap();
    server.set_option(ZMQ_CURVE_SECRETKEY, Some(server_secret)).unwrap();
    server.bind("tcp://127.0.0.1:*").unwrap();
    let (client_public, client_secret) = curve_keys();
    let client = socket(context, ZMQ_DEALER);
    client.set_option(ZMQ_CURVE_SERVERKEY, Some(server_public)).unwrap();
    client.set_option(ZMQ_CURVE_PUBLICKEY, Some(&client_public)).unwrap();
    client.set_option(ZMQ_CURVE_SECRETKEY, Some(&client_secret)).unwrap();
    client.connect(&last_endpoint(&server)).unwrap();
    (server, client)
}

#[test]
fn curve_carries_messages_both_ways_without_a_handler() {
    let context = Context::new();
    let (public, secret) = curve_keys();
    let (server, client) = curve_pair(&context, &public, &secret);
    let big = vec![7u8; 100_000];
    send_parts(&client, &[b"first", &big, b""]);
    assert_eq!(recv_parts(&server), [b"first".to_vec(), big.clone(), Vec::new()]);
    send(&server, b"back");
    assert_eq!(recv(&client), b"back");
    finish(context, [server, client]);
}

#[test]
fn curve_with_a_zap_handler_passes_the_client_key() {
    let context = Context::new();
    let handler = zap_handler(&context, "200", 1);
    let (public, secret) = curve_keys();
    let (server, client) = curve_pair(&context, &public, &secret);
    send(&client, b"hello");
    let msg = server.recv(0).unwrap();
    assert_eq!(msg.property(b"User-Id").unwrap().to_bytes(), b"anna");
    let requests = handler.join().unwrap();
    assert_eq!(requests[0][5], b"CURVE");
    assert_eq!(requests[0][6].len(), 32);
    finish(context, [server, client]);
}

#[test]
fn curve_with_the_wrong_server_key_never_connects() {
    let context = Context::new();
    let (_, secret) = curve_keys();
    let (wrong_public, _) = curve_keys();
    let (server, client) = curve_pair(&context, &wrong_public, &secret);
    let _ = client.send(&mut Msg::from_slice(b"hello").unwrap(), ZMQ_DONTWAIT);
    server.set_option(ZMQ_RCVTIMEO, Some(&int(300))).unwrap();
    assert_eq!(server.recv(0).unwrap_err(), Errno::EAGAIN);
    finish(context, [server, client]);
}

#[test]
fn null_with_a_domain_asks_the_handler() {
    let context = Context::new();
    let handler = zap_handler(&context, "200", 1);
    let server = null_server(&context, b"global");
    let client = socket(&context, ZMQ_DEALER);
    client.connect(&last_endpoint(&server)).unwrap();
    send(&client, b"hello");
    assert_eq!(server.recv(0).unwrap().property(b"User-Id").unwrap().to_bytes(), b"anna");
    let requests = handler.join().unwrap();
    assert_eq!((&requests[0][2][..], &requests[0][5][..]), (&b"global"[..], &b"NULL"[..]));
    finish(context, [server, client]);
}

#[test]
fn a_client_refused_with_500_hears_why() {
    let context = Context::new();
    let handler = zap_handler(&context, "500", 1);
    let (server, client) = plain_sockets(&context, b"secret");
    let events = watch(&context, ZMQ_EVENT_HANDSHAKE_FAILED_AUTH, &client, "inproc://client-events");
    client.connect(&last_endpoint(&server)).unwrap();
    let _ = client.send(&mut Msg::from_slice(b"hello").unwrap(), ZMQ_DONTWAIT);
    let event = event_v1(&events);
    assert_eq!((event.0, event.1), (ZMQ_EVENT_HANDSHAKE_FAILED_AUTH, 500));
    handler.join().unwrap();
    finish(context, [server, client, events]);
}

#[test]
fn a_null_client_refused_with_500_hears_why() {
    let context = Context::new();
    let handler = zap_handler(&context, "500", 1);
    let server = null_server(&context, b"test");
    let client = socket(&context, ZMQ_DEALER);
    let events = watch(&context, ZMQ_EVENT_HANDSHAKE_FAILED_AUTH, &client, "inproc://null-events");
    client.connect(&last_endpoint(&server)).unwrap();
    let event = event_v1(&events);
    assert_eq!((event.0, event.1), (ZMQ_EVENT_HANDSHAKE_FAILED_AUTH, 500));
    handler.join().unwrap();
    finish(context, [server, client, events]);
}

#[test]
fn a_refused_client_does_not_call_again() {
    // libzmq treats an ERROR from the server as a protocol error: the connecting
    // session ends for good instead of reconnecting every RECONNECT_IVL (upstream
    // test_security_zap counts exactly one refusal on the client's monitor).
    let context = Context::new();
    let handler = zap_handler(&context, "500", 1);
    let server = null_server(&context, b"test");
    let client = socket(&context, ZMQ_DEALER);
    client.set_option(ZMQ_RECONNECT_IVL, Some(&int(10))).unwrap();
    let events = watch(&context, ZMQ_EVENT_ALL, &client, "inproc://refused-events");
    client.connect(&last_endpoint(&server)).unwrap();
    let mut seen = Vec::new();
    loop {
        let (event, value, _) = event_v1(&events);
        seen.push(event);
        if event == ZMQ_EVENT_HANDSHAKE_FAILED_AUTH {
            assert_eq!(value, 500);
            break;
        }
    }
    assert_eq!(event_v1(&events).0, ZMQ_EVENT_DISCONNECTED);
    // Twenty reconnection intervals later: nothing more.
    events.set_option(ZMQ_RCVTIMEO, Some(&int(200))).unwrap();
    assert_eq!(events.recv(0).map(|_| ()), Err(Errno::EAGAIN), "after {seen:?}");
    handler.join().unwrap();
    finish(context, [server, client, events]);
}

#[test]
fn a_handler_that_leaves_mid_request_leaves_the_handshake_waiting() {
    // As libzmq: the ZAP handler closing without a reply fails nothing by itself;
    // the handshake waits, and the client leaving is reported with EPIPE.
    let context = Context::new();
    let handler = socket(&context, ZMQ_REP);
    handler.bind("inproc://zeromq.zap.01").unwrap();
    let server = null_server(&context, b"test");
    let events = watch(&context, ZMQ_EVENT_ALL, &server, "inproc://left-events");
    let client = socket(&context, ZMQ_DEALER);
    client.connect(&last_endpoint(&server)).unwrap();
    assert_eq!(recv(&handler), b"1.0", "the request's first frame");
    handler.close();
    events.set_option(ZMQ_RCVTIMEO, Some(&int(300))).unwrap();
    let mut before_leaving = Vec::new();
    while let Ok(parts) = events.recv(0) {
        let _address = events.recv(0);
        before_leaving.push(i32::from(u16::from_ne_bytes([parts.data()[0], parts.data()[1]])));
    }
    assert!(
        !before_leaving
            .iter()
            .any(|&event| event & (ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL | ZMQ_EVENT_DISCONNECTED) != 0),
        "nothing fails while the client stays: {before_leaving:?}"
    );
    client.close();
    events.set_option(ZMQ_RCVTIMEO, Some(&int(5000))).unwrap();
    let (event, value, _) = event_v1(&events);
    assert_eq!((event, value), (ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL, libc::EPIPE as u32));
    finish(context, [server, events]);
}

#[test]
fn a_curve_server_flooded_with_raw_connections_keeps_serving() {
    // The shape of CVE-2020-15166: many raw TCP peers that never finish (or send
    // garbage into) the handshake must not stop a good client from being served.
    use std::io::Write;
    let context = Context::new();
    let (public, secret) = curve_keys();
    let server = socket(&context, ZMQ_DEALER);
    server.set_option(ZMQ_CURVE_SERVER, Some(&int(1))).unwrap();
    server.set_option(ZMQ_CURVE_SECRETKEY, Some(&secret)).unwrap();
    server.bind("tcp://127.0.0.1:*").unwrap();
    let endpoint = last_endpoint(&server);
    let address = endpoint.trim_start_matches("tcp://").to_owned();
    let mut flood = Vec::new();
    for index in 0..300 {
        let mut stream = std::net::TcpStream::connect(&address).unwrap();
        match index % 3 {
            // A ZMTP 3.0 greeting claiming CURVE, then nothing.
            0 => {
                let mut greeting = vec![0xff, 0, 0, 0, 0, 0, 0, 0, 1, 0x7f, 3, 0];
                greeting.extend_from_slice(b"CURVE");
                greeting.resize(64, 0);
                let _ = stream.write_all(&greeting);
            }
            // Garbage.
            1 => {
                let _ = stream.write_all(&[0xAB; 4096]);
            }
            // Silence.
            _ => {}
        }
        flood.push(stream);
    }
    let (client_public, client_secret) = curve_keys();
    let client = socket(&context, ZMQ_DEALER);
    client.set_option(ZMQ_CURVE_SERVERKEY, Some(&public)).unwrap();
    client.set_option(ZMQ_CURVE_PUBLICKEY, Some(&client_public)).unwrap();
    client.set_option(ZMQ_CURVE_SECRETKEY, Some(&client_secret)).unwrap();
    client.connect(&endpoint).unwrap();
    send(&client, b"still served");
    assert_eq!(recv(&server), b"still served");
    send(&server, b"yes");
    assert_eq!(recv(&client), b"yes");
    drop(flood);
    finish(context, [server, client]);
}
