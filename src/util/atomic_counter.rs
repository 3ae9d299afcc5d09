//! Thread-safe counter of the public API.
//! libzmq: `atomic_counter.hpp`, `zmq_utils.cpp` (`zmq_atomic_counter_*`).

use std::sync::atomic::{AtomicI32, Ordering};

/// An `i32` counter shared between threads; arithmetic wraps like libzmq's.
#[derive(Debug, Default)]
pub struct AtomicCounter {
    value: AtomicI32,
}

impl AtomicCounter {
    /// A counter starting at zero.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the counter to `value`.
    pub fn set(&self, value: i32) {
        self.value.store(value, Ordering::SeqCst);
    }

    /// Increments the counter and returns its value *before* the increment.
    pub fn inc(&self) -> i32 {
        self.value.fetch_add(1, Ordering::AcqRel)
    }

    /// Decrements the counter; returns 0 if it is now exactly zero, else 1.
    ///
    /// libzmq's documentation says "1 if greater than zero", but the code
    /// tests `!= 0`, so decrementing from 0 (to -1) also returns 1.
    pub fn dec(&self) -> i32 {
        let old = self.value.fetch_sub(1, Ordering::AcqRel);
        i32::from(old.wrapping_sub(1) != 0)
    }

    /// The current value.
    pub fn value(&self) -> i32 {
        self.value.load(Ordering::SeqCst)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::thread;

    #[test]
    fn documented_example() {
        let counter = AtomicCounter::new();
        assert_eq!(counter.value(), 0);
        assert_eq!(counter.inc(), 0);
        assert_eq!(counter.inc(), 1);
        assert_eq!(counter.inc(), 2);
        assert_eq!(counter.value(), 3);
        assert_eq!(counter.dec(), 1);
        assert_eq!(counter.dec(), 1);
        assert_eq!(counter.dec(), 0);
        counter.set(2);
        assert_eq!(counter.dec(), 1);
        assert_eq!(counter.dec(), 0);
        assert_eq!(counter.value(), 0);
    }

    #[test]
    fn dec_below_zero_returns_one() {
        // Verified against the system libzmq.
        let counter = AtomicCounter::new();
        assert_eq!(counter.dec(), 1);
        assert_eq!(counter.value(), -1);
        assert_eq!(counter.dec(), 1);
        assert_eq!(counter.value(), -2);
        counter.set(1);
        assert_eq!(counter.dec(), 0);
    }

    #[test]
    fn inc_from_negative_returns_old_value() {
        let counter = AtomicCounter::new();
        counter.set(-1);
        assert_eq!(counter.inc(), -1);
        assert_eq!(counter.value(), 0);
    }

    #[test]
    fn arithmetic_wraps() {
        let counter = AtomicCounter::new();
        counter.set(i32::MAX);
        assert_eq!(counter.inc(), i32::MAX);
        assert_eq!(counter.value(), i32::MIN);
        assert_eq!(counter.dec(), 1);
        assert_eq!(counter.value(), i32::MAX);
    }

    #[test]
    fn four_threads() {
        const PER_THREAD: i32 = 10_000;
        let counter = Arc::new(AtomicCounter::new());
        let incrementers: Vec<_> = (0..4)
            .map(|_| {
                let counter = Arc::clone(&counter);
                thread::spawn(move || {
                    let mut olds = Vec::with_capacity(PER_THREAD as usize);
                    for _ in 0..PER_THREAD {
                        olds.push(counter.inc());
                    }
                    olds
                })
            })
            .collect();
        let mut olds: Vec<i32> = incrementers.into_iter().flat_map(|h| h.join().expect("thread")).collect();
        assert_eq!(counter.value(), 4 * PER_THREAD);
        // Each old value is handed out exactly once.
        olds.sort_unstable();
        assert!(olds.iter().copied().eq(0..4 * PER_THREAD));

        let decrementers: Vec<_> = (0..4)
            .map(|_| {
                let counter = Arc::clone(&counter);
                thread::spawn(move || (0..PER_THREAD).filter(|_| counter.dec() == 0).count())
            })
            .collect();
        let zeros: usize = decrementers.into_iter().map(|h| h.join().expect("thread")).sum();
        assert_eq!(counter.value(), 0);
        // Only the decrement that reached zero reports 0.
        assert_eq!(zeros, 1);
    }
}
