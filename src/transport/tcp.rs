//! tcp:// addresses and socket tuning. libzmq: `tcp_address.cpp`, `tcp.cpp`.
//!
//! Bind addresses: `*:port`, `ip:port`, `[ipv6]:port`, `localhost:port`; the port may
//! be `*` or `0` for one the system picks. Connect addresses: `host:port` (names are
//! resolved) with an optional source, `src;host:port`.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, ToSocketAddrs};
use std::os::fd::{AsRawFd, FromRawFd, RawFd};
use std::time::Duration;

use socket2::{Domain, Protocol, SockRef, Socket, TcpKeepalive, Type};

use crate::error::{Errno, Result};
use crate::options::SocketOptions;
use crate::transport::ip::{interface_addresses, resolve_numeric, strtol};
use crate::transport::ConnectFailed;

/// libzmq's port: `*` or `0` for "any"; otherwise what `atoi` reads, truncated to 16
/// bits (so `70000` is 4464 and `1x` is 1), where 0 is `EINVAL`.
fn parse_port(port: &str) -> Result<u16> {
    if port == "*" || port == "0" {
        return Ok(0);
    }
    match strtol(port.as_bytes()) as i32 as u16 {
        0 => Err(Errno::EINVAL),
        port => Ok(port),
    }
}

fn strip_brackets(host: &str) -> &str {
    host.strip_prefix('[').and_then(|inner| inner.strip_suffix(']')).unwrap_or(host)
}

/// The address to bind `address` (after `tcp://`) to: `*`, an interface name or a
/// numeric address (libzmq looks no host names up for a bind: `ENODEV`), and a port.
pub fn bind_address(address: &str, ipv6: bool) -> Result<SocketAddr> {
    let (host, port) = address.rsplit_once(':').ok_or(Errno::EINVAL)?;
    let port = parse_port(port)?;
    let host = strip_brackets(host);
    let ip = if host == "*" {
        if ipv6 {
            IpAddr::V6(Ipv6Addr::UNSPECIFIED)
        } else {
            IpAddr::V4(Ipv4Addr::UNSPECIFIED)
        }
    } else if let Some(ip) = interface_address(host, ipv6) {
        ip
    } else {
        resolve_numeric(host.as_bytes(), ipv6).map_err(|_| Errno::ENODEV)?.0
    };
    Ok(SocketAddr::new(ip, port))
}

/// libzmq's quick syntax check of a connect address (`socket_base.cpp`): host
/// characters, then a `:` followed by a digit. The rest is found out when connecting.
fn connect_syntax_ok(address: &str) -> bool {
    let bytes = address.as_bytes();
    let Some((&first, rest)) = bytes.split_first() else { return false };
    if !(first.is_ascii_alphanumeric() || first == b'[' || first == b':') {
        return false;
    }
    let allowed = |byte: &u8| byte.is_ascii_alphanumeric() || b".-:%;[]_*".contains(byte);
    if !rest.iter().all(allowed) {
        return false;
    }
    address.rsplit_once(':').is_some_and(|(_, port)| port.as_bytes().first().is_some_and(u8::is_ascii_digit))
}

/// A connect endpoint, checked for syntax; parsed and resolved at each attempt, as
/// libzmq does (so a name that does not resolve yet is retried).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectAddress {
    text: String,
}

/// Checks a connect address (after `tcp://`): `EINVAL` when malformed.
pub fn connect_address(address: &str) -> Result<ConnectAddress> {
    if !connect_syntax_ok(address) {
        return Err(Errno::EINVAL);
    }
    Ok(ConnectAddress { text: address.to_owned() })
}

impl ConnectAddress {
    /// The `host:port` to reach (without a `source;` part), as a SOCKS proxy is asked
    /// for it.
    pub fn target(&self) -> &str {
        self.text.split_once(';').map_or(self.text.as_str(), |(_, target)| target)
    }

    /// Whether [`resolve`](Self::resolve) would look a name up, and so may block: the
    /// target's host is not a numeric address (a source is never looked up: it is an
    /// address or an interface name).
    pub fn needs_lookup(&self, ipv6: bool) -> bool {
        let target = self.target();
        let host = target.rsplit_once(':').map_or(target, |(host, _)| host);
        resolve_numeric(strip_brackets(host).as_bytes(), ipv6).is_err()
    }

    /// Where to connect now, and from where (`source;target`). Looks the target's
    /// host up when it is a name, which blocks (see `transport::lookup`).
    pub fn resolve(&self, ipv6: bool) -> Result<(SocketAddr, Option<SocketAddr>)> {
        let (source, target) = match self.text.split_once(';') {
            Some((source, target)) => (Some(source), target),
            None => (None, self.text.as_str()),
        };
        let (host, port) = target.rsplit_once(':').ok_or(Errno::EINVAL)?;
        let port = strtol(port.as_bytes()) as i32 as u16;
        let target = SocketAddr::new(resolve_host(strip_brackets(host), ipv6)?, port);
        let source = match source {
            Some(source) if source.contains(':') => Some(bind_address(source, ipv6)?),
            Some(source) => Some(bind_address(&format!("{source}:0"), ipv6)?),
            None => None,
        };
        Ok((target, source))
    }
}

/// Resolves a connect host: numeric, or a name looked up now (IPv4 preferred unless
/// `ipv6`, as libzmq).
fn resolve_host(host: &str, ipv6: bool) -> Result<IpAddr> {
    if let Ok((ip, _)) = resolve_numeric(host.as_bytes(), ipv6) {
        return Ok(ip);
    }
    let found: Vec<IpAddr> =
        (host, 0).to_socket_addrs().map_err(|_| Errno::EHOSTUNREACH)?.map(|address| address.ip()).collect();
    let pick = found
        .iter()
        .find(|ip| ip.is_ipv4())
        .or_else(|| if ipv6 { found.iter().find(|ip| ip.is_ipv6()) } else { None })
        .copied();
    pick.ok_or(Errno::EHOSTUNREACH)
}

/// The address of the network interface called `name` (`lo`, `eth0`), as libzmq
/// accepts in bind endpoints: its IPv4 address, or with `ipv6` its IPv6 one when it
/// has no IPv4 address.
fn interface_address(name: &str, ipv6: bool) -> Option<IpAddr> {
    let found = interface_addresses(name);
    let ip = found
        .iter()
        .find(|ip| ip.is_ipv4())
        .or_else(|| found.iter().find(|ip| ipv6 && ip.is_ipv6()))
        .copied()?;
    Some(match ip {
        IpAddr::V4(v4) if ipv6 => IpAddr::V6(v4.to_ipv6_mapped()),
        ip => ip,
    })
}

/// The text libzmq gives for a bound or connected address (`ZMQ_LAST_ENDPOINT`).
pub fn endpoint_text(address: SocketAddr) -> String {
    match address {
        SocketAddr::V4(v4) => format!("tcp://{}:{}", v4.ip(), v4.port()),
        SocketAddr::V6(v6) => format!("tcp://[{}]:{}", v6.ip(), v6.port()),
    }
}

/// A listening socket for `address`, tuned as libzmq tunes it.
pub fn listen(address: SocketAddr, options: &SocketOptions) -> Result<std::net::TcpListener> {
    let socket = Socket::new(Domain::for_address(address), Type::STREAM.cloexec(), Some(Protocol::TCP))?;
    if address.is_ipv6() {
        // Dual-stack, as libzmq with ZMQ_IPV6.
        let _ = socket.set_only_v6(false);
    }
    socket.set_reuse_address(true)?;
    tune(&SockRef::from(&socket), options);
    if !options.bound_device.is_empty() {
        socket.bind_device(Some(&options.bound_device))?;
    }
    socket.bind(&address.into()).map_err(bind_error)?;
    socket.listen(options.backlog.max(1))?;
    socket.set_nonblocking(true)?;
    Ok(socket.into())
}

/// `ZMQ_USE_FD`: listens on a descriptor the application bound and put in the
/// listening state itself; the listener owns (and closes) it from now on, as in
/// libzmq.
pub fn adopt_listener(fd: RawFd) -> Result<std::net::TcpListener> {
    // SAFETY: the application handed this descriptor over with ZMQ_USE_FD, which
    // gives its ownership to the socket (libzmq closes it on unbind too).
    let listener = unsafe { std::net::TcpListener::from_raw_fd(fd) };
    listener.local_addr()?;
    listener.set_nonblocking(true)?;
    Ok(listener)
}

fn bind_error(error: std::io::Error) -> Errno {
    Errno::from(error)
}

/// Starts a non-blocking connection to `target`, from `source` when given.
pub fn connect(
    target: SocketAddr,
    source: Option<SocketAddr>,
    options: &SocketOptions,
) -> core::result::Result<std::net::TcpStream, ConnectFailed> {
    let socket = Socket::new(Domain::for_address(target), Type::STREAM.cloexec(), Some(Protocol::TCP))?;
    let failed = |error: std::io::Error| ConnectFailed { errno: error.into(), fd: Some(socket.as_raw_fd()) };
    tune(&SockRef::from(&socket), options);
    if !options.bound_device.is_empty() {
        socket.bind_device(Some(&options.bound_device)).map_err(failed)?;
    }
    if let Some(source) = source {
        socket.set_reuse_address(true).map_err(failed)?;
        socket.bind(&source.into()).map_err(failed)?;
    }
    socket.set_nonblocking(true).map_err(failed)?;
    match socket.connect(&target.into()) {
        Ok(()) => {}
        Err(error) if error.raw_os_error() == Some(libc::EINPROGRESS) => {}
        Err(error) => return Err(failed(error)),
    }
    Ok(socket.into())
}

/// Applies the socket options that concern a TCP socket. Failures are ignored, as
/// libzmq ignores most (a kernel without TCP_MAXRT, say).
pub fn tune(socket: &SockRef<'_>, options: &SocketOptions) {
    let _ = socket.set_tcp_nodelay(true);
    if options.sndbuf >= 0 {
        let _ = socket.set_send_buffer_size(options.sndbuf as usize);
    }
    if options.rcvbuf >= 0 {
        let _ = socket.set_recv_buffer_size(options.rcvbuf as usize);
    }
    if options.tos > 0 {
        let _ = socket.set_tos_v4(options.tos as u32);
    }
    if options.priority > 0 {
        let _ = socket.set_priority(options.priority as u32);
    }
    if options.tcp_keepalive == 1 {
        let mut keepalive = TcpKeepalive::new();
        if options.tcp_keepalive_idle > 0 {
            keepalive = keepalive.with_time(Duration::from_secs(options.tcp_keepalive_idle as u64));
        }
        if options.tcp_keepalive_intvl > 0 {
            keepalive = keepalive.with_interval(Duration::from_secs(options.tcp_keepalive_intvl as u64));
        }
        if options.tcp_keepalive_cnt > 0 {
            keepalive = keepalive.with_retries(options.tcp_keepalive_cnt as u32);
        }
        let _ = socket.set_tcp_keepalive(&keepalive);
    } else if options.tcp_keepalive == 0 {
        let _ = socket.set_keepalive(false);
    }
    if options.tcp_maxrt > 0 {
        let _ = socket.set_tcp_user_timeout(Some(Duration::from_millis(options.tcp_maxrt as u64)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bind_addresses() {
        let ok = |text: &str, ipv6: bool| bind_address(text, ipv6).map(|address| address.to_string());
        assert_eq!(ok("*:5555", false), Ok("0.0.0.0:5555".into()));
        assert_eq!(ok("*:*", false), Ok("0.0.0.0:0".into()));
        assert_eq!(ok("*:0", true), Ok("[::]:0".into()));
        assert_eq!(ok("127.0.0.1:*", false), Ok("127.0.0.1:0".into()));
        assert_eq!(ok("127.1:7", false), Ok("127.0.0.1:7".into()));
        assert_eq!(ok("127.0.0.1:7", true), Ok("[::ffff:127.0.0.1]:7".into()));
        assert_eq!(ok("[::1]:7", true), Ok("[::1]:7".into()));
        assert_eq!(ok("lo:7", false), Ok("127.0.0.1:7".into()));
        // atoi, truncated to 16 bits; only "0" and "*" mean "any".
        assert_eq!(ok("127.0.0.1:70000", false), Ok("127.0.0.1:4464".into()));
        assert_eq!(ok("127.0.0.1:-1", false), Ok("127.0.0.1:65535".into()));
        assert_eq!(ok("127.0.0.1:1x", false), Ok("127.0.0.1:1".into()));
        assert_eq!(ok("127.0.0.1:00", false), Err(Errno::EINVAL));
        assert_eq!(ok("127.0.0.1:x", false), Err(Errno::EINVAL));
        assert_eq!(ok("127.0.0.1", false), Err(Errno::EINVAL));
        assert_eq!(ok("[::1]:7", false), Err(Errno::ENODEV));
        assert_eq!(ok(":5555", false), Err(Errno::ENODEV));
        assert_eq!(ok("localhost:5555", false), Err(Errno::ENODEV));
        assert_eq!(ok("no-such-interface:7", false), Err(Errno::ENODEV));
    }

    #[test]
    fn connect_addresses() {
        let needs_lookup = |text: &str| connect_address(text).unwrap().needs_lookup(false);
        assert!(needs_lookup("localhost:5555") && needs_lookup("127.0.0.1:0;broker.example:9"));
        assert!(!needs_lookup("127.0.0.1:5555") && !needs_lookup("localhost:0;127.0.0.1:9"));
        assert!(!connect_address("[::1]:5555").unwrap().needs_lookup(true));
        let resolved = |text: &str| connect_address(text).and_then(|address| address.resolve(false));
        assert_eq!(resolved("localhost:5555"), Ok(("127.0.0.1:5555".parse().unwrap(), None)));
        assert_eq!(
            resolved("127.0.0.1:0;127.0.0.1:9"),
            Ok(("127.0.0.1:9".parse().unwrap(), Some("127.0.0.1:0".parse().unwrap())))
        );
        assert_eq!(
            resolved("1.2.3.4;127.0.0.1:9").map(|(_, source)| source),
            Ok(Some("1.2.3.4:0".parse().unwrap()))
        );
        // Syntax is all zmq_connect checks; these fail (and are retried) when connecting.
        for accepted in ["127.0.0.1:70000", "127.0.0.1:0", ":5555", "127.0.0.1:5x", "127.0.0.1:5555;foo"] {
            assert!(connect_address(accepted).is_ok(), "{accepted}");
        }
        for refused in ["*:5555", "127.0.0.1:*", "nohost", "a b:5", "127.0.0.1:", ""] {
            assert_eq!(connect_address(refused), Err(Errno::EINVAL), "{refused}");
        }
    }

    #[test]
    fn socket_options_reach_the_kernel() {
        let mut options = SocketOptions::for_context(crate::constants::ZMQ_PUSH, false, true);
        options.sndbuf = 65536;
        options.rcvbuf = 32768;
        options.tos = 0x28;
        options.tcp_keepalive = 1;
        options.tcp_keepalive_idle = 42;
        options.tcp_keepalive_intvl = 7;
        options.tcp_keepalive_cnt = 3;
        options.tcp_maxrt = 1500;
        let listener = listen("127.0.0.1:0".parse().unwrap(), &options).unwrap();
        let stream = connect(listener.local_addr().unwrap(), None, &options).unwrap();
        let socket = SockRef::from(&stream);
        // Linux doubles the buffer sizes it is given.
        assert_eq!(socket.send_buffer_size().unwrap(), 2 * 65536);
        assert_eq!(socket.recv_buffer_size().unwrap(), 2 * 32768);
        assert_eq!(socket.tos_v4().unwrap(), 0x28);
        assert!(socket.keepalive().unwrap());
        assert_eq!(socket.tcp_keepalive_time().unwrap(), Duration::from_secs(42));
        assert_eq!(socket.tcp_keepalive_interval().unwrap(), Duration::from_secs(7));
        assert_eq!(socket.tcp_keepalive_retries().unwrap(), 3);
        assert_eq!(socket.tcp_user_timeout().unwrap(), Some(Duration::from_millis(1500)));
        assert!(socket.tcp_nodelay().unwrap());
    }

    #[test]
    fn endpoint_texts() {
        assert_eq!(endpoint_text("127.0.0.1:5".parse().unwrap()), "tcp://127.0.0.1:5");
        assert_eq!(endpoint_text("[::1]:5".parse().unwrap()), "tcp://[::1]:5");
    }
}
