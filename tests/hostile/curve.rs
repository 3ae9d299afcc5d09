//! CURVE servers under attack: CVE-2019-13132 (a stack overflow in libzmq's
//! `process_initiate` on large INITIATE metadata, reachable by any client that
//! knows the server's public key) and CVE-2020-15166 (raw TCP connections that
//! never finish the handshake starving a CURVE/ZAP server).

use std::io::Read;
use std::time::{Duration, Instant};

use zmq::constants::*;
use zmq::{Context, Socket};

use crate::engine::*;
use crate::wire::{frame, greeting, keypair, property, CurveClient, Peer, ZapHandler};
use crate::{fds_settle, open_fds, rss_growth_since, rss_kib, serial};

fn curve_server(context: &Context, kind: i32, secret: &[u8; 32]) -> Socket {
    let server = socket(context, kind);
    server.set_option(ZMQ_CURVE_SERVER, Some(&int(1))).unwrap();
    server.set_option(ZMQ_CURVE_SECRETKEY, Some(secret)).unwrap();
    server.bind("tcp://127.0.0.1:*").unwrap();
    server
}

fn curve_client(context: &Context, kind: i32, server_public: &[u8; 32], endpoint: &str) -> Socket {
    let (public, secret) = keypair();
    let client = socket(context, kind);
    client.set_option(ZMQ_CURVE_SERVERKEY, Some(server_public)).unwrap();
    client.set_option(ZMQ_CURVE_PUBLICKEY, Some(&public)).unwrap();
    client.set_option(ZMQ_CURVE_SECRETKEY, Some(&secret)).unwrap();
    client.connect(endpoint).unwrap();
    client
}

/// A ROUTER CURVE server must still carry a good client's message both ways.
fn still_serves(context: &Context, server: &Socket, server_public: &[u8; 32], what: &[u8]) {
    let client = curve_client(context, ZMQ_DEALER, server_public, &last_endpoint(server));
    send(&client, what);
    let parts = recv_parts(server);
    assert_eq!(parts[1], what, "a good CURVE client is still served");
    send_parts(server, &[&parts[0], b"ack"]);
    assert_eq!(recv(&client), b"ack");
    client.close();
}

/// The body part of a ROUTER's next message (the routing id part dropped).
fn recv_body(router: &Socket) -> zmq::Msg {
    let id = router.recv(0).expect("a routing id within 5 s");
    assert!(id.more());
    router.recv(0).expect("a body")
}

#[test]
fn cve_2019_13132_huge_initiate_metadata_is_taken_or_refused_never_overflows() {
    let _serial = serial();
    let context = Context::new();
    let (public, secret) = keypair();
    let server = curve_server(&context, ZMQ_ROUTER, &secret);
    let endpoint = last_endpoint(&server);

    // Well formed but far beyond libzmq's 256-byte stack buffer: 1 MiB of metadata
    // in one property and 10 000 small ones. The handshake completes and the
    // properties arrive with the client's messages, whole.
    let big = vec![b'v'; 1 << 20];
    let mut client = CurveClient::welcomed(&endpoint, &public);
    let metadata = [property(b"Socket-Type", b"DEALER"), property(b"X-Big", &big)].concat();
    let initiate = client.initiate(&metadata);
    client.peer.write_frame(0x04, &initiate);
    let ready = client.read_ready().expect("READY after a 1 MiB INITIATE");
    assert!(ready.starts_with(b"\x0bSocket-Type"));
    let message = client.message(b"from the big one");
    client.peer.send_raw(&message).unwrap();
    let msg = recv_body(&server);
    assert_eq!(msg.data(), b"from the big one");
    assert_eq!(msg.property(b"X-Big").unwrap().to_bytes(), &big[..]);

    let mut many = property(b"Socket-Type", b"DEALER");
    for index in 0..10_000 {
        many.extend(property(format!("X-{index}").as_bytes(), b"small"));
    }
    let mut client2 = CurveClient::welcomed(&endpoint, &public);
    let initiate = client2.initiate(&many);
    client2.peer.write_frame(0x04, &initiate);
    client2.read_ready().expect("READY after 10 000 properties");
    let message = client2.message(b"from the many");
    client2.peer.send_raw(&message).unwrap();
    let msg = recv_body(&server);
    assert_eq!(msg.data(), b"from the many");
    assert_eq!(msg.property(b"X-9999").unwrap().to_bytes(), b"small");

    // Malformed lists, inside a box that opens: a value length pointing past the
    // end (by one byte and by 4 GiB), a name length past the end, a truncated
    // header, and a list with a trailing byte. Each ends that connection only.
    let socket_type = property(b"Socket-Type", b"DEALER");
    let cases: [Vec<u8>; 6] = [
        [&socket_type[..], &[5], b"X-Bad", &[0, 0, 0, 10], b"short"].concat(),
        [&socket_type[..], &[5], b"X-Bad", &[0xff, 0xff, 0xff, 0xff], b"x"].concat(),
        [&socket_type[..], &[200], b"X-Bad"].concat(),
        [&socket_type[..], &[5], b"X-Bad", &[0, 0]].concat(),
        [&socket_type[..], &[0]].concat(),
        [&[0xff][..], &[b'n'; 255], &[0x7f, 0xff, 0xff, 0xff]].concat(),
    ];
    for (index, metadata) in cases.iter().enumerate() {
        let mut hostile = CurveClient::welcomed(&endpoint, &public);
        let initiate = hostile.initiate(metadata);
        hostile.peer.write_frame(0x04, &initiate);
        assert!(hostile.peer.closed_within(Duration::from_secs(5)), "case {index}: the server hangs up");
    }
    // A wrong socket type and an INITIATE cut short of its vouch end it too.
    let mut hostile = CurveClient::welcomed(&endpoint, &public);
    let initiate = hostile.initiate(&property(b"Socket-Type", b"SUB"));
    hostile.peer.write_frame(0x04, &initiate);
    assert!(hostile.peer.closed_within(Duration::from_secs(5)));
    let mut hostile = CurveClient::welcomed(&endpoint, &public);
    let initiate = hostile.initiate(b"");
    hostile.peer.write_frame(0x04, &initiate[..initiate.len() - 100]);
    assert!(hostile.peer.closed_within(Duration::from_secs(5)));

    // The first clients still talk, and a new one is served.
    let message = client.message(b"still here");
    client.peer.send_raw(&message).unwrap();
    assert_eq!(recv_body(&server).data(), b"still here");
    still_serves(&context, &server, &public, b"after bad INITIATEs");
    finish(context, [server]);
}

#[test]
fn cve_2019_13132_plain_and_null_metadata_of_any_shape() {
    // The same property lists in the clear: NULL's READY and PLAIN's INITIATE
    // (with a ZAP handler answering 200).
    let _serial = serial();
    let context = Context::new();
    let zap = ZapHandler::start(&context);
    let null = socket(&context, ZMQ_PULL);
    null.bind("tcp://127.0.0.1:*").unwrap();
    let plain = socket(&context, ZMQ_PULL);
    plain.set_option(ZMQ_PLAIN_SERVER, Some(&int(1))).unwrap();
    plain.bind("tcp://127.0.0.1:*").unwrap();
    let bad_lists: [Vec<u8>; 3] = [
        [&[5], &b"X-Bad"[..], &[0xff, 0xff, 0xff, 0xff], b"x"].concat(),
        [&[200][..], b"X-Bad"].concat(),
        [&[5], &b"X-Bad"[..], &[0, 0, 0]].concat(),
    ];
    for list in &bad_lists {
        let mut peer = Peer::connect(&last_endpoint(&null));
        peer.send_raw(&greeting(1, b"NULL", false)).unwrap();
        let body = [&b"\x05READY"[..], &property(b"Socket-Type", b"PUSH"), list].concat();
        peer.send_raw(&frame(0x04, &body)).unwrap();
        assert!(peer.closed_within(Duration::from_secs(5)), "NULL READY with {list:?}");

        let mut peer = Peer::connect(&last_endpoint(&plain));
        peer.send_raw(&greeting(1, b"PLAIN", false)).unwrap();
        let mut theirs = [0; 64];
        peer.stream.read_exact(&mut theirs).expect("their greeting");
        peer.send_raw(&frame(0x04, b"\x05HELLO\x04user\x04pass")).unwrap();
        let (_, welcome) = loop {
            let (flags, body) = peer.read_frame().expect("WELCOME");
            if flags & 0x04 != 0 && body.starts_with(b"\x07WELCOME") {
                break (flags, body);
            }
        };
        assert_eq!(welcome, b"\x07WELCOME");
        let body = [&b"\x08INITIATE"[..], &property(b"Socket-Type", b"PUSH"), list].concat();
        peer.send_raw(&frame(0x04, &body)).unwrap();
        assert!(peer.closed_within(Duration::from_secs(5)), "PLAIN INITIATE with {list:?}");
    }
    // A NULL READY with 1 MiB of metadata is taken, and shows on its messages.
    let big = vec![b'm'; 1 << 20];
    let mut peer = Peer::connect(&last_endpoint(&null));
    let theirs = peer.null_handshake("PUSH", &[(b"X-Big", &big)]);
    assert!(theirs.starts_with(b"\x05READY"));
    peer.write_frame(0, b"big metadata");
    let msg = null.recv(0).unwrap();
    assert_eq!(msg.data(), b"big metadata");
    assert_eq!(msg.property(b"X-Big").unwrap().to_bytes().len(), 1 << 20);
    let push = socket(&context, ZMQ_PUSH);
    push.connect(&last_endpoint(&null)).unwrap();
    send(&push, b"good");
    assert_eq!(recv(&null), b"good");
    zap.stop();
    finish(context, [null, plain, push]);
}

#[test]
fn a_hundred_thousand_properties_are_taken_in_without_stalling_the_io_thread() {
    // libzmq keeps properties in a map; a list scanned for duplicates at each name
    // would let one READY of a few megabytes hold the I/O thread for minutes.
    let _serial = serial();
    let context = Context::new();
    let pull = socket(&context, ZMQ_PULL);
    pull.bind("tcp://127.0.0.1:*").unwrap();
    let endpoint = last_endpoint(&pull);
    let mut body = [&b"\x05READY"[..], &property(b"Socket-Type", b"PUSH")].concat();
    for index in 0..100_000u32 {
        body.extend(property(format!("X-{index}").as_bytes(), b""));
    }
    // And as many duplicates of one name: the first wins.
    body.extend(property(b"X-Dup", b"first"));
    for _ in 0..100_000 {
        body.extend(property(b"X-Dup", b"later"));
    }
    let started = Instant::now();
    let mut peer = Peer::connect(&endpoint);
    peer.send_raw(&greeting(1, b"NULL", false)).unwrap();
    let mut theirs = [0; 64];
    peer.stream.read_exact(&mut theirs).unwrap();
    peer.send_raw(&frame(0x04, &body)).unwrap();
    peer.write_frame(0, b"many properties");
    // A good peer of the same I/O thread is served meanwhile, and soon.
    let push = socket(&context, ZMQ_PUSH);
    push.connect(&endpoint).unwrap();
    send(&push, b"good");
    let mut got = vec![recv(&pull), recv(&pull)];
    got.sort();
    assert_eq!(got, [b"good".to_vec(), b"many properties".to_vec()]);
    let elapsed = started.elapsed();
    assert!(elapsed < Duration::from_secs(5), "{} KiB of properties took {elapsed:?}", body.len() / 1024);
    // The message carries them, first duplicate first.
    send(&push, b"check");
    peer.write_frame(0, b"again");
    for _ in 0..2 {
        let msg = pull.recv(0).unwrap();
        if msg.data() == b"again" {
            assert_eq!(msg.property(b"X-99999").unwrap().to_bytes(), b"");
            assert_eq!(msg.property(b"X-Dup").unwrap().to_bytes(), b"first");
        }
    }
    finish(context, [pull, push]);
}

#[test]
fn cve_2020_15166_raw_connections_do_not_starve_a_curve_server_with_zap() {
    let _serial = serial();
    let context = Context::new();
    let zap = ZapHandler::start(&context);
    let (public, secret) = keypair();
    // A PUSH server: a peer attached before its handshake is done would take its
    // share of the round robin, and the good client would miss messages.
    let server = curve_server(&context, ZMQ_PUSH, &secret);
    server.set_option(ZMQ_SNDHWM, Some(&int(10_000))).unwrap();
    let endpoint = last_endpoint(&server);
    let fds_before = open_fds();
    let baseline = rss_kib();
    let mut flood = Vec::new();
    for index in 0..400 {
        let mut peer = Peer::connect(&endpoint);
        match index % 5 {
            // Silence.
            0 => {}
            // Garbage.
            1 => {
                let _ = peer.send_raw(&[0xAB; 4096]);
            }
            // A CURVE greeting, then nothing.
            2 => {
                let _ = peer.send_raw(&greeting(0, b"CURVE", false));
            }
            // A HELLO that does not open (wrong key): refused.
            3 => {
                let _ = peer.send_raw(&greeting(0, b"CURVE", false));
                let mut hello = b"\x05HELLO\x01\x00".to_vec();
                hello.resize(200, 0x42);
                let _ = peer.send_raw(&frame(0x04, &hello));
            }
            // A real HELLO, then silence at WELCOME: the server holds a cookie key.
            _ => {
                flood.push(CurveClient::welcomed(&endpoint, &public).peer);
            }
        }
        flood.push(peer);
    }
    assert!(open_fds() >= fds_before + 400, "the flood is connected");
    let good = curve_client(&context, ZMQ_PULL, &public, &endpoint);
    // Handshake: wait until the good client's pipe exists, then every message must
    // reach it: nobody who did not finish the handshake takes a share.
    std::thread::sleep(Duration::from_millis(200));
    for index in 0..20u8 {
        send(&server, &[index]);
    }
    for index in 0..20u8 {
        assert_eq!(recv(&good), [index], "message {index} reached the only authenticated peer");
    }
    let growth = rss_growth_since(baseline);
    assert!(growth < 48 * 1024, "480 half-open CURVE connections hold +{growth} KiB");
    // The flood leaves: every descriptor it cost comes back.
    drop(flood);
    let settled = fds_settle(fds_before + 4, Duration::from_secs(10));
    assert!(settled <= fds_before + 4, "descriptors after the flood left: {settled}, before {fds_before}");
    send(&server, b"after");
    assert_eq!(recv(&good), b"after");
    let answered = zap.stop();
    assert_eq!(answered, 1, "only the good client reached ZAP");
    finish(context, [server, good]);
}
