//! RADIO: sends each message to the peers that joined its group (exact match; a
//! message without a group is in the empty group), and to every udp endpoint, which
//! cannot join. A peer without room loses the message, unless `ZMQ_XPUB_NODROP`
//! (then `EAGAIN`). Single-part only; nothing is received. libzmq: `radio.cpp`.

use core::ffi::c_int;

use super::pattern::{bool_option, Pattern};
use crate::constants::ZMQ_XPUB_NODROP;
use crate::error::{Errno, Result};
use crate::msg::Msg;
use crate::pipe::{Pipe, PipeId, Read};
use crate::routing::distributor::Distributor;
use crate::routing::groups::{membership, GroupMembers};

#[derive(Debug)]
pub struct Radio {
    dist: Distributor,
    members: GroupMembers,
    /// The pipes of udp endpoints: they take every message.
    unfiltered: Vec<PipeId>,
    /// `ZMQ_XPUB_NODROP` off.
    lossy: bool,
}

impl Default for Radio {
    fn default() -> Radio {
        Radio {
            dist: Distributor::default(),
            members: GroupMembers::default(),
            unfiltered: Vec::new(),
            lossy: true,
        }
    }
}

impl Radio {
    /// Applies the joins and leaves a DISH sent; anything else from it is dropped.
    fn read_from(&mut self, id: PipeId) {
        let Some(pipe) = self.dist.pipe(id).cloned() else { return };
        while let Read::Msg(msg) = pipe.read() {
            match membership(&msg) {
                Some((true, group)) => self.members.join(group, id),
                Some((false, group)) => self.members.leave(group, id),
                None => {}
            }
        }
    }

    fn forget(&mut self, id: PipeId) {
        self.members.remove_pipe(id);
        self.unfiltered.retain(|&pipe| pipe != id);
    }
}

impl Pattern for Radio {
    fn attach(&mut self, pipe: Pipe) {
        let id = pipe.id();
        self.dist.attach(pipe);
        // A DISH's joins may already be waiting.
        self.read_from(id);
    }

    fn attach_unfiltered(&mut self, pipe: Pipe) {
        self.unfiltered.push(pipe.id());
        self.dist.attach(pipe);
    }

    fn read_activated(&mut self, id: PipeId) {
        self.read_from(id);
    }

    fn write_activated(&mut self, id: PipeId) {
        self.dist.activated(id);
    }

    fn peer_closed(&mut self, id: PipeId) {
        self.forget(id);
        self.dist.remove(id);
    }

    fn remove(&mut self, id: PipeId) -> Option<Pipe> {
        self.forget(id);
        self.dist.remove(id)
    }

    fn pipes(&self) -> Vec<Pipe> {
        self.dist.pipes().to_vec()
    }

    fn send(&mut self, msg: &mut Msg) -> Result<()> {
        if msg.more() {
            return Err(Errno::EINVAL);
        }
        self.dist.unmatch();
        let group = msg.group().map(|group| group.to_bytes()).unwrap_or_default();
        for &pipe in self.members.members(group).iter().chain(&self.unfiltered) {
            self.dist.mark_matching(pipe);
        }
        if self.lossy {
            self.dist.send_to_matching(msg);
        } else if !self.dist.send_to_matching_if_room(msg) {
            return Err(Errno::EAGAIN);
        }
        Ok(())
    }

    fn recv(&mut self) -> Result<Msg> {
        Err(Errno::ENOTSUP)
    }

    fn has_in(&mut self) -> bool {
        false
    }

    fn has_out(&mut self) -> bool {
        true
    }

    fn set_option(&mut self, option: c_int, value: Option<&[u8]>) -> Option<Result<()>> {
        if option != ZMQ_XPUB_NODROP {
            return None;
        }
        Some(bool_option(value).map(|on| self.lossy = !on))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipe::{pipe_pair, Limits};
    use crate::routing::groups::{join_msg, leave_msg};

    fn group_msg(group: &[u8], body: &[u8]) -> Msg {
        let mut msg = Msg::from_slice(body).unwrap();
        msg.set_group(group).unwrap();
        msg
    }

    fn bodies(pipe: &Pipe) -> Vec<Vec<u8>> {
        std::iter::from_fn(|| match pipe.read() {
            Read::Msg(msg) => Some(msg.data().to_vec()),
            _ => None,
        })
        .collect()
    }

    #[test]
    fn messages_go_to_the_members_of_their_group() {
        let mut radio = Radio::default();
        let (tv_end, tv) = pipe_pair([Limits::default(); 2]);
        let (movies_end, movies) = pipe_pair([Limits::default(); 2]);
        let (udp_end, udp) = pipe_pair([Limits::default(); 2]);
        tv.write(join_msg(b"TV")).unwrap();
        radio.attach(tv_end);
        radio.attach(movies_end.clone());
        radio.attach_unfiltered(udp_end);
        movies.write(join_msg(b"Movies")).unwrap();
        radio.read_activated(movies_end.id());
        radio.send(&mut group_msg(b"TV", b"Friends")).unwrap();
        radio.send(&mut group_msg(b"Movies", b"Godfather")).unwrap();
        radio.send(&mut group_msg(b"Mov", b"prefix")).unwrap();
        radio.send(&mut Msg::from_slice(b"no group").unwrap()).unwrap();
        assert_eq!(bodies(&tv), [b"Friends".to_vec()]);
        assert_eq!(bodies(&movies), [b"Godfather".to_vec()]);
        assert_eq!(bodies(&udp).len(), 4);
        movies.write(leave_msg(b"Movies")).unwrap();
        radio.read_activated(movies_end.id());
        radio.send(&mut group_msg(b"Movies", b"Casablanca")).unwrap();
        assert!(bodies(&movies).is_empty());
        assert_eq!(radio.recv().unwrap_err(), Errno::ENOTSUP);
        let mut more = group_msg(b"TV", b"part");
        more.set_more(true);
        assert_eq!(radio.send(&mut more).unwrap_err(), Errno::EINVAL);
    }

    #[test]
    fn nodrop_refuses_instead_of_dropping() {
        let mut radio = Radio::default();
        let (end, dish) = pipe_pair([Limits::bounded(1), Limits::default()]);
        dish.write(join_msg(b"g")).unwrap();
        radio.attach(end.clone());
        radio.send(&mut group_msg(b"g", b"1")).unwrap();
        radio.send(&mut group_msg(b"g", b"dropped")).unwrap();
        assert_eq!(bodies(&dish), [b"1".to_vec()]);
        radio.write_activated(end.id());
        assert_eq!(radio.set_option(ZMQ_XPUB_NODROP, Some(&1i32.to_ne_bytes())), Some(Ok(())));
        radio.send(&mut group_msg(b"g", b"2")).unwrap();
        let mut kept = group_msg(b"g", b"kept");
        assert_eq!(radio.send(&mut kept).unwrap_err(), Errno::EAGAIN);
        assert_eq!(kept.data(), b"kept");
        assert_eq!(bodies(&dish), [b"2".to_vec()]);
        assert_eq!(radio.set_option(ZMQ_XPUB_NODROP, Some(&(-1i32).to_ne_bytes())), Some(Err(Errno::EINVAL)));
        assert_eq!(radio.set_option(crate::constants::ZMQ_XPUB_VERBOSE, Some(&1i32.to_ne_bytes())), None);
    }
}
