//! Hostile peers: raw TCP (and UDP) clients and servers written here, speaking
//! hand-made ZMTP, that reproduce the shape of every published libzmq advisory and
//! of the resource attacks users report. Each test shows two things: the process
//! stays intact (no panic, abort, hang or unbounded growth), and a good peer is still
//! served through the same socket afterwards.
//!
//! | module      | shape                                                              |
//! |-------------|--------------------------------------------------------------------|
//! | `decoder`   | CVE-2019-6250 (frame sizes near 2^64), CVE-2020-36400 (read        |
//! |             | buffer edges, bursts, partial frames), CVE-2021-20235 (ZMTP 1.0)   |
//! | `curve`     | CVE-2019-13132 (INITIATE metadata), CVE-2020-15166 (raw flood of   |
//! |             | a CURVE server with ZAP)                                           |
//! | `client`    | CVE-2021-20234 (a malicious server against DEALER/SUB clients)     |
//! | `pubsub`    | CVE-2021-20236 (huge and many topics), CVE-2021-20237 (metadata    |
//! |             | per peer), peers that stop reading                                 |
//! | `z85`       | OSV-2020-1655 (Z85 over-read) through the C ABI                    |
//! | `resources` | fd exhaustion at accept, connect/disconnect cycles                 |
//! | `udp`       | malformed datagrams for a DISH                                     |
//!
//! Memory is judged by the process's VmRSS and descriptors by /proc/self/fd, so the
//! tests of this file run one at a time (see [`serial`]); the fd-exhaustion test
//! runs in a child process of its own. Loopback only; every wait is bounded.

#[path = "../engine/mod.rs"]
mod engine;

pub use engine::wait_until;

mod client;
mod curve;
mod decoder;
mod pubsub;
mod resources;
mod udp;
mod wire;
mod z85;

use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

/// Serialises the tests of this binary: each measures the whole process.
pub fn serial() -> MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    LOCK.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The process's resident set size (VmRSS), in KiB.
pub fn rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("read /proc/self/status");
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("a VmRSS line")
}

/// How many descriptors the process has open.
pub fn open_fds() -> usize {
    std::fs::read_dir("/proc/self/fd").expect("read /proc/self/fd").count()
}

/// `host:port` of a `tcp://host:port` endpoint.
pub fn tcp_address(endpoint: &str) -> String {
    endpoint.trim_start_matches("tcp://").to_owned()
}

/// Growth of the resident set since `baseline` (KiB), never negative.
pub fn rss_growth_since(baseline: u64) -> u64 {
    rss_kib().saturating_sub(baseline)
}

/// The descriptors open now, once the count settles at or below `at_most` (the
/// I/O threads close what hostile peers left asynchronously); the last count seen
/// after `timeout` otherwise.
pub fn fds_settle(at_most: usize, timeout: Duration) -> usize {
    let mut now = open_fds();
    wait_until(timeout, || {
        now = open_fds();
        now <= at_most
    });
    now
}
