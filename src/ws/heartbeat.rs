//! Heartbeats over ZWS, as libzmq's `ws_engine` keeps them: once the handshake is
//! done, a ping control frame (empty) every `ZMQ_HEARTBEAT_IVL`; after sending one,
//! if no expectation is pending, the peer must send something within
//! `ZMQ_HEARTBEAT_TIMEOUT` (the interval by default; never for 0). Pings are
//! answered with empty pongs. `ZMQ_HEARTBEAT_TTL` has no counterpart: WebSocket
//! pings carry none.

use std::time::{Duration, Instant};

use crate::zmtp::ProtocolError;

#[derive(Debug)]
pub(crate) struct Heartbeat {
    interval: Option<Duration>,
    timeout: Option<Duration>,
    next_ping: Option<Instant>,
    timeout_at: Option<Instant>,
}

impl Heartbeat {
    /// Zero or absent durations mean "off"; the timeout applies only with an
    /// interval, and is the interval when absent.
    pub(crate) fn new(interval: Option<Duration>, timeout: Option<Duration>) -> Heartbeat {
        let interval = interval.filter(|ivl| !ivl.is_zero());
        let timeout = interval.and(timeout.or(interval)).filter(|timeout| !timeout.is_zero());
        Heartbeat { interval, timeout, next_ping: None, timeout_at: None }
    }

    /// The handshake is done: pings start (once).
    pub(crate) fn start(&mut self, now: Instant) {
        if self.next_ping.is_none() {
            self.next_ping = self.interval.and_then(|interval| now.checked_add(interval));
        }
    }

    /// Something arrived: the peer is alive.
    pub(crate) fn traffic(&mut self) {
        self.timeout_at = None;
    }

    /// Checks the timers: an error when the peer is presumed dead, else whether a
    /// ping is due now.
    pub(crate) fn poll(&mut self, now: Instant) -> Result<bool, ProtocolError> {
        if self.timeout_at.is_some_and(|at| at <= now) {
            return Err(ProtocolError::HeartbeatTimeout);
        }
        if self.next_ping.is_none_or(|at| at > now) {
            return Ok(false);
        }
        self.next_ping = self.interval.and_then(|interval| now.checked_add(interval));
        if self.timeout_at.is_none() {
            self.timeout_at = self.timeout.and_then(|timeout| now.checked_add(timeout));
        }
        Ok(true)
    }

    /// The earliest pending deadline.
    pub(crate) fn next_deadline(&self) -> Option<Instant> {
        [self.next_ping, self.timeout_at].into_iter().flatten().min()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: Duration = Duration::from_millis(1);

    #[test]
    fn pings_then_a_timeout_unless_something_arrives() {
        let start = Instant::now();
        let mut heartbeat = Heartbeat::new(Some(10 * MS), Some(25 * MS));
        assert_eq!(heartbeat.next_deadline(), None, "nothing before the handshake");
        heartbeat.start(start);
        assert_eq!(heartbeat.poll(start + 5 * MS), Ok(false));
        assert_eq!(heartbeat.poll(start + 10 * MS), Ok(true));
        assert_eq!(heartbeat.next_deadline(), Some(start + 20 * MS));
        assert_eq!(heartbeat.poll(start + 20 * MS), Ok(true));
        heartbeat.traffic();
        assert_eq!(heartbeat.poll(start + 30 * MS), Ok(true));
        assert_eq!(heartbeat.poll(start + 55 * MS), Err(ProtocolError::HeartbeatTimeout));
    }

    #[test]
    fn off_and_defaults() {
        let start = Instant::now();
        let mut off = Heartbeat::new(None, Some(MS));
        off.start(start);
        assert_eq!(off.next_deadline(), None);
        let mut default_timeout = Heartbeat::new(Some(10 * MS), None);
        default_timeout.start(start);
        assert_eq!(default_timeout.poll(start + 10 * MS), Ok(true));
        assert_eq!(default_timeout.next_deadline(), Some(start + 20 * MS));
        let mut never = Heartbeat::new(Some(10 * MS), Some(Duration::ZERO));
        never.start(start);
        assert_eq!(never.poll(start + 10 * MS), Ok(true));
        assert_eq!(never.poll(start + 1000 * MS), Ok(true));
    }
}
