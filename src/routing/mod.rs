//! How patterns spread messages over their pipes: round-robin sending to the pipes
//! that have room, fair-queued receiving from the pipes that have messages, sending
//! to every (matching) pipe, the subscription tries that say which match, and the
//! RADIO/DISH groups. libzmq: `lb.cpp`, `fq.cpp`, `dist.cpp`, `trie.cpp`, `mtrie.cpp`.

pub mod distributor;
pub mod fair_queue;
pub mod groups;
pub mod load_balancer;
pub mod subscriptions;
pub mod upstream;

use crate::pipe::{Pipe, PipeId};

/// Stores `value` in a slot of `items` that `free` lists (its last), or in a new
/// one at the end; returns the slot. The arenas here (trie nodes, the
/// distributor's positions) reuse what was freed rather than grow.
fn store_reusing<T>(items: &mut Vec<T>, free: &mut Vec<usize>, value: T) -> usize {
    match free.pop() {
        Some(slot) => {
            items[slot] = value;
            slot
        }
        None => {
            items.push(value);
            items.len() - 1
        }
    }
}

/// Pipes kept with the active ones first, as libzmq's `array_t` with an active prefix.
#[derive(Debug, Default)]
struct ActiveSet {
    pipes: Vec<Pipe>,
    active: usize,
}

impl ActiveSet {
    fn position(&self, id: PipeId) -> Option<usize> {
        self.pipes.iter().position(|pipe| pipe.id() == id)
    }

    /// Adds a pipe as active.
    fn attach(&mut self, pipe: Pipe) {
        self.pipes.push(pipe);
        let last = self.pipes.len() - 1;
        self.pipes.swap(last, self.active);
        self.active += 1;
    }

    /// Moves the pipe back into the active prefix.
    fn activate(&mut self, id: PipeId) {
        if let Some(index) = self.position(id) {
            if index >= self.active {
                self.pipes.swap(index, self.active);
                self.active += 1;
            }
        }
    }

    /// Moves the active pipe at `index` out of the active prefix.
    fn deactivate(&mut self, index: usize) {
        if index < self.active {
            self.active -= 1;
            self.pipes.swap(index, self.active);
        }
    }

    /// Removes a pipe, keeping the active prefix intact.
    fn remove(&mut self, id: PipeId) -> Option<Pipe> {
        let index = self.position(id)?;
        if index < self.active {
            self.active -= 1;
            self.pipes.swap(index, self.active);
            // The last inactive pipe (if any) fills the hole, staying inactive.
            Some(self.pipes.swap_remove(self.active))
        } else {
            Some(self.pipes.swap_remove(index))
        }
    }

    /// The active pipe after `index`, wrapping round (no division on the hot path).
    fn next_after(&self, index: usize) -> usize {
        if index + 1 >= self.active {
            0
        } else {
            index + 1
        }
    }

    fn is_empty(&self) -> bool {
        self.pipes.is_empty()
    }

    /// Whether some active pipe, starting at `*current`, passes `ready`; the ones
    /// that do not are set aside (their peers wake us), and `*current` is left on the
    /// one that does.
    fn any_ready(&mut self, current: &mut usize, ready: impl Fn(&Pipe) -> bool) -> bool {
        while self.active > 0 {
            if ready(&self.pipes[*current]) {
                return true;
            }
            self.deactivate(*current);
            if *current >= self.active {
                *current = 0;
            }
        }
        false
    }
}
