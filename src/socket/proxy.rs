//! zmq_proxy(3) and zmq_proxy_steerable(3): messages go from the frontend to the
//! backend and back, whole, each copied to the capture socket if there is one; a
//! control socket can pause, resume and stop the proxy and ask for its statistics.
//! libzmq: `proxy.cpp`.
//!
//! A side's messages move only while the other side can take them, in bursts, so a
//! slow peer on one side holds back that direction alone and the proxy never spins:
//! it sleeps on what would let it move again.

use core::ffi::{c_long, c_short};

use super::poll::{poll, PollItem};
use super::Socket;
use crate::constants::{ZMQ_DONTWAIT, ZMQ_POLLIN, ZMQ_POLLOUT, ZMQ_REP, ZMQ_SNDMORE};
use crate::error::{Errno, Result};
use crate::msg::Msg;

/// Messages moved one way before looking at the other way and the control socket.
const BURST: usize = 1000;

const POLLIN: c_short = ZMQ_POLLIN as c_short;
const POLLOUT: c_short = ZMQ_POLLOUT as c_short;

/// Counts of one socket's traffic through the proxy.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Traffic {
    pub messages: u64,
    pub bytes: u64,
}

impl Traffic {
    fn count(&mut self, part: &Msg) {
        self.messages += 1;
        self.bytes += part.data().len() as u64;
    }
}

/// What `STATISTICS` reports, in its order: each side received, then sent.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Statistics {
    pub frontend_received: Traffic,
    pub frontend_sent: Traffic,
    pub backend_received: Traffic,
    pub backend_sent: Traffic,
}

impl Statistics {
    /// The eight 64-bit values of libzmq's reply, in native byte order.
    fn values(&self) -> [u64; 8] {
        let traffic = [self.frontend_received, self.frontend_sent, self.backend_received, self.backend_sent];
        let mut values = [0; 8];
        for (pair, traffic) in values.chunks_exact_mut(2).zip(traffic) {
            pair[0] = traffic.messages;
            pair[1] = traffic.bytes;
        }
        values
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Active,
    Paused,
    Terminated,
}

/// The sockets of one proxy.
#[derive(Debug)]
pub struct Proxy<'a> {
    pub frontend: &'a Socket,
    pub backend: &'a Socket,
    pub capture: Option<&'a Socket>,
    pub control: Option<&'a Socket>,
}

impl Proxy<'_> {
    /// Runs until the control socket says `TERMINATE` (`Ok`) or a socket fails
    /// (`ETERM` when the context is shut down, as libzmq returns).
    pub fn run(&self) -> Result<()> {
        let mut state = State::Active;
        let mut statistics = Statistics::default();
        let single = self.frontend.same_as(self.backend);
        while state != State::Terminated {
            if let Some(control) = self.control {
                if control.events()? & POLLIN != 0 {
                    state = self.obey(control, state, &statistics)?;
                    continue;
                }
            }
            let frontend = self.frontend.events()?;
            let backend = if single { frontend } else { self.backend.events()? };
            let mut moved = false;
            if state == State::Active {
                // A socket that is both ends answers itself: a REP can reply only
                // once it has read the request, so its input alone decides.
                if frontend & POLLIN != 0 && (single || backend & POLLOUT != 0) {
                    let (received, sent) = (&mut statistics.frontend_received, &mut statistics.backend_sent);
                    self.forward(self.frontend, self.backend, received, sent)?;
                    moved = true;
                }
                if !single && backend & POLLIN != 0 && frontend & POLLOUT != 0 {
                    let (received, sent) = (&mut statistics.backend_received, &mut statistics.frontend_sent);
                    self.forward(self.backend, self.frontend, received, sent)?;
                    moved = true;
                }
            }
            if !moved {
                self.wait(state, frontend, backend, single)?;
            }
        }
        Ok(())
    }

    /// Sleeps until something could move: input on a side with none pending, room
    /// on a side whose counterpart has input waiting, or a control command.
    fn wait(&self, state: State, frontend: c_short, backend: c_short, single: bool) -> Result<()> {
        let mut items = Vec::with_capacity(3);
        if state == State::Active {
            let wanted = |own: c_short, other: c_short| {
                let input = if own & POLLIN == 0 { POLLIN } else { 0 };
                let room = if other & POLLIN != 0 && own & POLLOUT == 0 { POLLOUT } else { 0 };
                input | room
            };
            items.push(item(self.frontend, wanted(frontend, backend)));
            if !single {
                items.push(item(self.backend, wanted(backend, frontend)));
            }
        }
        if let Some(control) = self.control {
            items.push(item(control, POLLIN));
        }
        poll(&mut items, -1 as c_long, None).map(drop)
    }

    /// Moves up to a burst of whole messages from `from` to `to`.
    fn forward(&self, from: &Socket, to: &Socket, received: &mut Traffic, sent: &mut Traffic) -> Result<()> {
        for _ in 0..BURST {
            let mut part = match from.recv(ZMQ_DONTWAIT) {
                Ok(part) => part,
                Err(Errno::EAGAIN) => return Ok(()),
                Err(error) => return Err(error),
            };
            loop {
                received.count(&part);
                let more = part.more();
                let flags = if more { ZMQ_SNDMORE } else { 0 };
                if let Some(capture) = self.capture {
                    capture.send(&mut part.share(), flags)?;
                }
                sent.count(&part);
                to.send(&mut part, flags)?;
                if !more {
                    break;
                }
                // The rest of a message is there already: parts travel together.
                part = from.recv(0)?;
            }
        }
        Ok(())
    }

    /// Acts on one control command. An unknown command changes nothing; a REP
    /// control socket is answered with an empty message (except for `STATISTICS`,
    /// which is the answer), as libzmq does.
    fn obey(&self, control: &Socket, state: State, statistics: &Statistics) -> Result<State> {
        let command = control.recv(ZMQ_DONTWAIT)?;
        if command.data() == b"STATISTICS" {
            let values = statistics.values();
            for (index, value) in values.iter().enumerate() {
                let flags = if index + 1 < values.len() { ZMQ_SNDMORE } else { 0 };
                control.send(&mut Msg::from_slice(&value.to_ne_bytes())?, flags)?;
            }
            return Ok(state);
        }
        let next = match command.data() {
            b"PAUSE" => State::Paused,
            b"RESUME" => State::Active,
            b"TERMINATE" => State::Terminated,
            _ => state,
        };
        if control.socket_type() == ZMQ_REP {
            control.send(&mut Msg::new(), 0)?;
        }
        Ok(next)
    }
}

fn item(socket: &Socket, events: c_short) -> PollItem {
    PollItem { socket: Some(socket.clone()), fd: -1, events, revents: 0 }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statistics_come_in_libzmqs_order() {
        let statistics = Statistics {
            frontend_received: Traffic { messages: 1, bytes: 2 },
            frontend_sent: Traffic { messages: 3, bytes: 4 },
            backend_received: Traffic { messages: 5, bytes: 6 },
            backend_sent: Traffic { messages: 7, bytes: 8 },
        };
        assert_eq!(statistics.values(), [1, 2, 3, 4, 5, 6, 7, 8]);
    }
}
