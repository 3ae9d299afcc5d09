//! DISH: receives, fair-queued, the messages of the groups it joined (`zmq_join`);
//! its joins and leaves go to every RADIO, and all of them again to each RADIO that
//! attaches later. The RADIO filters, and so does the DISH, since a RADIO may have
//! sent before it heard of a leave. Nothing is sent. libzmq: `dish.cpp`.

use std::collections::BTreeSet;

use super::pattern::Pattern;
use crate::constants::ZMQ_GROUP_MAX_LENGTH;
use crate::error::{Errno, Result};
use crate::msg::Msg;
use crate::pipe::{Pipe, PipeId};
use crate::routing::groups::{join_msg, leave_msg};
use crate::routing::upstream::Upstream;

#[derive(Debug, Default)]
pub struct Dish {
    /// Messages in from the publishers; subscriptions (joins) out to them.
    upstream: Upstream,
    groups: BTreeSet<Vec<u8>>,
    /// A message of a joined group that `has_in` already took from the queue.
    prefetched: Option<Msg>,
}

/// A group as `zmq_join` takes it: at most `ZMQ_GROUP_MAX_LENGTH` bytes, and a C
/// string (no NUL inside).
fn check_group(group: &[u8]) -> Result<()> {
    if group.len() > ZMQ_GROUP_MAX_LENGTH as usize || group.contains(&0) {
        return Err(Errno::EINVAL);
    }
    Ok(())
}

impl Dish {
    /// The next message of a joined group; the others are dropped.
    fn next_joined(&mut self) -> Result<Msg> {
        loop {
            let msg = self.upstream.queue.recv()?;
            let group = msg.group().map(|group| group.to_bytes()).unwrap_or_default();
            if self.groups.contains(group) {
                return Ok(msg);
            }
        }
    }
}

impl Pattern for Dish {
    fn attach(&mut self, pipe: Pipe) {
        // The new RADIO hears of every group; one with no room loses them, as a join
        // written at the high-water mark is lost in libzmq.
        for group in &self.groups {
            let _ = pipe.write(join_msg(group));
        }
        self.upstream.attach(pipe);
    }

    fn read_activated(&mut self, id: PipeId) {
        self.upstream.read_activated(id);
    }

    fn write_activated(&mut self, id: PipeId) {
        self.upstream.write_activated(id);
    }

    fn peer_closed(&mut self, id: PipeId) {
        self.upstream.peer_closed(id);
    }

    fn remove(&mut self, id: PipeId) -> Option<Pipe> {
        self.upstream.remove(id)
    }

    fn pipes(&self) -> Vec<Pipe> {
        self.upstream.pipes()
    }

    fn send(&mut self, _msg: &mut Msg) -> Result<()> {
        Err(Errno::ENOTSUP)
    }

    fn recv(&mut self) -> Result<Msg> {
        match self.prefetched.take() {
            Some(msg) => Ok(msg),
            None => self.next_joined(),
        }
    }

    fn has_in(&mut self) -> bool {
        if self.prefetched.is_none() {
            self.prefetched = self.next_joined().ok();
        }
        self.prefetched.is_some()
    }

    fn has_out(&mut self) -> bool {
        // Joins and leaves can be made at any time.
        true
    }

    fn join(&mut self, group: &[u8]) -> Result<()> {
        check_group(group)?;
        // Joining a group twice is an error, as in libzmq.
        if !self.groups.insert(group.to_vec()) {
            return Err(Errno::EINVAL);
        }
        self.upstream.dist.send_to_all(&mut join_msg(group));
        Ok(())
    }

    fn leave(&mut self, group: &[u8]) -> Result<()> {
        check_group(group)?;
        if !self.groups.remove(group) {
            return Err(Errno::EINVAL);
        }
        self.upstream.dist.send_to_all(&mut leave_msg(group));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipe::{pipe_pair, Limits, Read};
    use crate::routing::groups::membership;

    fn group_msg(group: &[u8], body: &[u8]) -> Msg {
        let mut msg = Msg::from_slice(body).unwrap();
        msg.set_group(group).unwrap();
        msg
    }

    fn memberships(pipe: &Pipe) -> Vec<(bool, Vec<u8>)> {
        std::iter::from_fn(|| match pipe.read() {
            Read::Msg(msg) => membership(&msg).map(|(join, group)| (join, group.to_vec())),
            _ => None,
        })
        .collect()
    }

    #[test]
    fn join_and_leave_rules() {
        let mut dish = Dish::default();
        assert_eq!(dish.leave(b"Movies"), Err(Errno::EINVAL), "not joined");
        dish.join(b"Movies").unwrap();
        assert_eq!(dish.join(b"Movies"), Err(Errno::EINVAL), "joined twice");
        dish.join(&[b'A'; 255]).unwrap();
        assert_eq!(dish.join(&[b'A'; 256]), Err(Errno::EINVAL));
        assert_eq!(dish.join(b"a\0b"), Err(Errno::EINVAL));
        dish.join(b"").unwrap();
        dish.leave(b"Movies").unwrap();
        assert_eq!(dish.leave(b"Movies"), Err(Errno::EINVAL));
        assert_eq!(dish.send(&mut Msg::new()), Err(Errno::ENOTSUP));
    }

    #[test]
    fn radios_hear_every_join_and_leave() {
        let mut dish = Dish::default();
        dish.join(b"early").unwrap();
        let (end, radio) = pipe_pair([Limits::default(); 2]);
        dish.attach(end);
        dish.join(b"late").unwrap();
        dish.leave(b"early").unwrap();
        assert_eq!(
            memberships(&radio),
            [(true, b"early".to_vec()), (true, b"late".to_vec()), (false, b"early".to_vec())]
        );
    }

    #[test]
    fn only_joined_groups_are_received() {
        let mut dish = Dish::default();
        let (end, radio) = pipe_pair([Limits::default(); 2]);
        dish.attach(end.clone());
        dish.join(b"TV").unwrap();
        radio.write(group_msg(b"Movies", b"Godfather")).unwrap();
        radio.write(group_msg(b"TV", b"Friends")).unwrap();
        radio.write(Msg::from_slice(b"no group").unwrap()).unwrap();
        dish.read_activated(end.id());
        assert!(dish.has_in());
        let msg = dish.recv().unwrap();
        assert_eq!((msg.data(), msg.group().unwrap().to_bytes()), (&b"Friends"[..], &b"TV"[..]));
        assert!(!dish.has_in());
        assert_eq!(dish.recv().unwrap_err(), Errno::EAGAIN);
    }
}
