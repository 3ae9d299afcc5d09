//! PUB, SUB, XPUB and XSUB through the engine's Rust API, over inproc and tcp:
//! prefix matching, (un)subscription, high-water marks, and the XPUB options. Every
//! wait is bounded with `ZMQ_RCVTIMEO` or a deadline; tcp uses loopback only.

use std::time::{Duration, Instant};

mod engine;

use engine::*;
use zmq::constants::*;
use zmq::{Context, Errno, Msg, Socket};

fn socket(context: &Context, kind: i32) -> Socket {
    let socket = Socket::new(context, kind).unwrap();
    socket.set_option(ZMQ_RCVTIMEO, Some(&int(5000))).unwrap();
    socket.set_option(ZMQ_LINGER, Some(&int(0))).unwrap();
    socket
}

fn send(socket: &Socket, bytes: &[u8]) {
    socket.send(&mut Msg::from_slice(bytes).unwrap(), 0).unwrap();
}

fn nothing(socket: &Socket) {
    assert_eq!(socket.recv(ZMQ_DONTWAIT).unwrap_err(), Errno::EAGAIN);
}

fn subscribe(socket: &Socket, topic: &[u8]) {
    socket.set_option(ZMQ_SUBSCRIBE, Some(topic)).unwrap();
}

/// Publishes `probe` until `sub` receives it (subscriptions travel asynchronously
/// over tcp), at most 5 s.
fn until_subscribed(publisher: &Socket, sub: &Socket, probe: &[u8]) {
    sub.set_option(ZMQ_RCVTIMEO, Some(&int(20))).unwrap();
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        send(publisher, probe);
        if let Ok(msg) = sub.recv(0) {
            assert_eq!(msg.data(), probe);
            break;
        }
        assert!(Instant::now() < deadline, "subscription never arrived");
    }
    // Drop any extra copies of the probe.
    while sub.recv(0).is_ok() {}
    sub.set_option(ZMQ_RCVTIMEO, Some(&int(5000))).unwrap();
}

#[test]
fn sub_gets_what_matches_its_prefixes_inproc() {
    let context = Context::new();
    let (publisher, sub) = (socket(&context, ZMQ_PUB), socket(&context, ZMQ_SUB));
    publisher.bind("inproc://prefix").unwrap();
    sub.connect("inproc://prefix").unwrap();
    subscribe(&sub, b"ab");
    subscribe(&sub, b"x");
    for topic in [&b"a"[..], b"abc", b"b", b"ab", b"xyz", b""] {
        send(&publisher, topic);
    }
    assert_eq!(recv(&sub), b"abc");
    assert_eq!(recv(&sub), b"ab");
    assert_eq!(recv(&sub), b"xyz");
    nothing(&sub);
    sub.set_option(ZMQ_UNSUBSCRIBE, Some(b"ab")).unwrap();
    send(&publisher, b"abd");
    send(&publisher, b"x1");
    assert_eq!(recv(&sub), b"x1");
    assert_eq!(sub.option(ZMQ_TOPICS_COUNT, 4).unwrap(), int(1));
    // Directions that do not exist.
    assert_eq!(publisher.recv(ZMQ_DONTWAIT).unwrap_err(), Errno::ENOTSUP);
    assert_eq!(sub.send(&mut Msg::new(), ZMQ_DONTWAIT).unwrap_err(), Errno::ENOTSUP);
    assert_eq!(publisher.events().unwrap(), ZMQ_POLLOUT as i16);
    finish(context, [publisher, sub]);
}

#[test]
fn empty_subscription_takes_everything_and_multipart_stays_whole() {
    let context = Context::new();
    let (publisher, sub) = (socket(&context, ZMQ_PUB), socket(&context, ZMQ_SUB));
    // Connect first: the subscription waits in the pipe for the bind.
    sub.connect("inproc://all").unwrap();
    subscribe(&sub, b"");
    publisher.bind("inproc://all").unwrap();
    let mut first = Msg::from_slice(b"head").unwrap();
    publisher.send(&mut first, ZMQ_SNDMORE).unwrap();
    send(&publisher, b"tail");
    assert_eq!(recv(&sub), b"head");
    assert_eq!(sub.option(ZMQ_RCVMORE, 4).unwrap(), int(1));
    assert_eq!(recv(&sub), b"tail");
    finish(context, [publisher, sub]);
}

#[test]
fn pub_drops_at_the_hwm_and_never_blocks() {
    let context = Context::new();
    let (publisher, sub) = (socket(&context, ZMQ_PUB), socket(&context, ZMQ_SUB));
    publisher.set_option(ZMQ_SNDHWM, Some(&int(5))).unwrap();
    sub.set_option(ZMQ_RCVHWM, Some(&int(5))).unwrap();
    publisher.bind("inproc://hwm").unwrap();
    sub.connect("inproc://hwm").unwrap();
    subscribe(&sub, b"");
    publisher.set_option(ZMQ_SNDTIMEO, Some(&int(-1))).unwrap();
    for i in 0..100u8 {
        send(&publisher, &[i]);
    }
    let mut got = 0;
    sub.set_option(ZMQ_RCVTIMEO, Some(&int(100))).unwrap();
    while sub.recv(0).is_ok() {
        got += 1;
    }
    assert_eq!(got, 10, "SNDHWM + RCVHWM messages, the rest dropped");
    finish(context, [publisher, sub]);
}

#[test]
fn xpub_sees_subscriptions_and_cancellations() {
    let context = Context::new();
    let (xpub, sub1, sub2) =
        (socket(&context, ZMQ_XPUB), socket(&context, ZMQ_SUB), socket(&context, ZMQ_SUB));
    xpub.bind("inproc://xpub").unwrap();
    sub1.connect("inproc://xpub").unwrap();
    sub2.connect("inproc://xpub").unwrap();
    subscribe(&sub1, b"A");
    assert_eq!(recv(&xpub), b"\x01A");
    // A second subscriber to the same topic is news only with XPUB_VERBOSE.
    subscribe(&sub2, b"A");
    nothing(&xpub);
    xpub.set_option(ZMQ_XPUB_VERBOSE, Some(&int(1))).unwrap();
    subscribe(&sub2, b"B");
    subscribe(&sub1, b"B");
    assert_eq!(recv(&xpub), b"\x01B");
    assert_eq!(recv(&xpub), b"\x01B");
    assert_eq!(xpub.option(ZMQ_TOPICS_COUNT, 4).unwrap(), int(2));
    // The last cancellation of a topic is reported; earlier ones only with VERBOSER.
    sub1.set_option(ZMQ_UNSUBSCRIBE, Some(b"A")).unwrap();
    sub2.set_option(ZMQ_UNSUBSCRIBE, Some(b"A")).unwrap();
    assert_eq!(recv(&xpub), b"\x00A");
    nothing(&xpub);
    // A closed subscriber takes its topics along.
    sub1.close();
    sub2.close();
    assert_eq!(recv(&xpub), b"\x00B");
    assert_eq!(xpub.option(ZMQ_TOPICS_COUNT, 4).unwrap(), int(0));
    assert_eq!(xpub.set_option(ZMQ_XPUB_VERBOSE, Some(&int(-1))), Err(Errno::EINVAL));
    assert_eq!(xpub.set_option(ZMQ_SUBSCRIBE, Some(b"x")), Err(Errno::EINVAL));
    finish(context, [xpub]);
}

#[test]
fn xsub_forwards_subscriptions_and_messages() {
    let context = Context::new();
    let (xpub, xsub) = (socket(&context, ZMQ_XPUB), socket(&context, ZMQ_XSUB));
    xpub.bind("inproc://xsub").unwrap();
    xsub.connect("inproc://xsub").unwrap();
    send(&xsub, b"\x01news");
    assert_eq!(recv(&xpub), b"\x01news");
    send(&xsub, b"hello upstream");
    assert_eq!(recv(&xpub), b"hello upstream");
    send(&xpub, b"news!");
    send(&xpub, b"sport");
    assert_eq!(recv(&xsub), b"news!");
    nothing(&xsub);
    // XSUB does not filter: an XPUB with inverted matching sends it the rest.
    xpub.set_option(ZMQ_INVERT_MATCHING, Some(&int(1))).unwrap();
    send(&xpub, b"news?");
    send(&xpub, b"sport");
    assert_eq!(recv(&xsub), b"sport");
    send(&xsub, b"\x00news");
    assert_eq!(recv(&xpub), b"\x00news");
    finish(context, [xpub, xsub]);
}

#[test]
fn sub_inverted_matching_takes_what_does_not_match() {
    let context = Context::new();
    let (publisher, sub) = (socket(&context, ZMQ_PUB), socket(&context, ZMQ_SUB));
    publisher.set_option(ZMQ_INVERT_MATCHING, Some(&int(1))).unwrap();
    sub.set_option(ZMQ_INVERT_MATCHING, Some(&int(1))).unwrap();
    publisher.bind("inproc://invert").unwrap();
    sub.connect("inproc://invert").unwrap();
    subscribe(&sub, b"prefix");
    send(&publisher, b"prefixed");
    send(&publisher, b"other");
    assert_eq!(recv(&sub), b"other");
    nothing(&sub);
    finish(context, [publisher, sub]);
}

#[test]
fn xpub_manual_and_welcome_message() {
    let context = Context::new();
    let (xpub, sub) = (socket(&context, ZMQ_XPUB), socket(&context, ZMQ_SUB));
    xpub.set_option(ZMQ_XPUB_MANUAL, Some(&int(1))).unwrap();
    xpub.set_option(ZMQ_XPUB_WELCOME_MSG, Some(b"W")).unwrap();
    xpub.bind("inproc://manual").unwrap();
    sub.connect("inproc://manual").unwrap();
    subscribe(&sub, b"W");
    // The XPUB takes the connection (and sends its welcome) when it next runs.
    assert_eq!(recv(&xpub), b"\x01W");
    assert_eq!(recv(&sub), b"W");
    subscribe(&sub, b"A");
    assert_eq!(recv(&xpub), b"\x01A");
    // The application decides: the subscriber gets B, not A.
    subscribe(&xpub, b"B");
    send(&xpub, b"A1");
    send(&xpub, b"B1");
    subscribe(&sub, b"B");
    assert_eq!(recv(&sub), b"B1");
    finish(context, [xpub, sub]);
}

#[test]
fn xpub_nodrop_says_eagain_instead_of_dropping() {
    let context = Context::new();
    let (xpub, sub) = (socket(&context, ZMQ_XPUB), socket(&context, ZMQ_SUB));
    xpub.set_option(ZMQ_XPUB_NODROP, Some(&int(1))).unwrap();
    xpub.set_option(ZMQ_SNDHWM, Some(&int(2))).unwrap();
    sub.set_option(ZMQ_RCVHWM, Some(&int(2))).unwrap();
    xpub.bind("inproc://nodrop").unwrap();
    sub.connect("inproc://nodrop").unwrap();
    subscribe(&sub, b"");
    assert_eq!(recv(&xpub), b"\x01");
    let mut sent = 0;
    while xpub.send(&mut Msg::from_slice(b"m").unwrap(), ZMQ_DONTWAIT).is_ok() {
        sent += 1;
        assert!(sent < 100);
    }
    assert_eq!(sent, 4);
    assert_eq!(recv(&sub), b"m");
    // Room comes back (the reader reports every LWM messages read).
    assert_eq!(recv(&sub), b"m");
    xpub.set_option(ZMQ_SNDTIMEO, Some(&int(5000))).unwrap();
    send(&xpub, b"again");
    finish(context, [xpub, sub]);
}

#[test]
fn pub_sub_over_tcp_with_commands_on_the_wire() {
    let context = Context::new();
    let (publisher, sub) = (socket(&context, ZMQ_PUB), socket(&context, ZMQ_SUB));
    publisher.bind("tcp://127.0.0.1:*").unwrap();
    sub.connect(&last_endpoint(&publisher)).unwrap();
    subscribe(&sub, b"t");
    until_subscribed(&publisher, &sub, b"t-probe");
    send(&publisher, b"u");
    send(&publisher, b"t2");
    assert_eq!(recv(&sub), b"t2");
    // A cancellation reaches the publisher, which then stops sending.
    subscribe(&sub, b"v");
    sub.set_option(ZMQ_UNSUBSCRIBE, Some(b"t")).unwrap();
    until_subscribed(&publisher, &sub, b"v-probe");
    send(&publisher, b"t3");
    send(&publisher, b"v1");
    assert_eq!(recv(&sub), b"v1");
    finish(context, [publisher, sub]);
}

#[test]
fn xpub_xsub_over_tcp() {
    let context = Context::new();
    let (xpub, xsub) = (socket(&context, ZMQ_XPUB), socket(&context, ZMQ_XSUB));
    // The connecting XSUB has its pipe at once (a bound one would get it only when
    // it next runs, and drop what it sent before, as libzmq's does).
    xpub.bind("tcp://127.0.0.1:*").unwrap();
    xsub.connect(&last_endpoint(&xpub)).unwrap();
    send(&xsub, b"\x01topic");
    assert_eq!(recv(&xpub), b"\x01topic");
    send(&xsub, b"up");
    assert_eq!(recv(&xpub), b"up");
    send(&xpub, b"topic!");
    assert_eq!(recv(&xsub), b"topic!");
    send(&xsub, b"\x00topic");
    assert_eq!(recv(&xpub), b"\x00topic");
    finish(context, [xpub, xsub]);
}

#[test]
fn a_restarted_publisher_gets_the_subscriptions_again() {
    let context = Context::new();
    let sub = socket(&context, ZMQ_SUB);
    sub.set_option(ZMQ_RECONNECT_IVL, Some(&int(20))).unwrap();
    let publisher = socket(&context, ZMQ_PUB);
    publisher.bind("tcp://127.0.0.1:*").unwrap();
    let address = last_endpoint(&publisher);
    sub.connect(&address).unwrap();
    subscribe(&sub, b"keep");
    subscribe(&sub, b"gone");
    sub.set_option(ZMQ_UNSUBSCRIBE, Some(b"gone")).unwrap();
    until_subscribed(&publisher, &sub, b"keep-1");
    publisher.close();
    let publisher = socket(&context, ZMQ_PUB);
    publisher.bind(&address).unwrap();
    until_subscribed(&publisher, &sub, b"keep-2");
    send(&publisher, b"gone");
    send(&publisher, b"keep-3");
    assert_eq!(recv(&sub), b"keep-3");
    finish(context, [publisher, sub]);
}
