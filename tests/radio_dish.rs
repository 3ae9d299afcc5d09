//! RADIO and DISH through the engine's Rust API: joins and leaves, filtering by
//! exact group, single-part rules, ZMQ_XPUB_NODROP, over inproc, tcp, ipc and udp
//! (unicast and, on loopback, multicast); DISH resending its groups to a restarted
//! RADIO; DGRAM over udp. Loopback only; every wait is bounded (RCVTIMEO/SNDTIMEO,
//! or a deadline).

mod engine;

use std::time::{Duration, Instant};

use engine::*;
use zmq::constants::*;
use zmq::{Context, Errno, Msg, Socket};

/// Sends `body` to `group` (single part).
fn send_to_group(radio: &Socket, group: &str, body: &[u8]) {
    let mut msg = Msg::from_slice(body).unwrap();
    msg.set_group(group.as_bytes()).unwrap();
    radio.send(&mut msg, 0).expect("sent within 5 s");
}

/// The next message: its group and body.
fn recv_from_group(dish: &Socket) -> (String, Vec<u8>) {
    let msg = dish.recv(0).expect("a message within 5 s");
    assert!(!msg.more());
    let group = msg.group().map(|group| group.to_string_lossy().into_owned()).unwrap_or_default();
    (group, msg.data().to_vec())
}

/// Nothing arrives within a short while.
fn assert_nothing_arrives(dish: &Socket) {
    std::thread::sleep(Duration::from_millis(100));
    assert_eq!(dish.recv(ZMQ_DONTWAIT).unwrap_err(), Errno::EAGAIN);
}

/// Sends to `group` until the DISH receives it (a join travels asynchronously over
/// the network), giving up after 5 s; then drains the extra copies.
fn send_until_received(radio: &Socket, dish: &Socket, group: &str, body: &[u8]) {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        send_to_group(radio, group, body);
        std::thread::sleep(Duration::from_millis(20));
        if let Ok(msg) = dish.recv(ZMQ_DONTWAIT) {
            assert_eq!(msg.data(), body);
            assert_eq!(msg.group().unwrap().to_bytes(), group.as_bytes());
            break;
        }
        assert!(Instant::now() < deadline, "{group} never arrived");
    }
    while dish.recv(ZMQ_DONTWAIT).is_ok() {}
}

/// Join, filter, join while connected, leave: the scenario of libzmq's
/// test_radio_dish_tcp_poll, over any transport where the RADIO binds.
fn join_filter_leave(bind_to: &str) {
    let context = Context::new();
    let radio = socket(&context, ZMQ_RADIO);
    radio.bind(bind_to).unwrap();
    let endpoint = last_endpoint(&radio);
    let dish = socket(&context, ZMQ_DISH);
    dish.join(b"Movies").unwrap();
    dish.connect(&endpoint).unwrap();

    // Not joined: never sent. Joined: arrives (once the join reached the RADIO).
    send_until_received(&radio, &dish, "Movies", b"Godfather");
    send_to_group(&radio, "TV", b"Friends");
    send_to_group(&radio, "Movies", b"Godfather II");
    assert_eq!(recv_from_group(&dish), ("Movies".into(), b"Godfather II".to_vec()));

    // A group joined while connected.
    dish.join(b"TV").unwrap();
    send_until_received(&radio, &dish, "TV", b"Friends");

    // After a leave, the group is not received any more.
    dish.leave(b"TV").unwrap();
    std::thread::sleep(Duration::from_millis(100));
    send_to_group(&radio, "TV", b"Friends");
    send_to_group(&radio, "Movies", b"Casablanca");
    assert_eq!(recv_from_group(&dish), ("Movies".into(), b"Casablanca".to_vec()));
    assert_nothing_arrives(&dish);
    finish(context, [dish, radio]);
}

#[test]
fn join_filter_leave_inproc() {
    join_filter_leave("inproc://radio-dish");
}

#[test]
fn join_filter_leave_tcp() {
    join_filter_leave("tcp://127.0.0.1:*");
}

#[test]
fn join_filter_leave_ipc() {
    let path = std::env::temp_dir().join(format!("radio-dish-{}.ipc", std::process::id()));
    join_filter_leave(&format!("ipc://{}", path.display()));
}

#[test]
fn dish_bound_radio_connected_tcp() {
    let context = Context::new();
    let dish = socket(&context, ZMQ_DISH);
    dish.bind("tcp://127.0.0.1:*").unwrap();
    dish.join(b"weather").unwrap();
    let radio = socket(&context, ZMQ_RADIO);
    radio.connect(&last_endpoint(&dish)).unwrap();
    send_until_received(&radio, &dish, "weather", b"sunny");
    finish(context, [dish, radio]);
}

#[test]
fn messages_reach_every_joined_dish_inproc() {
    let context = Context::new();
    let radio = socket(&context, ZMQ_RADIO);
    radio.bind("inproc://fan-out").unwrap();
    let dishes: Vec<Socket> = (0..3).map(|_| socket(&context, ZMQ_DISH)).collect();
    for (index, dish) in dishes.iter().enumerate() {
        // inproc joins reach the RADIO before the connect returns.
        dish.join(if index == 2 { b"other" } else { b"news" }).unwrap();
        dish.connect("inproc://fan-out").unwrap();
    }
    send_to_group(&radio, "news", b"headline");
    for dish in &dishes[..2] {
        assert_eq!(recv_from_group(dish), ("news".into(), b"headline".to_vec()));
    }
    assert_nothing_arrives(&dishes[2]);
    finish(context, std::iter::once(radio).chain(dishes));
}

#[test]
fn long_and_empty_groups() {
    let context = Context::new();
    let radio = socket(&context, ZMQ_RADIO);
    radio.bind("tcp://127.0.0.1:*").unwrap();
    let dish = socket(&context, ZMQ_DISH);
    let longest = "G".repeat(255);
    dish.join(longest.as_bytes()).unwrap();
    dish.join(b"").unwrap();
    assert_eq!(dish.join(&[b'G'; 256]).unwrap_err(), Errno::EINVAL);
    dish.connect(&last_endpoint(&radio)).unwrap();
    send_until_received(&radio, &dish, &longest, b"long");
    // A message without a group is in the empty group.
    radio.send(&mut Msg::from_slice(b"no group").unwrap(), 0).unwrap();
    assert_eq!(recv_from_group(&dish), (String::new(), b"no group".to_vec()));
    finish(context, [dish, radio]);
}

#[test]
fn socket_type_rules() {
    let context = Context::new();
    let radio = socket(&context, ZMQ_RADIO);
    let dish = socket(&context, ZMQ_DISH);
    // Single part only; a RADIO does not receive, a DISH does not send.
    let mut part = Msg::from_slice(b"x").unwrap();
    assert_eq!(radio.send(&mut part, ZMQ_SNDMORE).unwrap_err(), Errno::EINVAL);
    assert_eq!(part.data(), b"x");
    assert_eq!(radio.recv(ZMQ_DONTWAIT).unwrap_err(), Errno::ENOTSUP);
    assert_eq!(dish.send(&mut Msg::from_slice(b"x").unwrap(), 0).unwrap_err(), Errno::ENOTSUP);
    // With no DISH, a message goes nowhere.
    radio.send(&mut Msg::from_slice(b"x").unwrap(), ZMQ_DONTWAIT).unwrap();
    // Joins and leaves.
    assert_eq!(dish.leave(b"Movies").unwrap_err(), Errno::EINVAL);
    dish.join(b"Movies").unwrap();
    assert_eq!(dish.join(b"Movies").unwrap_err(), Errno::EINVAL);
    dish.leave(b"Movies").unwrap();
    assert_eq!(radio.join(b"Movies").unwrap_err(), Errno::ENOTSUP);
    let sub = socket(&context, ZMQ_SUB);
    assert_eq!(sub.leave(b"Movies").unwrap_err(), Errno::ENOTSUP);
    // Options: DISH lingers 0 by default; RADIO takes ZMQ_XPUB_NODROP, not the other
    // XPUB options; both are thread-safe and have no ZMQ_FD.
    let fresh_dish = Socket::new(&context, ZMQ_DISH).unwrap();
    assert_eq!(fresh_dish.option(ZMQ_LINGER, 4).unwrap(), int(0));
    radio.set_option(ZMQ_XPUB_NODROP, Some(&int(1))).unwrap();
    assert_eq!(radio.set_option(ZMQ_XPUB_NODROP, Some(&int(-1))).unwrap_err(), Errno::EINVAL);
    assert_eq!(radio.set_option(ZMQ_XPUB_VERBOSE, Some(&int(1))).unwrap_err(), Errno::EINVAL);
    assert_eq!(dish.set_option(ZMQ_SUBSCRIBE, Some(b"a")).unwrap_err(), Errno::EINVAL);
    for socket in [&radio, &dish] {
        assert_eq!(socket.option(ZMQ_THREAD_SAFE, 4).unwrap(), int(1));
        assert_eq!(socket.option(ZMQ_FD, 8).unwrap_err(), Errno::EINVAL);
        assert_eq!(socket.option(ZMQ_EVENTS, 4).unwrap(), int(ZMQ_POLLOUT));
    }
    finish(context, [dish, radio, sub, fresh_dish]);
}

#[test]
fn nodrop_makes_a_full_dish_push_back() {
    let context = Context::new();
    let radio = socket(&context, ZMQ_RADIO);
    radio.set_option(ZMQ_XPUB_NODROP, Some(&int(1))).unwrap();
    radio.set_option(ZMQ_SNDHWM, Some(&int(2))).unwrap();
    radio.bind("inproc://nodrop").unwrap();
    let dish = socket(&context, ZMQ_DISH);
    dish.set_option(ZMQ_RCVHWM, Some(&int(2))).unwrap();
    dish.join(b"g").unwrap();
    dish.connect("inproc://nodrop").unwrap();
    let mut sent = 0;
    loop {
        let mut msg = Msg::from_slice(b"m").unwrap();
        msg.set_group(b"g").unwrap();
        match radio.send(&mut msg, ZMQ_DONTWAIT) {
            Ok(()) => sent += 1,
            Err(Errno::EAGAIN) => break,
            Err(other) => panic!("{other:?}"),
        }
        assert!(sent < 100, "never pushed back");
    }
    assert_eq!(sent, 4);
    for _ in 0..sent {
        recv_from_group(&dish);
    }
    finish(context, [dish, radio]);
}

#[test]
fn a_dish_joins_again_when_its_radio_restarts() {
    let context = Context::new();
    let radio = socket(&context, ZMQ_RADIO);
    radio.bind("tcp://127.0.0.1:*").unwrap();
    let endpoint = last_endpoint(&radio);
    let dish = socket(&context, ZMQ_DISH);
    dish.set_option(ZMQ_RECONNECT_IVL, Some(&int(20))).unwrap();
    dish.join(b"before").unwrap();
    dish.connect(&endpoint).unwrap();
    send_until_received(&radio, &dish, "before", b"1");
    dish.join(b"during").unwrap();
    send_until_received(&radio, &dish, "during", b"2");
    dish.leave(b"during").unwrap();
    radio.close();

    // A new RADIO on the same port hears the groups the DISH is in, and only those.
    let radio = socket(&context, ZMQ_RADIO);
    radio.bind(&endpoint).unwrap();
    send_until_received(&radio, &dish, "before", b"3");
    send_to_group(&radio, "during", b"left");
    send_to_group(&radio, "before", b"4");
    assert_eq!(recv_from_group(&dish), ("before".into(), b"4".to_vec()));
    finish(context, [dish, radio]);
}

#[test]
fn a_radio_is_shared_between_threads() {
    let context = Context::new();
    let radio = socket(&context, ZMQ_RADIO);
    radio.bind("inproc://threads").unwrap();
    let dish = socket(&context, ZMQ_DISH);
    dish.join(b"t").unwrap();
    dish.connect("inproc://threads").unwrap();
    let senders: Vec<_> = (0..4)
        .map(|index| {
            let radio = radio.clone();
            std::thread::spawn(move || send_to_group(&radio, "t", format!("{index}").as_bytes()))
        })
        .collect();
    for sender in senders {
        sender.join().unwrap();
    }
    let mut got: Vec<Vec<u8>> = (0..4).map(|_| recv_from_group(&dish).1).collect();
    got.sort();
    assert_eq!(got, [b"0".to_vec(), b"1".to_vec(), b"2".to_vec(), b"3".to_vec()]);
    finish(context, [dish, radio]);
}

/// A free udp port on loopback (bound and released; another process could take it
/// meanwhile, which the tests accept).
fn free_udp_port() -> u16 {
    std::net::UdpSocket::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// RADIO connects, DISH binds: datagrams carry the group; the DISH filters.
fn over_udp(dish_bind: &str, radio_connect: &str, ipv6: bool) {
    let context = Context::new();
    let radio = socket(&context, ZMQ_RADIO);
    let dish = socket(&context, ZMQ_DISH);
    for socket in [&radio, &dish] {
        socket.set_option(ZMQ_IPV6, Some(&int(ipv6.into()))).unwrap();
    }
    dish.bind(dish_bind).unwrap();
    radio.connect(radio_connect).unwrap();
    // libzmq's text for udp endpoints: the address as given.
    assert_eq!(last_endpoint(&dish), dish_bind.trim_start_matches("udp://"));
    assert_eq!(last_endpoint(&radio), radio_connect.trim_start_matches("udp://"));
    dish.join(b"TV").unwrap();
    // udp sends to every DISH whatever it joined (a datagram is cheap to lose): the
    // DISH drops the groups it did not join.
    send_to_group(&radio, "Movies", b"Godfather");
    send_to_group(&radio, "TV", b"Friends");
    assert_eq!(recv_from_group(&dish), ("TV".into(), b"Friends".to_vec()));
    dish.join(b"Movies").unwrap();
    send_to_group(&radio, "Movies", b"Casablanca");
    assert_eq!(recv_from_group(&dish), ("Movies".into(), b"Casablanca".to_vec()));
    finish(context, [dish, radio]);
}

#[test]
fn udp_unicast_ipv4() {
    let port = free_udp_port();
    over_udp(&format!("udp://*:{port}"), &format!("udp://127.0.0.1:{port}"), false);
    let port = free_udp_port();
    over_udp(&format!("udp://127.0.0.1:{port}"), &format!("udp://localhost:{port}"), false);
}

#[test]
fn udp_unicast_ipv6() {
    let port = free_udp_port();
    over_udp(&format!("udp://*:{port}"), &format!("udp://[::1]:{port}"), true);
}

#[test]
fn udp_endpoint_rules() {
    let context = Context::new();
    let radio = socket(&context, ZMQ_RADIO);
    let dish = socket(&context, ZMQ_DISH);
    let pair = socket(&context, ZMQ_PAIR);
    // Only DISH and DGRAM bind, only RADIO connects; other types cannot use udp.
    assert_eq!(radio.bind("udp://*:5556").unwrap_err(), Errno::ENOCOMPATPROTO);
    assert_eq!(dish.connect("udp://127.0.0.1:5556").unwrap_err(), Errno::ENOCOMPATPROTO);
    assert_eq!(pair.bind("udp://*:5556").unwrap_err(), Errno::ENOCOMPATPROTO);
    assert_eq!(pair.connect("udp://127.0.0.1:5556").unwrap_err(), Errno::ENOCOMPATPROTO);
    // Malformed addresses.
    assert_eq!(radio.connect("udp://127.0.0.1").unwrap_err(), Errno::EINVAL);
    assert_eq!(radio.connect("udp://*:5556").unwrap_err(), Errno::EINVAL);
    assert_eq!(radio.connect("udp://lo;127.0.0.1:5556").unwrap_err(), Errno::EINVAL);
    assert_eq!(dish.bind("udp://no-such-iface;239.0.0.1:5556").unwrap_err(), Errno::ENODEV);
    // A bound udp endpoint can be unbound (libzmq 4.3 cannot: ENOENT), and its port
    // is free again at once.
    let port = free_udp_port();
    let address = format!("udp://127.0.0.1:{port}");
    dish.bind(&address).unwrap();
    dish.unbind(&address).unwrap();
    assert_eq!(dish.unbind(&address).unwrap_err(), Errno::ENOENT);
    assert!(std::net::UdpSocket::bind(("127.0.0.1", port)).is_ok());
    let radio_to = format!("udp://127.0.0.1:{}", free_udp_port());
    radio.connect(&radio_to).unwrap();
    radio.disconnect(&radio_to).unwrap();
    finish(context, [radio, dish, pair]);
}

#[test]
fn udp_datagrams_are_dropped_when_too_large() {
    let context = Context::new();
    let port = free_udp_port();
    let dish = socket(&context, ZMQ_DISH);
    dish.bind(&format!("udp://127.0.0.1:{port}")).unwrap();
    dish.join(b"g").unwrap();
    let radio = socket(&context, ZMQ_RADIO);
    radio.connect(&format!("udp://127.0.0.1:{port}")).unwrap();
    // group length byte + group + body must fit in 8192 bytes.
    send_to_group(&radio, "g", &[1; 8192 - 2]);
    send_to_group(&radio, "g", &[2; 8192 - 1]);
    send_to_group(&radio, "g", b"small");
    assert_eq!(recv_from_group(&dish).1, vec![1; 8190]);
    assert_eq!(recv_from_group(&dish).1, b"small");
    finish(context, [dish, radio]);
}

/// IPv4 multicast over the loopback interface (`lo;group:port` on both sides, so
/// nothing leaves the machine). Multicast without a loopback interface, IPv6 multicast
/// (Linux has no IPv6 multicast route on `lo`) and ZMQ_MULTICAST_LOOP 0 (the
/// loopback device delivers whatever it is given) need a real network interface, so
/// they are covered by the socket options tests of `transport::udp` instead.
#[test]
fn udp_multicast_on_loopback() {
    let port = free_udp_port();
    let group = format!("udp://lo;226.8.5.5:{port}");
    let context = Context::new();
    let dishes: Vec<Socket> = (0..2).map(|_| socket(&context, ZMQ_DISH)).collect();
    for dish in &dishes {
        // Several receivers share the group's port (SO_REUSEPORT).
        dish.bind(&group).unwrap();
        dish.join(b"TV").unwrap();
    }
    let radio = socket(&context, ZMQ_RADIO);
    radio.set_option(ZMQ_MULTICAST_HOPS, Some(&int(1))).unwrap();
    radio.connect(&group).unwrap();
    send_to_group(&radio, "TV", b"Friends");
    for dish in &dishes {
        assert_eq!(recv_from_group(dish), ("TV".into(), b"Friends".to_vec()));
    }
    finish(context, std::iter::once(radio).chain(dishes));
}

/// DGRAM echo, as libzmq's test_dgram: both sides bind; each message is the peer's
/// address (received with a terminating NUL) and the body.
#[test]
fn dgram_echo() {
    let context = Context::new();
    let (listener_port, sender_port) = (free_udp_port(), free_udp_port());
    let listener = socket(&context, ZMQ_DGRAM);
    let sender = socket(&context, ZMQ_DGRAM);
    listener.bind(&format!("udp://127.0.0.1:{listener_port}")).unwrap();
    sender.bind(&format!("udp://127.0.0.1:{sender_port}")).unwrap();
    assert_eq!(last_endpoint(&sender), format!("127.0.0.1:{sender_port}"));

    send_parts(&sender, &[format!("127.0.0.1:{listener_port}").as_bytes(), b"Is someone there ?"]);
    let question = recv_parts(&listener);
    assert_eq!(question[0], format!("127.0.0.1:{sender_port}\0").into_bytes());
    assert_eq!(question[1], b"Is someone there ?");
    // The address part as received is a valid address to reply to.
    send_parts(&listener, &[&question[0], b"Yes, there is !"]);
    let answer = recv_parts(&sender);
    assert_eq!(answer, [format!("127.0.0.1:{listener_port}\0").into_bytes(), b"Yes, there is !".to_vec()]);

    // A message to an address that is not one is dropped.
    send_parts(&sender, &[b"not-an-address", b"lost"]);
    send_parts(&sender, &[format!("127.0.0.1:{listener_port}").as_bytes(), b"next"]);
    assert_eq!(recv_parts(&listener)[1], b"next");
    finish(context, [listener, sender]);
}

#[test]
fn dgram_rules() {
    let context = Context::new();
    let dgram = socket(&context, ZMQ_DGRAM);
    // A DGRAM binds; it cannot connect over udp.
    assert_eq!(dgram.connect("udp://127.0.0.1:5556").unwrap_err(), Errno::ENOCOMPATPROTO);
    // Nothing can be sent or received before it is bound.
    assert_eq!(dgram.option(ZMQ_EVENTS, 4).unwrap(), int(0));
    assert_eq!(dgram.recv(ZMQ_DONTWAIT).unwrap_err(), Errno::EAGAIN);
    dgram.bind(&format!("udp://127.0.0.1:{}", free_udp_port())).unwrap();
    assert_eq!(dgram.option(ZMQ_EVENTS, 4).unwrap(), int(ZMQ_POLLOUT));
    // Two parts exactly: the address with SNDMORE, then the body without.
    let mut body = Msg::from_slice(b"body").unwrap();
    assert_eq!(dgram.send(&mut body, 0).unwrap_err(), Errno::EINVAL);
    dgram.send(&mut Msg::from_slice(b"127.0.0.1:9").unwrap(), ZMQ_SNDMORE).unwrap();
    assert_eq!(dgram.send(&mut Msg::from_slice(b"x").unwrap(), ZMQ_SNDMORE).unwrap_err(), Errno::EINVAL);
    dgram.send(&mut Msg::from_slice(b"x").unwrap(), 0).unwrap();
    assert_eq!(dgram.option(ZMQ_THREAD_SAFE, 4).unwrap(), int(0));
    finish(context, [dgram]);
}

/// A hand-made ZMTP 3.1 peer over tcp (NULL mechanism), to see RFC 48's wire form.
struct RawPeer {
    stream: std::net::TcpStream,
}

impl RawPeer {
    /// Connects to `endpoint` (`tcp://…`) as a socket of type `name`, handshake done.
    fn connect(endpoint: &str, name: &str) -> RawPeer {
        use std::io::{Read, Write};
        let mut stream = std::net::TcpStream::connect(endpoint.trim_start_matches("tcp://")).unwrap();
        stream.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        let mut greeting = vec![0xff, 0, 0, 0, 0, 0, 0, 0, 1, 0x7f, 3, 1];
        greeting.extend_from_slice(b"NULL");
        greeting.resize(64, 0);
        stream.write_all(&greeting).unwrap();
        let mut theirs = [0; 64];
        stream.read_exact(&mut theirs).unwrap();
        assert_eq!(&theirs[10..16], b"\x03\x01NULL");
        let mut peer = RawPeer { stream };
        let mut ready = b"\x05READY\x0bSocket-Type".to_vec();
        ready.extend_from_slice(&u32::try_from(name.len()).unwrap().to_be_bytes());
        ready.extend_from_slice(name.as_bytes());
        peer.write_frame(0x04, &ready);
        let (flags, body) = peer.read_frame();
        assert_eq!((flags, &body[..6]), (0x04, &b"\x05READY"[..]));
        peer
    }

    fn write_frame(&mut self, flags: u8, body: &[u8]) {
        use std::io::Write;
        let size = u8::try_from(body.len()).expect("short frames only");
        self.stream.write_all(&[&[flags, size][..], body].concat()).unwrap();
    }

    /// The next frame: its flags and body (short frames only).
    fn read_frame(&mut self) -> (u8, Vec<u8>) {
        use std::io::Read;
        let mut header = [0; 2];
        self.stream.read_exact(&mut header).unwrap();
        assert_eq!(header[0] & 0x02, 0, "a long frame");
        let mut body = vec![0; usize::from(header[1])];
        self.stream.read_exact(&mut body).unwrap();
        (header[0], body)
    }

    /// Whether the other side closed the connection.
    fn is_closed(&mut self) -> bool {
        use std::io::Read;
        let mut byte = [0; 1];
        matches!(self.stream.read(&mut byte), Ok(0) | Err(_))
    }
}

#[test]
fn radio_wire_form_is_rfc_48() {
    let context = Context::new();
    let radio = socket(&context, ZMQ_RADIO);
    radio.bind("tcp://127.0.0.1:*").unwrap();
    let mut dish = RawPeer::connect(&last_endpoint(&radio), "DISH");
    // A JOIN command, then a message for the group: a group frame with MORE and a
    // body frame.
    dish.write_frame(0x04, b"\x04JOINTV");
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        // The join reaches the RADIO asynchronously: send until it has.
        send_to_group(&radio, "TV", b"Friends");
        std::thread::sleep(Duration::from_millis(20));
        dish.stream.set_nonblocking(true).unwrap();
        let mut peek = [0; 1];
        let ready = dish.stream.peek(&mut peek).is_ok();
        dish.stream.set_nonblocking(false).unwrap();
        if ready {
            break;
        }
        assert!(Instant::now() < deadline, "the join never took");
    }
    assert_eq!(dish.read_frame(), (0x01, b"TV".to_vec()));
    assert_eq!(dish.read_frame(), (0x00, b"Friends".to_vec()));
    finish(context, [radio]);
}

#[test]
fn dish_wire_form_is_rfc_48() {
    let context = Context::new();
    let dish = socket(&context, ZMQ_DISH);
    dish.join(b"TV").unwrap();
    dish.bind("tcp://127.0.0.1:*").unwrap();
    let endpoint = last_endpoint(&dish);
    // A DISH takes in a new connection (and sends it its groups) when it is next
    // used, as libzmq's: here, a receive waiting in another thread.
    let receiver = {
        let dish = dish.clone();
        std::thread::spawn(move || recv_from_group(&dish))
    };
    let mut radio = RawPeer::connect(&endpoint, "RADIO");
    assert_eq!(radio.read_frame(), (0x04, b"\x04JOINTV".to_vec()));
    dish.join(b"Movies").unwrap();
    assert_eq!(radio.read_frame(), (0x04, b"\x04JOINMovies".to_vec()));
    dish.leave(b"Movies").unwrap();
    assert_eq!(radio.read_frame(), (0x04, b"\x05LEAVEMovies".to_vec()));
    radio.write_frame(0x01, b"TV");
    radio.write_frame(0x00, b"Friends");
    assert_eq!(receiver.join().unwrap(), ("TV".into(), b"Friends".to_vec()));
    // A group frame without MORE breaks RFC 48: the connection is dropped.
    radio.write_frame(0x00, b"TV");
    assert!(radio.is_closed());
    finish(context, [dish]);
}

#[test]
fn udp_datagram_layout() {
    let context = Context::new();
    // RADIO → a plain udp socket: length byte, group, body.
    let raw = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    raw.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let radio = socket(&context, ZMQ_RADIO);
    radio.connect(&format!("udp://{}", raw.local_addr().unwrap())).unwrap();
    send_to_group(&radio, "TV", b"Friends");
    let mut datagram = [0; 64];
    let (len, _) = raw.recv_from(&mut datagram).unwrap();
    assert_eq!(&datagram[..len], b"\x02TVFriends");
    // A plain udp socket → DISH; a datagram whose group does not fit is ignored.
    let port = free_udp_port();
    let dish = socket(&context, ZMQ_DISH);
    dish.bind(&format!("udp://127.0.0.1:{port}")).unwrap();
    dish.join(b"TV").unwrap();
    raw.send_to(b"\x09TV", ("127.0.0.1", port)).unwrap();
    raw.send_to(b"\x02TVFriends", ("127.0.0.1", port)).unwrap();
    assert_eq!(recv_from_group(&dish), ("TV".into(), b"Friends".to_vec()));
    finish(context, [radio, dish]);
}

#[test]
fn a_full_dish_resumes_reading_udp() {
    let context = Context::new();
    let port = free_udp_port();
    let dish = socket(&context, ZMQ_DISH);
    dish.set_option(ZMQ_RCVHWM, Some(&int(2))).unwrap();
    dish.bind(&format!("udp://127.0.0.1:{port}")).unwrap();
    dish.join(b"g").unwrap();
    let radio = socket(&context, ZMQ_RADIO);
    radio.connect(&format!("udp://127.0.0.1:{port}")).unwrap();
    for index in 0..20u8 {
        send_to_group(&radio, "g", &[index]);
    }
    // The pipe holds two; the kernel keeps the rest until the DISH makes room.
    std::thread::sleep(Duration::from_millis(100));
    let got: Vec<u8> = (0..20).map(|_| recv_from_group(&dish).1[0]).collect();
    assert_eq!(got, (0..20).collect::<Vec<u8>>());
    finish(context, [dish, radio]);
}
