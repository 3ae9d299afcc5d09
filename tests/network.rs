//! The engine over tcp and ipc, through its Rust API: endpoints and their errors,
//! wildcards and ZMQ_LAST_ENDPOINT, queuing before a peer exists, reconnection after
//! a peer restarts, ipc files cleaned up. Loopback only; every wait is bounded.

use std::time::Duration;

mod engine;

use engine::*;
use zmq::constants::*;
use zmq::{Context, Errno, Msg};

#[test]
fn tcp_wildcard_port_is_reported_and_reachable() {
    let context = Context::new();
    let (server, client) = (socket(&context, ZMQ_PAIR), socket(&context, ZMQ_PAIR));
    server.bind("tcp://127.0.0.1:*").unwrap();
    let endpoint = last_endpoint(&server);
    assert!(endpoint.starts_with("tcp://127.0.0.1:") && !endpoint.ends_with(":0"), "{endpoint}");
    client.connect(&endpoint).unwrap();
    send(&client, b"hello");
    assert_eq!(recv(&server), b"hello");
    send(&server, b"world");
    assert_eq!(recv(&client), b"world");
    for socket in [server, client] {
        socket.close();
    }
    terminate(&context);
}

#[test]
fn endpoint_errors_are_libzmqs() {
    let context = Context::new();
    let (first, second) = (socket(&context, ZMQ_PULL), socket(&context, ZMQ_PULL));
    first.bind("tcp://127.0.0.1:*").unwrap();
    let endpoint = last_endpoint(&first);
    assert_eq!(second.bind(&endpoint), Err(Errno::EADDRINUSE));
    assert_eq!(second.bind("tcp://127.0.0.1"), Err(Errno::EINVAL));
    assert_eq!(second.connect("tcp://127.0.0.1:*"), Err(Errno::EINVAL));
    assert_eq!(second.connect("tcp://*:5555"), Err(Errno::EINVAL));
    assert_eq!(second.unbind("tcp://127.0.0.1:1"), Err(Errno::ENOENT));
    // A wildcard is unbound by the endpoint it resolved to.
    first.unbind(&endpoint).unwrap();
    assert_eq!(first.unbind(&endpoint), Err(Errno::ENOENT));
    second.bind(&endpoint).unwrap();
    for socket in [first, second] {
        socket.close();
    }
    terminate(&context);
}

#[test]
fn messages_queued_before_the_peer_binds_are_delivered() {
    let context = Context::new();
    let (push, pull) = (socket(&context, ZMQ_PUSH), socket(&context, ZMQ_PULL));
    // Find a free port, then let it go so the connect has nothing to reach at first.
    pull.bind("tcp://127.0.0.1:*").unwrap();
    let endpoint = last_endpoint(&pull);
    pull.unbind(&endpoint).unwrap();
    push.set_option(ZMQ_RECONNECT_IVL, Some(&int(20))).unwrap();
    push.connect(&endpoint).unwrap();
    for i in 0..10u8 {
        push.send(&mut Msg::from_slice(&[i]).unwrap(), ZMQ_DONTWAIT).expect("queued without a peer");
    }
    std::thread::sleep(Duration::from_millis(100));
    pull.bind(&endpoint).unwrap();
    for i in 0..10u8 {
        assert_eq!(recv(&pull), [i]);
    }
    for socket in [push, pull] {
        socket.close();
    }
    terminate(&context);
}

#[test]
fn a_restarted_peer_is_reconnected() {
    let context = Context::new();
    let push = socket(&context, ZMQ_PUSH);
    push.set_option(ZMQ_RECONNECT_IVL, Some(&int(20))).unwrap();
    let pull = socket(&context, ZMQ_PULL);
    pull.bind("tcp://127.0.0.1:*").unwrap();
    let endpoint = last_endpoint(&pull);
    push.connect(&endpoint).unwrap();
    send(&push, b"before");
    assert_eq!(recv(&pull), b"before");
    pull.close();
    let pull = socket(&context, ZMQ_PULL);
    pull.bind(&endpoint).unwrap();
    send(&push, b"after");
    assert_eq!(recv(&pull), b"after");
    for socket in [push, pull] {
        socket.close();
    }
    terminate(&context);
}

#[test]
fn large_and_multipart_messages_cross_intact() {
    let context = Context::new();
    let (push, pull) = (socket(&context, ZMQ_PUSH), socket(&context, ZMQ_PULL));
    pull.bind("tcp://127.0.0.1:*").unwrap();
    push.connect(&last_endpoint(&pull)).unwrap();
    let sizes = [0usize, 1, 255, 256, 257, 8191, 8192, 70_000, 1 << 20, 3 << 20];
    for (index, &size) in sizes.iter().enumerate() {
        let body: Vec<u8> = (0..size).map(|i| (i * 31 + index) as u8).collect();
        let mut msg = Msg::from_slice(&body).unwrap();
        let more = if index + 1 < sizes.len() { ZMQ_SNDMORE } else { 0 };
        push.send(&mut msg, more).unwrap();
    }
    for (index, &size) in sizes.iter().enumerate() {
        let msg = pull.recv(0).unwrap();
        let body: Vec<u8> = (0..size).map(|i| (i * 31 + index) as u8).collect();
        assert_eq!(msg.data(), &body[..], "part {index} of {size} bytes");
        assert_eq!(msg.more(), index + 1 < sizes.len());
    }
    for socket in [push, pull] {
        socket.close();
    }
    terminate(&context);
}

#[test]
fn many_small_messages_keep_their_order() {
    let context = Context::new();
    let (push, pull) = (socket(&context, ZMQ_PUSH), socket(&context, ZMQ_PULL));
    pull.bind("tcp://127.0.0.1:*").unwrap();
    push.connect(&last_endpoint(&pull)).unwrap();
    let sender = std::thread::spawn(move || {
        for i in 0..50_000u32 {
            send(&push, &i.to_be_bytes());
        }
        push
    });
    for i in 0..50_000u32 {
        assert_eq!(recv(&pull), i.to_be_bytes());
    }
    let push = sender.join().unwrap();
    for socket in [push, pull] {
        socket.close();
    }
    terminate(&context);
}

#[test]
fn ipc_paths_wildcards_and_the_abstract_namespace() {
    let context = Context::new();
    let (server, client) = (socket(&context, ZMQ_PAIR), socket(&context, ZMQ_PAIR));
    server.bind("ipc://*").unwrap();
    let endpoint = last_endpoint(&server);
    let path = std::path::PathBuf::from(endpoint.strip_prefix("ipc://").unwrap());
    assert!(path.exists(), "{endpoint}");
    client.connect(&endpoint).unwrap();
    send(&client, b"over a file");
    assert_eq!(recv(&server), b"over a file");
    server.close();
    client.close();
    let abstract_name = format!("ipc://@zmq-rs-test-{}", std::process::id());
    let (server, client) = (socket(&context, ZMQ_PAIR), socket(&context, ZMQ_PAIR));
    server.bind(&abstract_name).unwrap();
    assert_eq!(last_endpoint(&server), abstract_name);
    client.connect(&abstract_name).unwrap();
    send(&client, b"abstract");
    assert_eq!(recv(&server), b"abstract");
    server.close();
    client.close();
    terminate(&context);
    assert!(!path.exists(), "the socket file is removed when its socket closes");
}

#[test]
fn linger_lets_queued_messages_out_before_term_returns() {
    let context = Context::new();
    let receiver_context = Context::new();
    let pull = socket(&receiver_context, ZMQ_PULL);
    pull.bind("tcp://127.0.0.1:*").unwrap();
    let push = socket(&context, ZMQ_PUSH);
    push.set_option(ZMQ_LINGER, Some(&int(5000))).unwrap();
    push.connect(&last_endpoint(&pull)).unwrap();
    for i in 0..100u8 {
        send(&push, &[i]);
    }
    push.close();
    terminate(&context);
    for i in 0..100u8 {
        assert_eq!(recv(&pull), [i]);
    }
    pull.close();
    terminate(&receiver_context);
}

#[test]
fn reconnect_stop_on_refusal_drops_the_queue() {
    let context = Context::new();
    // A port with nothing behind it: bind, note, unbind.
    let probe = socket(&context, ZMQ_PULL);
    probe.bind("tcp://127.0.0.1:*").unwrap();
    let endpoint = last_endpoint(&probe);
    probe.unbind(&endpoint).unwrap();

    let stopping = socket(&context, ZMQ_PUSH);
    stopping.set_option(ZMQ_RECONNECT_STOP, Some(&int(ZMQ_RECONNECT_STOP_CONN_REFUSED))).unwrap();
    stopping.connect(&endpoint).unwrap();
    let retrying = socket(&context, ZMQ_PUSH);
    retrying.set_option(ZMQ_RECONNECT_IVL, Some(&int(10))).unwrap();
    retrying.connect(&endpoint).unwrap();
    std::thread::sleep(Duration::from_millis(300));
    // The refused session gave up and took its pipe away; the other still queues.
    let mut msg = Msg::from_slice(b"x").unwrap();
    assert_eq!(stopping.send(&mut msg, ZMQ_DONTWAIT), Err(Errno::EAGAIN));
    retrying.send(&mut Msg::from_slice(b"queued").unwrap(), ZMQ_DONTWAIT).unwrap();
    probe.bind(&endpoint).unwrap();
    assert_eq!(recv(&probe), b"queued");
    for socket in [probe, stopping, retrying] {
        socket.close();
    }
    terminate(&context);
}

#[test]
fn a_silent_peer_is_dropped_after_the_handshake_interval() {
    use std::io::Read;
    let context = Context::new();
    let pull = socket(&context, ZMQ_PULL);
    pull.set_option(ZMQ_HANDSHAKE_IVL, Some(&int(100))).unwrap();
    pull.bind("tcp://127.0.0.1:*").unwrap();
    let address = last_endpoint(&pull).trim_start_matches("tcp://").to_owned();
    let mut raw = std::net::TcpStream::connect(address).unwrap();
    raw.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    // We get the start of a greeting, then the end of the stream once 100 ms pass.
    let mut received = Vec::new();
    let started = std::time::Instant::now();
    raw.read_to_end(&mut received).expect("the server closes, within the read timeout");
    assert_eq!(received.first(), Some(&0xff), "a ZMTP signature");
    assert!(started.elapsed() < Duration::from_secs(4));
    pull.close();
    terminate(&context);
}

#[test]
fn immediate_queues_nothing_for_peers_not_yet_connected() {
    let context = Context::new();
    let probe = socket(&context, ZMQ_PULL);
    probe.bind("tcp://127.0.0.1:*").unwrap();
    let endpoint = last_endpoint(&probe);
    probe.unbind(&endpoint).unwrap();
    let push = socket(&context, ZMQ_PUSH);
    push.set_option(ZMQ_IMMEDIATE, Some(&int(1))).unwrap();
    push.set_option(ZMQ_RECONNECT_IVL, Some(&int(10))).unwrap();
    push.connect(&endpoint).unwrap();
    let mut msg = Msg::from_slice(b"nowhere").unwrap();
    assert_eq!(push.send(&mut msg, ZMQ_DONTWAIT), Err(Errno::EAGAIN));
    probe.bind(&endpoint).unwrap();
    // Once connected, the pipe exists and messages flow.
    let mut delivered = false;
    for _ in 0..500 {
        if push.send(&mut Msg::from_slice(b"now").unwrap(), ZMQ_DONTWAIT).is_ok() {
            delivered = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    assert!(delivered, "the connection came up within 5 s");
    assert_eq!(recv(&probe), b"now");
    for socket in [probe, push] {
        socket.close();
    }
    terminate(&context);
}

#[test]
fn garbage_and_oversized_frames_end_only_that_connection() {
    use std::io::{Read, Write};
    let context = Context::new();
    let pull = socket(&context, ZMQ_PULL);
    pull.set_option(ZMQ_MAXMSGSIZE, Some(&100i64.to_ne_bytes())).unwrap();
    pull.bind("tcp://127.0.0.1:*").unwrap();
    let endpoint = last_endpoint(&pull);
    let address = endpoint.trim_start_matches("tcp://").to_owned();
    let closed_after = |bytes: &[u8]| {
        let mut raw = std::net::TcpStream::connect(&address).unwrap();
        raw.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        raw.write_all(bytes).unwrap();
        let mut sink = Vec::new();
        // The server ends the connection (EOF or reset), never hangs.
        let _ = raw.read_to_end(&mut sink);
    };
    let greeting = |mechanism: &[u8]| {
        let mut greeting = vec![0xff, 0, 0, 0, 0, 0, 0, 0, 1, 0x7f, 3, 0];
        greeting.extend_from_slice(mechanism);
        greeting.resize(64, 0);
        greeting
    };
    // A mechanism we do not speak.
    closed_after(&greeting(b"BOGUS"));
    // A valid ZMTP 3.0 PUSH greeting and READY, then a 1000-byte frame over MAXMSGSIZE.
    let greeting = greeting(b"NULL");
    let mut ready = vec![0x04, 0, 5];
    ready.extend_from_slice(b"READY");
    ready.extend_from_slice(&[11]);
    ready.extend_from_slice(b"Socket-Type");
    ready.extend_from_slice(&4u32.to_be_bytes());
    ready.extend_from_slice(b"PUSH");
    ready[1] = (ready.len() - 2) as u8;
    let mut oversized = vec![0x02];
    oversized.extend_from_slice(&1000u64.to_be_bytes());
    oversized.resize(9 + 1000, 7);
    closed_after(&[greeting, ready[..2].to_vec(), ready[2..].to_vec(), oversized].concat());
    // The socket is unharmed: a real peer still gets through.
    let push = socket(&context, ZMQ_PUSH);
    push.connect(&endpoint).unwrap();
    send(&push, b"still serving");
    assert_eq!(recv(&pull), b"still serving");
    for socket in [pull, push] {
        socket.close();
    }
    terminate(&context);
}

/// A raw ZMTP 3.0 PUSH on `raw`: greeting, READY, then `frames` (flags and body each);
/// it reads our greeting and READY before ending the stream with FIN (closing with
/// unread input would send RST, which may discard what was sent before it reaches the
/// session), `linger` after writing.
fn raw_push(mut raw: std::net::TcpStream, frames: &[(u8, &[u8])], linger: Duration) {
    use std::io::{Read, Write};
    raw.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let mut greeting = vec![0xff, 0, 0, 0, 0, 0, 0, 0, 1, 0x7f, 3, 0];
    greeting.extend_from_slice(b"NULL");
    greeting.resize(64, 0);
    let mut ready = vec![0x04, 0];
    ready.extend_from_slice(b"\x05READY\x0bSocket-Type");
    ready.extend_from_slice(&4u32.to_be_bytes());
    ready.extend_from_slice(b"PUSH");
    ready[1] = (ready.len() - 2) as u8;
    let mut bytes = [greeting, ready].concat();
    for (flags, body) in frames {
        bytes.extend_from_slice(&[*flags, body.len() as u8]);
        bytes.extend_from_slice(body);
    }
    raw.write_all(&bytes).unwrap();
    let mut answer = [0u8; 128];
    let mut got = 0;
    while got < 64 + 2 {
        let n = raw.read(&mut answer[got..]).expect("the peer's greeting");
        assert!(n > 0, "the peer closed before its greeting");
        got += n;
    }
    std::thread::sleep(linger);
    raw.shutdown(std::net::Shutdown::Write).unwrap();
    let mut rest = Vec::new();
    let _ = raw.read_to_end(&mut rest);
}

#[test]
fn a_multipart_message_cut_by_a_dying_peer_is_never_delivered() {
    const MORE: u8 = 0x01;
    let context = Context::new();
    // A peer that connected here dies after two parts of a three-part message.
    let pull = socket(&context, ZMQ_PULL);
    pull.bind("tcp://127.0.0.1:*").unwrap();
    let endpoint = last_endpoint(&pull);
    let raw = std::net::TcpStream::connect(endpoint.trim_start_matches("tcp://")).unwrap();
    raw_push(raw, &[(MORE, b"first"), (MORE, b"second")], Duration::from_millis(200));
    assert_eq!(pull.recv(ZMQ_DONTWAIT).map(|m| m.data().to_vec()), Err(Errno::EAGAIN));
    let push = socket(&context, ZMQ_PUSH);
    push.connect(&endpoint).unwrap();
    send(&push, b"whole");
    assert_eq!(recv_parts(&pull), [b"whole".to_vec()]);

    // A peer this socket connected to dies the same way; the socket keeps its pipe and
    // reconnects, and the next peer's message is not glued to the cut one.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let connecting = socket(&context, ZMQ_PULL);
    connecting.set_option(ZMQ_RECONNECT_IVL, Some(&int(10))).unwrap();
    connecting.connect(&format!("tcp://{}", listener.local_addr().unwrap())).unwrap();
    let (first, _) = listener.accept().unwrap();
    raw_push(first, &[(MORE, b"first"), (MORE, b"second")], Duration::from_millis(200));
    let (second, _) = listener.accept().unwrap();
    raw_push(second, &[(0, b"whole")], Duration::from_millis(200));
    assert_eq!(recv_parts(&connecting), [b"whole".to_vec()]);
    std::thread::sleep(Duration::from_millis(100));
    for socket in [&pull, &connecting] {
        assert_eq!(socket.recv(ZMQ_DONTWAIT).map(|m| m.data().to_vec()), Err(Errno::EAGAIN));
    }
    for socket in [pull, push, connecting] {
        socket.close();
    }
    terminate(&context);
}

#[test]
fn a_message_sent_just_before_close_is_delivered_within_linger() {
    let context = Context::new();
    let probe = socket(&context, ZMQ_PULL);
    probe.bind("tcp://127.0.0.1:*").unwrap();
    let endpoint = last_endpoint(&probe);
    probe.unbind(&endpoint).unwrap();
    // Send and close before any connection exists; the peer binds afterwards.
    let sender_context = Context::new();
    let push = socket(&sender_context, ZMQ_PUSH);
    push.set_option(ZMQ_LINGER, Some(&int(5000))).unwrap();
    push.set_option(ZMQ_RECONNECT_IVL, Some(&int(10))).unwrap();
    push.connect(&endpoint).unwrap();
    send(&push, b"parting words");
    push.close();
    let terminating = std::thread::spawn(move || sender_context.terminate());
    std::thread::sleep(Duration::from_millis(50));
    probe.bind(&endpoint).unwrap();
    assert_eq!(recv(&probe), b"parting words");
    terminating.join().unwrap();
    probe.close();
    terminate(&context);
}

#[test]
fn ipc_filters_admit_only_the_peers_they_name() {
    let context = Context::new();
    // SAFETY: getuid only reads the calling process's user id.
    let uid = unsafe { libc::getuid() };
    for (filter, admitted) in [(uid, true), (uid + 1, false)] {
        let server = socket(&context, ZMQ_PAIR);
        server.set_option(ZMQ_IPC_FILTER_UID, Some(&filter.to_ne_bytes())).unwrap();
        server.set_option(ZMQ_RCVTIMEO, Some(&int(300))).unwrap();
        let path = std::env::temp_dir().join(format!("ipc-filter-{}-{filter}.ipc", std::process::id()));
        let endpoint = format!("ipc://{}", path.display());
        server.bind(&endpoint).unwrap();
        let client = socket(&context, ZMQ_PAIR);
        client.set_option(ZMQ_SNDTIMEO, Some(&int(0))).unwrap();
        client.connect(&endpoint).unwrap();
        let _ = client.send(&mut zmq::Msg::from_slice(b"hello").unwrap(), 0);
        let received = server.recv(0).map(|msg| msg.data().to_vec());
        if admitted {
            assert_eq!(received, Ok(b"hello".to_vec()));
        } else {
            assert_eq!(received, Err(Errno::EAGAIN));
        }
        server.close();
        client.close();
    }
    terminate(&context);
}

#[test]
fn use_fd_listens_on_a_descriptor_the_application_made() {
    use std::os::fd::IntoRawFd;
    let context = Context::new();
    let made = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let endpoint = format!("tcp://{}", made.local_addr().unwrap());
    let server = socket(&context, ZMQ_PAIR);
    server.set_option(ZMQ_USE_FD, Some(&int(made.into_raw_fd()))).unwrap();
    // The address is the application's already: binding it again would fail.
    server.bind(&endpoint).unwrap();
    assert_eq!(last_endpoint(&server), endpoint);
    let client = socket(&context, ZMQ_PAIR);
    client.connect(&endpoint).unwrap();
    send(&client, b"over an adopted listener");
    assert_eq!(recv(&server), b"over an adopted listener");
    finish(context, [server, client]);
}

#[test]
fn messages_over_tcp_know_their_descriptor() {
    let context = Context::new();
    let server = socket(&context, ZMQ_PAIR);
    server.bind("tcp://127.0.0.1:*").unwrap();
    let client = socket(&context, ZMQ_PAIR);
    client.connect(&last_endpoint(&server)).unwrap();
    send(&client, b"where from");
    let msg = server.recv(0).unwrap();
    // ZMQ_SRCFD (deprecated): the accepted connection's descriptor.
    let fd = msg.metadata().and_then(|metadata| metadata.source_fd()).expect("a source descriptor");
    assert!(fd > 2);
    finish(context, [server, client]);
}

/// A host name is looked up at each attempt, on a thread of its own: while the one I/O
/// thread's session for a name that does not resolve looks it up and tries again
/// (`CONNECT_RETRIED`; RFC 6761 keeps `.invalid` unresolvable), a connection made by
/// name on the same thread works. libzmq looks names up on its I/O thread, stalling
/// every connection it serves meanwhile.
#[test]
fn host_names_are_looked_up_off_the_io_thread_at_each_attempt() {
    let context = Context::new();
    let lost = socket(&context, ZMQ_PAIR);
    lost.set_option(ZMQ_RECONNECT_IVL, Some(&int(20))).unwrap();
    let events = watch(&context, ZMQ_EVENT_CONNECT_RETRIED, &lost, "inproc://lookup-events");
    // However slow the resolver is here, its answer (and the retry) comes within this.
    events.set_option(ZMQ_RCVTIMEO, Some(&int(60_000))).unwrap();
    lost.connect("tcp://no-such-host.invalid:5555").unwrap();

    let server = socket(&context, ZMQ_PAIR);
    server.bind("tcp://127.0.0.1:*").unwrap();
    let port = last_endpoint(&server).rsplit(':').next().unwrap().to_owned();
    let client = socket(&context, ZMQ_PAIR);
    client.connect(&format!("tcp://localhost:{port}")).unwrap();
    send(&client, b"by name");
    assert_eq!(recv(&server), b"by name");
    send(&server, b"and back");
    assert_eq!(recv(&client), b"and back");

    assert_eq!(event_v1(&events).0, ZMQ_EVENT_CONNECT_RETRIED);
    finish(context, [lost, events, server, client]);
}

/// A first attempt that gives up after its name lookup (no retry with
/// `ZMQ_RECONNECT_IVL` -1) leaves the socket's queue in place, as one that gives up at
/// once does and as in libzmq: a PUSH still accepts messages.
#[test]
fn a_first_attempt_given_up_after_a_lookup_keeps_the_queue() {
    let context = Context::new();
    let push = socket(&context, ZMQ_PUSH);
    push.set_option(ZMQ_RECONNECT_IVL, Some(&int(-1))).unwrap();
    push.connect("tcp://no-such-host.invalid:5555").unwrap();
    // Time for the lookup to fail here; were it still under way, the message would
    // queue all the same.
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(push.send(&mut Msg::from_slice(b"queued").unwrap(), ZMQ_DONTWAIT), Ok(()));
    finish(context, [push]);
}
