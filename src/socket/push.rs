//! PUSH: round-robin to the peers that have room; no receiving. libzmq: `push.cpp`.

use super::pattern::Pattern;
use crate::error::{Errno, Result};
use crate::msg::Msg;
use crate::pipe::{Pipe, PipeId};
use crate::routing::load_balancer::LoadBalancer;

#[derive(Debug, Default)]
pub struct Push {
    balancer: LoadBalancer,
}

impl Pattern for Push {
    fn attach(&mut self, pipe: Pipe) {
        self.balancer.attach(pipe);
    }

    fn read_activated(&mut self, _id: PipeId) {}

    fn write_activated(&mut self, id: PipeId) {
        self.balancer.activated(id);
    }

    fn peer_closed(&mut self, id: PipeId) {
        self.balancer.remove(id);
    }

    fn remove(&mut self, id: PipeId) -> Option<Pipe> {
        self.balancer.remove(id)
    }

    fn pipes(&self) -> Vec<Pipe> {
        self.balancer.pipes().to_vec()
    }

    fn send(&mut self, msg: &mut Msg) -> Result<()> {
        self.balancer.send(msg)
    }

    fn recv(&mut self) -> Result<Msg> {
        Err(Errno::ENOTSUP)
    }

    fn has_in(&mut self) -> bool {
        false
    }

    fn has_out(&mut self) -> bool {
        self.balancer.has_out()
    }
}
