//! DEALER: round-robin out, fair-queue in, no envelope of its own. libzmq:
//! `dealer.cpp`.

use core::ffi::c_int;

use super::pattern::{bool_option, Pattern};
use crate::constants::ZMQ_PROBE_ROUTER;
use crate::error::Result;
use crate::msg::Msg;
use crate::pipe::{Pipe, PipeId};
use crate::routing::fair_queue::FairQueue;
use crate::routing::load_balancer::LoadBalancer;

/// The two halves every request-reply client needs; REQ builds on it.
#[derive(Debug, Default)]
pub struct Dealer {
    pub(super) balancer: LoadBalancer,
    pub(super) queue: FairQueue,
    /// `ZMQ_PROBE_ROUTER`: greet every new peer with an empty message.
    probe: bool,
}

impl Pattern for Dealer {
    fn attach(&mut self, pipe: Pipe) {
        if self.probe {
            // A full or closed pipe loses the probe, as in libzmq.
            let _ = pipe.write(Msg::new());
        }
        self.balancer.attach(pipe.clone());
        self.queue.attach(pipe);
    }

    fn read_activated(&mut self, id: PipeId) {
        self.queue.activated(id);
    }

    fn write_activated(&mut self, id: PipeId) {
        self.balancer.activated(id);
    }

    fn peer_closed(&mut self, id: PipeId) {
        self.balancer.remove(id);
        self.queue.peer_closed(id);
    }

    fn remove(&mut self, id: PipeId) -> Option<Pipe> {
        self.balancer.remove(id);
        self.queue.remove(id)
    }

    fn pipes(&self) -> Vec<Pipe> {
        self.queue.pipes().to_vec()
    }

    fn send(&mut self, msg: &mut Msg) -> Result<()> {
        self.balancer.send(msg)
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
        self.balancer.has_out()
    }

    fn set_option(&mut self, option: c_int, value: Option<&[u8]>) -> Option<Result<()>> {
        if option != ZMQ_PROBE_ROUTER {
            return None;
        }
        Some(bool_option(value).map(|on| self.probe = on))
    }
}
