//! udp:// datagrams (RADIO/DISH groups, DGRAM addresses).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4};

use super::Input;
use crate::routing::groups::group_from_wire;
use crate::session::datagram::{
    address_part, decode_group_message, encode_group_message, parse_address_part, MAX_DATAGRAM,
};
use crate::session::udp::incoming;
use crate::session::UdpRole;

/// A message part as a DISH or DGRAM takes it: body, MORE, group.
type Part = (Vec<u8>, bool, Option<Vec<u8>>);

/// Datagrams as they arrive from the network, to a RADIO (which takes none), a DISH
/// (one length byte, the group, the body) or a DGRAM (the body, with the sender's
/// address as a first part), from an IPv4 or IPv6 sender; and DGRAM address parts
/// as the application writes them. Against the model: a DISH takes exactly the
/// datagrams whose group fits, as that group (cut at a NUL, as a C string) and
/// that body; a DGRAM takes every datagram from an IPv4 sender (or one mapped in
/// IPv6) with an address part that reads back as the sender (unless it could not
/// be sent to: port 0, broadcast); group messages RADIO writes read back as
/// themselves; an address part that parses prints and parses back the same.
///
/// Input: a selector byte (`% 3` the role; bit 2 an IPv6 sender; bit 3 a mapped
/// one), the sender's address and port, a group and a body (length byte, bytes),
/// then the datagram.
pub fn udp_datagram(data: &[u8]) {
    let mut input = Input(data);
    let selector = input.byte();
    let role = [UdpRole::Radio, UdpRole::Dish, UdpRole::Dgram][usize::from(selector % 3)];
    let v4 = Ipv4Addr::from(u32::from_be_bytes([input.byte(), input.byte(), input.byte(), input.byte()]));
    let port = u16::from_be_bytes([input.byte(), input.byte()]);
    let ip = match (selector & 0x04 != 0, selector & 0x08 != 0) {
        (false, _) => IpAddr::V4(v4),
        (true, true) => IpAddr::V6(v4.to_ipv6_mapped()),
        (true, false) => {
            let mut octets = [0; 16];
            octets.iter_mut().for_each(|b| *b = input.byte());
            IpAddr::V6(Ipv6Addr::from(octets))
        }
    };
    let from = SocketAddr::new(ip, port);
    let group = input.short();
    let body = input.short();
    let datagram = input.rest();

    let parts = incoming(role, datagram, from);
    let parts: Option<Vec<Part>> = parts.map(|parts| {
        parts
            .iter()
            .map(|msg| (msg.data().to_vec(), msg.more(), msg.group().map(|group| group.to_bytes().to_vec())))
            .collect()
    });
    let sender_v4 = match ip {
        IpAddr::V4(v4) => Some(v4),
        IpAddr::V6(v6) => v6.to_ipv4_mapped(),
    };
    let expected = match role {
        UdpRole::Radio => None,
        UdpRole::Dish => datagram.split_first().and_then(|(&len, rest)| {
            let (group, body) = (rest.get(..usize::from(len))?, rest.get(usize::from(len)..)?);
            Some(vec![(body.to_vec(), false, Some(group_from_wire(group).to_vec()))])
        }),
        UdpRole::Dgram => sender_v4.map(|v4| {
            let mut address = format!("{v4}:{port}").into_bytes();
            address.push(0);
            vec![(address, true, None), (datagram.to_vec(), false, None)]
        }),
    };
    assert_eq!(parts, expected);
    if let (UdpRole::Dgram, Some(v4), Some(parts)) = (role, sender_v4, &parts) {
        let back = parse_address_part(&parts[0].0);
        let sendable = port != 0 && !v4.is_broadcast();
        assert_eq!(back, sendable.then(|| SocketAddrV4::new(v4, port)));
    }

    // What a RADIO writes, a DISH reads.
    let mut out = Vec::new();
    let fits = group.len() <= 255 && 1 + group.len() + body.len() <= MAX_DATAGRAM;
    assert_eq!(encode_group_message(group, body, &mut out), fits);
    if fits {
        assert_eq!(decode_group_message(&out), Some((group, body)));
    }

    // A DGRAM's address part, as the application wrote it.
    if let Some(to) = parse_address_part(datagram) {
        assert_ne!(to.port(), 0);
        assert!(!to.ip().is_broadcast());
        let printed = address_part(SocketAddr::V4(to));
        assert_eq!(printed.as_deref().and_then(parse_address_part), Some(to));
    }
}
