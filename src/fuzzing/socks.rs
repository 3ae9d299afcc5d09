//! The SOCKS5 client handshake (`transport::socks`): a proxy's replies, whatever they
//! are and however they are cut.

use crate::transport::socks::{Handshake, SocksError};

/// The targets a handshake may be asked for: an IPv4 address, an IPv6 address
/// (bracketed as `zmq_connect` takes it) and a name for the proxy to resolve.
const TARGETS: [(&str, &[u8]); 3] = [
    ("127.0.0.1:5555", &[1, 127, 0, 0, 1, 0x15, 0xb3]),
    ("[::1]:80", &[4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 80]),
    ("example.org:65535", b"\x03\x0bexample.org\xff\xff"),
];
const USERNAME: &[u8] = b"someuser";
const PASSWORD: &[u8] = b"secret";

/// How a handshake ended.
#[derive(Debug, PartialEq, Eq)]
enum Outcome {
    /// Connected through the proxy, after reading this many of its bytes.
    Connected(usize),
    Failed(SocksError),
    /// The proxy's bytes ran out first.
    Waiting,
}

/// The first byte selects: bits 0-1 the target, bit 2 whether credentials are
/// offered, bits 3-7 the size of the reads (1 to 32 bytes). The rest is what the
/// proxy sends. Checked against [`expected`], an independent reading of RFC 1928 and
/// RFC 1929: the outcome, everything we sent, and that we never read past the
/// proxy's last reply (the bytes after it are the peer's).
pub fn socks(data: &[u8]) {
    let Some((&selector, proxy)) = data.split_first() else { return };
    let (target, address) = TARGETS[usize::from(selector & 3) % TARGETS.len()];
    let credentials = selector & 4 != 0;
    let read_size = usize::from(selector >> 3) + 1;
    let username = if credentials { USERNAME } else { b"" };
    let mut handshake = Handshake::new(target, username, PASSWORD).expect("a valid target");

    let mut sent = Vec::new();
    let mut rest = proxy;
    let outcome = loop {
        let output = handshake.pending_output().to_vec();
        handshake.consume(output.len());
        sent.extend_from_slice(&output);
        if handshake.is_done() {
            assert_eq!(handshake.wanted(), 0);
            break Outcome::Connected(proxy.len() - rest.len());
        }
        let wanted = handshake.wanted();
        assert!(wanted > 0, "an unfinished handshake wants bytes");
        if rest.is_empty() {
            break Outcome::Waiting;
        }
        let read = &rest[..rest.len().min(read_size)];
        match handshake.received(read) {
            Ok(taken) => {
                assert!(taken > 0 && taken <= wanted.min(read.len()), "took {taken} of {wanted} wanted");
                rest = &rest[taken..];
            }
            Err(error) => break Outcome::Failed(error),
        }
    };

    let (expected_outcome, expected_sent) = expected(credentials, address, proxy);
    assert_eq!(outcome, expected_outcome);
    assert_eq!(sent, expected_sent);
}

/// What a SOCKS5 client offering `credentials` (or not) and asking for `address`
/// (an RFC 1928 address type and address, then the port) should make of `proxy`:
/// the outcome and every byte it should have sent.
fn expected(credentials: bool, address: &[u8], proxy: &[u8]) -> (Outcome, Vec<u8>) {
    let method = if credentials { 2 } else { 0 };
    let mut sent = vec![5, 1, method];
    let Some(&[version, chosen]) = proxy.get(..2) else { return (Outcome::Waiting, sent) };
    let mut at = 2;
    if version != 5 {
        return (Outcome::Failed(SocksError::Malformed), sent);
    }
    match (chosen, credentials) {
        (0, _) => {}
        (2, true) => {
            sent.extend_from_slice(&[1, USERNAME.len() as u8]);
            sent.extend_from_slice(USERNAME);
            sent.push(PASSWORD.len() as u8);
            sent.extend_from_slice(PASSWORD);
            let Some(&[version, status]) = proxy.get(at..at + 2) else { return (Outcome::Waiting, sent) };
            at += 2;
            if version != 1 {
                return (Outcome::Failed(SocksError::Malformed), sent);
            }
            if status != 0 {
                return (Outcome::Failed(SocksError::AuthenticationFailed), sent);
            }
        }
        (0xff, _) => return (Outcome::Failed(SocksError::NoAcceptableMethod), sent),
        _ => return (Outcome::Failed(SocksError::Malformed), sent),
    }
    sent.extend_from_slice(&[5, 1, 0]);
    sent.extend_from_slice(address);
    let Some(&[version, reply, _reserved, address_type]) = proxy.get(at..at + 4) else {
        return (Outcome::Waiting, sent);
    };
    let reply_length = match (version, address_type) {
        (5, 1) => 4 + 4 + 2,
        (5, 4) => 4 + 16 + 2,
        (5, 3) => match proxy.get(at + 4) {
            Some(&length) => 5 + usize::from(length) + 2,
            None => return (Outcome::Waiting, sent),
        },
        _ => return (Outcome::Failed(SocksError::Malformed), sent),
    };
    if proxy.len() < at + reply_length {
        return (Outcome::Waiting, sent);
    }
    if reply != 0 {
        return (Outcome::Failed(SocksError::ConnectFailed(reply)), sent);
    }
    (Outcome::Connected(at + reply_length), sent)
}
