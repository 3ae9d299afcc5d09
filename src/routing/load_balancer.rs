//! Round-robin sending over the pipes that have room; the parts of a multipart message
//! all go to the same pipe. libzmq: `lb.cpp`.

use super::ActiveSet;
use crate::error::{Errno, Result};
use crate::msg::Msg;
use crate::pipe::{Pipe, PipeId, Refusal};

/// Sends to a set of pipes in turn.
#[derive(Debug, Default)]
pub struct LoadBalancer {
    set: ActiveSet,
    current: usize,
    /// Inside a multipart message: the next part goes to `current`.
    more: bool,
    /// The pipe died inside a multipart message: drop the rest of it.
    dropping: bool,
}

impl LoadBalancer {
    pub fn new() -> LoadBalancer {
        LoadBalancer::default()
    }

    pub fn attach(&mut self, pipe: Pipe) {
        self.set.attach(pipe);
    }

    /// The pipe has room again.
    pub fn activated(&mut self, id: PipeId) {
        self.set.activate(id);
    }

    /// Removes a pipe (its peer closed, or ours is closing).
    pub fn remove(&mut self, id: PipeId) -> Option<Pipe> {
        let was_current = self.set.pipes.get(self.current).map(Pipe::id) == Some(id);
        let removed = self.set.remove(id);
        if removed.is_some() && was_current && self.more {
            self.more = false;
            self.dropping = true;
        }
        if self.current >= self.set.active {
            self.current = 0;
        }
        removed
    }

    /// Sends one part, taking it out of `msg` on success. `EAGAIN` (with `msg` left
    /// intact) when no pipe has room.
    pub fn send(&mut self, msg: &mut Msg) -> Result<()> {
        self.send_tracked(msg).map(drop)
    }

    /// [`LoadBalancer::send`], telling which pipe took the part (`None`: the part was
    /// dropped, its message having lost its pipe).
    pub fn send_tracked(&mut self, msg: &mut Msg) -> Result<Option<PipeId>> {
        if self.dropping {
            self.dropping = msg.more();
            drop(msg.take());
            return Ok(None);
        }
        while self.set.active > 0 {
            let pipe = &self.set.pipes[self.current];
            let more = msg.more();
            let id = pipe.id();
            match pipe.write_from(msg) {
                Ok(()) => {
                    self.more = more;
                    if !more {
                        self.current = self.set.next_after(self.current);
                    }
                    return Ok(Some(id));
                }
                Err(Refusal::Full) => {
                    self.set.deactivate(self.current);
                }
                Err(Refusal::Closed) => {
                    let id = pipe.id();
                    self.remove(id);
                    if self.dropping {
                        // The message was cut: its remaining parts are dropped.
                        self.dropping = msg.more();
                        drop(msg.take());
                        return Ok(None);
                    }
                }
            }
            if self.current >= self.set.active {
                self.current = 0;
            }
        }
        Err(Errno::EAGAIN)
    }

    /// Whether a part can be sent now. Pipes found full are set aside (their readers
    /// will wake us), as a failed send does.
    pub fn has_out(&mut self) -> bool {
        if self.more {
            return true;
        }
        self.set.any_ready(&mut self.current, Pipe::check_write)
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
    use crate::msg::part;
    use crate::pipe::{pipe_pair, Limits, Read};

    fn drain(pipe: &Pipe) -> Vec<Vec<u8>> {
        let mut got = Vec::new();
        while let Read::Msg(msg) = pipe.read() {
            got.push(msg.data().to_vec());
        }
        got
    }

    #[test]
    fn round_robin_with_multipart_kept_together() {
        let (a_out, a_in) = pipe_pair([Limits::default(); 2]);
        let (b_out, b_in) = pipe_pair([Limits::default(); 2]);
        let mut balancer = LoadBalancer::new();
        balancer.attach(a_out);
        balancer.attach(b_out);
        for (bytes, more) in [(b"1a", true), (b"1b", false), (b"2a", false), (b"3a", false)] {
            balancer.send(&mut part(bytes, more)).unwrap();
        }
        let (a, b) = (drain(&a_in), drain(&b_in));
        assert_eq!(a.len() + b.len(), 4);
        let first = if a.len() == 3 { a } else { b };
        assert_eq!(first, [b"1a".to_vec(), b"1b".to_vec(), b"3a".to_vec()]);
    }

    #[test]
    fn full_pipes_are_skipped_and_eagain_keeps_the_message() {
        let (out, inp) = pipe_pair([Limits::bounded(1), Limits::default()]);
        let mut balancer = LoadBalancer::new();
        balancer.attach(out);
        balancer.send(&mut part(b"1", false)).unwrap();
        let mut second = part(b"2", false);
        assert_eq!(balancer.send(&mut second), Err(Errno::EAGAIN));
        assert_eq!(second.data(), b"2");
        assert!(!balancer.has_out());
        assert_eq!(drain(&inp), [b"1".to_vec()]);
        let id = balancer.pipes()[0].id();
        balancer.activated(id);
        assert!(balancer.has_out());
    }

    #[test]
    fn closed_pipes_are_removed() {
        let (out, inp) = pipe_pair([Limits::default(); 2]);
        let mut balancer = LoadBalancer::new();
        balancer.attach(out);
        inp.close();
        assert_eq!(balancer.send(&mut part(b"x", false)), Err(Errno::EAGAIN));
        assert!(balancer.is_empty());
    }
}
