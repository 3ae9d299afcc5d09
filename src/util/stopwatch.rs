//! Monotonic stopwatch of the public API.
//! libzmq: `zmq_utils.cpp` (`zmq_stopwatch_*`), `clock.cpp` (`now_us`).

use std::time::Instant;

/// A started stopwatch; reads elapsed microseconds on a monotonic clock.
#[derive(Debug, Clone, Copy)]
pub struct Stopwatch {
    started: Instant,
}

impl Stopwatch {
    /// Starts a stopwatch now.
    pub fn start() -> Self {
        Self { started: Instant::now() }
    }

    /// Microseconds since [`Stopwatch::start`] (saturating at `u64::MAX`).
    ///
    /// The C wrapper truncates this to `unsigned long`, as libzmq does.
    pub fn elapsed_micros(&self) -> u64 {
        u64::try_from(self.started.elapsed().as_micros()).unwrap_or(u64::MAX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::thread;
    use std::time::Duration;

    #[test]
    fn measures_a_sleep() {
        let watch = Stopwatch::start();
        thread::sleep(Duration::from_millis(20));
        let elapsed = watch.elapsed_micros();
        assert!(elapsed >= 20_000, "elapsed {elapsed}");
        assert!(elapsed < 20_000_000, "elapsed {elapsed}");
    }

    #[test]
    fn is_monotonic() {
        let watch = Stopwatch::start();
        let mut last = watch.elapsed_micros();
        for _ in 0..1000 {
            let now = watch.elapsed_micros();
            assert!(now >= last);
            last = now;
        }
    }

    #[test]
    fn copies_share_the_start() {
        let watch = Stopwatch::start();
        thread::sleep(Duration::from_millis(2));
        let copy = watch;
        assert!(copy.elapsed_micros() >= 2_000);
    }
}
