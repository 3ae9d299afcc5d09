//! Transports: endpoint parsing, and the addresses and socket set-up of tcp, ipc,
//! udp and ws (the I/O itself is `crate::session`'s). inproc needs no transport code: its
//! pipes are made by the context (`ctx::inproc`).

pub mod endpoint;
pub mod ip;
pub mod ipc;
pub mod ipc_filter;
pub mod lookup;
pub mod socks;
pub mod tcp;
pub mod udp;
pub mod ws;

use std::os::fd::RawFd;

use crate::error::Errno;

/// A connect attempt that failed at once: why, and the descriptor it had opened for
/// the attempt (closed since), which libzmq's monitor reports as `ZMQ_EVENT_CLOSED`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConnectFailed {
    pub errno: Errno,
    pub fd: Option<RawFd>,
}

impl From<Errno> for ConnectFailed {
    /// A failure before any descriptor was opened (a bad address, no descriptors).
    fn from(errno: Errno) -> ConnectFailed {
        ConnectFailed { errno, fd: None }
    }
}

impl From<std::io::Error> for ConnectFailed {
    fn from(error: std::io::Error) -> ConnectFailed {
        ConnectFailed::from(Errno::from(error))
    }
}
