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

use std::time::{Duration, Instant};

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
