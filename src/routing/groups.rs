//! RADIO/DISH groups (RFC 48): which pipes joined which group, at the RADIO, and the
//! JOIN/LEAVE messages a DISH sends. Inside the engine a join or leave is the ZMTP
//! command itself (`\x04JOIN` or `\x05LEAVE` + group, flagged as a command) whatever
//! the transport, so a session passes it on unchanged. Groups match exactly (no
//! prefixes, unlike topics). libzmq: `radio.cpp` (a multimap of group to pipe),
//! `dish.cpp`.

use std::collections::HashMap;

use crate::msg::Msg;
use crate::pipe::PipeId;
use crate::zmtp;

/// The message a DISH sends to join `group`.
pub fn join_msg(group: &[u8]) -> Msg {
    zmtp::join_command(group)
}

/// The message a DISH sends to leave `group`.
pub fn leave_msg(group: &[u8]) -> Msg {
    zmtp::leave_command(group)
}

/// What a message from a DISH asks: `(true, group)` to join, `(false, group)` to
/// leave; `None` when it is neither.
pub fn membership(msg: &Msg) -> Option<(bool, &[u8])> {
    zmtp::parse_membership(msg)
}

/// A group as it came from the network, as libzmq keeps it: a C string, so it ends
/// at its first NUL byte.
pub fn group_from_wire(bytes: &[u8]) -> &[u8] {
    let end = bytes.iter().position(|&byte| byte == 0).unwrap_or(bytes.len());
    bytes.get(..end).unwrap_or_default()
}

/// A RADIO's subscribers: for each group, the pipes that joined it, once per join (a
/// pipe that joined twice must leave twice, as with libzmq's multimap).
#[derive(Debug, Default)]
pub struct GroupMembers {
    by_group: HashMap<Vec<u8>, Vec<PipeId>>,
}

impl GroupMembers {
    pub fn join(&mut self, group: &[u8], pipe: PipeId) {
        self.by_group.entry(group.to_vec()).or_default().push(pipe);
    }

    /// Takes back one join of `pipe` to `group`, if it made one.
    pub fn leave(&mut self, group: &[u8], pipe: PipeId) {
        let Some(pipes) = self.by_group.get_mut(group) else { return };
        if let Some(index) = pipes.iter().position(|&member| member == pipe) {
            pipes.swap_remove(index);
        }
        if pipes.is_empty() {
            self.by_group.remove(group);
        }
    }

    /// Forgets every join of a pipe that went away.
    pub fn remove_pipe(&mut self, pipe: PipeId) {
        self.by_group.retain(|_, pipes| {
            pipes.retain(|&member| member != pipe);
            !pipes.is_empty()
        });
    }

    /// The pipes that joined `group` (a pipe may appear more than once).
    pub fn members(&self, group: &[u8]) -> &[PipeId] {
        self.by_group.get(group).map(Vec::as_slice).unwrap_or_default()
    }

    /// How many groups have members.
    pub fn len(&self) -> usize {
        self.by_group.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_group.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipe::{pipe_pair, Limits};

    fn pipe_ids(count: usize) -> Vec<PipeId> {
        (0..count).map(|_| pipe_pair([Limits::default(); 2]).0.id()).collect()
    }

    #[test]
    fn groups_match_exactly_and_joins_count() {
        let ids = pipe_ids(2);
        let mut members = GroupMembers::default();
        members.join(b"tv", ids[0]);
        members.join(b"tv", ids[1]);
        members.join(b"tv", ids[0]);
        members.join(b"", ids[1]);
        assert_eq!(members.members(b"tv").len(), 3);
        assert!(members.members(b"t").is_empty());
        assert!(members.members(b"tv2").is_empty());
        assert_eq!(members.members(b""), [ids[1]]);
        members.leave(b"tv", ids[0]);
        assert_eq!(members.members(b"tv").iter().filter(|&&id| id == ids[0]).count(), 1);
        members.leave(b"movies", ids[0]);
        members.remove_pipe(ids[1]);
        assert_eq!(members.members(b"tv"), [ids[0]]);
        assert_eq!(members.len(), 1);
        members.leave(b"tv", ids[0]);
        assert!(members.is_empty());
    }

    #[test]
    fn membership_messages_round_trip() {
        assert_eq!(membership(&join_msg(b"Movies")), Some((true, &b"Movies"[..])));
        assert_eq!(membership(&leave_msg(b"Movies")), Some((false, &b"Movies"[..])));
        assert_eq!(membership(&Msg::from_vec(b"Movies".to_vec())), None);
    }

    #[test]
    fn wire_groups_end_at_a_nul() {
        assert_eq!(group_from_wire(b"TV"), b"TV");
        assert_eq!(group_from_wire(b"T\0V"), b"T");
        assert_eq!(group_from_wire(b""), b"");
    }
}
