//! A bound endpoint: accepts connections and starts a session for each.
//! libzmq: `tcp_listener.cpp`, `ipc_listener.cpp`.

use std::sync::Arc;
use std::time::Instant;

use mio::event::Event;
use mio::net::{TcpListener, UnixListener};
use mio::{Interest, Token};

use super::{Session, SocketLink, Stream};
use crate::pipe::{PipeEvent, PipeId};
use crate::reactor::io_thread::{Flow, Handler, Reactor};
use crate::transport::ipc::IpcAddress;
use crate::transport::tcp;

/// The listening socket of either transport.
#[derive(Debug)]
pub enum ListenerSocket {
    Tcp(TcpListener),
    /// With the address to clean up on close, and whether it was a wildcard.
    Ipc(UnixListener, IpcAddress, bool),
}

#[derive(Debug)]
pub struct Listener {
    socket: ListenerSocket,
    link: Arc<SocketLink>,
    /// The sessions of the connections it accepted: they end with it (libzmq's
    /// `zmq_unbind` drops them too).
    accepted: Vec<Token>,
}

impl Listener {
    pub fn new(socket: ListenerSocket, link: Arc<SocketLink>) -> Listener {
        Listener { socket, link, accepted: Vec::new() }
    }

    /// Registers with the reactor; the listener accepts from then on.
    pub fn start(mut self, reactor: &mut Reactor) -> Token {
        reactor.add(move |reactor, token| {
            let registered = match &mut self.socket {
                ListenerSocket::Tcp(listener) => reactor.register(listener, token, Interest::READABLE),
                ListenerSocket::Ipc(listener, ..) => reactor.register(listener, token, Interest::READABLE),
            };
            // A listener that cannot be registered never accepts; its bind already
            // succeeded, as with a libzmq listener whose poller failed.
            let _ = registered;
            Box::new(self)
        })
    }

    /// `ZMQ_TCP_ACCEPT_FILTER`: with filters set, only peers matching one get in (the
    /// others are closed at once, as libzmq does).
    fn admits(&self, peer: &std::net::IpAddr) -> bool {
        let filters = &self.link.options.tcp_accept_filters;
        filters.is_empty() || filters.iter().any(|filter| filter.matches(peer))
    }

    fn accept(&mut self) -> Option<Stream> {
        loop {
            let accepted = match &mut self.socket {
                ListenerSocket::Tcp(listener) => match listener.accept() {
                    Ok((_, peer)) if !self.admits(&peer.ip()) => continue,
                    accepted => accepted.map(|(stream, _)| {
                        tcp::tune(&socket2::SockRef::from(&stream), &self.link.options);
                        Stream::Tcp(stream)
                    }),
                },
                ListenerSocket::Ipc(listener, ..) => listener.accept().map(|(stream, _)| Stream::Ipc(stream)),
            };
            match accepted {
                Ok(stream) => return Some(stream),
                Err(error) if error.kind() == std::io::ErrorKind::Interrupted => {}
                // WouldBlock: all taken; anything else (EMFILE, a peer that reset):
                // libzmq reports ACCEPT_FAILED and goes on listening.
                Err(_) => return None,
            }
        }
    }
}

impl Handler for Listener {
    fn io(&mut self, reactor: &mut Reactor, _token: Token, _event: &Event) -> Flow {
        self.accepted.retain(|&token| reactor.is_live(token));
        while let Some(stream) = self.accept() {
            let session = Session::accepted(Arc::clone(&self.link), stream, Instant::now());
            self.accepted.push(session.start(reactor));
        }
        Flow::Continue
    }

    fn timer(&mut self, _reactor: &mut Reactor, _token: Token) -> Flow {
        Flow::Continue
    }

    fn pipe(&mut self, _reactor: &mut Reactor, _token: Token, _pipe: PipeId, _event: PipeEvent) -> Flow {
        Flow::Continue
    }

    fn close(&mut self, reactor: &mut Reactor, _token: Token) -> Flow {
        for token in self.accepted.drain(..) {
            reactor.close(token);
        }
        Flow::Done
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        if let ListenerSocket::Ipc(_, address, wildcard) = &self.socket {
            address.remove(*wildcard);
        }
    }
}
