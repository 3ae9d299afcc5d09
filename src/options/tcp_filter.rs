//! `ZMQ_TCP_ACCEPT_FILTER` entries: a numeric address and a CIDR prefix length, as
//! libzmq parses and matches them. libzmq: `tcp_address.cpp`
//! (`tcp_address_mask_t`), `ip_resolver.cpp` (numeric resolution only).
//!
//! Parsing rules (all failures are `EINVAL`):
//! - the text is read up to its first NUL;
//! - `addr/mask` splits at the last `/`; an empty mask is refused, no mask means the
//!   full length (32 or 128), `0` means "any address of the family", anything else is
//!   read as `strtol` does (leading blanks, a sign, decimal digits, then anything) and
//!   must be 1 to the full length;
//! - surrounding `[` `]` are removed; a `%zone` suffix must name an interface (when
//!   it starts with a letter) or be a number `atoi` reads as non-zero;
//! - the address is numeric: IPv4 in any `inet_aton` form (`127.1`, `0x7f.0.0.1`,
//!   `010.0.0.1`, `2130706433`; no trailing characters). With `ZMQ_IPV6` set, IPv6
//!   literals are accepted too and an IPv4 address becomes its IPv4-mapped IPv6 form
//!   (so its full length is 128).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use crate::error::{Errno, Result};
use crate::options::codec::c_string;

/// One accept filter: peers whose address shares the first `prefix_len` bits of
/// `network` (and its family) may connect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TcpAcceptFilter {
    pub network: IpAddr,
    pub prefix_len: u8,
    /// The IPv6 zone (`%zone`), 0 if none; not used when matching.
    pub scope_id: u32,
}

impl TcpAcceptFilter {
    /// Parses a filter as libzmq does with `ZMQ_IPV6` = `ipv6`.
    pub fn parse(text: &[u8], ipv6: bool) -> Result<TcpAcceptFilter> {
        let text = c_string(text);
        let (address, mask) = match text.iter().rposition(|&byte| byte == b'/') {
            Some(slash) => {
                let mask = text.get(slash + 1..).unwrap_or_default();
                if mask.is_empty() {
                    return Err(Errno::EINVAL);
                }
                (text.get(..slash).unwrap_or_default(), Some(mask))
            }
            None => (text, None),
        };
        let (network, scope_id) = resolve_numeric(address, ipv6)?;
        let full: u8 = if network.is_ipv6() { 128 } else { 32 };
        let prefix_len = match mask {
            None => full,
            Some(b"0") => 0,
            Some(mask) => {
                let mask = strtol(mask);
                if mask < 1 || mask > i64::from(full) {
                    return Err(Errno::EINVAL);
                }
                u8::try_from(mask).map_err(|_| Errno::EINVAL)?
            }
        };
        Ok(TcpAcceptFilter { network, prefix_len, scope_id })
    }

    /// Whether a peer at `peer` passes this filter (same family, same prefix).
    pub fn matches(&self, peer: &IpAddr) -> bool {
        match (self.network, peer) {
            (IpAddr::V4(network), IpAddr::V4(peer)) => {
                same_prefix(&network.octets(), &peer.octets(), self.prefix_len)
            }
            (IpAddr::V6(network), IpAddr::V6(peer)) => {
                same_prefix(&network.octets(), &peer.octets(), self.prefix_len)
            }
            _ => false,
        }
    }
}

fn same_prefix(a: &[u8], b: &[u8], prefix_len: u8) -> bool {
    let mut bits = usize::from(prefix_len);
    for (&x, &y) in a.iter().zip(b) {
        if bits == 0 {
            return true;
        }
        let take = bits.min(8);
        let mask = 0xFFu8 << (8 - take);
        if (x ^ y) & mask != 0 {
            return false;
        }
        bits -= take;
    }
    true
}

/// `ip_resolver_t::resolve` with DNS, NIC names, wildcards and ports disabled.
fn resolve_numeric(address: &[u8], ipv6: bool) -> Result<(IpAddr, u32)> {
    let mut address = address;
    if address.len() >= 2 && address.first() == Some(&b'[') && address.last() == Some(&b']') {
        address = address.get(1..address.len() - 1).unwrap_or_default();
    }
    let mut zone = 0;
    if let Some(percent) = address.iter().rposition(|&byte| byte == b'%') {
        let name = address.get(percent + 1..).unwrap_or_default();
        zone = zone_id(name)?;
        address = address.get(..percent).unwrap_or_default();
    }
    if let Some(v4) = inet_aton_exact(address) {
        if ipv6 {
            return Ok((IpAddr::V6(v4.to_ipv6_mapped()), zone));
        }
        return Ok((IpAddr::V4(v4), 0));
    }
    if !ipv6 {
        return Err(Errno::EINVAL);
    }
    let v6: Ipv6Addr =
        core::str::from_utf8(address).ok().and_then(|text| text.parse().ok()).ok_or(Errno::EINVAL)?;
    Ok((IpAddr::V6(v6), zone))
}

/// The interface index of a `%zone`: a name when it starts with a letter, else a
/// number as `atoi` reads it; 0 (unknown interface, not a number) is `EINVAL`.
fn zone_id(name: &[u8]) -> Result<u32> {
    let first = *name.first().ok_or(Errno::EINVAL)?;
    let id = if first.is_ascii_alphabetic() {
        interface_index(name)
    } else {
        // atoi: the low 32 bits of strtol's answer, as libzmq casts it.
        strtol(name) as u32
    };
    if id == 0 {
        return Err(Errno::EINVAL);
    }
    Ok(id)
}

/// `if_nametoindex`, from sysfs (0 when unknown).
fn interface_index(name: &[u8]) -> u32 {
    const IFNAMSIZ: usize = 16;
    let Ok(name) = core::str::from_utf8(name) else { return 0 };
    if name.len() >= IFNAMSIZ || name.contains('/') {
        return 0;
    }
    std::fs::read_to_string(format!("/sys/class/net/{name}/ifindex"))
        .ok()
        .and_then(|text| text.trim().parse().ok())
        .unwrap_or(0)
}

/// `strtol(text, NULL, 10)`: leading C blanks, an optional sign, decimal digits up to
/// the first other character; 0 without digits; saturated at the `i64` range.
fn strtol(text: &[u8]) -> i64 {
    let mut rest = text;
    while let Some((&byte, tail)) = rest.split_first() {
        if !matches!(byte, b' ' | b'\t' | b'\n' | 0x0B | 0x0C | b'\r') {
            break;
        }
        rest = tail;
    }
    let negative = rest.first() == Some(&b'-');
    if matches!(rest.first(), Some(b'-' | b'+')) {
        rest = rest.get(1..).unwrap_or_default();
    }
    let mut value: i64 = 0;
    for &byte in rest.iter().take_while(|byte| byte.is_ascii_digit()) {
        let digit = i64::from(byte - b'0');
        value = if negative {
            value.saturating_mul(10).saturating_sub(digit)
        } else {
            value.saturating_mul(10).saturating_add(digit)
        };
    }
    value
}

/// glibc's `__inet_aton_exact` (what `getaddrinfo` with `AI_NUMERICHOST` uses): 1 to 4
/// parts separated by dots, each C-style decimal, octal (`0…`) or hex (`0x…`); every
/// part but the last is one byte, the last fills the remaining bytes; nothing may
/// follow.
fn inet_aton_exact(text: &[u8]) -> Option<Ipv4Addr> {
    let mut parts = text.split(|&byte| byte == b'.');
    let mut leading: Vec<u8> = Vec::with_capacity(3);
    let mut last = parse_c_number(parts.next()?)?;
    for part in parts {
        if leading.len() == 3 {
            return None;
        }
        leading.push(u8::try_from(last).ok()?);
        last = parse_c_number(part)?;
    }
    let remaining_bits = 32 - 8 * leading.len() as u32;
    if remaining_bits < 32 && u64::from(last) >> remaining_bits != 0 {
        return None;
    }
    let mut value = last;
    for (index, &byte) in leading.iter().enumerate() {
        value |= u32::from(byte) << (24 - 8 * index as u32);
    }
    Some(Ipv4Addr::from(value))
}

/// One part of an `inet_aton` address: `strtoul(part, &end, 0)` that must start with
/// a digit and consume the whole part, and fit 32 bits.
fn parse_c_number(part: &[u8]) -> Option<u32> {
    if !part.first()?.is_ascii_digit() {
        return None;
    }
    let (digits, radix) = match part {
        [b'0', b'x' | b'X', hex @ ..] if hex.first().is_some_and(u8::is_ascii_hexdigit) => (hex, 16),
        [b'0', octal @ ..] if !octal.is_empty() => (octal, 8),
        _ => (part, 10),
    };
    let mut value: u64 = 0;
    for &byte in digits {
        let digit = char::from(byte).to_digit(radix)?;
        value = value.checked_mul(u64::from(radix))?.checked_add(u64::from(digit))?;
        if value > u64::from(u32::MAX) {
            return None;
        }
    }
    u32::try_from(value).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v4(text: &str) -> Option<Ipv4Addr> {
        inet_aton_exact(text.as_bytes())
    }

    #[test]
    fn inet_aton_forms() {
        assert_eq!(v4("127.0.0.1"), Some(Ipv4Addr::new(127, 0, 0, 1)));
        assert_eq!(v4("127.1"), Some(Ipv4Addr::new(127, 0, 0, 1)));
        assert_eq!(v4("0x7f.0.0.1"), Some(Ipv4Addr::new(127, 0, 0, 1)));
        assert_eq!(v4("010.0.0.1"), Some(Ipv4Addr::new(8, 0, 0, 1)));
        assert_eq!(v4("2130706433"), Some(Ipv4Addr::new(127, 0, 0, 1)));
        assert_eq!(v4("1.2.65535"), Some(Ipv4Addr::new(1, 2, 255, 255)));
        assert_eq!(v4("1.2.65536"), None);
        assert_eq!(v4("1.2.3.256"), None);
        assert_eq!(v4("1.2.3.4.5"), None);
        assert_eq!(v4("127.0.0.1 "), None);
        assert_eq!(v4("127.0.0.1 x"), None);
        assert_eq!(v4("08.0.0.1"), None);
        assert_eq!(v4("0x.0.0.1"), None);
        assert_eq!(v4("4294967295"), Some(Ipv4Addr::new(255, 255, 255, 255)));
        assert_eq!(v4("4294967296"), None);
        assert_eq!(v4("1..2"), None);
        assert_eq!(v4(""), None);
        assert_eq!(v4("+1.2.3.4"), None);
        assert_eq!(v4("abc"), None);
    }

    fn accepts(text: &str, ipv6: bool) -> bool {
        TcpAcceptFilter::parse(text.as_bytes(), ipv6).is_ok()
    }

    #[test]
    fn ipv4_filters_as_the_oracle_parses_them() {
        for ok in [
            "127.1",
            "10.0.0.0/8",
            "10.0.0.0/0",
            "10.0.0.0/32",
            "10.0.0.1/8x",
            "0x7f.0.0.1",
            "010.0.0.1",
            "2130706433",
            "[127.0.0.1]",
            "127.0.0.1%1",
            "10.0.0.0/ 8",
            "1.2.65535",
        ] {
            assert!(accepts(ok, false), "{ok}");
        }
        for bad in [
            "10.0.0.0/",
            "10.0.0.0/33",
            "::1",
            "abc",
            "10.0.0.1/x",
            "127.0.0.1 ",
            "*",
            "10.0.0.0/-1",
            "1.2.3.4.5",
            "1.2.3.256",
            "1.2.65536",
            "127.0.0.1 x",
            "10.0.0.0/00",
            "",
        ] {
            assert!(!accepts(bad, false), "{bad}");
        }
        assert!(TcpAcceptFilter::parse(b"1.2.3.4\0zz", false).is_ok());
        assert_eq!(
            TcpAcceptFilter::parse(b"10.1.2.3/8", false),
            Ok(TcpAcceptFilter {
                network: IpAddr::V4(Ipv4Addr::new(10, 1, 2, 3)),
                prefix_len: 8,
                scope_id: 0
            })
        );
    }

    #[test]
    fn ipv6_filters_as_the_oracle_parses_them() {
        for ok in [
            "::1",
            "::1/128",
            "[::1]",
            "127.0.0.1",
            "127.0.0.1/33",
            "fe80::1%lo",
            "fe80::1%1",
            "::ffff:1.2.3.4/100",
        ] {
            assert!(accepts(ok, true), "{ok}");
        }
        for bad in ["::1/129", "fe80::1%", "fe80::1%nosuch", "1::2::3", "127.0.0.1/129"] {
            assert!(!accepts(bad, true), "{bad}");
        }
        let mapped = TcpAcceptFilter::parse(b"127.0.0.1", true);
        assert_eq!(
            mapped.map(|f| (f.network, f.prefix_len)),
            Ok((IpAddr::V6(Ipv4Addr::new(127, 0, 0, 1).to_ipv6_mapped()), 128))
        );
        assert_eq!(TcpAcceptFilter::parse(b"fe80::1%7", true).map(|f| f.scope_id), Ok(7));
    }

    #[test]
    fn matching() {
        let filter = TcpAcceptFilter::parse(b"10.0.0.0/8", false).unwrap_or_else(|e| panic!("{e:?}"));
        assert!(filter.matches(&"10.200.3.4".parse().unwrap_or_else(|e| panic!("{e}"))));
        assert!(!filter.matches(&"11.0.0.1".parse().unwrap_or_else(|e| panic!("{e}"))));
        assert!(!filter.matches(&"::ffff:10.0.0.1".parse().unwrap_or_else(|e| panic!("{e}"))));
        let any = TcpAcceptFilter::parse(b"1.2.3.4/0", false).unwrap_or_else(|e| panic!("{e:?}"));
        assert!(any.matches(&"9.9.9.9".parse().unwrap_or_else(|e| panic!("{e}"))));
        let odd = TcpAcceptFilter::parse(b"192.168.1.128/25", false).unwrap_or_else(|e| panic!("{e:?}"));
        assert!(odd.matches(&"192.168.1.200".parse().unwrap_or_else(|e| panic!("{e}"))));
        assert!(!odd.matches(&"192.168.1.100".parse().unwrap_or_else(|e| panic!("{e}"))));
    }

    #[test]
    fn strtol_like_c() {
        assert_eq!(strtol(b" +8x"), 8);
        assert_eq!(strtol(b"-1"), -1);
        assert_eq!(strtol(b"x"), 0);
        assert_eq!(strtol(b"99999999999999999999999"), i64::MAX);
    }
}
