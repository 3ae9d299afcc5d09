//! The greeting and version negotiation. ZMTP 3.0 "Greeting" and "Version
//! Negotiation" (spec 23), ZMTP 2.0 "Framing"/greeting (spec 15), ZMTP 1.0 (spec 13).
//!
//! The ZMTP 3 greeting is 64 bytes: the signature `0xFF`, 8 padding bytes, `0x7F`; the
//! version (major 3, minor 1); the mechanism name zero-padded to 20 bytes; the as-server
//! byte; 31 filler zeroes. As libzmq does, we send it in steps so that older peers can
//! be detected and served in their own protocol:
//!
//! 1. First only the 10-byte signature, whose padding is the length of our routing id
//!    plus one (big-endian) and whose last byte is `0x7F`: to a ZMTP 1.0 peer this is
//!    the header of a long-form identity message with flags `0x7F`.
//! 2. Once the peer's signature is in: the major version, 3. A peer whose first byte is
//!    not `0xFF`, or whose 10th byte has bit 0 clear, is an unversioned ZMTP 1.0 peer
//!    (that byte is the flags of its identity message).
//! 3. Once the peer's revision byte is in: for revision 0 or 1 (ZMTP 1.0 with greeting,
//!    ZMTP 2.0) our socket type, ending a 12-byte ZMTP 2.0 greeting; otherwise the rest
//!    of the 64-byte ZMTP 3 greeting (minor 1, mechanism, as-server 0 as libzmq sends,
//!    filler).

/// The signature's size: where a ZMTP 1.0 peer's identity flags would be.
const SIGNATURE_SIZE: usize = 10;
/// A ZMTP 2.0 greeting: signature, revision, socket type.
const V2_GREETING_SIZE: usize = 12;
/// A ZMTP 3.x greeting.
const V3_GREETING_SIZE: usize = 64;
const REVISION_POS: usize = 10;
const MINOR_POS: usize = 11;
const MECHANISM_POS: usize = 12;
/// Mechanism names are zero-padded to this many bytes.
pub(crate) const MECHANISM_NAME_SIZE: usize = 20;
/// As-server byte and filler after the mechanism name.
const V3_TAIL_SIZE: usize = 32;

/// The protocol the connection speaks with its peer, decided from the greeting.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Protocol {
    /// ZMTP 1.0 without any greeting (libzmq 2.x): identity message first.
    Zmtp10Unversioned,
    /// Revision 0: ZMTP 1.0 framing after a 12-byte greeting.
    Zmtp10,
    /// Revision 1: ZMTP 2.0 framing after a 12-byte greeting; no commands.
    Zmtp20,
    /// ZMTP 3.0: mechanisms and commands; subscriptions are messages.
    Zmtp30,
    /// ZMTP 3.1 (and any later revision, as libzmq): adds SUBSCRIBE/CANCEL and PING
    /// context.
    Zmtp31,
}

impl Protocol {
    /// The (major, minor) version this protocol stands for.
    pub(crate) fn version(self) -> (u8, u8) {
        match self {
            Protocol::Zmtp10Unversioned | Protocol::Zmtp10 => (1, 0),
            Protocol::Zmtp20 => (2, 0),
            Protocol::Zmtp30 => (3, 0),
            Protocol::Zmtp31 => (3, 1),
        }
    }

    /// Whether the peer runs a security mechanism and understands commands (ZMTP 3.x).
    pub(crate) fn has_commands(self) -> bool {
        matches!(self, Protocol::Zmtp30 | Protocol::Zmtp31)
    }
}

/// What the greeting exchange has reached after some input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Progress {
    NeedMore,
    Done(Protocol),
}

/// Our side of the greeting exchange and the bytes received from the peer.
#[derive(Debug)]
pub(crate) struct Greeting {
    received: [u8; V3_GREETING_SIZE],
    read: usize,
    /// How much of the peer's greeting we expect: 12 until it shows ZMTP 3, then 64.
    expected: usize,
    /// How much of our greeting is queued.
    sent: usize,
    socket_type: u8,
    mechanism: [u8; MECHANISM_NAME_SIZE],
}

impl Greeting {
    /// Starts the exchange by queueing our signature on `out`.
    pub(crate) fn start(
        out: &mut Vec<u8>,
        routing_id_len: usize,
        socket_type: i32,
        mechanism: [u8; MECHANISM_NAME_SIZE],
    ) -> Greeting {
        let identity_length = u64::try_from(routing_id_len).unwrap_or(u64::MAX).saturating_add(1);
        out.push(0xff);
        out.extend_from_slice(&identity_length.to_be_bytes());
        out.push(0x7f);
        Greeting {
            received: [0; V3_GREETING_SIZE],
            read: 0,
            expected: V2_GREETING_SIZE,
            sent: SIGNATURE_SIZE,
            socket_type: u8::try_from(socket_type).unwrap_or(u8::MAX),
            mechanism,
        }
    }

    /// Where the next greeting bytes go: never past the greeting, so that what
    /// follows it is read by the frame decoder.
    pub(crate) fn unread_mut(&mut self) -> &mut [u8] {
        self.received.get_mut(self.read..self.expected).unwrap_or_default()
    }

    /// Takes note of `n` bytes read into [`unread_mut`](Self::unread_mut), queues the
    /// next part of our greeting on `out` when due, and says whether the protocol is
    /// known.
    pub(crate) fn received(&mut self, n: usize, out: &mut Vec<u8>) -> Progress {
        self.read = self.read.saturating_add(n).min(self.expected);
        let Some(&first) = self.received.first().filter(|_| self.read > 0) else {
            return Progress::NeedMore;
        };
        if first != 0xff {
            return Progress::Done(Protocol::Zmtp10Unversioned);
        }
        if self.read < SIGNATURE_SIZE {
            return Progress::NeedMore;
        }
        if self.received[SIGNATURE_SIZE - 1] & 1 == 0 {
            return Progress::Done(Protocol::Zmtp10Unversioned);
        }
        if self.sent == SIGNATURE_SIZE {
            out.push(3);
            self.sent += 1;
        }
        let revision = self.received[REVISION_POS];
        if self.read > REVISION_POS && self.sent == SIGNATURE_SIZE + 1 {
            if revision <= 1 {
                out.push(self.socket_type);
                self.sent = V2_GREETING_SIZE;
            } else {
                out.push(1);
                out.extend_from_slice(&self.mechanism);
                out.extend_from_slice(&[0; V3_TAIL_SIZE]);
                self.sent = V3_GREETING_SIZE;
                self.expected = V3_GREETING_SIZE;
            }
        }
        if self.read < self.expected {
            return Progress::NeedMore;
        }
        Progress::Done(match (revision, self.received[MINOR_POS]) {
            (0, _) => Protocol::Zmtp10,
            (1, _) => Protocol::Zmtp20,
            (3, 0) => Protocol::Zmtp30,
            _ => Protocol::Zmtp31,
        })
    }

    /// The peer's bytes read so far (for an unversioned peer: the start of its first
    /// frame).
    pub(crate) fn bytes(&self) -> &[u8] {
        self.received.get(..self.read).unwrap_or_default()
    }

    /// Whether the peer's ZMTP 3 greeting names the same mechanism as ours (all 20
    /// bytes, padding included, as libzmq compares).
    pub(crate) fn same_mechanism(&self) -> bool {
        self.received.get(MECHANISM_POS..MECHANISM_POS + MECHANISM_NAME_SIZE) == Some(&self.mechanism[..])
    }

    /// The socket type byte of a ZMTP 1.0/2.0 greeting.
    pub(crate) fn peer_socket_type(&self) -> u8 {
        self.received[MINOR_POS]
    }

    /// Whether nothing of the peer's greeting was read (a connection started
    /// without one).
    pub(crate) fn is_unread(&self) -> bool {
        self.read == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn null() -> [u8; MECHANISM_NAME_SIZE] {
        let mut name = [0; MECHANISM_NAME_SIZE];
        name[..4].copy_from_slice(b"NULL");
        name
    }

    fn feed(greeting: &mut Greeting, bytes: &[u8], out: &mut Vec<u8>) -> Progress {
        let mut progress = Progress::NeedMore;
        for &byte in bytes {
            let buffer = greeting.unread_mut();
            buffer[0] = byte;
            progress = greeting.received(1, out);
        }
        progress
    }

    #[test]
    fn sends_signature_first_then_the_rest_as_the_peer_shows_its_version() {
        let mut out = Vec::new();
        let mut greeting = Greeting::start(&mut out, 3, 5, null());
        assert_eq!(out, [0xff, 0, 0, 0, 0, 0, 0, 0, 4, 0x7f]);
        let peer = [0xff, 0, 0, 0, 0, 0, 0, 0, 1, 0x7f];
        assert_eq!(feed(&mut greeting, &peer, &mut out), Progress::NeedMore);
        assert_eq!(out.len(), 11);
        assert_eq!(out[10], 3);
        assert_eq!(feed(&mut greeting, &[3], &mut out), Progress::NeedMore);
        assert_eq!(out.len(), 64);
        assert_eq!(&out[11..16], b"\x01NULL");
        assert!(out[16..].iter().all(|&b| b == 0));
        let mut rest = vec![1];
        rest.extend_from_slice(&null());
        rest.extend_from_slice(&[0; 32]);
        assert_eq!(feed(&mut greeting, &rest, &mut out), Progress::Done(Protocol::Zmtp31));
        assert!(greeting.same_mechanism());
        assert_eq!(out.len(), 64);
    }

    #[test]
    fn versions_are_selected_as_libzmq() {
        for (revision, minor, expected) in [
            (0, 7, Protocol::Zmtp10),
            (1, 5, Protocol::Zmtp20),
            (2, 0, Protocol::Zmtp31),
            (3, 0, Protocol::Zmtp30),
            (3, 1, Protocol::Zmtp31),
            (3, 2, Protocol::Zmtp31),
            (4, 0, Protocol::Zmtp31),
        ] {
            let mut out = Vec::new();
            let mut greeting = Greeting::start(&mut out, 0, 5, null());
            let mut peer = vec![0xff, 0, 0, 0, 0, 0, 0, 0, 1, 0x7f, revision, minor];
            peer.resize(64, 0);
            let n = if revision <= 1 { 12 } else { 64 };
            assert_eq!(feed(&mut greeting, &peer[..n], &mut out), Progress::Done(expected));
            if revision <= 1 {
                assert_eq!(out, [0xff, 0, 0, 0, 0, 0, 0, 0, 1, 0x7f, 3, 5]);
                assert_eq!(greeting.peer_socket_type(), minor);
            } else {
                assert!(!greeting.same_mechanism());
            }
        }
    }

    #[test]
    fn unversioned_peers_are_detected_early() {
        let mut out = Vec::new();
        let mut greeting = Greeting::start(&mut out, 0, 0, null());
        assert_eq!(feed(&mut greeting, &[5], &mut out), Progress::Done(Protocol::Zmtp10Unversioned));
        assert_eq!(greeting.bytes(), [5]);

        let mut out = Vec::new();
        let mut greeting = Greeting::start(&mut out, 0, 0, null());
        let long_identity = [0xff, 0, 0, 0, 0, 0, 0, 0, 1, 0];
        assert_eq!(
            feed(&mut greeting, &long_identity, &mut out),
            Progress::Done(Protocol::Zmtp10Unversioned)
        );
        assert_eq!(out.len(), 10, "nothing more is sent to an unversioned peer");
    }

    #[test]
    fn reads_never_go_past_the_greeting() {
        let mut out = Vec::new();
        let mut greeting = Greeting::start(&mut out, 0, 0, null());
        assert_eq!(greeting.unread_mut().len(), 12);
        let peer = [0xff, 0, 0, 0, 0, 0, 0, 0, 1, 0x7f, 3, 1];
        greeting.unread_mut().copy_from_slice(&peer);
        assert_eq!(greeting.received(12, &mut out), Progress::NeedMore);
        assert_eq!(greeting.unread_mut().len(), 52);
        assert_eq!(greeting.received(1000, &mut out), Progress::Done(Protocol::Zmtp31));
        assert!(greeting.unread_mut().is_empty());
    }
}
