//! A socket's command queue and its wake-up signal (whose descriptor is `ZMQ_FD`).
//! Pipes and the context post commands; the socket drains them whenever it is used.
//! libzmq: `mailbox.cpp`, `command.hpp`.

use std::collections::VecDeque;
use std::os::fd::RawFd;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use parking_lot::{Condvar, Mutex};

use crate::error::Result;
use crate::pipe::{Pipe, PipeEvent, PipeId, PipeOwner};
use crate::reactor::signaler::Signaler;

use super::pacing::SpinBudget;
use super::readiness::Watchers;

/// What can be asked of a socket by its peers and its context. Typed and owned: no
/// raw pointers travel between threads.
#[derive(Debug)]
pub enum Command {
    /// A pipe that was empty has a complete message again.
    ActivateRead(PipeId),
    /// A pipe that was full has room again.
    ActivateWrite(PipeId),
    /// The peer closed its end of this pipe.
    PipeTerm(PipeId),
    /// A new pipe from an inproc connection to an endpoint this socket bound.
    Attach(Pipe),
    /// The context is shutting down: blocking calls return `ETERM`.
    Stop,
    /// A tcp, ipc or udp endpoint was started in an I/O thread. Nothing to do; as
    /// libzmq's `own` command, it leaves `ZMQ_FD` readable after `zmq_bind` or
    /// `zmq_connect` until the socket is next used (libzmq's tests count on it).
    Launched,
}

/// A socket's command queue. Its signal (the `ZMQ_FD` descriptor) is raised while
/// commands are pending and someone may be waiting on it: the owner sleeping in
/// [`Mailbox::wait`], or the application, once it has the descriptor. Otherwise a
/// command costs no system call.
///
/// A thread-safe socket may have many threads waiting at once, and one command
/// (a pipe with messages again) may be news for all of them: they sleep on a
/// condition variable instead, and every command wakes them all, as libzmq's
/// `mailbox_safe_t` does.
#[derive(Debug)]
pub struct Mailbox {
    queue: Mutex<Queue>,
    /// Commands are pending: lets `drain_into` skip the lock on the (hot) empty path.
    pending: AtomicBool,
    /// Counts the commands ever sent: a waiter sleeps only while it is unchanged
    /// since the socket was last looked at.
    sent: AtomicU64,
    /// `sent` as of the last drain: every command up to this count was taken in.
    drained: AtomicU64,
    /// The owner is asleep in `wait` on the signal.
    sleeping: AtomicBool,
    /// The application has the descriptor (`ZMQ_FD`, `zmq_poll`).
    exposed: AtomicBool,
    signaler: Signaler,
    /// Where the threads of a thread-safe socket wait (`None` for the others).
    shared_wait: Option<Condvar>,
    /// The pollers holding the socket: told of every command.
    watchers: Watchers,
    /// How long a waiter spins before it sleeps: a peer that answers soon is then
    /// seen without being put to sleep and woken by the kernel, which is most of
    /// libzmq's latency.
    spin_budget: SpinBudget,
}

#[derive(Debug, Default)]
struct Queue {
    commands: VecDeque<Command>,
    /// Threads asleep on `shared_wait`.
    sleepers: usize,
    /// The signal is raised (and must be cleared when the commands are taken).
    raised: bool,
}

impl Mailbox {
    /// A mailbox for a socket that one thread at a time uses, or (`thread_safe`)
    /// that many threads may wait on at once.
    pub fn new(thread_safe: bool) -> Result<Mailbox> {
        Ok(Mailbox {
            queue: Mutex::new(Queue::default()),
            pending: AtomicBool::new(false),
            sent: AtomicU64::new(0),
            drained: AtomicU64::new(0),
            sleeping: AtomicBool::new(false),
            exposed: AtomicBool::new(false),
            signaler: Signaler::new()?,
            shared_wait: thread_safe.then(Condvar::new),
            watchers: Watchers::default(),
            spin_budget: SpinBudget::default(),
        })
    }

    /// Posts a command; returns its ticket (see [`Mailbox::drained`]).
    pub fn send(&self, command: Command) -> u64 {
        let ticket = self.enqueue(command);
        self.watchers.notify();
        ticket
    }

    fn enqueue(&self, command: Command) -> u64 {
        let mut queue = self.queue.lock();
        queue.commands.push_back(command);
        let ticket = self.sent.fetch_add(1, Ordering::SeqCst) + 1;
        if queue.sleepers > 0 {
            if let Some(shared_wait) = &self.shared_wait {
                shared_wait.notify_all();
            }
        }
        if queue.commands.len() == 1 {
            // SeqCst with `wait`: either it sees `pending`, or this sees `sleeping`.
            self.pending.store(true, Ordering::SeqCst);
            let watched = self.sleeping.load(Ordering::SeqCst) || self.exposed.load(Ordering::SeqCst);
            if watched && !queue.raised {
                // Raised under the lock, so it cannot be lost to a concurrent drain.
                self.signaler.raise();
                queue.raised = true;
            }
        }
        ticket
    }

    /// Moves every pending command into `into` (expected empty, and kept between
    /// calls so that its buffer is reused) and clears the signal.
    pub fn drain_into(&self, into: &mut VecDeque<Command>) {
        if !self.pending.load(Ordering::Acquire) {
            return;
        }
        let mut queue = self.queue.lock();
        self.pending.store(false, Ordering::Release);
        if std::mem::take(&mut queue.raised) {
            self.signaler.clear();
        }
        std::mem::swap(&mut queue.commands, into);
        // Every command is counted in `sent` under this lock.
        self.drained.store(self.sent.load(Ordering::SeqCst), Ordering::Release);
    }

    /// The ticket of the last command taken in by [`Mailbox::drain_into`].
    pub fn drained(&self) -> u64 {
        self.drained.load(Ordering::Acquire)
    }

    /// Whether commands are waiting (a cheap check, without the lock).
    pub fn has_pending(&self) -> bool {
        self.pending.load(Ordering::Acquire)
    }

    /// How many commands were ever sent: read before looking at the socket's state,
    /// and handed to [`Mailbox::wait`], it says whether anything came since.
    pub fn sent(&self) -> u64 {
        self.sent.load(Ordering::SeqCst)
    }

    /// Waits until a command came after `seen` (a [`Mailbox::sent`] reading) or
    /// `timeout` passes (`None`: forever): spins briefly (longer when `io_saturated`
    /// says an I/O thread of the context is), then sleeps. `EINTR` when a signal
    /// handler interrupted the sleep (not for thread-safe sockets, whose waits libzmq
    /// does not interrupt either).
    pub fn wait(
        &self,
        timeout: Option<Duration>,
        seen: u64,
        io_saturated: impl FnOnce(Instant) -> bool,
    ) -> Result<()> {
        let start = Instant::now();
        let budget = self.spin_budget.budget(io_saturated(start));
        let spin = timeout.map_or(budget, |timeout| timeout.min(budget));
        let news = || self.sent() != seen || self.has_pending();
        if super::pacing::spin(spin, news) {
            self.spin_budget.record(start.elapsed());
            return Ok(());
        }
        if let Some(shared_wait) = &self.shared_wait {
            let deadline = timeout.map(|timeout| start + timeout);
            let mut queue = self.queue.lock();
            queue.sleepers += 1;
            while !news() {
                match deadline {
                    None => shared_wait.wait(&mut queue),
                    Some(deadline) => {
                        if shared_wait.wait_until(&mut queue, deadline).timed_out() {
                            break;
                        }
                    }
                }
            }
            queue.sleepers -= 1;
            return Ok(());
        }
        self.sleeping.store(true, Ordering::SeqCst);
        let outcome = if news() {
            Ok(())
        } else {
            let left = timeout.map(|timeout| timeout.saturating_sub(start.elapsed()));
            self.signaler.wait(left).map(|_| ())
        };
        self.sleeping.store(false, Ordering::SeqCst);
        if news() {
            self.spin_budget.record(start.elapsed());
        }
        outcome
    }

    /// The pollers holding the socket (see `socket::readiness`).
    pub fn watchers(&self) -> &Watchers {
        &self.watchers
    }

    /// Takes every pending command out, for a mailbox no one will read any more.
    fn take_all(&self) -> VecDeque<Command> {
        std::mem::take(&mut self.queue.lock().commands)
    }

    /// The descriptor for the application to poll: from now on it is raised
    /// whenever commands are pending.
    pub fn expose_fd(&self) -> RawFd {
        if !self.exposed.swap(true, Ordering::SeqCst) {
            let mut queue = self.queue.lock();
            if !queue.commands.is_empty() && !queue.raised {
                self.signaler.raise();
                queue.raised = true;
            }
        }
        self.signaler.fd()
    }
}

impl PipeOwner for Mailbox {
    fn pipe_event(&self, pipe: PipeId, event: PipeEvent) -> u64 {
        self.send(match event {
            PipeEvent::ActivateRead => Command::ActivateRead(pipe),
            PipeEvent::ActivateWrite => Command::ActivateWrite(pipe),
            PipeEvent::Term => Command::PipeTerm(pipe),
        })
    }

    fn taken_in(&self) -> u64 {
        self.drained()
    }
}

impl Drop for Mailbox {
    /// A pipe handed to a socket that closed before taking it is closed here, so its
    /// other end (a connection's session) learns that no one will read it.
    fn drop(&mut self) {
        for command in self.take_all() {
            if let Command::Attach(pipe) = command {
                pipe.close();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn an_exposed_descriptor_follows_pending_commands() {
        let mailbox = Mailbox::new(false).unwrap();
        mailbox.send(Command::Stop);
        let fd = mailbox.expose_fd();
        let readable = || {
            let mut fds = [crate::reactor::poll::poll_fd(fd, crate::reactor::poll::POLLIN)];
            crate::reactor::poll::wait(&mut fds, Some(Duration::ZERO), None).unwrap() > 0
        };
        assert!(readable(), "commands sent before exposure raise it");
        let mut commands = VecDeque::new();
        mailbox.drain_into(&mut commands);
        assert_eq!(commands.len(), 1);
        assert!(!readable());
        mailbox.send(Command::Stop);
        mailbox.send(Command::Stop);
        assert!(readable());
        commands.clear();
        mailbox.drain_into(&mut commands);
        assert_eq!(commands.len(), 2);
        assert!(!readable());
    }

    #[test]
    fn wait_returns_for_a_command_from_another_thread() {
        for thread_safe in [false, true] {
            let mailbox = std::sync::Arc::new(Mailbox::new(thread_safe).unwrap());
            assert!(mailbox.wait(Some(Duration::from_millis(1)), mailbox.sent(), |_| false).is_ok());
            assert!(!mailbox.has_pending());
            let seen = mailbox.sent();
            let remote = std::sync::Arc::clone(&mailbox);
            let sender = std::thread::spawn(move || {
                std::thread::sleep(Duration::from_millis(20));
                remote.send(Command::Stop);
            });
            mailbox.wait(Some(Duration::from_secs(10)), seen, |_| false).unwrap();
            assert!(mailbox.has_pending());
            sender.join().unwrap();
        }
    }

    #[test]
    fn one_command_wakes_every_thread_of_a_thread_safe_socket() {
        let mailbox = std::sync::Arc::new(Mailbox::new(true).unwrap());
        let seen = mailbox.sent();
        let waiters: Vec<_> = (0..3)
            .map(|_| {
                let mailbox = std::sync::Arc::clone(&mailbox);
                std::thread::spawn(move || {
                    let start = Instant::now();
                    mailbox.wait(Some(Duration::from_secs(10)), seen, |_| false).unwrap();
                    start.elapsed()
                })
            })
            .collect();
        std::thread::sleep(Duration::from_millis(50));
        // Drained at once, as a socket would: the others must wake all the same.
        mailbox.send(Command::Stop);
        mailbox.drain_into(&mut VecDeque::new());
        for waiter in waiters {
            assert!(waiter.join().unwrap() < Duration::from_secs(5));
        }
    }

    #[test]
    fn a_command_before_the_wait_is_not_slept_through() {
        let mailbox = Mailbox::new(false).unwrap();
        let seen = mailbox.sent();
        mailbox.send(Command::Stop);
        let start = Instant::now();
        mailbox.wait(Some(Duration::from_secs(10)), seen, |_| false).unwrap();
        assert!(start.elapsed() < Duration::from_secs(5));
    }
}
