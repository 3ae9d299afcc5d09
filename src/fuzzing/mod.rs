//! The bodies of the `cargo fuzz` targets (`fuzz/fuzz_targets/`), one function per
//! target, kept in the library so that two things can run them: each fuzz target is
//! one line calling its function here, and `tests/fuzz_corpora.rs` replays every
//! file of every corpus in `fuzz/corpus/<target>/` through the same function under
//! `cargo test`. Living inside the crate, they reach the sans-IO parsers (greeting,
//! frame decoder, tries, endpoint and datagram parsers) without widening the
//! engine's public API.
//!
//! Every body takes arbitrary bytes and must never panic; each also checks the
//! invariants of what it drives (a failed connection stays failed, Z85 round-trips,
//! a trie agrees with a simple model, …) with `assert!`, which is how a fuzzer
//! reports them. See `docs/fuzzing.md`.
//!
//! Not part of the supported API.

mod endpoint;
mod handshake;
mod options;
mod socks;
mod subscriptions;
mod udp;
mod ws;
mod z85;
mod zmtp;

pub use endpoint::endpoint;
pub use handshake::{curve_handshake, null_handshake, plain_handshake, zap_reply};
pub use options::socket_options;
pub use socks::socks;
pub use subscriptions::subscriptions;
pub use udp::udp_datagram;
pub use ws::ws_frames;
pub use z85::z85;
pub use zmtp::{zmtp_connection, zmtp_decoder, zmtp_greeting};

use crate::msg::Msg;
use crate::zmtp::{RandomSource, RandomUnavailable};

/// A target's body.
pub type Body = fn(&[u8]);

/// Every target: its name (the file in `fuzz/fuzz_targets/` and the directory in
/// `fuzz/corpus/`) and its body.
pub const TARGETS: &[(&str, Body)] = &[
    ("zmtp_connection", zmtp_connection),
    ("zmtp_greeting", zmtp_greeting),
    ("zmtp_decoder", zmtp_decoder),
    ("null_handshake", null_handshake),
    ("plain_handshake", plain_handshake),
    ("curve_handshake", curve_handshake),
    ("zap_reply", zap_reply),
    ("ws_frames", ws_frames),
    ("subscriptions", subscriptions),
    ("z85", z85),
    ("endpoint", endpoint),
    ("socket_options", socket_options),
    ("udp_datagram", udp_datagram),
    ("socks", socks),
];

/// Reproducible randomness for CURVE and WebSocket masks, so a finding replays.
#[derive(Debug)]
struct Seeded(u64);

impl RandomSource for Seeded {
    fn fill(&mut self, dest: &mut [u8]) -> Result<(), RandomUnavailable> {
        for byte in dest {
            self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            *byte = (self.0 >> 56) as u8;
        }
        Ok(())
    }
}

/// A ZMTP 3 greeting (minor version `minor`) naming `mechanism`.
fn greeting(minor: u8, mechanism: &[u8]) -> Vec<u8> {
    let mut bytes = vec![0xff, 0, 0, 0, 0, 0, 0, 0, 1, 0x7f, 3, minor];
    bytes.extend_from_slice(mechanism);
    bytes.resize(64, 0);
    bytes
}

/// A ZAP handler's reply with `status` and user id "user".
fn zap_reply_with(status: &[u8]) -> Vec<Msg> {
    let frames: [&[u8]; 7] = [b"", b"1.0", b"1", status, b"", b"user", b""];
    let last = frames.len() - 1;
    frames
        .iter()
        .enumerate()
        .map(|(i, frame)| {
            let mut msg = Msg::from_vec(frame.to_vec());
            msg.set_more(i < last);
            msg
        })
        .collect()
}

/// Reads the input as a sequence of fields: a small cursor that never fails (what
/// is missing reads as zeros or empty), so every input is a valid script.
#[derive(Debug)]
struct Input<'a>(&'a [u8]);

impl<'a> Input<'a> {
    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    fn byte(&mut self) -> u8 {
        match self.0.split_first() {
            Some((&byte, rest)) => {
                self.0 = rest;
                byte
            }
            None => 0,
        }
    }

    /// Up to `n` bytes.
    fn bytes(&mut self, n: usize) -> &'a [u8] {
        let (head, rest) = self.0.split_at(n.min(self.0.len()));
        self.0 = rest;
        head
    }

    /// A length byte, then that many bytes (fewer at the end of the input).
    fn short(&mut self) -> &'a [u8] {
        let n = usize::from(self.byte());
        self.bytes(n)
    }

    fn rest(&mut self) -> &'a [u8] {
        self.bytes(self.0.len())
    }
}
