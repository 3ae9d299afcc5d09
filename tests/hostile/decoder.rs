//! The frame decoder under attack: CVE-2019-6250 (a size header near 2^64 that
//! overflowed libzmq's pointer arithmetic), CVE-2020-36400 (a heap overflow in
//! `tcp_read`: frames on the read buffer's edges, bursts, frames cut across many
//! reads) and CVE-2021-20235 (ZMTP 1.0 framing, whose static buffer libzmq shrank).

use std::io::Write;
use std::time::Duration;

use zmq::constants::*;
use zmq::Context;

use crate::engine::*;
use crate::wire::{frame, long_header, v1_frame, Peer};
use crate::{rss_growth_since, rss_kib, serial};

/// A PULL that must still take a message from a good PUSH.
fn still_serves(context: &Context, pull: &zmq::Socket, what: &[u8]) {
    let push = socket(context, ZMQ_PUSH);
    push.connect(&last_endpoint(pull)).unwrap();
    send(&push, what);
    assert_eq!(recv(pull), what, "a good peer is still served");
    push.close();
}

/// Sizes that wrap pointer arithmetic (`read_pos + size`), sign-convert to negative
/// lengths, or exceed any allocation.
const HOSTILE_SIZES: [u64; 10] = [
    u64::MAX,
    u64::MAX - 1,
    u64::MAX - 8,
    u64::MAX - 8191,
    i64::MAX as u64,
    i64::MAX as u64 + 1,
    (i64::MAX as u64) - 8,
    1 << 48,
    1 << 40,
    u32::MAX as u64 + 1,
];

#[test]
fn cve_2019_6250_frame_sizes_near_two_to_the_64_cost_only_what_is_sent() {
    let _serial = serial();
    let context = Context::new();
    let pull = socket(&context, ZMQ_PULL);
    pull.bind("tcp://127.0.0.1:*").unwrap();
    let endpoint = last_endpoint(&pull);
    // Warm up: connections and a large message, so that what the process keeps
    // anyway (allocator pages, buffers) is in the baseline.
    still_serves(&context, &pull, &vec![1; 200_000]);
    let baseline = rss_kib();
    let mut hostile = Vec::new();
    for size in HOSTILE_SIZES {
        // ZMTP 3.1 after the handshake: a message frame, and a command frame.
        for flags in [0x00, 0x01, 0x04] {
            let mut peer = Peer::connect(&endpoint);
            peer.null_handshake("PUSH", &[]);
            let _ = peer.send_raw(&[long_header(flags, size), vec![0x5a; 4096]].concat());
            hostile.push(peer);
        }
        // ZMTP 2.0 (libzmq's `v2_decoder`, where CVE-2019-6250 was, decodes 2.0 and 3.x).
        let mut peer = Peer::connect(&endpoint);
        peer.v2_handshake(8);
        let _ = peer.send_raw(&[long_header(0, size), vec![0x5a; 100]].concat());
        hostile.push(peer);
        // Before the handshake is done: a command of that size instead of READY.
        let mut peer = Peer::connect(&endpoint);
        let _ = peer.send_raw(&crate::wire::greeting(1, b"NULL", false));
        let _ = peer.send_raw(&long_header(0x04, size));
        hostile.push(peer);
    }
    // A good peer is served while they all wait for their impossible bodies.
    still_serves(&context, &pull, b"served beside 50 liars");
    let before_streaming = rss_growth_since(baseline);
    // One of them streams on into its 2^64-byte frame: it costs what it sends.
    let streaming = &mut hostile[0];
    let chunk = vec![0xa5u8; 1 << 20];
    for _ in 0..8 {
        streaming.send_raw(&chunk).expect("the server still reads");
    }
    still_serves(&context, &pull, b"served beside a stream");
    // 50 connections announcing ~2^64 bytes each hold no more than they were sent
    // (~8.5 MiB) plus their buffers: not a megabyte of zeroed space apiece.
    let growth = rss_growth_since(baseline);
    assert!(
        growth < 24 * 1024,
        "announced sizes cost memory: +{growth} KiB (+{before_streaming} KiB before 8 MiB were streamed)"
    );
    drop(hostile);
    finish(context, [pull]);
}

#[test]
fn stalled_giant_frames_cost_kilobytes_not_megabytes() {
    // The amplification behind CVE-2019-6250: a 9-byte header should not make the
    // server commit memory the peer never sends. 200 such connections.
    let _serial = serial();
    let context = Context::new();
    let pull = socket(&context, ZMQ_PULL);
    pull.bind("tcp://127.0.0.1:*").unwrap();
    let endpoint = last_endpoint(&pull);
    // Warm up: one connection and one large message, so that buffers the process
    // keeps anyway are counted in the baseline.
    still_serves(&context, &pull, &vec![1; 200_000]);
    let baseline = rss_kib();
    let hostile: Vec<Peer> = (0..200)
        .map(|index| {
            let mut peer = Peer::connect(&endpoint);
            peer.null_handshake("PUSH", &[]);
            let _ = peer.send_raw(&[long_header(0, (1 << 30) + index), vec![1; 16]].concat());
            peer
        })
        .collect();
    still_serves(&context, &pull, b"after 200 giant headers");
    let growth = rss_growth_since(baseline);
    eprintln!("200 stalled 1 GiB frames: +{growth} KiB");
    assert!(growth < 32 * 1024, "200 stalled 1 GiB frames: +{growth} KiB (limit 32 MiB)");
    drop(hostile);
    finish(context, [pull]);
}

#[test]
fn cve_2019_6250_with_maxmsgsize_the_liar_is_dropped_at_once() {
    let _serial = serial();
    let context = Context::new();
    let pull = socket(&context, ZMQ_PULL);
    pull.set_option(ZMQ_MAXMSGSIZE, Some(&(1i64 << 20).to_ne_bytes())).unwrap();
    pull.bind("tcp://127.0.0.1:*").unwrap();
    let endpoint = last_endpoint(&pull);
    for size in HOSTILE_SIZES {
        let mut peer = Peer::connect(&endpoint);
        peer.null_handshake("PUSH", &[]);
        let _ = peer.send_raw(&long_header(0, size));
        assert!(peer.closed_within(Duration::from_secs(5)), "size {size:#x} over MAXMSGSIZE is dropped");
    }
    // Exactly the limit is fine, one more is not.
    let mut peer = Peer::connect(&endpoint);
    peer.null_handshake("PUSH", &[]);
    peer.send_raw(&frame(0, &vec![3; 1 << 20])).unwrap();
    assert_eq!(recv(&pull).len(), 1 << 20);
    let _ = peer.send_raw(&long_header(0, (1 << 20) + 1));
    assert!(peer.closed_within(Duration::from_secs(5)));
    still_serves(&context, &pull, b"after the limit");
    finish(context, [pull]);
}

/// A deterministic body for frame `index` of `len` bytes.
fn body(index: usize, len: usize) -> Vec<u8> {
    (0..len).map(|at| (at.wrapping_mul(31) ^ index.wrapping_mul(7)) as u8).collect()
}

/// Frame sizes that put headers and bodies on every edge of the 8 KiB read buffer,
/// the 8 KiB direct-read threshold, 64 KiB and the 1 MiB direct chunk.
fn edge_sizes() -> Vec<usize> {
    let mut sizes = vec![0, 1, 254, 255, 256];
    for edge in [8192usize, 65536, 1 << 20] {
        for delta in [-11isize, -10, -9, -2, -1, 0, 1, 2, 9] {
            sizes.push((edge as isize + delta) as usize);
        }
    }
    // Header straddling the buffer's end: 8190 + 2 = 8192 exactly, then a long one.
    sizes.extend([8190, 300, 8183, 7, 8192 - 9 - 2, 1000]);
    sizes
}

#[test]
fn cve_2020_36400_frames_on_every_buffer_edge_arrive_intact() {
    let _serial = serial();
    let context = Context::new();
    let pull = socket(&context, ZMQ_PULL);
    pull.bind("tcp://127.0.0.1:*").unwrap();
    let endpoint = last_endpoint(&pull);
    let sizes = edge_sizes();
    let stream: Vec<u8> =
        sizes.iter().enumerate().flat_map(|(index, &len)| frame(0, &body(index, len))).collect();
    // All at once, then cut in chunks of awkward sizes (primes, 1 byte at a time for
    // the headers), each written separately so that reads end anywhere.
    let cuts: [&[usize]; 4] = [&[usize::MAX], &[8191, 8193, 65537], &[1, 2, 3, 5, 7, 9, 11, 13], &[4093, 1]];
    for chunks in cuts {
        let mut peer = Peer::connect(&endpoint);
        peer.null_handshake("PUSH", &[]);
        let writer = std::thread::spawn({
            let stream = stream.clone();
            let chunks = chunks.to_vec();
            let mut tcp = peer.stream.try_clone().unwrap();
            move || {
                let mut at = 0;
                let mut turn = 0;
                while at < stream.len() {
                    let len = chunks[turn % chunks.len()].min(stream.len() - at);
                    // Dribbling megabytes one byte at a time takes too long: past 64
                    // KiB of a body the chunks grow.
                    let len = if at > 1 << 17 && len < 4096 { 4096.min(stream.len() - at) } else { len };
                    tcp.write_all(&stream[at..at + len]).unwrap();
                    tcp.flush().unwrap();
                    at += len;
                    turn += 1;
                }
            }
        });
        for (index, &len) in sizes.iter().enumerate() {
            let msg = pull.recv(0).unwrap_or_else(|e| panic!("frame {index} ({len} bytes): {e:?}"));
            assert_eq!(msg.len(), len, "frame {index}");
            assert!(msg.data() == body(index, len).as_slice(), "frame {index} ({len} bytes) intact");
        }
        writer.join().unwrap();
    }
    still_serves(&context, &pull, b"after the edges");
    finish(context, [pull]);
}

#[test]
fn cve_2020_36400_a_burst_of_64_mib_is_taken_in_and_memory_follows_the_hwm() {
    let _serial = serial();
    let context = Context::new();
    let pull = socket(&context, ZMQ_PULL);
    pull.set_option(ZMQ_RCVHWM, Some(&int(100))).unwrap();
    pull.bind("tcp://127.0.0.1:*").unwrap();
    let endpoint = last_endpoint(&pull);
    let baseline = rss_kib();
    let mut peer = Peer::connect(&endpoint);
    peer.null_handshake("PUSH", &[]);
    // 64 MiB of 60 KiB frames, written while nobody reads the PULL: the writer is
    // held back by TCP once the pipe (100 messages) and the kernel are full.
    let one = frame(0, &vec![0xee; 60 * 1024]);
    let burst: Vec<u8> = one.iter().copied().cycle().take(one.len() * 16).collect();
    let total = 64 << 20;
    let writer = std::thread::spawn({
        let mut tcp = peer.stream.try_clone().unwrap();
        tcp.set_write_timeout(Some(Duration::from_secs(20))).unwrap();
        move || {
            let mut written = 0;
            while written < total {
                tcp.write_all(&burst).expect("the burst is taken in within 20 s");
                written += burst.len();
            }
            written / one.len()
        }
    });
    std::thread::sleep(Duration::from_millis(500));
    // Nobody reads: what is buffered is the pipe's 100 messages (6 MiB) and what the
    // kernel holds, not the burst.
    let held = rss_growth_since(baseline);
    assert!(held < 24 * 1024, "an unread burst holds +{held} KiB");
    let mut received = 0;
    let frames = loop {
        let msg = pull.recv(0).expect("the burst flows");
        assert_eq!(msg.len(), 60 * 1024);
        received += 1;
        if writer.is_finished() {
            let frames = writer.join().unwrap();
            while received < frames {
                assert_eq!(recv(&pull).len(), 60 * 1024);
                received += 1;
            }
            break frames;
        }
    };
    assert_eq!(received, frames);
    still_serves(&context, &pull, b"after the burst");
    finish(context, [pull]);
}

#[test]
fn cve_2021_20235_zmtp_1_0_peers_with_large_and_malformed_frames() {
    let _serial = serial();
    let context = Context::new();
    let pull = socket(&context, ZMQ_PULL);
    pull.bind("tcp://127.0.0.1:*").unwrap();
    let endpoint = last_endpoint(&pull);
    // The CVE's trigger: two messages over 8 KiB from an unversioned ZMTP 1.0 peer
    // (identity first, no greeting), then two more with a versioned greeting.
    let first = body(1, 8193);
    let second = body(2, 70_000);
    let mut peer = Peer::connect(&endpoint);
    let legacy = [v1_frame(false, b""), v1_frame(false, &first), v1_frame(false, &second)].concat();
    peer.send_raw(&legacy).unwrap();
    assert_eq!(recv(&pull), first);
    assert_eq!(recv(&pull), second);
    // The identity may be long too, and MORE must be honoured.
    let mut peer = Peer::connect(&endpoint);
    let parts = [v1_frame(false, &[b'i'; 300]), v1_frame(true, &first), v1_frame(false, b"tail")].concat();
    peer.send_raw(&parts).unwrap();
    let msg = pull.recv(0).unwrap();
    assert!(msg.more() && msg.data() == first.as_slice());
    assert_eq!(recv(&pull), b"tail");
    // Malformed: a length of 0 (it cannot even count the flags byte), short or
    // behind the 0xFF escape, ends the connection; sizes near 2^64 wait for bytes
    // that never come, holding nothing.
    let malformed: [(&[u8], bool); 4] = [
        (&[0, 0], true),
        (&[0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0], true),
        (&[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0], false),
        (&[0xff, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff], false),
    ];
    let mut waiting = Vec::new();
    for (bad, closes) in malformed {
        let mut peer = Peer::connect(&endpoint);
        // After a valid identity, so that the decoder is past the greeting logic.
        let _ = peer.send_raw(&[&v1_frame(false, b"id")[..], bad, &[0x11; 64]].concat());
        if closes {
            assert!(peer.closed_within(Duration::from_secs(5)), "{bad:?} ends the connection");
        } else {
            assert!(peer.open_after(Duration::from_millis(100)), "{bad:?} is only a large frame");
            waiting.push(peer);
        }
    }
    // ZMTP 1.0 after a greeting (revision 0): the same two large messages.
    let mut peer = Peer::connect(&endpoint);
    let greeting = [0xff, 0, 0, 0, 0, 0, 0, 0, 1, 0x7f, 0, ZMQ_PUSH as u8];
    peer.send_raw(
        &[&greeting[..], &v1_frame(false, b""), &v1_frame(false, &first), &v1_frame(false, &second)].concat(),
    )
    .unwrap();
    assert_eq!(recv(&pull), first);
    assert_eq!(recv(&pull), second);
    let mut peer = Peer::connect(&endpoint);
    peer.send_raw(&[v1_frame(false, b""), vec![3, 0xfe, b'o', b'k']].concat()).unwrap();
    assert_eq!(recv(&pull), b"ok", "flags bits other than MORE are ignored, as libzmq");
    still_serves(&context, &pull, b"after ZMTP 1.0");
    drop(waiting);
    finish(context, [pull]);
}

#[test]
fn zmtp_1_0_peers_of_a_router_with_huge_identities() {
    let _serial = serial();
    let context = Context::new();
    let router = socket(&context, ZMQ_ROUTER);
    router.bind("tcp://127.0.0.1:*").unwrap();
    let endpoint = last_endpoint(&router);
    // A 100 KB identity (libzmq's are at most 255 bytes), then a message.
    let mut peer = Peer::connect(&endpoint);
    peer.send_raw(&[v1_frame(false, &vec![b'x'; 100_000]), v1_frame(false, b"hello")].concat()).unwrap();
    // Whatever is made of the identity, the router survives and still routes.
    let _ = router.set_option(ZMQ_RCVTIMEO, Some(&int(1000)));
    let _ = router.recv(0);
    router.set_option(ZMQ_RCVTIMEO, Some(&int(5000))).unwrap();
    let dealer = socket(&context, ZMQ_DEALER);
    dealer.set_option(ZMQ_ROUTING_ID, Some(b"good")).unwrap();
    dealer.connect(&endpoint).unwrap();
    send(&dealer, b"hi");
    let mut parts = recv_parts(&router);
    while parts.first().map(Vec::as_slice) != Some(b"good") {
        parts = recv_parts(&router);
    }
    assert_eq!(parts, [b"good".to_vec(), b"hi".to_vec()]);
    send_parts(&router, &[b"good", b"back"]);
    assert_eq!(recv(&dealer), b"back");
    finish(context, [router, dealer]);
}
