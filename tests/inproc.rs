//! The engine over inproc, through its Rust API: PAIR, PUSH and PULL, high-water
//! marks, blocking and timeouts, shutdown, and polling. Every wait is bounded.

use std::thread;
use std::time::{Duration, Instant};

mod engine;

use engine::terminate;
use zmq::constants::*;
use zmq::socket::poll::{poll, PollItem};
use zmq::{Context, Errno, Msg, Socket};

fn int(value: i32) -> [u8; 4] {
    value.to_ne_bytes()
}

fn send(socket: &Socket, bytes: &[u8], flags: i32) -> Result<(), Errno> {
    socket.send(&mut Msg::from_slice(bytes).unwrap(), flags)
}

fn recv(socket: &Socket) -> Vec<u8> {
    socket.set_option(ZMQ_RCVTIMEO, Some(&int(5000))).unwrap();
    socket.recv(0).expect("a message within 5 s").data().to_vec()
}

#[test]
fn pair_talks_both_ways_and_connect_may_come_first() {
    let context = Context::new();
    let (a, b) = (Socket::new(&context, ZMQ_PAIR).unwrap(), Socket::new(&context, ZMQ_PAIR).unwrap());
    b.connect("inproc://pair").unwrap();
    send(&b, b"early", 0).unwrap();
    a.bind("inproc://pair").unwrap();
    assert_eq!(recv(&a), b"early");
    send(&a, b"reply", 0).unwrap();
    assert_eq!(recv(&b), b"reply");
    a.close();
    b.close();
    terminate(&context);
}

#[test]
fn multipart_messages_arrive_whole_with_rcvmore() {
    let context = Context::new();
    let (push, pull) = (Socket::new(&context, ZMQ_PUSH).unwrap(), Socket::new(&context, ZMQ_PULL).unwrap());
    pull.bind("inproc://parts").unwrap();
    push.connect("inproc://parts").unwrap();
    send(&push, b"1", ZMQ_SNDMORE).unwrap();
    assert_eq!(pull.recv(ZMQ_DONTWAIT).unwrap_err(), Errno::EAGAIN, "no part before the last is sent");
    send(&push, b"2", 0).unwrap();
    let first = pull.recv(0).unwrap();
    assert!(first.more());
    assert_eq!(pull.option(ZMQ_RCVMORE, 4).unwrap(), int(1));
    let second = pull.recv(0).unwrap();
    assert!(!second.more());
    assert_eq!(pull.option(ZMQ_RCVMORE, 4).unwrap(), int(0));
    for socket in [push, pull] {
        socket.close();
    }
    terminate(&context);
}

#[test]
fn push_round_robins_and_pull_fair_queues() {
    let context = Context::new();
    let push = Socket::new(&context, ZMQ_PUSH).unwrap();
    push.bind("inproc://fan").unwrap();
    let pulls: Vec<Socket> = (0..3).map(|_| Socket::new(&context, ZMQ_PULL).unwrap()).collect();
    for pull in &pulls {
        pull.connect("inproc://fan").unwrap();
    }
    // Let the binder take its connections (they arrive as commands).
    push.events().unwrap();
    for i in 0..6u8 {
        send(&push, &[i], 0).unwrap();
    }
    for pull in &pulls {
        let (first, second) = (recv(pull), recv(pull));
        assert_eq!(second[0], first[0] + 3);
    }
    for socket in pulls.into_iter().chain([push]) {
        socket.close();
    }
    terminate(&context);
}

#[test]
fn wrong_direction_is_enotsup() {
    let context = Context::new();
    let (push, pull) = (Socket::new(&context, ZMQ_PUSH).unwrap(), Socket::new(&context, ZMQ_PULL).unwrap());
    assert_eq!(push.recv(ZMQ_DONTWAIT).unwrap_err(), Errno::ENOTSUP);
    assert_eq!(send(&pull, b"x", ZMQ_DONTWAIT), Err(Errno::ENOTSUP));
    push.close();
    pull.close();
    terminate(&context);
}

#[test]
fn sndhwm_bounds_the_queue_and_dontwait_says_eagain() {
    let context = Context::new();
    let (push, pull) = (Socket::new(&context, ZMQ_PUSH).unwrap(), Socket::new(&context, ZMQ_PULL).unwrap());
    push.set_option(ZMQ_SNDHWM, Some(&int(5))).unwrap();
    pull.set_option(ZMQ_RCVHWM, Some(&int(5))).unwrap();
    pull.bind("inproc://hwm").unwrap();
    push.connect("inproc://hwm").unwrap();
    let mut sent = 0;
    while send(&push, b"x", ZMQ_DONTWAIT).is_ok() {
        sent += 1;
        assert!(sent <= 100, "the queue is not bounded");
    }
    assert_eq!(sent, 10, "inproc HWM is the sender's SNDHWM plus the receiver's RCVHWM");
    // Once the reader drains, the writer can go on.
    for _ in 0..sent {
        recv(&pull);
    }
    send(&push, b"again", ZMQ_DONTWAIT).unwrap();
    push.close();
    pull.close();
    terminate(&context);
}

#[test]
fn a_blocked_sender_wakes_when_the_reader_drains() {
    let context = Context::new();
    let (push, pull) = (Socket::new(&context, ZMQ_PUSH).unwrap(), Socket::new(&context, ZMQ_PULL).unwrap());
    push.set_option(ZMQ_SNDHWM, Some(&int(1))).unwrap();
    pull.set_option(ZMQ_RCVHWM, Some(&int(1))).unwrap();
    pull.bind("inproc://slow").unwrap();
    push.connect("inproc://slow").unwrap();
    push.set_option(ZMQ_SNDTIMEO, Some(&int(5000))).unwrap();
    let sender = thread::spawn(move || {
        for i in 0..100u8 {
            send(&push, &[i], 0).expect("sent within 5 s");
        }
        push
    });
    for i in 0..100u8 {
        assert_eq!(recv(&pull), [i]);
    }
    sender.join().unwrap().close();
    pull.close();
    terminate(&context);
}

#[test]
fn timeouts_are_honoured() {
    let context = Context::new();
    let pull = Socket::new(&context, ZMQ_PULL).unwrap();
    pull.set_option(ZMQ_RCVTIMEO, Some(&int(50))).unwrap();
    let start = Instant::now();
    assert_eq!(pull.recv(0).unwrap_err(), Errno::EAGAIN);
    let waited = start.elapsed();
    assert!(waited >= Duration::from_millis(45) && waited < Duration::from_secs(2), "{waited:?}");
    pull.close();
    terminate(&context);
}

#[test]
fn shutdown_wakes_blocked_calls_with_eterm() {
    let context = Context::new();
    let pull = Socket::new(&context, ZMQ_PULL).unwrap();
    pull.set_option(ZMQ_RCVTIMEO, Some(&int(10_000))).unwrap();
    let waiter = {
        let pull = pull.clone();
        thread::spawn(move || pull.recv(0).unwrap_err())
    };
    thread::sleep(Duration::from_millis(50));
    context.shutdown();
    assert_eq!(waiter.join().unwrap(), Errno::ETERM);
    assert_eq!(send(&pull, b"x", ZMQ_DONTWAIT), Err(Errno::ETERM));
    assert_eq!(Socket::new(&context, ZMQ_PAIR).unwrap_err(), Errno::ETERM);
    pull.close();
    terminate(&context);
}

#[test]
fn terminate_waits_for_sockets_to_close() {
    let context = Context::new();
    let pair = Socket::new(&context, ZMQ_PAIR).unwrap();
    let terminating = {
        let context = context.clone();
        thread::spawn(move || context.terminate())
    };
    thread::sleep(Duration::from_millis(50));
    assert!(!terminating.is_finished());
    pair.close();
    terminating.join().unwrap();
}

#[test]
fn endpoints_errors() {
    let context = Context::new();
    let (a, b) = (Socket::new(&context, ZMQ_PAIR).unwrap(), Socket::new(&context, ZMQ_PAIR).unwrap());
    a.bind("inproc://taken").unwrap();
    assert_eq!(b.bind("inproc://taken"), Err(Errno::EADDRINUSE));
    assert_eq!(b.bind("inproc"), Err(Errno::EINVAL));
    assert_eq!(b.connect("bogus://x"), Err(Errno::EPROTONOSUPPORT));
    assert_eq!(b.unbind("inproc://never"), Err(Errno::ENOENT));
    assert_eq!(b.disconnect("inproc://never"), Err(Errno::ENOENT));
    a.unbind("inproc://taken").unwrap();
    b.bind("inproc://taken").unwrap();
    assert_eq!(Socket::new(&context, 99).unwrap_err(), Errno::EINVAL);
    a.close();
    b.close();
    terminate(&context);
}

#[test]
fn poll_and_events_see_messages() {
    let context = Context::new();
    let (push, pull) = (Socket::new(&context, ZMQ_PUSH).unwrap(), Socket::new(&context, ZMQ_PULL).unwrap());
    pull.bind("inproc://poll").unwrap();
    push.connect("inproc://poll").unwrap();
    let item = |socket: &Socket| PollItem {
        socket: Some(socket.clone()),
        fd: -1,
        events: ZMQ_POLLIN as i16,
        revents: 0,
    };
    let mut items = [item(&pull)];
    assert_eq!(poll(&mut items, 0, None).unwrap(), 0);
    let sender = {
        let push = push.clone();
        thread::spawn(move || {
            thread::sleep(Duration::from_millis(30));
            send(&push, b"wake", 0).unwrap();
        })
    };
    assert_eq!(poll(&mut items, 5000, None).unwrap(), 1);
    assert_eq!(items[0].revents, ZMQ_POLLIN as i16);
    sender.join().unwrap();
    assert_eq!(pull.events().unwrap() & ZMQ_POLLIN as i16, ZMQ_POLLIN as i16);
    assert_eq!(recv(&pull), b"wake");
    assert_eq!(pull.events().unwrap() & ZMQ_POLLIN as i16, 0);
    push.close();
    pull.close();
    terminate(&context);
}

#[test]
fn max_sockets_is_emfile() {
    let context = Context::new();
    context.set_int_option(ZMQ_MAX_SOCKETS, 1).unwrap();
    let first = Socket::new(&context, ZMQ_PAIR).unwrap();
    assert_eq!(Socket::new(&context, ZMQ_PAIR).unwrap_err(), Errno::EMFILE);
    first.close();
    terminate(&context);
}

#[test]
fn messages_of_a_connecter_closed_before_the_bind_are_delivered() {
    let context = Context::new();
    let push = Socket::new(&context, ZMQ_PUSH).unwrap();
    push.connect("inproc://late").unwrap();
    for i in 0..3u8 {
        send(&push, &[i], ZMQ_DONTWAIT).unwrap();
    }
    push.close();
    let pull = Socket::new(&context, ZMQ_PULL).unwrap();
    pull.bind("inproc://late").unwrap();
    for i in 0..3u8 {
        assert_eq!(recv(&pull), [i]);
    }
    pull.close();
    terminate(&context);
}
