//! Masking keys for the client's frames (RFC 6455 section 5.3). Masking exists so
//! that a browser's script cannot choose the bytes an intermediary sees; keys are
//! drawn from a generator seeded once per connection from the operating system
//! (libzmq draws them from its own `generate_random`), which keeps a frame's cost
//! to a few arithmetic steps.

use crate::zmtp::RandomSource;

/// A stream of masking keys (SplitMix64).
#[derive(Debug, Clone)]
pub(crate) struct MaskKeys {
    state: u64,
}

impl MaskKeys {
    /// Keys seeded from `random`; from the clock's low bits if it has nothing to
    /// give (the keys need not be secret, only hard to guess from outside).
    pub(crate) fn from_random(random: &mut dyn RandomSource) -> MaskKeys {
        let mut seed = [0; 8];
        if random.fill(&mut seed).is_err() {
            let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
            seed = (now.as_nanos() as u64).to_le_bytes();
        }
        MaskKeys { state: u64::from_le_bytes(seed) }
    }

    /// Reproducible keys.
    #[cfg(test)]
    pub(crate) fn from_seed(seed: u64) -> MaskKeys {
        MaskKeys { state: seed }
    }

    /// The next key.
    pub(crate) fn next_key(&mut self) -> [u8; 4] {
        self.state = self.state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^= z >> 31;
        let [a, b, c, d, ..] = z.to_le_bytes();
        [a, b, c, d]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::zmtp::OsRandom;

    #[test]
    fn keys_vary() {
        let mut keys = MaskKeys::from_random(&mut OsRandom);
        let drawn: Vec<[u8; 4]> = (0..8).map(|_| keys.next_key()).collect();
        assert!(drawn.windows(2).all(|pair| pair[0] != pair[1]));
        assert_eq!(MaskKeys::from_seed(1).next_key(), MaskKeys::from_seed(1).next_key());
    }
}
