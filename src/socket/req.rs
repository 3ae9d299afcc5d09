//! REQ: strictly alternating send and receive; each request goes to the next peer
//! behind an empty delimiter frame, and only that peer's reply is taken.
//! libzmq: `req.cpp`.

use core::ffi::c_int;

use super::dealer::Dealer;
use super::pattern::{bool_option, Pattern};
use crate::constants::{ZMQ_REQ_CORRELATE, ZMQ_REQ_RELAXED};
use crate::error::{Errno, Result};
use crate::msg::Msg;
use crate::pipe::{Pipe, PipeId};

#[derive(Debug, Default)]
pub struct Req {
    dealer: Dealer,
    /// A request is out; only a reply may be received.
    awaiting_reply: bool,
    /// The next part sent starts a request (its delimiter goes first).
    request_begins: bool,
    /// Inside a received reply (its delimiter was checked).
    reply_begun: bool,
    /// The pipe the request went to; replies from elsewhere are dropped.
    reply_pipe: Option<PipeId>,
    request_id: u32,
    relaxed: bool,
    correlate: bool,
}

impl Req {
    pub fn new() -> Req {
        Req { request_begins: true, request_id: std::process::id(), ..Req::default() }
    }

    /// Sends one envelope part ahead of the request, to the pipe that takes it.
    fn send_envelope_part(&mut self, bytes: &[u8]) -> Result<Option<PipeId>> {
        let mut part = Msg::from_slice(bytes)?;
        part.set_more(true);
        self.dealer.balancer.send_tracked(&mut part)
    }

    /// Drops the rest of a reply that is not for us.
    fn skip_message(&mut self, mut more: bool) -> Result<()> {
        while more {
            more = self.dealer.queue.recv()?.more();
        }
        Ok(())
    }
}

impl Pattern for Req {
    fn attach(&mut self, pipe: Pipe) {
        self.dealer.attach(pipe);
    }

    fn read_activated(&mut self, id: PipeId) {
        self.dealer.read_activated(id);
    }

    fn write_activated(&mut self, id: PipeId) {
        self.dealer.write_activated(id);
    }

    fn peer_closed(&mut self, id: PipeId) {
        self.dealer.peer_closed(id);
    }

    fn remove(&mut self, id: PipeId) -> Option<Pipe> {
        if self.reply_pipe == Some(id) {
            self.reply_pipe = None;
        }
        self.dealer.remove(id)
    }

    fn pipes(&self) -> Vec<Pipe> {
        self.dealer.pipes()
    }

    fn send(&mut self, msg: &mut Msg) -> Result<()> {
        if self.awaiting_reply {
            if !self.relaxed {
                return Err(Errno::EFSM);
            }
            // ZMQ_REQ_RELAXED: give up on the outstanding reply.
            self.awaiting_reply = false;
            self.request_begins = true;
            self.reply_pipe = None;
        }
        if self.request_begins {
            if !self.dealer.balancer.has_out() {
                return Err(Errno::EAGAIN);
            }
            self.request_id = self.request_id.wrapping_add(1);
            if self.correlate {
                let id = self.request_id.to_ne_bytes();
                self.reply_pipe = self.send_envelope_part(&id)?;
                self.send_envelope_part(&[])?;
            } else {
                self.reply_pipe = self.send_envelope_part(&[])?;
            }
            self.request_begins = false;
        }
        let more = msg.more();
        self.dealer.balancer.send(msg)?;
        if !more {
            self.awaiting_reply = true;
            self.request_begins = true;
            self.reply_begun = false;
        }
        Ok(())
    }

    fn recv(&mut self) -> Result<Msg> {
        if !self.awaiting_reply {
            return Err(Errno::EFSM);
        }
        loop {
            let (part, pipe) = self.dealer.queue.recv_from()?;
            if !self.reply_begun {
                let ours = self.reply_pipe.is_none_or(|reply| reply == pipe);
                // With ZMQ_REQ_CORRELATE the reply starts with our request id.
                let id_ok = !self.correlate || (part.data() == self.request_id.to_ne_bytes() && part.more());
                if !ours || !id_ok {
                    self.skip_message(part.more())?;
                    continue;
                }
                let delimiter = if self.correlate { self.dealer.queue.recv()? } else { part };
                if !delimiter.data().is_empty() || !delimiter.more() {
                    self.skip_message(delimiter.more())?;
                    continue;
                }
                self.reply_begun = true;
                continue;
            }
            if !part.more() {
                self.awaiting_reply = false;
                self.reply_begun = false;
            }
            return Ok(part);
        }
    }

    fn has_in(&mut self) -> bool {
        self.awaiting_reply && self.dealer.has_in()
    }

    fn has_out(&mut self) -> bool {
        (!self.awaiting_reply || self.relaxed) && self.dealer.has_out()
    }

    fn set_option(&mut self, option: c_int, value: Option<&[u8]>) -> Option<Result<()>> {
        let flag = match option {
            ZMQ_REQ_RELAXED => &mut self.relaxed,
            ZMQ_REQ_CORRELATE => &mut self.correlate,
            _ => return None,
        };
        Some(bool_option(value).map(|on| *flag = on))
    }
}
