//! ws:// addresses. libzmq: `ws_address.cpp`, `ws_listener.cpp`
//! (`set_local_address`, `get_socket_name`), `ws_connecter.cpp`.
//!
//! `ws://host:port/path`: the path starts at the first `/` after the port's colon
//! (libzmq after 4.3.5; 4.3.5 itself took the last `/`), `/` when there is none. A
//! bind's `host:port` follows tcp's rules (`*`, interface names, numeric
//! addresses, `*` or `0` for any port). A connect's host is resolved by
//! `zmq_connect` (`EINVAL` when it does not resolve, or for a port of `*`, or one
//! that reads as 0 other than `0`), then again at each attempt; the request
//! carries the host as written and the path.

use std::net::SocketAddr;

use crate::error::{Errno, Result};
use crate::transport::ip::strtol;
use crate::transport::tcp::{self, ConnectAddress};

/// An address cut at its port's colon and its path.
struct Parts<'a> {
    /// Everything before the path: what tcp resolves.
    host_port: &'a str,
    /// Before the port's colon, as written (brackets kept).
    host: &'a str,
    port: &'a str,
    path: &'a str,
}

fn parts(address: &str) -> Result<Parts<'_>> {
    let colon = address.rfind(':').ok_or(Errno::EINVAL)?;
    let (host, after_colon) = address.split_at(colon);
    let (port, path) = match after_colon.find('/') {
        Some(slash) => after_colon.split_at(slash),
        None => (after_colon, "/"),
    };
    let host_port = address.get(..host.len() + port.len()).unwrap_or(address);
    let port = port.get(1..).unwrap_or_default();
    Ok(Parts { host_port, host, port, path })
}

/// Where to listen for `address` (after `ws://`), and the path it serves.
pub fn bind_address(address: &str, ipv6: bool) -> Result<(SocketAddr, String)> {
    let parts = parts(address)?;
    Ok((tcp::bind_address(parts.host_port, ipv6)?, parts.path.to_owned()))
}

/// The path of a bind address, for a listener the application made (`ZMQ_USE_FD`):
/// the address is otherwise ignored.
pub fn bind_path(address: &str) -> String {
    parts(address).map_or_else(|_| "/".to_owned(), |parts| parts.path.to_owned())
}

/// libzmq's text for a ws endpoint: `ws://127.0.0.1:5555/path`, `ws://[::1]:5555/`.
/// Listeners append their path to both ends' addresses; a connecting socket names
/// its own end without one.
pub fn endpoint_text(address: SocketAddr, path: &str) -> String {
    match address {
        SocketAddr::V4(v4) => format!("ws://{}:{}{path}", v4.ip(), v4.port()),
        SocketAddr::V6(v6) => format!("ws://[{}]:{}{path}", v6.ip(), v6.port()),
    }
}

/// Where a ws:// connect goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WsTarget {
    tcp: ConnectAddress,
    host: String,
    path: String,
    endpoint: String,
}

/// Checks a connect address (after `ws://`) and resolves it once, as libzmq's
/// `zmq_connect` does: `EINVAL` when it cannot be.
pub fn connect_target(address: &str, ipv6: bool) -> Result<WsTarget> {
    let parts = parts(address)?;
    let port = strtol(parts.port.as_bytes()) as i32 as u16;
    // libzmq's connect ports: `*` is refused, and so is anything reading as 0 but
    // "0" itself. The source form (`src;host:port`) is tcp's only.
    if parts.port == "*" || (port == 0 && parts.port != "0") || parts.host_port.contains(';') {
        return Err(Errno::EINVAL);
    }
    let tcp = tcp::connect_address(parts.host_port)?;
    let (resolved, _) = tcp.resolve(ipv6).map_err(|_| Errno::EINVAL)?;
    Ok(WsTarget {
        tcp,
        host: parts.host.to_owned(),
        path: parts.path.to_owned(),
        endpoint: format!("ws://{}:{}{}", parts.host, resolved.port(), parts.path),
    })
}

impl WsTarget {
    /// The `host:port` to connect to (its name, if any, looked up again at each attempt).
    pub fn tcp_address(&self) -> &ConnectAddress {
        &self.tcp
    }

    /// The host as written, for the request's `Host`.
    pub fn host(&self) -> &str {
        &self.host
    }

    /// The path to ask for.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// libzmq's text for it (`ZMQ_LAST_ENDPOINT`, monitor events): the host as
    /// written, the port as read, the path.
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bind_addresses_and_paths() {
        let bound = |text: &str| bind_address(text, false).map(|(address, path)| (address.to_string(), path));
        assert_eq!(bound("*:5555/path"), Ok(("0.0.0.0:5555".into(), "/path".into())));
        assert_eq!(bound("127.0.0.1:*"), Ok(("127.0.0.1:0".into(), "/".into())));
        assert_eq!(bound("*:*/roundtrip"), Ok(("0.0.0.0:0".into(), "/roundtrip".into())));
        assert_eq!(bound("127.0.0.1:7/a/b"), Ok(("127.0.0.1:7".into(), "/a/b".into())));
        assert_eq!(bound("127.0.0.1:7/"), Ok(("127.0.0.1:7".into(), "/".into())));
        assert_eq!(bound("lo:7"), Ok(("127.0.0.1:7".into(), "/".into())));
        assert_eq!(
            bind_address("[::1]:7/x", true).map(|(address, path)| (address.to_string(), path)),
            Ok(("[::1]:7".into(), "/x".into()))
        );
        assert_eq!(bound("127.0.0.1"), Err(Errno::EINVAL));
        assert_eq!(bound("127.0.0.1:x/p"), Err(Errno::EINVAL));
        assert_eq!(bound("localhost:7"), Err(Errno::ENODEV));
        assert_eq!(bind_path("*:1/p"), "/p");
        assert_eq!(bind_path("whatever"), "/");
    }

    #[test]
    fn connect_targets() {
        let target = connect_target("localhost:5555/chat", false).unwrap();
        assert_eq!(target.endpoint(), "ws://localhost:5555/chat");
        assert_eq!((target.host(), target.path()), ("localhost", "/chat"));
        assert_eq!(target.tcp_address().resolve(false), Ok(("127.0.0.1:5555".parse().unwrap(), None)));
        assert_eq!(connect_target("127.0.0.1:0", false).unwrap().endpoint(), "ws://127.0.0.1:0/");
        assert_eq!(connect_target("[::1]:7", true).unwrap().endpoint(), "ws://[::1]:7/");
        for refused in
            ["127.0.0.1:*", "127.0.0.1", "127.0.0.1:x", "127.0.0.1:00", "1.2.3.4;127.0.0.1:7", "*:7"]
        {
            assert_eq!(connect_target(refused, false), Err(Errno::EINVAL), "{refused}");
        }
    }

    #[test]
    fn endpoint_texts() {
        assert_eq!(endpoint_text("127.0.0.1:5".parse().unwrap(), "/p"), "ws://127.0.0.1:5/p");
        assert_eq!(endpoint_text("[::1]:5".parse().unwrap(), ""), "ws://[::1]:5");
    }
}
