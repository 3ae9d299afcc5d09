//! CURVE (X25519) key pairs for the public API.
//! libzmq: `zmq_utils.cpp` (`zmq_curve_keypair`, `zmq_curve_public`).
//!
//! Keys are raw 32-byte values here; the C wrappers convert them to and from
//! their 40-character Z85 form with [`super::z85`].

use crypto_box::aead::OsRng;
use crypto_box::SecretKey;

/// Length of a CURVE public or secret key in bytes.
pub(crate) const KEY_BYTES: usize = 32;

/// Generates a fresh random key pair, returned as `(public, secret)`.
///
/// Like libsodium's `crypto_box_keypair`, the secret key is 32 random bytes
/// (unclamped); clamping happens when it is used.
pub fn generate_keypair() -> ([u8; KEY_BYTES], [u8; KEY_BYTES]) {
    let secret = SecretKey::generate(&mut OsRng);
    (secret.public_key().to_bytes(), secret.to_bytes())
}

/// Derives the public key of `secret`: X25519 multiplication of the base
/// point (libsodium's `crypto_scalarmult_base`). Never fails.
pub fn public_key(secret: &[u8; KEY_BYTES]) -> [u8; KEY_BYTES] {
    SecretKey::from(*secret).public_key().to_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::util::z85;

    fn key_from_z85(text: &str) -> [u8; KEY_BYTES] {
        let bytes = z85::decode(text.as_bytes()).expect("valid Z85");
        <[u8; KEY_BYTES]>::try_from(bytes.as_slice()).expect("32 bytes")
    }

    fn key_from_hex(text: &str) -> [u8; KEY_BYTES] {
        let mut key = [0u8; KEY_BYTES];
        for (byte, pair) in key.iter_mut().zip(text.as_bytes().chunks_exact(2)) {
            let pair = core::str::from_utf8(pair).expect("ascii");
            *byte = u8::from_str_radix(pair, 16).expect("hex");
        }
        key
    }

    #[test]
    fn libzmq_test_suite_keypair() {
        // Checked against the system libzmq's zmq_curve_public.
        let secret = key_from_z85("D:)Q[IlAW!ahhC2ac:9*A}h:p?([4%wOTJ%JR%cs");
        let public = public_key(&secret);
        assert_eq!(z85::encode(&public).as_deref(), Some("Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID"));
    }

    #[test]
    fn rfc7748_alice_vector() {
        let secret = key_from_hex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
        let public = key_from_hex("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
        assert_eq!(public_key(&secret), public);
    }

    #[test]
    fn generated_pair_is_consistent() {
        let (public, secret) = generate_keypair();
        assert_eq!(public_key(&secret), public);
        assert_eq!(z85::encode(&public).map(|s| s.len()), Some(40));
    }

    #[test]
    fn generated_pairs_differ() {
        let (public_a, secret_a) = generate_keypair();
        let (public_b, secret_b) = generate_keypair();
        assert_ne!(secret_a, secret_b);
        assert_ne!(public_a, public_b);
    }
}
