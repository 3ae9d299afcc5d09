//! How a receiving socket that keeps catching up with a streaming peer lets messages
//! gather before it looks again.
//!
//! A reader that empties its pipes waits for news, and its writer sends one
//! `ActivateRead` for the next message. When the reader wakes at once (it spins
//! first, see `Mailbox::wait`), it takes that one message, empties the pipe again,
//! and the two threads then work on the same few cache lines for every message: a
//! 1-message batch costs more than the message. libzmq avoids this without trying:
//! its reader sleeps in `poll`, and the writer fills the pipe meanwhile.
//!
//! So a socket that received a burst of messages before it had to wait (its peer is
//! streaming) pauses a couple of microseconds once news comes, and then takes a whole
//! batch in one step. A socket that gets one message per wait (request-reply, a
//! ping-pong) never pauses, so its latency is untouched.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use crate::util::duration::saturating_nanos;

/// Messages received between two waits from which the peer counts as streaming.
const STREAMING_BURST: u32 = 8;

/// How long a streaming reader lets messages gather: a few hundred 8-byte messages
/// from an inproc writer, well under libzmq's wake-up time.
const GATHER: Duration = Duration::from_micros(3);

/// Spin rounds between two looks at the clock and offers of the CPU.
const SPIN_ROUNDS: u32 = 64;

/// What a receiving socket knows of its peers' pace.
#[derive(Debug, Default)]
pub(crate) struct ReadPacing {
    /// Parts received since the socket last had to wait.
    since_wait: u32,
}

impl ReadPacing {
    /// A part was received.
    pub fn received(&mut self) {
        self.since_wait = self.since_wait.saturating_add(1);
    }

    /// The socket found nothing to receive and is about to wait: whether, once news
    /// comes, it should let messages [`gather`] first.
    pub fn caught_up(&mut self) -> bool {
        let streaming = self.since_wait >= STREAMING_BURST;
        self.since_wait = 0;
        streaming
    }
}

/// Lets messages gather for a streaming reader, but not past `until` (the call's time
/// limit).
pub(crate) fn gather(until: Option<Instant>) {
    let mut limit = GATHER;
    if let Some(until) = until {
        limit = limit.min(until.saturating_duration_since(Instant::now()));
    }
    spin(limit, || false);
}

/// How long a waiter spins before it sleeps, learnt from how long its waits took.
///
/// Sleeping and being woken costs tens of microseconds on a loaded or virtual
/// machine, which is most of a network round trip's latency. A waiter whose news
/// usually comes within [`MAX_SPIN`] (a peer answering over tcp, the I/O thread
/// delivering a stream) spins for twice the usual wait, and so is not put to sleep
/// at all; one whose waits are longer (an idle socket) spins only the floor, and
/// sleeps at once after it.
///
/// While an I/O thread is saturated, a waiter spins up to [`SATURATED_SPIN`]
/// whatever its usual wait: that thread would be the one to wake it, and a wake-up
/// costs the bottleneck some 10 to 15 µs (see `reactor::workload`). Paired runs of
/// ROUTER-DEALER over tcp: +18%; the other rows within noise (BENCHMARKS.md).
#[derive(Debug)]
pub(crate) struct SpinBudget {
    /// A moving average of the waits that news ended, in nanoseconds (`u64::MAX`
    /// until one is known).
    usual_wait: AtomicU64,
}

/// The least a waiter spins: a peer that answers at once is seen without sleeping.
const MIN_SPIN: Duration = Duration::from_micros(20);

/// The most a waiter spins.
const MAX_SPIN: Duration = Duration::from_micros(200);

/// How long a waiter spins while an I/O thread is saturated: most waits for its
/// deliveries are shorter.
const SATURATED_SPIN: Duration = Duration::from_micros(400);

impl Default for SpinBudget {
    fn default() -> SpinBudget {
        SpinBudget { usual_wait: AtomicU64::new(u64::MAX) }
    }
}

impl SpinBudget {
    /// How long to spin now, `io_saturated` or not.
    pub fn budget(&self, io_saturated: bool) -> Duration {
        if io_saturated {
            return SATURATED_SPIN;
        }
        let usual = self.usual_wait.load(Ordering::Relaxed);
        if usual > saturating_nanos(MAX_SPIN) / 2 {
            return MIN_SPIN;
        }
        Duration::from_nanos(usual.saturating_mul(2)).clamp(MIN_SPIN, MAX_SPIN)
    }

    /// A wait that news ended took `waited`.
    pub fn record(&self, waited: Duration) {
        let sample = saturating_nanos(waited);
        let usual = self.usual_wait.load(Ordering::Relaxed);
        let next =
            if usual == u64::MAX { sample } else { (usual / 4).saturating_mul(3).saturating_add(sample / 4) };
        // Threads of a thread-safe socket may race here; any of their averages will do.
        self.usual_wait.store(next, Ordering::Relaxed);
    }
}

/// Spins until `done` says so (then `true`) or `limit` passes (`false`). The clock is
/// read, and the CPU offered to another thread (a peer on the same CPU may need it to
/// make any progress at all), every [`SPIN_ROUNDS`] rounds.
pub(crate) fn spin(limit: Duration, mut done: impl FnMut() -> bool) -> bool {
    let start = Instant::now();
    let mut rounds = 0u32;
    while !rounds.is_multiple_of(SPIN_ROUNDS) || start.elapsed() < limit {
        if done() {
            return true;
        }
        rounds = rounds.wrapping_add(1);
        if rounds.is_multiple_of(SPIN_ROUNDS) {
            std::thread::yield_now();
        } else {
            std::hint::spin_loop();
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_burst_before_the_wait_counts_as_streaming() {
        let mut pacing = ReadPacing::default();
        pacing.received();
        assert!(!pacing.caught_up(), "one message per wait: a ping-pong");
        for _ in 0..STREAMING_BURST {
            pacing.received();
        }
        assert!(pacing.caught_up());
        assert!(!pacing.caught_up(), "nothing came between two waits");
    }

    #[test]
    fn gathering_pauses_but_not_past_the_time_limit() {
        let start = Instant::now();
        gather(None);
        assert!(start.elapsed() >= GATHER);
        let start = Instant::now();
        gather(Some(start));
        assert!(start.elapsed() < Duration::from_secs(1), "bounded by the call's limit");
    }

    #[test]
    fn the_spin_follows_waits_that_a_spin_can_catch() {
        let budget = SpinBudget::default();
        assert_eq!(budget.budget(false), MIN_SPIN, "nothing known yet");
        for _ in 0..16 {
            budget.record(Duration::from_micros(60));
        }
        assert_eq!(budget.budget(false), Duration::from_micros(120), "twice the usual wait");
        for _ in 0..16 {
            budget.record(Duration::from_micros(5));
        }
        assert_eq!(budget.budget(false), MIN_SPIN, "never below the floor");
        for _ in 0..16 {
            budget.record(Duration::from_millis(50));
        }
        assert_eq!(budget.budget(false), MIN_SPIN, "waits too long to catch: sleep soon");
        assert_eq!(budget.budget(true), SATURATED_SPIN, "but not while an I/O thread is saturated");
    }

    #[test]
    fn spin_stops_when_done_or_at_the_limit() {
        let mut calls = 0;
        assert!(spin(Duration::from_secs(60), || {
            calls += 1;
            calls == 100
        }));
        let start = Instant::now();
        assert!(!spin(Duration::from_millis(2), || false));
        assert!(start.elapsed() >= Duration::from_millis(2));
    }
}
