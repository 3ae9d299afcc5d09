//! RADIO/DISH over udp (`src/session/udp.rs`) under attack: random and truncated
//! datagrams, group lengths that lie, bytes >= 0x80 where libzmq sign-extended
//! (e357cd32), RADIO bodies past the 8 KiB datagram (af11df08), and a flood at a
//! DISH that does not read.

use std::net::UdpSocket;
use std::time::Duration;

use zmq::constants::*;
use zmq::{Context, Msg, Socket};

use crate::engine::*;
use crate::{rss_growth_since, rss_kib, serial, wait_until};

fn free_udp_port() -> u16 {
    UdpSocket::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn send_to_group(radio: &Socket, group: &[u8], body: &[u8]) {
    let mut msg = Msg::from_slice(body).unwrap();
    msg.set_group(group).unwrap();
    radio.send(&mut msg, 0).expect("RADIO never blocks");
}

/// Receives until a message with `body` comes; every message on the way must be of
/// group "good" and fit a datagram. Returns the lengths seen before it.
fn receive_until(dish: &Socket, body: &[u8]) -> Vec<usize> {
    let mut seen = Vec::new();
    loop {
        let msg = dish.recv(0).expect("the good message, within 5 s");
        assert_eq!(msg.group().unwrap().to_bytes(), b"good", "only the joined group");
        assert!(msg.len() <= 8192 - 5);
        if msg.data() == body {
            return seen;
        }
        seen.push(msg.len());
    }
}

/// A small deterministic generator of hostile bytes.
fn noise(seed: u64, len: usize) -> Vec<u8> {
    let mut state = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
    (0..len)
        .map(|_| {
            state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            (state >> 33) as u8
        })
        .collect()
}

#[test]
fn malformed_datagrams_leave_a_dish_receiving() {
    let _serial = serial();
    let context = Context::new();
    let port = free_udp_port();
    let endpoint = format!("udp://127.0.0.1:{port}");
    let dish = socket(&context, ZMQ_DISH);
    dish.join(b"good").unwrap();
    dish.bind(&endpoint).unwrap();
    let radio = socket(&context, ZMQ_RADIO);
    radio.connect(&endpoint).unwrap();
    let raw = UdpSocket::bind("127.0.0.1:0").unwrap();
    let target = format!("127.0.0.1:{port}");
    let mut hostile: Vec<Vec<u8>> = vec![
        vec![],
        vec![0],
        vec![0xff],
        [&[0xff][..], &[b'g'; 254]].concat(),
        [&[4][..], b"goo"].concat(),
        [&[0x80][..], b"good"].concat(),
        [&[0xfe][..], &noise(1, 100)].concat(),
        [&[5][..], b"good\0body"].concat(),
        [&[4][..], b"go\0d", b"body"].concat(),
        // Valid: the empty body, the largest body, and a datagram the 8 KiB read
        // buffer cuts.
        [&[4][..], b"good"].concat(),
        [&[4][..], b"good", &[1; 8192 - 5]].concat(),
        [&[4][..], b"good", &[2; 60_000]].concat(),
    ];
    for seed in 0..2000 {
        let len = (noise(seed, 1)[0] as usize * 37) % 9000;
        hostile.push(noise(seed + 10_000, len));
    }
    for datagram in &hostile {
        raw.send_to(datagram, &target).expect("sent");
    }
    // The kernel drops datagrams when the DISH's buffer is full (the flood above may
    // fill it): the marker is sent until one arrives. What comes before it is only
    // ever of the joined group and of a datagram's size (`receive_until`).
    dish.set_option(ZMQ_RCVTIMEO, Some(&int(20))).unwrap();
    let mut before_marker = Vec::new();
    let got = wait_until(Duration::from_secs(5), || {
        send_to_group(&radio, b"good", b"marker");
        while let Ok(msg) = dish.recv(0) {
            assert_eq!(msg.group().unwrap().to_bytes(), b"good", "only the joined group");
            assert!(msg.len() <= 8192 - 5);
            if msg.data() == b"marker" {
                return true;
            }
            before_marker.push(msg.len());
        }
        false
    });
    assert!(got, "the DISH still receives after {} hostile datagrams", hostile.len());
    // At most the valid ones: the empty body, the largest (twice: the cut one is cut
    // to the datagram buffer), and "body" of group "good\0", which is "good" once
    // read as a C string, as libzmq's DISH reads it.
    assert!(before_marker.iter().all(|len| [0, 4, 8192 - 5].contains(len)), "{before_marker:?}");
    while dish.recv(0).is_ok() {}
    dish.set_option(ZMQ_RCVTIMEO, Some(&int(5000))).unwrap();
    // The RADIO side: bodies at, just past and far past the 8 KiB datagram.
    for len in [8000usize, 8187, 8188, 70_000, 8187] {
        send_to_group(&radio, b"good", &vec![3; len]);
    }
    send_to_group(&radio, b"good", b"end");
    let seen = receive_until(&dish, b"end");
    assert_eq!(seen, [8000, 8187, 8187], "bodies that do not fit a datagram are dropped");
    finish(context, [dish, radio]);
}

#[test]
fn a_flood_at_a_dish_that_does_not_read_stays_within_its_hwm() {
    let _serial = serial();
    let context = Context::new();
    let port = free_udp_port();
    let endpoint = format!("udp://127.0.0.1:{port}");
    let dish = socket(&context, ZMQ_DISH);
    dish.set_option(ZMQ_RCVHWM, Some(&int(100))).unwrap();
    dish.join(b"good").unwrap();
    dish.bind(&endpoint).unwrap();
    let raw = UdpSocket::bind("127.0.0.1:0").unwrap();
    let datagram = [&[4][..], b"good", &[9; 8000]].concat();
    let baseline = rss_kib();
    // 160 MB at a DISH nobody reads.
    for _ in 0..20_000 {
        let _ = raw.send_to(&datagram, format!("127.0.0.1:{port}"));
    }
    std::thread::sleep(Duration::from_millis(200));
    let growth = rss_growth_since(baseline);
    assert!(growth < 16 * 1024, "an unread flood holds +{growth} KiB");
    // Reading drains what the pipe held, then a good RADIO's message comes.
    dish.set_option(ZMQ_RCVTIMEO, Some(&int(200))).unwrap();
    let mut drained = 0;
    while dish.recv(0).is_ok() {
        drained += 1;
        assert!(drained < 20_000);
    }
    assert!(drained >= 100, "the pipe held its HWM: {drained}");
    dish.set_option(ZMQ_RCVTIMEO, Some(&int(20))).unwrap();
    let radio = socket(&context, ZMQ_RADIO);
    radio.connect(&endpoint).unwrap();
    let got = wait_until(Duration::from_secs(5), || {
        send_to_group(&radio, b"good", b"after the flood");
        dish.recv(0).is_ok_and(|msg| msg.data() == b"after the flood")
    });
    assert!(got, "the DISH still receives");
    finish(context, [dish, radio]);
}

#[test]
fn a_udp_flood_does_not_keep_the_io_thread_from_other_sockets() {
    // A DISH without a high-water mark (RCVHWM 0) takes every datagram that comes;
    // a flood of them must not keep its I/O thread from the context's other sockets.
    let _serial = serial();
    let context = Context::new();
    let port = free_udp_port();
    let dish = socket(&context, ZMQ_DISH);
    dish.set_option(ZMQ_RCVHWM, Some(&int(0))).unwrap();
    dish.join(b"good").unwrap();
    dish.bind(&format!("udp://127.0.0.1:{port}")).unwrap();
    let pull = socket(&context, ZMQ_PULL);
    pull.bind("tcp://127.0.0.1:*").unwrap();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let flooders: Vec<_> = (0..2)
        .map(|_| {
            let stop = std::sync::Arc::clone(&stop);
            std::thread::spawn(move || {
                let raw = UdpSocket::bind("127.0.0.1:0").unwrap();
                let datagram = [&[4][..], b"none", &[7; 16]].concat();
                let started = std::time::Instant::now();
                let mut sent = 0u64;
                while !stop.load(std::sync::atomic::Ordering::Relaxed)
                    && started.elapsed() < Duration::from_secs(4)
                {
                    if raw.send_to(&datagram, ("127.0.0.1", port)).is_ok() {
                        sent += 1;
                    }
                }
                sent
            })
        })
        .collect();
    std::thread::sleep(Duration::from_millis(300));
    let asked = std::time::Instant::now();
    let push = socket(&context, ZMQ_PUSH);
    push.connect(&last_endpoint(&pull)).unwrap();
    send(&push, b"beside the flood");
    assert_eq!(recv(&pull), b"beside the flood");
    let latency = asked.elapsed();
    let still_flooding = flooders.iter().all(|flooder| !flooder.is_finished());
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let sent: u64 = flooders.into_iter().map(|flooder| flooder.join().unwrap()).sum();
    assert!(still_flooding, "served while the flood went on ({sent} datagrams)");
    assert!(latency < Duration::from_secs(2), "a tcp peer waited {latency:?} behind {sent} datagrams");
    finish(context, [dish, pull, push]);
}
