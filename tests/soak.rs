//! Soak: PUSH/PULL, REQ/REP and PUB/SUB over tcp and ipc (loopback, ipc in a temporary
//! directory) while peers are killed and restarted at random, with sequence-numbered
//! messages checked on arrival, and the process checked for leaks at the end.
//!
//! `cargo test` runs it for about 20 s; `SOAK_SECS=600 cargo test --release --test soak`
//! runs it for ten minutes (`SOAK_SEED` replays a run's random choices). It has its own
//! `main` (`harness = false`) because it re-executes itself as the child processes it
//! kills: `soak --soak-child <push|rep|pub> <endpoint> <stream>`.
//!
//! A run is `rounds` repetitions of eight phases: four scenarios × {tcp, ipc}.
//!
//! **A. PUSH → PULL, the receiver restarts.** Two PUSH sockets (connecting, `SNDHWM`
//! 1000) send numbered messages without pause; the PULL (binding, `RCVHWM` 1000) lives
//! 150–600 ms, is killed (its context shut down under a blocked `recv`, or its socket
//! closed with `LINGER` 0 and its context terminated), and is bound again after 0–150
//! ms. A connecting PUSH keeps its queue across reconnections, so what it queued while
//! the PULL was away arrives later; what had already left that queue (the sender's
//! output batch, both kernels' buffers, the dead PULL's own queue) is lost with the
//! PULL, in libzmq as here. Asserted, per sender: sequence numbers arrive strictly
//! increasing (no duplicate, no reordering); a gap only where the receiving PULL is not
//! the one that received the previous message, and at most `window` messages per
//! restart in between, where `window` = `RCVHWM` + (kernel buffers + 64 KiB output
//! batch + 64 KiB input slack) / wire size of a message (kernel buffers: tcp 2 ×
//! `SNDBUF` + 2 × `RCVBUF`, the kernel doubling the 32 KiB asked for; ipc 2 ×
//! `net.core.wmem_default`); and once a last PULL has heard from both senders (before
//! that, what they send may still go to the previous PULL's dead connection) and they
//! stop, every message a `send` accepted arrives.
//!
//! **B. PUSH → PULL, the senders restart.** A PULL stays bound. Sender threads live
//! 100–500 ms and end (i) abruptly: `LINGER` 0, or their context shut down under them;
//! or (ii) gracefully: `LINGER` 5 s, then close and terminate. Meanwhile sender *child
//! processes* live 100–500 ms and are killed with SIGKILL. Asserted, per sender
//! incarnation: what arrives is exactly its messages 0, 1, …, k−1 in order (tail loss
//! only, each message intact); a graceful one's k is every message its `send`s
//! accepted, an abrupt one's k is at most that.
//!
//! **C. REQ → REP, the server restarts.** The REP (a thread killed as in A, or a child
//! process killed with SIGKILL) lives 150–600 ms. Two REQ clients: one "lazy pirate"
//! (on a 300 ms timeout it closes its REQ with `LINGER` 0 and resends on a new one; now
//! and then it abandons a request by closing right after sending), one with
//! `ZMQ_REQ_RELAXED` + `ZMQ_REQ_CORRELATE` (it resends on the same socket). Asserted:
//! every reply is the echo of the exact request the client is waiting for (never a
//! stale one); every request is answered within 20 s; the server never fails with
//! anything but `ETERM`.
//!
//! **D. PUB → SUB, both restart.** The PUB (thread or child process, as in C)
//! publishes numbered messages on topics `A` and `B`; two SUBs subscribed to `A`
//! restart every 300–1500 ms (close with `LINGER` 0, new socket). PUB drops by design
//! (`SNDHWM`, no subscriber yet). Asserted: never a `B` message; per publisher
//! incarnation, strictly increasing numbers (no duplicate, no reordering) and intact
//! bodies; after the last restart, every SUB receives from the last PUB within 15 s
//! (subscriptions are sent again on reconnection).
//!
//! Around the whole run: the descriptors of /proc/self/fd and the threads of
//! /proc/self/task are the same before and after; `VmRSS` measured at the end of each
//! round (all sockets closed, all contexts terminated) stays within 16 MiB + 25 % of
//! the first round's (`SOAK_CHECK_RSS=0` turns that check off, for AddressSanitizer,
//! whose quarantine keeps freed memory). A watchdog ends the process if the run takes
//! 3 minutes longer than planned.

mod engine;

use std::collections::HashMap;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use engine::wait_until;
use zmq::constants::*;
use zmq::{Context, Errno, Msg, Socket};

// ---------------------------------------------------------------------------------
// Messages

/// Body of every numbered message: stream (u32), sequence number (u64), then bytes
/// derived from both, so a truncated or corrupted message is noticed.
const BODY: usize = 64;
/// A body on the wire: one ZMTP short frame (flags, size) around it.
const WIRE: u64 = BODY as u64 + 2;
const HWM: i32 = 1000;
/// `ZMQ_SNDBUF` and `ZMQ_RCVBUF` of every tcp socket here (bounds what the kernels hold).
const KERNEL_BUFFER: i32 = 32 * 1024;

fn body(stream: u32, seq: u64) -> [u8; BODY] {
    let mut bytes = [0u8; BODY];
    bytes[..4].copy_from_slice(&stream.to_le_bytes());
    bytes[4..12].copy_from_slice(&seq.to_le_bytes());
    for (index, byte) in bytes.iter_mut().enumerate().skip(12) {
        *byte = (u64::from(stream) ^ seq.wrapping_mul(31) ^ index as u64) as u8;
    }
    bytes
}

fn parse(bytes: &[u8]) -> Result<(u32, u64), String> {
    if bytes.len() != BODY {
        return Err(format!("a message of {} bytes, not {BODY}", bytes.len()));
    }
    let stream = u32::from_le_bytes(bytes[..4].try_into().unwrap());
    let seq = u64::from_le_bytes(bytes[4..12].try_into().unwrap());
    if bytes != body(stream, seq) {
        return Err(format!("stream {stream} message {seq}: corrupted body"));
    }
    Ok((stream, seq))
}

// ---------------------------------------------------------------------------------
// Small helpers

/// xorshift64*: reproducible random choices from `SOAK_SEED`.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn ms(&mut self, low: u64, high: u64) -> Duration {
        Duration::from_millis(low + self.below(high - low + 1))
    }
    fn chance(&mut self, one_in: u64) -> bool {
        self.below(one_in) == 0
    }
    fn fork(&mut self) -> Rng {
        Rng::new(self.next())
    }
}

fn set(socket: &Socket, option: i32, value: i32) -> Result<(), String> {
    socket.set_option(option, Some(&value.to_ne_bytes())).map_err(|e| format!("option {option}: {e:?}"))
}

/// A socket with the settings every socket here shares: quick reconnection, bounded
/// blocking, small kernel buffers, `LINGER` 0 (killed peers drop what they hold).
fn socket(context: &Context, kind: i32) -> Result<Socket, String> {
    let socket = Socket::new(context, kind).map_err(|e| format!("zmq_socket: {e:?}"))?;
    for (option, value) in [
        (ZMQ_LINGER, 0),
        (ZMQ_RECONNECT_IVL, 10),
        (ZMQ_RCVTIMEO, 50),
        (ZMQ_SNDTIMEO, 50),
        (ZMQ_SNDHWM, HWM),
        (ZMQ_RCVHWM, HWM),
        (ZMQ_SNDBUF, KERNEL_BUFFER),
        (ZMQ_RCVBUF, KERNEL_BUFFER),
    ] {
        set(&socket, option, value)?;
    }
    Ok(socket)
}

fn send_bytes(socket: &Socket, bytes: &[u8], flags: i32) -> Result<(), Errno> {
    socket.send(&mut Msg::from_slice(bytes).expect("a small message"), flags)
}

/// Where the scenario's binding peer listens: a loopback port below the kernel's
/// ephemeral range (so no outgoing connection can take it while the peer is down and
/// make its next bind fail), or a path in the run's temporary directory.
fn endpoint(transport: Transport, directory: &std::path::Path, name: &str, rng: &mut Rng) -> String {
    match transport {
        Transport::Tcp => {
            let ephemeral_low = std::fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range")
                .ok()
                .and_then(|text| text.split_whitespace().next().and_then(|low| low.parse::<u64>().ok()))
                .unwrap_or(32768);
            let low = ephemeral_low.saturating_sub(10_000).max(1024);
            for _ in 0..1000 {
                let port = low + rng.below(ephemeral_low.saturating_sub(low).max(1));
                if std::net::TcpListener::bind(("127.0.0.1", port as u16)).is_ok() {
                    return format!("tcp://127.0.0.1:{port}");
                }
            }
            panic!("no free loopback port in {low}..{ephemeral_low}");
        }
        Transport::Ipc => format!("ipc://{}/{name}.ipc", directory.display()),
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Transport {
    Tcp,
    Ipc,
}

/// The most messages one restart of the receiving side may lose (see the header).
fn loss_window(transport: Transport) -> u64 {
    let kernel = match transport {
        // The sender's SNDBUF and the receiver's RCVBUF, each doubled by the kernel.
        Transport::Tcp => 2 * (2 * KERNEL_BUFFER as u64),
        Transport::Ipc => {
            let default = std::fs::read_to_string("/proc/sys/net/core/wmem_default")
                .ok()
                .and_then(|text| text.trim().parse::<u64>().ok())
                .unwrap_or(212_992);
            2 * default
        }
    };
    HWM as u64 + (kernel + 2 * 64 * 1024) / WIRE + 1
}

// ---------------------------------------------------------------------------------
// Peers that get killed: threads with their own context, and child processes

#[derive(Clone, Copy, Debug)]
enum Kill {
    /// The peer's own thread sees the flag and closes (with its `LINGER`) and terminates.
    Flag,
    /// Another thread shuts the peer's context down under its blocked calls (`ETERM`).
    Shutdown,
}

struct ThreadPeer<T> {
    context: Context,
    stop: Arc<AtomicBool>,
    thread: JoinHandle<Result<T, String>>,
}

impl<T: Send + 'static> ThreadPeer<T> {
    /// Runs `body` in a thread with a new context, which `body` must terminate.
    fn spawn(body: impl FnOnce(&Context, &AtomicBool) -> Result<T, String> + Send + 'static) -> Self {
        let context = Context::new();
        let stop = Arc::new(AtomicBool::new(false));
        let (theirs, their_stop) = (context.clone(), Arc::clone(&stop));
        let thread = thread::spawn(move || body(&theirs, &their_stop));
        ThreadPeer { context, stop, thread }
    }

    fn kill(self, how: Kill) -> Result<T, String> {
        match how {
            Kill::Flag => self.stop.store(true, Ordering::SeqCst),
            Kill::Shutdown => self.context.shutdown(),
        }
        self.thread.join().map_err(|_| "a peer thread panicked".to_string())?
    }
}

/// Closes `sockets` and terminates `context` whatever `result` says, then returns it.
fn finish<T>(context: &Context, sockets: &[&Socket], result: Result<T, String>) -> Result<T, String> {
    for socket in sockets {
        socket.close();
    }
    context.terminate();
    result
}

/// A child process running `soak --soak-child role endpoint stream`.
struct ProcessPeer {
    child: Child,
    role: &'static str,
}

impl ProcessPeer {
    fn spawn(role: &'static str, endpoint: &str, stream: u32) -> Result<ProcessPeer, String> {
        let exe = std::env::current_exe().map_err(|e| e.to_string())?;
        let child = Command::new(exe)
            .args(["--soak-child", role, endpoint, &stream.to_string()])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| format!("spawn a {role} child: {e}"))?;
        Ok(ProcessPeer { child, role })
    }

    /// SIGKILL, then reap. A child that had already exited failed.
    fn kill(mut self) -> Result<(), String> {
        if let Ok(Some(status)) = self.child.try_wait() {
            return Err(format!("the {} child exited by itself ({status})", self.role));
        }
        self.child.kill().map_err(|e| format!("SIGKILL: {e}"))?;
        self.child.wait().map_err(|e| format!("wait: {e}"))?;
        Ok(())
    }
}

/// The child processes' side: a peer that runs until killed (or 60 s at most).
fn child_main(args: &[String]) -> ! {
    let [role, endpoint, stream] = args else {
        eprintln!("usage: soak --soak-child <push|rep|pub> <endpoint> <stream>");
        std::process::exit(2);
    };
    let stream: u32 = stream.parse().expect("stream number");
    thread::spawn(|| {
        thread::sleep(Duration::from_secs(60));
        std::process::exit(3);
    });
    let context = Context::new();
    let outcome = match role.as_str() {
        "push" => socket(&context, ZMQ_PUSH).and_then(|push| {
            push.connect(endpoint).map_err(|e| format!("connect: {e:?}"))?;
            send_numbered(&push, stream, &AtomicBool::new(false)).map(drop)
        }),
        "rep" => socket(&context, ZMQ_REP).and_then(|rep| {
            rep.bind(endpoint).map_err(|e| format!("bind {endpoint}: {e:?}"))?;
            echo(&rep, &AtomicBool::new(false)).map(drop)
        }),
        "pub" => socket(&context, ZMQ_PUB).and_then(|publisher| {
            publisher.bind(endpoint).map_err(|e| format!("bind {endpoint}: {e:?}"))?;
            publish(&publisher, stream, &AtomicBool::new(false)).map(drop)
        }),
        _ => Err(format!("unknown role {role}")),
    };
    eprintln!("soak child {role}: {outcome:?}");
    std::process::exit(4);
}

// ---------------------------------------------------------------------------------
// What the peers do

/// Sends body(stream, 0), body(stream, 1), … until `stop` or `ETERM`; waits 1 ms after
/// every 32 messages and whenever the queue is full. The count `send` accepted.
fn send_numbered(push: &Socket, stream: u32, stop: &AtomicBool) -> Result<u64, String> {
    let mut seq = 0u64;
    while !stop.load(Ordering::SeqCst) {
        match send_bytes(push, &body(stream, seq), ZMQ_DONTWAIT) {
            Ok(()) => {
                seq += 1;
                if seq.is_multiple_of(32) {
                    thread::sleep(Duration::from_millis(1));
                }
            }
            Err(Errno::EAGAIN) => thread::sleep(Duration::from_millis(1)),
            Err(Errno::ETERM) => break,
            Err(e) => return Err(format!("send: {e:?}")),
        }
    }
    Ok(seq)
}

/// Sends back every request until `stop` or `ETERM`; the number answered.
fn echo(rep: &Socket, stop: &AtomicBool) -> Result<u64, String> {
    let mut answered = 0;
    while !stop.load(Ordering::SeqCst) {
        match rep.recv(0) {
            Ok(mut request) => match rep.send(&mut request, 0) {
                Ok(()) => answered += 1,
                Err(Errno::ETERM) => break,
                Err(e) => return Err(format!("REP send: {e:?}")),
            },
            Err(Errno::EAGAIN) => {}
            Err(Errno::ETERM) => break,
            Err(e) => return Err(format!("REP recv: {e:?}")),
        }
    }
    Ok(answered)
}

/// Publishes topic-prefixed bodies, alternately on `A` and `B`, until `stop` or `ETERM`.
fn publish(publisher: &Socket, stream: u32, stop: &AtomicBool) -> Result<u64, String> {
    let mut seq = 0u64;
    while !stop.load(Ordering::SeqCst) {
        let mut bytes = Vec::with_capacity(BODY + 1);
        bytes.push(if seq.is_multiple_of(2) { b'A' } else { b'B' });
        bytes.extend_from_slice(&body(stream, seq));
        match send_bytes(publisher, &bytes, ZMQ_DONTWAIT) {
            Ok(()) => {}
            Err(Errno::ETERM) => break,
            Err(e) => return Err(format!("PUB send: {e:?}")),
        }
        seq += 1;
        if seq.is_multiple_of(16) {
            thread::sleep(Duration::from_millis(1));
        }
    }
    Ok(seq)
}

// ---------------------------------------------------------------------------------
// A. PUSH → PULL, the receiver restarts

/// Per sender: the next expected number, and which receiver incarnation saw the last.
#[derive(Default)]
struct RestartTracker {
    window: u64,
    next: HashMap<u32, (u64, u32)>,
    lost: u64,
    max_lost: u64,
    received: u64,
}

impl RestartTracker {
    fn receive(&mut self, incarnation: u32, stream: u32, seq: u64) -> Result<(), String> {
        self.received += 1;
        let (next, seen_by) = self.next.entry(stream).or_insert((0, 0));
        if seq < *next {
            return Err(format!(
                "sender {stream}: message {seq} after {} (duplicate or reordered)",
                *next - 1
            ));
        }
        if seq > *next {
            let restarts = u64::from(incarnation - *seen_by);
            let lost = seq - *next;
            if restarts == 0 {
                return Err(format!(
                    "sender {stream}: messages {}..{seq} lost while receiver {incarnation} stayed up",
                    *next
                ));
            }
            if lost > self.window * restarts {
                return Err(format!(
                    "sender {stream}: {lost} messages lost over {restarts} restart(s), window {}",
                    self.window
                ));
            }
            self.lost += lost;
            self.max_lost = self.max_lost.max(lost);
        }
        *next = seq + 1;
        *seen_by = incarnation;
        Ok(())
    }
}

fn receiver(
    endpoint: String,
    incarnation: u32,
    tracker: Arc<Mutex<RestartTracker>>,
) -> impl FnOnce(&Context, &AtomicBool) -> Result<u64, String> + Send + 'static {
    move |context, stop| {
        let pull = socket(context, ZMQ_PULL)?;
        let result = (|| {
            pull.bind(&endpoint).map_err(|e| format!("PULL bind {endpoint}: {e:?}"))?;
            let mut count = 0;
            while !stop.load(Ordering::SeqCst) {
                match pull.recv(0) {
                    Ok(msg) => {
                        let (stream, seq) = parse(msg.data())?;
                        tracker.lock().unwrap().receive(incarnation, stream, seq)?;
                        count += 1;
                    }
                    Err(Errno::EAGAIN) => {}
                    Err(Errno::ETERM) => break,
                    Err(e) => return Err(format!("PULL recv: {e:?}")),
                }
            }
            Ok(count)
        })();
        finish(context, &[&pull], result)
    }
}

/// The PUSH sockets of the receiver-restarts phase.
const SENDERS: u32 = 2;

fn receiver_restarts(transport: Transport, run: &Run, rng: &mut Rng) -> Result<String, String> {
    let endpoint = endpoint(transport, &run.directory, "receiver", rng);
    let window = loss_window(transport);
    let tracker = Arc::new(Mutex::new(RestartTracker { window, ..RestartTracker::default() }));
    let senders_context = Context::new();
    let stop = Arc::new(AtomicBool::new(false));
    let mut senders = Vec::new();
    for stream in 0..SENDERS {
        let push = socket(&senders_context, ZMQ_PUSH)?;
        push.connect(&endpoint).map_err(|e| format!("connect: {e:?}"))?;
        let stop = Arc::clone(&stop);
        senders.push(thread::spawn(move || send_numbered(&push, stream, &stop).map(|sent| (push, sent))));
    }
    let end = Instant::now() + run.phase;
    let mut incarnation = 0u32;
    let mut outcome = Ok(());
    while Instant::now() < end && outcome.is_ok() {
        let peer = ThreadPeer::spawn(receiver(endpoint.clone(), incarnation, Arc::clone(&tracker)));
        thread::sleep(rng.ms(150, 600));
        let how = if rng.chance(2) { Kill::Flag } else { Kill::Shutdown };
        outcome = peer.kill(how).map(drop);
        thread::sleep(rng.ms(0, 150));
        incarnation += 1;
    }
    // A last PULL binds. Until it has heard from a sender, that sender's messages may
    // still go to the previous PULL's dead connection (a sender learns of the close only
    // when its I/O thread reads it); from then on nothing of that sender can be lost. So
    // the senders stop once it has heard from both, their sockets staying open, and every
    // message a `send` accepted must arrive.
    let last = ThreadPeer::spawn(receiver(endpoint.clone(), incarnation, Arc::clone(&tracker)));
    let heard_from_all = outcome.is_ok()
        && wait_until(Duration::from_secs(15), || {
            let tracker = tracker.lock().unwrap();
            (0..SENDERS)
                .all(|stream| tracker.next.get(&stream).is_some_and(|&(_, seen_by)| seen_by == incarnation))
        });
    stop.store(true, Ordering::SeqCst);
    let mut pushes = Vec::new();
    let mut sent = Vec::new();
    for sender in senders {
        match sender.join().map_err(|_| "sender panicked".to_string()).and_then(|r| r) {
            Ok((push, count)) => {
                pushes.push(push);
                sent.push(count);
            }
            Err(e) => outcome = outcome.and(Err(e)),
        }
    }
    if outcome.is_ok() && !heard_from_all {
        outcome = Err("the last receiver heard nothing from a sender within 15 s".into());
    }
    let complete = || {
        let tracker = tracker.lock().unwrap();
        sent.iter().enumerate().all(|(stream, &count)| {
            count == 0 || tracker.next.get(&(stream as u32)).is_some_and(|&(next, _)| next == count)
        })
    };
    let all_arrived = outcome.is_ok() && wait_until(Duration::from_secs(15), complete);
    outcome = outcome.and(last.kill(Kill::Flag).map(drop));
    if outcome.is_ok() && !all_arrived {
        let tracker = tracker.lock().unwrap();
        let next: Vec<u64> =
            (0..sent.len() as u32).map(|s| tracker.next.get(&s).map_or(0, |n| n.0)).collect();
        outcome =
            Err(format!("after the senders stopped: sent {sent:?}, received up to {next:?} within 15 s"));
    }
    let refs: Vec<&Socket> = pushes.iter().collect();
    finish(&senders_context, &refs, outcome)?;
    let tracker = tracker.lock().unwrap();
    if tracker.received == 0 {
        return Err("nothing was received".into());
    }
    Ok(format!(
        "{} restarts, {} received of {} sent, lost {} (at most {} at once; window {window})",
        incarnation,
        tracker.received,
        sent.iter().sum::<u64>(),
        tracker.lost,
        tracker.max_lost
    ))
}

// ---------------------------------------------------------------------------------
// B. PUSH → PULL, the senders restart

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Ending {
    Graceful,
    Abrupt,
}

/// Per sender incarnation: the next number expected (contiguous from 0).
#[derive(Default)]
struct PrefixTracker {
    next: HashMap<u32, u64>,
    received: u64,
}

impl PrefixTracker {
    fn receive(&mut self, stream: u32, seq: u64) -> Result<(), String> {
        self.received += 1;
        let next = self.next.entry(stream).or_insert(0);
        if seq != *next {
            return Err(format!("sender incarnation {stream}: message {seq} where {next} was due"));
        }
        *next += 1;
        Ok(())
    }
    fn count(&self, stream: u32) -> u64 {
        self.next.get(&stream).copied().unwrap_or(0)
    }
}

fn sender(
    endpoint: String,
    stream: u32,
    graceful: bool,
) -> impl FnOnce(&Context, &AtomicBool) -> Result<u64, String> + Send + 'static {
    move |context, stop| {
        let push = socket(context, ZMQ_PUSH)?;
        let result = (|| {
            push.connect(&endpoint).map_err(|e| format!("connect: {e:?}"))?;
            let sent = send_numbered(&push, stream, stop)?;
            if graceful {
                set(&push, ZMQ_LINGER, 5000)?;
            }
            Ok(sent)
        })();
        finish(context, &[&push], result)
    }
}

fn sender_restarts(transport: Transport, run: &Run, rng: &mut Rng) -> Result<String, String> {
    let endpoint = endpoint(transport, &run.directory, "senders", rng);
    let tracker = Arc::new(Mutex::new(PrefixTracker::default()));
    let receiving = {
        let (endpoint, tracker) = (endpoint.clone(), Arc::clone(&tracker));
        ThreadPeer::spawn(move |context, stop| {
            let pull = socket(context, ZMQ_PULL)?;
            let result = (|| {
                pull.bind(&endpoint).map_err(|e| format!("PULL bind: {e:?}"))?;
                while !stop.load(Ordering::SeqCst) {
                    match pull.recv(0) {
                        Ok(msg) => {
                            let (stream, seq) = parse(msg.data())?;
                            tracker.lock().unwrap().receive(stream, seq)?;
                        }
                        Err(Errno::EAGAIN) => {}
                        Err(e) => return Err(format!("PULL recv: {e:?}")),
                    }
                }
                Ok(())
            })();
            finish(context, &[&pull], result)
        })
    };
    // Child processes, from a second thread, at the same time as the sender threads.
    let processes_stop = Arc::new(AtomicBool::new(false));
    let processes = {
        let (endpoint, stop, mut rng) = (endpoint.clone(), Arc::clone(&processes_stop), rng.fork());
        thread::spawn(move || -> Result<u32, String> {
            let mut count = 0u32;
            while !stop.load(Ordering::SeqCst) {
                let child = ProcessPeer::spawn("push", &endpoint, 2_000_000 + count)?;
                thread::sleep(rng.ms(100, 500));
                child.kill()?;
                count += 1;
            }
            Ok(count)
        })
    };
    let end = Instant::now() + run.phase;
    let mut endings: Vec<(u32, Ending, u64)> = Vec::new();
    let mut outcome = Ok(());
    let mut stream = 1_000_000u32;
    while Instant::now() < end && outcome.is_ok() {
        // One in three ends gracefully, the first one included.
        let ending = match stream % 3 {
            1 => Ending::Graceful,
            _ => Ending::Abrupt,
        };
        let peer = ThreadPeer::spawn(sender(endpoint.clone(), stream, ending == Ending::Graceful));
        thread::sleep(rng.ms(100, 500));
        let how = if ending == Ending::Abrupt && rng.chance(2) { Kill::Shutdown } else { Kill::Flag };
        match peer.kill(how) {
            Ok(sent) => endings.push((stream, ending, sent)),
            Err(e) => outcome = Err(e),
        }
        stream += 1;
    }
    processes_stop.store(true, Ordering::SeqCst);
    let killed = processes.join().map_err(|_| "process loop panicked".to_string()).and_then(|r| r);
    // Graceful senders terminated only after their queue was written: it arrives.
    let complete = || {
        let tracker = tracker.lock().unwrap();
        endings
            .iter()
            .all(|&(stream, ending, sent)| ending != Ending::Graceful || tracker.count(stream) == sent)
    };
    if outcome.is_ok() {
        wait_until(Duration::from_secs(15), complete);
    }
    let received = receiving.kill(Kill::Flag);
    outcome?;
    received?;
    let killed = killed?;
    let tracker = tracker.lock().unwrap();
    let mut counts = [0u32; 2];
    for &(stream, ending, sent) in &endings {
        let got = tracker.count(stream);
        match ending {
            Ending::Graceful if got != sent => {
                return Err(format!("graceful sender {stream}: {got} of {sent} arrived"));
            }
            Ending::Abrupt if got > sent => {
                return Err(format!("sender {stream}: {got} arrived, {sent} sent"))
            }
            _ => {}
        }
        counts[usize::from(ending != Ending::Graceful)] += 1;
    }
    if counts[0] == 0 || tracker.received == 0 {
        return Err(format!("too short to check: {counts:?} senders, {} received", tracker.received));
    }
    Ok(format!(
        "{} graceful + {} abrupt sender threads, {killed} SIGKILLed sender processes, {} received",
        counts[0], counts[1], tracker.received
    ))
}

// ---------------------------------------------------------------------------------
// C. REQ → REP, the server restarts

#[derive(Default, Debug)]
struct ClientStats {
    answered: u64,
    retries: u64,
    abandoned: u64,
}

fn request_client(
    endpoint: String,
    client: u32,
    correlate: bool,
    stop: Arc<AtomicBool>,
    mut rng: Rng,
) -> Result<ClientStats, String> {
    let context = Context::new();
    let mut stats = ClientStats::default();
    let make = |context: &Context| -> Result<Socket, String> {
        let req = socket(context, ZMQ_REQ)?;
        set(&req, ZMQ_RCVTIMEO, 300)?;
        if correlate {
            set(&req, ZMQ_REQ_RELAXED, 1)?;
            set(&req, ZMQ_REQ_CORRELATE, 1)?;
        }
        req.connect(&endpoint).map_err(|e| format!("REQ connect: {e:?}"))?;
        Ok(req)
    };
    let mut req = make(&context)?;
    let result = (|| {
        let mut request = 0u64;
        while !stop.load(Ordering::SeqCst) {
            let started = Instant::now();
            let mut attempt = 0u32;
            loop {
                let text = format!("client {client} request {request} attempt {attempt}");
                let sent = send_bytes(&req, text.as_bytes(), 0);
                if sent.is_ok() && !correlate && rng.chance(50) {
                    // The client "crashes" with its request on the way.
                    req.close();
                    req = make(&context)?;
                    stats.abandoned += 1;
                    break;
                }
                let reply = match sent {
                    Ok(()) => req.recv(0),
                    Err(e) => Err(e),
                };
                match reply {
                    Ok(reply) if reply.data() == text.as_bytes() => {
                        stats.answered += 1;
                        break;
                    }
                    Ok(reply) => {
                        return Err(format!(
                            "client {client} waiting for {text:?} got {:?}",
                            String::from_utf8_lossy(reply.data())
                        ));
                    }
                    Err(Errno::EAGAIN) => {
                        if started.elapsed() > Duration::from_secs(20) {
                            return Err(format!("client {client}: request {request} unanswered for 20 s"));
                        }
                        stats.retries += 1;
                        attempt += 1;
                        if !correlate {
                            req.close();
                            req = make(&context)?;
                        }
                    }
                    Err(e) => return Err(format!("client {client}: {e:?}")),
                }
            }
            request += 1;
        }
        Ok(())
    })();
    finish(&context, &[&req], result).map(|()| stats)
}

/// A REP echoing at `endpoint` in a thread of its own.
fn rep_peer(endpoint: String) -> ThreadPeer<u64> {
    ThreadPeer::spawn(move |context, stop| {
        let rep = socket(context, ZMQ_REP)?;
        let result =
            rep.bind(&endpoint).map_err(|e| format!("REP bind: {e:?}")).and_then(|()| echo(&rep, stop));
        finish(context, &[&rep], result)
    })
}

/// What restarting a bound peer for a phase came to.
struct Restarts {
    /// The first failure of a killed peer, if any.
    outcome: Result<(), String>,
    /// How many peers were started.
    incarnations: u32,
    threads: u32,
    processes: u32,
}

/// For `phase`, starts the peer bound at `endpoint`, lets it live 150 to 600 ms and
/// kills it, again and again: in turn a thread (`thread_peer(incarnation)`, stopped
/// by its flag or by shutting its context down) and a child process of role `role`
/// (SIGKILLed).
fn restart_alternately<T: Send + 'static>(
    rng: &mut Rng,
    phase: Duration,
    role: &'static str,
    endpoint: &str,
    mut thread_peer: impl FnMut(u32) -> ThreadPeer<T>,
) -> Restarts {
    let end = Instant::now() + phase;
    let mut restarts = Restarts { outcome: Ok(()), incarnations: 0, threads: 0, processes: 0 };
    while Instant::now() < end && restarts.outcome.is_ok() {
        let live = rng.ms(150, 600);
        let incarnation = restarts.incarnations;
        if incarnation.is_multiple_of(2) {
            let peer = thread_peer(incarnation);
            thread::sleep(live);
            restarts.outcome = peer.kill(if rng.chance(2) { Kill::Flag } else { Kill::Shutdown }).map(drop);
            restarts.threads += 1;
        } else {
            match ProcessPeer::spawn(role, endpoint, incarnation) {
                Ok(child) => {
                    thread::sleep(live);
                    restarts.outcome = child.kill();
                    restarts.processes += 1;
                }
                Err(e) => restarts.outcome = Err(e),
            }
        }
        thread::sleep(rng.ms(0, 150));
        restarts.incarnations += 1;
    }
    restarts
}

fn server_restarts(transport: Transport, run: &Run, rng: &mut Rng) -> Result<String, String> {
    let endpoint = endpoint(transport, &run.directory, "server", rng);
    let stop = Arc::new(AtomicBool::new(false));
    let clients: Vec<_> = (0..2u32)
        .map(|client| {
            let (endpoint, stop, rng) = (endpoint.clone(), Arc::clone(&stop), rng.fork());
            thread::spawn(move || request_client(endpoint, client, client == 1, stop, rng))
        })
        .collect();
    let Restarts { outcome, threads, processes, .. } =
        restart_alternately(rng, run.phase, "rep", &endpoint, |_| rep_peer(endpoint.clone()));
    // A last server stays while the clients finish their current request.
    let last = rep_peer(endpoint.clone());
    stop.store(true, Ordering::SeqCst);
    let stats: Vec<Result<ClientStats, String>> = clients
        .into_iter()
        .map(|c| c.join().map_err(|_| "client panicked".to_string()).and_then(|r| r))
        .collect();
    let served = last.kill(Kill::Flag);
    outcome?;
    served?;
    let mut text = format!("{threads} thread + {processes} SIGKILLed process servers;");
    for (client, stats) in stats.into_iter().enumerate() {
        let stats = stats?;
        if stats.answered == 0 {
            return Err(format!("client {client} got no answer at all"));
        }
        text += &format!(
            " client {client}: {} answered, {} retries, {} abandoned;",
            stats.answered, stats.retries, stats.abandoned
        );
    }
    Ok(text)
}

// ---------------------------------------------------------------------------------
// D. PUB → SUB, both restart

/// What a subscriber thread saw: per publisher incarnation, the last number.
#[derive(Default)]
struct SubscriberView {
    last: HashMap<u32, u64>,
    received: u64,
    restarts: u64,
}

fn subscriber(
    endpoint: String,
    view: Arc<Mutex<SubscriberView>>,
    stop: Arc<AtomicBool>,
    mut rng: Rng,
) -> Result<(), String> {
    let context = Context::new();
    let make = |context: &Context| -> Result<Socket, String> {
        let sub = socket(context, ZMQ_SUB)?;
        sub.set_option(ZMQ_SUBSCRIBE, Some(b"A")).map_err(|e| format!("subscribe: {e:?}"))?;
        sub.connect(&endpoint).map_err(|e| format!("SUB connect: {e:?}"))?;
        Ok(sub)
    };
    let mut sub = make(&context)?;
    let result = (|| {
        let mut restart_at = Instant::now() + rng.ms(300, 1500);
        while !stop.load(Ordering::SeqCst) {
            if Instant::now() >= restart_at {
                sub.close();
                sub = make(&context)?;
                view.lock().unwrap().restarts += 1;
                restart_at = Instant::now() + rng.ms(300, 1500);
            }
            match sub.recv(0) {
                Ok(msg) => {
                    let data = msg.data();
                    if data.first() != Some(&b'A') {
                        return Err(format!(
                            "a SUB of \"A\" received {:?}",
                            data.first().map(|&b| b as char)
                        ));
                    }
                    let (stream, seq) = parse(&data[1..])?;
                    let mut view = view.lock().unwrap();
                    view.received += 1;
                    if let Some(&last) = view.last.get(&stream) {
                        if seq <= last {
                            return Err(format!("publisher {stream}: message {seq} after {last}"));
                        }
                    }
                    view.last.insert(stream, seq);
                }
                Err(Errno::EAGAIN) => {}
                Err(e) => return Err(format!("SUB recv: {e:?}")),
            }
        }
        Ok(())
    })();
    finish(&context, &[&sub], result)
}

fn publisher_peer(endpoint: String, stream: u32) -> ThreadPeer<u64> {
    ThreadPeer::spawn(move |context, stop| {
        let publisher = socket(context, ZMQ_PUB)?;
        let result = publisher
            .bind(&endpoint)
            .map_err(|e| format!("PUB bind: {e:?}"))
            .and_then(|()| publish(&publisher, stream, stop));
        finish(context, &[&publisher], result)
    })
}

fn pubsub_restarts(transport: Transport, run: &Run, rng: &mut Rng) -> Result<String, String> {
    let endpoint = endpoint(transport, &run.directory, "publisher", rng);
    let stop = Arc::new(AtomicBool::new(false));
    let views: Vec<Arc<Mutex<SubscriberView>>> = (0..2).map(|_| Arc::default()).collect();
    let subscribers: Vec<_> = views
        .iter()
        .map(|view| {
            let (endpoint, view, stop, rng) =
                (endpoint.clone(), Arc::clone(view), Arc::clone(&stop), rng.fork());
            thread::spawn(move || subscriber(endpoint, view, stop, rng))
        })
        .collect();
    let Restarts { outcome, incarnations, threads, processes } =
        restart_alternately(rng, run.phase, "pub", &endpoint, |incarnation| {
            publisher_peer(endpoint.clone(), incarnation)
        });
    // The last publisher stays until every subscriber has heard from it.
    let last_stream = 1_000_000 + incarnations;
    let last = publisher_peer(endpoint.clone(), last_stream);
    let heard =
        || views.iter().all(|view| view.lock().unwrap().last.get(&last_stream).is_some_and(|&seq| seq >= 40));
    let all_heard = outcome.is_ok() && wait_until(Duration::from_secs(15), heard);
    stop.store(true, Ordering::SeqCst);
    let subscribed: Vec<Result<(), String>> = subscribers
        .into_iter()
        .map(|s| s.join().map_err(|_| "subscriber panicked".to_string()).and_then(|r| r))
        .collect();
    let published = last.kill(Kill::Flag);
    outcome?;
    for result in subscribed {
        result?;
    }
    published?;
    if !all_heard {
        return Err("a subscriber heard nothing from the last publisher within 15 s".into());
    }
    let mut text = format!("{threads} thread + {processes} SIGKILLed process publishers;");
    for (index, view) in views.iter().enumerate() {
        let view = view.lock().unwrap();
        text += &format!(
            " SUB {index}: {} received from {} publishers, {} restarts;",
            view.received,
            view.last.len(),
            view.restarts
        );
    }
    Ok(text)
}

// ---------------------------------------------------------------------------------
// The run

struct Run {
    directory: PathBuf,
    phase: Duration,
}

fn fds() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir("/proc/self/fd")
        .expect("/proc/self/fd")
        .filter_map(|entry| entry.ok())
        .map(|entry| {
            let target =
                std::fs::read_link(entry.path()).map(|p| p.display().to_string()).unwrap_or_default();
            format!("{} -> {target}", entry.file_name().to_string_lossy())
        })
        .collect();
    names.sort();
    names
}

fn threads() -> usize {
    std::fs::read_dir("/proc/self/task").expect("/proc/self/task").count()
}

fn rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmRSS")
}

/// Whether libtest-style arguments select this test (`cargo test <filter>` passes the
/// filter to every test binary).
fn selected(args: &[String]) -> bool {
    let mut filters = Vec::new();
    let mut skip_value = false;
    for arg in args {
        if skip_value {
            skip_value = false;
        } else if ["--test-threads", "--skip", "--color", "--format", "--logfile", "-Z"]
            .contains(&arg.as_str())
        {
            skip_value = true;
        } else if !arg.starts_with('-') {
            filters.push(arg.as_str());
        }
    }
    filters.is_empty() || filters.iter().any(|filter| "soak".contains(filter))
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("--soak-child") {
        child_main(&args[2..]);
    }
    if args.iter().any(|arg| arg == "--list") {
        println!("soak: test");
        return;
    }
    if !selected(&args[1..]) {
        println!("soak: filtered out");
        return;
    }
    let seconds: f64 = std::env::var("SOAK_SECS").ok().and_then(|s| s.parse().ok()).unwrap_or(20.0);
    let seed: u64 = std::env::var("SOAK_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or_else(|| {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(1, |d| d.as_nanos() as u64)
    });
    let check_rss = std::env::var("SOAK_CHECK_RSS").map_or(true, |value| value != "0");
    // Eight phases a round; at least two rounds, so memory can be compared.
    let phase = Duration::from_secs_f64((seconds / 16.0).clamp(1.25, 10.0));
    let rounds = ((seconds / (8.0 * phase.as_secs_f64())).round() as u32).max(2);
    println!(
        "soak: {rounds} rounds of 8 phases of {:.2} s (SOAK_SECS={seconds}), SOAK_SEED={seed}",
        phase.as_secs_f64()
    );

    let planned = phase * 8 * rounds;
    let finished = Arc::new(AtomicU64::new(0));
    {
        let finished = Arc::clone(&finished);
        let limit = planned + Duration::from_secs(180);
        thread::spawn(move || {
            let start = Instant::now();
            while start.elapsed() < limit {
                thread::sleep(Duration::from_millis(200));
                if finished.load(Ordering::SeqCst) != 0 {
                    return;
                }
            }
            eprintln!("soak: FAILED: watchdog: still running {} s after the plan", 180);
            std::process::exit(2);
        });
    }

    let directory = std::env::temp_dir().join(format!("zmq-soak-{}", std::process::id()));
    std::fs::create_dir_all(&directory).expect("temporary directory");
    let run = Run { directory: directory.clone(), phase };
    let mut rng = Rng::new(seed);

    let fds_before = fds();
    let threads_before = threads();
    let started = Instant::now();
    let mut rss = Vec::new();
    let mut failure = None;
    type Scenario = fn(Transport, &Run, &mut Rng) -> Result<String, String>;
    let scenarios: [(&str, Scenario); 4] = [
        ("push/pull, receiver restarts", receiver_restarts),
        ("push/pull, sender restarts", sender_restarts),
        ("req/rep, server restarts", server_restarts),
        ("pub/sub, restarts", pubsub_restarts),
    ];
    'rounds: for round in 1..=rounds {
        for (name, scenario) in scenarios {
            for transport in [Transport::Tcp, Transport::Ipc] {
                let phase_start = Instant::now();
                match scenario(transport, &run, &mut rng) {
                    Ok(summary) => println!(
                        "round {round} {name} over {transport:?} ({:.1} s): {summary}",
                        phase_start.elapsed().as_secs_f64()
                    ),
                    Err(error) => {
                        failure = Some(format!("round {round} {name} over {transport:?}: {error}"));
                        break 'rounds;
                    }
                }
            }
        }
        rss.push(rss_kib());
        println!(
            "round {round}: VmRSS {} KiB, {} descriptors, {} threads",
            rss[rss.len() - 1],
            fds().len(),
            threads()
        );
    }
    let _ = std::fs::remove_dir_all(&directory);
    if let Some(failure) = failure {
        eprintln!("soak: FAILED (SOAK_SEED={seed}): {failure}");
        std::process::exit(1);
    }

    let mut problems = Vec::new();
    let fds_after = fds();
    if fds_after != fds_before {
        problems.push(format!("descriptors before: {fds_before:?}\nafter: {fds_after:?}"));
    }
    let threads_after = threads();
    if threads_after != threads_before {
        problems.push(format!("{threads_before} threads before, {threads_after} after"));
    }
    let (first, last) = (rss[0], rss[rss.len() - 1]);
    let allowed = first + first / 4 + 16 * 1024;
    if check_rss && last > allowed {
        problems.push(format!("VmRSS grew from {first} KiB to {last} KiB (allowed {allowed}): {rss:?}"));
    }
    finished.store(1, Ordering::SeqCst);
    println!(
        "soak: {:.1} s, VmRSS by round {rss:?} KiB{}, {} descriptors and {} threads before and after",
        started.elapsed().as_secs_f64(),
        if check_rss { "" } else { " (not checked: SOAK_CHECK_RSS=0)" },
        fds_before.len(),
        threads_before
    );
    if !problems.is_empty() {
        eprintln!("soak: FAILED (SOAK_SEED={seed}):\n{}", problems.join("\n"));
        std::process::exit(1);
    }
    println!("soak: ok");
}
