//! What differs between socket types: how messages are routed over pipes.
//! libzmq: the `x*` virtual methods of `socket_base.hpp`.

use core::ffi::c_int;
use core::fmt::Debug;

use crate::error::{Errno, Result};
use crate::msg::Msg;
use crate::options::{codec, SocketOptions};
use crate::pipe::{Pipe, PipeId};

/// A messaging pattern over a set of pipes. Every method is non-blocking: blocking,
/// timeouts and termination are the socket's business.
pub trait Pattern: Send + Debug {
    /// A new pipe to a peer.
    fn attach(&mut self, pipe: Pipe);
    /// A new pipe that takes every message, whatever its peer subscribed to (libzmq's
    /// `subscribe_to_all`: a udp endpoint, which has no way to subscribe).
    fn attach_unfiltered(&mut self, pipe: Pipe) {
        self.attach(pipe);
    }
    /// A pipe that had no message has one again.
    fn read_activated(&mut self, id: PipeId);
    /// A pipe that was full has room again.
    fn write_activated(&mut self, id: PipeId);
    /// The peer closed the pipe: stop writing to it, read what it left.
    fn peer_closed(&mut self, id: PipeId);
    /// Takes the pipe out of the pattern (disconnect, close).
    fn remove(&mut self, id: PipeId) -> Option<Pipe>;
    /// Every pipe the pattern holds.
    fn pipes(&self) -> Vec<Pipe>;
    /// Sends one part, taking it out of `msg` on success; `EAGAIN` leaves it intact.
    fn send(&mut self, msg: &mut Msg) -> Result<()>;
    /// Receives one part; `EAGAIN` when none is ready.
    fn recv(&mut self) -> Result<Msg>;
    /// [`Pattern::recv`] into `msg`, replacing what it held (`EAGAIN` leaves it as it
    /// was). The patterns that receive straight from their fair queue override it,
    /// so a part goes from the pipe to the caller's `zmq_msg_t` in one move.
    fn recv_into(&mut self, msg: &mut Msg) -> Result<()> {
        *msg = self.recv()?;
        Ok(())
    }
    /// Whether `recv` would succeed now.
    fn has_in(&mut self) -> bool;
    /// Whether `send` would succeed now.
    fn has_out(&mut self) -> bool;
    /// An option this socket type handles itself (libzmq's `xsetsockopt`, tried
    /// before the options all sockets share); `None`: not one of its own.
    fn set_option(&mut self, _option: c_int, _value: Option<&[u8]>) -> Option<Result<()>> {
        None
    }
    /// A shared option was set; the pattern may keep what it needs of it
    /// (`ZMQ_INVERT_MATCHING`), as libzmq's patterns read `options` directly.
    fn shared_option_set(&mut self, _option: c_int, _options: &SocketOptions) {}
    /// An option this socket type reads itself (libzmq's `xgetsockopt`) into a
    /// buffer of `capacity` bytes; `None`: not one of its own.
    fn option(&mut self, _option: c_int, _capacity: usize) -> Option<Result<Vec<u8>>> {
        None
    }
    /// zmq_disconnect_peer: drops the peer a routing id names (SERVER, PEER);
    /// `ENOTSUP` for the other types.
    fn disconnect_peer(&mut self, _routing_id: u32) -> Result<()> {
        Err(Errno::ENOTSUP)
    }
    /// The routing id given to the pipe attached last (what zmq_connect_peer
    /// returns); `None` for types without numeric routing ids.
    fn last_routing_id(&self) -> Option<u32> {
        None
    }
    /// zmq_socket_get_peer_state (ROUTER): `ZMQ_POLLOUT` when a message could go to
    /// the peer now; `EHOSTUNREACH` for an unknown peer, `ENOTSUP` for other types.
    fn peer_state(&mut self, _routing_id: &[u8]) -> Result<c_int> {
        Err(Errno::ENOTSUP)
    }
    /// zmq_join(3) (DISH): `ENOTSUP` for the other types, as libzmq's `xjoin`.
    fn join(&mut self, _group: &[u8]) -> Result<()> {
        Err(Errno::ENOTSUP)
    }
    /// zmq_leave(3) (DISH): `ENOTSUP` for the other types.
    fn leave(&mut self, _group: &[u8]) -> Result<()> {
        Err(Errno::ENOTSUP)
    }
}

/// A boolean `int` option as libzmq's patterns read them: exactly an `int`, 0 or
/// positive.
pub(crate) fn bool_option(value: Option<&[u8]>) -> Result<bool> {
    codec::int_where(value, |v| v >= 0).map(|v| v != 0)
}
