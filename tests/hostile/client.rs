//! A malicious server against our clients: CVE-2021-20234 (libzmq's client leaked
//! an unfinished message when its pipe ended mid-message; found by
//! `test_connect_null_fuzzer`) and the memory a client spends on a server that
//! streams without end or announces frames it never sends.

use std::net::TcpListener;
use std::time::Duration;

use zmq::constants::*;
use zmq::{Context, Errno, Socket};

use crate::engine::*;
use crate::wire::{frame, long_header, Peer};
use crate::{rss_growth_since, rss_kib, serial};

/// A fake server: a listener on a free loopback port, and its endpoint.
fn fake_server() -> (TcpListener, String) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let endpoint = format!("tcp://{}", listener.local_addr().unwrap());
    (listener, endpoint)
}

/// Accepts the client's next connection (within 5 s) and runs the NULL handshake
/// as `socket_type`.
fn accept(listener: &TcpListener, socket_type: &str) -> Peer {
    listener.set_nonblocking(true).unwrap();
    let mut accepted = None;
    let ok = crate::wait_until(Duration::from_secs(5), || {
        accepted = listener.accept().ok();
        accepted.is_some()
    });
    assert!(ok, "the client connects within 5 s");
    let (stream, _) = accepted.unwrap();
    stream.set_nonblocking(false).unwrap();
    let mut peer = Peer::over(stream);
    peer.null_handshake(socket_type, &[]);
    peer
}

/// A real ROUTER the client also connects to: it must still exchange messages.
fn still_served(context: &Context, client: &Socket) {
    let router = socket(context, ZMQ_ROUTER);
    router.bind("tcp://127.0.0.1:*").unwrap();
    client.connect(&last_endpoint(&router)).unwrap();
    // The DEALER round-robins over its connections: send until the router has one.
    client.set_option(ZMQ_SNDTIMEO, Some(&int(0))).unwrap();
    router.set_option(ZMQ_RCVTIMEO, Some(&int(50))).unwrap();
    let mut parts = None;
    let ok = crate::wait_until(Duration::from_secs(5), || {
        let _ = client.send(&mut zmq::Msg::from_slice(b"to the good server").unwrap(), 0);
        parts = router.recv(0).ok().map(|id| (id.data().to_vec(), recv(&router)));
        parts.is_some()
    });
    assert!(ok, "the good server hears the client");
    let (id, body) = parts.unwrap();
    assert_eq!(body, b"to the good server");
    send_parts(&router, &[&id, b"reply"]);
    let mut reply = recv(client);
    // Fakes may have queued messages for the client before; the reply comes last.
    while reply != b"reply" {
        reply = recv(client);
    }
    router.close();
}

#[test]
fn cve_2021_20234_a_server_announcing_a_huge_frame_is_dropped_with_maxmsgsize() {
    let _serial = serial();
    let context = Context::new();
    let (listener, endpoint) = fake_server();
    let dealer = socket(&context, ZMQ_DEALER);
    dealer.set_option(ZMQ_MAXMSGSIZE, Some(&(1i64 << 20).to_ne_bytes())).unwrap();
    dealer.connect(&endpoint).unwrap();
    let mut server = accept(&listener, "ROUTER");
    let _ = server.send_raw(&[long_header(0, 1 << 30), vec![0; 1000]].concat());
    assert!(server.closed_within(Duration::from_secs(5)), "the client drops a server over MAXMSGSIZE");
    // It broke the protocol: as libzmq, the client does not call it again.
    listener.set_nonblocking(true).unwrap();
    std::thread::sleep(Duration::from_millis(300));
    assert!(listener.accept().is_err(), "no reconnection to a server that broke the protocol");
    dealer.set_option(ZMQ_RCVTIMEO, Some(&int(100))).unwrap();
    assert_eq!(dealer.recv(0).map(|_| ()), Err(Errno::EAGAIN), "nothing of the frame surfaced");
    dealer.set_option(ZMQ_RCVTIMEO, Some(&int(5000))).unwrap();
    still_served(&context, &dealer);
    finish(context, [dealer]);
}

#[test]
fn cve_2021_20234_unfinished_messages_of_a_server_that_hangs_up_are_not_kept() {
    // The CVE's shape: the server sends the first part of a message (MORE) and
    // goes away, again and again; the client reconnects each time. Each cut-off
    // part is a megabyte: kept, they would show.
    let _serial = serial();
    let context = Context::new();
    let (listener, endpoint) = fake_server();
    let dealer = socket(&context, ZMQ_DEALER);
    dealer.set_option(ZMQ_RECONNECT_IVL, Some(&int(1))).unwrap();
    dealer.connect(&endpoint).unwrap();
    let part = vec![0x77u8; 1 << 20];
    // Warm-up round, so the baseline counts buffers the process keeps anyway.
    let mut warm = accept(&listener, "ROUTER");
    warm.send_raw(&[frame(0x01, &part), frame(0, b"done")].concat()).unwrap();
    assert_eq!(recv_parts(&dealer), [part.clone(), b"done".to_vec()]);
    drop(warm);
    let baseline = rss_kib();
    for round in 0..100 {
        let mut server = accept(&listener, "ROUTER");
        let _ = server.send_raw(&frame(0x01, &part));
        if round % 10 == 0 {
            // And a half-sent second part: the frame itself unfinished.
            let _ = server.send_raw(&[long_header(0, 1 << 20), vec![1; 1000]].concat());
        }
        drop(server);
    }
    // A complete message still arrives whole, and nothing cut off came before it.
    let mut server = accept(&listener, "ROUTER");
    server.send_raw(&[frame(0x01, b"whole"), frame(0, b"message")].concat()).unwrap();
    assert_eq!(recv_parts(&dealer), [b"whole".to_vec(), b"message".to_vec()]);
    let growth = rss_growth_since(baseline);
    assert!(growth < 32 * 1024, "100 cut-off 1 MiB messages: +{growth} KiB kept");
    drop(server);
    still_served(&context, &dealer);
    finish(context, [dealer]);
}

#[test]
fn cve_2021_20234_an_endless_stream_from_a_server_is_bounded_by_the_hwm() {
    // Without MAXMSGSIZE a server may stream as much as it likes; an application
    // that does not read holds RCVHWM messages, and the server is held back by TCP.
    let _serial = serial();
    let context = Context::new();
    for (kind, their_type) in [(ZMQ_DEALER, "ROUTER"), (ZMQ_SUB, "PUB")] {
        let (listener, endpoint) = fake_server();
        let client = socket(&context, kind);
        client.set_option(ZMQ_RCVHWM, Some(&int(50))).unwrap();
        if kind == ZMQ_SUB {
            client.set_option(ZMQ_SUBSCRIBE, Some(b"")).unwrap();
        }
        client.connect(&endpoint).unwrap();
        let mut server = accept(&listener, their_type);
        if kind == ZMQ_SUB {
            let (flags, body) = server.read_frame().unwrap();
            assert_eq!((flags, &body[..]), (0x04, &b"\x09SUBSCRIBE"[..]), "the subscription");
        }
        let baseline = rss_kib();
        let started = std::time::Instant::now();
        // Up to 256 MiB of 64 KiB messages, until held back for 300 ms.
        let one = frame(0, &vec![0x31; 64 * 1024]);
        let burst: Vec<u8> = one.iter().copied().cycle().take(one.len() * 16).collect();
        server.stream.set_write_timeout(Some(Duration::from_millis(300))).unwrap();
        let mut written = 0usize;
        while written < 256 << 20 {
            match server.send_raw(&burst) {
                Ok(()) => written += burst.len(),
                Err(_) => break,
            }
        }
        assert!(written < 256 << 20, "a client that does not read holds the server back");
        eprintln!("{their_type}: {written} bytes written before being held back, {:?}", started.elapsed());
        let growth = rss_growth_since(baseline);
        assert!(growth < 32 * 1024, "{their_type} streamed {written} bytes: client holds +{growth} KiB");
        // What it took in is intact and the client goes on.
        for _ in 0..100 {
            assert_eq!(client.recv(0).expect("queued messages").len(), 64 * 1024);
        }
        drop(server);
        if kind == ZMQ_DEALER {
            still_served(&context, &client);
        }
        client.close();
    }
    context.terminate();
}
