//! ROUTER: every message received is preceded by a frame naming the peer it came
//! from; the first frame of every message sent names the peer to send it to.
//! libzmq: `router.cpp`.
//!
//! Peers are named by their `ZMQ_ROUTING_ID`, or, when they have none, by a 5-byte
//! id made here (a zero byte, then a counter), as libzmq does. A network peer's id is
//! known once its handshake is done, so a pipe is identified lazily: at the first
//! send, receive or poll after that.

use core::ffi::c_int;
use std::collections::HashMap;

use super::pattern::{bool_option, Pattern};
use crate::constants::{
    ZMQ_POLLOUT, ZMQ_PROBE_ROUTER, ZMQ_ROUTER_HANDOVER, ZMQ_ROUTER_MANDATORY, ZMQ_ROUTER_RAW, ZMQ_ROUTING_ID,
};
use crate::error::{Errno, Result};
use crate::msg::Msg;
use crate::pipe::{Pipe, PipeId, PipeMap, WriteError};
use crate::routing::fair_queue::FairQueue;

#[derive(Debug)]
pub struct Router {
    queue: FairQueue,
    /// Identified peers, by routing id.
    peers: HashMap<Vec<u8>, Pipe>,
    ids: PipeMap<Vec<u8>>,
    /// Pipes whose peer's id is not known yet.
    anonymous: Vec<Pipe>,
    next_id: u32,
    /// A received part held back while its peer's id frame was returned.
    held: Option<Msg>,
    /// Inside a received message (its id frame went out already).
    receiving_more: bool,
    /// Where the parts of the message being sent go (`None`: dropped).
    destination: Option<Pipe>,
    sending_more: bool,
    mandatory: bool,
    handover: bool,
    /// `ZMQ_PROBE_ROUTER`: greet every new peer with an empty message.
    probe: bool,
    /// Over raw connections (STREAM, or ROUTER with `ZMQ_ROUTER_RAW`): every peer
    /// gets a generated id, and a data frame is a whole message.
    raw: bool,
    /// STREAM's own send rule: an id frame without MORE drops the frame after it.
    stream: bool,
    /// Raw: the id generated last, which libzmq also makes the socket's own
    /// `ZMQ_ROUTING_ID` (observable, so reproduced).
    last_generated: Option<Vec<u8>>,
}

impl Default for Router {
    fn default() -> Router {
        Router {
            queue: FairQueue::new(),
            peers: HashMap::new(),
            ids: PipeMap::default(),
            anonymous: Vec::new(),
            // libzmq starts from a random value so ids differ between sockets.
            next_id: std::process::id().wrapping_mul(2_654_435_761),
            held: None,
            receiving_more: false,
            destination: None,
            sending_more: false,
            mandatory: false,
            handover: false,
            probe: false,
            raw: false,
            stream: false,
            last_generated: None,
        }
    }
}

impl Router {
    /// STREAM: a ROUTER over raw connections (the session does the raw part), where
    /// sending to an unknown peer is always `EHOSTUNREACH`. libzmq: `stream.cpp`.
    pub fn stream() -> Router {
        Router { mandatory: true, raw: true, stream: true, ..Router::default() }
    }

    /// Names every pipe whose peer's id has become known.
    fn identify_pending(&mut self) {
        let mut index = 0;
        while index < self.anonymous.len() {
            let Some(id) = self.anonymous[index].peer_routing_id() else {
                index += 1;
                continue;
            };
            let pipe = self.anonymous.swap_remove(index);
            self.identify(pipe, id);
        }
    }

    fn identify(&mut self, pipe: Pipe, id: Vec<u8>) {
        let id = if id.is_empty() {
            self.next_id = self.next_id.wrapping_add(1);
            let mut generated = vec![0];
            generated.extend_from_slice(&self.next_id.to_be_bytes());
            if self.raw {
                self.last_generated = Some(generated.clone());
            }
            generated
        } else {
            id
        };
        if let Some(existing) = self.peers.get(&id) {
            if !self.handover {
                // libzmq keeps the first peer with a given id and refuses the other.
                pipe.close();
                return;
            }
            let old = existing.id();
            if let Some(old_pipe) = self.remove(old) {
                old_pipe.close();
            }
        }
        self.ids.insert(pipe.id(), id.clone());
        self.peers.insert(id, pipe.clone());
        self.queue.attach(pipe);
    }
}

impl Pattern for Router {
    fn attach(&mut self, pipe: Pipe) {
        if self.probe {
            // A full or closed pipe loses the probe, as in libzmq.
            let _ = pipe.write(Msg::new());
        }
        match pipe.peer_routing_id() {
            Some(id) => self.identify(pipe, id),
            None => {
                // Marks the reader asleep, so the first message wakes the socket.
                pipe.check_read();
                self.anonymous.push(pipe);
            }
        }
    }

    fn read_activated(&mut self, id: PipeId) {
        if self.anonymous.iter().any(|pipe| pipe.id() == id) {
            self.identify_pending();
        }
        self.queue.activated(id);
    }

    fn write_activated(&mut self, _id: PipeId) {}

    fn peer_closed(&mut self, id: PipeId) {
        // What the peer sent is still read; it can no longer be sent to.
        if let Some(routing_id) = self.ids.get(&id) {
            self.peers.remove(routing_id);
        }
        self.queue.peer_closed(id);
    }

    fn remove(&mut self, id: PipeId) -> Option<Pipe> {
        if let Some(index) = self.anonymous.iter().position(|pipe| pipe.id() == id) {
            return Some(self.anonymous.swap_remove(index));
        }
        if let Some(routing_id) = self.ids.remove(&id) {
            if self.peers.get(&routing_id).is_some_and(|pipe| pipe.id() == id) {
                self.peers.remove(&routing_id);
            }
        }
        if self.destination.as_ref().is_some_and(|pipe| pipe.id() == id) {
            self.destination = None;
        }
        self.queue.remove(id)
    }

    fn pipes(&self) -> Vec<Pipe> {
        self.queue.pipes().iter().chain(&self.anonymous).cloned().collect()
    }

    fn send(&mut self, msg: &mut Msg) -> Result<()> {
        if !self.sending_more {
            if self.stream && !msg.more() {
                // STREAM: an id frame without MORE is taken as is, and the frame after
                // it is dropped (libzmq's `stream_t::xsend`).
                self.destination = None;
                self.sending_more = true;
                drop(msg.take());
                return Ok(());
            }
            // The id frame: choose the destination.
            self.identify_pending();
            let peer = self.peers.get(msg.data()).cloned();
            self.destination = match peer {
                Some(pipe) if pipe.check_write() => Some(pipe),
                Some(_) if self.mandatory => return Err(Errno::EAGAIN),
                None if self.mandatory => return Err(Errno::EHOSTUNREACH),
                _ => None,
            };
            self.sending_more = msg.more();
            drop(msg.take());
            return Ok(());
        }
        let mut part = msg.take();
        if self.raw {
            // A data frame is a whole message whatever its MORE flag; the next part
            // names a peer again (libzmq's `stream_t::xsend`, `router_t::xsend`).
            part.set_more(false);
        }
        self.sending_more = part.more();
        if let Some(pipe) = &self.destination {
            if let Err(WriteError::Closed(_)) = pipe.write(part) {
                self.destination = None;
            }
        }
        if !self.sending_more {
            self.destination = None;
        }
        Ok(())
    }

    fn recv(&mut self) -> Result<Msg> {
        let mut msg = Msg::new();
        self.recv_into(&mut msg)?;
        Ok(msg)
    }

    /// The part straight into the caller's message (untouched on `EAGAIN`).
    fn recv_into(&mut self, msg: &mut Msg) -> Result<()> {
        if let Some(part) = self.held.take() {
            self.receiving_more = part.more();
            *msg = part;
            return Ok(());
        }
        self.identify_pending();
        if self.receiving_more {
            self.queue.recv_into(msg)?;
            self.receiving_more = msg.more();
            return Ok(());
        }
        let mut part = Msg::new();
        let pipe = self.queue.recv_into(&mut part)?;
        // A new message: its peer's id first, the part after. Copied, so that an id
        // as libzmq generates them is stored inline, with no allocation; an id is at
        // most 255 bytes, which `assign_slice` never refuses, and `from_vec` cannot.
        let id = self.ids.get(&pipe).map_or(&[][..], Vec::as_slice);
        if msg.assign_slice(id).is_err() {
            *msg = Msg::from_vec(id.to_vec());
        }
        msg.set_more(true);
        msg.set_metadata(part.metadata().cloned());
        self.receiving_more = true;
        self.held = Some(part);
        Ok(())
    }

    fn has_in(&mut self) -> bool {
        self.identify_pending();
        self.held.is_some() || self.queue.has_in()
    }

    fn has_out(&mut self) -> bool {
        // libzmq: a ROUTER can always send (unroutable messages are dropped).
        true
    }

    fn peer_state(&mut self, routing_id: &[u8]) -> Result<c_int> {
        self.identify_pending();
        let pipe = self.peers.get(routing_id).ok_or(Errno::EHOSTUNREACH)?;
        Ok(if pipe.check_write() { ZMQ_POLLOUT } else { 0 })
    }

    fn option(&mut self, option: c_int, capacity: usize) -> Option<Result<Vec<u8>>> {
        let id = self.last_generated.as_ref().filter(|_| option == ZMQ_ROUTING_ID)?;
        Some(if capacity < id.len() { Err(Errno::EINVAL) } else { Ok(id.clone()) })
    }

    fn set_option(&mut self, option: c_int, value: Option<&[u8]>) -> Option<Result<()>> {
        if option == ZMQ_ROUTER_RAW {
            // Deprecated in libzmq, and one way: 0 leaves a raw socket raw. The socket
            // makes the connections raw; this side routes as STREAM does.
            return Some(bool_option(value).map(|on| self.raw |= on));
        }
        let flag = match option {
            ZMQ_ROUTER_MANDATORY => &mut self.mandatory,
            ZMQ_ROUTER_HANDOVER => &mut self.handover,
            ZMQ_PROBE_ROUTER => &mut self.probe,
            _ => return None,
        };
        Some(bool_option(value).map(|on| *flag = on))
    }
}
