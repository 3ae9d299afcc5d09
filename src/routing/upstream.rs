//! A subscriber's pipes (SUB, XSUB, DISH): messages fair-queued in from every
//! publisher, and what goes up (subscriptions, joins) sent to all of them. The two
//! helpers hold the same pipes; this keeps them in step.

use super::distributor::Distributor;
use super::fair_queue::FairQueue;
use crate::pipe::{Pipe, PipeId};

#[derive(Debug, Default)]
pub struct Upstream {
    /// Messages coming down.
    pub queue: FairQueue,
    /// The same pipes, for what goes up.
    pub dist: Distributor,
}

impl Upstream {
    pub fn attach(&mut self, pipe: Pipe) {
        self.queue.attach(pipe.clone());
        self.dist.attach(pipe);
    }

    pub fn read_activated(&mut self, id: PipeId) {
        self.queue.activated(id);
    }

    pub fn write_activated(&mut self, id: PipeId) {
        self.dist.activated(id);
    }

    /// The publisher went: what it sent is still read; nothing more goes up to it.
    pub fn peer_closed(&mut self, id: PipeId) {
        self.queue.peer_closed(id);
        self.dist.remove(id);
    }

    pub fn remove(&mut self, id: PipeId) -> Option<Pipe> {
        self.dist.remove(id);
        self.queue.remove(id)
    }

    pub fn pipes(&self) -> Vec<Pipe> {
        self.queue.pipes().to_vec()
    }
}
