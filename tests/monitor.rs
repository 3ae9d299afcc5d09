//! zmq_socket_monitor through the engine's Rust API: the events of a connection's
//! life in libzmq's order, both wire formats, the failures a monitor reports, and
//! the argument checks. Loopback only; every wait is bounded by RCVTIMEO.

mod engine;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use engine::*;
use zmq::constants::*;
use zmq::{Context, Errno, Socket};

#[test]
fn a_connection_life_in_version_1_events() {
    let context = Context::new();
    let server = socket(&context, ZMQ_DEALER);
    let client = socket(&context, ZMQ_DEALER);
    let server_events = watch(&context, ZMQ_EVENT_ALL, &server, "inproc://monitor-server");
    let client_events = watch(&context, ZMQ_EVENT_ALL, &client, "inproc://monitor-client");
    server.bind("tcp://127.0.0.1:*").unwrap();
    let endpoint = last_endpoint(&server);
    client.connect(&endpoint).unwrap();
    send(&client, b"ping");
    assert_eq!(recv(&server), b"ping");

    let (event, fd, name) = event_v1(&server_events);
    assert_eq!((event, name.as_str()), (ZMQ_EVENT_LISTENING, endpoint.as_str()));
    assert!(fd > 2);
    let (event, _, name) = event_v1(&server_events);
    assert_eq!((event, name.as_str()), (ZMQ_EVENT_ACCEPTED, endpoint.as_str()));
    assert_eq!(event_v1(&server_events).0, ZMQ_EVENT_HANDSHAKE_SUCCEEDED);

    let (mut event, mut value, name) = event_v1(&client_events);
    if event == ZMQ_EVENT_CONNECT_DELAYED {
        assert_eq!(value, libc::EINPROGRESS as u32);
        (event, value, _) = event_v1(&client_events);
    }
    assert_eq!((event, name.as_str()), (ZMQ_EVENT_CONNECTED, endpoint.as_str()));
    assert!(value > 2);
    assert_eq!(event_v1(&client_events), (ZMQ_EVENT_HANDSHAKE_SUCCEEDED, 0, endpoint.clone()));

    // The server goes: the client loses the connection and tries again.
    server.close();
    assert_eq!(event_v1(&server_events).0, ZMQ_EVENT_CLOSED);
    assert_eq!(event_v1(&server_events), (ZMQ_EVENT_MONITOR_STOPPED, 0, String::new()));
    assert_eq!(event_v1(&client_events).0, ZMQ_EVENT_DISCONNECTED);
    // The default 100 ms interval, plus up to as much again at random.
    let (event, interval, _) = event_v1(&client_events);
    assert_eq!(event, ZMQ_EVENT_CONNECT_RETRIED);
    assert!((100..200).contains(&interval), "{interval}");
    client.close();
    loop {
        // Attempts to reconnect may come first.
        if event_v1(&client_events).0 == ZMQ_EVENT_MONITOR_STOPPED {
            break;
        }
    }
    finish(context, [server_events, client_events]);
}

#[test]
fn version_2_names_both_ends_and_takes_other_socket_types() {
    let context = Context::new();
    let server = socket(&context, ZMQ_PULL);
    server
        .monitor(
            Some("inproc://v2"),
            (ZMQ_EVENT_ACCEPTED | ZMQ_EVENT_HANDSHAKE_SUCCEEDED) as u64,
            2,
            ZMQ_PUSH,
        )
        .unwrap();
    let events = socket(&context, ZMQ_PULL);
    events.connect("inproc://v2").unwrap();
    server.bind("tcp://127.0.0.1:*").unwrap();
    let endpoint = last_endpoint(&server);
    let client = socket(&context, ZMQ_PUSH);
    client.connect(&endpoint).unwrap();
    let (event, values, local, remote) = event_v2(&events);
    assert_eq!(event, ZMQ_EVENT_ACCEPTED as u64);
    assert_eq!(values.len(), 1);
    assert_eq!(local, endpoint);
    assert!(remote.starts_with("tcp://127.0.0.1:") && remote != endpoint, "{remote}");
    assert_eq!(event_v2(&events), (ZMQ_EVENT_HANDSHAKE_SUCCEEDED as u64, vec![0], local, remote));
    finish(context, [server, events, client]);
}

#[test]
fn handshake_failures_say_why() {
    let context = Context::new();
    let server = socket(&context, ZMQ_DEALER);
    let events = watch(&context, ZMQ_EVENT_ALL, &server, "inproc://failures");
    server.bind("tcp://127.0.0.1:*").unwrap();
    let endpoint = last_endpoint(&server);
    assert_eq!(event_v1(&events).0, ZMQ_EVENT_LISTENING);

    // A ZMTP 3.0 peer that wants PLAIN from a NULL server.
    let mut peer = TcpStream::connect(endpoint.trim_start_matches("tcp://")).unwrap();
    peer.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let mut greeting = vec![0xff, 0, 0, 0, 0, 0, 0, 0, 1, 0x7f, 3, 0];
    greeting.extend_from_slice(b"PLAIN");
    greeting.resize(64, 0);
    peer.write_all(&greeting).unwrap();
    assert_eq!(event_v1(&events).0, ZMQ_EVENT_ACCEPTED);
    let (event, code, name) = event_v1(&events);
    assert_eq!(
        (event, code as i32, name.as_str()),
        (ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL, ZMQ_PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH, endpoint.as_str())
    );
    assert_eq!(event_v1(&events).0, ZMQ_EVENT_DISCONNECTED);
    let mut rest = Vec::new();
    let _ = peer.read_to_end(&mut rest);

    // A peer that leaves in the middle of the handshake.
    drop(TcpStream::connect(endpoint.trim_start_matches("tcp://")).unwrap());
    assert_eq!(event_v1(&events).0, ZMQ_EVENT_ACCEPTED);
    assert_eq!(event_v1(&events).0, ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL);
    assert_eq!(event_v1(&events).0, ZMQ_EVENT_DISCONNECTED);

    // Binding where another socket listens.
    let other = socket(&context, ZMQ_DEALER);
    other.bind("tcp://127.0.0.1:*").unwrap();
    let taken = last_endpoint(&other);
    assert_eq!(server.bind(&taken), Err(Errno::EADDRINUSE));
    assert_eq!(event_v1(&events), (ZMQ_EVENT_BIND_FAILED, libc::EADDRINUSE as u32, taken));
    finish(context, [server, events, other]);
}

#[test]
fn a_refused_connection_is_closed_and_retried() {
    let context = Context::new();
    let client = socket(&context, ZMQ_DEALER);
    let events = watch(&context, ZMQ_EVENT_ALL, &client, "inproc://refused");
    let endpoint = unused_tcp();
    client.connect(&endpoint).unwrap();
    let mut seen = Vec::new();
    while !seen.contains(&ZMQ_EVENT_CONNECT_RETRIED) {
        let (event, _, name) = event_v1(&events);
        assert_eq!(name, endpoint);
        seen.push(event);
    }
    // The attempt either fails at once (nothing to close) or after the kernel says
    // no (CLOSED); never CONNECTED.
    assert!(!seen.contains(&ZMQ_EVENT_CONNECTED), "{seen:?}");
    finish(context, [client, events]);
}

/// A DEALER with these options, watched for `events` (at `inproc://tag`), connecting
/// to a loopback port nothing listens on.
fn refused_dealer(context: &Context, tag: &str, options: &[(i32, i32)], events: i32) -> (Socket, Socket) {
    let client = socket(context, ZMQ_DEALER);
    for &(option, value) in options {
        client.set_option(option, Some(&int(value))).unwrap();
    }
    let monitor = watch(context, events, &client, &format!("inproc://{tag}"));
    client.connect(&unused_tcp()).unwrap();
    (client, monitor)
}

/// A loopback tcp endpoint nothing listens on.
fn unused_tcp() -> String {
    let unused = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    format!("tcp://{}", unused.local_addr().unwrap())
}

/// The waits CONNECT_RETRIED reports for the first `count` retries of a refused
/// connection with these reconnection options.
fn retry_waits(tag: &str, reconnect_ivl: i32, reconnect_ivl_max: i32, count: usize) -> Vec<u32> {
    let context = Context::new();
    let options = [(ZMQ_RECONNECT_IVL, reconnect_ivl), (ZMQ_RECONNECT_IVL_MAX, reconnect_ivl_max)];
    let (client, events) = refused_dealer(&context, tag, &options, ZMQ_EVENT_CONNECT_RETRIED);
    let waits = (0..count).map(|_| event_v1(&events).1).collect();
    finish(context, [client, events]);
    waits
}

/// As libzmq's `get_new_reconnect_ivl`: with `ZMQ_RECONNECT_IVL_MAX` the wait doubles
/// from the interval up to the maximum; without, it is the interval plus a random part
/// of it, so that peers cut off together do not all call back at once.
#[test]
fn reconnection_backs_off_to_the_maximum_or_spreads_at_random() {
    assert_eq!(retry_waits("backoff", 10, 45, 5), [10, 20, 40, 45, 45]);
    let spread = retry_waits("spread", 20, 0, 8);
    assert!(spread.iter().all(|wait| (20..40).contains(wait)), "{spread:?}");
    // Eight equal draws from twenty values: one chance in 20^7.
    assert!(spread.iter().any(|&wait| wait != spread[0]), "{spread:?}");
}

/// An abstract ipc name nothing listens on, unique to this process and `tag`.
fn unused_ipc(tag: &str) -> String {
    format!("ipc://@libzmq-rs-{tag}-{}", std::process::id())
}

/// Events until `monitor` stays quiet for `quiet_ms`.
fn events_until_quiet(monitor: &zmq::Socket, quiet_ms: i32) -> Vec<i32> {
    monitor.set_option(ZMQ_RCVTIMEO, Some(&int(quiet_ms))).unwrap();
    let mut seen = Vec::new();
    while let Ok(first) = monitor.recv(0) {
        let _endpoint = monitor.recv(0).unwrap();
        seen.push(i32::from(u16::from_ne_bytes([first.data()[0], first.data()[1]])));
        assert!(seen.len() < 1000, "the monitor never went quiet: {seen:?}");
    }
    seen
}

/// A `ZMQ_RECONNECT_IVL` of 0, like -1, means one attempt and no retry, as in libzmq.
#[test]
fn an_interval_of_zero_or_less_makes_one_attempt() {
    for (tag, reconnect_ivl) in [("zero-ivl", 0), ("negative-ivl", -1)] {
        let context = Context::new();
        let (client, events) =
            refused_dealer(&context, tag, &[(ZMQ_RECONNECT_IVL, reconnect_ivl)], ZMQ_EVENT_ALL);
        let seen = events_until_quiet(&events, 300);
        assert!(!seen.contains(&ZMQ_EVENT_CONNECT_RETRIED), "{reconnect_ivl}: {seen:?}");
        // The attempt's descriptor is closed once, whether it failed at once or later.
        assert_eq!(seen.iter().filter(|&&event| event == ZMQ_EVENT_CLOSED).count(), 1, "{seen:?}");
        finish(context, [client, events]);
    }
}

/// A SUB with `ZMQ_RECONNECT_STOP` `stop`, refused once by an ipc name nothing
/// listens on (CLOSED, then CONNECT_RETRIED), then disconnected from it while it
/// waits to try again; with its monitor (every event).
fn disconnected_while_retrying(context: &Context, stop: i32, tag: &str) -> (zmq::Socket, zmq::Socket) {
    let client = socket(context, ZMQ_SUB);
    client.set_option(ZMQ_RECONNECT_STOP, Some(&int(stop))).unwrap();
    client.set_option(ZMQ_RECONNECT_IVL, Some(&int(20))).unwrap();
    let events = watch(context, ZMQ_EVENT_ALL, &client, &format!("inproc://disconnected-{tag}"));
    let endpoint = unused_ipc(&format!("disconnected-{tag}"));
    client.connect(&endpoint).unwrap();
    assert_eq!(event_v1(&events).0, ZMQ_EVENT_CLOSED);
    assert_eq!(event_v1(&events).0, ZMQ_EVENT_CONNECT_RETRIED);
    client.disconnect(&endpoint).unwrap();
    (client, events)
}

#[test]
fn a_refused_ipc_attempt_is_closed_then_retried() {
    // As libzmq's ipc connecter: the descriptor opened for the attempt is reported
    // closed (with its number), then the retry is scheduled.
    let context = Context::new();
    let client = socket(&context, ZMQ_DEALER);
    let events = watch(&context, ZMQ_EVENT_ALL, &client, "inproc://ipc-refused");
    let endpoint = unused_ipc("refused");
    client.connect(&endpoint).unwrap();
    let (event, fd, name) = event_v1(&events);
    assert_eq!((event, name.as_str()), (ZMQ_EVENT_CLOSED, endpoint.as_str()));
    assert!(fd > 2 && fd < 1 << 20, "a descriptor number: {fd}");
    assert_eq!(event_v1(&events).0, ZMQ_EVENT_CONNECT_RETRIED);
    finish(context, [client, events]);
}

#[test]
fn stop_after_disconnect_ends_the_ipc_retries_of_a_disconnected_endpoint() {
    // libzmq's ZMQ_RECONNECT_STOP_AFTER_DISCONNECT (upstream test_reconnect_options):
    // the attempt scheduled before zmq_disconnect is still made, and refused, it is
    // the last.
    let context = Context::new();
    let (client, events) = disconnected_while_retrying(&context, ZMQ_RECONNECT_STOP_AFTER_DISCONNECT, "stop");
    // Whatever attempts came before the disconnect, the last event is the CLOSED of
    // the final one, and nothing follows for ten reconnection intervals.
    let seen = events_until_quiet(&events, 200);
    assert_eq!(seen.last(), Some(&ZMQ_EVENT_CLOSED), "{seen:?}");
    assert!(seen.len() <= 5, "retries went on after the disconnect: {seen:?}");
    finish(context, [client, events]);
}

#[test]
fn without_stop_after_disconnect_a_disconnected_endpoint_is_not_tried_again() {
    let context = Context::new();
    let (client, events) = disconnected_while_retrying(&context, 0, "plain");
    let seen = events_until_quiet(&events, 200);
    assert!(seen.len() <= 4, "retries went on after the disconnect: {seen:?}");
    finish(context, [client, events]);
}

#[test]
fn stop_after_disconnect_leaves_lost_connections_reconnecting() {
    // The option is about zmq_disconnect: a connection lost to a peer that goes
    // away and comes back is made again, as without it.
    let context = Context::new();
    let endpoint = unused_ipc("lost-and-back");
    let first = socket(&context, ZMQ_PULL);
    first.bind(&endpoint).unwrap();
    let push = socket(&context, ZMQ_PUSH);
    push.set_option(ZMQ_RECONNECT_STOP, Some(&int(ZMQ_RECONNECT_STOP_AFTER_DISCONNECT))).unwrap();
    push.set_option(ZMQ_RECONNECT_IVL, Some(&int(20))).unwrap();
    push.connect(&endpoint).unwrap();
    send(&push, b"first");
    assert_eq!(recv(&first), b"first");
    first.close();
    let second = socket(&context, ZMQ_PULL);
    second.bind(&endpoint).unwrap();
    send(&push, b"second");
    assert_eq!(recv(&second), b"second");
    finish(context, [push, second]);
}

#[test]
fn unbind_reports_closed_and_stopping_reports_monitor_stopped() {
    let context = Context::new();
    let server = socket(&context, ZMQ_PULL);
    let events = watch(&context, ZMQ_EVENT_ALL, &server, "inproc://unbind");
    server.bind("tcp://127.0.0.1:*").unwrap();
    let endpoint = last_endpoint(&server);
    let (_, fd, _) = event_v1(&events);
    server.unbind(&endpoint).unwrap();
    assert_eq!(event_v1(&events), (ZMQ_EVENT_CLOSED, fd, endpoint));
    server.monitor(None, 0, 1, ZMQ_PAIR).unwrap();
    assert_eq!(event_v1(&events).0, ZMQ_EVENT_MONITOR_STOPPED);
    // Nothing is sent once stopped.
    server.bind("tcp://127.0.0.1:*").unwrap();
    events.set_option(ZMQ_RCVTIMEO, Some(&int(100))).unwrap();
    assert_eq!(events.recv(0).unwrap_err(), Errno::EAGAIN);
    finish(context, [server, events]);
}

#[test]
fn arguments_are_checked_as_libzmq_does() {
    let context = Context::new();
    let socket = socket(&context, ZMQ_DEALER);
    assert_eq!(socket.monitor(Some("tcp://127.0.0.1:*"), 0, 1, ZMQ_PAIR), Err(Errno::EPROTONOSUPPORT));
    assert_eq!(socket.monitor(Some("inproc://m"), 1 << 16, 1, ZMQ_PAIR), Err(Errno::EINVAL));
    assert_eq!(socket.monitor(Some("inproc://m"), 0, 2, ZMQ_CLIENT), Err(Errno::EINVAL));
    assert_eq!(socket.monitor(Some("nonsense"), 0, 1, ZMQ_PAIR), Err(Errno::EINVAL));
    // Without PIPES_STATS asked for, statistics are refused; without pipes, EAGAIN.
    assert_eq!(socket.pipes_stats(), Err(Errno::EINVAL));
    socket.monitor(Some("inproc://m"), ZMQ_EVENT_PIPES_STATS as u64, 2, ZMQ_PAIR).unwrap();
    assert_eq!(socket.pipes_stats(), Err(Errno::EAGAIN));
    // The name is taken while the monitor runs, and freed when it stops.
    let other = engine::socket(&context, ZMQ_PAIR);
    assert_eq!(other.bind("inproc://m"), Err(Errno::EADDRINUSE));
    socket.monitor(None, 0, 1, ZMQ_PAIR).unwrap();
    other.bind("inproc://m").unwrap();
    finish(context, [socket, other]);
}

#[test]
fn pipe_statistics_count_what_is_queued_each_way() {
    let context = Context::new();
    let push = socket(&context, ZMQ_PUSH);
    push.monitor(Some("inproc://stats"), ZMQ_EVENT_PIPES_STATS as u64, 2, ZMQ_PAIR).unwrap();
    let events = engine::socket(&context, ZMQ_PAIR);
    events.connect("inproc://stats").unwrap();
    push.bind("tcp://127.0.0.1:*").unwrap();
    let endpoint = last_endpoint(&push);
    let pull = socket(&context, ZMQ_PULL);
    pull.connect(&endpoint).unwrap();
    send(&push, b"first");
    assert_eq!(recv(&pull), b"first");
    push.pipes_stats().unwrap();
    let (event, values, local, remote) = event_v2(&events);
    assert_eq!(event, ZMQ_EVENT_PIPES_STATS as u64);
    assert_eq!(values.len(), 2);
    assert_eq!(local, endpoint);
    assert!(remote.starts_with("tcp://127.0.0.1:"), "{remote}");
    finish(context, [push, events, pull]);
}
