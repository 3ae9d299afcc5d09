//! Pipes: the bidirectional message queue between two sockets (or, with the network
//! transports, between a socket and a connection's session). libzmq: `pipe.cpp`,
//! `ypipe.hpp`.
//!
//! Each direction is a queue with a high-water mark counted in whole messages, so a
//! multipart message is admitted or refused as a unit, and a reader sees a message only
//! once all its parts are in. Wake-ups go out only on edges, as in libzmq: a reader that
//! found the queue empty is "asleep" and is sent one `ActivateRead` when the next
//! complete message arrives.
//!
//! Room comes back as in libzmq, where the reader's progress travels in an
//! `activate_write` command: every low-water mark's worth of messages read, the writer
//! is sent `ActivateWrite`, and what was read counts for the writer's high-water mark
//! only once its holder has taken that command in. A socket takes commands in at most
//! once a millisecond while it sends without waiting (`Socket::send`), so a tight
//! `ZMQ_DONTWAIT` loop sees the pipe full as libzmq's does (`test_router_mandatory_hwm`).

use std::collections::{HashMap, VecDeque};
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use parking_lot::Mutex;

mod cache_padded;
mod prefetch;

use cache_padded::CachePadded;

use crate::msg::Msg;
use crate::socket::monitor::Endpoints;

/// How far past the newest part the writer asks for the line it will fill (see
/// `prefetch`): measured best of 1 to 16 with `inproc_thr 8`.
const PREFETCH_SLOTS_AHEAD: usize = 2;

/// What a pipe tells the holder of its other end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PipeEvent {
    /// A pipe that was empty has a complete message again.
    ActivateRead,
    /// A pipe that was full has room again.
    ActivateWrite,
    /// The peer closed its end.
    Term,
}

/// Whoever holds one end of a pipe (a socket, or a connection's session in an I/O
/// thread) and must hear of its edges.
pub trait PipeOwner: Send + Sync + core::fmt::Debug {
    /// Delivers `event`; returns the ticket of the command that carries it (see
    /// [`PipeOwner::taken_in`]).
    fn pipe_event(&self, pipe: PipeId, event: PipeEvent) -> u64;

    /// The highest ticket whose command the holder has taken in: the credit an
    /// `ActivateWrite` carries counts from then on. By default, at once.
    fn taken_in(&self) -> u64 {
        u64::MAX
    }
}

/// Identifies one end of one pipe, unique in the process.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PipeId(u64);

impl PipeId {
    fn next() -> PipeId {
        static NEXT: AtomicU64 = AtomicU64::new(1);
        PipeId(NEXT.fetch_add(1, Ordering::Relaxed))
    }
}

/// Hashes a [`PipeId`] with one multiplication. Ids count up process-wide and no peer
/// chooses them, so SipHash's resistance to chosen keys buys nothing, and patterns
/// look pipes up on every message.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct PipeIdHasher(u64);

impl Hasher for PipeIdHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.write_u64(self.0.rotate_left(8) ^ u64::from(byte));
        }
    }

    fn write_u64(&mut self, n: u64) {
        // Fibonacci hashing: the odd constant spreads consecutive ids over every bit.
        self.0 = n.wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
}

/// A map keyed by pipe.
pub(crate) type PipeMap<V> = HashMap<PipeId, V, BuildHasherDefault<PipeIdHasher>>;

/// One end of a pipe: it writes into one direction and reads from the other.
#[derive(Debug, Clone)]
pub struct Pipe {
    shared: Arc<Shared>,
    /// 0 or 1: this end writes `directions[side]` and reads `directions[1 - side]`.
    side: usize,
}

#[derive(Debug)]
struct Shared {
    ids: [PipeId; 2],
    directions: [Direction; 2],
    /// Who holds each end, once attached.
    owners: [Mutex<Option<Arc<dyn PipeOwner>>>; 2],
    /// The routing id of the socket at the other end of each end, once known (an
    /// inproc peer's `ZMQ_ROUTING_ID`, or a network peer's from its handshake; empty
    /// when it has none). ROUTER-like sockets name their peers by it.
    peer_routing_ids: [Mutex<PeerRoutingId>; 2],
    /// What each end writes as it closes: its peer's `ZMQ_DISCONNECT_MSG` (inproc).
    farewells: [Mutex<Option<Msg>>; 2],
    /// The connection the pipe serves, for `ZMQ_EVENT_PIPES_STATS`.
    endpoints: Mutex<Option<Endpoints>>,
}

/// What one end knows of its peer's routing id.
#[derive(Debug, Default)]
struct PeerRoutingId {
    id: Option<Vec<u8>>,
    /// Set by `ZMQ_CONNECT_ROUTING_ID`: what the peer says does not change it.
    pinned: bool,
}

impl PeerRoutingId {
    fn learn(&mut self, id: Vec<u8>) {
        if !self.pinned {
            self.id = Some(id);
        }
    }
}

/// Queue limits for one direction, as libzmq computes them: the writer's `ZMQ_SNDHWM`
/// plus the reader's `ZMQ_RCVHWM` (no limit when either is 0; the writer's alone while
/// the reader is not known yet, before an inproc bind), and whether only the newest
/// message is kept (`ZMQ_CONFLATE`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Limits {
    pub send: usize,
    pub receive: Option<usize>,
    pub conflate: bool,
}

impl Limits {
    /// A limit of `hwm` whole messages from the writer's side alone.
    pub fn bounded(hwm: usize) -> Limits {
        Limits { send: hwm, receive: None, conflate: false }
    }

    /// The high-water mark in whole messages; 0 for none.
    pub fn hwm(&self) -> usize {
        match self.receive {
            None => self.send,
            Some(0) => 0,
            Some(_) if self.send == 0 => 0,
            Some(receive) => self.send.saturating_add(receive),
        }
    }
}

/// One direction. The writer appends to `queue` under its lock; the reader moves
/// every complete message from there into its own `cache` in one step and then reads
/// without touching the writer's lock, so the two threads meet once per batch rather
/// than once per message (libzmq's ypipe does the same with lock-free chunks).
#[derive(Debug, Default)]
struct Direction {
    queue: CachePadded<Mutex<Queue>>,
    cache: CachePadded<Mutex<Cache>>,
}

/// The writer's side of a direction.
#[derive(Debug, Default)]
struct Queue {
    parts: VecDeque<Msg>,
    /// Whole messages in `parts` (a trailing incomplete one is not counted).
    complete: usize,
    /// Whole messages ever written, and ever read as far as the writer knows: their
    /// difference is what the high-water mark bounds.
    written: u64,
    read: u64,
    /// What the reader last reported it had read, and the ticket of the
    /// `ActivateWrite` that carries it to the writer.
    reported: u64,
    report_ticket: u64,
    limits: Limits,
    reader_asleep: bool,
    /// The writer closed: after the queued messages, the reader sees the end.
    writer_done: bool,
    /// The reader closed: writes are refused.
    reader_gone: bool,
}

/// The reader's side of a direction.
#[derive(Debug, Default)]
struct Cache {
    parts: VecDeque<Msg>,
    /// Whole messages in `parts`.
    complete: usize,
    /// Whole messages read so far.
    read: u64,
    /// Report `read` to the writer every this many messages (its low-water mark, as
    /// libzmq's `activate_write` credit); 0: never.
    report_every: u64,
    /// The next multiple of `report_every` that `read` will reach (kept so the hot
    /// path compares instead of dividing).
    next_report: u64,
    /// The reader is inside a multipart message, whose parts are all cached.
    reading_multipart: bool,
}

impl Queue {
    fn is_full(&self) -> bool {
        let hwm = self.limits.hwm() as u64;
        !self.limits.conflate && hwm != 0 && self.written.wrapping_sub(self.read) >= hwm
    }

    /// libzmq 4.3's low-water mark, half the high-water mark: the reader reports its
    /// progress every this many messages, and the writer is woken when the queue
    /// drains to it.
    fn lwm(&self) -> u64 {
        self.limits.hwm().div_ceil(2) as u64
    }

    /// Has room for a new message, counting the reader's progress once the command
    /// carrying it has been taken in (`taken_in`: the writer's holder's ticket).
    fn has_room(&mut self, taken_in: impl FnOnce() -> u64) -> bool {
        if !self.is_full() {
            return true;
        }
        if self.reported != self.read && self.report_ticket <= taken_in() {
            self.read = self.reported;
        }
        !self.is_full()
    }
}

impl Cache {
    /// Moves every complete message of `queue` into the cache.
    fn refill(&mut self, queue: &mut Queue) {
        if queue.complete == 0 {
            return;
        }
        if queue.parts.back().is_none_or(|last| !last.more()) {
            if self.parts.is_empty() {
                std::mem::swap(&mut self.parts, &mut queue.parts);
            } else {
                self.parts.append(&mut queue.parts);
            }
        } else {
            // A message is half written: take the parts before it.
            let mut messages = queue.complete;
            while messages > 0 {
                let Some(part) = queue.parts.pop_front() else { break };
                if !part.more() {
                    messages -= 1;
                }
                self.parts.push_back(part);
            }
        }
        self.complete += queue.complete;
        queue.complete = 0;
    }

    fn set_report_every(&mut self, every: u64) {
        if every == self.report_every && every != 0 {
            return;
        }
        self.report_every = every;
        // `read` reaches `u64::MAX` only after centuries of messages.
        self.next_report = match every {
            0 => u64::MAX,
            every => (self.read / every).wrapping_add(1).wrapping_mul(every),
        };
    }

    fn has_message(&self) -> bool {
        self.complete > 0 || self.reading_multipart
    }
}

/// What a read found.
#[derive(Debug)]
pub enum Read {
    Msg(Msg),
    /// Nothing to read now; the reader will be sent `ActivateRead`.
    Empty,
    /// The writer closed and everything it wrote has been read.
    Ended,
}

/// Why a read found no part.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Drained {
    /// Nothing to read now; the reader will be sent `ActivateRead`.
    Empty,
    /// The writer closed and everything it wrote has been read.
    Ended,
}

/// Why a write was refused; the message is handed back.
#[derive(Debug)]
pub enum WriteError {
    /// At the high-water mark; the writer will be sent `ActivateWrite`.
    Full(Msg),
    /// The reader closed its end.
    Closed(Msg),
}

/// Why a write was refused, the part being left with the writer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// At the high-water mark; the writer will be sent `ActivateWrite`.
    Full,
    /// The reader closed its end.
    Closed,
}

impl Refusal {
    fn with(self, msg: Msg) -> WriteError {
        match self {
            Refusal::Full => WriteError::Full(msg),
            Refusal::Closed => WriteError::Closed(msg),
        }
    }
}

impl WriteError {
    pub fn into_msg(self) -> Msg {
        match self {
            WriteError::Full(msg) | WriteError::Closed(msg) => msg,
        }
    }
}

/// Creates a pipe; `limits[0]` bounds what end 0 writes, `limits[1]` what end 1 writes.
pub fn pipe_pair(limits: [Limits; 2]) -> (Pipe, Pipe) {
    let direction = |limits| Direction {
        queue: CachePadded(Mutex::new(Queue { limits, ..Queue::default() })),
        cache: CachePadded(Mutex::new(Cache::default())),
    };
    let shared = Arc::new(Shared {
        ids: [PipeId::next(), PipeId::next()],
        directions: [direction(limits[0]), direction(limits[1])],
        owners: [Mutex::new(None), Mutex::new(None)],
        peer_routing_ids: [Mutex::new(PeerRoutingId::default()), Mutex::new(PeerRoutingId::default())],
        farewells: [Mutex::new(None), Mutex::new(None)],
        endpoints: Mutex::new(None),
    });
    (Pipe { shared: Arc::clone(&shared), side: 0 }, Pipe { shared, side: 1 })
}

impl Pipe {
    pub fn id(&self) -> PipeId {
        self.shared.ids[self.side]
    }

    fn peer_side(&self) -> usize {
        1 - self.side
    }

    fn outbound(&self) -> &Direction {
        &self.shared.directions[self.side]
    }

    fn inbound(&self) -> &Direction {
        &self.shared.directions[self.peer_side()]
    }

    /// Records the connection the pipe serves (both ends see it).
    pub fn set_endpoints(&self, endpoints: Endpoints) {
        *self.shared.endpoints.lock() = Some(endpoints);
    }

    /// The connection the pipe serves, if it serves one.
    pub fn endpoints(&self) -> Option<Endpoints> {
        self.shared.endpoints.lock().clone()
    }

    /// The messages written and not yet read as far as the high-water marks know,
    /// this end's way and the other way (libzmq's `ZMQ_EVENT_PIPES_STATS` values).
    pub fn queued(&self) -> (u64, u64) {
        let count = |direction: &Direction| {
            let queue = direction.queue.lock();
            queue.written.wrapping_sub(queue.read)
        };
        (count(self.outbound()), count(self.inbound()))
    }

    /// Has this end write `msg` to its peer when it closes, after dropping any
    /// unfinished message (libzmq's `pipe_t::set_disconnect_msg`).
    pub fn set_farewell(&self, msg: Msg) {
        *self.shared.farewells[self.side].lock() = Some(msg);
    }

    /// Records the routing id of the socket at the other end (empty: none), unless
    /// one was pinned with [`Pipe::pin_peer_routing_id`].
    pub fn set_peer_routing_id(&self, routing_id: Vec<u8>) {
        self.shared.peer_routing_ids[self.side].lock().learn(routing_id);
    }

    /// Names the peer by `routing_id` whatever it calls itself
    /// (`ZMQ_CONNECT_ROUTING_ID`).
    pub fn pin_peer_routing_id(&self, routing_id: Vec<u8>) {
        *self.shared.peer_routing_ids[self.side].lock() =
            PeerRoutingId { id: Some(routing_id), pinned: true };
    }

    /// The routing id of the socket at the other end: `None` until known.
    pub fn peer_routing_id(&self) -> Option<Vec<u8>> {
        self.shared.peer_routing_ids[self.side].lock().id.clone()
    }

    /// Records, from this end, the routing id the *other* end's holder sees for its
    /// peer (a session learning the network peer's id after the socket took its end).
    pub fn set_socket_side_peer_routing_id(&self, routing_id: Vec<u8>) {
        self.shared.peer_routing_ids[self.peer_side()].lock().learn(routing_id);
    }

    /// Records who holds this end, for wake-ups.
    pub fn attach(&self, owner: Arc<dyn PipeOwner>) {
        *self.shared.owners[self.side].lock() = Some(owner);
    }

    /// Tells the peer's holder of `event`; the command's ticket (0 when the end is
    /// not held yet: nothing to wait for).
    fn notify_peer(&self, event: PipeEvent) -> u64 {
        let peer = self.peer_side();
        // Sent under the lock rather than with a cloned `Arc`: the count lives on a line
        // the peer's thread uses, and this runs for every batch.
        match &*self.shared.owners[peer].lock() {
            Some(owner) => owner.pipe_event(self.shared.ids[peer], event),
            None => 0,
        }
    }

    /// Changes the limits of what this end writes (an inproc bind learns the
    /// connecter's options late).
    pub fn set_outbound_limits(&self, limits: Limits) {
        self.outbound().queue.lock().limits = limits;
    }

    /// This end's socket changed `ZMQ_SNDHWM`: it applies to what it writes from now.
    pub fn set_send_hwm(&self, hwm: usize) {
        self.outbound().queue.lock().limits.send = hwm;
    }

    /// This end's socket changed `ZMQ_RCVHWM`. libzmq passes the new value to the
    /// writer, which puts it where its own `ZMQ_SNDHWM` was and keeps the reader's old
    /// `ZMQ_RCVHWM` beside it (an RCVHWM raised from 3 to 10 against an SNDHWM of 2
    /// gives 13); observable, so reproduced.
    pub fn set_receive_hwm(&self, hwm: usize) {
        self.inbound().queue.lock().limits.send = hwm;
    }

    /// Whether a new message could be written now; when not, the writer is marked
    /// asleep and will be sent `ActivateWrite`.
    pub fn check_write(&self) -> bool {
        let mut queue = self.outbound().queue.lock();
        !queue.reader_gone && queue.has_room(|| self.taken_in())
    }

    /// The ticket up to which this end's holder has taken its commands in.
    fn taken_in(&self) -> u64 {
        self.shared.owners[self.side].lock().as_ref().map_or(u64::MAX, |owner| owner.taken_in())
    }

    /// Writes one part. Parts of one message must be written without a refusal in
    /// between: after a first part was accepted, later parts always are.
    pub fn write(&self, mut msg: Msg) -> Result<(), WriteError> {
        self.write_part(&mut msg, true).map_err(|refusal| refusal.with(msg))
    }

    /// [`Pipe::write`] taking the part out of `msg` (left empty), or leaving it there
    /// when refused: a sending socket's part goes from the caller's `zmq_msg_t` into
    /// the pipe in one move.
    pub fn write_from(&self, msg: &mut Msg) -> Result<(), Refusal> {
        self.write_part(msg, true)
    }

    /// Writes one part whatever the high-water mark says: the messages libzmq
    /// injects itself (`ZMQ_DISCONNECT_MSG`, `ZMQ_HICCUP_MSG`) are never refused for
    /// lack of room.
    pub fn write_past_hwm(&self, mut msg: Msg) -> Result<(), WriteError> {
        self.write_part(&mut msg, false).map_err(|refusal| refusal.with(msg))
    }

    #[inline]
    fn write_part(&self, msg: &mut Msg, bounded: bool) -> Result<(), Refusal> {
        let wake_reader = {
            let mut queue = self.outbound().queue.lock();
            if queue.reader_gone {
                return Err(Refusal::Closed);
            }
            let starts_message = queue.parts.back().is_none_or(|last| !last.more());
            if bounded && starts_message && !queue.has_room(|| self.taken_in()) {
                return Err(Refusal::Full);
            }
            if starts_message && queue.limits.conflate {
                queue.parts.clear();
                queue.complete = 0;
            }
            let completes = !msg.more();
            queue.parts.push_back(msg.take());
            // The slot two ahead: the next send's line is already on its way.
            let (first, second) = queue.parts.as_slices();
            let tail = if second.is_empty() { first } else { second }.as_ptr_range().end;
            prefetch::for_write(tail.wrapping_add(PREFETCH_SLOTS_AHEAD));
            if completes {
                queue.complete += 1;
                queue.written = queue.written.wrapping_add(1);
            }
            completes && std::mem::take(&mut queue.reader_asleep)
        };
        if wake_reader {
            self.notify_peer(PipeEvent::ActivateRead);
        }
        Ok(())
    }

    /// Drops the parts of a message this end began writing but did not finish (its
    /// writer lost the rest: a connection broke mid-message). libzmq: `pipe_t::rollback`.
    pub fn rollback(&self) {
        let mut queue = self.outbound().queue.lock();
        while queue.parts.back().is_some_and(Msg::more) {
            queue.parts.pop_back();
        }
    }

    /// Reads one part. A message is visible only once all its parts are written.
    pub fn read(&self) -> Read {
        let mut msg = Msg::new();
        match self.read_into(&mut msg) {
            Ok(()) => Read::Msg(msg),
            Err(Drained::Empty) => Read::Empty,
            Err(Drained::Ended) => Read::Ended,
        }
    }

    /// [`Pipe::read`] into `msg`, replacing what it held (untouched when there is no
    /// part): a receiving socket's part goes from the pipe into the caller's
    /// `zmq_msg_t` in one move.
    #[inline]
    pub fn read_into(&self, into: &mut Msg) -> Result<(), Drained> {
        let mut cache = self.inbound().cache.lock();
        if !cache.has_message() {
            self.refill(&mut cache)?;
        }
        let Some(front) = cache.parts.front_mut() else {
            // Unreachable by the counting above; treat as empty rather than panic.
            cache.reading_multipart = false;
            return Err(Drained::Empty);
        };
        // Swapped in place, then the slot (holding what `into` held, usually
        // nothing) is dropped: moving the part out through a temporary cost a
        // stalled copy (its first byte is copied apart from the rest).
        std::mem::swap(into, front);
        drop(cache.parts.pop_front());
        let more = into.more();
        cache.reading_multipart = more;
        if !more {
            cache.complete -= 1;
            cache.read = cache.read.wrapping_add(1);
            if cache.read == cache.next_report {
                cache.next_report = cache.next_report.wrapping_add(cache.report_every);
                self.report_read(cache.read);
            }
        }
        Ok(())
    }

    /// Tells the writer how much has been read: the count waits in the queue, and the
    /// `ActivateWrite` that carries it gets its ticket (libzmq's `activate_write`).
    fn report_read(&self, read: u64) {
        let mut queue = self.inbound().queue.lock();
        queue.reported = read;
        // Sent under the lock, so that the writer never sees the count without the
        // ticket (it could take the command in first, then wait for another forever).
        queue.report_ticket = self.notify_peer(PipeEvent::ActivateWrite);
    }

    /// Moves what the writer has completed into the reader's cache. `Empty` or
    /// `Ended` when there is nothing; the reader is then asleep and will be sent
    /// `ActivateRead`.
    fn refill(&self, cache: &mut Cache) -> Result<(), Drained> {
        let mut queue = self.inbound().queue.lock();
        // Progress is reported only every `report_every` messages (in `read`), as
        // libzmq's credit: a refill after a full drain may see less room.
        cache.set_report_every(if queue.limits.hwm() == 0 { 0 } else { queue.lwm().max(1) });
        cache.refill(&mut queue);
        if cache.has_message() {
            Ok(())
        } else if queue.writer_done {
            Err(Drained::Ended)
        } else {
            queue.reader_asleep = true;
            Err(Drained::Empty)
        }
    }

    /// Whether a read would return a message. When not, the reader is marked asleep
    /// and will be sent `ActivateRead`, as after an empty read.
    pub fn check_read(&self) -> bool {
        let mut cache = self.inbound().cache.lock();
        cache.has_message() || self.refill(&mut cache).is_ok()
    }

    /// Closes this end: the peer still reads what was written, then sees the end;
    /// what the peer wrote to us is dropped. The peer is sent `PipeTerm`.
    pub fn close(&self) {
        if let Some(farewell) = self.shared.farewells[self.side].lock().take() {
            // The peer's ZMQ_DISCONNECT_MSG, in place of anything left unfinished.
            self.rollback();
            let _ = self.write_past_hwm(farewell);
        }
        self.outbound().queue.lock().writer_done = true;
        let dropped = {
            let inbound = self.inbound();
            let mut cache = inbound.cache.lock();
            let mut queue = inbound.queue.lock();
            queue.reader_gone = true;
            queue.complete = 0;
            *cache = Cache::default();
            std::mem::take(&mut queue.parts)
        };
        drop(dropped);
        *self.shared.owners[self.side].lock() = None;
        self.notify_peer(PipeEvent::Term);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::msg::part;
    use crate::socket::mailbox::{Command, Mailbox};

    fn drain(mailbox: &Mailbox) -> VecDeque<Command> {
        let mut commands = VecDeque::new();
        mailbox.drain_into(&mut commands);
        commands
    }

    fn read_bytes(pipe: &Pipe) -> Option<Vec<u8>> {
        match pipe.read() {
            Read::Msg(msg) => Some(msg.data().to_vec()),
            _ => None,
        }
    }

    #[test]
    fn messages_flow_both_ways_in_order() {
        let (a, b) = pipe_pair([Limits::default(); 2]);
        a.write(part(b"1", false)).unwrap();
        a.write(part(b"2", false)).unwrap();
        b.write(part(b"x", false)).unwrap();
        assert_eq!(read_bytes(&b), Some(b"1".to_vec()));
        assert_eq!(read_bytes(&b), Some(b"2".to_vec()));
        assert!(matches!(b.read(), Read::Empty));
        assert_eq!(read_bytes(&a), Some(b"x".to_vec()));
    }

    #[test]
    fn multipart_messages_appear_whole() {
        let (a, b) = pipe_pair([Limits::default(); 2]);
        a.write(part(b"head", true)).unwrap();
        assert!(!b.check_read());
        assert!(matches!(b.read(), Read::Empty));
        a.write(part(b"tail", false)).unwrap();
        assert_eq!(read_bytes(&b), Some(b"head".to_vec()));
        assert_eq!(read_bytes(&b), Some(b"tail".to_vec()));
    }

    #[test]
    fn hwm_counts_whole_messages() {
        let (a, b) = pipe_pair([Limits::bounded(2), Limits::default()]);
        a.write(part(b"1", true)).unwrap();
        a.write(part(b"1", true)).unwrap();
        a.write(part(b"1", false)).unwrap();
        a.write(part(b"2", false)).unwrap();
        assert!(!a.check_write());
        assert!(matches!(a.write(part(b"3", false)), Err(WriteError::Full(_))));
        for _ in 0..3 {
            assert!(read_bytes(&b).is_some());
        }
        assert!(a.check_write());
    }

    #[test]
    fn wake_ups_go_to_the_sleeping_side_once() {
        let reader_box = Arc::new(Mailbox::new(false).unwrap());
        let writer_box = Arc::new(Mailbox::new(false).unwrap());
        let (a, b) = pipe_pair([Limits::bounded(1), Limits::default()]);
        a.attach(writer_box.clone());
        b.attach(reader_box.clone());
        assert!(matches!(b.read(), Read::Empty));
        a.write(part(b"1", false)).unwrap();
        let commands = drain(&reader_box);
        assert!(matches!(commands.front(), Some(Command::ActivateRead(id)) if *id == b.id()));
        assert!(matches!(a.write(part(b"2", false)), Err(WriteError::Full(_))));
        assert!(drain(&writer_box).is_empty());
        assert!(read_bytes(&b).is_some());
        let commands = drain(&writer_box);
        assert!(matches!(commands.front(), Some(Command::ActivateWrite(id)) if *id == a.id()));
        assert!(!reader_box.has_pending());
    }

    #[test]
    fn room_comes_back_once_the_writer_takes_the_report_in() {
        let writer_box = Arc::new(Mailbox::new(false).unwrap());
        let (a, b) = pipe_pair([Limits::bounded(1), Limits::default()]);
        a.attach(writer_box.clone());
        a.write(part(b"1", false)).unwrap();
        assert!(read_bytes(&b).is_some());
        assert!(!a.check_write(), "read, but the writer has not been told yet");
        let commands = drain(&writer_box);
        assert!(matches!(commands.front(), Some(Command::ActivateWrite(id)) if *id == a.id()));
        assert!(a.check_write());
        a.write(part(b"2", false)).unwrap();
    }

    #[test]
    fn close_lets_the_peer_drain_then_end() {
        let peer_box = Arc::new(Mailbox::new(false).unwrap());
        let (a, b) = pipe_pair([Limits::default(); 2]);
        b.attach(peer_box.clone());
        a.write(part(b"last", false)).unwrap();
        b.write(part(b"lost", false)).unwrap();
        a.close();
        assert!(matches!(drain(&peer_box).front(), Some(Command::PipeTerm(id)) if *id == b.id()));
        assert_eq!(read_bytes(&b), Some(b"last".to_vec()));
        assert!(matches!(b.read(), Read::Ended));
        assert!(matches!(b.write(part(b"x", false)), Err(WriteError::Closed(_))));
    }

    #[test]
    fn rollback_drops_only_an_unfinished_message() {
        let (a, b) = pipe_pair([Limits::default(); 2]);
        a.write(part(b"whole", false)).unwrap();
        a.write(part(b"half", true)).unwrap();
        a.rollback();
        a.write(part(b"next", false)).unwrap();
        assert_eq!(read_bytes(&b), Some(b"whole".to_vec()));
        assert_eq!(read_bytes(&b), Some(b"next".to_vec()));
        assert!(matches!(b.read(), Read::Empty));
    }

    #[test]
    fn parts_move_out_of_and_into_the_callers_message() {
        let (a, b) = pipe_pair([Limits::bounded(1), Limits::default()]);
        let mut out = part(b"first", false);
        a.write_from(&mut out).unwrap();
        assert!(out.data().is_empty(), "taken out on success");
        let mut refused = part(b"second", false);
        assert_eq!(a.write_from(&mut refused), Err(Refusal::Full));
        assert_eq!(refused.data(), b"second", "left with the writer when refused");
        let mut into = part(b"old", false);
        let held = Arc::new(crate::msg::Metadata::new());
        into.set_metadata(Some(Arc::clone(&held)));
        b.read_into(&mut into).unwrap();
        assert_eq!(into.data(), b"first");
        assert!(into.metadata().is_none());
        assert_eq!(Arc::strong_count(&held), 1, "what the caller's message held is released");
        assert_eq!(b.read_into(&mut into), Err(Drained::Empty));
        assert_eq!(into.data(), b"first", "untouched when there is nothing");
        a.close();
        assert_eq!(b.read_into(&mut into), Err(Drained::Ended));
    }

    #[test]
    fn conflate_keeps_only_the_newest() {
        let (a, b) = pipe_pair([Limits { conflate: true, ..Limits::bounded(1) }, Limits::default()]);
        for i in 0..5u8 {
            a.write(part(&[i], false)).unwrap();
        }
        assert_eq!(read_bytes(&b), Some(vec![4]));
        assert!(matches!(b.read(), Read::Empty));
    }
}
