//! Publishers and their peers under attack: CVE-2021-20236 (libzmq's recursive
//! trie walk overflowed the stack on long topics), CVE-2021-20237 (PUB kept the
//! metadata of subscription messages), and peers that stop reading.

use core::ffi::{c_void, CStr};
use std::time::{Duration, Instant};

use zmq::constants::*;
use zmq::{ffi, Context, Errno, Msg, Socket};

use crate::engine::*;
use crate::wire::{frame, long_header, Peer};
use crate::{rss_growth_since, rss_kib, serial, wait_until};

/// A good SUB subscribed to `topic` gets a publication of `publisher` within 5 s.
fn still_publishes(context: &Context, publisher: &Socket, topic: &[u8]) {
    let sub = socket(context, ZMQ_SUB);
    sub.set_option(ZMQ_SUBSCRIBE, Some(topic)).unwrap();
    sub.connect(&last_endpoint(publisher)).unwrap();
    sub.set_option(ZMQ_RCVTIMEO, Some(&int(20))).unwrap();
    let message = [topic, b" news"].concat();
    let got = wait_until(Duration::from_secs(5), || {
        // A publisher drops what nobody subscribed to yet: publish until it took.
        let _ = publisher.send(&mut Msg::from_slice(&message).unwrap(), ZMQ_DONTWAIT);
        // An XPUB hears of subscriptions: let them not pile up.
        if publisher.socket_type() == ZMQ_XPUB {
            while publisher.recv(ZMQ_DONTWAIT).is_ok() {}
        }
        sub.recv(0).is_ok_and(|msg| msg.data() == message.as_slice())
    });
    assert!(got, "a good subscriber is still served");
    sub.close();
}

fn subscribe(topic: &[u8]) -> Vec<u8> {
    frame(0x04, &[&b"\x09SUBSCRIBE"[..], topic].concat())
}

fn cancel(topic: &[u8]) -> Vec<u8> {
    frame(0x04, &[&b"\x06CANCEL"[..], topic].concat())
}

#[test]
fn cve_2021_20236_multi_megabyte_topics_subscribe_and_cancel() {
    let _serial = serial();
    let context = Context::new();
    for kind in [ZMQ_PUB, ZMQ_XPUB] {
        let publisher = socket(&context, kind);
        // Publications are as long as the topic: few of them queue.
        publisher.set_option(ZMQ_SNDHWM, Some(&int(2))).unwrap();
        publisher.bind("tcp://127.0.0.1:*").unwrap();
        let endpoint = last_endpoint(&publisher);
        // 4 MiB topics: as SUBSCRIBE/CANCEL commands (ZMTP 3.1), and as the
        // `1`/`0` + topic messages of ZMTP 3.0 peers, subscribed and cancelled in
        // turn, then left behind by peers that go away.
        let topic = vec![b't'; 4 << 20];
        let started = Instant::now();
        let baseline = rss_kib();
        let mut peer = Peer::connect(&endpoint);
        peer.null_handshake("SUB", &[]);
        peer.send_raw(&[subscribe(&topic), cancel(&topic), subscribe(&topic)].concat()).unwrap();
        let mut legacy = Peer::connect(&endpoint);
        legacy.null_handshake("XSUB", &[]);
        let mut other = topic.clone();
        other.push(b'!');
        legacy.send_raw(&frame(0, &[&[1u8][..], &other].concat())).unwrap();
        legacy.send_raw(&frame(0, &[&[0u8][..], &other].concat())).unwrap();
        legacy.send_raw(&frame(0, &[&[1u8][..], &other].concat())).unwrap();
        if kind == ZMQ_XPUB {
            // The XPUB hears of each (duplicates of a topic already there are not
            // news, so: subscribe, cancel, subscribe, from each peer).
            let mut heard = Vec::new();
            while heard.len() < 6 {
                let msg = publisher.recv(0).expect("the subscriptions, within 5 s");
                heard.push((msg.data()[0], msg.len()));
            }
            let mut sorted = heard.clone();
            sorted.sort();
            let (long, longer) = (topic.len() + 1, topic.len() + 2);
            assert_eq!(sorted, [(0, long), (0, longer), (1, long), (1, long), (1, longer), (1, longer)]);
        }
        // A publication on that topic reaches the raw peer: it was really taken in.
        let publication = [&topic[..], b"!!"].concat();
        peer.stream.set_read_timeout(Some(Duration::from_millis(200))).unwrap();
        let got = wait_until(Duration::from_secs(20), || {
            publisher.send(&mut Msg::from_slice(&publication).unwrap(), ZMQ_DONTWAIT).unwrap();
            peer.stream.peek(&mut [0; 1]).is_ok()
        });
        assert!(got, "the 4 MiB subscription matches");
        peer.stream.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        let (_, body) = peer.read_frame().unwrap();
        assert_eq!(body.len(), publication.len());
        // Two 4 MiB topics held, with the 4 MiB messages that carried them: a trie
        // node per byte (as libzmq's) would hold some 80 bytes per topic byte.
        let growth = rss_growth_since(baseline);
        assert!(growth < 64 * 1024, "4 MiB topics on socket type {kind}: +{growth} KiB");
        assert!(started.elapsed() < Duration::from_secs(15));
        drop(peer);
        drop(legacy);
        still_publishes(&context, &publisher, b"good");
        publisher.close();
    }
    context.terminate();
}

#[test]
fn cve_2021_20236_topics_over_maxmsgsize_end_the_connection() {
    let _serial = serial();
    let context = Context::new();
    let publisher = socket(&context, ZMQ_XPUB);
    publisher.set_option(ZMQ_MAXMSGSIZE, Some(&(64i64 << 10).to_ne_bytes())).unwrap();
    publisher.bind("tcp://127.0.0.1:*").unwrap();
    let endpoint = last_endpoint(&publisher);
    let mut peer = Peer::connect(&endpoint);
    peer.null_handshake("SUB", &[]);
    let _ = peer.send_raw(&subscribe(&vec![b'x'; 4 << 20]));
    assert!(peer.closed_within(Duration::from_secs(5)), "a 4 MiB SUBSCRIBE over MAXMSGSIZE");
    let mut peer = Peer::connect(&endpoint);
    peer.null_handshake("SUB", &[]);
    let _ = peer.send_raw(&long_header(0x04, u64::MAX));
    assert!(peer.closed_within(Duration::from_secs(5)), "a SUBSCRIBE announcing 2^64 bytes");
    publisher.set_option(ZMQ_RCVTIMEO, Some(&int(100))).unwrap();
    assert_eq!(publisher.recv(0).map(|_| ()), Err(Errno::EAGAIN), "neither was taken");
    publisher.set_option(ZMQ_RCVTIMEO, Some(&int(5000))).unwrap();
    still_publishes(&context, &publisher, b"good");
    finish(context, [publisher]);
}

#[test]
fn cve_2021_20236_many_distinct_topics_are_freed_with_their_peer() {
    let _serial = serial();
    let context = Context::new();
    let publisher = socket(&context, ZMQ_PUB);
    publisher.bind("tcp://127.0.0.1:*").unwrap();
    let endpoint = last_endpoint(&publisher);
    // 20 000 distinct 40-byte topics per round, three rounds from three peers in
    // turn: each peer's topics go with it, so later rounds reuse the memory.
    let topics = |round: u32| -> Vec<u8> {
        (0..20_000u32)
            .flat_map(|index| {
                let topic = format!("{round:02}/{index:08}/{:>26}", index.wrapping_mul(2_654_435_761));
                subscribe(topic.as_bytes())
            })
            .collect()
    };
    let mut growth = Vec::new();
    let mut baseline = 0;
    for round in 0..3 {
        let before = rss_kib();
        if round == 1 {
            baseline = before;
        }
        let mut peer = Peer::connect(&endpoint);
        peer.null_handshake("SUB", &[]);
        peer.send_raw(&topics(round)).unwrap();
        // The PUB takes subscriptions in when used: publish until the last topic
        // of this round matches.
        let last = format!("{round:02}/{:08}/{:>26}", 19_999, 19_999u32.wrapping_mul(2_654_435_761));
        let matched = wait_until(Duration::from_secs(10), || {
            publisher.send(&mut Msg::from_slice(last.as_bytes()).unwrap(), ZMQ_DONTWAIT).unwrap();
            peer.stream.set_nonblocking(true).unwrap();
            let ready = peer.stream.peek(&mut [0; 1]).is_ok();
            peer.stream.set_nonblocking(false).unwrap();
            ready
        });
        assert!(matched, "round {round}: all 20 000 topics taken in");
        drop(peer);
        // The pipe goes once the session sees the hang-up; then its topics.
        std::thread::sleep(Duration::from_millis(200));
        let _ = publisher.send(&mut Msg::from_slice(b"flush").unwrap(), ZMQ_DONTWAIT);
        growth.push(rss_growth_since(before));
    }
    let later = rss_growth_since(baseline);
    assert!(later < 24 * 1024, "rounds 2 and 3 grew the process by {later} KiB (rounds: {growth:?} KiB)");
    still_publishes(&context, &publisher, b"good");
    finish(context, [publisher]);
}

/// A PULL made through the C ABI, so that properties are read with zmq_msg_gets.
struct CPull {
    context: *mut c_void,
    socket: *mut c_void,
}

impl CPull {
    fn bind() -> CPull {
        let context = ffi::ctx::zmq_ctx_new();
        let socket = ffi::socket::zmq_socket(context, ZMQ_PULL);
        let timeout = 5000i32;
        // SAFETY: an int option and its size; a C string endpoint.
        unsafe {
            assert_eq!(ffi::socket::zmq_setsockopt(socket, ZMQ_RCVTIMEO, (&raw const timeout).cast(), 4), 0);
            assert_eq!(ffi::socket::zmq_bind(socket, c"tcp://127.0.0.1:*".as_ptr()), 0);
        }
        CPull { context, socket }
    }

    fn endpoint(&self) -> String {
        let mut text = [0u8; 256];
        let mut len = text.len();
        // SAFETY: a buffer and its size.
        let rc = unsafe {
            ffi::socket::zmq_getsockopt(self.socket, ZMQ_LAST_ENDPOINT, text.as_mut_ptr().cast(), &mut len)
        };
        assert_eq!(rc, 0);
        String::from_utf8(text[..len - 1].to_vec()).unwrap()
    }

    /// The next message's body and its `name` property (zmq_msg_gets), if any.
    fn recv(&self, name: &CStr) -> (Vec<u8>, Option<Vec<u8>>) {
        let mut msg = ffi::types::zmq_msg_t { bytes: [0; 64] };
        // SAFETY: a zmq_msg_t initialised, received into, read and closed here.
        unsafe {
            assert_eq!(ffi::msg::zmq_msg_init(&mut msg), 0);
            assert!(ffi::socket::zmq_msg_recv(&mut msg, self.socket, 0) >= 0, "a message within 5 s");
            let data = ffi::msg::zmq_msg_data(&mut msg).cast::<u8>();
            let body = std::slice::from_raw_parts(data, ffi::msg::zmq_msg_size(&msg)).to_vec();
            let value = ffi::msg::zmq_msg_gets(&msg, name.as_ptr());
            let value = (!value.is_null()).then(|| CStr::from_ptr(value).to_bytes().to_vec());
            assert_eq!(ffi::msg::zmq_msg_close(&mut msg), 0);
            (body, value)
        }
    }
}

impl Drop for CPull {
    fn drop(&mut self) {
        assert_eq!(ffi::socket::zmq_close(self.socket), 0);
        assert_eq!(ffi::ctx::zmq_ctx_term(self.context), 0);
    }
}

#[test]
fn cve_2021_20237_each_message_carries_its_own_peers_metadata() {
    // Many peers with metadata come and go while their messages are received: each
    // message's properties (zmq_msg_gets) are its sender's, never another peer's,
    // and the subscriptions an XPUB hears carry their subscriber's.
    let _serial = serial();
    let context = Context::new();
    let pull = CPull::bind();
    let endpoint = pull.endpoint();
    let xpub = socket(&context, ZMQ_XPUB);
    xpub.set_option(ZMQ_XPUB_VERBOSE, Some(&int(1))).unwrap();
    xpub.bind("tcp://127.0.0.1:*").unwrap();
    let xpub_endpoint = last_endpoint(&xpub);
    let baseline = rss_kib();
    let mut live: Vec<(Socket, Peer)> = Vec::new();
    let mut checked = 0;
    for index in 0..300u32 {
        let name = format!("peer-{index}");
        // A real PUSH with ZMQ_METADATA, and a raw PUSH with its own properties.
        let push = socket(&context, ZMQ_PUSH);
        push.set_option(ZMQ_METADATA, Some(format!("X-Name:{name}").as_bytes())).unwrap();
        push.connect(&endpoint).unwrap();
        let mut raw = Peer::connect(&endpoint);
        let raw_name = format!("raw-{index}");
        raw.null_handshake("PUSH", &[(b"X-Name", raw_name.as_bytes()), (b"X-Pad", &vec![b'p'; 4096])]);
        send(&push, name.as_bytes());
        raw.write_frame(0, raw_name.as_bytes());
        for _ in 0..2 {
            let (body, property) = pull.recv(c"X-Name");
            assert_eq!(property.as_deref(), Some(&body[..]), "a message carries its own sender's metadata");
            checked += 1;
        }
        // Subscribers with metadata: the XPUB's notification names its subscriber
        // (cancellations of those that left carry none, as in libzmq).
        let mut subscriber = Peer::connect(&xpub_endpoint);
        subscriber.null_handshake("SUB", &[(b"X-Name", name.as_bytes())]);
        subscriber.send_raw(&subscribe(name.as_bytes())).unwrap();
        let note = loop {
            let note = xpub.recv(0).expect("a subscription");
            if note.data()[0] == 1 {
                break note;
            }
        };
        assert_eq!(&note.data()[1..], name.as_bytes());
        assert_eq!(note.property(b"X-Name").unwrap().to_bytes(), name.as_bytes());
        drop(subscriber);
        live.push((push, raw));
        // Peers leave in a different order than they came.
        if live.len() > 20 {
            let (push, raw) = live.swap_remove(index as usize % live.len());
            push.close();
            drop(raw);
        }
    }
    assert_eq!(checked, 600);
    for (push, _) in live {
        push.close();
    }
    std::thread::sleep(Duration::from_millis(200));
    let growth = rss_growth_since(baseline);
    assert!(growth < 48 * 1024, "600 peers with 4 KiB of metadata came and went: +{growth} KiB");
    let push = socket(&context, ZMQ_PUSH);
    push.connect(&endpoint).unwrap();
    send(&push, b"plain");
    assert_eq!(pull.recv(c"X-Name"), (b"plain".to_vec(), None), "no one else's metadata");
    finish(context, [xpub, push]);
}

#[test]
fn peers_that_stop_reading_pub_drops_push_blocks_memory_stays_flat() {
    let _serial = serial();
    let context = Context::new();
    let message = vec![0x55u8; 16 * 1024];
    // PUB: a subscriber that subscribes to everything and never reads.
    let publisher = socket(&context, ZMQ_PUB);
    publisher.set_option(ZMQ_SNDHWM, Some(&int(100))).unwrap();
    publisher.bind("tcp://127.0.0.1:*").unwrap();
    let mut deaf = Peer::connect(&last_endpoint(&publisher));
    deaf.null_handshake("SUB", &[]);
    deaf.send_raw(&subscribe(b"")).unwrap();
    // Once the subscription is in, 256 MiB published at it (PUB never blocks).
    let started = Instant::now();
    let baseline = rss_kib();
    for _ in 0..16_384 {
        publisher.send(&mut Msg::from_slice(&message).unwrap(), 0).expect("PUB never blocks");
    }
    assert!(started.elapsed() < Duration::from_secs(20), "PUB drops instead of waiting");
    let growth = rss_growth_since(baseline);
    assert!(growth < 32 * 1024, "256 MiB at a deaf subscriber: +{growth} KiB");
    still_publishes(&context, &publisher, b"good");
    // The deaf peer got a prefix of the stream, intact.
    let (_, body) = deaf.read_frame().unwrap();
    assert_eq!(body, message);

    // PUSH: a PULL peer that never reads. Sends block, then time out with EAGAIN.
    let push = socket(&context, ZMQ_PUSH);
    push.set_option(ZMQ_SNDHWM, Some(&int(100))).unwrap();
    push.set_option(ZMQ_SNDTIMEO, Some(&int(100))).unwrap();
    push.bind("tcp://127.0.0.1:*").unwrap();
    let mut deaf = Peer::connect(&last_endpoint(&push));
    deaf.null_handshake("PULL", &[]);
    let baseline = rss_kib();
    let mut sent = 0;
    let stopped = loop {
        match push.send(&mut Msg::from_slice(&message).unwrap(), 0) {
            Ok(()) => sent += 1,
            Err(error) => break error,
        }
        assert!(sent < 16_384, "PUSH stops at HWM + kernel buffers, not after 256 MiB");
    };
    assert_eq!(stopped, Errno::EAGAIN);
    assert_eq!(push.send(&mut Msg::from_slice(b"x").unwrap(), ZMQ_DONTWAIT), Err(Errno::EAGAIN));
    let growth = rss_growth_since(baseline);
    assert!(growth < 32 * 1024, "{sent} messages queued at a deaf PULL: +{growth} KiB");
    // When it reads, what was queued flows, in order and intact.
    for _ in 0..10 {
        let (_, body) = deaf.read_frame().unwrap();
        assert_eq!(body, message);
    }
    finish(context, [publisher, push]);
}

#[test]
fn a_peer_that_pings_without_reading_gets_no_unbounded_pongs_nor_the_io_thread() {
    // Each PING asks for a PONG; a peer that never reads them must not make the
    // server queue one per PING (libzmq owes at most one PONG), and its flood must
    // not keep the I/O thread from serving the socket's other peers.
    let _serial = serial();
    let context = Context::new();
    let pull = socket(&context, ZMQ_PULL);
    pull.bind("tcp://127.0.0.1:*").unwrap();
    let endpoint = last_endpoint(&pull);
    let mut peer = Peer::connect(&endpoint);
    peer.null_handshake("PUSH", &[]);
    let ping = frame(0x04, b"\x04PING\x00\x0a0123456789abcdef");
    let burst: Vec<u8> = ping.iter().copied().cycle().take(ping.len() * 40_000).collect();
    let baseline = rss_kib();
    let mut flooder = peer.stream.try_clone().unwrap();
    flooder.set_write_timeout(Some(Duration::from_secs(3))).unwrap();
    let flood = std::thread::spawn(move || {
        use std::io::Write;
        let mut written = 0usize;
        let started = Instant::now();
        // PINGs for 3 s, as fast as they are taken.
        while started.elapsed() < Duration::from_secs(3) {
            match flooder.write_all(&burst) {
                Ok(()) => written += burst.len(),
                Err(_) => break,
            }
        }
        written
    });
    // Meanwhile a good peer of the same socket (same I/O thread) is served.
    std::thread::sleep(Duration::from_millis(300));
    let asked = Instant::now();
    let push = socket(&context, ZMQ_PUSH);
    push.connect(&endpoint).unwrap();
    send(&push, b"during the flood");
    assert_eq!(recv(&pull), b"during the flood");
    let latency = asked.elapsed();
    assert!(!flood.is_finished(), "served while the flood went on");
    assert!(latency < Duration::from_secs(2), "a good peer waited {latency:?} behind a flood");
    let written = flood.join().unwrap();
    let pings = written / ping.len();
    let growth = rss_growth_since(baseline);
    assert!(pings > 100_000, "the flood was taken in: {pings} PINGs");
    assert!(
        growth < 16 * 1024,
        "{pings} PINGs never read: +{growth} KiB (a PONG each would be {} KiB)",
        pings * 23 / 1024
    );
    finish(context, [pull, push]);
}
