//! udp:// addresses and the datagram sockets behind them. libzmq: `udp_address.cpp`,
//! `udp_engine.cpp` (`plug`), `ip_resolver.cpp`.
//!
//! An address is `host:port`, optionally after a source interface for multicast,
//! `iface;group:port`:
//! - DISH and DGRAM bind: `*:port`, an interface name or an address (names are
//!   looked up) and a port; a multicast group is joined on the source interface, or
//!   on any with no source.
//! - RADIO connects (sends): a host (looked up) and a port; `*` is not a host here.
//!
//! The source part takes `*`, an interface name or a numeric address, and is only
//! allowed with a multicast target (`EINVAL` otherwise). IPv6 multicast needs an
//! interface index, so an IPv6 source must be `*` or an interface name (`ENODEV`).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV6, ToSocketAddrs, UdpSocket};

use socket2::{Domain, Protocol, Socket, Type};

use crate::error::{Errno, Result};
use crate::options::SocketOptions;
use crate::transport::ip::{interface_addresses, interface_index, resolve_numeric, strtol};

/// A resolved udp address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UdpAddress {
    /// Where datagrams are sent (RADIO), or the address or group a bind names.
    pub target: SocketAddr,
    /// Where a receiving socket binds: the target for a unicast bind, otherwise the
    /// source interface's address (or any) with the target's port.
    pub bind: SocketAddr,
    /// The source interface's index, for IPv6 multicast: 0 for any, `None` when the
    /// source was given by address.
    pub interface: Option<u32>,
}

impl UdpAddress {
    pub fn is_multicast(&self) -> bool {
        self.target.ip().is_multicast()
    }
}

/// The unspecified address of `ip`'s family.
fn any_like(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => IpAddr::V4(Ipv4Addr::UNSPECIFIED),
        IpAddr::V6(_) => IpAddr::V6(Ipv6Addr::UNSPECIFIED),
    }
}

fn any(ipv6: bool) -> IpAddr {
    if ipv6 {
        IpAddr::V6(Ipv6Addr::UNSPECIFIED)
    } else {
        IpAddr::V4(Ipv4Addr::UNSPECIFIED)
    }
}

/// The address of interface `name` in the family `ipv6` asks for (libzmq's
/// `resolve_nic_name`: the first one of that family).
fn nic_address(name: &str, ipv6: bool) -> Option<IpAddr> {
    interface_addresses(name).into_iter().find(|ip| ip.is_ipv6() == ipv6)
}

fn strip_brackets(host: &str) -> &str {
    host.strip_prefix('[').and_then(|inner| inner.strip_suffix(']')).unwrap_or(host)
}

/// The port of a udp address: `*` only when binding, `0` always (port 0), otherwise
/// what `atoi` reads, truncated to 16 bits, where 0 is `EINVAL`.
fn parse_port(port: &str, bind: bool) -> Result<u16> {
    match port {
        "*" if bind => Ok(0),
        "0" => Ok(0),
        _ => match strtol(port.as_bytes()) as i32 as u16 {
            0 => Err(Errno::EINVAL),
            port => Ok(port),
        },
    }
}

/// A name looked up now, in the family `ipv6` asks for (an IPv4 address mapped into
/// IPv6 when there is no IPv6 one, as `getaddrinfo` with `AI_V4MAPPED`).
fn lookup(host: &str, ipv6: bool) -> Option<IpAddr> {
    let found: Vec<IpAddr> = (host, 0).to_socket_addrs().ok()?.map(|address| address.ip()).collect();
    if !ipv6 {
        return found.into_iter().find(IpAddr::is_ipv4);
    }
    found.iter().find(|ip| ip.is_ipv6()).copied().or_else(|| {
        found.iter().find_map(|ip| match ip {
            IpAddr::V4(v4) => Some(IpAddr::V6(v4.to_ipv6_mapped())),
            IpAddr::V6(_) => None,
        })
    })
}

/// The source part (before `;`): `*`, an interface name or a numeric address; no
/// port. Its address and interface index.
fn resolve_source(source: &str, ipv6: bool) -> Result<(IpAddr, Option<u32>)> {
    let host = strip_brackets(source);
    let ip = if host == "*" {
        any(ipv6)
    } else if let Some(ip) = nic_address(host, ipv6) {
        ip
    } else {
        resolve_numeric(source.as_bytes(), ipv6).map_err(|_| Errno::ENODEV)?.0
    };
    if ip.is_multicast() {
        return Err(Errno::EINVAL);
    }
    let interface = match source {
        "*" => Some(0),
        name => Some(interface_index(name.as_bytes())).filter(|&index| index != 0),
    };
    Ok((ip, interface))
}

/// The target part (`host:port`): when binding, `*`, an interface name or a host;
/// when connecting, a host. Names are looked up. A failure is `ENODEV` when binding,
/// `EINVAL` when connecting, as libzmq's resolver reports them.
fn resolve_target(target: &str, bind: bool, ipv6: bool) -> Result<SocketAddr> {
    let (host, port) = target.rsplit_once(':').ok_or(Errno::EINVAL)?;
    let port = parse_port(port, bind)?;
    let unbracketed = strip_brackets(host);
    if let Some((_, zone)) = unbracketed.rsplit_once('%') {
        if zone.is_empty() {
            return Err(Errno::EINVAL);
        }
    }
    let failed = if bind { Errno::ENODEV } else { Errno::EINVAL };
    let (ip, zone) = if bind && unbracketed == "*" {
        (any(ipv6), 0)
    } else if let Some(ip) = bind.then(|| nic_address(unbracketed, ipv6)).flatten() {
        (ip, 0)
    } else {
        match resolve_numeric(host.as_bytes(), ipv6) {
            Ok(found) => found,
            Err(_) if unbracketed.contains('%') => return Err(Errno::EINVAL),
            Err(_) => (lookup(unbracketed, ipv6).ok_or(failed)?, 0),
        }
    };
    Ok(match ip {
        IpAddr::V6(v6) => SocketAddr::V6(SocketAddrV6::new(v6, port, 0, zone)),
        IpAddr::V4(v4) => SocketAddr::new(IpAddr::V4(v4), port),
    })
}

/// Resolves a udp address (after `udp://`) for a bind (`bind`) or a connect.
pub fn resolve(address: &str, bind: bool, ipv6: bool) -> Result<UdpAddress> {
    let (source, target) = match address.rsplit_once(';') {
        Some((source, target)) => (Some(resolve_source(source, ipv6)?), target),
        None => (None, address),
    };
    let target = resolve_target(target, bind, ipv6)?;
    let multicast = target.ip().is_multicast();
    let (bind_ip, interface) = match source {
        // A source interface makes sense only for multicast.
        Some(_) if !multicast => return Err(Errno::EINVAL),
        Some(source) => source,
        None if multicast || !bind => (any_like(target.ip()), Some(0)),
        // A unicast bind: the target is where to bind.
        None => (target.ip(), None),
    };
    if bind_ip.is_ipv4() != target.is_ipv4() {
        return Err(Errno::EINVAL);
    }
    if ipv6 && multicast && interface.is_none() {
        return Err(Errno::ENODEV);
    }
    Ok(UdpAddress { target, bind: SocketAddr::new(bind_ip, target.port()), interface })
}

/// What a udp socket is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Use {
    /// Sends to the address's target (a RADIO; a DGRAM sends where each message
    /// says, and libzmq gives it no multicast settings).
    pub sends_to_target: bool,
    pub receives: bool,
}

/// A non-blocking datagram socket for `address`, set up as libzmq's udp engine does:
/// a sender to a multicast target gets `ZMQ_MULTICAST_LOOP`, `ZMQ_MULTICAST_HOPS` and the
/// source interface; a receiver binds (any address and `SO_REUSEPORT` for multicast,
/// which it then joins) with `SO_REUSEADDR`. libzmq does this in its I/O thread and
/// reports failures nowhere; here they are the caller's errors.
pub fn open(address: &UdpAddress, usage: Use, options: &SocketOptions) -> Result<UdpSocket> {
    let socket = Socket::new(Domain::for_address(address.bind), Type::DGRAM.cloexec(), Some(Protocol::UDP))?;
    socket.set_nonblocking(true)?;
    if address.bind.is_ipv6() {
        // IPv4-mapped peers too, as libzmq's IPv6 sockets take them.
        let _ = socket.set_only_v6(false);
    }
    if !options.bound_device.is_empty() {
        socket.bind_device(Some(&options.bound_device))?;
    }
    if usage.sends_to_target && address.is_multicast() {
        set_multicast_sending(&socket, address, options)?;
    }
    if usage.receives {
        socket.set_reuse_address(true)?;
        let local = if address.is_multicast() {
            // Every socket bound to the group's port receives it.
            socket.set_reuse_port(true)?;
            SocketAddr::new(any_like(address.bind.ip()), address.bind.port())
        } else {
            address.bind
        };
        socket.bind(&local.into())?;
        if address.is_multicast() {
            join_group(&socket, address)?;
        }
    }
    Ok(socket.into())
}

fn set_multicast_sending(socket: &Socket, address: &UdpAddress, options: &SocketOptions) -> Result<()> {
    let hops = u32::try_from(options.multicast_hops).ok().filter(|&hops| hops > 0);
    match address.bind.ip() {
        IpAddr::V4(source) => {
            socket.set_multicast_loop_v4(options.multicast_loop)?;
            if let Some(hops) = hops {
                socket.set_multicast_ttl_v4(hops)?;
            }
            if !source.is_unspecified() {
                socket.set_multicast_if_v4(&source)?;
            }
        }
        IpAddr::V6(_) => {
            socket.set_multicast_loop_v6(options.multicast_loop)?;
            if let Some(hops) = hops {
                socket.set_multicast_hops_v6(hops)?;
            }
            if let Some(index) = address.interface.filter(|&index| index > 0) {
                socket.set_multicast_if_v6(index)?;
            }
        }
    }
    Ok(())
}

/// Joins the target group on the source interface (IPv4: by address; IPv6: by index).
fn join_group(socket: &Socket, address: &UdpAddress) -> Result<()> {
    match (address.target.ip(), address.bind.ip()) {
        (IpAddr::V4(group), IpAddr::V4(interface)) => socket.join_multicast_v4(&group, &interface)?,
        (IpAddr::V6(group), _) => socket.join_multicast_v6(&group, address.interface.unwrap_or(0))?,
        _ => return Err(Errno::EINVAL),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolved(address: &str, bind: bool, ipv6: bool) -> Result<(String, String, Option<u32>)> {
        resolve(address, bind, ipv6)
            .map(|address| (address.target.to_string(), address.bind.to_string(), address.interface))
    }

    #[test]
    fn unicast_addresses() {
        // A bind names where to receive; a connect where to send (from anywhere).
        assert_eq!(
            resolved("127.0.0.1:5556", true, false),
            Ok(("127.0.0.1:5556".into(), "127.0.0.1:5556".into(), None))
        );
        assert_eq!(
            resolved("127.0.0.1:5556", false, false),
            Ok(("127.0.0.1:5556".into(), "0.0.0.0:5556".into(), Some(0)))
        );
        assert_eq!(resolved("*:5556", true, false).map(|r| r.1), Ok("0.0.0.0:5556".into()));
        assert_eq!(resolved("*:5556", true, true).map(|r| r.1), Ok("[::]:5556".into()));
        assert_eq!(resolved("*:*", true, false).map(|r| r.1), Ok("0.0.0.0:0".into()));
        assert_eq!(resolved("lo:7", true, false).map(|r| r.1), Ok("127.0.0.1:7".into()));
        assert_eq!(resolved("[::1]:5556", false, true).map(|r| r.0), Ok("[::1]:5556".into()));
        assert_eq!(resolved("127.0.0.1:5", false, true).map(|r| r.0), Ok("[::ffff:127.0.0.1]:5".into()));
        assert_eq!(resolved("localhost:5", false, false).map(|r| r.0), Ok("127.0.0.1:5".into()));
        assert_eq!(resolved("localhost:5", true, false).map(|r| r.0), Ok("127.0.0.1:5".into()));
    }

    #[test]
    fn malformed_addresses() {
        assert_eq!(resolved("127.0.0.1", false, false), Err(Errno::EINVAL), "no port");
        assert_eq!(resolved("*:5556", false, false), Err(Errno::EINVAL), "* is not a host to send to");
        assert_eq!(resolved("127.0.0.1:*", false, false), Err(Errno::EINVAL));
        assert_eq!(resolved("127.0.0.1:x", true, false), Err(Errno::EINVAL));
        // (A name that does not resolve is ENODEV to bind, EINVAL to connect; not
        // tested here, since finding out asks the network's name servers.)
        assert_eq!(resolved("[::1]:5", false, false), Err(Errno::EINVAL), "IPv6 needs ZMQ_IPV6");
        // A source interface is for multicast only, and cannot be a group itself.
        assert_eq!(resolved("lo;127.0.0.1:5", false, false), Err(Errno::EINVAL));
        assert_eq!(resolved("239.0.0.1;239.0.0.2:5", false, false), Err(Errno::EINVAL));
        assert_eq!(resolved("no-such-iface;239.0.0.1:5", false, false), Err(Errno::ENODEV));
    }

    #[test]
    fn multicast_addresses() {
        assert_eq!(
            resolved("239.1.1.1:5555", true, false),
            Ok(("239.1.1.1:5555".into(), "0.0.0.0:5555".into(), Some(0)))
        );
        assert_eq!(
            resolved("127.0.0.1;239.1.1.1:5555", false, false),
            Ok(("239.1.1.1:5555".into(), "127.0.0.1:5555".into(), None))
        );
        let lo = resolve("lo;239.1.1.1:5555", true, false).unwrap();
        assert_eq!(lo.bind.to_string(), "127.0.0.1:5555");
        assert!(lo.interface.is_some_and(|index| index > 0) && lo.is_multicast());
        assert_eq!(resolved("*;239.1.1.1:5555", true, false).map(|r| r.2), Ok(Some(0)));
        assert_eq!(resolved("[ff02::1]:5555", true, true).map(|r| r.2), Ok(Some(0)));
        // IPv6 multicast needs an interface index, not an address.
        assert_eq!(resolved("[::1];[ff02::1]:5555", true, true), Err(Errno::ENODEV));
        // Families must agree.
        assert_eq!(resolved("127.0.0.1;[ff02::1]:5555", true, true), Err(Errno::ENODEV));
    }

    #[test]
    fn sockets_bind_as_asked() {
        let options = SocketOptions::new(crate::constants::ZMQ_DISH);
        let address = resolve("127.0.0.1:0", true, false).unwrap();
        let socket = open(&address, Use { sends_to_target: false, receives: true }, &options).unwrap();
        let local = socket.local_addr().unwrap();
        assert_eq!(local.ip(), IpAddr::V4(Ipv4Addr::LOCALHOST));
        assert_ne!(local.port(), 0);
        // SO_REUSEADDR: a second receiver on the same port is allowed, as in libzmq.
        let again = resolve(&format!("127.0.0.1:{}", local.port()), true, false).unwrap();
        assert!(open(&again, Use { sends_to_target: false, receives: true }, &options).is_ok());
        // A sender is not bound until it sends.
        let target = resolve("127.0.0.1:9", false, false).unwrap();
        let sender = open(&target, Use { sends_to_target: true, receives: false }, &options).unwrap();
        assert_eq!(sender.local_addr().unwrap().port(), 0);
    }

    #[test]
    fn multicast_options_reach_the_kernel() {
        let mut options = SocketOptions::new(crate::constants::ZMQ_RADIO);
        options.multicast_loop = false;
        options.multicast_hops = 7;
        let address = resolve("lo;239.1.2.3:5555", false, false).unwrap();
        let socket = socket2::Socket::from(
            open(&address, Use { sends_to_target: true, receives: false }, &options).unwrap(),
        );
        assert!(!socket.multicast_loop_v4().unwrap());
        assert_eq!(socket.multicast_ttl_v4().unwrap(), 7);
        assert_eq!(socket.multicast_if_v4().unwrap(), Ipv4Addr::LOCALHOST);

        options.multicast_loop = true;
        options.multicast_hops = 3;
        let address = resolve("lo;[ff02::1]:5555", false, true).unwrap();
        let socket = socket2::Socket::from(
            open(&address, Use { sends_to_target: true, receives: false }, &options).unwrap(),
        );
        assert!(socket.multicast_loop_v6().unwrap());
        assert_eq!(socket.multicast_hops_v6().unwrap(), 3);
        assert_eq!(Some(socket.multicast_if_v6().unwrap()), address.interface);
    }
}
