//! What goes in a udp datagram, both ways, as libzmq's udp engine writes it:
//! - RADIO/DISH: one length byte, the group, then the body (RFC 48 over udp);
//! - DGRAM: the body alone; the peer's address travels beside it as the text
//!   `a.b.c.d:port` (received with a terminating NUL, as libzmq makes it).
//!
//! Nothing here touches a socket. libzmq: `udp_engine.cpp` (`out_event`, `in_event`,
//! `sockaddr_to_msg`, `resolve_raw_address`).

use std::net::{IpAddr, SocketAddr, SocketAddrV4};

use crate::transport::ip::{inet_aton_exact, strtol};

/// The largest datagram sent or read (libzmq's `MAX_UDP_MSG`): longer messages are
/// not sent, longer datagrams are cut.
pub(crate) const MAX_DATAGRAM: usize = 8192;

/// A RADIO's message as a datagram into `out` (cleared first); `false` when group and
/// body together do not fit in [`MAX_DATAGRAM`] (libzmq drops such messages).
pub(crate) fn encode_group_message(group: &[u8], body: &[u8], out: &mut Vec<u8>) -> bool {
    let Ok(group_len) = u8::try_from(group.len()) else { return false };
    if 1 + group.len() + body.len() > MAX_DATAGRAM {
        return false;
    }
    out.clear();
    out.push(group_len);
    out.extend_from_slice(group);
    out.extend_from_slice(body);
    true
}

/// A datagram as a DISH takes it: the group and the body; `None` when the group
/// length says more than the datagram holds (or it is empty), which libzmq ignores.
pub(crate) fn decode_group_message(datagram: &[u8]) -> Option<(&[u8], &[u8])> {
    let (&group_len, rest) = datagram.split_first()?;
    let group_len = usize::from(group_len);
    Some((rest.get(..group_len)?, rest.get(group_len..)?))
}

/// The address part a DGRAM receives with a datagram from `from`: `a.b.c.d:port` and
/// a NUL. libzmq handles IPv4 peers only (it asserts on others); an IPv6 peer is
/// `None` here, unless it is an IPv4 address mapped into IPv6.
pub(crate) fn address_part(from: SocketAddr) -> Option<Vec<u8>> {
    let ip = match from.ip() {
        IpAddr::V4(v4) => v4,
        IpAddr::V6(v6) => v6.to_ipv4_mapped()?,
    };
    let mut text = format!("{ip}:{}", from.port()).into_bytes();
    text.push(0);
    Some(text)
}

/// Where a DGRAM's message goes, from its address part: the text up to its first NUL
/// is `host:port`, the host an IPv4 address as `inet_addr` reads it (not
/// 255.255.255.255, its error value) and the port what `atoi` reads, not 0. `None`
/// when it is not (libzmq drops the message).
pub(crate) fn parse_address_part(part: &[u8]) -> Option<SocketAddrV4> {
    let colon = part.iter().rposition(|&byte| byte == b':')?;
    let (host, port) = (part.get(..colon)?, part.get(colon + 1..)?);
    let port = strtol(port) as i32 as u16;
    if port == 0 {
        return None;
    }
    let host_end = host.iter().position(|&byte| byte == 0).unwrap_or(host.len());
    let ip = inet_aton_exact(host.get(..host_end)?)?;
    if ip.is_broadcast() {
        return None;
    }
    Some(SocketAddrV4::new(ip, port))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::Ipv4Addr;

    #[test]
    fn group_datagrams_round_trip() {
        let mut out = Vec::new();
        assert!(encode_group_message(b"TV", b"Friends", &mut out));
        assert_eq!(out, b"\x02TVFriends");
        assert_eq!(decode_group_message(&out), Some((&b"TV"[..], &b"Friends"[..])));
        assert!(encode_group_message(b"", b"", &mut out));
        assert_eq!(out, b"\x00");
        assert_eq!(decode_group_message(&out), Some((&b""[..], &b""[..])));
        assert!(encode_group_message(&[b'g'; 255], &[0; MAX_DATAGRAM - 256], &mut out));
        assert!(!encode_group_message(&[b'g'; 255], &[0; MAX_DATAGRAM - 255], &mut out));
        assert!(!encode_group_message(&[b'g'; 256], b"", &mut out));
    }

    #[test]
    fn short_datagrams_are_ignored() {
        assert_eq!(decode_group_message(b""), None);
        assert_eq!(decode_group_message(b"\x05abc"), None);
        assert_eq!(decode_group_message(b"\xffabc"), None);
        assert_eq!(decode_group_message(b"\x03abc"), Some((&b"abc"[..], &b""[..])));
    }

    #[test]
    fn dgram_addresses() {
        let from: SocketAddr = "127.0.0.1:5556".parse().unwrap();
        assert_eq!(address_part(from).unwrap(), b"127.0.0.1:5556\0");
        let mapped: SocketAddr = "[::ffff:10.0.0.1]:7".parse().unwrap();
        assert_eq!(address_part(mapped).unwrap(), b"10.0.0.1:7\0");
        assert_eq!(address_part("[::1]:7".parse().unwrap()), None);

        let target = |text: &[u8]| parse_address_part(text);
        let local = |port| Some(SocketAddrV4::new(Ipv4Addr::LOCALHOST, port));
        assert_eq!(target(b"127.0.0.1:5556\0"), local(5556));
        assert_eq!(target(b"127.0.0.1:5556"), local(5556));
        assert_eq!(target(b"127.1:5556"), local(5556));
        assert_eq!(target(b"127.0.0.1:0"), None);
        assert_eq!(target(b"127.0.0.1:x"), None);
        assert_eq!(target(b"127.0.0.1"), None);
        assert_eq!(target(b"localhost:5556"), None);
        assert_eq!(target(b"255.255.255.255:5556"), None);
        assert_eq!(target(b""), None);
    }
}
