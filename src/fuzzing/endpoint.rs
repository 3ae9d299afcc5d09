//! Endpoint strings (`zmq_bind`/`zmq_connect` arguments) and the C-style number
//! and address readers behind them.

use core::ffi::c_char;
use std::ffi::CString;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use super::Input;
use crate::transport::endpoint::{self, Transport};
use crate::transport::ip::{inet_aton_exact, interface_addresses, resolve_numeric, strtol};
use crate::transport::{ipc, tcp, udp, ws};

/// Transports the selector may put in front of the text.
const SCHEMES: [&str; 6] = ["tcp", "ipc", "inproc", "udp", "ws", "wss"];

/// Whether `host` (as written before the port's colon, brackets and all) resolves
/// without a name lookup: numeric in either family. Names are not fuzzed: a lookup
/// would ask the system's resolver (slow, and not ours).
fn numeric(host: &str) -> bool {
    let unbracketed = host.strip_prefix('[').and_then(|inner| inner.strip_suffix(']')).unwrap_or(host);
    resolve_numeric(unbracketed.as_bytes(), true).is_ok()
}

/// Endpoint strings as `zmq_bind`/`zmq_connect` get them, for any socket type,
/// bind or connect, IPv6 on or off: the URI parser, then each transport's address
/// parser (tcp `host:port` and `source;host:port`, ipc paths and abstract names, udp
/// `iface;group:port`, ws `host:port/path`). Nothing may panic; what parses keeps
/// its invariants (the family asked for, the path's `/`, lengths the kernel takes)
/// and the addresses we print (`ZMQ_LAST_ENDPOINT`) parse back to themselves. The C
/// readers they are built on agree with the C library: `strtol` with glibc's, the
/// IPv4 reader with `getaddrinfo(AI_NUMERICHOST)`, and the numeric IPv6 reader with
/// it too. Host names that would need a lookup are parsed but not resolved.
///
/// Input: a selector byte (bit 7: prefix a transport, bits 0-2 which; bit 5 IPv6;
/// bit 6 bind), a socket type byte, then the text (up to a NUL, as C passes it).
pub fn endpoint(data: &[u8]) {
    let mut input = Input(data);
    let selector = input.byte();
    let socket_type = i32::from(input.byte() % 21);
    let ipv6 = selector & 0x20 != 0;
    let bind = selector & 0x40 != 0;
    let raw = input.rest();
    let raw = &raw[..raw.iter().position(|&b| b == 0).unwrap_or(raw.len())];
    c_readers(raw);
    let text = String::from_utf8_lossy(raw);
    let uri = if selector & 0x80 != 0 {
        format!("{}://{text}", SCHEMES[usize::from(selector & 7) % SCHEMES.len()])
    } else {
        text.into_owned()
    };
    let Ok(parsed) = endpoint::parse(&uri, socket_type) else { return };
    assert!(parsed.transport.is_available());
    assert!(!parsed.address.is_empty());
    assert!(uri.ends_with(parsed.address));
    assert!(uri[..uri.len() - parsed.address.len()].ends_with("://"));
    let address = parsed.address;
    match parsed.transport {
        Transport::Tcp if bind => tcp_bind(address, ipv6),
        Transport::Tcp => tcp_connect(address, ipv6),
        Transport::Ipc => ipc_address(address),
        Transport::Udp => udp_address(address, bind, ipv6),
        Transport::Ws if bind => ws_bind(address, ipv6),
        Transport::Ws => ws_connect(address, ipv6),
        _ => {}
    }
}

fn tcp_bind(address: &str, ipv6: bool) {
    let Ok(bound) = tcp::bind_address(address, ipv6) else { return };
    if !ipv6 {
        assert!(bound.is_ipv4());
    }
    let text = tcp::endpoint_text(bound);
    let again = text.strip_prefix("tcp://").map(|rest| tcp::bind_address(rest, ipv6));
    assert_eq!(again, Some(Ok(bound)), "{text}");
}

fn tcp_connect(address: &str, ipv6: bool) {
    let Ok(target) = tcp::connect_address(address) else { return };
    // As `resolve` cuts it: the source before the first `;`.
    let (host, _) =
        address.split_once(';').map_or(address, |(_, target)| target).rsplit_once(':').unwrap_or_default();
    if numeric(host) {
        if let Ok((to, _)) = target.resolve(ipv6) {
            assert!(ipv6 || to.is_ipv4());
        }
    }
}

fn ipc_address(address: &str) {
    // `*` makes a directory: not for a fuzzer.
    if address == "*" {
        return;
    }
    let Ok(parsed) = ipc::parse(address) else { return };
    match &parsed {
        ipc::IpcAddress::Path(path) => assert!(path.as_os_str().len() <= 107),
        ipc::IpcAddress::Abstract(name) => {
            assert!((1..=106).contains(&name.len()));
            assert_eq!(Some(&name[..]), address.as_bytes().get(1..));
        }
    }
    assert!(parsed.socket_address().is_ok(), "the kernel would not take {parsed:?}");
    let text = parsed.endpoint_text();
    assert_eq!(text.strip_prefix("ipc://").map(ipc::parse), Some(Ok(parsed)));
}

fn udp_address(address: &str, bind: bool, ipv6: bool) {
    let target = address.rsplit_once(';').map_or(address, |(_, target)| target);
    let Some((host, _)) = target.rsplit_once(':') else { return };
    let unbracketed = host.strip_prefix('[').and_then(|inner| inner.strip_suffix(']')).unwrap_or(host);
    let no_lookup = unbracketed == "*"
        || unbracketed.contains('%')
        || numeric(host)
        || (bind && !interface_addresses(unbracketed).is_empty());
    if !no_lookup {
        return;
    }
    let Ok(resolved) = udp::resolve(address, bind, ipv6) else { return };
    assert_eq!(resolved.target.is_ipv6(), ipv6);
    assert_eq!(resolved.bind.is_ipv6(), ipv6);
    assert_eq!(resolved.bind.port(), resolved.target.port());
    if !resolved.is_multicast() && address.contains(';') {
        panic!("a source interface without a multicast group: {resolved:?}");
    }
}

fn ws_bind(address: &str, ipv6: bool) {
    let Ok((bound, path)) = ws::bind_address(address, ipv6) else { return };
    assert!(path.starts_with('/'));
    assert_eq!(ws::bind_path(address), path);
    if !path.contains(':') {
        // (A path with a colon cannot come back: the port is after the last colon,
        // as libzmq reads it.)
        let text = ws::endpoint_text(bound, &path);
        let again = text.strip_prefix("ws://").map(|rest| ws::bind_address(rest, ipv6));
        assert_eq!(again, Some(Ok((bound, path))), "{text}");
    }
}

fn ws_connect(address: &str, ipv6: bool) {
    let Some(colon) = address.rfind(':') else { return };
    let host = &address[..colon];
    if !numeric(host) {
        return;
    }
    let Ok(target) = ws::connect_target(address, ipv6) else { return };
    assert!(target.path().starts_with('/'));
    assert_eq!(target.host(), host);
    assert!(target.endpoint().starts_with("ws://"));
    assert!(target.endpoint().ends_with(target.path()));
}

/// The C readers against the C library.
fn c_readers(raw: &[u8]) {
    let Ok(c_text) = CString::new(raw) else { return };
    // SAFETY: `c_text` is a C string; a NULL end pointer is allowed.
    let expected = unsafe { libc::strtol(c_text.as_ptr(), core::ptr::null_mut(), 10) };
    assert_eq!(strtol(raw), expected);
    assert_eq!(inet_aton_exact(raw).map(IpAddr::V4), getaddrinfo_numeric(&c_text, false));
    if !raw.contains(&b'%') && !raw.starts_with(b"[") {
        assert_eq!(resolve_numeric(raw, false).ok().map(|(ip, _)| ip), getaddrinfo_numeric(&c_text, false));
        assert_eq!(resolve_numeric(raw, true).ok().map(|(ip, _)| ip), getaddrinfo_numeric(&c_text, true));
    }
}

/// `getaddrinfo(host, NULL, AI_NUMERICHOST)` in one family, as libzmq's resolver
/// asks it (`AI_V4MAPPED` for IPv6): the first address.
fn getaddrinfo_numeric(host: &CString, ipv6: bool) -> Option<IpAddr> {
    // SAFETY: an all-zero addrinfo is the documented "no hints" value.
    let mut hints: libc::addrinfo = unsafe { core::mem::zeroed() };
    hints.ai_family = if ipv6 { libc::AF_INET6 } else { libc::AF_INET };
    hints.ai_flags = libc::AI_NUMERICHOST | if ipv6 { libc::AI_V4MAPPED } else { 0 };
    hints.ai_socktype = libc::SOCK_STREAM;
    let mut list: *mut libc::addrinfo = core::ptr::null_mut();
    // SAFETY: `host` is a C string, `hints` is initialised, `list` receives the result.
    let status = unsafe { libc::getaddrinfo(host.as_ptr(), core::ptr::null::<c_char>(), &hints, &mut list) };
    if status != 0 || list.is_null() {
        return None;
    }
    // SAFETY: on success `list` is a valid list whose first entry has an address of
    // the family asked for.
    let found = unsafe {
        let entry = &*list;
        match entry.ai_family {
            libc::AF_INET if !entry.ai_addr.is_null() => {
                let v4 = &*entry.ai_addr.cast::<libc::sockaddr_in>();
                Some(IpAddr::V4(Ipv4Addr::from(u32::from_be(v4.sin_addr.s_addr))))
            }
            libc::AF_INET6 if !entry.ai_addr.is_null() => {
                let v6 = &*entry.ai_addr.cast::<libc::sockaddr_in6>();
                Some(IpAddr::V6(Ipv6Addr::from(v6.sin6_addr.s6_addr)))
            }
            _ => None,
        }
    };
    // SAFETY: `list` came from getaddrinfo and is freed once.
    unsafe { libc::freeaddrinfo(list) };
    found
}
