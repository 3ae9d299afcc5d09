//! Numeric IP addresses, network interfaces and C-style numbers as libzmq reads them
//! (`ip_resolver.cpp` with name lookups disabled, `atoi`/`strtol`): shared by the tcp
//! and udp endpoint parsers and `ZMQ_TCP_ACCEPT_FILTER`.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use crate::error::{Errno, Result};

/// `ip_resolver_t::resolve` with DNS, NIC names, wildcards and ports disabled.
pub(crate) fn resolve_numeric(address: &[u8], ipv6: bool) -> Result<(IpAddr, u32)> {
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

/// Every address of the network interface called `name`, in the system's order.
pub(crate) fn interface_addresses(name: &str) -> Vec<IpAddr> {
    let mut list: *mut libc::ifaddrs = core::ptr::null_mut();
    // SAFETY: getifaddrs writes a list head into `list`; checked before use.
    if unsafe { libc::getifaddrs(&mut list) } != 0 {
        return Vec::new();
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
    found
}

/// `if_nametoindex`, from sysfs (0 when unknown).
pub(crate) fn interface_index(name: &[u8]) -> u32 {
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
pub(crate) fn strtol(text: &[u8]) -> i64 {
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
pub(crate) fn inet_aton_exact(text: &[u8]) -> Option<Ipv4Addr> {
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

    #[test]
    fn strtol_like_c() {
        assert_eq!(strtol(b" +8x"), 8);
        assert_eq!(strtol(b"-1"), -1);
        assert_eq!(strtol(b"x"), 0);
        assert_eq!(strtol(b"99999999999999999999999"), i64::MAX);
    }
}
