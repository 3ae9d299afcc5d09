//! A bound endpoint: accepts connections and starts a session for each.
//! libzmq: `tcp_listener.cpp`, `ipc_listener.cpp`, `ws_listener.cpp`.

use core::ffi::c_int;
use std::os::fd::{AsRawFd, RawFd};
use std::sync::Arc;
use std::time::{Duration, Instant};

use mio::event::Event;
use mio::net::{TcpListener, UnixListener};
use mio::{Interest, Token};

use super::{Session, SocketLink, Stream};
use crate::constants::{ZMQ_EVENT_ACCEPTED, ZMQ_EVENT_ACCEPT_FAILED, ZMQ_EVENT_CLOSED};
use crate::pipe::{PipeEvent, PipeId};
use crate::reactor::io_thread::{Flow, Handler, Reactor};
use crate::socket::monitor::Endpoints;
use crate::transport::ipc::IpcAddress;
use crate::transport::ipc_filter::IpcFilters;
use crate::transport::tcp;

/// The listening socket of each transport.
#[derive(Debug)]
pub enum ListenerSocket {
    Tcp(TcpListener),
    /// ws://: a TCP listener and the path it serves (named in endpoints; the path a
    /// client asks for is not checked, as libzmq).
    Ws(TcpListener, String),
    /// With the address to clean up on close and whether it was a wildcard (`None`
    /// for a listener the application made, `ZMQ_USE_FD`: its file stays).
    Ipc(UnixListener, Option<(IpcAddress, bool)>),
}

impl ListenerSocket {
    pub fn fd(&self) -> RawFd {
        match self {
            ListenerSocket::Tcp(listener) | ListenerSocket::Ws(listener, _) => listener.as_raw_fd(),
            ListenerSocket::Ipc(listener, ..) => listener.as_raw_fd(),
        }
    }
}

/// After accept failed for want of a resource (descriptors, memory), the next try
/// comes this much later: the connection waits in the backlog meanwhile.
const ACCEPT_RETRY: Duration = Duration::from_millis(100);

/// Why no connection was accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NoConnection {
    /// Nothing more is waiting.
    Drained,
    /// A resource ran out (`EMFILE`, `ENFILE`, `ENOBUFS`, `ENOMEM`): the waiting
    /// connection stays in the backlog, and nothing will signal when the resource is
    /// back (readiness is edge-triggered), so try again later.
    Exhausted,
}

#[derive(Debug)]
pub struct Listener {
    socket: ListenerSocket,
    /// What it is bound to, resolved (`ZMQ_LAST_ENDPOINT`), for monitor events.
    endpoint: String,
    link: Arc<SocketLink>,
    /// The sessions of the connections it accepted: they end with it (libzmq's
    /// `zmq_unbind` drops them too).
    accepted: Vec<Token>,
}

impl Listener {
    pub fn new(socket: ListenerSocket, endpoint: String, link: Arc<SocketLink>) -> Listener {
        Listener { socket, endpoint, link, accepted: Vec::new() }
    }

    /// The listening descriptor, as monitor events report it.
    pub fn fd(&self) -> RawFd {
        self.socket.fd()
    }

    fn event(&self, event: c_int, value: u64) {
        self.link.monitor.emit(event, value, &Endpoints::bound(self.endpoint.as_str(), ""));
    }

    /// Registers with the reactor; the listener accepts from then on.
    pub fn start(mut self, reactor: &mut Reactor) -> Token {
        reactor.add(move |reactor, token| {
            let registered = match &mut self.socket {
                ListenerSocket::Tcp(listener) | ListenerSocket::Ws(listener, _) => {
                    reactor.register(listener, token, Interest::READABLE)
                }
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

    /// `ZMQ_IPC_FILTER_*`: with filters set, only local peers they name get in.
    fn ipc_filters(&self) -> IpcFilters<'_> {
        let options = &self.link.options;
        IpcFilters {
            uids: &options.ipc_uid_accept_filters,
            gids: &options.ipc_gid_accept_filters,
            pids: &options.ipc_pid_accept_filters,
        }
    }

    /// The next connection waiting, or why there is none.
    fn accept(&mut self) -> Result<Stream, NoConnection> {
        loop {
            let accepted = match &mut self.socket {
                ListenerSocket::Tcp(listener) => match listener.accept() {
                    Ok((_, peer)) if !self.admits(&peer.ip()) => continue,
                    accepted => accepted.map(|(stream, _)| {
                        tcp::tune(&socket2::SockRef::from(&stream), &self.link.options);
                        Stream::Tcp(stream)
                    }),
                },
                ListenerSocket::Ipc(listener, ..) => match listener.accept() {
                    Ok((stream, _)) if !self.ipc_filters().admits(&stream) => continue,
                    accepted => accepted.map(|(stream, _)| Stream::Ipc(stream)),
                },
                // libzmq's ws listener applies no ZMQ_TCP_ACCEPT_FILTER.
                ListenerSocket::Ws(listener, _) => listener.accept().map(|(stream, _)| {
                    tcp::tune(&socket2::SockRef::from(&stream), &self.link.options);
                    Stream::Tcp(stream)
                }),
            };
            match accepted {
                Ok(stream) => return Ok(stream),
                Err(error) if error.kind() == std::io::ErrorKind::Interrupted => {}
                Err(error) if error.kind() == std::io::ErrorKind::WouldBlock => {
                    return Err(NoConnection::Drained)
                }
                // Anything else (EMFILE, a peer that reset): libzmq reports it and goes
                // on listening. A connection that failed alone (ECONNABORTED, EPERM…)
                // does not stop the others waiting behind it from being taken.
                Err(error) => {
                    let errno = error.raw_os_error().unwrap_or(0);
                    self.event(ZMQ_EVENT_ACCEPT_FAILED, errno as u64);
                    if matches!(errno, libc::EMFILE | libc::ENFILE | libc::ENOBUFS | libc::ENOMEM) {
                        return Err(NoConnection::Exhausted);
                    }
                }
            }
        }
    }
}

impl Listener {
    /// Takes every waiting connection and starts its session; after a failure for
    /// want of a resource, tries again in [`ACCEPT_RETRY`].
    fn accept_all(&mut self, reactor: &mut Reactor, token: Token) {
        self.accepted.retain(|&token| reactor.is_live(token));
        let why = loop {
            match self.accept() {
                Ok(stream) => self.start_session(reactor, stream),
                Err(why) => break why,
            }
        };
        let retry = (why == NoConnection::Exhausted).then(|| Instant::now() + ACCEPT_RETRY);
        reactor.set_timer(token, retry);
    }

    fn start_session(&mut self, reactor: &mut Reactor, stream: Stream) {
        let websocket = match &self.socket {
            ListenerSocket::Ws(_, path) => Some(path.as_str()),
            ListenerSocket::Tcp(_) | ListenerSocket::Ipc(..) => None,
        };
        let endpoints = match websocket {
            // Both ends carry the listener's path, as libzmq names them.
            Some(path) => Endpoints::bound(stream.local_ws_endpoint(path), stream.remote_ws_endpoint(path)),
            None => Endpoints::bound(stream.local_endpoint(), stream.remote_endpoint()),
        };
        self.link.monitor.emit(ZMQ_EVENT_ACCEPTED, stream.fd() as u64, &endpoints);
        let session =
            Session::accepted(Arc::clone(&self.link), stream, endpoints, websocket.is_some(), Instant::now());
        self.accepted.push(session.start(reactor));
    }
}

impl Handler for Listener {
    fn io(&mut self, reactor: &mut Reactor, token: Token, _event: &Event) -> Flow {
        self.accept_all(reactor, token);
        Flow::Continue
    }

    fn timer(&mut self, reactor: &mut Reactor, token: Token) -> Flow {
        self.accept_all(reactor, token);
        Flow::Continue
    }

    fn pipe(&mut self, _reactor: &mut Reactor, _token: Token, _pipe: PipeId, _event: PipeEvent) -> Flow {
        Flow::Continue
    }

    fn close(&mut self, reactor: &mut Reactor, _token: Token) -> Flow {
        for token in self.accepted.drain(..) {
            reactor.close(token);
        }
        self.event(ZMQ_EVENT_CLOSED, self.fd() as u64);
        Flow::Done
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        if let ListenerSocket::Ipc(_, Some((address, wildcard))) = &self.socket {
            address.remove(*wildcard);
        }
    }
}
