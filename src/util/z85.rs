//! Z85 text encoding of binary data (ZeroMQ RFC 32).
//! libzmq: `zmq_utils.cpp` (`zmq_z85_encode`, `zmq_z85_decode`).
//!
//! Every 4 bytes, read as a big-endian `u32`, become 5 characters of an
//! 85-character alphabet, most significant digit first.
//!
//! Acceptance rules of libzmq 4.3.5's decoder, reproduced here:
//! - the length must be a non-zero multiple of 5 (the empty string is
//!   rejected, although encoding zero bytes yields the empty string);
//! - every byte must belong to the alphabet (space, `"`, `'`, `,`, `;`, `\`,
//!   `_`, `` ` ``, `|`, `~`, control characters, DEL and bytes >= 0x80 are
//!   rejected);
//! - a 5-character group must not denote a value above `0xFFFF_FFFF`
//!   (`"%nSc0"` is the largest valid group).

/// The 85 digits, in value order.
const ALPHABET: &[u8; 85] = b"0123456789\
abcdefghijklmnopqrstuvwxyz\
ABCDEFGHIJKLMNOPQRSTUVWXYZ\
.-:+=^!/*?&<>()[]{}@%$#";

/// Marks a byte that is not a Z85 digit in [`DIGIT_VALUES`].
const INVALID: u8 = 0xFF;

/// The value of each byte as a Z85 digit, or [`INVALID`].
const DIGIT_VALUES: [u8; 256] = {
    let mut table = [INVALID; 256];
    let mut value = 0;
    while value < ALPHABET.len() {
        table[ALPHABET[value] as usize] = value as u8;
        value += 1;
    }
    table
};

/// Encodes `data` as Z85; `None` when its length is not a multiple of 4.
///
/// An empty input gives an empty string, as in libzmq.
pub fn encode(data: &[u8]) -> Option<String> {
    let chunks = data.chunks_exact(4);
    if !chunks.remainder().is_empty() {
        return None;
    }
    let mut text = String::with_capacity(data.len() / 4 * 5);
    for chunk in chunks {
        let mut value = chunk.iter().fold(0u32, |acc, &byte| (acc << 8) | u32::from(byte));
        let mut digits = [0u8; 5];
        for digit in digits.iter_mut().rev() {
            // `value % 85` is below 85, so the index is always in bounds.
            *digit = ALPHABET[(value % 85) as usize];
            value /= 85;
        }
        text.extend(digits.iter().map(|&digit| char::from(digit)));
    }
    Some(text)
}

/// Decodes Z85 `text` (without any NUL terminator); `None` when libzmq's
/// `zmq_z85_decode` would fail with `EINVAL` (see the module doc).
pub fn decode(text: &[u8]) -> Option<Vec<u8>> {
    let groups = text.chunks_exact(5);
    if text.is_empty() || !groups.remainder().is_empty() {
        return None;
    }
    let mut data = Vec::with_capacity(text.len() / 5 * 4);
    for group in groups {
        let mut value = 0u32;
        for &byte in group {
            let digit = DIGIT_VALUES[usize::from(byte)];
            if digit == INVALID {
                return None;
            }
            value = value.checked_mul(85)?.checked_add(u32::from(digit))?;
        }
        data.extend_from_slice(&value.to_be_bytes());
    }
    Some(data)
}

#[cfg(test)]
mod tests {
    use super::*;

    const HELLO_BYTES: [u8; 8] = [0x86, 0x4F, 0xD2, 0x6F, 0xB5, 0x59, 0xF7, 0x5B];

    /// A small deterministic xorshift generator for test inputs.
    struct XorShift(u64);

    impl XorShift {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }

        fn below(&mut self, bound: u64) -> usize {
            (self.next() % bound) as usize
        }
    }

    #[test]
    fn rfc_vector_encodes_to_hello_world() {
        assert_eq!(encode(&HELLO_BYTES).as_deref(), Some("HelloWorld"));
    }

    #[test]
    fn rfc_vector_decodes_from_hello_world() {
        assert_eq!(decode(b"HelloWorld"), Some(HELLO_BYTES.to_vec()));
    }

    #[test]
    fn alphabet_has_85_distinct_printable_digits() {
        let mut seen = [false; 256];
        for &c in ALPHABET.iter() {
            assert!((0x21..0x7F).contains(&c));
            assert!(!seen[usize::from(c)], "duplicate digit {}", c as char);
            seen[usize::from(c)] = true;
        }
        assert_eq!(DIGIT_VALUES.iter().filter(|&&v| v != INVALID).count(), 85);
    }

    #[test]
    fn extreme_groups() {
        assert_eq!(encode(&[0, 0, 0, 0]).as_deref(), Some("00000"));
        assert_eq!(encode(&[0xFF; 4]).as_deref(), Some("%nSc0"));
        assert_eq!(decode(b"00000"), Some(vec![0, 0, 0, 0]));
        assert_eq!(decode(b"%nSc0"), Some(vec![0xFF; 4]));
    }

    #[test]
    fn round_trips_of_various_lengths() {
        let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
        for words in 0..64 {
            let data: Vec<u8> = (0..words * 4).map(|_| rng.next() as u8).collect();
            let text = encode(&data).expect("length is a multiple of 4");
            assert_eq!(text.len(), data.len() / 4 * 5);
            assert!(text.bytes().all(|b| ALPHABET.contains(&b)));
            if data.is_empty() {
                assert_eq!(text, "");
            } else {
                assert_eq!(decode(text.as_bytes()), Some(data));
            }
        }
    }

    #[test]
    fn encode_rejects_length_not_multiple_of_4() {
        for len in [1, 2, 3, 5, 6, 7, 31, 33] {
            assert_eq!(encode(&vec![0u8; len]), None, "len {len}");
        }
    }

    #[test]
    fn encode_accepts_empty_input() {
        assert_eq!(encode(&[]).as_deref(), Some(""));
    }

    #[test]
    fn decode_rejects_empty_text() {
        assert_eq!(decode(b""), None);
    }

    #[test]
    fn decode_rejects_length_not_multiple_of_5() {
        for len in [1, 2, 3, 4, 6, 9, 11, 39, 41] {
            assert_eq!(decode(&vec![b'0'; len]), None, "len {len}");
        }
    }

    #[test]
    fn decode_rejects_every_byte_outside_the_alphabet() {
        for byte in 0..=255u8 {
            let text = [b'0', b'0', byte, b'0', b'0'];
            let accepted = decode(&text).is_some();
            assert_eq!(accepted, ALPHABET.contains(&byte), "byte {byte:#04x}");
        }
        for &byte in b" \"',;\\_`|~\x7F\x00\x80\xFF" {
            assert_eq!(decode(&[byte; 5]), None, "byte {byte:#04x}");
        }
    }

    #[test]
    fn decode_rejects_bad_byte_in_a_later_group() {
        assert_eq!(decode(b"HelloWor d"), None);
    }

    #[test]
    fn decode_rejects_group_overflowing_u32() {
        // "%nSc1" is 0xFFFF_FFFF + 1, the first overflowing value.
        assert_eq!(decode(b"%nSc1"), None);
        assert_eq!(decode(b"%nSd0"), None);
        assert_eq!(decode(b"#####"), None);
        assert_eq!(decode(b"HelloWorld#####"), None);
        assert_eq!(decode(b"%nSc0"), Some(vec![0xFF; 4]));
    }

    #[test]
    fn decode_never_panics_on_arbitrary_bytes() {
        let mut rng = XorShift(0x2545_F491_4F6C_DD1D);
        let mut accepted = 0;
        for _ in 0..5000 {
            let len = rng.below(26);
            let alphabet_only = rng.next() & 1 == 0;
            let text: Vec<u8> = (0..len)
                .map(|_| if alphabet_only { ALPHABET[rng.below(85)] } else { rng.next() as u8 })
                .collect();
            if let Some(data) = decode(&text) {
                accepted += 1;
                assert_eq!(data.len(), text.len() / 5 * 4);
                assert_eq!(encode(&data).map(String::into_bytes), Some(text));
            }
        }
        assert!(accepted > 0);
    }
}
