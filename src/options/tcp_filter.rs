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

use std::net::IpAddr;

use crate::error::{Errno, Result};
use crate::options::codec::c_string;
use crate::transport::ip::{resolve_numeric, strtol};

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

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::Ipv4Addr;

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
}
