//! The draft zmq_poller API: the engine's `Poller` through its Rust API (readiness,
//! order, level-triggered reports, descriptors, thread-safe sockets, ETERM, EINTR,
//! 10 000 sockets) and the C functions of `ffi::poller` for what only they do
//! (handles, errno, `zmq_poller_event_t`, user data). Every wait is bounded.

mod engine;

use core::ffi::{c_short, c_void};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::thread::JoinHandleExt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use engine::*;
use zmq::constants::*;
use zmq::ffi::poller::*;
use zmq::ffi::types::zmq_poller_event_t;
use zmq::socket::poller::{Poller, PollerEvent};
use zmq::{Context, Errno, Socket};

const IN: c_short = ZMQ_POLLIN as c_short;
const OUT: c_short = ZMQ_POLLOUT as c_short;
const ERR: c_short = ZMQ_POLLERR as c_short;

/// What a wait reported, as (data, events), or its error.
fn wait(
    poller: &mut Poller<&'static str>,
    max: usize,
    timeout_ms: i64,
) -> Result<Vec<(&'static str, c_short)>, Errno> {
    let mut ready = Vec::new();
    let found = poller.wait(&mut ready, max, timeout_ms)?;
    assert_eq!(found, ready.len());
    assert!(found > 0 && found <= max);
    Ok(ready.into_iter().map(|event| (event.data, event.events)).collect())
}

/// A pipe: (read end, write end).
fn pipe() -> (OwnedFd, OwnedFd) {
    let mut fds = [0; 2];
    // SAFETY: `fds` has room for the two descriptors pipe(2) writes.
    assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0);
    // SAFETY: fresh descriptors, owned by nothing else.
    unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) }
}

fn write_byte(fd: &OwnedFd) {
    // SAFETY: writes one byte from a live local.
    assert_eq!(unsafe { libc::write(fd.as_raw_fd(), b"x".as_ptr().cast(), 1) }, 1);
}

fn read_byte(fd: &OwnedFd) {
    let mut byte = 0u8;
    // SAFETY: reads one byte into a live local.
    assert_eq!(unsafe { libc::read(fd.as_raw_fd(), (&raw mut byte).cast(), 1) }, 1);
}

fn readable(fd: RawFd, timeout_ms: i32) -> bool {
    let mut poll_fd = libc::pollfd { fd, events: libc::POLLIN, revents: 0 };
    // SAFETY: one live pollfd.
    unsafe { libc::poll(&raw mut poll_fd, 1, timeout_ms) == 1 }
}

#[test]
fn ready_sockets_are_reported_in_the_order_added_for_as_long_as_they_stay_ready() {
    let context = Context::new();
    let (a, a_peer) = connected_pair(&context, ZMQ_PAIR, ZMQ_PAIR, "inproc://order-a");
    let (b, b_peer) = connected_pair(&context, ZMQ_PAIR, ZMQ_PAIR, "inproc://order-b");
    let (c, c_peer) = connected_pair(&context, ZMQ_PAIR, ZMQ_PAIR, "inproc://order-c");
    let mut poller = Poller::new().unwrap();
    assert!(poller.is_empty());
    poller.add(&c, "c", IN).unwrap();
    poller.add(&a, "a", IN).unwrap();
    poller.add(&b, "b", IN).unwrap();
    assert_eq!(poller.len(), 3);
    assert_eq!(wait(&mut poller, 3, 0), Err(Errno::EAGAIN));
    send(&a_peer, b"1");
    send(&c_peer, b"2");
    for _ in 0..3 {
        // Nothing new happens between these waits: level-triggered, they see the same.
        assert_eq!(wait(&mut poller, 3, 1000).unwrap(), [("c", IN), ("a", IN)]);
    }
    assert_eq!(recv(&c), b"2");
    assert_eq!(wait(&mut poller, 3, 0).unwrap(), [("a", IN)]);
    assert_eq!(recv(&a), b"1");
    assert_eq!(wait(&mut poller, 3, 0), Err(Errno::EAGAIN));
    // A message arriving while the poller sleeps wakes it.
    let sender = {
        let b_peer = b_peer.clone();
        thread::spawn(move || {
            thread::sleep(Duration::from_millis(30));
            send(&b_peer, b"3");
        })
    };
    assert_eq!(wait(&mut poller, 3, 5000).unwrap(), [("b", IN)]);
    sender.join().unwrap();
    assert_eq!(recv(&b), b"3");
    drop(poller);
    finish(context, [a, a_peer, b, b_peer, c, c_peer]);
}

#[test]
fn a_too_small_events_array_gets_the_first_ready_and_the_rest_come_later() {
    let context = Context::new();
    let pairs: Vec<_> = (0..4)
        .map(|i| connected_pair(&context, ZMQ_PULL, ZMQ_PUSH, &format!("inproc://small-{i}")))
        .collect();
    let names = ["p0", "p1", "p2", "p3"];
    let mut poller = Poller::new().unwrap();
    for ((pull, _), name) in pairs.iter().zip(names) {
        poller.add(pull, name, IN).unwrap();
    }
    for (_, push) in &pairs[1..] {
        send(push, b"m");
    }
    assert_eq!(wait(&mut poller, 1, 1000).unwrap(), [("p1", IN)]);
    assert_eq!(wait(&mut poller, 2, 0).unwrap(), [("p1", IN), ("p2", IN)]);
    assert_eq!(recv(&pairs[1].0), b"m");
    assert_eq!(wait(&mut poller, 1, 0).unwrap(), [("p2", IN)]);
    assert_eq!(wait(&mut poller, 4, 0).unwrap(), [("p2", IN), ("p3", IN)]);
    // No room at all: nothing can be reported, so the time runs out.
    assert_eq!(poller.wait(&mut Vec::new(), 0, 20), Err(Errno::EAGAIN));
    assert_eq!(wait(&mut poller, 4, 0).unwrap(), [("p2", IN), ("p3", IN)]);
    drop(poller);
    finish(context, pairs.into_iter().flat_map(|(a, b)| [a, b]));
}

#[test]
fn calls_on_a_socket_that_make_it_ready_are_seen_without_any_message() {
    let context = Context::new();
    let pull = socket(&context, ZMQ_PULL);
    pull.bind("inproc://no-command").unwrap();
    let push = socket(&context, ZMQ_PUSH);
    let mut poller = Poller::new().unwrap();
    poller.add(&push, "push", OUT).unwrap();
    assert_eq!(wait(&mut poller, 1, 0), Err(Errno::EAGAIN));
    // The connect attaches a pipe at once: the PUSH can send, no command involved.
    push.connect("inproc://no-command").unwrap();
    assert_eq!(wait(&mut poller, 1, 0).unwrap(), [("push", OUT)]);

    // A REQ can send again only once it has received the reply.
    let (rep, req) = connected_pair(&context, ZMQ_REP, ZMQ_REQ, "inproc://no-command-req");
    poller.add(&req, "req", OUT).unwrap();
    poller.add(&rep, "rep", IN | OUT).unwrap();
    assert_eq!(wait(&mut poller, 3, 0).unwrap(), [("push", OUT), ("req", OUT)]);
    send(&req, b"question");
    assert_eq!(wait(&mut poller, 3, 1000).unwrap(), [("push", OUT), ("rep", IN)]);
    assert_eq!(recv(&rep), b"question");
    assert_eq!(wait(&mut poller, 3, 0).unwrap(), [("push", OUT), ("rep", OUT)]);
    send(&rep, b"answer");
    poller.modify(&push, 0).unwrap();
    // The reply is there: the REQ can receive, but it was asked for ZMQ_POLLOUT only.
    assert_eq!(wait(&mut poller, 3, 0), Err(Errno::EAGAIN));
    // Receiving the reply, which no message tells the poller of, makes it writable.
    assert_eq!(req.recv(0).unwrap().data(), b"answer");
    assert_eq!(wait(&mut poller, 3, 0).unwrap(), [("req", OUT)]);
    drop(poller);
    finish(context, [pull, push, rep, req]);
}

#[test]
fn modify_and_remove_change_what_is_reported() {
    let context = Context::new();
    let (a, b) = connected_pair(&context, ZMQ_PAIR, ZMQ_PAIR, "inproc://modify");
    let mut poller = Poller::new().unwrap();
    poller.add(&a, "a", 0).unwrap();
    send(&b, b"x");
    // Nothing asks for events: EAGAIN at once, after the timeout, or EFAULT forever.
    assert_eq!(wait(&mut poller, 1, 0), Err(Errno::EAGAIN));
    let start = Instant::now();
    assert_eq!(wait(&mut poller, 1, 30), Err(Errno::EAGAIN));
    assert!(start.elapsed() >= Duration::from_millis(30));
    assert_eq!(wait(&mut poller, 1, -1), Err(Errno::EFAULT));
    poller.modify(&a, OUT).unwrap();
    assert_eq!(wait(&mut poller, 1, 0).unwrap(), [("a", OUT)]);
    poller.modify(&a, IN | OUT).unwrap();
    assert_eq!(wait(&mut poller, 1, 0).unwrap(), [("a", IN | OUT)]);
    // ZMQ_POLLERR and ZMQ_POLLPRI mean nothing for a socket.
    poller.modify(&a, ERR | ZMQ_POLLPRI as c_short).unwrap();
    assert_eq!(wait(&mut poller, 1, 0), Err(Errno::EAGAIN));
    poller.modify(&a, IN).unwrap();
    assert_eq!(wait(&mut poller, 1, 0).unwrap(), [("a", IN)]);
    poller.remove(&a).unwrap();
    assert_eq!(poller.len(), 0);
    assert_eq!(wait(&mut poller, 1, 0), Err(Errno::EAGAIN));
    assert_eq!(wait(&mut poller, 1, -1), Err(Errno::EFAULT));
    // Added again, it is new: reported at once.
    poller.add(&a, "again", IN).unwrap();
    assert_eq!(wait(&mut poller, 1, 0).unwrap(), [("again", IN)]);
    drop(poller);
    finish(context, [a, b]);
}

#[test]
fn registration_errors_follow_libzmq() {
    let context = Context::new();
    let (a, b) = connected_pair(&context, ZMQ_PAIR, ZMQ_PAIR, "inproc://errors");
    let (read, _write) = pipe();
    let fd = read.as_raw_fd();
    let mut poller = Poller::new().unwrap();
    assert_eq!(poller.modify(&a, IN), Err(Errno::EINVAL));
    assert_eq!(poller.remove(&a), Err(Errno::EINVAL));
    assert_eq!(poller.add(&a, "a", 0x7fff), Err(Errno::EINVAL));
    assert_eq!(poller.add(&a, "a", 0x10), Err(Errno::EINVAL));
    poller.add(&a, "a", IN).unwrap();
    assert_eq!(poller.add(&a, "twice", IN), Err(Errno::EINVAL));
    assert_eq!(poller.modify(&a, 0x7fff), Err(Errno::EINVAL));
    assert_eq!(poller.modify_fd(fd, IN), Err(Errno::EINVAL));
    assert_eq!(poller.remove_fd(fd), Err(Errno::EINVAL));
    assert_eq!(poller.add_fd(fd, "fd", 0x7fff), Err(Errno::EINVAL));
    poller.add_fd(fd, "fd", IN).unwrap();
    assert_eq!(poller.add_fd(fd, "twice", IN), Err(Errno::EINVAL));
    assert_eq!(poller.modify_fd(fd, 0x7fff), Err(Errno::EINVAL));
    for bad in [poller.add_fd(-1, "bad", IN), poller.modify_fd(-1, IN), poller.remove_fd(-1)] {
        assert_eq!(bad, Err(Errno::EBADF));
    }
    // Checked before the events.
    assert_eq!(poller.add_fd(-1, "bad", 0x7fff), Err(Errno::EBADF));
    assert_eq!(poller.len(), 2);
    poller.remove_fd(fd).unwrap();
    poller.remove(&a).unwrap();
    assert_eq!(poller.len(), 0);
    // Without a thread-safe socket, no descriptor (as libzmq).
    poller.add(&a, "a", IN).unwrap();
    assert_eq!(poller.fd(), Err(Errno::EINVAL));
    let mut empty = Poller::<()>::new().unwrap();
    assert_eq!(empty.wait(&mut Vec::new(), 1, -1), Err(Errno::EFAULT));
    assert_eq!(empty.wait(&mut Vec::new(), 1, 0), Err(Errno::EAGAIN));
    let start = Instant::now();
    assert_eq!(empty.wait(&mut Vec::new(), 1, 30), Err(Errno::EAGAIN));
    assert!(start.elapsed() >= Duration::from_millis(30));
    drop(poller);
    finish(context, [a, b]);
}

#[test]
fn descriptors_are_reported_with_their_own_events() {
    let (read, write) = pipe();
    let mut poller = Poller::new().unwrap();
    poller.add_fd(read.as_raw_fd(), "read", IN).unwrap();
    poller.add_fd(write.as_raw_fd(), "write", 0).unwrap();
    assert_eq!(wait(&mut poller, 2, 0), Err(Errno::EAGAIN));
    write_byte(&write);
    for _ in 0..2 {
        let mut ready = Vec::new();
        poller.wait(&mut ready, 2, 1000).unwrap();
        assert_eq!(ready, [PollerEvent { fd: Some(read.as_raw_fd()), data: "read", events: IN }]);
    }
    read_byte(&read);
    assert_eq!(wait(&mut poller, 2, 0), Err(Errno::EAGAIN));
    poller.modify_fd(write.as_raw_fd(), OUT | IN).unwrap();
    assert_eq!(wait(&mut poller, 2, 0).unwrap(), [("write", OUT)]);
    poller.modify_fd(write.as_raw_fd(), 0).unwrap();
    assert_eq!(wait(&mut poller, 2, 0), Err(Errno::EAGAIN));
    // A writer gone: the reader is hung up, which libzmq reports as ZMQ_POLLERR.
    drop(write);
    assert_eq!(wait(&mut poller, 2, 0).unwrap(), [("read", ERR)]);
    poller.remove_fd(read.as_raw_fd()).unwrap();
    assert_eq!(poller.len(), 1);
}

#[test]
fn descriptors_epoll_cannot_watch_are_reported_as_poll_would() {
    let file = std::fs::File::open(std::env::current_exe().unwrap()).unwrap();
    let mut poller = Poller::new().unwrap();
    // A regular file is always ready.
    poller.add_fd(file.as_raw_fd(), "file", IN | OUT).unwrap();
    assert_eq!(wait(&mut poller, 2, -1).unwrap(), [("file", IN | OUT)]);
    poller.modify_fd(file.as_raw_fd(), OUT).unwrap();
    assert_eq!(wait(&mut poller, 2, -1).unwrap(), [("file", OUT)]);
    poller.modify_fd(file.as_raw_fd(), 0).unwrap();
    assert_eq!(wait(&mut poller, 2, 0), Err(Errno::EAGAIN));
    poller.remove_fd(file.as_raw_fd()).unwrap();
    // A descriptor that is not open (tests run beside each other: a number far above
    // any they use): accepted, then in error (POLLNVAL).
    let closed = 19_999;
    poller.add_fd(closed, "closed", IN).unwrap();
    assert_eq!(wait(&mut poller, 2, 0).unwrap(), [("closed", ERR)]);
}

#[test]
fn sockets_and_descriptors_are_reported_together_in_the_order_added() {
    let context = Context::new();
    let (a, b) = connected_pair(&context, ZMQ_PAIR, ZMQ_PAIR, "inproc://mixed");
    let (read, write) = pipe();
    let mut poller = Poller::new().unwrap();
    poller.add_fd(read.as_raw_fd(), "fd", IN).unwrap();
    poller.add(&a, "socket", IN).unwrap();
    send(&b, b"x");
    write_byte(&write);
    let mut ready = Vec::new();
    assert_eq!(poller.wait(&mut ready, 2, 1000), Ok(2));
    assert_eq!(
        ready,
        [
            PollerEvent { fd: Some(read.as_raw_fd()), data: "fd", events: IN },
            PollerEvent { fd: None, data: "socket", events: IN },
        ]
    );
    drop(poller);
    finish(context, [a, b]);
}

#[test]
fn thread_safe_sockets_wake_a_poller_and_give_it_a_descriptor() {
    let context = Context::new();
    let (server, client) = connected_pair(&context, ZMQ_SERVER, ZMQ_CLIENT, "inproc://thread-safe");
    let mut poller = Poller::new().unwrap();
    poller.add(&server, "server", IN).unwrap();
    let fd = poller.fd().unwrap();
    assert!(fd >= 0);
    assert_eq!(poller.fd(), Ok(fd));
    assert_eq!(wait(&mut poller, 1, 0), Err(Errno::EAGAIN));
    assert!(!readable(fd, 0));
    // The descriptor becomes readable when a message comes, from any thread.
    let sender = {
        let client = client.clone();
        thread::spawn(move || {
            thread::sleep(Duration::from_millis(30));
            send(&client, b"hello");
        })
    };
    assert!(readable(fd, 5000));
    sender.join().unwrap();
    assert_eq!(wait(&mut poller, 1, 0).unwrap(), [("server", IN)]);
    // While the server stays ready, the descriptor stays readable.
    assert!(readable(fd, 0));
    assert_eq!(recv(&server), b"hello");
    assert_eq!(wait(&mut poller, 1, 0), Err(Errno::EAGAIN));
    assert!(!readable(fd, 0));
    // A SERVER can always send.
    poller.modify(&server, IN | OUT).unwrap();
    assert_eq!(wait(&mut poller, 1, 0).unwrap(), [("server", OUT)]);
    // Removed, the descriptor is still there (as libzmq's signaler).
    poller.remove(&server).unwrap();
    assert_eq!(poller.fd(), Ok(fd));
    drop(poller);
    finish(context, [server, client]);
}

#[test]
fn a_socket_whose_news_another_thread_took_in_is_not_missed() {
    let context = Context::new();
    let (server, client) = connected_pair(&context, ZMQ_SERVER, ZMQ_CLIENT, "inproc://other-thread");
    let mut first = Poller::new().unwrap();
    let mut second = Poller::new().unwrap();
    first.add(&server, "first", IN).unwrap();
    second.add(&server, "second", IN).unwrap();
    assert_eq!(wait(&mut first, 1, 0), Err(Errno::EAGAIN));
    assert_eq!(wait(&mut second, 1, 0), Err(Errno::EAGAIN));
    send(&client, b"news");
    // Another thread looks at the server, which takes the message's arrival in.
    let looker = {
        let server = server.clone();
        thread::spawn(move || server.events().unwrap())
    };
    assert_eq!(looker.join().unwrap() & IN, IN);
    // Both pollers still see it (each has its own inbox).
    assert_eq!(wait(&mut first, 1, 1000).unwrap(), [("first", IN)]);
    assert_eq!(wait(&mut second, 1, 1000).unwrap(), [("second", IN)]);
    drop((first, second));
    finish(context, [server, client]);
}

#[test]
fn a_shutdown_ends_a_wait_with_eterm_and_every_wait_after() {
    let context = Context::new();
    let (a, b) = connected_pair(&context, ZMQ_PAIR, ZMQ_PAIR, "inproc://eterm");
    let quiet = socket(&context, ZMQ_PULL);
    let mut poller = Poller::new().unwrap();
    poller.add(&quiet, "quiet", 0).unwrap();
    poller.add(&a, "a", IN).unwrap();
    let stopper = {
        let context = context.clone();
        thread::spawn(move || {
            thread::sleep(Duration::from_millis(50));
            context.shutdown();
        })
    };
    let start = Instant::now();
    assert_eq!(wait(&mut poller, 2, 10_000), Err(Errno::ETERM));
    assert!(start.elapsed() < Duration::from_secs(5));
    stopper.join().unwrap();
    for _ in 0..2 {
        assert_eq!(wait(&mut poller, 2, 0), Err(Errno::ETERM));
    }
    // A socket asking for no events fails the wait too (libzmq looks at them all).
    poller.remove(&a).unwrap();
    let (read, _write) = pipe();
    poller.add_fd(read.as_raw_fd(), "fd", 0).unwrap();
    assert_eq!(wait(&mut poller, 2, 0), Err(Errno::EAGAIN), "nothing asks for events");
    poller.modify_fd(read.as_raw_fd(), IN).unwrap();
    assert_eq!(wait(&mut poller, 2, 0), Err(Errno::ETERM));
    drop(poller);
    finish(context, [a, b, quiet]);
}

#[test]
fn a_socket_closed_while_in_a_poller_is_never_ready_and_the_context_still_ends() {
    // zmq_poller(3) makes this undefined; here it must simply be harmless.
    let context = Context::new();
    let (a, b) = connected_pair(&context, ZMQ_PAIR, ZMQ_PAIR, "inproc://closed-in-poller");
    let mut poller = Poller::new().unwrap();
    poller.add(&a, "a", IN | OUT).unwrap();
    send(&b, b"x");
    a.close();
    b.close();
    assert_eq!(wait(&mut poller, 1, 0), Err(Errno::EAGAIN));
    terminate(&context);
    assert_eq!(wait(&mut poller, 1, 0), Err(Errno::EAGAIN));
    poller.remove(&a).unwrap();
}

extern "C" fn note_signal(_: libc::c_int) {}

#[test]
fn a_signal_ends_a_wait_with_eintr() {
    // SAFETY: installs a handler that does nothing, without SA_RESTART.
    unsafe {
        let mut action: libc::sigaction = core::mem::zeroed();
        action.sa_sigaction = note_signal as extern "C" fn(libc::c_int) as usize;
        assert_eq!(libc::sigaction(libc::SIGUSR2, &action, core::ptr::null_mut()), 0);
    }
    let context = Context::new();
    let (a, b) = connected_pair(&context, ZMQ_PAIR, ZMQ_PAIR, "inproc://eintr");
    let waiting = Arc::new(AtomicBool::new(false));
    let waiter = {
        let a = a.clone();
        let waiting = Arc::clone(&waiting);
        thread::spawn(move || {
            let mut poller = Poller::new().unwrap();
            poller.add(&a, "a", IN).unwrap();
            waiting.store(true, Ordering::SeqCst);
            wait(&mut poller, 1, 10_000)
        })
    };
    while !waiting.load(Ordering::SeqCst) {
        thread::yield_now();
    }
    let start = Instant::now();
    let outcome = loop {
        thread::sleep(Duration::from_millis(20));
        // SAFETY: the thread is alive until joined below.
        unsafe { libc::pthread_kill(waiter.as_pthread_t(), libc::SIGUSR2) };
        if waiter.is_finished() || start.elapsed() > Duration::from_secs(5) {
            break waiter.join().unwrap();
        }
    };
    assert_eq!(outcome, Err(Errno::EINTR));
    finish(context, [a, b]);
}

#[test]
fn ten_thousand_sockets_cost_a_wait_no_more_than_a_few() {
    const SOCKETS: usize = 10_000;
    let context = Context::new();
    context.set_int_option(ZMQ_MAX_SOCKETS, SOCKETS as i32 + 10).unwrap();
    let pulls: Vec<Socket> = (0..SOCKETS)
        .map(|i| {
            let pull = Socket::new(&context, ZMQ_PULL).unwrap();
            pull.bind(&format!("inproc://many-{i}")).unwrap();
            pull
        })
        .collect();
    let active = SOCKETS / 2;
    let push = socket(&context, ZMQ_PUSH);
    push.connect(&format!("inproc://many-{active}")).unwrap();
    let mut poller = Poller::new().unwrap();
    for (index, pull) in pulls.iter().enumerate() {
        poller.add(pull, index, IN).unwrap();
    }
    let mut ready = Vec::new();
    assert_eq!(poller.wait(&mut ready, SOCKETS, 0), Err(Errno::EAGAIN));
    // Rounds of send, wait, receive: each wait looks at the one active socket only.
    let rounds = 2000;
    let start = Instant::now();
    for round in 0..rounds {
        send(&push, &[round as u8]);
        assert_eq!(poller.wait(&mut ready, SOCKETS, 5000), Ok(1));
        assert_eq!(ready[0], PollerEvent { fd: None, data: active, events: IN });
        assert_eq!(pulls[active].recv(0).unwrap().data(), [round as u8]);
    }
    let per_round = start.elapsed() / rounds;
    eprintln!("10 000-socket poller: {per_round:?} per send + wait + receive");
    // Looking at 10 000 sockets would take milliseconds per wait, even optimised.
    assert!(per_round < Duration::from_millis(1), "{per_round:?} per round");
    assert_eq!(poller.wait(&mut ready, SOCKETS, 0), Err(Errno::EAGAIN));
    drop(poller);
    push.close();
    finish(context, pulls);
}

// ---- The C functions ----

fn errno() -> i32 {
    zmq::ffi::errno::get()
}

fn c_socket(context: *mut c_void, kind: i32) -> *mut c_void {
    let socket = zmq::ffi::socket::zmq_socket(context, kind);
    assert!(!socket.is_null());
    socket
}

fn blank() -> zmq_poller_event_t {
    zmq_poller_event_t {
        socket: core::ptr::dangling_mut(),
        fd: 99,
        user_data: core::ptr::dangling_mut(),
        events: 99,
    }
}

#[test]
fn c_poller_handles_are_checked_as_libzmq_checks_them() {
    let mut null: *mut c_void = core::ptr::null_mut();
    let not_a_poller = (&raw mut null).cast::<c_void>();
    let context = zmq::ffi::ctx::zmq_ctx_new();
    let socket = c_socket(context, ZMQ_PAIR);
    let mut event = blank();
    // SAFETY: NULL, a pointer to NULL and a socket handle are what libzmq's tests pass.
    unsafe {
        for bad in [core::ptr::null_mut(), not_a_poller, socket] {
            assert_eq!((zmq_poller_size(bad), errno()), (-1, libc::EFAULT));
            assert_eq!((zmq_poller_add(bad, socket, core::ptr::null_mut(), IN), errno()), (-1, libc::EFAULT));
            assert_eq!((zmq_poller_modify(bad, socket, IN), errno()), (-1, libc::EFAULT));
            assert_eq!((zmq_poller_remove(bad, socket), errno()), (-1, libc::EFAULT));
            assert_eq!((zmq_poller_add_fd(bad, 0, core::ptr::null_mut(), IN), errno()), (-1, libc::EFAULT));
            assert_eq!((zmq_poller_modify_fd(bad, 0, IN), errno()), (-1, libc::EFAULT));
            assert_eq!((zmq_poller_remove_fd(bad, 0), errno()), (-1, libc::EFAULT));
            assert_eq!((zmq_poller_wait(bad, &raw mut event, 0), errno()), (-1, libc::EFAULT));
            assert_eq!(
                (event.socket, event.fd, event.user_data, event.events),
                (core::ptr::null_mut(), -1, core::ptr::null_mut(), 0)
            );
            assert_eq!((zmq_poller_wait_all(bad, &raw mut event, 1, 0), errno()), (-1, libc::EFAULT));
            let mut fd = 0;
            assert_eq!((zmq_poller_fd(bad, &raw mut fd), errno()), (-1, libc::EFAULT));
        }
        assert_eq!((zmq_poller_destroy(core::ptr::null_mut()), errno()), (-1, libc::EFAULT));
        assert_eq!((zmq_poller_destroy(&raw mut null), errno()), (-1, libc::EFAULT));
        let mut poller = zmq_poller_new();
        assert!(!poller.is_null());
        // Sockets: NULL and anything else is ENOTSOCK. (Not a closed socket: tests run
        // beside each other, and another may get its handle.)
        for bad in [core::ptr::null_mut(), not_a_poller] {
            assert_eq!(
                (zmq_poller_add(poller, bad, core::ptr::null_mut(), IN), errno()),
                (-1, libc::ENOTSOCK)
            );
            assert_eq!((zmq_poller_modify(poller, bad, IN), errno()), (-1, libc::ENOTSOCK));
            assert_eq!((zmq_poller_remove(poller, bad), errno()), (-1, libc::ENOTSOCK));
        }
        assert_eq!((zmq_poller_add_fd(poller, -1, core::ptr::null_mut(), IN), errno()), (-1, libc::EBADF));
        // wait_all: events NULL, then a negative count.
        assert_eq!((zmq_poller_wait(poller, core::ptr::null_mut(), 0), errno()), (-1, libc::EFAULT));
        assert_eq!((zmq_poller_wait_all(poller, core::ptr::null_mut(), 1, 0), errno()), (-1, libc::EFAULT));
        assert_eq!((zmq_poller_wait_all(poller, &raw mut event, -1, 0), errno()), (-1, libc::EINVAL));
        assert_eq!((zmq_poller_wait_all(poller, &raw mut event, 1, -1), errno()), (-1, libc::EFAULT));
        assert_eq!((zmq_poller_wait_all(poller, &raw mut event, 1, 0), errno()), (-1, libc::EAGAIN));
        let mut fd = 0;
        assert_eq!((zmq_poller_fd(poller, &raw mut fd), errno()), (-1, libc::EINVAL));
        assert_eq!(zmq_poller_destroy(&raw mut poller), 0);
        assert!(poller.is_null());
        assert_eq!(zmq::ffi::socket::zmq_close(socket), 0);
        assert_eq!(zmq::ffi::ctx::zmq_ctx_term(context), 0);
    }
}

#[test]
fn c_events_carry_the_socket_handle_or_descriptor_and_the_user_data() {
    let context = zmq::ffi::ctx::zmq_ctx_new();
    let server = c_socket(context, ZMQ_SERVER);
    let client = c_socket(context, ZMQ_CLIENT);
    let (read, write) = pipe();
    let mut server_data = 7u64;
    let mut fd_data = 8u64;
    let server_user_data = (&raw mut server_data).cast::<c_void>();
    let fd_user_data = (&raw mut fd_data).cast::<c_void>();
    // SAFETY: live handles, valid strings and buffers; the events array has 4 slots.
    unsafe {
        assert_eq!(zmq::ffi::socket::zmq_bind(server, c"inproc://c-events".as_ptr()), 0);
        assert_eq!(zmq::ffi::socket::zmq_connect(client, c"inproc://c-events".as_ptr()), 0);
        let mut poller = zmq_poller_new();
        assert_eq!(zmq_poller_add(poller, server, server_user_data, IN), 0);
        assert_eq!(zmq_poller_add_fd(poller, read.as_raw_fd(), fd_user_data, IN), 0);
        assert_eq!(zmq_poller_size(poller), 2);
        let mut fd = -1;
        assert_eq!(zmq_poller_fd(poller, &raw mut fd), 0);
        assert!(fd >= 0);
        assert_eq!(zmq::ffi::socket::zmq_send(client, b"hi".as_ptr().cast(), 2, 0), 2);
        write_byte(&write);
        let mut events = [blank(), blank(), blank(), blank()];
        assert_eq!(zmq_poller_wait_all(poller, events.as_mut_ptr(), 4, 1000), 2);
        assert_eq!(
            (events[0].socket, events[0].fd, events[0].user_data, events[0].events),
            (server, -1, server_user_data, IN)
        );
        assert_eq!(
            (events[1].socket, events[1].fd, events[1].user_data, events[1].events),
            (core::ptr::null_mut(), read.as_raw_fd(), fd_user_data, IN)
        );
        // The rest is blanked, as libzmq does.
        for rest in &events[2..] {
            assert_eq!(
                (rest.socket, rest.fd, rest.user_data, rest.events),
                (core::ptr::null_mut(), -1, core::ptr::null_mut(), 0)
            );
        }
        let mut event = blank();
        assert_eq!(zmq_poller_wait(poller, &raw mut event, 0), 0);
        assert_eq!((event.socket, event.user_data), (server, server_user_data));
        assert_eq!(zmq_poller_remove(poller, server), 0);
        assert_eq!((zmq_poller_remove(poller, server), errno()), (-1, libc::EINVAL));
        assert_eq!(zmq_poller_modify_fd(poller, read.as_raw_fd(), OUT), 0);
        assert_eq!((zmq_poller_wait(poller, &raw mut event, 0), errno()), (-1, libc::EAGAIN));
        assert_eq!((event.socket, event.fd, event.events), (core::ptr::null_mut(), -1, 0));
        assert_eq!(zmq_poller_remove_fd(poller, read.as_raw_fd()), 0);
        assert_eq!(zmq_poller_size(poller), 0);
        assert_eq!(zmq_poller_destroy(&raw mut poller), 0);
        assert_eq!((zmq_poller_destroy(&raw mut poller), errno()), (-1, libc::EFAULT));
        let mut buffer = [0u8; 8];
        assert_eq!(zmq::ffi::socket::zmq_recv(server, buffer.as_mut_ptr().cast(), 8, 0), 2);
        assert_eq!(zmq::ffi::socket::zmq_close(server), 0);
        assert_eq!(zmq::ffi::socket::zmq_close(client), 0);
        assert_eq!(zmq::ffi::ctx::zmq_ctx_term(context), 0);
    }
}
