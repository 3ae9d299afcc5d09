//! A udp endpoint in its I/O thread: one datagram socket and one pipe to the socket.
//! A RADIO's messages go out as datagrams to its target; a DISH's datagrams come in
//! as messages of their group (its joins have no way to travel over udp and are
//! dropped: the DISH filters); a DGRAM does both, the peer's address travelling as
//! the first part of each message. There is no connection, so nothing to reconnect.
//! libzmq: `udp_engine.cpp`.

use core::ffi::c_int;
use std::net::{IpAddr, SocketAddr};

use mio::event::Event;
use mio::net::UdpSocket;
use mio::{Interest, Token};

use super::datagram::{
    address_part, decode_group_message, encode_group_message, parse_address_part, MAX_DATAGRAM,
};
use crate::constants::{ZMQ_DGRAM, ZMQ_DISH, ZMQ_RADIO};
use crate::error::{Errno, Result};
use crate::msg::Msg;
use crate::pipe::{Pipe, PipeEvent, PipeId, Read};
use crate::reactor::io_thread::{Flow, Handler, Reactor};
use crate::routing::groups::group_from_wire;
use crate::transport::udp::Use;

/// What a udp endpoint does, by socket type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UdpRole {
    /// Sends (a RADIO connects).
    Radio,
    /// Receives (a DISH binds).
    Dish,
    /// Both (a DGRAM binds).
    Dgram,
}

impl UdpRole {
    /// The role of a socket of `socket_type` binding (`bind`) or connecting over udp;
    /// `ENOCOMPATPROTO` for the others, as libzmq (only DISH and DGRAM bind, only
    /// RADIO connects).
    pub fn of(socket_type: c_int, bind: bool) -> Result<UdpRole> {
        match (socket_type, bind) {
            (ZMQ_RADIO, false) => Ok(UdpRole::Radio),
            (ZMQ_DISH, true) => Ok(UdpRole::Dish),
            (ZMQ_DGRAM, true) => Ok(UdpRole::Dgram),
            _ => Err(Errno::ENOCOMPATPROTO),
        }
    }

    pub fn usage(self) -> Use {
        Use { sends_to_target: self == UdpRole::Radio, receives: self != UdpRole::Radio }
    }
}

#[derive(Debug)]
pub struct UdpEndpoint {
    socket: UdpSocket,
    role: UdpRole,
    /// Where a RADIO sends.
    target: SocketAddr,
    /// The socket is IPv6: IPv4 destinations are given to it mapped.
    ipv6_socket: bool,
    pipe: Option<Pipe>,
    /// A datagram the socket had no room for yet, and where it goes.
    unsent: Option<(Vec<u8>, SocketAddr)>,
    buffer: Box<[u8]>,
}

impl UdpEndpoint {
    pub fn new(socket: std::net::UdpSocket, role: UdpRole, target: SocketAddr, pipe: Pipe) -> UdpEndpoint {
        let ipv6_socket = socket.local_addr().is_ok_and(|local| local.is_ipv6());
        UdpEndpoint {
            socket: UdpSocket::from_std(socket),
            role,
            target,
            ipv6_socket,
            pipe: Some(pipe),
            unsent: None,
            buffer: vec![0; MAX_DATAGRAM].into_boxed_slice(),
        }
    }

    /// Registers with the reactor and starts moving datagrams.
    pub fn start(mut self, reactor: &mut Reactor) -> Token {
        reactor.add(move |reactor, token| {
            if let Some(pipe) = &self.pipe {
                pipe.attach(reactor.notifier(token));
            }
            // A socket that cannot be registered moves nothing; its bind succeeded,
            // as a libzmq endpoint whose poller failed.
            let _ = reactor.register(&mut self.socket, token, Interest::READABLE | Interest::WRITABLE);
            self.receive();
            let _ = self.send();
            Box::new(self)
        })
    }

    /// Reads datagrams into the pipe while it has room (when it has none, reading
    /// resumes once it has: the kernel keeps or drops what comes meanwhile).
    fn receive(&mut self) {
        if self.role == UdpRole::Radio {
            return;
        }
        loop {
            let Some(pipe) = &self.pipe else { return };
            if !pipe.check_write() {
                return;
            }
            let (len, from) = match self.socket.recv_from(&mut self.buffer) {
                Ok(received) => received,
                Err(error) if error.kind() == std::io::ErrorKind::Interrupted => continue,
                // WouldBlock: all read. Anything else ends libzmq's engine; here the
                // next datagram is tried when one comes.
                Err(_) => return,
            };
            let datagram = self.buffer.get(..len).unwrap_or_default();
            if let Some(parts) = incoming(self.role, datagram, from) {
                for part in parts {
                    // Room was checked; a closed pipe has nobody to deliver to.
                    let _ = pipe.write(part);
                }
            }
        }
    }

    /// Sends what the pipe holds while the socket takes it; `Done` once the socket
    /// closed its end and everything is out.
    fn send(&mut self) -> Flow {
        loop {
            if let Some((datagram, to)) = &self.unsent {
                match self.socket.send_to(datagram, *to) {
                    Ok(_) => {}
                    Err(error) if error.kind() == std::io::ErrorKind::WouldBlock => return Flow::Continue,
                    Err(error) if error.kind() == std::io::ErrorKind::Interrupted => continue,
                    // Unreachable, too large for the path…: the datagram is lost, as
                    // libzmq loses it (and restarts its engine).
                    Err(_) => {}
                }
                self.unsent = None;
            }
            let Some(pipe) = &self.pipe else { return Flow::Done };
            match pipe.read() {
                Read::Msg(msg) => self.unsent = self.outgoing(msg),
                Read::Empty => return Flow::Continue,
                Read::Ended => {
                    self.pipe = None;
                    return Flow::Done;
                }
            }
        }
    }

    /// The datagram for a message taken from the pipe, and where it goes; `None` when
    /// it is not sent (a DISH's join, a message too large, a DGRAM address that is not
    /// one).
    fn outgoing(&self, msg: Msg) -> Option<(Vec<u8>, SocketAddr)> {
        match self.role {
            UdpRole::Dish => None,
            UdpRole::Radio => {
                let group = msg.group().map(|group| group.to_bytes()).unwrap_or_default();
                let mut datagram = Vec::with_capacity(1 + group.len() + msg.len());
                encode_group_message(group, msg.data(), &mut datagram).then_some((datagram, self.target))
            }
            UdpRole::Dgram => {
                // The pattern writes whole two-part messages: the body is there.
                let Read::Msg(body) = self.pipe.as_ref()?.read() else { return None };
                if !msg.more() || body.len() > MAX_DATAGRAM {
                    return None;
                }
                let to = parse_address_part(msg.data())?;
                let to = if self.ipv6_socket {
                    SocketAddr::new(IpAddr::V6(to.ip().to_ipv6_mapped()), to.port())
                } else {
                    SocketAddr::V4(to)
                };
                Some((body.data().to_vec(), to))
            }
        }
    }
}

/// The message parts a datagram from `from` becomes; `None` when it is ignored.
pub(crate) fn incoming(role: UdpRole, datagram: &[u8], from: SocketAddr) -> Option<Vec<Msg>> {
    match role {
        UdpRole::Radio => None,
        UdpRole::Dish => {
            let (group, body) = decode_group_message(datagram)?;
            let mut msg = Msg::from_slice(body).ok()?;
            msg.set_group(group_from_wire(group)).ok()?;
            Some(vec![msg])
        }
        UdpRole::Dgram => {
            let mut address = Msg::from_vec(address_part(from)?);
            address.set_more(true);
            Some(vec![address, Msg::from_slice(datagram).ok()?])
        }
    }
}

impl Handler for UdpEndpoint {
    fn io(&mut self, _reactor: &mut Reactor, _token: Token, event: &Event) -> Flow {
        if event.is_readable() {
            self.receive();
        }
        self.send()
    }

    fn timer(&mut self, _reactor: &mut Reactor, _token: Token) -> Flow {
        Flow::Continue
    }

    fn pipe(&mut self, _reactor: &mut Reactor, _token: Token, _pipe: PipeId, event: PipeEvent) -> Flow {
        if event == PipeEvent::ActivateWrite {
            self.receive();
        }
        // Messages to send, or the socket's end closed (what it sent still goes out).
        self.send()
    }

    fn close(&mut self, _reactor: &mut Reactor, _token: Token) -> Flow {
        // What the socket can take now still goes; nothing waits for more room.
        let _ = self.send();
        Flow::Done
    }
}

impl Drop for UdpEndpoint {
    fn drop(&mut self) {
        if let Some(pipe) = self.pipe.take() {
            pipe.close();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_by_socket_type() {
        assert_eq!(UdpRole::of(ZMQ_RADIO, false), Ok(UdpRole::Radio));
        assert_eq!(UdpRole::of(ZMQ_DISH, true), Ok(UdpRole::Dish));
        assert_eq!(UdpRole::of(ZMQ_DGRAM, true), Ok(UdpRole::Dgram));
        for (socket_type, bind) in [(ZMQ_RADIO, true), (ZMQ_DISH, false), (ZMQ_DGRAM, false), (0, true)] {
            assert_eq!(UdpRole::of(socket_type, bind), Err(Errno::ENOCOMPATPROTO));
        }
        assert_eq!(UdpRole::Dgram.usage(), Use { sends_to_target: false, receives: true });
        assert_eq!(UdpRole::Radio.usage(), Use { sends_to_target: true, receives: false });
    }

    #[test]
    fn datagrams_become_messages() {
        let from: SocketAddr = "127.0.0.1:5556".parse().unwrap();
        let dish = incoming(UdpRole::Dish, b"\x02TVFriends", from).unwrap();
        assert_eq!(dish.len(), 1);
        assert_eq!((dish[0].data(), dish[0].group().unwrap().to_bytes()), (&b"Friends"[..], &b"TV"[..]));
        assert!(incoming(UdpRole::Dish, b"\x09TV", from).is_none());
        let dgram = incoming(UdpRole::Dgram, b"hello", from).unwrap();
        assert_eq!((dgram[0].data(), dgram[0].more()), (&b"127.0.0.1:5556\0"[..], true));
        assert_eq!((dgram[1].data(), dgram[1].more()), (&b"hello"[..], false));
        assert!(incoming(UdpRole::Radio, b"x", from).is_none());
    }
}
