//! The socket's side of tcp://, ipc://, ws:// and udp:// endpoints: listening and datagram
//! sockets are made here, in the caller's thread, so that `zmq_bind` reports
//! `EADDRINUSE` and the like at once; everything after is the I/O thread's (see
//! `crate::session`).

use std::sync::atomic::Ordering;
use std::sync::{mpsc, Arc};
use std::time::Duration;

use mio::Token;

use crate::error::{Errno, Result};
use crate::options::SocketOptions;
use crate::pipe::{Pipe, PipeId};
use crate::reactor::io_thread::{IoHandle, Reactor};
use crate::session::{ListenerSocket, Session, SocketLink, Target, UdpEndpoint, UdpRole};
use crate::transport::endpoint::Transport;
use crate::transport::{ipc, tcp, udp, ws};

/// A tcp/ipc/ws/udp endpoint of a socket, for unbind, disconnect and close.
#[derive(Debug)]
pub struct NetworkEndpoint {
    /// The names it answers to: as given, and as resolved (a wildcard's real port).
    pub uris: Vec<String>,
    pub io: IoHandle,
    pub token: Token,
    /// The socket's end of a connecting session's pipe, if made up front.
    pub pipe: Option<PipeId>,
    /// A listener (closed synchronously, so its address is free at once).
    pub listening: bool,
    /// A connecting session's link, told when the endpoint is disconnected.
    pub link: Option<Arc<SocketLink>>,
}

impl NetworkEndpoint {
    /// Tells a connecting session, before its pipe and it are closed, that this is
    /// `zmq_disconnect`/`zmq_unbind` of its endpoint rather than `zmq_close`.
    pub fn mark_disconnected(&self) {
        if let Some(link) = &self.link {
            link.disconnected.store(true, Ordering::Relaxed);
        }
    }

    /// Stops it: a listener at once, a session once it has sent what it may.
    pub fn close(&self) {
        if self.listening {
            self.io.close_and_wait(self.token);
        } else {
            self.io.close(self.token);
        }
    }
}

/// Binds `address` now; the listener and the endpoint text (`ZMQ_LAST_ENDPOINT`).
pub fn listen(
    transport: Transport,
    address: &str,
    options: &SocketOptions,
) -> Result<(ListenerSocket, String)> {
    match transport {
        Transport::Tcp => {
            let listener = if options.use_fd >= 0 {
                tcp::adopt_listener(options.use_fd)?
            } else {
                tcp::listen(tcp::bind_address(address, options.ipv6)?, options)?
            };
            let text = tcp::endpoint_text(listener.local_addr()?);
            Ok((ListenerSocket::Tcp(mio::net::TcpListener::from_std(listener)), text))
        }
        Transport::Ws => {
            let (listener, path) = if options.use_fd >= 0 {
                (tcp::adopt_listener(options.use_fd)?, ws::bind_path(address))
            } else {
                let (bind, path) = ws::bind_address(address, options.ipv6)?;
                (tcp::listen(bind, options)?, path)
            };
            let text = ws::endpoint_text(listener.local_addr()?, &path);
            Ok((ListenerSocket::Ws(mio::net::TcpListener::from_std(listener), path), text))
        }
        Transport::Ipc => {
            let parsed = ipc::parse(address)?;
            let adopted = options.use_fd >= 0;
            let listener =
                if adopted { ipc::IpcAddress::adopt_listener(options.use_fd)? } else { parsed.listen()? };
            let text = parsed.endpoint_text();
            let cleanup = (!adopted).then(|| (parsed, address == "*"));
            Ok((ListenerSocket::Ipc(mio::net::UnixListener::from_std(listener), cleanup), text))
        }
        _ => Err(Errno::EPROTONOSUPPORT),
    }
}

/// Parses a connect address (`EINVAL` when malformed); it is resolved at each
/// attempt (and a ws address once more now, as libzmq does).
pub fn target(transport: Transport, address: &str, options: &SocketOptions) -> Result<Target> {
    match transport {
        Transport::Tcp => Ok(Target::Tcp(tcp::connect_address(address)?)),
        Transport::Ws => Ok(Target::Ws(ws::connect_target(address, options.ipv6)?)),
        Transport::Ipc if address != "*" => Ok(Target::Ipc(ipc::parse(address)?)),
        _ => Err(Errno::EINVAL),
    }
}

/// Opens a udp endpoint (`address` after `udp://`) for a bind (`bind`) or a connect
/// and starts it on `io`: its token, and the socket's end of its pipe. The pipe
/// exists at once, as libzmq makes it for udp whatever `ZMQ_IMMEDIATE` says.
pub fn start_udp(
    io: &IoHandle,
    role: UdpRole,
    address: &str,
    options: &SocketOptions,
) -> Result<(Token, Pipe)> {
    let bind = role != UdpRole::Radio;
    let address = udp::resolve(address, bind, options.ipv6)?;
    let socket = udp::open(&address, role.usage(), options)?;
    let (socket_end, endpoint_end) = Session::pipe_for(options);
    let target = address.target;
    let token =
        start(io, move |reactor| UdpEndpoint::new(socket, role, target, endpoint_end).start(reactor))?;
    Ok((token, socket_end))
}

/// Runs `start` on the I/O thread and returns the token it gave the new handler.
pub fn start(io: &IoHandle, start: impl FnOnce(&mut Reactor) -> Token + Send + 'static) -> Result<Token> {
    let (tell, token) = mpsc::sync_channel(1);
    io.post(move |reactor| {
        let _ = tell.send(start(reactor));
    });
    // The I/O thread answers at once unless it is gone (context terminated).
    token.recv_timeout(Duration::from_secs(10)).map_err(|_| Errno::ETERM)
}
