//! The single-part draft types built on a classic pattern: CLIENT (a DEALER), SCATTER
//! (a PUSH), GATHER (a PULL) and CHANNEL (a PAIR). Sending with `ZMQ_SNDMORE` is
//! `EINVAL`; a multipart message received is dropped whole. libzmq: `client.cpp`,
//! `scatter.cpp`, `gather.cpp`, `channel.cpp`.

use super::pattern::Pattern;
use crate::error::{Errno, Result};
use crate::msg::Msg;
use crate::pipe::{Pipe, PipeId};

#[derive(Debug)]
pub struct SinglePart<P> {
    inner: P,
    /// Whether the type sends at all (GATHER does not: `ENOTSUP` comes first).
    sends: bool,
    /// Inside a multipart message being dropped: its remaining parts go too.
    dropping: bool,
}

impl<P: Pattern + Default> SinglePart<P> {
    pub fn new(sends: bool) -> SinglePart<P> {
        SinglePart { inner: P::default(), sends, dropping: false }
    }
}

impl<P: Pattern> Pattern for SinglePart<P> {
    fn attach(&mut self, pipe: Pipe) {
        self.inner.attach(pipe);
    }

    fn read_activated(&mut self, id: PipeId) {
        self.inner.read_activated(id);
    }

    fn write_activated(&mut self, id: PipeId) {
        self.inner.write_activated(id);
    }

    fn peer_closed(&mut self, id: PipeId) {
        self.inner.peer_closed(id);
    }

    fn remove(&mut self, id: PipeId) -> Option<Pipe> {
        self.inner.remove(id)
    }

    fn pipes(&self) -> Vec<Pipe> {
        self.inner.pipes()
    }

    fn send(&mut self, msg: &mut Msg) -> Result<()> {
        if self.sends && msg.more() {
            return Err(Errno::EINVAL);
        }
        self.inner.send(msg)
    }

    fn recv(&mut self) -> Result<Msg> {
        loop {
            let part = self.inner.recv()?;
            if self.dropping || part.more() {
                // A part of a multipart message: dropped, up to its last part.
                self.dropping = part.more();
                continue;
            }
            return Ok(part);
        }
    }

    fn has_in(&mut self) -> bool {
        self.inner.has_in()
    }

    fn has_out(&mut self) -> bool {
        self.inner.has_out()
    }
}
