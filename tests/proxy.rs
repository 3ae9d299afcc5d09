//! zmq_proxy and zmq_proxy_steerable through the engine's Rust API: the shared-queue
//! (ROUTER/DEALER), streamer (PULL/PUSH) and forwarder (XSUB/XPUB) topologies, the
//! capture socket, PAUSE/RESUME/STATISTICS/TERMINATE, ETERM on shutdown, and one
//! socket as both ends. Every wait is bounded by RCVTIMEO/SNDTIMEO.

mod engine;

use std::thread;
use std::time::Duration;

use engine::*;
use zmq::constants::*;
use zmq::socket::proxy::Proxy;
use zmq::{Context, Errno, Socket};

/// Runs a proxy on its own thread, closing its sockets after; the handle yields what
/// `run` returned.
fn spawn(
    frontend: Socket,
    backend: Socket,
    capture: Option<Socket>,
    control: Option<Socket>,
) -> thread::JoinHandle<Result<(), Errno>> {
    thread::spawn(move || {
        let outcome = Proxy {
            frontend: &frontend,
            backend: &backend,
            capture: capture.as_ref(),
            control: control.as_ref(),
        }
        .run();
        // A context waits for its sockets to close, so the proxy's are closed here.
        for socket in [Some(frontend), Some(backend), capture, control].into_iter().flatten() {
            socket.close();
        }
        outcome
    })
}

#[test]
fn a_shared_queue_carries_requests_and_replies_and_captures_them() {
    let context = Context::new();
    let frontend = socket(&context, ZMQ_ROUTER);
    frontend.bind("inproc://frontend").unwrap();
    let backend = socket(&context, ZMQ_DEALER);
    backend.bind("tcp://127.0.0.1:*").unwrap();
    let backend_endpoint = last_endpoint(&backend);
    let capture = socket(&context, ZMQ_PUSH);
    capture.bind("inproc://capture").unwrap();
    let captured = socket(&context, ZMQ_PULL);
    captured.connect("inproc://capture").unwrap();
    let control = socket(&context, ZMQ_PAIR);
    control.bind("inproc://control").unwrap();
    let commands = socket(&context, ZMQ_PAIR);
    commands.connect("inproc://control").unwrap();
    let proxy = spawn(frontend, backend, Some(capture), Some(control));

    let worker = socket(&context, ZMQ_REP);
    worker.connect(&backend_endpoint).unwrap();
    let clients: Vec<Socket> = (0..3).map(|_| socket(&context, ZMQ_REQ)).collect();
    for (index, client) in clients.iter().enumerate() {
        client.connect("inproc://frontend").unwrap();
        send(client, format!("request {index}").as_bytes());
    }
    for _ in &clients {
        let request = recv(&worker);
        send(&worker, &[b"reply to ".as_slice(), &request].concat());
    }
    for (index, client) in clients.iter().enumerate() {
        assert_eq!(recv(client), format!("reply to request {index}").as_bytes());
    }
    // The capture saw every part both ways: ROUTER id, delimiter, body going in;
    // delimiter and body coming back (the DEALER side), then id, delimiter, body.
    let mut parts = 0;
    captured.set_option(ZMQ_RCVTIMEO, Some(&int(200))).unwrap();
    while captured.recv(0).is_ok() {
        parts += 1;
    }
    assert_eq!(parts, 3 * (3 + 3));

    send(&commands, b"STATISTICS");
    let values: Vec<u64> = recv_parts(&commands)
        .iter()
        .map(|part| u64::from_ne_bytes(part.as_slice().try_into().unwrap()))
        .collect();
    assert_eq!(values.len(), 8);
    // Messages counted by part: three 3-part requests in, replies out the same way.
    assert_eq!((values[0], values[2], values[4], values[6]), (9, 9, 9, 9));
    assert_eq!(values[1], values[7], "what the frontend took in, the backend sent");

    send(&commands, b"TERMINATE");
    assert_eq!(proxy.join().unwrap(), Ok(()));
    finish(context, std::iter::once(worker).chain(clients).chain([captured, commands]));
}

#[test]
fn a_paused_streamer_holds_messages_until_resumed() {
    let context = Context::new();
    let frontend = socket(&context, ZMQ_PULL);
    frontend.bind("inproc://in").unwrap();
    let backend = socket(&context, ZMQ_PUSH);
    backend.bind("inproc://out").unwrap();
    // A REP control socket answers each command with an empty message.
    let control = socket(&context, ZMQ_REP);
    control.bind("inproc://steer").unwrap();
    let steer = socket(&context, ZMQ_REQ);
    steer.connect("inproc://steer").unwrap();
    let proxy = spawn(frontend, backend, None, Some(control));
    let producer = socket(&context, ZMQ_PUSH);
    producer.connect("inproc://in").unwrap();
    let consumer = socket(&context, ZMQ_PULL);
    consumer.connect("inproc://out").unwrap();

    send(&producer, b"first");
    assert_eq!(recv(&consumer), b"first");
    send(&steer, b"PAUSE");
    assert_eq!(recv(&steer), b"");
    send(&producer, b"held");
    consumer.set_option(ZMQ_RCVTIMEO, Some(&int(200))).unwrap();
    assert_eq!(consumer.recv(0).unwrap_err(), Errno::EAGAIN);
    send(&steer, b"RESUME");
    assert_eq!(recv(&steer), b"");
    consumer.set_option(ZMQ_RCVTIMEO, Some(&int(5000))).unwrap();
    assert_eq!(recv(&consumer), b"held");
    // An unknown command changes nothing but is answered.
    send(&steer, b"DANCE");
    assert_eq!(recv(&steer), b"");
    send(&producer, b"after");
    assert_eq!(recv(&consumer), b"after");
    send(&steer, b"TERMINATE");
    assert_eq!(recv(&steer), b"");
    assert_eq!(proxy.join().unwrap(), Ok(()));
    finish(context, [steer, producer, consumer]);
}

#[test]
fn a_forwarder_passes_subscriptions_up_and_messages_down() {
    let context = Context::new();
    let frontend = socket(&context, ZMQ_XSUB);
    frontend.bind("inproc://publishers").unwrap();
    let backend = socket(&context, ZMQ_XPUB);
    backend.bind("inproc://subscribers").unwrap();
    let proxy = spawn(frontend, backend, None, None);
    let publisher = socket(&context, ZMQ_PUB);
    publisher.connect("inproc://publishers").unwrap();
    let subscriber = socket(&context, ZMQ_SUB);
    subscriber.set_option(ZMQ_SUBSCRIBE, Some(b"news")).unwrap();
    subscriber.connect("inproc://subscribers").unwrap();
    // The subscription travels up through the proxy; until then messages are lost.
    subscriber.set_option(ZMQ_RCVTIMEO, Some(&int(50))).unwrap();
    let mut delivered = false;
    for _ in 0..100 {
        send(&publisher, b"sports: dropped");
        send(&publisher, b"news: kept");
        if let Ok(msg) = subscriber.recv(0) {
            assert_eq!(msg.data(), b"news: kept");
            delivered = true;
            break;
        }
    }
    assert!(delivered);
    // Shutting the context down ends the proxy with ETERM.
    let shutdown = context.clone();
    thread::spawn(move || {
        thread::sleep(Duration::from_millis(50));
        shutdown.shutdown();
    });
    assert_eq!(proxy.join().unwrap(), Err(Errno::ETERM));
    finish(context, [publisher, subscriber]);
}

#[test]
fn one_rep_socket_as_both_ends_echoes() {
    let context = Context::new();
    let rep = socket(&context, ZMQ_REP);
    rep.bind("tcp://127.0.0.1:*").unwrap();
    let endpoint = last_endpoint(&rep);
    let proxy = spawn(rep.clone(), rep, None, None);
    let req = socket(&context, ZMQ_REQ);
    req.connect(&endpoint).unwrap();
    for text in [&b"one"[..], b"two", b"three"] {
        send(&req, text);
        assert_eq!(recv(&req), text);
    }
    let shutdown = context.clone();
    thread::spawn(move || shutdown.shutdown());
    assert_eq!(proxy.join().unwrap(), Err(Errno::ETERM));
    finish(context, [req]);
}
