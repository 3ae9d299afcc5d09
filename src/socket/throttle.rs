//! How often a sending socket takes its commands in: at most once a millisecond while
//! it sends without having to wait, as libzmq's `process_commands (0, true)` does
//! (`max_command_delay`: 3 000 000 CPU ticks, about a millisecond). Observable: room
//! in a pipe, new pipes and `ETERM` reach a `ZMQ_DONTWAIT` send loop up to a
//! millisecond late, as they do with libzmq (`test_router_mandatory_hwm` counts on it).
//! A send that has to wait takes its commands in at once.

/// When commands were last taken in by a send.
#[derive(Debug, Default)]
pub(crate) struct CommandThrottle {
    last: u64,
}

impl CommandThrottle {
    /// Whether a send may take its commands in now (and, if so, it counts as done).
    pub fn due(&mut self) -> bool {
        let now = ticks();
        // A clock that went backwards (another CPU's counter) lets the commands in.
        if now >= self.last && now - self.last <= MAX_DELAY {
            return false;
        }
        self.last = now;
        true
    }
}

#[cfg(target_arch = "x86_64")]
const MAX_DELAY: u64 = 3_000_000;

/// The CPU's time-stamp counter: a few cycles, no system call.
#[cfg(target_arch = "x86_64")]
fn ticks() -> u64 {
    // SAFETY: RDTSC reads a counter; it has no preconditions on x86_64.
    unsafe { core::arch::x86_64::_rdtsc() }
}

#[cfg(not(target_arch = "x86_64"))]
const MAX_DELAY: u64 = 1_000_000;

/// Nanoseconds on the monotonic clock, where there is no cheap counter.
#[cfg(not(target_arch = "x86_64"))]
fn ticks() -> u64 {
    static START: once_cell::sync::Lazy<std::time::Instant> =
        once_cell::sync::Lazy::new(std::time::Instant::now);
    crate::util::duration::saturating_nanos(START.elapsed())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lets_commands_in_at_most_once_a_millisecond() {
        let mut throttle = CommandThrottle::default();
        assert!(throttle.due(), "the first time");
        assert!(!throttle.due(), "at once again");
        std::thread::sleep(std::time::Duration::from_millis(5));
        assert!(throttle.due(), "after a few milliseconds");
    }
}
