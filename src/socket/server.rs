//! SERVER: every message received carries the routing id of the peer it came from
//! (a non-zero number given to each pipe here); a message sent goes to the peer its
//! routing id names. Single-part only. libzmq: `server.cpp`.
//!
//! PEER is the same pattern (libzmq's `peer_t` derives from `server_t`); what it adds,
//! `zmq_connect_peer`, needs only the id of the pipe attached last.

use std::collections::HashMap;

use super::pattern::Pattern;
use crate::error::{Errno, Result};
use crate::msg::Msg;
use crate::pipe::{Pipe, PipeId, PipeMap, WriteError};
use crate::routing::fair_queue::FairQueue;

#[derive(Debug)]
pub struct Server {
    queue: FairQueue,
    /// The peers that can be sent to, by routing id.
    peers: HashMap<u32, Pipe>,
    /// Every pipe's routing id, while it can still be read from.
    ids: PipeMap<u32>,
    next_id: u32,
    /// The id given to the pipe attached last.
    last_attached: Option<u32>,
    /// Inside a multipart message being dropped.
    dropping: bool,
}

impl Default for Server {
    fn default() -> Server {
        Server {
            queue: FairQueue::new(),
            peers: HashMap::new(),
            ids: PipeMap::default(),
            // libzmq starts from a random value so ids differ between sockets.
            next_id: std::process::id().wrapping_mul(2_654_435_761) ^ 0x5bd1_e995,
            last_attached: None,
            dropping: false,
        }
    }
}

impl Server {
    /// A routing id not in use, never 0.
    fn fresh_id(&mut self) -> u32 {
        loop {
            let id = self.next_id;
            self.next_id = self.next_id.wrapping_add(1);
            if id != 0 && !self.peers.contains_key(&id) && !self.ids.values().any(|&used| used == id) {
                return id;
            }
        }
    }

    /// Forgets the ids of pipes the queue no longer holds (it drops ended pipes).
    fn prune(&mut self) {
        let live: PipeMap<()> = self.queue.pipes().iter().map(|pipe| (pipe.id(), ())).collect();
        self.ids.retain(|pipe, _| live.contains_key(pipe));
    }
}

impl Pattern for Server {
    fn attach(&mut self, pipe: Pipe) {
        let id = self.fresh_id();
        self.ids.insert(pipe.id(), id);
        self.peers.insert(id, pipe.clone());
        self.queue.attach(pipe);
        self.last_attached = Some(id);
    }

    fn read_activated(&mut self, id: PipeId) {
        self.queue.activated(id);
    }

    fn write_activated(&mut self, _id: PipeId) {}

    fn peer_closed(&mut self, id: PipeId) {
        // What the peer sent is still read; it can no longer be sent to.
        if let Some(routing_id) = self.ids.get(&id) {
            self.peers.remove(routing_id);
        }
        self.queue.peer_closed(id);
        self.prune();
    }

    fn remove(&mut self, id: PipeId) -> Option<Pipe> {
        if let Some(routing_id) = self.ids.remove(&id) {
            self.peers.remove(&routing_id);
        }
        let removed = self.queue.remove(id);
        self.prune();
        removed
    }

    fn pipes(&self) -> Vec<Pipe> {
        self.queue.pipes().to_vec()
    }

    fn send(&mut self, msg: &mut Msg) -> Result<()> {
        if msg.more() {
            return Err(Errno::EINVAL);
        }
        let routing_id = msg.routing_id();
        let pipe = self.peers.get(&routing_id).ok_or(Errno::EHOSTUNREACH)?;
        if !pipe.check_write() {
            return Err(Errno::EAGAIN);
        }
        let mut out = msg.take();
        // The id named the peer; it is not part of what the peer receives.
        out.clear_routing_id();
        match pipe.write(out) {
            Ok(()) => Ok(()),
            Err(WriteError::Full(mut back)) => {
                // Kept intact for the retry, routing id included.
                let _ = back.set_routing_id(routing_id);
                *msg = back;
                Err(Errno::EAGAIN)
            }
            Err(WriteError::Closed(_)) => {
                // libzmq drops a message whose peer went away and reports success.
                self.peers.remove(&routing_id);
                Ok(())
            }
        }
    }

    fn recv(&mut self) -> Result<Msg> {
        loop {
            let (mut part, pipe) = self.queue.recv_from()?;
            if self.dropping || part.more() {
                // Multipart messages are not for SERVER: dropped whole.
                self.dropping = part.more();
                continue;
            }
            if let Some(&routing_id) = self.ids.get(&pipe) {
                let _ = part.set_routing_id(routing_id);
            }
            return Ok(part);
        }
    }

    fn has_in(&mut self) -> bool {
        self.queue.has_in()
    }

    fn has_out(&mut self) -> bool {
        // As libzmq: whether a send succeeds depends on the peer it names.
        true
    }

    fn disconnect_peer(&mut self, routing_id: u32) -> Result<()> {
        let pipe = self.peers.get(&routing_id).map(Pipe::id).ok_or(Errno::EHOSTUNREACH)?;
        if let Some(pipe) = self.remove(pipe) {
            pipe.close();
        }
        Ok(())
    }

    fn last_routing_id(&self) -> Option<u32> {
        self.last_attached
    }
}
