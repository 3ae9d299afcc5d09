//! DGRAM: datagrams over udp, each message two parts, the peer's address
//! (`a.b.c.d:port`) and the body, both ways. One endpoint only: a pipe attached
//! after the first is closed at once. libzmq: `dgram.cpp`.

use super::pattern::Pattern;
use crate::error::{Errno, Result};
use crate::msg::Msg;
use crate::pipe::{Pipe, PipeId, Read, WriteError};

#[derive(Debug, Default)]
pub struct Dgram {
    pipe: Option<Pipe>,
    /// The address part was sent: the body comes next.
    more_out: bool,
}

impl Dgram {
    fn is_ours(&self, id: PipeId) -> bool {
        self.pipe.as_ref().is_some_and(|pipe| pipe.id() == id)
    }
}

impl Pattern for Dgram {
    fn attach(&mut self, pipe: Pipe) {
        if self.pipe.is_none() {
            self.pipe = Some(pipe);
        } else {
            pipe.close();
        }
    }

    fn read_activated(&mut self, _id: PipeId) {}

    fn write_activated(&mut self, _id: PipeId) {}

    fn peer_closed(&mut self, id: PipeId) {
        if self.is_ours(id) {
            self.pipe = None;
        }
    }

    fn remove(&mut self, id: PipeId) -> Option<Pipe> {
        if self.is_ours(id) {
            self.pipe.take()
        } else {
            None
        }
    }

    fn pipes(&self) -> Vec<Pipe> {
        self.pipe.iter().cloned().collect()
    }

    fn send(&mut self, msg: &mut Msg) -> Result<()> {
        let Some(pipe) = &self.pipe else {
            // Nowhere to send: dropped, as libzmq means to (it then aborts on the
            // message it already closed).
            drop(msg.take());
            return Ok(());
        };
        // Two parts: the address with MORE, then the body without.
        if msg.more() == self.more_out {
            return Err(Errno::EINVAL);
        }
        match pipe.write(msg.take()) {
            Ok(()) | Err(WriteError::Closed(_)) => {}
            Err(WriteError::Full(back)) => {
                *msg = back;
                return Err(Errno::EAGAIN);
            }
        }
        self.more_out = !self.more_out;
        Ok(())
    }

    fn recv(&mut self) -> Result<Msg> {
        match self.pipe.as_ref().map(Pipe::read) {
            Some(Read::Msg(msg)) => Ok(msg),
            _ => Err(Errno::EAGAIN),
        }
    }

    fn has_in(&mut self) -> bool {
        self.pipe.as_ref().is_some_and(Pipe::check_read)
    }

    fn has_out(&mut self) -> bool {
        self.pipe.as_ref().is_some_and(Pipe::check_write)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::msg::part;
    use crate::pipe::{pipe_pair, Limits};

    #[test]
    fn two_parts_each_way() {
        let mut dgram = Dgram::default();
        assert!(!dgram.has_out());
        dgram.send(&mut part(b"dropped", false)).unwrap();
        let (end, endpoint) = pipe_pair([Limits::default(); 2]);
        dgram.attach(end);
        assert!(dgram.has_out() && !dgram.has_in());
        // The address part must have MORE, the body must not.
        assert_eq!(dgram.send(&mut part(b"127.0.0.1:5", false)), Err(Errno::EINVAL));
        dgram.send(&mut part(b"127.0.0.1:5", true)).unwrap();
        let mut more = part(b"body", true);
        assert_eq!(dgram.send(&mut more), Err(Errno::EINVAL));
        assert_eq!(more.data(), b"body");
        dgram.send(&mut part(b"body", false)).unwrap();
        let Read::Msg(address) = endpoint.read() else { panic!("address part") };
        let Read::Msg(body) = endpoint.read() else { panic!("body") };
        assert_eq!((address.data(), address.more(), body.data()), (&b"127.0.0.1:5"[..], true, &b"body"[..]));
        endpoint.write(part(b"10.0.0.1:7\0", true)).unwrap();
        endpoint.write(part(b"reply", false)).unwrap();
        assert!(dgram.has_in());
        assert_eq!(dgram.recv().unwrap().data(), b"10.0.0.1:7\0");
        assert_eq!(dgram.recv().unwrap().data(), b"reply");
        assert_eq!(dgram.recv().unwrap_err(), Errno::EAGAIN);
    }

    #[test]
    fn one_endpoint_only() {
        let mut dgram = Dgram::default();
        let (first, _first_peer) = pipe_pair([Limits::default(); 2]);
        let (second, second_peer) = pipe_pair([Limits::default(); 2]);
        let first_id = first.id();
        dgram.attach(first);
        dgram.attach(second);
        assert!(matches!(second_peer.read(), Read::Ended));
        assert_eq!(dgram.pipes().len(), 1);
        dgram.peer_closed(first_id);
        assert!(dgram.pipes().is_empty());
    }
}
