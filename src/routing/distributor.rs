//! Sending one message to many pipes: all of them (XSUB's subscriptions) or those a
//! publisher matched. A pipe at its high-water mark loses the message and nobody
//! waits for it; it is skipped until it has room again and a multipart message is
//! then never resumed halfway, so each subscriber gets whole messages. libzmq:
//! `dist.cpp`.
//!
//! The pipes are kept in one vector in four regions, as libzmq's `array_t`:
//! `[0, matching)` take the message being sent, `[0, active)` may take a message,
//! `[active, eligible)` got room back (or were attached) during a multipart message
//! and join at its end, `[eligible, len)` are full.
//!
//! Pipes move between regions on every message a publisher matches, so where each
//! one is lives in a plain vector (`positions`, indexed by a slot each pipe keeps
//! while attached) rather than in the map from pipe ids: a move costs two stores,
//! where updating the map cost two hash lookups (the most of a filtered publisher's
//! time in the distributor).

use crate::msg::Msg;
use crate::pipe::{Pipe, PipeId, PipeMap};

#[derive(Debug, Default)]
pub struct Distributor {
    pipes: Vec<Pipe>,
    /// `slots[i]`: the slot of `pipes[i]`.
    slots: Vec<usize>,
    /// `positions[slot]`: where the pipe of that slot is in `pipes`.
    positions: Vec<usize>,
    /// Slots of removed pipes, for reuse.
    free_slots: Vec<usize>,
    /// Each pipe's slot.
    index: PipeMap<usize>,
    matching: usize,
    active: usize,
    eligible: usize,
    /// Inside a multipart message.
    more: bool,
}

impl Distributor {
    fn swap(&mut self, a: usize, b: usize) {
        if a == b {
            return;
        }
        self.pipes.swap(a, b);
        self.slots.swap(a, b);
        self.positions[self.slots[a]] = a;
        self.positions[self.slots[b]] = b;
    }

    /// Where the pipe `id` is in `pipes`.
    fn position(&self, id: PipeId) -> Option<usize> {
        self.index.get(&id).map(|&slot| self.positions[slot])
    }

    /// Adds a pipe: active at once, or from the end of the message being sent.
    pub fn attach(&mut self, pipe: Pipe) {
        let slot = super::store_reusing(&mut self.positions, &mut self.free_slots, self.pipes.len());
        self.index.insert(pipe.id(), slot);
        self.pipes.push(pipe);
        self.slots.push(slot);
        let last = self.pipes.len() - 1;
        self.swap(last, self.eligible);
        if !self.more {
            self.swap(self.eligible, self.active);
            self.active += 1;
        }
        self.eligible += 1;
    }

    pub fn has_pipe(&self, id: PipeId) -> bool {
        self.index.contains_key(&id)
    }

    pub fn pipe(&self, id: PipeId) -> Option<&Pipe> {
        self.position(id).map(|i| &self.pipes[i])
    }

    /// Marks the pipe as taking the message being sent (if it can take messages).
    pub fn mark_matching(&mut self, id: PipeId) {
        let Some(i) = self.position(id) else { return };
        if i < self.matching || i >= self.eligible {
            return;
        }
        self.swap(i, self.matching);
        self.matching += 1;
    }

    /// Swaps matching and non-matching among the pipes that can take messages
    /// (`ZMQ_INVERT_MATCHING`).
    pub fn reverse_match(&mut self) {
        let previous = self.matching;
        self.matching = 0;
        for i in previous..self.eligible {
            self.swap(i, self.matching);
            self.matching += 1;
        }
    }

    pub fn unmatch(&mut self) {
        self.matching = 0;
    }

    /// Takes a pipe out (closed by either side).
    pub fn remove(&mut self, id: PipeId) -> Option<Pipe> {
        let mut i = self.position(id)?;
        if i < self.matching {
            self.swap(i, self.matching - 1);
            self.matching -= 1;
            i = self.matching;
        }
        if i < self.active {
            self.swap(i, self.active - 1);
            self.active -= 1;
            i = self.active;
        }
        if i < self.eligible {
            self.swap(i, self.eligible - 1);
            self.eligible -= 1;
            i = self.eligible;
        }
        let last = self.pipes.len() - 1;
        self.swap(i, last);
        if let Some(slot) = self.index.remove(&id) {
            self.free_slots.push(slot);
        }
        self.slots.pop();
        self.pipes.pop()
    }

    /// The pipe has room again. Repeated activations are harmless.
    pub fn activated(&mut self, id: PipeId) {
        let Some(i) = self.position(id) else { return };
        if i < self.eligible {
            return;
        }
        self.swap(i, self.eligible);
        self.eligible += 1;
        if !self.more {
            self.swap(self.eligible - 1, self.active);
            self.active += 1;
        }
    }

    /// Sends a part to every pipe that can take it.
    pub fn send_to_all(&mut self, msg: &mut Msg) {
        self.matching = self.active;
        self.send_to_matching(msg);
    }

    /// Sends a part to the matching pipes, taking it out of `msg`; pipes without room
    /// lose it (and the rest of the message).
    pub fn send_to_matching(&mut self, msg: &mut Msg) {
        let more = msg.more();
        let mut i = 0;
        while i < self.matching {
            // The last pipe left takes the caller's part itself (moved once).
            let written = if self.matching == 1 {
                self.pipes[i].write_from(msg)
            } else {
                self.pipes[i].write_from(&mut msg.share())
            };
            if written.is_ok() {
                i += 1;
            } else {
                // Full or closed: out of every region until it says it has room.
                self.swap(i, self.matching - 1);
                self.matching -= 1;
                self.swap(self.matching, self.active - 1);
                self.active -= 1;
                self.swap(self.active, self.eligible - 1);
                self.eligible -= 1;
            }
        }
        // Sent, or lost where there was no room: the caller's part is gone either way.
        drop(msg.take());
        self.sent_part(more);
    }

    /// Sends a part to the matching pipes if every one of them has room, else to none
    /// and returns `false`, the part left in `msg` (`ZMQ_XPUB_NODROP`); the full pipes
    /// will say when they have room again. A single matching pipe (a filtered
    /// publisher's usual case) is written at once: its write checks for room itself,
    /// under the one lock.
    pub fn send_to_matching_if_room(&mut self, msg: &mut Msg) -> bool {
        if self.matching == 1 {
            let more = msg.more();
            if self.pipes[0].write_from(msg).is_err() {
                return false;
            }
            self.sent_part(more);
            return true;
        }
        if !self.matching_have_room() {
            return false;
        }
        self.send_to_matching(msg);
        true
    }

    fn matching_have_room(&self) -> bool {
        self.pipes[..self.matching].iter().all(Pipe::check_write)
    }

    fn sent_part(&mut self, more: bool) {
        if !more {
            self.active = self.eligible;
        }
        self.more = more;
    }

    /// Every pipe.
    pub fn pipes(&self) -> &[Pipe] {
        &self.pipes
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
    fn sends_to_all_or_to_the_matching() {
        let (a_out, a_in) = pipe_pair([Limits::default(); 2]);
        let (b_out, b_in) = pipe_pair([Limits::default(); 2]);
        let mut dist = Distributor::default();
        let b_id = b_out.id();
        dist.attach(a_out);
        dist.attach(b_out);
        dist.send_to_all(&mut part(b"all", false));
        dist.unmatch();
        dist.mark_matching(b_id);
        dist.send_to_matching(&mut part(b"b", false));
        dist.unmatch();
        dist.mark_matching(b_id);
        dist.reverse_match();
        dist.send_to_matching(&mut part(b"not b", false));
        assert_eq!(drain(&a_in), [b"all".to_vec(), b"not b".to_vec()]);
        assert_eq!(drain(&b_in), [b"all".to_vec(), b"b".to_vec()]);
    }

    #[test]
    fn a_full_pipe_drops_whole_messages_until_activated() {
        let (full_out, full_in) = pipe_pair([Limits::bounded(1), Limits::default()]);
        let (free_out, free_in) = pipe_pair([Limits::default(); 2]);
        let full_id = full_out.id();
        let mut dist = Distributor::default();
        dist.attach(full_out);
        dist.attach(free_out);
        dist.send_to_all(&mut part(b"1", false));
        dist.send_to_all(&mut part(b"2a", true));
        // Room comes back in the middle of a message: the rest of it is not sent there.
        assert_eq!(drain(&full_in), [b"1".to_vec()]);
        dist.activated(full_id);
        dist.activated(full_id);
        dist.send_to_all(&mut part(b"2b", false));
        dist.send_to_all(&mut part(b"3", false));
        assert_eq!(drain(&full_in), [b"3".to_vec()]);
        assert_eq!(drain(&free_in), [b"1".to_vec(), b"2a".to_vec(), b"2b".to_vec(), b"3".to_vec()]);
    }

    #[test]
    fn without_room_in_every_matching_pipe_nothing_is_sent_and_the_part_is_kept() {
        let (full_out, full_in) = pipe_pair([Limits::bounded(1), Limits::default()]);
        let (free_out, free_in) = pipe_pair([Limits::default(); 2]);
        let (full_id, free_id) = (full_out.id(), free_out.id());
        let mut dist = Distributor::default();
        dist.attach(full_out);
        dist.attach(free_out);
        let both = |dist: &mut Distributor| {
            dist.unmatch();
            dist.mark_matching(full_id);
            dist.mark_matching(free_id);
        };
        both(&mut dist);
        assert!(dist.send_to_matching_if_room(&mut part(b"1", false)));
        both(&mut dist);
        let mut second = part(b"2", false);
        assert!(!dist.send_to_matching_if_room(&mut second), "one of two pipes is full");
        // One matching pipe: its own write finds it full.
        dist.unmatch();
        dist.mark_matching(full_id);
        assert!(!dist.send_to_matching_if_room(&mut second));
        assert_eq!(second.data(), b"2", "a refused part stays with the caller");
        assert_eq!(drain(&full_in), [b"1".to_vec()]);
        assert!(dist.send_to_matching_if_room(&mut second), "room again once read");
        assert_eq!(drain(&full_in), [b"2".to_vec()]);
        assert_eq!(drain(&free_in), [b"1".to_vec()]);
        assert_eq!(dist.pipes().len(), 2, "no pipe left its place");
    }

    /// Every attached pipe is found where it is.
    fn assert_positions(dist: &Distributor) {
        for (at, pipe) in dist.pipes().iter().enumerate() {
            assert_eq!(dist.position(pipe.id()), Some(at));
        }
        assert_eq!(dist.index.len(), dist.pipes().len());
    }

    #[test]
    fn pipes_are_found_through_moves_removals_and_reused_slots() {
        let mut dist = Distributor::default();
        let mut ends = Vec::new();
        for round in 0..5 {
            for _ in 0..4 {
                let (out, inp) = pipe_pair([Limits::default(); 2]);
                ends.push((out.id(), inp));
                dist.attach(out);
                assert_positions(&dist);
            }
            // Matching in an order of its own, sending, and removing one of them.
            let ids: Vec<PipeId> = dist.pipes().iter().map(Pipe::id).collect();
            for &id in ids.iter().rev().step_by(2) {
                dist.mark_matching(id);
                assert_positions(&dist);
            }
            dist.reverse_match();
            assert_positions(&dist);
            dist.send_to_matching(&mut part(b"m", false));
            dist.unmatch();
            let gone = ids[round % ids.len()];
            assert!(dist.remove(gone).is_some());
            assert!(dist.pipe(gone).is_none());
            assert_positions(&dist);
            dist.activated(ids[(round + 1) % ids.len()]);
            assert_positions(&dist);
        }
        assert_eq!(dist.pipes().len(), 15);
        assert!(dist.positions.len() <= 16, "slots of removed pipes are reused");
    }

    #[test]
    fn removal_keeps_the_regions_consistent() {
        let mut dist = Distributor::default();
        let mut readers = Vec::new();
        let mut ids = Vec::new();
        for _ in 0..4 {
            let (out, inp) = pipe_pair([Limits::default(); 2]);
            ids.push(out.id());
            dist.attach(out);
            readers.push(inp);
        }
        dist.mark_matching(ids[2]);
        dist.mark_matching(ids[0]);
        assert!(dist.remove(ids[0]).is_some());
        assert!(dist.remove(ids[0]).is_none());
        dist.send_to_matching(&mut part(b"m", false));
        assert_eq!(drain(&readers[2]), [b"m".to_vec()]);
        assert!(drain(&readers[1]).is_empty());
        assert!(dist.has_pipe(ids[3]) && !dist.has_pipe(ids[0]));
        assert!(dist.matching_have_room());
        assert_eq!(dist.pipes().len(), 3);
    }
}
