//! The single-part draft socket types through the engine's Rust API: CLIENT/SERVER
//! (routing ids, EHOSTUNREACH, EINVAL on SNDMORE, multipart dropped), SCATTER/GATHER
//! (round robin, fair queue), CHANNEL, and ZMQ_THREAD_SAFE. inproc and tcp over
//! loopback; every wait is bounded by RCVTIMEO/SNDTIMEO.

mod engine;

use engine::*;
use zmq::constants::*;
use zmq::{Context, Errno, Msg, Socket};

/// A message received by a SERVER: its bytes and its peer's routing id.
fn recv_with_id(socket: &Socket) -> (Vec<u8>, u32) {
    let msg = socket.recv(0).expect("a message within 5 s");
    assert!(!msg.more());
    (msg.data().to_vec(), msg.routing_id())
}

fn send_to(socket: &Socket, routing_id: u32, bytes: &[u8]) -> Result<(), Errno> {
    let mut msg = Msg::from_slice(bytes).unwrap();
    msg.set_routing_id(routing_id)?;
    socket.send(&mut msg, 0)
}

fn client_server_round_trip(transport: &str) {
    let context = Context::new();
    let server = socket(&context, ZMQ_SERVER);
    server.bind(transport).unwrap();
    let endpoint = last_endpoint(&server);
    let (first, second) = (socket(&context, ZMQ_CLIENT), socket(&context, ZMQ_CLIENT));
    first.connect(&endpoint).unwrap();
    second.connect(&endpoint).unwrap();
    send(&first, b"from first");
    let (bytes, first_id) = recv_with_id(&server);
    assert_eq!(bytes, b"from first");
    assert_ne!(first_id, 0);
    send(&second, b"from second");
    let (bytes, second_id) = recv_with_id(&server);
    assert_eq!(bytes, b"from second");
    assert_ne!(second_id, 0);
    assert_ne!(first_id, second_id);
    // Every message from a peer carries the same id.
    send(&first, b"again");
    assert_eq!(recv_with_id(&server), (b"again".to_vec(), first_id));
    // Replies reach the peer the id names, without the id.
    send_to(&server, second_id, b"to second").unwrap();
    send_to(&server, first_id, b"to first").unwrap();
    let reply = second.recv(0).unwrap();
    assert_eq!((reply.data(), reply.routing_id()), (&b"to second"[..], 0));
    assert_eq!(recv(&first), b"to first");
    // Unknown or missing ids.
    let unknown = first_id.wrapping_add(1000).max(1);
    assert_eq!(send_to(&server, unknown, b"x"), Err(Errno::EHOSTUNREACH));
    assert_eq!(server.send(&mut Msg::from_slice(b"x").unwrap(), 0), Err(Errno::EHOSTUNREACH));
    // SNDMORE is refused on both sides; the message is kept.
    let mut msg = Msg::from_slice(b"part").unwrap();
    msg.set_routing_id(first_id).unwrap();
    assert_eq!(server.send(&mut msg, ZMQ_SNDMORE), Err(Errno::EINVAL));
    assert_eq!(msg.data(), b"part");
    assert_eq!(first.send(&mut Msg::from_slice(b"part").unwrap(), ZMQ_SNDMORE), Err(Errno::EINVAL));
    finish(context, [server, first, second]);
}

#[test]
fn client_server_inproc() {
    client_server_round_trip("inproc://client-server");
}

#[test]
fn client_server_tcp() {
    client_server_round_trip("tcp://127.0.0.1:*");
}

#[test]
fn client_server_ipc() {
    let path = std::env::temp_dir().join(format!("draft-types-{}.ipc", std::process::id()));
    client_server_round_trip(&format!("ipc://{}", path.display()));
}

#[test]
fn multipart_messages_are_dropped_whole() {
    let context = Context::new();
    // Only classic peers can send multipart; inproc does not check types.
    for (kind, peer_kind) in [(ZMQ_SERVER, ZMQ_DEALER), (ZMQ_CLIENT, ZMQ_DEALER), (ZMQ_GATHER, ZMQ_PUSH)] {
        let receiver = socket(&context, kind);
        let address = format!("inproc://multipart-{kind}");
        receiver.bind(&address).unwrap();
        let sender = socket(&context, peer_kind);
        sender.connect(&address).unwrap();
        send_parts(&sender, &[b"a", b"b", b"c"]);
        send(&sender, b"single");
        send_parts(&sender, &[b"d", b"e"]);
        send(&sender, b"last");
        let first = receiver.recv(0).unwrap();
        assert_eq!((first.data(), first.more()), (&b"single"[..], false));
        assert_eq!(recv(&receiver), b"last");
        assert_eq!(receiver.recv(ZMQ_DONTWAIT).unwrap_err(), Errno::EAGAIN);
        receiver.close();
        sender.close();
    }
    let channel = socket(&context, ZMQ_CHANNEL);
    channel.bind("inproc://multipart-channel").unwrap();
    let pair = socket(&context, ZMQ_PAIR);
    pair.connect("inproc://multipart-channel").unwrap();
    send_parts(&pair, &[b"a", b"b"]);
    send(&pair, b"single");
    assert_eq!(recv(&channel), b"single");
    assert_eq!(channel.recv(ZMQ_DONTWAIT).unwrap_err(), Errno::EAGAIN);
    finish(context, [channel, pair]);
}

fn scatter_gather(transport: &str) {
    let context = Context::new();
    let scatter = socket(&context, ZMQ_SCATTER);
    // The SCATTER connects, so its three pipes exist (queuing) before any handshake.
    let gathers: Vec<Socket> = (0..3)
        .map(|index| {
            let gather = socket(&context, ZMQ_GATHER);
            let address =
                if transport == "inproc" { format!("inproc://scatter-{index}") } else { transport.into() };
            gather.bind(&address).unwrap();
            scatter.connect(&last_endpoint(&gather)).unwrap();
            gather
        })
        .collect();
    for index in 0..9 {
        send(&scatter, format!("m{index}").as_bytes());
    }
    let mut firsts = Vec::new();
    for gather in &gathers {
        let got: Vec<u32> =
            (0..3).map(|_| String::from_utf8(recv(gather)).unwrap()[1..].parse::<u32>().unwrap()).collect();
        assert_eq!(got[1], got[0] + 3);
        assert_eq!(got[2], got[1] + 3);
        firsts.push(got[0]);
        assert_eq!(gather.recv(ZMQ_DONTWAIT).unwrap_err(), Errno::EAGAIN);
    }
    firsts.sort_unstable();
    assert_eq!(firsts, [0, 1, 2]);
    assert_eq!(scatter.send(&mut Msg::from_slice(b"x").unwrap(), ZMQ_SNDMORE), Err(Errno::EINVAL));
    assert_eq!(scatter.recv(ZMQ_DONTWAIT).unwrap_err(), Errno::ENOTSUP);
    assert_eq!(gathers[0].send(&mut Msg::from_slice(b"x").unwrap(), 0), Err(Errno::ENOTSUP));
    assert_eq!(gathers[0].send(&mut Msg::from_slice(b"x").unwrap(), ZMQ_SNDMORE), Err(Errno::ENOTSUP));
    finish(context, std::iter::once(scatter).chain(gathers));
}

#[test]
fn scatter_round_robin_inproc() {
    scatter_gather("inproc");
}

#[test]
fn scatter_round_robin_tcp() {
    scatter_gather("tcp://127.0.0.1:*");
}

#[test]
fn gather_fair_queues() {
    let context = Context::new();
    let gather = socket(&context, ZMQ_GATHER);
    gather.bind("inproc://gather").unwrap();
    let scatters: Vec<Socket> = (0..3).map(|_| socket(&context, ZMQ_SCATTER)).collect();
    for (index, scatter) in scatters.iter().enumerate() {
        scatter.connect("inproc://gather").unwrap();
        for count in 0..3 {
            send(scatter, format!("{index}{count}").as_bytes());
        }
    }
    let got: Vec<Vec<u8>> = (0..9).map(|_| recv(&gather)).collect();
    // Each round takes one from every sender.
    for round in got.chunks(3) {
        let mut senders: Vec<u8> = round.iter().map(|m| m[0]).collect();
        senders.sort_unstable();
        assert_eq!(senders, b"012");
    }
    finish(context, std::iter::once(gather).chain(scatters));
}

fn channel_both_ways(transport: &str) {
    let context = Context::new();
    let (a, b) = (socket(&context, ZMQ_CHANNEL), socket(&context, ZMQ_CHANNEL));
    a.bind(transport).unwrap();
    b.connect(&last_endpoint(&a)).unwrap();
    send(&b, b"ping");
    assert_eq!(recv(&a), b"ping");
    send(&a, b"pong");
    assert_eq!(recv(&b), b"pong");
    assert_eq!(a.send(&mut Msg::from_slice(b"x").unwrap(), ZMQ_SNDMORE), Err(Errno::EINVAL));
    finish(context, [a, b]);
}

#[test]
fn channel_inproc() {
    channel_both_ways("inproc://channel");
}

#[test]
fn channel_tcp() {
    channel_both_ways("tcp://127.0.0.1:*");
}

#[test]
fn incompatible_types_do_not_talk_over_tcp() {
    let context = Context::new();
    let server = socket(&context, ZMQ_SERVER);
    server.set_option(ZMQ_RCVTIMEO, Some(&int(200))).unwrap();
    server.bind("tcp://127.0.0.1:*").unwrap();
    let dealer = socket(&context, ZMQ_DEALER);
    dealer.connect(&last_endpoint(&server)).unwrap();
    send(&dealer, b"hello");
    assert_eq!(server.recv(0).unwrap_err(), Errno::EAGAIN);
    finish(context, [server, dealer]);
}

#[test]
fn thread_safe_option_and_no_fd() {
    let context = Context::new();
    for kind in [ZMQ_SERVER, ZMQ_CLIENT, ZMQ_SCATTER, ZMQ_GATHER, ZMQ_CHANNEL, ZMQ_PEER, ZMQ_RADIO, ZMQ_DISH]
    {
        let socket = Socket::new(&context, kind).unwrap();
        assert_eq!(socket.option(ZMQ_THREAD_SAFE, 4).unwrap(), int(1), "type {kind}");
        assert_eq!(socket.option(ZMQ_FD, 8).unwrap_err(), Errno::EINVAL, "type {kind}");
        socket.close();
    }
    for kind in [ZMQ_PAIR, ZMQ_PUSH, ZMQ_DEALER, ZMQ_ROUTER, ZMQ_DGRAM] {
        let socket = Socket::new(&context, kind).unwrap();
        assert_eq!(socket.option(ZMQ_THREAD_SAFE, 4).unwrap(), int(0), "type {kind}");
        socket.close();
    }
    assert_eq!(Socket::new(&context, 21).unwrap_err(), Errno::EINVAL);
    terminate(&context);
}

#[test]
fn a_server_is_shared_between_threads() {
    let context = Context::new();
    let server = socket(&context, ZMQ_SERVER);
    server.bind("inproc://threads").unwrap();
    let clients: Vec<Socket> = (0..4).map(|_| socket(&context, ZMQ_CLIENT)).collect();
    for client in &clients {
        client.connect("inproc://threads").unwrap();
    }
    // Four threads answer on the same SERVER at once.
    let workers: Vec<_> = (0..4)
        .map(|_| {
            let server = server.clone();
            std::thread::spawn(move || {
                let (bytes, id) = recv_with_id(&server);
                send_to(&server, id, &bytes).unwrap();
            })
        })
        .collect();
    for (index, client) in clients.iter().enumerate() {
        send(client, format!("echo {index}").as_bytes());
    }
    for (index, client) in clients.iter().enumerate() {
        assert_eq!(recv(client), format!("echo {index}").as_bytes());
    }
    for worker in workers {
        worker.join().unwrap();
    }
    finish(context, std::iter::once(server).chain(clients));
}

/// PEER: both sides bind or connect; `connect_peer` names the new peer at once, so
/// the connecting side can speak first.
fn peer_round_trip(transport: &str) {
    let context = Context::new();
    let first = socket(&context, ZMQ_PEER);
    first.bind(transport).unwrap();
    let endpoint = last_endpoint(&first);
    let second = socket(&context, ZMQ_PEER);
    let first_id = second.connect_peer(&endpoint).unwrap();
    assert_ne!(first_id, 0);
    send_to(&second, first_id, b"hello").unwrap();
    let (bytes, second_id) = recv_with_id(&first);
    assert_eq!(bytes, b"hello");
    assert_ne!(second_id, 0);
    send_to(&first, second_id, b"back").unwrap();
    assert_eq!(recv_with_id(&second), (b"back".to_vec(), first_id));
    // Dropping a peer by its id: it can no longer be sent to, and twice is unknown.
    first.disconnect_peer(second_id).unwrap();
    assert_eq!(send_to(&first, second_id, b"gone"), Err(Errno::EHOSTUNREACH));
    assert_eq!(first.disconnect_peer(second_id), Err(Errno::EHOSTUNREACH));
    finish(context, [first, second]);
}

#[test]
fn peer_inproc() {
    peer_round_trip("inproc://peer");
}

#[test]
fn peer_tcp() {
    peer_round_trip("tcp://127.0.0.1:*");
}

#[test]
fn connect_peer_rules() {
    let context = Context::new();
    // Only PEER connects by peer; ZMQ_IMMEDIATE would leave no pipe to name.
    let server = socket(&context, ZMQ_SERVER);
    assert_eq!(server.connect_peer("inproc://nowhere"), Err(Errno::ENOTSUP));
    let peer = socket(&context, ZMQ_PEER);
    peer.set_option(ZMQ_IMMEDIATE, Some(&int(1))).unwrap();
    assert_eq!(peer.connect_peer("inproc://nowhere"), Err(Errno::EFAULT));
    peer.set_option(ZMQ_IMMEDIATE, Some(&int(0))).unwrap();
    assert_eq!(peer.connect_peer("bogus://x"), Err(Errno::EPROTONOSUPPORT));
    // Each connection gets an id of its own.
    let a = peer.connect_peer("inproc://a").unwrap();
    let b = peer.connect_peer("inproc://b").unwrap();
    assert!(a != 0 && b != 0 && a != b);
    // Types without numeric routing ids cannot drop a peer by one.
    let dealer = socket(&context, ZMQ_DEALER);
    assert_eq!(dealer.disconnect_peer(a), Err(Errno::ENOTSUP));
    assert_eq!(server.disconnect_peer(1), Err(Errno::EHOSTUNREACH));
    finish(context, [server, peer, dealer]);
}

/// ZMQ_HELLO_MSG goes first on every connection, ZMQ_DISCONNECT_MSG reaches the
/// binder when a peer that connected goes (SERVER, ROUTER, PEER receive it).
fn hello_and_disconnect_messages(transport: &str, disconnect_by_unbinding: bool) {
    let context = Context::new();
    let server = socket(&context, ZMQ_SERVER);
    server.set_option(ZMQ_DISCONNECT_MSG, Some(b"bye")).unwrap();
    server.set_option(ZMQ_HELLO_MSG, Some(b"welcome")).unwrap();
    server.bind(transport).unwrap();
    let endpoint = last_endpoint(&server);
    let client = socket(&context, ZMQ_CLIENT);
    client.set_option(ZMQ_HELLO_MSG, Some(b"hi")).unwrap();
    client.connect(&endpoint).unwrap();
    let (hello, id) = recv_with_id(&server);
    assert_eq!(hello, b"hi");
    assert_eq!(recv(&client), b"welcome");
    if disconnect_by_unbinding {
        client.disconnect(&endpoint).unwrap();
    } else {
        client.close();
    }
    assert_eq!(recv_with_id(&server), (b"bye".to_vec(), id));
    if disconnect_by_unbinding {
        finish(context, [server, client]);
    } else {
        finish(context, [server]);
    }
}

#[test]
fn hello_and_disconnect_messages_inproc() {
    hello_and_disconnect_messages("inproc://hello", false);
    hello_and_disconnect_messages("inproc://hello", true);
}

#[test]
fn hello_and_disconnect_messages_tcp() {
    hello_and_disconnect_messages("tcp://127.0.0.1:*", false);
}

#[test]
fn hello_before_the_bind_and_hiccup_when_the_server_goes() {
    let context = Context::new();
    let client = socket(&context, ZMQ_CLIENT);
    client.set_option(ZMQ_HELLO_MSG, Some(b"early")).unwrap();
    client.set_option(ZMQ_HICCUP_MSG, Some(b"hiccup")).unwrap();
    client.connect("inproc://late").unwrap();
    let server = socket(&context, ZMQ_SERVER);
    server.set_option(ZMQ_HELLO_MSG, Some(b"late welcome")).unwrap();
    server.bind("inproc://late").unwrap();
    assert_eq!(recv(&client), b"late welcome");
    assert_eq!(recv_with_id(&server).0, b"early");
    // Over tcp the connecting side hears of a broken connection.
    let tcp_server = socket(&context, ZMQ_SERVER);
    tcp_server.bind("tcp://127.0.0.1:*").unwrap();
    client.connect(&last_endpoint(&tcp_server)).unwrap();
    assert_eq!(recv_with_id(&tcp_server).0, b"early");
    tcp_server.close();
    assert_eq!(recv(&client), b"hiccup");
    // Types that receive neither ignore the options.
    let pair = socket(&context, ZMQ_PAIR);
    pair.set_option(ZMQ_HELLO_MSG, Some(b"x")).unwrap();
    pair.set_option(ZMQ_DISCONNECT_MSG, Some(b"x")).unwrap();
    pair.bind("inproc://pair-hello").unwrap();
    let other = socket(&context, ZMQ_PAIR);
    other.connect("inproc://pair-hello").unwrap();
    send(&other, b"first");
    assert_eq!(recv(&pair), b"first");
    assert_eq!(other.recv(ZMQ_DONTWAIT).unwrap_err(), Errno::EAGAIN);
    other.disconnect("inproc://pair-hello").unwrap();
    assert_eq!(pair.recv(ZMQ_DONTWAIT).unwrap_err(), Errno::EAGAIN);
    finish(context, [client, server, pair, other]);
}
