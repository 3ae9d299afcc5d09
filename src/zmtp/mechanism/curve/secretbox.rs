//! XSalsa20-Poly1305 boxes (NaCl's `crypto_secretbox`, which `crypto_box` applies
//! after its key agreement): the same construction as `crypto_secretbox`'s
//! `XSalsa20Poly1305` (checked against it in the tests), whose XSalsa20 makes one
//! 64-byte block at a time, with the bulk of the keystream made four blocks at once
//! in SSE2 registers and Poly1305 in 64-bit arithmetic (`poly`), as libsodium does.
//! Every message of a CURVE connection passes through here; at 1 KiB the keystream
//! and the tag are most of its cost.
//!
//! The construction: subkey = HSalsa20(key, nonce[..16]); keystream = Salsa20(subkey,
//! nonce[16..]) from block 0; its first 32 bytes are the Poly1305 key, the rest is
//! XORed with the message; the tag is Poly1305 over the ciphertext.

use salsa20::cipher::consts::U10;
use salsa20::cipher::{KeyIvInit, StreamCipher, StreamCipherSeek};
use salsa20::Salsa20;

use super::poly;

/// Salsa20 blocks are 64 bytes.
const BLOCK: usize = 64;
/// Poly1305 tags are 16 bytes.
pub(crate) const TAG_SIZE: usize = 16;

/// Encrypts `buffer` in place with `key` and the 24-byte `nonce`; returns the tag.
pub(crate) fn seal(key: &[u8; 32], nonce: &[u8; 24], buffer: &mut [u8]) -> [u8; TAG_SIZE] {
    let stream = Keystream::new(key, nonce);
    let first = stream.block(0);
    stream.xor_from_byte_32(&first, buffer);
    poly::tag(&mac_key(&first), buffer)
}

/// Checks `tag` over the ciphertext in `buffer` and decrypts it in place; on failure
/// `buffer` is unchanged.
pub(crate) fn open(
    key: &[u8; 32],
    nonce: &[u8; 24],
    tag: &[u8; TAG_SIZE],
    buffer: &mut [u8],
) -> Result<(), ()> {
    let stream = Keystream::new(key, nonce);
    let first = stream.block(0);
    if !equal_in_constant_time(&poly::tag(&mac_key(&first), buffer), tag) {
        return Err(());
    }
    stream.xor_from_byte_32(&first, buffer);
    Ok(())
}

/// The Poly1305 key: the first 32 bytes of the keystream.
fn mac_key(first: &[u8; BLOCK]) -> [u8; 32] {
    let mut key = [0; 32];
    key.copy_from_slice(&first[..32]);
    key
}

/// Whether `a` and `b` are equal, in a time that does not depend on where they differ.
fn equal_in_constant_time(a: &[u8; TAG_SIZE], b: &[u8; TAG_SIZE]) -> bool {
    let difference = a.iter().zip(b).fold(0u8, |difference, (x, y)| difference | (x ^ y));
    core::hint::black_box(difference) == 0
}

/// The Salsa20 keystream of one box.
struct Keystream {
    subkey: [u8; 32],
    nonce: [u8; 8],
    /// Salsa20's initial state at block 0 (constants, subkey, nonce, counter), for
    /// the SSE2 blocks.
    #[cfg_attr(not(target_arch = "x86_64"), allow(dead_code))]
    state: [u32; 16],
}

impl Keystream {
    fn new(key: &[u8; 32], nonce: &[u8; 24]) -> Keystream {
        let (prefix, suffix) = nonce.split_at(16);
        let subkey: [u8; 32] = salsa20::hsalsa::<U10>(key.into(), prefix.into()).into();
        let mut short = [0; 8];
        short.copy_from_slice(suffix);
        Keystream { subkey, nonce: short, state: initial_state(&subkey, &short) }
    }

    /// Block `counter` of the keystream, one block at a time (the crate's Salsa20).
    fn block(&self, counter: u64) -> [u8; BLOCK] {
        let mut block = [0; BLOCK];
        let mut cipher = Salsa20::new(&self.subkey.into(), &self.nonce.into());
        cipher.seek(counter * BLOCK as u64);
        cipher.apply_keystream(&mut block);
        block
    }

    /// Blocks `counter` to `counter + 3` of the keystream.
    fn four_blocks(&self, counter: u64) -> [u8; 4 * BLOCK] {
        #[cfg(target_arch = "x86_64")]
        {
            // SAFETY: SSE2 is part of the x86-64 baseline: every CPU this runs on has it.
            unsafe { four_blocks_sse2(&self.state, counter) }
        }
        #[cfg(not(target_arch = "x86_64"))]
        {
            let mut out = [0u8; 4 * BLOCK];
            let mut cipher = Salsa20::new(&self.subkey.into(), &self.nonce.into());
            cipher.seek(counter * BLOCK as u64);
            cipher.apply_keystream(&mut out);
            out
        }
    }

    /// XORs `buffer` with the keystream from byte 32 on (after the Poly1305 key),
    /// block 0 being `first`.
    fn xor_from_byte_32(&self, first: &[u8; BLOCK], buffer: &mut [u8]) {
        let head = buffer.len().min(BLOCK - 32);
        let (head, mut rest) = buffer.split_at_mut(head);
        xor(head, &first[32..]);
        let mut counter = 1;
        while rest.len() > BLOCK {
            let blocks = self.four_blocks(counter);
            let n = rest.len().min(blocks.len());
            xor(&mut rest[..n], &blocks);
            rest = &mut rest[n..];
            counter += 4;
        }
        if !rest.is_empty() {
            xor(rest, &self.block(counter));
        }
    }
}

fn xor(data: &mut [u8], keystream: &[u8]) {
    for (byte, key) in data.iter_mut().zip(keystream) {
        *byte ^= key;
    }
}

/// Salsa20's initial state at block 0: constants, key, nonce, block counter (words 8
/// and 9, here 0).
fn initial_state(key: &[u8; 32], nonce: &[u8; 8]) -> [u32; 16] {
    let word = |bytes: &[u8], i: usize| {
        u32::from_le_bytes([bytes[4 * i], bytes[4 * i + 1], bytes[4 * i + 2], bytes[4 * i + 3]])
    };
    [
        0x6170_7865,
        word(key, 0),
        word(key, 1),
        word(key, 2),
        word(key, 3),
        0x3320_646e,
        word(nonce, 0),
        word(nonce, 1),
        0,
        0,
        0x7962_2d32,
        word(key, 4),
        word(key, 5),
        word(key, 6),
        word(key, 7),
        0x6b20_6574,
    ]
}

/// Blocks `counter` to `counter + 3` of the keystream of `state`, one per 32-bit
/// lane of SSE2 registers.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "sse2")]
fn four_blocks_sse2(state: &[u32; 16], counter: u64) -> [u8; 4 * BLOCK] {
    use core::arch::x86_64::*;

    let counters: [u64; 4] = core::array::from_fn(|lane| counter.wrapping_add(lane as u64));
    let lanes = |word: fn(u64) -> u32| {
        _mm_set_epi32(
            word(counters[3]) as i32,
            word(counters[2]) as i32,
            word(counters[1]) as i32,
            word(counters[0]) as i32,
        )
    };
    let initial: [__m128i; 16] = core::array::from_fn(|i| match i {
        8 => lanes(|counter| counter as u32),
        9 => lanes(|counter| (counter >> 32) as u32),
        _ => _mm_set1_epi32(state[i] as i32),
    });
    let mut x = initial;
    macro_rules! quarter_round {
        ($a:expr, $b:expr, $c:expr, $d:expr) => {
            x[$b] = _mm_xor_si128(x[$b], rotate::<7, 25>(_mm_add_epi32(x[$a], x[$d])));
            x[$c] = _mm_xor_si128(x[$c], rotate::<9, 23>(_mm_add_epi32(x[$b], x[$a])));
            x[$d] = _mm_xor_si128(x[$d], rotate::<13, 19>(_mm_add_epi32(x[$c], x[$b])));
            x[$a] = _mm_xor_si128(x[$a], rotate::<18, 14>(_mm_add_epi32(x[$d], x[$c])));
        };
    }
    for _ in 0..10 {
        // Columns, then rows.
        quarter_round!(0, 4, 8, 12);
        quarter_round!(5, 9, 13, 1);
        quarter_round!(10, 14, 2, 6);
        quarter_round!(15, 3, 7, 11);
        quarter_round!(0, 1, 2, 3);
        quarter_round!(5, 6, 7, 4);
        quarter_round!(10, 11, 8, 9);
        quarter_round!(15, 12, 13, 14);
    }
    let mut out = [0u8; 4 * BLOCK];
    for group in 0..4 {
        let word = |i: usize| _mm_add_epi32(x[4 * group + i], initial[4 * group + i]);
        // Transpose: from one register per word (a lane per block) to one register
        // per block (four consecutive words).
        let (a, b, c, d) = (word(0), word(1), word(2), word(3));
        let (ab_low, cd_low) = (_mm_unpacklo_epi32(a, b), _mm_unpacklo_epi32(c, d));
        let (ab_high, cd_high) = (_mm_unpackhi_epi32(a, b), _mm_unpackhi_epi32(c, d));
        let blocks = [
            _mm_unpacklo_epi64(ab_low, cd_low),
            _mm_unpackhi_epi64(ab_low, cd_low),
            _mm_unpacklo_epi64(ab_high, cd_high),
            _mm_unpackhi_epi64(ab_high, cd_high),
        ];
        for (lane, words) in blocks.into_iter().enumerate() {
            let at = lane * BLOCK + 16 * group;
            let target = &mut out[at..at + 16];
            // SAFETY: `target` is 16 writable bytes, and `_mm_storeu_si128` has no
            // alignment requirement.
            unsafe { _mm_storeu_si128(target.as_mut_ptr().cast::<__m128i>(), words) };
        }
    }
    out
}

/// Each 32-bit lane of `v` rotated left by `LEFT` (`RIGHT` is 32 - `LEFT`).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "sse2")]
#[inline]
fn rotate<const LEFT: i32, const RIGHT: i32>(v: core::arch::x86_64::__m128i) -> core::arch::x86_64::__m128i {
    use core::arch::x86_64::*;
    _mm_or_si128(_mm_slli_epi32::<LEFT>(v), _mm_srli_epi32::<RIGHT>(v))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crypto_secretbox::aead::{AeadInPlace, KeyInit as _};
    use crypto_secretbox::XSalsa20Poly1305;

    /// Reproducible bytes.
    fn bytes<const N: usize>(seed: u64) -> [u8; N] {
        let mut state = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
        core::array::from_fn(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as u8
        })
    }

    #[test]
    fn four_blocks_are_the_crates_keystream() {
        for (seed, counter) in [(1, 0), (2, 1), (3, 77), (4, 0xffff_fffe), (5, 1 << 40)] {
            let key = bytes::<32>(seed);
            let nonce = bytes::<8>(seed + 100);
            let mut expected = [0u8; 4 * BLOCK];
            let mut cipher = Salsa20::new(&key.into(), &nonce.into());
            cipher.seek(counter * BLOCK as u64);
            cipher.apply_keystream(&mut expected);
            let stream = Keystream { subkey: key, nonce, state: initial_state(&key, &nonce) };
            assert_eq!(stream.four_blocks(counter), expected, "counter {counter:#x}");
        }
    }

    #[test]
    fn boxes_are_crypto_secretboxs_for_every_length() {
        let lengths = (0..=600).chain([1000, 1024, 4096, 65_536 + 17]);
        for (seed, length) in lengths.enumerate() {
            let seed = seed as u64;
            let key = bytes::<32>(seed);
            let nonce = bytes::<24>(seed + 7);
            let plaintext: Vec<u8> = (0..length).map(|i| (i as u8).wrapping_mul(31) ^ key[i % 32]).collect();
            let reference = XSalsa20Poly1305::new(&key.into());
            let mut expected = plaintext.clone();
            let expected_tag =
                reference.encrypt_in_place_detached(&nonce.into(), b"", &mut expected).unwrap();

            let mut boxed = plaintext.clone();
            let tag = seal(&key, &nonce, &mut boxed);
            assert_eq!((&tag[..], &boxed), (&expected_tag[..], &expected), "length {length}");
            open(&key, &nonce, &tag, &mut boxed).unwrap();
            assert_eq!(boxed, plaintext, "length {length}");
        }
    }

    #[test]
    fn a_box_altered_anywhere_does_not_open_and_stays_as_it_was() {
        let key = bytes::<32>(9);
        let nonce = bytes::<24>(10);
        let mut boxed = vec![42u8; 300];
        let tag = seal(&key, &nonce, &mut boxed);
        for at in [0, 31, 32, 64, 299] {
            let mut altered = boxed.clone();
            altered[at] ^= 1;
            let before = altered.clone();
            assert_eq!(open(&key, &nonce, &tag, &mut altered), Err(()));
            assert_eq!(altered, before, "unchanged after a failure");
        }
        let mut bad_tag = tag;
        bad_tag[15] ^= 0x80;
        assert_eq!(open(&key, &nonce, &bad_tag, &mut boxed), Err(()));
        let mut other_nonce = nonce;
        other_nonce[23] ^= 1;
        assert_eq!(open(&key, &other_nonce, &tag, &mut boxed), Err(()));
        open(&key, &nonce, &tag, &mut boxed).unwrap();
        assert_eq!(boxed, vec![42u8; 300]);
    }
}
