//! A connected byte stream of either network transport, as the I/O thread holds it.

use std::io::{self, Read, Write};
use std::os::fd::{AsRawFd, RawFd};

use mio::event::Source;
use mio::net::{TcpStream, UnixStream};
use mio::{Interest, Registry, Token};

use crate::transport::{tcp, ws};

#[derive(Debug)]
pub enum Stream {
    Tcp(TcpStream),
    Ipc(UnixStream),
}

impl Stream {
    /// The pending connect error, if the connection attempt failed.
    pub fn take_error(&self) -> io::Result<Option<io::Error>> {
        match self {
            Stream::Tcp(stream) => stream.take_error(),
            Stream::Ipc(stream) => stream.take_error(),
        }
    }

    /// Whether a non-blocking connect has completed.
    pub fn is_connected(&self) -> bool {
        match self {
            Stream::Tcp(stream) => stream.peer_addr().is_ok(),
            Stream::Ipc(_) => true,
        }
    }

    /// The peer's address as libzmq reports it (`Peer-Address`): the IP for tcp.
    pub fn peer_address(&self) -> Option<String> {
        match self {
            Stream::Tcp(stream) => stream.peer_addr().ok().map(|address| address.ip().to_string()),
            Stream::Ipc(_) => None,
        }
    }

    /// The descriptor, as monitor events report it.
    pub fn fd(&self) -> RawFd {
        match self {
            Stream::Tcp(stream) => stream.as_raw_fd(),
            Stream::Ipc(stream) => stream.as_raw_fd(),
        }
    }

    /// This end's address as an endpoint (`tcp://127.0.0.1:40000`), as monitor
    /// events name it; empty when unknown.
    pub fn local_endpoint(&self) -> String {
        match self {
            Stream::Tcp(stream) => stream.local_addr().map(tcp::endpoint_text).unwrap_or_default(),
            Stream::Ipc(stream) => {
                stream.local_addr().map(|address| ipc_endpoint(&address)).unwrap_or_default()
            }
        }
    }

    /// This end's address as a ws:// endpoint followed by `path`, as libzmq names
    /// the ends of a WebSocket; empty when unknown (or not TCP).
    pub fn local_ws_endpoint(&self, path: &str) -> String {
        match self {
            Stream::Tcp(stream) => {
                stream.local_addr().map(|address| ws::endpoint_text(address, path)).unwrap_or_default()
            }
            Stream::Ipc(_) => String::new(),
        }
    }

    /// The peer's address as a ws:// endpoint followed by `path`.
    pub fn remote_ws_endpoint(&self, path: &str) -> String {
        match self {
            Stream::Tcp(stream) => {
                stream.peer_addr().map(|address| ws::endpoint_text(address, path)).unwrap_or_default()
            }
            Stream::Ipc(_) => String::new(),
        }
    }

    /// The peer's address as an endpoint; empty when unknown.
    pub fn remote_endpoint(&self) -> String {
        match self {
            Stream::Tcp(stream) => stream.peer_addr().map(tcp::endpoint_text).unwrap_or_default(),
            Stream::Ipc(stream) => {
                stream.peer_addr().map(|address| ipc_endpoint(&address)).unwrap_or_default()
            }
        }
    }

    pub fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
        match self {
            Stream::Tcp(stream) => stream.read(buffer),
            Stream::Ipc(stream) => stream.read(buffer),
        }
    }

    /// Sends FIN: the peer reads everything we wrote, then the end.
    pub fn shutdown_write(&self) -> io::Result<()> {
        match self {
            Stream::Tcp(stream) => stream.shutdown(std::net::Shutdown::Write),
            Stream::Ipc(stream) => stream.shutdown(std::net::Shutdown::Write),
        }
    }

    pub fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        match self {
            Stream::Tcp(stream) => stream.write(bytes),
            Stream::Ipc(stream) => stream.write(bytes),
        }
    }
}

/// `ipc://` and the socket's path: the path of a named socket, the `@name` of an
/// abstract one, nothing for an unnamed one (the connecting end).
fn ipc_endpoint(address: &std::os::unix::net::SocketAddr) -> String {
    use std::os::linux::net::SocketAddrExt;
    if let Some(path) = address.as_pathname() {
        format!("ipc://{}", path.display())
    } else if let Some(name) = address.as_abstract_name() {
        format!("ipc://@{}", String::from_utf8_lossy(name))
    } else {
        "ipc://".to_owned()
    }
}

impl Source for Stream {
    fn register(&mut self, registry: &Registry, token: Token, interests: Interest) -> io::Result<()> {
        match self {
            Stream::Tcp(stream) => stream.register(registry, token, interests),
            Stream::Ipc(stream) => stream.register(registry, token, interests),
        }
    }

    fn reregister(&mut self, registry: &Registry, token: Token, interests: Interest) -> io::Result<()> {
        match self {
            Stream::Tcp(stream) => stream.reregister(registry, token, interests),
            Stream::Ipc(stream) => stream.reregister(registry, token, interests),
        }
    }

    fn deregister(&mut self, registry: &Registry) -> io::Result<()> {
        match self {
            Stream::Tcp(stream) => stream.deregister(registry),
            Stream::Ipc(stream) => stream.deregister(registry),
        }
    }
}
