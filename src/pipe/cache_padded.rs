//! A value alone on its cache lines, so that two threads writing neighbouring values
//! (a pipe's writer and reader) do not pass one line back and forth on every write.

use core::ops::Deref;

/// `T`, aligned to 128 bytes: two 64-byte lines, since x86 prefetches lines in pairs.
#[derive(Debug, Default)]
#[repr(align(128))]
pub(crate) struct CachePadded<T>(pub T);

impl<T> Deref for CachePadded<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn neighbours_never_share_a_line() {
        let pair = [CachePadded(1u8), CachePadded(2u8)];
        let distance = (&raw const pair[1] as usize) - (&raw const pair[0] as usize);
        assert!(distance >= 128);
        assert_eq!(*pair[1], 2);
    }
}
