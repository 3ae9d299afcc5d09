//! REP: strictly alternating receive and send; each request's envelope (the frames
//! up to and including the empty delimiter) is kept and put back on the reply,
//! which goes to the pipe the request came from. libzmq: `rep.cpp`.

use super::pattern::Pattern;
use crate::error::{Errno, Result};
use crate::msg::Msg;
use crate::pipe::{Pipe, PipeId, WriteError};
use crate::routing::fair_queue::FairQueue;

#[derive(Debug, Default)]
pub struct Rep {
    queue: FairQueue,
    /// A request was received; only its reply may be sent.
    replying: bool,
    /// Inside a request's body (its envelope was read).
    request_begun: bool,
    /// Where the reply goes (`None`: the requester left; the reply is dropped).
    reply_pipe: Option<Pipe>,
    envelope: Vec<Msg>,
    /// The envelope went out ahead of the reply's first part.
    reply_begun: bool,
}

impl Rep {
    fn pipe(&self, id: PipeId) -> Option<Pipe> {
        self.queue.pipes().iter().find(|pipe| pipe.id() == id).cloned()
    }
}

impl Pattern for Rep {
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
        if self.reply_pipe.as_ref().is_some_and(|pipe| pipe.id() == id) {
            self.reply_pipe = None;
        }
        self.queue.remove(id)
    }

    fn pipes(&self) -> Vec<Pipe> {
        self.queue.pipes().to_vec()
    }

    fn send(&mut self, msg: &mut Msg) -> Result<()> {
        if !self.replying {
            return Err(Errno::EFSM);
        }
        let more = msg.more();
        let part = msg.take();
        if let Some(pipe) = &self.reply_pipe {
            let mut parts = Vec::new();
            if !self.reply_begun {
                parts.append(&mut self.envelope);
            }
            parts.push(part);
            for part in parts {
                // A requester that went away or stopped reading loses its reply.
                if let Err(WriteError::Closed(_) | WriteError::Full(_)) = pipe.write(part) {
                    self.reply_pipe = None;
                    break;
                }
            }
        }
        self.reply_begun = true;
        if !more {
            self.replying = false;
            self.reply_begun = false;
            self.reply_pipe = None;
            self.envelope.clear();
        }
        Ok(())
    }

    fn recv(&mut self) -> Result<Msg> {
        if self.replying {
            return Err(Errno::EFSM);
        }
        loop {
            let (part, pipe) = self.queue.recv_from()?;
            if self.request_begun {
                if !part.more() {
                    self.request_begun = false;
                    self.replying = true;
                }
                return Ok(part);
            }
            // The envelope: frames up to the empty delimiter.
            let more = part.more();
            let delimiter = part.data().is_empty();
            self.envelope.push(part);
            if !more {
                // A request without a delimiter is malformed: dropped whole.
                self.envelope.clear();
                continue;
            }
            if delimiter {
                self.request_begun = true;
                self.reply_pipe = self.pipe(pipe);
            }
        }
    }

    fn has_in(&mut self) -> bool {
        !self.replying && self.queue.has_in()
    }

    fn has_out(&mut self) -> bool {
        self.replying
    }
}
