//! Heartbeats (ZMTP 3.1 "Connection Heartbeating", spec 37), with libzmq's timers:
//!
//! - every `ZMQ_HEARTBEAT_IVL` once the handshake is done, send a PING carrying our
//!   `ZMQ_HEARTBEAT_TTL` in deciseconds;
//! - when a PING goes out and no timeout is pending, expect *some* traffic within
//!   `ZMQ_HEARTBEAT_TIMEOUT` (default: the interval);
//! - when a PING with a non-zero TTL comes in and no TTL timer is pending, expect some
//!   traffic within that TTL;
//! - any frame received after the handshake clears both expectations.

use std::time::{Duration, Instant};

use super::command;
use super::error::ProtocolError;

/// Heartbeat timers of one connection.
#[derive(Debug)]
pub(crate) struct Heartbeat {
    interval: Option<Duration>,
    timeout: Option<Duration>,
    /// Deciseconds, as sent in our PINGs.
    ttl: u16,
    next_ping: Option<Instant>,
    timeout_at: Option<Instant>,
    ttl_at: Option<Instant>,
}

impl Heartbeat {
    /// Zero durations mean "off". The timeout applies only with an interval, as in
    /// libzmq; the TTL is rounded down to deciseconds and capped at 6553.5 s.
    pub(crate) fn new(interval: Option<Duration>, timeout: Option<Duration>, ttl: Option<Duration>) -> Self {
        let interval = interval.filter(|d| !d.is_zero());
        let timeout = interval.and(timeout.or(interval)).filter(|d| !d.is_zero());
        let ttl = ttl.map_or(0, |d| u16::try_from(d.as_millis() / 100).unwrap_or(u16::MAX));
        Heartbeat { interval, timeout, ttl, next_ping: None, timeout_at: None, ttl_at: None }
    }

    /// The handshake is done: start sending PINGs.
    pub(crate) fn start(&mut self, now: Instant) {
        self.next_ping = self.interval.and_then(|interval| now.checked_add(interval));
    }

    /// A frame arrived: the peer is alive.
    pub(crate) fn traffic(&mut self) {
        self.timeout_at = None;
        self.ttl_at = None;
    }

    /// The peer's PING asks us to give up after `ttl` deciseconds without traffic.
    /// (libzmq computes the milliseconds in 16 bits, which wraps above 65.5 s; we do
    /// not reproduce that.)
    pub(crate) fn ping_received(&mut self, ttl: u16, now: Instant) {
        if self.ttl_at.is_none() && ttl > 0 {
            self.ttl_at = now.checked_add(Duration::from_millis(u64::from(ttl) * 100));
        }
    }

    /// Checks the timers: an error when the peer is presumed dead, else the body of a
    /// PING to send if one is due.
    pub(crate) fn poll(&mut self, now: Instant) -> Result<Option<[u8; 7]>, ProtocolError> {
        if self.ttl_at.is_some_and(|at| at <= now) {
            return Err(ProtocolError::HeartbeatTtlExpired);
        }
        if self.timeout_at.is_some_and(|at| at <= now) {
            return Err(ProtocolError::HeartbeatTimeout);
        }
        if self.next_ping.is_none_or(|at| at > now) {
            return Ok(None);
        }
        self.next_ping = self.interval.and_then(|interval| now.checked_add(interval));
        if self.timeout_at.is_none() {
            self.timeout_at = self.timeout.and_then(|timeout| now.checked_add(timeout));
        }
        Ok(Some(command::ping(self.ttl)))
    }

    /// The earliest pending deadline.
    pub(crate) fn next_deadline(&self) -> Option<Instant> {
        [self.next_ping, self.timeout_at, self.ttl_at].into_iter().flatten().min()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: Duration = Duration::from_millis(1);

    #[test]
    fn pings_every_interval_and_times_out_without_traffic() {
        let start = Instant::now();
        let mut heartbeat = Heartbeat::new(Some(100 * MS), Some(50 * MS), Some(2500 * MS));
        assert_eq!(heartbeat.next_deadline(), None);
        heartbeat.start(start);
        assert_eq!(heartbeat.next_deadline(), Some(start + 100 * MS));
        assert_eq!(heartbeat.poll(start + 99 * MS), Ok(None));
        assert_eq!(heartbeat.poll(start + 100 * MS), Ok(Some(*b"\x04PING\x00\x19")));
        assert_eq!(heartbeat.next_deadline(), Some(start + 150 * MS));
        heartbeat.traffic();
        assert_eq!(heartbeat.next_deadline(), Some(start + 200 * MS));
        assert!(heartbeat.poll(start + 200 * MS).unwrap().is_some());
        assert_eq!(heartbeat.poll(start + 250 * MS), Err(ProtocolError::HeartbeatTimeout));
    }

    #[test]
    fn timeout_defaults_to_the_interval_and_zero_disables() {
        let start = Instant::now();
        let mut heartbeat = Heartbeat::new(Some(100 * MS), None, None);
        heartbeat.start(start);
        assert_eq!(heartbeat.poll(start + 100 * MS), Ok(Some(*b"\x04PING\x00\x00")));
        assert_eq!(heartbeat.next_deadline(), Some(start + 200 * MS));
        assert_eq!(heartbeat.poll(start + 200 * MS), Err(ProtocolError::HeartbeatTimeout));

        let mut heartbeat = Heartbeat::new(Some(100 * MS), Some(Duration::ZERO), None);
        heartbeat.start(start);
        assert!(heartbeat.poll(start + 100 * MS).unwrap().is_some());
        assert!(heartbeat.poll(start + 200 * MS).unwrap().is_some());

        let mut heartbeat = Heartbeat::new(None, Some(100 * MS), Some(Duration::MAX));
        heartbeat.start(start);
        assert_eq!(heartbeat.next_deadline(), None);
        assert_eq!(heartbeat.ttl, u16::MAX);
    }

    #[test]
    fn peer_ttl_expires_without_traffic() {
        let start = Instant::now();
        let mut heartbeat = Heartbeat::new(None, None, None);
        heartbeat.ping_received(0, start);
        assert_eq!(heartbeat.next_deadline(), None);
        heartbeat.ping_received(3, start);
        heartbeat.ping_received(50, start + 10 * MS); // already armed: kept
        assert_eq!(heartbeat.next_deadline(), Some(start + 300 * MS));
        assert_eq!(heartbeat.poll(start + 299 * MS), Ok(None));
        assert_eq!(heartbeat.poll(start + 300 * MS), Err(ProtocolError::HeartbeatTtlExpired));
        heartbeat.traffic();
        assert_eq!(heartbeat.poll(start + 300 * MS), Ok(None));
    }

    #[test]
    fn far_deadlines_do_not_overflow() {
        let start = Instant::now();
        let mut heartbeat = Heartbeat::new(Some(Duration::MAX), None, None);
        heartbeat.start(start);
        assert_eq!(heartbeat.poll(start), Ok(None));
    }
}
