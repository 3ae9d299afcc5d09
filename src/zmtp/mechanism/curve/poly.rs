//! Poly1305 (RFC 8439 §2.5), the one-time authenticator of XSalsa20-Poly1305, in
//! 64-bit arithmetic: three 44/44/42-bit limbs and 128-bit products (the layout of
//! poly1305-donna-64, which libsodium uses on 64-bit CPUs). The `poly1305` crate's
//! portable backend works on five 26-bit limbs, half as fast here; its AVX2 backend
//! sets up four powers of the key each time, which costs more than a small message
//! (every CURVE message has a fresh key). Checked against the crate in the tests.

const MASK_44: u64 = (1 << 44) - 1;
const MASK_42: u64 = (1 << 42) - 1;

/// The 16-byte tag of `message` under the one-time `key`.
pub(crate) fn tag(key: &[u8; 32], message: &[u8]) -> [u8; 16] {
    let t0 = le64(&key[0..8]);
    let t1 = le64(&key[8..16]);
    // r, clamped as the RFC says, in limbs.
    let r0 = t0 & 0xffc_0fff_ffff;
    let r1 = ((t0 >> 44) | (t1 << 20)) & 0xfff_ffc0_ffff;
    let r2 = (t1 >> 24) & 0x00f_ffff_fc0f;
    let mut state = State { r: [r0, r1, r2], s: [r1 * (5 << 2), r2 * (5 << 2)], h: [0; 3] };
    let mut blocks = message.chunks_exact(16);
    for block in &mut blocks {
        state.block(block, 1 << 40);
    }
    let rest = blocks.remainder();
    if !rest.is_empty() {
        let mut last = [0u8; 16];
        last[..rest.len()].copy_from_slice(rest);
        last[rest.len()] = 1;
        state.block(&last, 0);
    }
    state.finish(le64(&key[16..24]), le64(&key[24..32]))
}

fn le64(bytes: &[u8]) -> u64 {
    let mut word = [0; 8];
    word.copy_from_slice(&bytes[..8]);
    u64::from_le_bytes(word)
}

struct State {
    r: [u64; 3],
    /// r1 and r2 times 5 · 4: the reduction modulo 2^130 - 5 folded into the product.
    s: [u64; 2],
    h: [u64; 3],
}

impl State {
    /// h = (h + block) · r mod 2^130 - 5, partially reduced; `high` is the 2^128 bit
    /// of a full block (in the top limb's terms), 0 for the padded last one.
    #[inline]
    fn block(&mut self, block: &[u8], high: u64) {
        let [r0, r1, r2] = self.r;
        let [s1, s2] = self.s;
        let t0 = le64(&block[0..8]);
        let t1 = le64(&block[8..16]);
        let h0 = self.h[0] + (t0 & MASK_44);
        let h1 = self.h[1] + (((t0 >> 44) | (t1 << 20)) & MASK_44);
        let h2 = self.h[2] + (((t1 >> 24) & MASK_42) | high);
        let wide = |a: u64, b: u64| u128::from(a) * u128::from(b);
        let d0 = wide(h0, r0) + wide(h1, s2) + wide(h2, s1);
        let mut d1 = wide(h0, r1) + wide(h1, r0) + wide(h2, s2);
        let mut d2 = wide(h0, r2) + wide(h1, r1) + wide(h2, r0);
        let mut carry = (d0 >> 44) as u64;
        let mut h0 = d0 as u64 & MASK_44;
        d1 += u128::from(carry);
        carry = (d1 >> 44) as u64;
        let h1 = d1 as u64 & MASK_44;
        d2 += u128::from(carry);
        carry = (d2 >> 42) as u64;
        let h2 = d2 as u64 & MASK_42;
        h0 += carry * 5;
        carry = h0 >> 44;
        h0 &= MASK_44;
        self.h = [h0, h1 + carry, h2];
    }

    /// Fully reduces h, adds the pad (s) and keeps the low 128 bits.
    fn finish(self, pad0: u64, pad1: u64) -> [u8; 16] {
        let [mut h0, mut h1, mut h2] = self.h;
        let mut carry = h1 >> 44;
        h1 &= MASK_44;
        for _ in 0..2 {
            h2 += carry;
            carry = h2 >> 42;
            h2 &= MASK_42;
            h0 += carry * 5;
            carry = h0 >> 44;
            h0 &= MASK_44;
            h1 += carry;
            carry = h1 >> 44;
            h1 &= MASK_44;
        }
        h2 += carry;
        // g = h + 5 - 2^130; h < p exactly when g is negative. Chosen without a branch.
        let mut g0 = h0 + 5;
        carry = g0 >> 44;
        g0 &= MASK_44;
        let mut g1 = h1 + carry;
        carry = g1 >> 44;
        g1 &= MASK_44;
        let mut g2 = h2.wrapping_add(carry).wrapping_sub(1 << 42);
        let use_g = (g2 >> 63).wrapping_sub(1);
        g0 &= use_g;
        g1 &= use_g;
        g2 &= use_g;
        let keep_h = !use_g;
        h0 = (h0 & keep_h) | g0;
        h1 = (h1 & keep_h) | g1;
        h2 = (h2 & keep_h) | g2;
        // + s, modulo 2^128.
        h0 += pad0 & MASK_44;
        carry = h0 >> 44;
        h0 &= MASK_44;
        h1 += (((pad0 >> 44) | (pad1 << 20)) & MASK_44) + carry;
        carry = h1 >> 44;
        h1 &= MASK_44;
        h2 += ((pad1 >> 24) & MASK_42) + carry;
        h2 &= MASK_42;
        let low = h0 | (h1 << 44);
        let high = (h1 >> 20) | (h2 << 24);
        let mut tag = [0; 16];
        tag[..8].copy_from_slice(&low.to_le_bytes());
        tag[8..].copy_from_slice(&high.to_le_bytes());
        tag
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use poly1305::universal_hash::KeyInit;
    use poly1305::Poly1305;

    #[test]
    fn rfc_8439_vector() {
        let key: [u8; 32] = [
            0x85, 0xd6, 0xbe, 0x78, 0x57, 0x55, 0x6d, 0x33, 0x7f, 0x44, 0x52, 0xfe, 0x42, 0xd5, 0x06, 0xa8,
            0x01, 0x03, 0x80, 0x8a, 0xfb, 0x0d, 0xb2, 0xfd, 0x4a, 0xbf, 0xf6, 0xaf, 0x41, 0x49, 0xf5, 0x1b,
        ];
        let expected =
            [0xa8, 0x06, 0x1d, 0xc1, 0x30, 0x51, 0x36, 0xc6, 0xc2, 0x2b, 0x8b, 0xaf, 0x0c, 0x01, 0x27, 0xa9];
        assert_eq!(tag(&key, b"Cryptographic Forum Research Group"), expected);
    }

    #[test]
    fn agrees_with_the_poly1305_crate() {
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let lengths = (0..=300).chain([1023, 1024, 1025, 4096]);
        for length in lengths {
            for round in 0..4 {
                let mut key: [u8; 32] = core::array::from_fn(|_| next() as u8);
                let mut message: Vec<u8> = (0..length).map(|_| next() as u8).collect();
                if round == 1 {
                    // All ones: the largest limbs, where carries and the final
                    // subtraction of p matter.
                    key = [0xff; 32];
                    message.fill(0xff);
                }
                let expected: [u8; 16] = Poly1305::new(&key.into()).compute_unpadded(&message).into();
                assert_eq!(tag(&key, &message), expected, "length {length}, round {round}");
            }
        }
    }
}
