//! The NaCl primitives CurveZMQ is built on, as libsodium computes them:
//! `crypto_box_keypair`, `crypto_box_beforenm`/`_afternm`/`_open_afternm`, and
//! `crypto_secretbox` for the server's cookie. Boxes are written the "easy" way
//! libzmq puts them on the wire: the 16-byte Poly1305 tag, then the ciphertext.
//!
//! `crypto_box_beforenm` is X25519 with the clamped secret scalar followed by
//! HSalsa20; libsodium refuses a peer key whose product is all zeros (a point of
//! small order). We do the X25519 step with `curve25519-dalek` for exactly that
//! behaviour, and the rest with the XSalsa20-Poly1305 `crypto_box`'s `SalsaBox`
//! wraps (`crypto_box` 0.9 reduces the scalar modulo the group order, which only
//! differs for keys outside the prime-order subgroup, but cannot refuse those).

use crypto_box::aead::generic_array::GenericArray;
use crypto_secretbox::{Kdf, XSalsa20Poly1305};
use curve25519_dalek::montgomery::MontgomeryPoint;

use super::secretbox;
use crate::zmtp::error::ProtocolError;
use crate::zmtp::random::{self, RandomSource};

/// Curve25519 key size.
pub(crate) const KEY_SIZE: usize = 32;
/// The Poly1305 tag in front of every box.
pub(crate) const TAG_SIZE: usize = 16;
/// Full XSalsa20 nonces.
pub(crate) const NONCE_SIZE: usize = 24;

pub(crate) type Key = [u8; KEY_SIZE];
pub(crate) type Nonce = [u8; NONCE_SIZE];

/// A Curve25519 key pair.
pub(crate) struct Keypair {
    pub(crate) public: Key,
    pub(crate) secret: Key,
}

impl Keypair {
    /// A fresh pair (`crypto_box_keypair`: 32 random bytes, public = base × them).
    pub(crate) fn generate(random: &mut dyn RandomSource) -> Result<Keypair, ProtocolError> {
        let secret: Key = random::bytes(random).map_err(|_| ProtocolError::Cryptographic)?;
        Ok(Keypair { public: public_key(&secret), secret })
    }
}

impl core::fmt::Debug for Keypair {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Keypair").field("public", &self.public).finish_non_exhaustive()
    }
}

/// The public key of `secret` (`crypto_scalarmult_base`).
pub(crate) fn public_key(secret: &Key) -> Key {
    MontgomeryPoint::mul_base_clamped(*secret).to_bytes()
}

/// A 24-byte nonce: a 16- or 8-byte prefix naming the command, then the short
/// nonce from the wire.
pub(crate) fn nonce(prefix: &[u8], suffix: &[u8]) -> Nonce {
    let mut nonce = [0; NONCE_SIZE];
    let split = prefix.len().min(NONCE_SIZE);
    nonce[..split].copy_from_slice(&prefix[..split]);
    let rest = &mut nonce[split..];
    let n = rest.len().min(suffix.len());
    rest[..n].copy_from_slice(&suffix[..n]);
    nonce
}

/// A key boxes are made and opened with: one side's secret key agreed with the
/// other side's public key (`crypto_box_beforenm`), or a symmetric key
/// (`crypto_secretbox`, the cookie).
pub(crate) struct BoxKey(Key);

impl BoxKey {
    /// `crypto_box_beforenm(their_public, our_secret)`; fails with
    /// [`ProtocolError::Cryptographic`] for a public key of small order.
    pub(crate) fn agree(their_public: &Key, our_secret: &Key) -> Result<BoxKey, ProtocolError> {
        let shared = MontgomeryPoint(*their_public).mul_clamped(*our_secret).to_bytes();
        if shared == [0; KEY_SIZE] {
            return Err(ProtocolError::Cryptographic);
        }
        let key = XSalsa20Poly1305::kdf(GenericArray::from_slice(&shared), &GenericArray::default());
        Ok(BoxKey(key.into()))
    }

    /// A `crypto_secretbox` key.
    pub(crate) fn symmetric(key: &Key) -> BoxKey {
        BoxKey(*key)
    }

    /// Encrypts `buffer` in place; returns the tag.
    pub(crate) fn seal_in_place(
        &self,
        nonce: &Nonce,
        buffer: &mut [u8],
    ) -> Result<[u8; TAG_SIZE], ProtocolError> {
        Ok(secretbox::seal(&self.0, nonce, buffer))
    }

    /// Checks `tag` and decrypts `buffer` in place; on failure `buffer` is
    /// unchanged.
    pub(crate) fn open_in_place(
        &self,
        nonce: &Nonce,
        tag: &[u8],
        buffer: &mut [u8],
    ) -> Result<(), ProtocolError> {
        let tag: &[u8; TAG_SIZE] = tag.try_into().map_err(|_| ProtocolError::Cryptographic)?;
        secretbox::open(&self.0, nonce, tag, buffer).map_err(|()| ProtocolError::Cryptographic)
    }

    /// The box of `plaintext`: tag then ciphertext.
    pub(crate) fn seal(&self, nonce: &Nonce, plaintext: &[u8]) -> Result<Vec<u8>, ProtocolError> {
        let mut boxed = vec![0; TAG_SIZE];
        boxed.extend_from_slice(plaintext);
        let tag = self.seal_in_place(nonce, &mut boxed[TAG_SIZE..])?;
        boxed[..TAG_SIZE].copy_from_slice(&tag);
        Ok(boxed)
    }

    /// The plaintext of a box (tag then ciphertext); `Cryptographic` when it is
    /// shorter than a tag or does not authenticate.
    pub(crate) fn open(&self, nonce: &Nonce, boxed: &[u8]) -> Result<Vec<u8>, ProtocolError> {
        let (tag, ciphertext) = boxed.split_at_checked(TAG_SIZE).ok_or(ProtocolError::Cryptographic)?;
        let mut plaintext = ciphertext.to_vec();
        self.open_in_place(nonce, tag, &mut plaintext)?;
        Ok(plaintext)
    }
}

impl core::fmt::Debug for BoxKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("BoxKey")
    }
}

#[cfg(test)]
mod tests {
    //! Known answers from NaCl's `tests/box.c` / libsodium's `box.exp` (the keys are
    //! RFC 7748's X25519 example), so that our boxes are libsodium's.

    use super::*;
    use crypto_box::aead::Aead;
    use crypto_box::{PublicKey, SalsaBox, SecretKey};

    const ALICE_SECRET: Key = hex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
    const ALICE_PUBLIC: Key = hex("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
    const BOB_SECRET: Key = hex("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb");
    const BOB_PUBLIC: Key = hex("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");
    /// `crypto_box_beforenm(bob_public, alice_secret)`.
    const BEFORENM: Key = hex("1b27556473e985d462cd51197a9a46c76009549eac6474f206c4ee0844f68389");
    const NONCE: Nonce = [
        0x69, 0x69, 0x6e, 0xe9, 0x55, 0xb6, 0x2b, 0x73, 0xcd, 0x62, 0xbd, 0xa8, 0x75, 0xfc, 0x73, 0xd6, 0x82,
        0x19, 0xe0, 0x03, 0x6b, 0x7a, 0x0b, 0x37,
    ];
    const PLAINTEXT: [u8; 131] = [
        0xbe, 0x07, 0x5f, 0xc5, 0x3c, 0x81, 0xf2, 0xd5, 0xcf, 0x14, 0x13, 0x16, 0xeb, 0xeb, 0x0c, 0x7b, 0x52,
        0x28, 0xc5, 0x2a, 0x4c, 0x62, 0xcb, 0xd4, 0x4b, 0x66, 0x84, 0x9b, 0x64, 0x24, 0x4f, 0xfc, 0xe5, 0xec,
        0xba, 0xaf, 0x33, 0xbd, 0x75, 0x1a, 0x1a, 0xc7, 0x28, 0xd4, 0x5e, 0x6c, 0x61, 0x29, 0x6c, 0xdc, 0x3c,
        0x01, 0x23, 0x35, 0x61, 0xf4, 0x1d, 0xb6, 0x6c, 0xce, 0x31, 0x4a, 0xdb, 0x31, 0x0e, 0x3b, 0xe8, 0x25,
        0x0c, 0x46, 0xf0, 0x6d, 0xce, 0xea, 0x3a, 0x7f, 0xa1, 0x34, 0x80, 0x57, 0xe2, 0xf6, 0x55, 0x6a, 0xd6,
        0xb1, 0x31, 0x8a, 0x02, 0x4a, 0x83, 0x8f, 0x21, 0xaf, 0x1f, 0xde, 0x04, 0x89, 0x77, 0xeb, 0x48, 0xf5,
        0x9f, 0xfd, 0x49, 0x24, 0xca, 0x1c, 0x60, 0x90, 0x2e, 0x52, 0xf0, 0xa0, 0x89, 0xbc, 0x76, 0x89, 0x70,
        0x40, 0xe0, 0x82, 0xf9, 0x37, 0x76, 0x38, 0x48, 0x64, 0x5e, 0x07, 0x05,
    ];
    const BOXED: [u8; 147] = [
        0xf3, 0xff, 0xc7, 0x70, 0x3f, 0x94, 0x00, 0xe5, 0x2a, 0x7d, 0xfb, 0x4b, 0x3d, 0x33, 0x05, 0xd9, 0x8e,
        0x99, 0x3b, 0x9f, 0x48, 0x68, 0x12, 0x73, 0xc2, 0x96, 0x50, 0xba, 0x32, 0xfc, 0x76, 0xce, 0x48, 0x33,
        0x2e, 0xa7, 0x16, 0x4d, 0x96, 0xa4, 0x47, 0x6f, 0xb8, 0xc5, 0x31, 0xa1, 0x18, 0x6a, 0xc0, 0xdf, 0xc1,
        0x7c, 0x98, 0xdc, 0xe8, 0x7b, 0x4d, 0xa7, 0xf0, 0x11, 0xec, 0x48, 0xc9, 0x72, 0x71, 0xd2, 0xc2, 0x0f,
        0x9b, 0x92, 0x8f, 0xe2, 0x27, 0x0d, 0x6f, 0xb8, 0x63, 0xd5, 0x17, 0x38, 0xb4, 0x8e, 0xee, 0xe3, 0x14,
        0xa7, 0xcc, 0x8a, 0xb9, 0x32, 0x16, 0x45, 0x48, 0xe5, 0x26, 0xae, 0x90, 0x22, 0x43, 0x68, 0x51, 0x7a,
        0xcf, 0xea, 0xbd, 0x6b, 0xb3, 0x73, 0x2b, 0xc0, 0xe9, 0xda, 0x99, 0x83, 0x2b, 0x61, 0xca, 0x01, 0xb6,
        0xde, 0x56, 0x24, 0x4a, 0x9e, 0x88, 0xd5, 0xf9, 0xb3, 0x79, 0x73, 0xf6, 0x22, 0xa4, 0x3d, 0x14, 0xa6,
        0x59, 0x9b, 0x1f, 0x65, 0x4c, 0xb4, 0x5a, 0x74, 0xe3, 0x55, 0xa5,
    ];

    const fn hex(text: &str) -> Key {
        let bytes = text.as_bytes();
        let mut key = [0; KEY_SIZE];
        let mut i = 0;
        while i < KEY_SIZE {
            key[i] = nibble(bytes[2 * i]) << 4 | nibble(bytes[2 * i + 1]);
            i += 1;
        }
        key
    }

    const fn nibble(c: u8) -> u8 {
        match c {
            b'0'..=b'9' => c - b'0',
            _ => c - b'a' + 10,
        }
    }

    #[test]
    fn nacl_box_known_answer() {
        assert_eq!(public_key(&ALICE_SECRET), ALICE_PUBLIC);
        assert_eq!(public_key(&BOB_SECRET), BOB_PUBLIC);
        let alice = BoxKey::agree(&BOB_PUBLIC, &ALICE_SECRET).unwrap();
        assert_eq!(alice.seal(&NONCE, &PLAINTEXT).unwrap(), BOXED);
        // crypto_box_afternm with the published beforenm key gives the same box.
        assert_eq!(BoxKey::symmetric(&BEFORENM).seal(&NONCE, &PLAINTEXT).unwrap(), BOXED);
        let bob = BoxKey::agree(&ALICE_PUBLIC, &BOB_SECRET).unwrap();
        assert_eq!(bob.open(&NONCE, &BOXED).unwrap(), PLAINTEXT);
        // And SalsaBox agrees for keys in the prime-order subgroup.
        let salsa = SalsaBox::new(&PublicKey::from(BOB_PUBLIC), &SecretKey::from(ALICE_SECRET));
        assert_eq!(salsa.encrypt(GenericArray::from_slice(&NONCE), &PLAINTEXT[..]).unwrap(), BOXED);
    }

    #[test]
    fn tampered_or_truncated_boxes_do_not_open() {
        let bob = BoxKey::agree(&ALICE_PUBLIC, &BOB_SECRET).unwrap();
        for i in [0, 15, 16, 146] {
            let mut tampered = BOXED;
            tampered[i] ^= 1;
            assert_eq!(bob.open(&NONCE, &tampered), Err(ProtocolError::Cryptographic), "byte {i}");
        }
        assert_eq!(bob.open(&NONCE, &BOXED[..146]), Err(ProtocolError::Cryptographic));
        assert_eq!(bob.open(&NONCE, &BOXED[..15]), Err(ProtocolError::Cryptographic));
        let mut other = NONCE;
        other[23] ^= 1;
        assert_eq!(bob.open(&other, &BOXED), Err(ProtocolError::Cryptographic));
        // An empty box is a bare tag.
        let empty = bob.seal(&NONCE, b"").unwrap();
        assert_eq!(empty.len(), TAG_SIZE);
        assert_eq!(bob.open(&NONCE, &empty).unwrap(), b"");
    }

    #[test]
    fn small_order_keys_are_refused() {
        // 0 and 1 (and their non-canonical forms p, p + 1) have small order.
        let mut p = [0xff; KEY_SIZE];
        p[0] = 0xed;
        p[31] = 0x7f;
        let mut p_plus_1 = p;
        p_plus_1[0] = 0xee;
        let mut one = [0; KEY_SIZE];
        one[0] = 1;
        for key in [[0; KEY_SIZE], one, p, p_plus_1] {
            assert!(BoxKey::agree(&key, &ALICE_SECRET).is_err(), "{key:?}");
        }
    }

    #[test]
    fn nonces_are_prefix_then_suffix() {
        let full = nonce(b"CurveZMQMESSAGEC", &7u64.to_be_bytes());
        assert_eq!(&full[..16], b"CurveZMQMESSAGEC");
        assert_eq!(&full[16..], &[0, 0, 0, 0, 0, 0, 0, 7]);
        let full = nonce(b"WELCOME-", &[9; 16]);
        assert_eq!(&full[..8], b"WELCOME-");
        assert_eq!(&full[8..], &[9; 16]);
    }
}
