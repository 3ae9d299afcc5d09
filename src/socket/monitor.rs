//! zmq_socket_monitor(3): events about a socket's endpoints and connections, sent as
//! messages on an inproc socket (PAIR, PUB or PUSH) the application connects to.
//! libzmq: `socket_base_t::monitor`, `socket_base_t::monitor_event`.
//!
//! Events come from the socket's own thread (bind, unbind, close) and from the I/O
//! threads (connections), so the monitor socket is used under a lock. It never
//! blocks: the monitor socket has no high-water mark, so no event is lost while the
//! application reads them; before anyone has connected to it, events are dropped
//! (where libzmq blocks the thread that emits them until someone does).

use core::ffi::c_int;
use std::sync::atomic::{AtomicU64, Ordering};

use parking_lot::Mutex;

use super::Socket;
use crate::constants::*;
use crate::ctx::Context;
use crate::error::{Errno, Result};
use crate::msg::Msg;
use crate::transport::endpoint::{self, Transport};

/// The two ends of a connection or endpoint, as events name them (libzmq's
/// `endpoint_uri_pair_t`). Version 1 events carry one name: the local one for what
/// was bound, the remote one for what was connected.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Endpoints {
    pub local: String,
    pub remote: String,
    pub bound: bool,
}

impl Endpoints {
    /// A bound endpoint, or a connection accepted on one.
    pub fn bound(local: impl Into<String>, remote: impl Into<String>) -> Endpoints {
        Endpoints { local: local.into(), remote: remote.into(), bound: true }
    }

    /// A connected endpoint, or a connection made to one.
    pub fn connected(local: impl Into<String>, remote: impl Into<String>) -> Endpoints {
        Endpoints { local: local.into(), remote: remote.into(), bound: false }
    }

    fn identifier(&self) -> &str {
        if self.bound {
            &self.local
        } else {
            &self.remote
        }
    }
}

/// The messages of one event in the format of `version`: (1) a 6-byte frame of
/// the 16-bit event and the 32-bit value, then the endpoint; (2) the 64-bit event,
/// the number of values, each value, then the local and the remote endpoint. All
/// numbers in native byte order, as libzmq writes them. Other versions send nothing.
pub fn encode(version: c_int, event: u64, values: &[u64], endpoints: &Endpoints) -> Vec<Msg> {
    let mut parts = Vec::new();
    match version {
        1 => {
            let mut first = Vec::with_capacity(6);
            first.extend_from_slice(&(event as u16).to_ne_bytes());
            first.extend_from_slice(&(values.first().copied().unwrap_or(0) as u32).to_ne_bytes());
            parts.push(Msg::from_vec(first));
            parts.push(Msg::from_vec(endpoints.identifier().as_bytes().to_vec()));
        }
        2 => {
            parts.push(Msg::from_vec(event.to_ne_bytes().to_vec()));
            parts.push(Msg::from_vec((values.len() as u64).to_ne_bytes().to_vec()));
            parts.extend(values.iter().map(|value| Msg::from_vec(value.to_ne_bytes().to_vec())));
            parts.push(Msg::from_vec(endpoints.local.as_bytes().to_vec()));
            parts.push(Msg::from_vec(endpoints.remote.as_bytes().to_vec()));
        }
        _ => {}
    }
    let last = parts.len().saturating_sub(1);
    for (index, part) in parts.iter_mut().enumerate() {
        part.set_more(index != last);
    }
    parts
}

#[derive(Debug)]
struct Active {
    socket: Socket,
    version: c_int,
}

/// A socket's monitor: off until started.
#[derive(Debug, Default)]
pub struct Monitor {
    active: Mutex<Option<Active>>,
    /// The events asked for; 0 when off. Read without the lock, so that an event
    /// nobody wants costs one load.
    events: AtomicU64,
}

impl Monitor {
    /// Whether `event` would be sent.
    pub fn wants(&self, event: c_int) -> bool {
        self.events.load(Ordering::Relaxed) & event as u64 != 0
    }

    /// Sends `event` with one value, if it is wanted.
    pub fn emit(&self, event: c_int, value: u64, endpoints: &Endpoints) {
        self.emit_values(event, &[value], endpoints);
    }

    /// Sends `event` with its values, if it is wanted.
    pub fn emit_values(&self, event: c_int, values: &[u64], endpoints: &Endpoints) {
        if !self.wants(event) {
            return;
        }
        let active = self.active.lock();
        let Some(active) = active.as_ref() else { return };
        send(active, event as u64, values, endpoints);
    }

    /// Starts monitoring, in libzmq's order of checks: only inproc endpoints
    /// (`EPROTONOSUPPORT`); only PAIR, PUB and PUSH monitor sockets (`EINVAL`). A
    /// monitor already running is stopped first (it sends MONITOR_STOPPED).
    pub fn start(
        &self,
        context: &Context,
        uri: &str,
        events: u64,
        version: c_int,
        socket_type: c_int,
    ) -> Result<()> {
        let parsed = endpoint::parse(uri, ZMQ_PAIR)?;
        if parsed.transport != Transport::Inproc {
            return Err(Errno::EPROTONOSUPPORT);
        }
        self.stop();
        if !matches!(socket_type, ZMQ_PAIR | ZMQ_PUB | ZMQ_PUSH) {
            return Err(Errno::EINVAL);
        }
        let socket = Socket::new(context, socket_type)?;
        let configured = [(ZMQ_LINGER, 0), (ZMQ_SNDHWM, 0)]
            .iter()
            .try_for_each(|&(option, value)| socket.set_option(option, Some(&c_int::to_ne_bytes(value))))
            .and_then(|()| socket.bind(uri));
        if let Err(error) = configured {
            socket.close();
            return Err(error);
        }
        *self.active.lock() = Some(Active { socket, version });
        self.events.store(events, Ordering::Relaxed);
        Ok(())
    }

    /// Stops monitoring, sending MONITOR_STOPPED first if it is wanted.
    pub fn stop(&self) {
        let mut active = self.active.lock();
        let events = self.events.swap(0, Ordering::Relaxed);
        let Some(stopped) = active.take() else { return };
        if events & ZMQ_EVENT_MONITOR_STOPPED as u64 != 0 {
            send(&stopped, ZMQ_EVENT_MONITOR_STOPPED as u64, &[0], &Endpoints::default());
        }
        stopped.socket.close();
    }
}

/// Sends an event's parts without waiting; a part that cannot go now (no one
/// connected yet) ends the attempt, and a message is all or nothing.
fn send(active: &Active, event: u64, values: &[u64], endpoints: &Endpoints) {
    for mut part in encode(active.version, event, values, endpoints) {
        let more = part.more();
        let flags = ZMQ_DONTWAIT | if more { ZMQ_SNDMORE } else { 0 };
        if active.socket.send(&mut part, flags).is_err() {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_1_is_libzmqs_two_frames() {
        let parts = encode(1, 0x0008, &[7], &Endpoints::bound("tcp://127.0.0.1:5555", "ignored"));
        assert_eq!(parts.len(), 2);
        let mut first = 8u16.to_ne_bytes().to_vec();
        first.extend_from_slice(&7u32.to_ne_bytes());
        assert_eq!(parts[0].data(), first);
        assert!(parts[0].more());
        assert_eq!(parts[1].data(), b"tcp://127.0.0.1:5555");
        assert!(!parts[1].more());
        // A connection made from here is named by its remote end.
        let parts = encode(1, 0x0001, &[9], &Endpoints::connected("tcp://127.0.0.1:40000", "tcp://h:1"));
        assert_eq!(parts[1].data(), b"tcp://h:1");
    }

    #[test]
    fn version_2_carries_every_value_and_both_ends() {
        let parts = encode(2, 0x10000, &[3, 4], &Endpoints::connected("ipc://a", "ipc://b"));
        let data: Vec<&[u8]> = parts.iter().map(Msg::data).collect();
        assert_eq!(
            data,
            [
                &0x10000u64.to_ne_bytes()[..],
                &2u64.to_ne_bytes()[..],
                &3u64.to_ne_bytes()[..],
                &4u64.to_ne_bytes()[..],
                b"ipc://a",
                b"ipc://b"
            ]
        );
        assert_eq!(parts.iter().filter(|part| part.more()).count(), 5);
        assert!(!parts[5].more());
    }

    #[test]
    fn unknown_versions_send_nothing() {
        assert!(encode(3, 1, &[0], &Endpoints::default()).is_empty());
    }
}
