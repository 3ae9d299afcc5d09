//! A socket's command queue and its wake-up signal (whose descriptor is `ZMQ_FD`).
//! Pipes and the context post commands; the socket drains them whenever it is used.
//! libzmq: `mailbox.cpp`, `command.hpp`.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};

use parking_lot::Mutex;

use crate::error::Result;
use crate::pipe::{Pipe, PipeId};
use crate::reactor::signaler::Signaler;

/// What can be asked of a socket by its peers and its context. Typed and owned: no
/// raw pointers travel between threads.
#[derive(Debug)]
pub enum Command {
    /// A pipe that was empty has a complete message again.
    ActivateRead(PipeId),
    /// A pipe that was full has room again.
    ActivateWrite(PipeId),
    /// The peer closed its end of this pipe.
    PipeTerm(PipeId),
    /// A new pipe from an inproc connection to an endpoint this socket bound.
    Attach(Pipe),
    /// The context is shutting down: blocking calls return `ETERM`.
    Stop,
}

/// A socket's command queue; its signal is raised while commands are pending.
#[derive(Debug)]
pub struct Mailbox {
    commands: Mutex<VecDeque<Command>>,
    /// Commands are pending: lets `drain` skip the lock on the (hot) empty path.
    pending: AtomicBool,
    signaler: Signaler,
}

impl Mailbox {
    pub fn new() -> Result<Mailbox> {
        Ok(Mailbox {
            commands: Mutex::new(VecDeque::new()),
            pending: AtomicBool::new(false),
            signaler: Signaler::new()?,
        })
    }

    /// Posts a command; raises the signal when the queue was empty.
    pub fn send(&self, command: Command) {
        let mut commands = self.commands.lock();
        if commands.is_empty() {
            // Raised under the lock, so it cannot be lost to a concurrent `drain`.
            self.signaler.raise();
            self.pending.store(true, Ordering::Release);
        }
        commands.push_back(command);
    }

    /// Takes every pending command and clears the signal.
    pub fn drain(&self) -> VecDeque<Command> {
        if !self.pending.load(Ordering::Acquire) {
            return VecDeque::new();
        }
        let mut commands = self.commands.lock();
        self.pending.store(false, Ordering::Release);
        if commands.is_empty() {
            return VecDeque::new();
        }
        self.signaler.clear();
        std::mem::take(&mut *commands)
    }

    pub fn signaler(&self) -> &Signaler {
        &self.signaler
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn the_signal_follows_pending_commands() {
        let mailbox = Mailbox::new().unwrap();
        assert!(!mailbox.signaler().wait(Some(Duration::ZERO)).unwrap());
        mailbox.send(Command::Stop);
        mailbox.send(Command::Stop);
        assert!(mailbox.signaler().wait(Some(Duration::ZERO)).unwrap());
        assert_eq!(mailbox.drain().len(), 2);
        assert!(!mailbox.signaler().wait(Some(Duration::ZERO)).unwrap());
        assert!(mailbox.drain().is_empty());
    }
}
