//! Where CURVE's randomness comes from: short-term key pairs, the 16-byte random
//! parts of the WELCOME, VOUCH and COOKIE nonces, and the server's cookie key
//! (libzmq calls libsodium's `randombytes`). Injectable so that tests and fuzzers
//! can run the handshake with fixed keys and nonces; connections use the operating
//! system's generator unless told otherwise ([`Connection::with_random`]).
//!
//! [`Connection::with_random`]: super::Connection::with_random

use core::fmt;

use crypto_box::aead::rand_core::RngCore;
use crypto_box::aead::OsRng;

/// The generator could not produce bytes (the OS refused); the handshake then fails
/// with [`ProtocolError::Cryptographic`](super::ProtocolError::Cryptographic).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RandomUnavailable;

/// A source of secret random bytes.
pub trait RandomSource: Send {
    /// Fills all of `dest`.
    fn fill(&mut self, dest: &mut [u8]) -> Result<(), RandomUnavailable>;
}

/// The operating system's generator (`getrandom`), as libsodium's `randombytes`.
#[derive(Debug, Default, Clone, Copy)]
pub struct OsRandom;

impl RandomSource for OsRandom {
    fn fill(&mut self, dest: &mut [u8]) -> Result<(), RandomUnavailable> {
        OsRng.try_fill_bytes(dest).map_err(|_| RandomUnavailable)
    }
}

impl fmt::Debug for dyn RandomSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RandomSource")
    }
}

/// `N` fresh random bytes.
pub(crate) fn bytes<const N: usize>(random: &mut dyn RandomSource) -> Result<[u8; N], RandomUnavailable> {
    let mut bytes = [0; N];
    random.fill(&mut bytes)?;
    Ok(bytes)
}

#[cfg(test)]
pub(crate) mod testing {
    //! A deterministic source for tests: a counter run through a simple mixer, so
    //! that every request gets different, reproducible bytes.

    use super::{RandomSource, RandomUnavailable};

    #[derive(Debug, Clone)]
    pub(crate) struct Counter(pub(crate) u64);

    impl RandomSource for Counter {
        fn fill(&mut self, dest: &mut [u8]) -> Result<(), RandomUnavailable> {
            for byte in dest {
                self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                *byte = (self.0 >> 56) as u8;
            }
            Ok(())
        }
    }

    /// Always fails, as a system without entropy would.
    #[derive(Debug)]
    pub(crate) struct Broken;

    impl RandomSource for Broken {
        fn fill(&mut self, _dest: &mut [u8]) -> Result<(), RandomUnavailable> {
            Err(RandomUnavailable)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn os_random_fills_and_counter_is_reproducible() {
        let a: [u8; 32] = bytes(&mut OsRandom).unwrap();
        let b: [u8; 32] = bytes(&mut OsRandom).unwrap();
        assert_ne!(a, b);
        let x: [u8; 8] = bytes(&mut testing::Counter(7)).unwrap();
        let y: [u8; 8] = bytes(&mut testing::Counter(7)).unwrap();
        assert_eq!(x, y);
        assert_eq!(bytes::<4>(&mut testing::Broken), Err(RandomUnavailable));
    }
}
