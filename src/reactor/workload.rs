//! Whether an I/O thread is saturated: it has worked round after round, each ending
//! with more work already queued, so that it never once could have slept.
//!
//! Application threads read this before they sleep. A sleeping thread is woken by the
//! I/O thread that delivers its message, and a wake-up costs the waker the kernel's
//! wake-up and an interrupt to the sleeper's CPU: some 10 to 15 µs on a virtual
//! machine (BENCHMARKS.md, seventh session). While the I/O thread has time to spare
//! that costs nobody anything; while it is saturated it is the bottleneck, and every
//! wake-up is taken from everyone's throughput. So waiting sockets then spin longer
//! before they sleep (`socket::pacing`).

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use crate::util::duration::saturating_nanos;

/// How long an I/O thread must have worked without a chance to sleep to count as
/// saturated: a few of its rounds under load.
const SATURATED_AFTER: Duration = Duration::from_micros(300);

/// The stored value while the thread is in a poll that may sleep.
const MAY_SLEEP: u64 = u64::MAX;

/// One I/O thread's workload, written by the thread and read by application threads.
#[derive(Debug)]
pub struct Workload {
    origin: Instant,
    /// When the thread last came back from a poll that could have slept, in
    /// nanoseconds since `origin`; [`MAY_SLEEP`] while it is in such a poll.
    working_since: AtomicU64,
}

impl Default for Workload {
    fn default() -> Workload {
        Workload { origin: Instant::now(), working_since: AtomicU64::new(MAY_SLEEP) }
    }
}

impl Workload {
    /// The thread found no work queued and polls, perhaps to sleep.
    pub fn may_sleep(&self) {
        self.working_since.store(MAY_SLEEP, Ordering::Relaxed);
    }

    /// The thread came back from that poll at `now`.
    pub fn working_from(&self, now: Instant) {
        self.working_since.store(self.nanos(now).min(MAY_SLEEP - 1), Ordering::Relaxed);
    }

    /// Whether, at `now`, the thread has been working for [`SATURATED_AFTER`] without
    /// a chance to sleep.
    pub fn saturated(&self, now: Instant) -> bool {
        let since = self.working_since.load(Ordering::Relaxed);
        since != MAY_SLEEP && self.nanos(now).saturating_sub(since) > saturating_nanos(SATURATED_AFTER)
    }

    fn nanos(&self, at: Instant) -> u64 {
        saturating_nanos(at.saturating_duration_since(self.origin))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_long_stretch_of_work_saturates() {
        let workload = Workload::default();
        let start = Instant::now();
        assert!(!workload.saturated(start + Duration::from_secs(1)), "never polled yet");
        workload.working_from(start);
        assert!(!workload.saturated(start + SATURATED_AFTER / 2));
        assert!(workload.saturated(start + SATURATED_AFTER * 2));
        workload.may_sleep();
        assert!(
            !workload.saturated(start + Duration::from_secs(1)),
            "a thread that may sleep has time to spare"
        );
        workload.working_from(start + Duration::from_secs(1));
        assert!(!workload.saturated(start + Duration::from_secs(1)), "a new stretch starts afresh");
    }
}
