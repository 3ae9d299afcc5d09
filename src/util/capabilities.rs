//! What `zmq_has` reports: the optional parts of libzmq this build provides (exact,
//! case-sensitive names). Each entry turns true when its feature lands.
//! libzmq: `zmq.cpp` (`zmq_has`).

/// Every capability name libzmq knows, spelled as it spells them (`WS` and `WSS` in
/// capitals), and whether this build has it.
const CAPABILITIES: &[(&[u8], bool)] = &[
    (b"ipc", true),
    (b"pgm", false),
    (b"tipc", false),
    (b"norm", false),
    // libzmq couples the CURVE key tools and this answer: with "curve", the key
    // functions work. Ours do (crypto_box); the CURVE handshake itself lands with the
    // security work and is listed in the README until then.
    (b"curve", true),
    (b"gssapi", false),
    (b"vmci", false),
    // ws:// (ZWS 2.0); wss:// would need TLS, which this build does not carry.
    (b"WS", true),
    (b"WSS", false),
    // The draft API (zmq.h's ZMQ_BUILD_DRAFT_API section) is always exported.
    (b"draft", true),
];

/// Whether this build has `capability` (unknown names are not had).
pub fn has(capability: &[u8]) -> bool {
    CAPABILITIES.iter().any(|&(name, present)| name == capability && present)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_the_draft_api_and_nothing_unknown() {
        assert!(has(b"draft"));
        assert!(has(b"curve"));
        assert!(has(b"WS"));
        assert!(!has(b"ws"), "libzmq spells it WS");
        assert!(!has(b"WSS"));
        assert!(!has(b"nonsense"));
        assert!(!has(b""));
        assert!(!has(b"DRAFT"));
    }
}
