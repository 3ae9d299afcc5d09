//! An I/O thread: one `mio::Poll` loop driving listeners and connections.
//! libzmq: `io_thread.cpp`, `epoll.cpp`, `poller_base.cpp` (timers).
//!
//! Work reaches the thread as jobs (closures run on it with `&mut Reactor`), posted
//! through an [`IoHandle`]; the thread is woken only when it may be asleep in `poll`.
//! Each handler has a token (slot index plus generation, so a stale token finds
//! nothing) and at most one timer.

use std::cell::Cell;
use std::collections::BTreeSet;
use std::io;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use mio::event::{Event, Source};
use mio::{Events, Interest, Poll, Registry, Token, Waker};
use parking_lot::Mutex;

use super::thread_setup::ThreadSetup;
use super::workload::Workload;
use crate::pipe::{PipeEvent, PipeId, PipeOwner};

/// Work for the I/O thread.
pub type Job = Box<dyn FnOnce(&mut Reactor) + Send>;

/// What a handler wants after an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    Continue,
    /// Finished: the handler is dropped (closing whatever it owns).
    Done,
}

/// Something the I/O thread drives: a listener or a connection's session.
pub trait Handler: Send {
    /// A source registered under `token` is ready.
    fn io(&mut self, reactor: &mut Reactor, token: Token, event: &Event) -> Flow;
    /// The handler's timer fired.
    fn timer(&mut self, reactor: &mut Reactor, token: Token) -> Flow;
    /// A pipe the handler holds changed.
    fn pipe(&mut self, reactor: &mut Reactor, token: Token, pipe: PipeId, event: PipeEvent) -> Flow;
    /// Asked to finish (unbind, disconnect, socket closed, context terminated).
    fn close(&mut self, reactor: &mut Reactor, token: Token) -> Flow;
    /// Work the handler left to another thread (a name lookup) is done
    /// ([`IoHandle::wake`]).
    fn woken(&mut self, _reactor: &mut Reactor, _token: Token) -> Flow {
        Flow::Continue
    }
}

const WAKER: Token = Token(usize::MAX);

/// Parts a round delivers to application threads from which the thread offers the
/// CPU before it may sleep (see `serve`). A ping-pong delivers one per round.
const BATCH_DELIVERED: u32 = 4;

/// Parts a round takes from application threads from which the thread offers the
/// CPU before it may sleep: a sender is streaming to it. A ping-pong takes one or
/// two per round; 16 still slowed `ipc_lat` in some runs, 64 did not.
const BATCH_TAKEN: u32 = 64;

thread_local! {
    /// Parts this thread delivered to sockets since its round began.
    static DELIVERED: Cell<u32> = const { Cell::new(0) };
    /// Parts this thread took from sockets since its round began.
    static TAKEN: Cell<u32> = const { Cell::new(0) };
}

/// A handler delivered `parts` to its socket (counted towards [`BATCH_DELIVERED`]).
/// Handlers count a run of parts first and note it once: in a shared library each
/// access to a thread-local is a call.
pub(crate) fn note_delivered(parts: u32) {
    DELIVERED.set(DELIVERED.get().saturating_add(parts));
}

/// A handler took `parts` its socket sent (counted towards [`BATCH_TAKEN`]).
pub(crate) fn note_taken(parts: u32) {
    TAKEN.set(TAKEN.get().saturating_add(parts));
}

/// Whether this thread delivered or took a batch since the last call (which starts
/// new counts).
fn moved_a_batch() -> bool {
    let delivered = DELIVERED.replace(0) >= BATCH_DELIVERED;
    let taken = TAKEN.replace(0) >= BATCH_TAKEN;
    delivered || taken
}

/// The shared door into an I/O thread.
struct Inbox {
    jobs: Mutex<Vec<Job>>,
    /// The thread has ended: a job posted now is dropped at once (so whoever waits
    /// for it, as `close_and_wait` does, learns that it will never run).
    ended: AtomicBool,
    /// The thread is in `poll`, or about to be, with no job left: the next post
    /// must wake it (and clears this, so that only one post does). While the thread
    /// is busy, posts cost no system call: it looks for jobs before it polls.
    sleeping: AtomicBool,
    waker: Waker,
}

impl Inbox {
    fn post(&self, job: Job) {
        {
            let mut jobs = self.jobs.lock();
            if self.ended.load(Ordering::Acquire) {
                // Dropped outside the lock: what it holds may post in turn.
                drop(jobs);
                drop(job);
                return;
            }
            jobs.push(job);
        }
        // SeqCst with `about_to_sleep`: either the thread sees this job before it
        // polls, or this sees it sleeping.
        if self.sleeping.swap(false, Ordering::SeqCst) {
            // A failed wake-up leaves the job for the next poll round; nothing to do.
            let _ = self.waker.wake();
        }
    }

    /// The thread will poll next: from now on a post wakes it. Whether jobs are
    /// already waiting (then the poll must not block).
    fn about_to_sleep(&self) -> bool {
        self.sleeping.store(true, Ordering::SeqCst);
        !self.jobs.lock().is_empty()
    }

    /// The thread is back from `poll`: posts need not wake it.
    fn awake(&self) {
        self.sleeping.store(false, Ordering::SeqCst);
    }
}

/// A cheap handle to post jobs to an I/O thread.
#[derive(Clone)]
pub struct IoHandle {
    inbox: Arc<Inbox>,
}

impl core::fmt::Debug for IoHandle {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("IoHandle")
    }
}

impl IoHandle {
    /// Runs `job` on the I/O thread.
    pub fn post(&self, job: impl FnOnce(&mut Reactor) + Send + 'static) {
        self.inbox.post(Box::new(job));
    }

    /// Tells the handler behind `token`, on its thread, that work it left to another
    /// thread is done ([`Handler::woken`]); nothing if it has ended meanwhile.
    pub fn wake(&self, token: Token) {
        self.post(move |reactor| reactor.dispatch(token, |handler, reactor| handler.woken(reactor, token)));
    }

    /// Asks the handler behind `token` to finish.
    pub fn close(&self, token: Token) {
        self.post(move |reactor| reactor.dispatch(token, |handler, reactor| handler.close(reactor, token)));
    }

    /// Like [`IoHandle::close`], and waits (briefly: one round of the I/O thread) until
    /// the handler has acted on it, so that a listener's port or path is free when
    /// this returns. Returns at once if the thread has ended (its handlers with it).
    pub fn close_and_wait(&self, token: Token) {
        let (done, finished) = std::sync::mpsc::sync_channel(1);
        self.post(move |reactor| {
            reactor.dispatch(token, |handler, reactor| handler.close(reactor, token));
            let _ = done.send(());
        });
        // Disconnected (the job was dropped unrun) when the thread has ended; the
        // time limit only guards against a thread stuck in a handler.
        let _ = finished.recv_timeout(std::time::Duration::from_secs(10));
    }
}

/// The pipe owner for a handler: pipe edges become jobs on its I/O thread.
#[derive(Clone)]
pub struct HandlerNotifier {
    io: IoHandle,
    token: Token,
}

impl core::fmt::Debug for HandlerNotifier {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "HandlerNotifier({:?})", self.token)
    }
}

impl core::fmt::Debug for Slot {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "Slot(generation {}, live {})", self.generation, self.live)
    }
}

impl PipeOwner for HandlerNotifier {
    /// Handlers see credit at once (their commands are handled as they come).
    fn pipe_event(&self, pipe: PipeId, event: PipeEvent) -> u64 {
        let token = self.token;
        self.io.post(move |reactor| {
            reactor.dispatch(token, |handler, reactor| handler.pipe(reactor, token, pipe, event));
        });
        0
    }
}

struct Slot {
    generation: u32,
    /// `None` while the handler is being called (taken out of its slot) or when free.
    handler: Option<Box<dyn Handler>>,
    timer: Option<Instant>,
    live: bool,
}

/// The I/O thread's state, lent to handlers.
#[derive(Debug)]
pub struct Reactor {
    registry: Registry,
    slots: Vec<Slot>,
    free: Vec<usize>,
    timers: BTreeSet<(Instant, usize)>,
    handle: IoHandle,
    stopping: bool,
    /// Threads handlers started for work off this thread (name lookups), joined when
    /// this thread ends.
    helpers: Vec<JoinHandle<()>>,
}

impl Reactor {
    /// Keeps `helper`, a thread a handler started, to be joined when this thread ends
    /// (so none outlives the context).
    pub fn adopt(&mut self, helper: JoinHandle<()>) {
        self.helpers.retain(|helper| !helper.is_finished());
        self.helpers.push(helper);
    }

    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    /// A handle to this thread.
    pub fn handle(&self) -> IoHandle {
        self.handle.clone()
    }

    /// Adds a handler and returns its token (the handler registers its own sources).
    pub fn add(&mut self, make: impl FnOnce(&mut Reactor, Token) -> Box<dyn Handler>) -> Token {
        let index = match self.free.pop() {
            Some(index) => index,
            None => {
                self.slots.push(Slot { generation: 0, handler: None, timer: None, live: false });
                self.slots.len() - 1
            }
        };
        let slot = &mut self.slots[index];
        slot.generation = slot.generation.wrapping_add(1);
        slot.live = true;
        let token = token_of(index, slot.generation);
        let handler = make(self, token);
        if let Some(slot) = self.slots.get_mut(index) {
            slot.handler = Some(handler);
        }
        token
    }

    /// Registers `source` for `token`, edge-triggered.
    pub fn register(&self, source: &mut impl Source, token: Token, interest: Interest) -> io::Result<()> {
        self.registry.register(source, token, interest)
    }

    /// A pipe owner that delivers the pipe's edges to the handler behind `token`.
    pub fn notifier(&self, token: Token) -> Arc<dyn PipeOwner> {
        Arc::new(HandlerNotifier { io: self.handle.clone(), token })
    }

    /// Sets (replacing any earlier one) or clears the handler's timer.
    pub fn set_timer(&mut self, token: Token, at: Option<Instant>) {
        let Some(index) = self.live_index(token) else { return };
        let slot = &mut self.slots[index];
        if let Some(old) = slot.timer.take() {
            self.timers.remove(&(old, index));
        }
        slot.timer = at;
        if let Some(at) = at {
            self.timers.insert((at, index));
        }
    }

    /// Whether the handler behind `token` still exists.
    pub fn is_live(&self, token: Token) -> bool {
        self.live_index(token).is_some()
    }

    /// Asks the handler behind `token` (if it still exists) to finish.
    pub fn close(&mut self, token: Token) {
        self.dispatch(token, |handler, reactor| handler.close(reactor, token));
    }

    pub fn is_stopping(&self) -> bool {
        self.stopping
    }

    fn live_index(&self, token: Token) -> Option<usize> {
        let (index, generation) = split_token(token);
        let slot = self.slots.get(index)?;
        (slot.live && slot.generation == generation).then_some(index)
    }

    /// Calls the handler behind `token`, if it still exists, and drops it when done.
    fn dispatch(&mut self, token: Token, call: impl FnOnce(&mut dyn Handler, &mut Reactor) -> Flow) {
        let Some(index) = self.live_index(token) else { return };
        let Some(mut handler) = self.slots[index].handler.take() else { return };
        let flow = call(handler.as_mut(), self);
        match flow {
            Flow::Continue => self.slots[index].handler = Some(handler),
            Flow::Done => {
                self.set_timer(token, None);
                let slot = &mut self.slots[index];
                slot.live = false;
                self.free.push(index);
                drop(handler);
            }
        }
    }

    fn live_tokens(&self) -> Vec<Token> {
        self.slots
            .iter()
            .enumerate()
            .filter(|(_, slot)| slot.live)
            .map(|(index, slot)| token_of(index, slot.generation))
            .collect()
    }

    fn has_handlers(&self) -> bool {
        self.slots.iter().any(|slot| slot.live)
    }
}

fn token_of(index: usize, generation: u32) -> Token {
    Token(((generation as usize) << 32) | (index & 0xffff_ffff))
}

fn split_token(token: Token) -> (usize, u32) {
    (token.0 & 0xffff_ffff, (token.0 >> 32) as u32)
}

/// A running I/O thread.
pub struct IoThread {
    handle: IoHandle,
    thread: Option<JoinHandle<()>>,
    /// The thread's state. Only the thread uses it (it holds the lock for its whole
    /// life); this reference keeps it reachable from the context too, not only from
    /// the thread's stack. In the child of a `fork`, where the thread does not exist,
    /// the context sets its `IoThread`s aside, so what the thread held (its handlers,
    /// timers, buffers) is still held rather than orphaned.
    _state: Arc<Mutex<Loop>>,
    workload: Arc<Workload>,
}

/// What an I/O thread works with.
struct Loop {
    poll: Poll,
    events: Events,
    /// The jobs being run (swapped with the inbox's, to keep both buffers).
    jobs: Vec<Job>,
    reactor: Reactor,
    workload: Arc<Workload>,
}

impl core::fmt::Debug for IoThread {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("IoThread")
    }
}

impl IoThread {
    /// Starts a thread named and scheduled as `setup` says.
    pub fn start(setup: ThreadSetup) -> io::Result<IoThread> {
        let poll = Poll::new()?;
        let waker = Waker::new(poll.registry(), WAKER)?;
        let inbox = Arc::new(Inbox {
            jobs: Mutex::new(Vec::new()),
            ended: AtomicBool::new(false),
            sleeping: AtomicBool::new(false),
            waker,
        });
        let handle = IoHandle { inbox };
        let reactor = Reactor {
            registry: poll.registry().try_clone()?,
            slots: Vec::new(),
            free: Vec::new(),
            timers: BTreeSet::new(),
            handle: handle.clone(),
            stopping: false,
            helpers: Vec::new(),
        };
        let workload = Arc::new(Workload::default());
        let state = Arc::new(Mutex::new(Loop {
            poll,
            events: Events::with_capacity(256),
            jobs: Vec::new(),
            reactor,
            workload: Arc::clone(&workload),
        }));
        let theirs = Arc::clone(&state);
        let thread = std::thread::Builder::new().name(setup.name.clone()).spawn(move || {
            setup.apply_to_current_thread();
            run(&mut theirs.lock())
        })?;
        Ok(IoThread { handle, thread: Some(thread), _state: state, workload })
    }

    pub fn handle(&self) -> IoHandle {
        self.handle.clone()
    }

    /// Whether the thread is saturated, for waiting sockets to read.
    pub fn workload(&self) -> Arc<Workload> {
        Arc::clone(&self.workload)
    }

    /// Asks every handler to finish, lets them (lingering connections flush per
    /// `ZMQ_LINGER`), and waits for the thread to end.
    pub fn stop(mut self) {
        self.handle.post(|reactor| {
            reactor.stopping = true;
            for token in reactor.live_tokens() {
                reactor.dispatch(token, |handler, reactor| handler.close(reactor, token));
            }
        });
        if let Some(thread) = self.thread.take() {
            // A panic in the thread has already been reported; nothing more to do.
            let _ = thread.join();
        }
    }
}

/// The thread's life: serves until stopped, then drops what handlers are left (after a
/// failed poll) here, on the thread.
fn run(state: &mut Loop) {
    serve(state);
    state.workload.may_sleep();
    let inbox = Arc::clone(&state.reactor.handle.inbox);
    // Jobs posted from now on are dropped as they come; those left are dropped here,
    // outside the lock.
    let left = {
        let mut jobs = inbox.jobs.lock();
        inbox.ended.store(true, Ordering::Release);
        std::mem::take(&mut *jobs)
    };
    drop(left);
    state.reactor.timers.clear();
    state.reactor.slots.clear();
    for helper in state.reactor.helpers.drain(..) {
        // A helper that panicked has reported it; there is nothing more to do.
        let _ = helper.join();
    }
}

fn serve(state: &mut Loop) {
    let Loop { poll, events, jobs, reactor, workload } = state;
    let inbox = Arc::clone(&reactor.handle.inbox);
    workload.working_from(Instant::now());
    loop {
        if moved_a_batch() {
            // The round handed a batch to application threads, or took one from them:
            // they are offered the CPU before this thread may sleep. On a machine with
            // more busy threads than CPUs they then run at once and queue their
            // answers, or their next messages, which the next round takes in one
            // batch. Sleeping at once had this thread woken (at 10 to 15 µs to its
            // waker, and a preemption when both share a CPU) for every few messages
            // instead: ROUTER-DEALER with its peers in another process made 3 times
            // fewer round trips, and a publisher in another process than its
            // subscribers woke its I/O thread 19 000 times a second (BENCHMARKS.md).
            std::thread::yield_now();
        }
        let mut timeout = reactor.timers.first().map(|&(at, _)| at.saturating_duration_since(Instant::now()));
        let may_sleep = !inbox.about_to_sleep();
        if may_sleep {
            workload.may_sleep();
        } else {
            timeout = Some(Duration::ZERO);
        }
        let polled = poll.poll(events, timeout);
        inbox.awake();
        if may_sleep {
            workload.working_from(Instant::now());
        }
        if let Err(error) = polled {
            if error.kind() != io::ErrorKind::Interrupted {
                return;
            }
        }
        std::mem::swap(jobs, &mut *inbox.jobs.lock());
        for job in jobs.drain(..) {
            job(reactor);
        }
        for event in events.iter() {
            let token = event.token();
            if token != WAKER {
                reactor.dispatch(token, |handler, reactor| handler.io(reactor, token, event));
            }
        }
        let now = Instant::now();
        while let Some(&(at, index)) = reactor.timers.first() {
            if at > now {
                break;
            }
            reactor.timers.pop_first();
            let slot = &mut reactor.slots[index];
            slot.timer = None;
            let token = token_of(index, slot.generation);
            reactor.dispatch(token, |handler, reactor| handler.timer(reactor, token));
        }
        if reactor.stopping && !reactor.has_handlers() && inbox.jobs.lock().is_empty() {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;
    use std::time::Duration;

    fn test_setup() -> ThreadSetup {
        ThreadSetup { name: "test-io".into(), ..ThreadSetup::default() }
    }

    struct Countdown {
        left: u32,
        done: mpsc::Sender<&'static str>,
    }

    impl Handler for Countdown {
        fn io(&mut self, _: &mut Reactor, _: Token, _: &Event) -> Flow {
            Flow::Continue
        }
        fn timer(&mut self, reactor: &mut Reactor, token: Token) -> Flow {
            self.left -= 1;
            if self.left == 0 {
                let _ = self.done.send("timer");
                return Flow::Done;
            }
            reactor.set_timer(token, Some(Instant::now() + Duration::from_millis(1)));
            Flow::Continue
        }
        fn pipe(&mut self, _: &mut Reactor, _: Token, _: PipeId, _: PipeEvent) -> Flow {
            Flow::Continue
        }
        fn close(&mut self, _: &mut Reactor, _: Token) -> Flow {
            let _ = self.done.send("closed");
            Flow::Done
        }
    }

    #[test]
    fn timers_fire_and_stop_closes_what_is_left() {
        let thread = IoThread::start(test_setup()).unwrap();
        let (done, finished) = mpsc::channel();
        let (tell, tokens) = mpsc::channel();
        for left in [3, u32::MAX] {
            let done = done.clone();
            let tell = tell.clone();
            thread.handle().post(move |reactor| {
                let token = reactor.add(|_, _| Box::new(Countdown { left, done }));
                reactor.set_timer(token, Some(Instant::now()));
                let _ = tell.send(token);
            });
        }
        let _ = tokens.recv_timeout(Duration::from_secs(5)).unwrap();
        assert_eq!(finished.recv_timeout(Duration::from_secs(5)), Ok("timer"));
        thread.stop();
        assert_eq!(finished.recv_timeout(Duration::from_secs(5)), Ok("closed"));
    }

    /// Posts wake the thread only when it sleeps: none may be left unrun, whether it
    /// comes while the thread polls, runs jobs, or is on its way to poll.
    #[test]
    fn no_post_is_slept_through() {
        let thread = IoThread::start(test_setup()).unwrap();
        let (done, finished) = mpsc::channel();
        let posters: Vec<_> = (0..4)
            .map(|_| {
                let handle = thread.handle();
                let done = done.clone();
                std::thread::spawn(move || {
                    for round in 0..2000u32 {
                        let done = done.clone();
                        handle.post(move |_| {
                            let _ = done.send(());
                        });
                        if round % 64 == 0 {
                            // Lets the thread fall asleep now and then.
                            std::thread::sleep(Duration::from_micros(200));
                        }
                    }
                })
            })
            .collect();
        for poster in posters {
            poster.join().unwrap();
        }
        for _ in 0..4 * 2000 {
            finished.recv_timeout(Duration::from_secs(5)).expect("every job runs");
        }
        thread.stop();
    }

    /// A thread busy with work since its last poll is saturated; one back in its
    /// poll with nothing to do is not.
    #[test]
    fn the_workload_follows_the_thread() {
        let thread = IoThread::start(test_setup()).unwrap();
        let workload = thread.workload();
        let (started, running) = mpsc::channel();
        let (release, released) = mpsc::channel::<()>();
        thread.handle().post(move |_| {
            let _ = started.send(());
            let _ = released.recv_timeout(Duration::from_secs(10));
        });
        running.recv_timeout(Duration::from_secs(5)).expect("the job runs");
        std::thread::sleep(Duration::from_millis(2));
        assert!(workload.saturated(Instant::now()), "working since its poll");
        release.send(()).unwrap();
        let deadline = Instant::now() + Duration::from_secs(5);
        while workload.saturated(Instant::now()) {
            assert!(Instant::now() < deadline, "the idle thread is back in its poll");
            std::thread::sleep(Duration::from_millis(1));
        }
        std::thread::sleep(Duration::from_millis(2));
        assert!(!workload.saturated(Instant::now()), "asleep with nothing to do");
        thread.stop();
        assert!(!workload.saturated(Instant::now() + Duration::from_secs(1)), "ended");
    }

    #[test]
    fn only_a_batch_either_way_counts_and_each_round_starts_afresh() {
        for (note, batch) in [(note_delivered as fn(u32), BATCH_DELIVERED), (note_taken, BATCH_TAKEN)] {
            assert!(!moved_a_batch());
            note(batch - 1);
            assert!(!moved_a_batch(), "fewer than a batch: a ping-pong");
            note(batch - 1);
            assert!(!moved_a_batch(), "the earlier round's count was dropped");
            note(1);
            note(batch - 1);
            assert!(moved_a_batch(), "notes add up within a round");
            assert!(!moved_a_batch(), "counted once");
        }
        note_delivered(BATCH_DELIVERED - 1);
        note_taken(BATCH_TAKEN - 1);
        assert!(!moved_a_batch(), "the two counts are not added up");
    }

    #[test]
    fn stale_tokens_reach_nothing() {
        let thread = IoThread::start(test_setup()).unwrap();
        let (done, finished) = mpsc::channel();
        let (tell, tokens) = mpsc::channel();
        thread.handle().post(move |reactor| {
            let token = reactor.add(|_, _| Box::new(Countdown { left: 1, done }));
            let _ = tell.send(token);
        });
        let token = tokens.recv_timeout(Duration::from_secs(5)).unwrap();
        thread.handle().close(token);
        assert_eq!(finished.recv_timeout(Duration::from_secs(5)), Ok("closed"));
        thread.handle().close(token);
        thread.stop();
        assert!(finished.recv_timeout(Duration::from_millis(50)).is_err());
    }

    /// A listener closed by a socket after its context stopped the I/O thread (a
    /// close racing zmq_ctx_term) must not wait for a thread that is gone: the job is
    /// dropped unrun, so the wait ends at once (it took the whole 10 s guard before).
    #[test]
    fn close_and_wait_after_the_thread_ended_returns_at_once() {
        let thread = IoThread::start(test_setup()).unwrap();
        let handle = thread.handle();
        let (done, finished) = mpsc::channel();
        let (tell, tokens) = mpsc::channel();
        handle.post(move |reactor| {
            let token = reactor.add(|_, _| Box::new(Countdown { left: 1, done }));
            let _ = tell.send(token);
        });
        let token = tokens.recv_timeout(Duration::from_secs(5)).unwrap();
        thread.stop();
        assert_eq!(finished.recv_timeout(Duration::from_secs(5)), Ok("closed"));
        let start = Instant::now();
        handle.close_and_wait(token);
        assert!(start.elapsed() < Duration::from_secs(2), "waited {:?}", start.elapsed());
        // A plain post is dropped too, rather than kept forever.
        let (dropped, gone) = mpsc::channel::<()>();
        handle.post(move |_| drop(dropped));
        assert_eq!(gone.recv_timeout(Duration::from_secs(1)), Err(mpsc::RecvTimeoutError::Disconnected));
    }
}
