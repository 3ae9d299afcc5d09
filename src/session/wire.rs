//! What a session speaks on its stream: ZMTP (every socket type but one), ZMTP
//! inside WebSocket frames (ws://), or raw bytes (STREAM sockets). libzmq:
//! `zmtp_engine.cpp`, `ws_engine.cpp`, `raw_engine.cpp`.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Instant;

use crate::constants::ZMQ_STREAM;
use crate::error::Result;
use crate::msg::{Metadata, Msg};
use crate::ws::{self, WsConnection};
use crate::zmtp::output::Output;
use crate::zmtp::{Config, Connection, Event, Inbound, ProtocolError};

/// The protocol of one connection.
#[derive(Debug)]
pub enum Wire {
    /// Boxed: a ZMTP connection is much larger than a raw one.
    Zmtp(Box<Connection>),
    /// ZWS 2.0: the WebSocket upgrade, then ZMTP in WebSocket frames.
    Ws(Box<WsConnection>),
    Raw(RawStream),
}

impl Wire {
    /// ZMTP per `config`.
    pub fn zmtp(config: Config, now: Instant) -> Wire {
        Wire::Zmtp(Box::new(Connection::new(config, now)))
    }

    /// ZWS 2.0 per `config`, as the WebSocket's client or server.
    pub fn ws(config: Config, role: ws::Role, now: Instant) -> Wire {
        Wire::Ws(Box::new(WsConnection::new(config, role, now)))
    }

    /// Raw bytes (STREAM, or ROUTER with `ZMQ_ROUTER_RAW`), announcing the connection
    /// with an empty message when `notify`, as `ZMQ_STREAM_NOTIFY` asks.
    pub fn raw(peer_address: Option<String>, source_fd: Option<i32>, notify: bool) -> Wire {
        Wire::Raw(RawStream::new(peer_address, source_fd, notify))
    }

    pub fn is_raw(&self) -> bool {
        matches!(self, Wire::Raw(_))
    }

    pub fn read_buffer(&mut self) -> &mut [u8] {
        match self {
            Wire::Zmtp(zmtp) => zmtp.read_buffer(),
            Wire::Ws(ws) => ws.read_buffer(),
            Wire::Raw(raw) => &mut raw.buffer,
        }
    }

    /// Processes `n` bytes read into [`Wire::read_buffer`], handing ZMTP message
    /// parts to `inbound` as they are decoded (what it refuses, WebSocket and raw
    /// connections' parts, and every other event are queued for `poll_event`).
    pub fn received_into(
        &mut self,
        n: usize,
        now: Instant,
        inbound: &mut dyn Inbound,
    ) -> core::result::Result<(), ProtocolError> {
        match self {
            Wire::Zmtp(zmtp) => zmtp.received_into(n, now, inbound),
            Wire::Ws(ws) => ws.received(n, now),
            Wire::Raw(raw) => raw.received(n),
        }
    }

    pub fn poll_event(&mut self) -> Option<Event> {
        match self {
            Wire::Zmtp(zmtp) => zmtp.poll_event(),
            Wire::Ws(ws) => ws.poll_event(),
            Wire::Raw(raw) => raw.events.pop_front(),
        }
    }

    pub fn send(&mut self, msg: &Msg) -> Result<()> {
        match self {
            Wire::Zmtp(zmtp) => zmtp.send(msg),
            Wire::Ws(ws) => ws.send(msg),
            Wire::Raw(raw) => {
                raw.send(msg);
                Ok(())
            }
        }
    }

    pub fn pending_output(&self) -> &[u8] {
        match self {
            Wire::Zmtp(zmtp) => zmtp.pending_output(),
            Wire::Ws(ws) => ws.pending_output(),
            Wire::Raw(raw) => raw.out.pending(),
        }
    }

    pub fn consume(&mut self, n: usize) {
        match self {
            Wire::Zmtp(zmtp) => zmtp.consume(n),
            Wire::Ws(ws) => ws.consume(n),
            Wire::Raw(raw) => raw.consume(n),
        }
    }

    pub fn is_ready(&self) -> bool {
        match self {
            Wire::Zmtp(zmtp) => zmtp.is_ready(),
            Wire::Ws(ws) => ws.is_ready(),
            Wire::Raw(_) => true,
        }
    }

    pub fn poll_timeout(&self) -> Option<Instant> {
        match self {
            Wire::Zmtp(zmtp) => zmtp.poll_timeout(),
            Wire::Ws(ws) => ws.poll_timeout(),
            Wire::Raw(_) => None,
        }
    }

    pub fn handle_timeout(&mut self, now: Instant) -> core::result::Result<(), ProtocolError> {
        match self {
            Wire::Zmtp(zmtp) => zmtp.handle_timeout(now),
            Wire::Ws(ws) => ws.handle_timeout(now),
            Wire::Raw(_) => Ok(()),
        }
    }

    /// The ZAP handler's reply to the request the protocol made (see
    /// [`Connection::zap_reply`]).
    pub fn zap_reply(&mut self, reply: &[Msg], now: Instant) -> core::result::Result<(), ProtocolError> {
        match self {
            Wire::Zmtp(zmtp) => zmtp.zap_reply(reply, now),
            Wire::Ws(ws) => ws.zap_reply(reply, now),
            Wire::Raw(_) => Ok(()),
        }
    }

    /// The application asked to close the connection (STREAM: an empty message) and
    /// everything before it is written.
    pub fn close_requested(&self) -> bool {
        matches!(self, Wire::Raw(raw) if raw.close_requested && raw.out.pending().is_empty())
    }

    /// The peer closed the WebSocket and our answering close frame is written: the
    /// connection is lost (libzmq's `ws_engine` ends it as a connection error).
    pub fn peer_closed(&self) -> bool {
        matches!(self, Wire::Ws(ws) if ws.peer_closed())
    }
}

/// Raw bytes: each read becomes one message; each message sent is written as is.
#[derive(Debug)]
pub struct RawStream {
    buffer: Vec<u8>,
    events: VecDeque<Event>,
    metadata: Arc<Metadata>,
    out: Output,
    close_requested: bool,
}

/// libzmq's raw engine reads up to this much per message.
const RAW_READ: usize = 8192;

impl RawStream {
    fn new(peer_address: Option<String>, source_fd: Option<i32>, notify: bool) -> RawStream {
        let mut metadata = Metadata::new();
        metadata.set_source_fd(source_fd);
        if let Some(address) = &peer_address {
            metadata.insert("Peer-Address", address.as_bytes());
        }
        let metadata = Arc::new(metadata);
        let mut events = VecDeque::new();
        events.push_back(Event::Ready {
            peer_socket_type: ZMQ_STREAM,
            peer_routing_id: Vec::new(),
            metadata: Arc::clone(&metadata),
        });
        if notify {
            let mut hello = Msg::new();
            hello.set_metadata(Some(Arc::clone(&metadata)));
            events.push_back(Event::Message(hello));
        }
        RawStream {
            buffer: vec![0; RAW_READ],
            events,
            metadata,
            out: Output::default(),
            close_requested: false,
        }
    }

    fn received(&mut self, n: usize) -> core::result::Result<(), ProtocolError> {
        let bytes = self.buffer.get(..n).unwrap_or_default();
        let mut msg = Msg::from_slice(bytes).map_err(|_| ProtocolError::OutOfMemory)?;
        msg.set_metadata(Some(Arc::clone(&self.metadata)));
        self.events.push_back(Event::Message(msg));
        Ok(())
    }

    fn send(&mut self, msg: &Msg) {
        if msg.is_empty() {
            self.close_requested = true;
        } else if !self.close_requested {
            self.out.extend_from_slice(msg.data());
        }
    }

    fn consume(&mut self, n: usize) {
        self.out.consume(n);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::zmtp::Queued;

    fn raw(notify: bool) -> Wire {
        Wire::raw(None, None, notify)
    }

    #[test]
    fn raw_bytes_in_and_out_with_connect_notification() {
        let mut wire = raw(true);
        assert!(wire.is_raw() && wire.is_ready());
        assert!(matches!(wire.poll_event(), Some(Event::Ready { .. })));
        assert!(matches!(wire.poll_event(), Some(Event::Message(msg)) if msg.is_empty()));
        wire.read_buffer()[..3].copy_from_slice(b"GET");
        wire.received_into(3, Instant::now(), &mut Queued).unwrap();
        assert!(matches!(wire.poll_event(), Some(Event::Message(msg)) if msg.data() == b"GET"));
        wire.send(&Msg::from_slice(b"HTTP/1.0 200").unwrap()).unwrap();
        assert_eq!(wire.pending_output(), b"HTTP/1.0 200");
        wire.send(&Msg::new()).unwrap();
        assert!(!wire.close_requested(), "not before the reply is written");
        wire.consume(12);
        assert!(wire.close_requested());
    }

    #[test]
    fn no_notification_when_not_asked() {
        let mut wire = raw(false);
        assert!(matches!(wire.poll_event(), Some(Event::Ready { .. })));
        assert!(wire.poll_event().is_none());
        assert!(!Wire::zmtp(Config::new(crate::constants::ZMQ_PAIR), Instant::now()).is_raw());
    }
}
