//! PAIR: exactly one peer; a second connection is refused. libzmq: `pair.cpp`.

use super::pattern::Pattern;
use crate::error::{Errno, Result};
use crate::msg::Msg;
use crate::pipe::{Drained, Pipe, PipeId, Refusal};

#[derive(Debug, Default)]
pub struct Pair {
    pipe: Option<Pipe>,
    /// The peer closed: nothing more can be sent to it.
    peer_closed: bool,
}

impl Pattern for Pair {
    fn attach(&mut self, pipe: Pipe) {
        if self.pipe.is_some() {
            // libzmq keeps the first peer and terminates any other.
            pipe.close();
            return;
        }
        self.pipe = Some(pipe);
        self.peer_closed = false;
    }

    fn read_activated(&mut self, _id: PipeId) {}

    fn write_activated(&mut self, _id: PipeId) {}

    fn peer_closed(&mut self, id: PipeId) {
        if self.pipe.as_ref().is_some_and(|pipe| pipe.id() == id) {
            self.peer_closed = true;
        }
    }

    fn remove(&mut self, id: PipeId) -> Option<Pipe> {
        if self.pipe.as_ref().is_some_and(|pipe| pipe.id() == id) {
            return self.pipe.take();
        }
        None
    }

    fn pipes(&self) -> Vec<Pipe> {
        self.pipe.iter().cloned().collect()
    }

    fn send(&mut self, msg: &mut Msg) -> Result<()> {
        let Some(pipe) = self.pipe.as_ref().filter(|_| !self.peer_closed) else {
            return Err(Errno::EAGAIN);
        };
        match pipe.write_from(msg) {
            Ok(()) => Ok(()),
            Err(refusal) => {
                self.peer_closed |= refusal == Refusal::Closed;
                Err(Errno::EAGAIN)
            }
        }
    }

    fn recv(&mut self) -> Result<Msg> {
        let mut msg = Msg::new();
        self.recv_into(&mut msg)?;
        Ok(msg)
    }

    fn recv_into(&mut self, msg: &mut Msg) -> Result<()> {
        let Some(pipe) = &self.pipe else {
            return Err(Errno::EAGAIN);
        };
        match pipe.read_into(msg) {
            Ok(()) => Ok(()),
            Err(Drained::Empty) => Err(Errno::EAGAIN),
            Err(Drained::Ended) => {
                // The peer is gone and everything it sent was read: a new peer may come.
                self.pipe = None;
                Err(Errno::EAGAIN)
            }
        }
    }

    fn has_in(&mut self) -> bool {
        self.pipe.as_ref().is_some_and(Pipe::check_read)
    }

    fn has_out(&mut self) -> bool {
        !self.peer_closed && self.pipe.as_ref().is_some_and(Pipe::check_write)
    }
}
