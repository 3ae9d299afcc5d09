//! Request-reply and router-dealer through the Rust API, over inproc and tcp: REQ/REP
//! envelopes and their state machine, ROUTER naming peers by routing id (given or
//! generated), ROUTER_MANDATORY, DEALER routing, REQ_RELAXED and REQ_CORRELATE.
//! Every wait is bounded.

use std::time::Duration;

mod engine;

use engine::*;
use zmq::constants::*;
use zmq::{Context, Errno, Msg, Socket};

#[test]
fn req_rep_round_trips_and_enforces_the_order() {
    for endpoint in ["inproc://reqrep", "tcp://127.0.0.1:*"] {
        let context = Context::new();
        let (rep, req) = (socket(&context, ZMQ_REP), socket(&context, ZMQ_REQ));
        rep.bind(endpoint).unwrap();
        req.connect(&last_endpoint(&rep)).unwrap();
        assert_eq!(req.recv(0).unwrap_err(), Errno::EFSM, "no receive before a request");
        assert_eq!(rep.send(&mut Msg::from_slice(b"x").unwrap(), 0), Err(Errno::EFSM));
        for round in 0..3u8 {
            send_parts(&req, &[b"question", &[round]]);
            assert_eq!(req.send(&mut Msg::from_slice(b"again").unwrap(), 0), Err(Errno::EFSM));
            // REP sees the body only; the envelope is kept for the reply.
            assert_eq!(recv_parts(&rep), [b"question".to_vec(), vec![round]]);
            send_parts(&rep, &[b"answer"]);
            assert_eq!(recv_parts(&req), [b"answer".to_vec()]);
        }
        finish(context, vec![rep, req]);
    }
}

/// A bound REQ takes its peers in the order they connected, once the connections
/// are made: each new connection is read from its first event on, so handshakes
/// finish in that order (libzmq's test_spec_req counts on it).
#[test]
fn a_bound_req_round_robins_in_the_order_peers_connected() {
    let context = Context::new();
    let req = socket(&context, ZMQ_REQ);
    req.bind("tcp://127.0.0.1:*").unwrap();
    let endpoint = last_endpoint(&req);
    let reps: Vec<Socket> = (0..5)
        .map(|_| {
            let rep = socket(&context, ZMQ_REP);
            rep.connect(&endpoint).unwrap();
            rep
        })
        .collect();
    std::thread::sleep(Duration::from_millis(300));
    for (index, rep) in reps.iter().enumerate() {
        send_parts(&req, &[b"request", &[index as u8]]);
        assert_eq!(recv_parts(rep), [b"request".to_vec(), vec![index as u8]], "peer {index}'s turn");
        send_parts(rep, &[b"reply"]);
        assert_eq!(recv_parts(&req), [b"reply".to_vec()]);
    }
    finish(context, reps.into_iter().chain([req]).collect::<Vec<_>>());
}

#[test]
fn router_names_peers_by_routing_id_or_a_generated_one() {
    let context = Context::new();
    let router = socket(&context, ZMQ_ROUTER);
    router.bind("tcp://127.0.0.1:*").unwrap();
    let endpoint = last_endpoint(&router);
    let named = socket(&context, ZMQ_DEALER);
    named.set_option(ZMQ_ROUTING_ID, Some(b"alice")).unwrap();
    named.connect(&endpoint).unwrap();
    let anonymous = socket(&context, ZMQ_DEALER);
    anonymous.connect(&endpoint).unwrap();

    send_parts(&named, &[b"from alice"]);
    assert_eq!(recv_parts(&router), [b"alice".to_vec(), b"from alice".to_vec()]);
    send_parts(&anonymous, &[b"from nobody"]);
    let message = recv_parts(&router);
    let generated = message[0].clone();
    assert_eq!((generated.len(), generated[0]), (5, 0), "libzmq's 5-byte generated id");
    assert_eq!(message[1], b"from nobody");

    // Replies go by name, multipart kept whole.
    send_parts(&router, &[&generated, b"to you", b"two parts"]);
    assert_eq!(recv_parts(&anonymous), [b"to you".to_vec(), b"two parts".to_vec()]);
    send_parts(&router, &[b"alice", b"hi"]);
    assert_eq!(recv_parts(&named), [b"hi".to_vec()]);

    // Unknown names are dropped, or refused with ROUTER_MANDATORY.
    send_parts(&router, &[b"bob", b"lost"]);
    router.set_option(ZMQ_ROUTER_MANDATORY, Some(&int(1))).unwrap();
    let mut to_bob = Msg::from_slice(b"bob").unwrap();
    assert_eq!(router.send(&mut to_bob, ZMQ_SNDMORE), Err(Errno::EHOSTUNREACH));
    assert_eq!(router.set_option(ZMQ_ROUTER_MANDATORY, Some(&[1, 2])), Err(Errno::EINVAL));
    finish(context, vec![router, named, anonymous]);
}

#[test]
fn dealer_round_robins_and_fair_queues() {
    let context = Context::new();
    let dealer = socket(&context, ZMQ_DEALER);
    dealer.bind("inproc://dealer").unwrap();
    let peers: Vec<Socket> = (0..2)
        .map(|_| {
            let peer = socket(&context, ZMQ_DEALER);
            peer.connect("inproc://dealer").unwrap();
            peer
        })
        .collect();
    for i in 0..4u8 {
        send_parts(&dealer, &[&[i]]);
    }
    assert_eq!([recv_parts(&peers[0]), recv_parts(&peers[0])], [[vec![0]], [vec![2]]]);
    assert_eq!([recv_parts(&peers[1]), recv_parts(&peers[1])], [[vec![1]], [vec![3]]]);
    send_parts(&peers[0], &[b"a"]);
    send_parts(&peers[0], &[b"b"]);
    send_parts(&peers[1], &[b"c"]);
    let received: Vec<Vec<Vec<u8>>> = (0..3).map(|_| recv_parts(&dealer)).collect();
    assert_eq!(received, [[b"a".to_vec()], [b"c".to_vec()], [b"b".to_vec()]]);
    let mut all = vec![dealer];
    all.extend(peers);
    finish(context, all);
}

#[test]
fn req_relaxed_and_correlate_take_only_the_latest_reply() {
    let context = Context::new();
    let req = socket(&context, ZMQ_REQ);
    req.set_option(ZMQ_REQ_RELAXED, Some(&int(1))).unwrap();
    req.set_option(ZMQ_REQ_CORRELATE, Some(&int(1))).unwrap();
    req.bind("inproc://relaxed").unwrap();
    let first = socket(&context, ZMQ_REP);
    first.connect("inproc://relaxed").unwrap();
    let second = socket(&context, ZMQ_REP);
    second.connect("inproc://relaxed").unwrap();

    send_parts(&req, &[b"one"]);
    assert_eq!(recv_parts(&first), [b"one".to_vec()]);
    // Relaxed: a new request without waiting for the first reply.
    send_parts(&req, &[b"two"]);
    assert_eq!(recv_parts(&second), [b"two".to_vec()]);
    send_parts(&first, &[b"stale"]);
    send_parts(&second, &[b"fresh"]);
    assert_eq!(recv_parts(&req), [b"fresh".to_vec()], "the stale reply is dropped");
    req.set_option(ZMQ_RCVTIMEO, Some(&int(100))).unwrap();
    assert_eq!(req.recv(0).unwrap_err(), Errno::EFSM);
    finish(context, vec![req, first, second]);
}

#[test]
fn rep_drops_the_reply_to_a_requester_that_left() {
    let context = Context::new();
    let rep = socket(&context, ZMQ_REP);
    rep.bind("tcp://127.0.0.1:*").unwrap();
    let endpoint = last_endpoint(&rep);
    let gone = socket(&context, ZMQ_REQ);
    gone.connect(&endpoint).unwrap();
    send_parts(&gone, &[b"hello"]);
    assert_eq!(recv_parts(&rep), [b"hello".to_vec()]);
    gone.close();
    std::thread::sleep(Duration::from_millis(100));
    // The reply has nowhere to go: it is dropped, and REP serves the next requester.
    send_parts(&rep, &[b"nobody hears this"]);
    let next = socket(&context, ZMQ_REQ);
    next.connect(&endpoint).unwrap();
    send_parts(&next, &[b"again"]);
    assert_eq!(recv_parts(&rep), [b"again".to_vec()]);
    send_parts(&rep, &[b"answer"]);
    assert_eq!(recv_parts(&next), [b"answer".to_vec()]);
    finish(context, vec![rep, next]);
}

#[test]
fn probe_router_and_connect_routing_id() {
    let context = Context::new();
    let server = socket(&context, ZMQ_ROUTER);
    server.bind("tcp://127.0.0.1:*").unwrap();
    let endpoint = last_endpoint(&server);
    // A probing DEALER announces itself with an empty message.
    let prober = socket(&context, ZMQ_DEALER);
    prober.set_option(ZMQ_ROUTING_ID, Some(b"probe")).unwrap();
    prober.set_option(ZMQ_PROBE_ROUTER, Some(&int(1))).unwrap();
    prober.connect(&endpoint).unwrap();
    assert_eq!(recv_parts(&server), [b"probe".to_vec(), Vec::new()]);
    // A connecting ROUTER names its peer as told, whatever the peer calls itself.
    let client = socket(&context, ZMQ_ROUTER);
    client.set_option(ZMQ_CONNECT_ROUTING_ID, Some(b"the-server")).unwrap();
    client.set_option(ZMQ_ROUTER_MANDATORY, Some(&int(1))).unwrap();
    client.connect(&endpoint).unwrap();
    let mut sent = false;
    for _ in 0..500 {
        // The peer is known once the connection is up.
        if client.send(&mut Msg::from_slice(b"the-server").unwrap(), ZMQ_SNDMORE).is_ok() {
            send_parts(&client, &[b"hello"]);
            sent = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    assert!(sent, "the connection came up within 5 s");
    assert_eq!(recv_parts(&server)[1], b"hello");
    assert_eq!(client.set_option(ZMQ_CONNECT_ROUTING_ID, Some(b"")), Err(Errno::EINVAL));
    finish(context, vec![server, prober, client]);
}

#[test]
fn router_notify_announces_peers_coming_and_going() {
    let context = Context::new();
    let router = socket(&context, ZMQ_ROUTER);
    let both = ZMQ_NOTIFY_CONNECT | ZMQ_NOTIFY_DISCONNECT;
    router.set_option(ZMQ_ROUTER_NOTIFY, Some(&int(both))).unwrap();
    assert_eq!(router.option(ZMQ_ROUTER_NOTIFY, 4).unwrap(), int(both));
    assert_eq!(router.set_option(ZMQ_ROUTER_NOTIFY, Some(&int(4))), Err(Errno::EINVAL));
    router.bind("tcp://127.0.0.1:*").unwrap();
    let endpoint = last_endpoint(&router);
    let dealer = socket(&context, ZMQ_DEALER);
    assert_eq!(dealer.set_option(ZMQ_ROUTER_NOTIFY, Some(&int(1))), Err(Errno::EINVAL));
    dealer.set_option(ZMQ_ROUTING_ID, Some(b"X")).unwrap();
    dealer.connect(&endpoint).unwrap();
    assert_eq!(recv_parts(&router), [b"X".to_vec(), Vec::new()], "connected");
    send_parts(&dealer, &[b"hello"]);
    assert_eq!(recv_parts(&router), [b"X".to_vec(), b"hello".to_vec()]);
    dealer.disconnect(&endpoint).unwrap();
    assert_eq!(recv_parts(&router), [b"X".to_vec(), Vec::new()], "gone");
    finish(context, vec![router, dealer]);
}

#[test]
fn router_peer_state_says_when_a_peer_can_take_more() {
    let context = Context::new();
    let router = socket(&context, ZMQ_ROUTER);
    router.set_option(ZMQ_SNDHWM, Some(&int(5))).unwrap();
    router.bind("inproc://peer-state").unwrap();
    let dealer = socket(&context, ZMQ_DEALER);
    dealer.set_option(ZMQ_RCVHWM, Some(&int(5))).unwrap();
    dealer.set_option(ZMQ_ROUTING_ID, Some(b"D")).unwrap();
    dealer.connect("inproc://peer-state").unwrap();
    send(&dealer, b"hello");
    assert_eq!(recv_parts(&router), [b"D".to_vec(), b"hello".to_vec()]);
    assert_eq!(router.peer_state(b"D"), Ok(ZMQ_POLLOUT));
    let mut sent = 0;
    while router.peer_state(b"D") == Ok(ZMQ_POLLOUT) {
        send_parts(&router, &[b"D", b"fill"]);
        sent += 1;
        assert!(sent <= 100, "the high-water mark never showed");
    }
    assert_eq!(router.peer_state(b"D"), Ok(0));
    assert_eq!(recv(&dealer), b"fill");
    assert_eq!(router.peer_state(b"nobody"), Err(Errno::EHOSTUNREACH));
    assert_eq!(dealer.peer_state(b"D"), Err(Errno::ENOTSUP));
    finish(context, [router, dealer]);
}

#[test]
fn a_dontwait_loop_sees_room_come_back_no_sooner_than_libzmq_would() {
    // libzmq's test_router_mandatory_hwm: with SNDHWM 1, a tight ZMQ_DONTWAIT loop
    // gets EAGAIN after about one 64 KiB message, though the connection drains into
    // kernel buffers at once: room is only seen when the socket takes its commands in,
    // at most once a millisecond while it sends.
    let context = Context::new();
    let router = socket(&context, ZMQ_ROUTER);
    router.set_option(ZMQ_ROUTER_MANDATORY, Some(&int(1))).unwrap();
    router.set_option(ZMQ_SNDHWM, Some(&int(1))).unwrap();
    router.bind("tcp://127.0.0.1:*").unwrap();
    let dealer = socket(&context, ZMQ_DEALER);
    dealer.set_option(ZMQ_ROUTING_ID, Some(b"X")).unwrap();
    dealer.set_option(ZMQ_RCVHWM, Some(&int(1))).unwrap();
    dealer.connect(&last_endpoint(&router)).unwrap();
    send(&dealer, b"Hello");
    assert_eq!(recv_parts(&router), [b"X".to_vec(), b"Hello".to_vec()]);
    let body = vec![0u8; 65536];
    let burst = |sent: &mut usize| {
        while *sent < 1000 {
            match router.send(&mut Msg::from_slice(b"X").unwrap(), ZMQ_DONTWAIT | ZMQ_SNDMORE) {
                Err(Errno::EAGAIN) => return,
                outcome => outcome.unwrap(),
            }
            router.send(&mut Msg::from_slice(&body).unwrap(), ZMQ_DONTWAIT).unwrap();
            *sent += 1;
        }
    };
    let mut sent = 0;
    burst(&mut sent);
    assert!((1..10).contains(&sent), "first burst: {sent}");
    std::thread::sleep(Duration::from_millis(300));
    burst(&mut sent);
    assert!(sent < 20, "second burst ends at {sent}");
    finish(context, [router, dealer]);
}
