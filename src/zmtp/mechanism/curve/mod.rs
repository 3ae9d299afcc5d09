//! The CURVE mechanism: ZMTP-CURVE (spec 25) carrying CurveZMQ (spec 26), as
//! libzmq 4.3.5 implements them (`curve_client.cpp`, `curve_client_tools.hpp`,
//! `curve_server.cpp`, `curve_mechanism_base.cpp`).
//!
//! Keys: the server's long-term pair (S, s), known to clients by S; the client's
//! long-term pair (C, c), which the server's ZAP handler may check; a short-term
//! pair per connection on each side (C', c' and S', s').
//!
//! ```text
//! C: HELLO     version 1.0, 72 zero bytes (anti-amplification), C', nonce,
//!              Box[64 zero bytes](C'->S)
//! S: WELCOME   16-byte nonce, Box[S' + cookie](S->C'),
//!              cookie = nonce(16) + SecretBox[C' + s'](cookie key)
//! C: INITIATE  cookie, nonce, Box[C + vouch nonce + vouch + properties](C'->S'),
//!              vouch = Box[C' + S](C->S')
//! S: READY     nonce, Box[properties](S'->C')
//! S: ERROR     reason (a refused client, after ZAP)
//! then MESSAGE both ways (see `codec`).
//! ```
//!
//! Boxes carry the 16-byte tag then the ciphertext. Short nonces are 8 bytes,
//! big-endian, prefixed by the names below to make the 24-byte nonce; each side
//! counts from 1 (client: HELLO 1, INITIATE 2, messages from 3; server: READY 1,
//! messages from 2). The 16-byte random nonces (WELCOME, VOUCH, COOKIE) and all
//! short-term keys come from the connection's [`RandomSource`].
//!
//! [`RandomSource`]: crate::zmtp::RandomSource

mod client;
mod codec;
mod crypto;
mod poly;
mod secretbox;
mod server;
#[cfg(test)]
mod tests;

pub(crate) use client::{Client, ClientKeys};
#[cfg(test)]
pub(crate) use crypto::public_key;
pub(crate) use server::Server;

/// 24-byte nonce prefixes (spec 26).
const HELLO_NONCE: &[u8; 16] = b"CurveZMQHELLO---";
const WELCOME_NONCE: &[u8; 8] = b"WELCOME-";
const INITIATE_NONCE: &[u8; 16] = b"CurveZMQINITIATE";
const READY_NONCE: &[u8; 16] = b"CurveZMQREADY---";
const CLIENT_MESSAGE_NONCE: &[u8; 16] = b"CurveZMQMESSAGEC";
const SERVER_MESSAGE_NONCE: &[u8; 16] = b"CurveZMQMESSAGES";
const VOUCH_NONCE: &[u8; 8] = b"VOUCH---";
const COOKIE_NONCE: &[u8; 8] = b"COOKIE--";

/// The only CurveZMQ version.
const VERSION: [u8; 2] = [1, 0];
/// HELLO: name 6, version 2, padding 72, C' 32, nonce 8, box 80.
const HELLO_SIZE: usize = 200;
const HELLO_PADDING: usize = 72;
/// The plaintext of HELLO's signature box.
const HELLO_SIGNATURE: usize = 64;
/// WELCOME: name 8, nonce 16, box 144.
const WELCOME_SIZE: usize = 168;
/// A cookie: nonce 16, secret box 80.
const COOKIE_SIZE: usize = 96;
/// INITIATE without properties: name 9, cookie 96, nonce 8, box 144.
const INITIATE_MIN_SIZE: usize = 257;
/// READY without properties: name 6, nonce 8, box 16.
const READY_MIN_SIZE: usize = 30;
/// The random part of WELCOME, VOUCH and COOKIE nonces.
const LONG_NONCE_SIZE: usize = 16;
/// Short nonces on the wire.
const SHORT_NONCE_SIZE: usize = 8;

/// The 8-byte short nonce at `at` in `bytes` (which the caller sized).
fn short_nonce(bytes: &[u8], at: usize) -> [u8; SHORT_NONCE_SIZE] {
    let mut nonce = [0; SHORT_NONCE_SIZE];
    if let Some(found) = bytes.get(at..at + SHORT_NONCE_SIZE) {
        nonce.copy_from_slice(found);
    }
    nonce
}

/// The 32 bytes at `at` in `bytes` (which the caller sized).
fn key_at(bytes: &[u8], at: usize) -> crypto::Key {
    let mut key = [0; crypto::KEY_SIZE];
    if let Some(found) = bytes.get(at..at + crypto::KEY_SIZE) {
        key.copy_from_slice(found);
    }
    key
}
