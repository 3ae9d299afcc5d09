//! Socket type names as ZMTP carries them in the `Socket-Type` property, and which
//! types may talk to each other. ZMTP 3.0 "The Socket-Type Property" (spec 23); the
//! table is libzmq's `mechanism_t::check_socket_type`, including the DRAFT types.

use crate::constants::{
    ZMQ_CHANNEL, ZMQ_CLIENT, ZMQ_DEALER, ZMQ_DGRAM, ZMQ_DISH, ZMQ_GATHER, ZMQ_PAIR, ZMQ_PEER, ZMQ_PUB,
    ZMQ_PULL, ZMQ_PUSH, ZMQ_RADIO, ZMQ_REP, ZMQ_REQ, ZMQ_ROUTER, ZMQ_SCATTER, ZMQ_SERVER, ZMQ_STREAM,
    ZMQ_SUB, ZMQ_XPUB, ZMQ_XSUB,
};

/// Names indexed by socket type number, as libzmq's `socket_type_string`.
const NAMES: [&str; 21] = [
    "PAIR", "PUB", "SUB", "REQ", "REP", "DEALER", "ROUTER", "PULL", "PUSH", "XPUB", "XSUB", "STREAM",
    "SERVER", "CLIENT", "RADIO", "DISH", "GATHER", "SCATTER", "DGRAM", "PEER", "CHANNEL",
];

/// The ZMTP name of a socket type (`ZMQ_PUB` → `"PUB"`); `None` for unknown numbers.
pub fn name(socket_type: i32) -> Option<&'static str> {
    usize::try_from(socket_type).ok().and_then(|index| NAMES.get(index)).copied()
}

/// The socket type a ZMTP name stands for (exact, case-sensitive match).
pub fn from_name(name: &[u8]) -> Option<i32> {
    NAMES
        .iter()
        .position(|candidate| candidate.as_bytes() == name)
        .and_then(|index| i32::try_from(index).ok())
}

/// Whether a socket of type `ours` accepts a peer of type `peer`. STREAM (which never
/// speaks ZMTP) and unknown types accept nobody.
pub fn compatible(ours: i32, peer: i32) -> bool {
    let allowed: &[i32] = match ours {
        ZMQ_REQ => &[ZMQ_REP, ZMQ_ROUTER],
        ZMQ_REP => &[ZMQ_REQ, ZMQ_DEALER],
        ZMQ_DEALER => &[ZMQ_REP, ZMQ_DEALER, ZMQ_ROUTER],
        ZMQ_ROUTER => &[ZMQ_REQ, ZMQ_DEALER, ZMQ_ROUTER],
        ZMQ_PUSH => &[ZMQ_PULL],
        ZMQ_PULL => &[ZMQ_PUSH],
        ZMQ_PUB | ZMQ_XPUB => &[ZMQ_SUB, ZMQ_XSUB],
        ZMQ_SUB | ZMQ_XSUB => &[ZMQ_PUB, ZMQ_XPUB],
        ZMQ_PAIR => &[ZMQ_PAIR],
        ZMQ_SERVER => &[ZMQ_CLIENT],
        ZMQ_CLIENT => &[ZMQ_SERVER],
        ZMQ_RADIO => &[ZMQ_DISH],
        ZMQ_DISH => &[ZMQ_RADIO],
        ZMQ_GATHER => &[ZMQ_SCATTER],
        ZMQ_SCATTER => &[ZMQ_GATHER],
        ZMQ_DGRAM => &[ZMQ_DGRAM],
        ZMQ_PEER => &[ZMQ_PEER],
        ZMQ_CHANNEL => &[ZMQ_CHANNEL],
        ZMQ_STREAM => &[],
        _ => &[],
    };
    allowed.contains(&peer)
}

/// [`compatible`] for a peer known only by the name it sent; unknown names are
/// incompatible with everything.
pub fn compatible_with_name(ours: i32, peer_name: &[u8]) -> bool {
    from_name(peer_name).is_some_and(|peer| compatible(ours, peer))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for socket_type in 0..=20 {
            let name = name(socket_type).unwrap();
            assert_eq!(from_name(name.as_bytes()), Some(socket_type));
        }
        assert_eq!(name(ZMQ_DEALER), Some("DEALER"));
        assert_eq!(name(ZMQ_CHANNEL), Some("CHANNEL"));
        assert_eq!(name(-1), None);
        assert_eq!(name(21), None);
        assert_eq!(from_name(b"pub"), None);
        assert_eq!(from_name(b""), None);
    }

    #[test]
    fn table_is_libzmqs() {
        let pairs = [
            (ZMQ_PAIR, ZMQ_PAIR),
            (ZMQ_PUB, ZMQ_SUB),
            (ZMQ_PUB, ZMQ_XSUB),
            (ZMQ_XPUB, ZMQ_SUB),
            (ZMQ_XPUB, ZMQ_XSUB),
            (ZMQ_REQ, ZMQ_REP),
            (ZMQ_REQ, ZMQ_ROUTER),
            (ZMQ_DEALER, ZMQ_REP),
            (ZMQ_DEALER, ZMQ_DEALER),
            (ZMQ_DEALER, ZMQ_ROUTER),
            (ZMQ_ROUTER, ZMQ_ROUTER),
            (ZMQ_PUSH, ZMQ_PULL),
            (ZMQ_SERVER, ZMQ_CLIENT),
            (ZMQ_RADIO, ZMQ_DISH),
            (ZMQ_SCATTER, ZMQ_GATHER),
            (ZMQ_DGRAM, ZMQ_DGRAM),
            (ZMQ_PEER, ZMQ_PEER),
            (ZMQ_CHANNEL, ZMQ_CHANNEL),
        ];
        let mut count = 0;
        for ours in 0..=20 {
            for peer in 0..=20 {
                let expected = pairs.contains(&(ours, peer)) || pairs.contains(&(peer, ours));
                assert_eq!(compatible(ours, peer), expected, "{ours} with {peer}");
                count += usize::from(expected);
            }
        }
        assert_eq!(count, 2 * pairs.len() - 6); // the six self-pairs count once
        assert!(!compatible(ZMQ_STREAM, ZMQ_STREAM));
        assert!(!compatible(ZMQ_REP, ZMQ_REP));
        assert!(compatible_with_name(ZMQ_SUB, b"XPUB"));
        assert!(!compatible_with_name(ZMQ_SUB, b"SUB"));
        assert!(!compatible_with_name(ZMQ_SUB, b"NOPE"));
    }
}
