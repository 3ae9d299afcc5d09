//! PULL: fair-queued from every peer; no sending. libzmq: `pull.cpp`.

use super::pattern::Pattern;
use crate::error::{Errno, Result};
use crate::msg::Msg;
use crate::pipe::{Pipe, PipeId};
use crate::routing::fair_queue::FairQueue;

#[derive(Debug, Default)]
pub struct Pull {
    queue: FairQueue,
}

impl Pattern for Pull {
    fn attach(&mut self, pipe: Pipe) {
        self.queue.attach(pipe);
    }

    fn read_activated(&mut self, id: PipeId) {
        self.queue.activated(id);
    }

    fn write_activated(&mut self, _id: PipeId) {}

    fn peer_closed(&mut self, id: PipeId) {
        self.queue.peer_closed(id);
    }

    fn remove(&mut self, id: PipeId) -> Option<Pipe> {
        self.queue.remove(id)
    }

    fn pipes(&self) -> Vec<Pipe> {
        self.queue.pipes().to_vec()
    }

    fn send(&mut self, _msg: &mut Msg) -> Result<()> {
        Err(Errno::ENOTSUP)
    }

    fn recv(&mut self) -> Result<Msg> {
        self.queue.recv()
    }

    fn recv_into(&mut self, msg: &mut Msg) -> Result<()> {
        self.queue.recv_into(msg).map(drop)
    }

    fn has_in(&mut self) -> bool {
        self.queue.has_in()
    }

    fn has_out(&mut self) -> bool {
        false
    }
}
