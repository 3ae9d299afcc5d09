//! Fair-queued receiving: one message from each pipe that has one, in turn; the parts
//! of a multipart message all come from the same pipe. libzmq: `fq.cpp`.

use super::ActiveSet;
use crate::error::{Errno, Result};
use crate::msg::Msg;
use crate::pipe::{Drained, Pipe, PipeId};

/// Receives from a set of pipes in turn.
#[derive(Debug, Default)]
pub struct FairQueue {
    set: ActiveSet,
    current: usize,
    /// Inside a multipart message: the next part comes from `current`.
    more: bool,
}

impl FairQueue {
    pub fn new() -> FairQueue {
        FairQueue::default()
    }

    pub fn attach(&mut self, pipe: Pipe) {
        self.set.attach(pipe);
    }

    /// The pipe has a message again.
    pub fn activated(&mut self, id: PipeId) {
        self.set.activate(id);
    }

    /// The peer closed this pipe. It stays until what is queued in it has been read.
    pub fn peer_closed(&mut self, id: PipeId) {
        self.set.activate(id);
    }

    /// Removes a pipe whatever it holds.
    pub fn remove(&mut self, id: PipeId) -> Option<Pipe> {
        let removed = self.set.remove(id);
        if self.current >= self.set.active {
            self.current = 0;
        }
        removed
    }

    /// The next part, or `EAGAIN` when no pipe has one.
    pub fn recv(&mut self) -> Result<Msg> {
        self.recv_from().map(|(msg, _)| msg)
    }

    /// [`FairQueue::recv`], telling which pipe the part came from.
    pub fn recv_from(&mut self) -> Result<(Msg, PipeId)> {
        let mut msg = Msg::new();
        let id = self.recv_into(&mut msg)?;
        Ok((msg, id))
    }

    /// The next part into `msg`, replacing what it held, and the pipe it came from;
    /// `EAGAIN` (`msg` untouched) when no pipe has one.
    #[inline]
    pub fn recv_into(&mut self, msg: &mut Msg) -> Result<PipeId> {
        while self.set.active > 0 {
            let pipe = &self.set.pipes[self.current];
            let id = pipe.id();
            match pipe.read_into(msg) {
                Ok(()) => {
                    self.more = msg.more();
                    if !self.more {
                        self.current = self.set.next_after(self.current);
                    }
                    return Ok(id);
                }
                Err(Drained::Empty) => {
                    self.set.deactivate(self.current);
                    if self.current >= self.set.active {
                        self.current = 0;
                    }
                }
                Err(Drained::Ended) => {
                    self.remove(id);
                }
            }
        }
        Err(Errno::EAGAIN)
    }

    /// Whether a part can be received now. Pipes found empty are set aside (and
    /// their writers will wake us), as a failed receive does.
    pub fn has_in(&mut self) -> bool {
        if self.more {
            return true;
        }
        self.set.any_ready(&mut self.current, Pipe::check_read)
    }

    pub fn is_empty(&self) -> bool {
        self.set.is_empty()
    }

    /// Every pipe, active or not.
    pub fn pipes(&self) -> &[Pipe] {
        &self.set.pipes
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipe::{pipe_pair, Limits};

    fn send(pipe: &Pipe, bytes: &[u8], more: bool) {
        let mut msg = Msg::from_slice(bytes).unwrap();
        msg.set_more(more);
        pipe.write(msg).unwrap();
    }

    #[test]
    fn takes_turns_and_keeps_multipart_together() {
        let (a_out, a_in) = pipe_pair([Limits::default(); 2]);
        let (b_out, b_in) = pipe_pair([Limits::default(); 2]);
        let mut queue = FairQueue::new();
        queue.attach(a_in);
        queue.attach(b_in);
        send(&a_out, b"a1", true);
        send(&a_out, b"a2", false);
        send(&a_out, b"a3", false);
        send(&b_out, b"b1", false);
        let mut got = Vec::new();
        while let Ok(msg) = queue.recv() {
            got.push(msg.data().to_vec());
        }
        assert_eq!(got, [b"a1".to_vec(), b"a2".to_vec(), b"b1".to_vec(), b"a3".to_vec()]);
        assert!(!queue.has_in());
    }

    #[test]
    fn closed_pipes_are_drained_then_dropped() {
        let (out, inp) = pipe_pair([Limits::default(); 2]);
        let mut queue = FairQueue::new();
        queue.attach(inp);
        send(&out, b"x", false);
        out.close();
        assert_eq!(queue.recv().unwrap().data(), b"x");
        assert_eq!(queue.recv().unwrap_err(), Errno::EAGAIN);
        assert!(queue.is_empty());
    }
}
