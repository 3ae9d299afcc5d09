//! tcp:// addresses and socket tuning. libzmq: `tcp_address.cpp`, `tcp.cpp`.
//!
//! Bind addresses: `*:port`, `ip:port`, `[ipv6]:port`, `localhost:port`; the port may
//! be `*` or `0` for one the system picks. Connect addresses: `host:port` (names are
//! resolved) with an optional source, `src;host:port`.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, ToSocketAddrs};
use std::time::Duration;

use socket2::{Domain, Protocol, SockRef, Socket, TcpKeepalive, Type};

use crate::error::{Errno, Result};
use crate::options::SocketOptions;

/// Splits `host:port`, accepting `[v6]:port`.
fn split_host_port(address: &str) -> Result<(&str, &str)> {
    let (host, port) = address.rsplit_once(':').ok_or(Errno::EINVAL)?;
    let host = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')).unwrap_or(host);
    if host.is_empty() || port.is_empty() {
        return Err(Errno::EINVAL);
    }
    Ok((host, port))
}

/// A port number: `*` and `0` mean "any" where `wildcard_ok`.
fn parse_port(port: &str, wildcard_ok: bool) -> Result<u16> {
    if port == "*" {
        return if wildcard_ok { Ok(0) } else { Err(Errno::EINVAL) };
    }
    let number: u16 = port.parse().map_err(|_| Errno::EINVAL)?;
    if number == 0 && !wildcard_ok {
        return Err(Errno::EINVAL);
    }
    Ok(number)
}

/// Resolves `host` to one address, preferring IPv4 unless `ipv6` (libzmq's order).
fn resolve_host(host: &str, ipv6: bool, missing: Errno) -> Result<IpAddr> {
    if let Ok(ip) = host.parse::<IpAddr>() {
        if ip.is_ipv6() && !ipv6 {
            return Err(missing);
        }
        return Ok(ip);
    }
    let found: Vec<IpAddr> =
        (host, 0).to_socket_addrs().map_err(|_| missing)?.map(|address| address.ip()).collect();
    let pick = found
        .iter()
        .find(|ip| ip.is_ipv4())
        .or_else(|| if ipv6 { found.iter().find(|ip| ip.is_ipv6()) } else { None })
        .copied();
    pick.ok_or(missing)
}

/// The address to bind `address` (after `tcp://`) to.
pub fn bind_address(address: &str, ipv6: bool) -> Result<SocketAddr> {
    let (host, port) = split_host_port(address)?;
    let port = parse_port(port, true)?;
    let ip = if host == "*" {
        if ipv6 {
            IpAddr::V6(Ipv6Addr::UNSPECIFIED)
        } else {
            IpAddr::V4(Ipv4Addr::UNSPECIFIED)
        }
    } else if let Some(ip) = interface_address(host, ipv6) {
        ip
    } else {
        resolve_host(host, ipv6, Errno::ENODEV)?
    };
    Ok(SocketAddr::new(ip, port))
}

/// The address of the network interface called `name` (`lo`, `eth0`), as libzmq
/// accepts in bind endpoints: its IPv4 address, or with `ipv6` its IPv6 one when it
/// has no IPv4 address.
fn interface_address(name: &str, ipv6: bool) -> Option<IpAddr> {
    let mut list: *mut libc::ifaddrs = core::ptr::null_mut();
    // SAFETY: getifaddrs writes a list head into `list`; checked before use.
    if unsafe { libc::getifaddrs(&mut list) } != 0 {
        return None;
    }
    let mut found: Vec<IpAddr> = Vec::new();
    let mut entry = list;
    while !entry.is_null() {
        // SAFETY: `entry` is a node of the list getifaddrs returned, not yet freed.
        let node = unsafe { &*entry };
        entry = node.ifa_next;
        if node.ifa_name.is_null() || node.ifa_addr.is_null() {
            continue;
        }
        // SAFETY: a non-null interface name is a NUL-terminated string in the list.
        let node_name = unsafe { std::ffi::CStr::from_ptr(node.ifa_name) };
        if node_name.to_bytes() != name.as_bytes() {
            continue;
        }
        // SAFETY: `ifa_addr` is non-null and points at a sockaddr whose family says
        // which structure it is.
        match i32::from(unsafe { (*node.ifa_addr).sa_family }) {
            libc::AF_INET => {
                // SAFETY: the family is AF_INET, so this is a sockaddr_in.
                let v4 = unsafe { &*node.ifa_addr.cast::<libc::sockaddr_in>() };
                found.push(IpAddr::V4(Ipv4Addr::from(u32::from_be(v4.sin_addr.s_addr))));
            }
            libc::AF_INET6 => {
                // SAFETY: the family is AF_INET6, so this is a sockaddr_in6.
                let v6 = unsafe { &*node.ifa_addr.cast::<libc::sockaddr_in6>() };
                found.push(IpAddr::V6(Ipv6Addr::from(v6.sin6_addr.s6_addr)));
            }
            _ => {}
        }
    }
    // SAFETY: `list` came from getifaddrs and nothing refers to it any more.
    unsafe { libc::freeifaddrs(list) };
    found.iter().find(|ip| ip.is_ipv4()).or_else(|| found.iter().find(|ip| ipv6 && ip.is_ipv6())).copied()
}

/// A connect endpoint: where to, and optionally from where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectAddress {
    pub source: Option<SocketAddr>,
    /// `host:port` as given: names are resolved at each attempt, as libzmq does.
    pub host: String,
    pub port: u16,
}

/// Parses a connect address (after `tcp://`): `EINVAL` when malformed.
pub fn connect_address(address: &str) -> Result<ConnectAddress> {
    let (source, target) = match address.split_once(';') {
        Some((source, target)) => (Some(source), target),
        None => (None, address),
    };
    let (host, port) = split_host_port(target)?;
    if host == "*" {
        return Err(Errno::EINVAL);
    }
    let port = parse_port(port, false)?;
    let source = match source {
        Some(source) => Some(bind_address(source, true)?),
        None => None,
    };
    Ok(ConnectAddress { source, host: host.to_owned(), port })
}

impl ConnectAddress {
    /// Resolves the target now.
    pub fn resolve(&self, ipv6: bool) -> Result<SocketAddr> {
        Ok(SocketAddr::new(resolve_host(&self.host, ipv6, Errno::EHOSTUNREACH)?, self.port))
    }
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

fn bind_error(error: std::io::Error) -> Errno {
    Errno::from(error)
}

/// Starts a non-blocking connection to `target`, from `source` when given.
pub fn connect(
    target: SocketAddr,
    source: Option<SocketAddr>,
    options: &SocketOptions,
) -> Result<std::net::TcpStream> {
    let socket = Socket::new(Domain::for_address(target), Type::STREAM.cloexec(), Some(Protocol::TCP))?;
    tune(&SockRef::from(&socket), options);
    if !options.bound_device.is_empty() {
        socket.bind_device(Some(&options.bound_device))?;
    }
    if let Some(source) = source {
        socket.set_reuse_address(true)?;
        socket.bind(&source.into())?;
    }
    socket.set_nonblocking(true)?;
    match socket.connect(&target.into()) {
        Ok(()) => {}
        Err(error) if error.raw_os_error() == Some(libc::EINPROGRESS) => {}
        Err(error) => return Err(error.into()),
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
        assert_eq!(bind_address("*:5555", false), Ok("0.0.0.0:5555".parse().unwrap()));
        assert_eq!(bind_address("*:*", false), Ok("0.0.0.0:0".parse().unwrap()));
        assert_eq!(bind_address("*:0", true), Ok("[::]:0".parse().unwrap()));
        assert_eq!(bind_address("127.0.0.1:*", false), Ok("127.0.0.1:0".parse().unwrap()));
        assert_eq!(bind_address("[::1]:7", true), Ok("[::1]:7".parse().unwrap()));
        assert_eq!(bind_address("[::1]:7", false), Err(Errno::ENODEV));
        assert_eq!(bind_address("127.0.0.1", false), Err(Errno::EINVAL));
        assert_eq!(bind_address("127.0.0.1:70000", false), Err(Errno::EINVAL));
        assert_eq!(bind_address("127.0.0.1:x", false), Err(Errno::EINVAL));
        assert_eq!(bind_address("lo:7", false), Ok("127.0.0.1:7".parse().unwrap()));
        assert_eq!(bind_address("no-such-interface-or-host:7", false), Err(Errno::ENODEV));
    }

    #[test]
    fn connect_addresses() {
        let plain = connect_address("localhost:5555").unwrap();
        assert_eq!((plain.source, plain.host.as_str(), plain.port), (None, "localhost", 5555));
        assert_eq!(plain.resolve(false), Ok("127.0.0.1:5555".parse().unwrap()));
        let sourced = connect_address("127.0.0.1:0;127.0.0.1:9").unwrap();
        assert_eq!(sourced.source, Some("127.0.0.1:0".parse().unwrap()));
        for bad in ["*:5555", "127.0.0.1:*", "127.0.0.1:0", "nohost", ":5"] {
            assert_eq!(connect_address(bad), Err(Errno::EINVAL), "{bad}");
        }
    }

    #[test]
    fn endpoint_texts() {
        assert_eq!(endpoint_text("127.0.0.1:5".parse().unwrap()), "tcp://127.0.0.1:5");
        assert_eq!(endpoint_text("[::1]:5".parse().unwrap()), "tcp://[::1]:5");
    }
}
