//! Name lookups off the I/O thread.
//!
//! A connect endpoint may name its host (`tcp://broker.example:5555`), and the name is
//! looked up again at every attempt, as libzmq does. `getaddrinfo` blocks, for as long
//! as the resolver takes: up to tens of seconds when a DNS server does not answer.
//! libzmq calls it on its I/O thread, so every connection that thread serves stalls
//! meanwhile (libzmq issue #2961). Here the lookup runs on a thread of its own, and
//! the session that asked is woken on its I/O thread when it is done. Numeric
//! addresses, the common case, never get here.

use std::sync::Arc;
use std::thread::JoinHandle;

use parking_lot::Mutex;

/// A blocking piece of work (a name lookup) run on a thread of its own.
#[derive(Debug)]
pub struct Lookup<T> {
    outcome: Arc<Mutex<Option<T>>>,
}

impl<T: Send + 'static> Lookup<T> {
    /// Runs `work` on a new thread, then `done` (which wakes whoever waits, on its own
    /// thread); the thread is returned, for its I/O thread to join when it ends (as
    /// libzmq's context termination waits for an I/O thread stuck in a lookup). When
    /// no thread can be started, `work` runs here and now, and the outcome is ready
    /// on return, `done` not called.
    pub fn start(
        work: impl FnOnce() -> T + Send + 'static,
        done: impl FnOnce() + Send + 'static,
    ) -> (Lookup<T>, Option<JoinHandle<()>>) {
        let outcome = Arc::new(Mutex::new(None));
        let theirs = Arc::clone(&outcome);
        // Shared, so that it is still here to run should the thread not start (a
        // failed spawn drops the closure it was given).
        let work = Arc::new(Mutex::new(Some(work)));
        let their_work = Arc::clone(&work);
        let spawned = std::thread::Builder::new().name("ZMQbg/lookup".into()).spawn(move || {
            if let Some(work) = their_work.lock().take() {
                *theirs.lock() = Some(work());
                done();
            }
        });
        if spawned.is_err() {
            if let Some(work) = work.lock().take() {
                *outcome.lock() = Some(work());
            }
        }
        (Lookup { outcome }, spawned.ok())
    }

    /// The outcome, once the work is done (taken: a second call is `None`).
    pub fn outcome(&self) -> Option<T> {
        self.outcome.lock().take()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;
    use std::time::{Duration, Instant};

    #[test]
    fn slow_work_runs_elsewhere_and_says_when_it_is_done() {
        let (done, finished) = mpsc::channel();
        let start = Instant::now();
        let (lookup, thread) = Lookup::start(
            || {
                std::thread::sleep(Duration::from_millis(200));
                42
            },
            move || done.send(()).unwrap(),
        );
        assert!(start.elapsed() < Duration::from_millis(150), "start did not wait for the work");
        assert_eq!(lookup.outcome(), None);
        finished.recv_timeout(Duration::from_secs(10)).unwrap();
        assert_eq!(lookup.outcome(), Some(42));
        assert_eq!(lookup.outcome(), None, "taken once");
        thread.expect("a thread of its own").join().unwrap();
    }
}
