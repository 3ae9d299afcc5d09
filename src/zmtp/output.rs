//! A connection's output buffer: bytes are appended at the end and written from the
//! front. What was written is dropped all at once when everything has gone, or from
//! the front once enough has gone, so a connection that never drains completely does
//! not keep growing.

use core::ops::{Deref, DerefMut};

/// Written bytes are dropped from the front once this many have gone and they are
/// more than half the buffer.
const COMPACT_AFTER: usize = 64 * 1024;
/// A drained buffer keeps at most this much room: one very large message must not
/// hold its size in memory for the rest of the connection's life.
const KEEP_CAPACITY: usize = 4 << 20;

#[derive(Debug, Default)]
pub(crate) struct Output {
    /// Appended output; `bytes[written..]` is still to be written.
    bytes: Vec<u8>,
    written: usize,
}

impl Output {
    /// An output buffer starting with `bytes` (a greeting, an upgrade request).
    pub(crate) fn with(bytes: Vec<u8>) -> Output {
        Output { bytes, written: 0 }
    }

    /// The bytes still to be written.
    pub(crate) fn pending(&self) -> &[u8] {
        self.bytes.get(self.written..).unwrap_or_default()
    }

    /// Marks the first `n` pending bytes written.
    pub(crate) fn consume(&mut self, n: usize) {
        self.written = self.written.saturating_add(n).min(self.bytes.len());
        if self.written == self.bytes.len() {
            self.bytes.clear();
            self.bytes.shrink_to(KEEP_CAPACITY);
            self.written = 0;
        } else if self.written >= COMPACT_AFTER && self.written > self.bytes.len() / 2 {
            self.bytes.drain(..self.written);
            self.written = 0;
        }
    }
}

/// Encoders append to the buffer as to any `Vec<u8>`.
impl Deref for Output {
    type Target = Vec<u8>;

    fn deref(&self) -> &Vec<u8> {
        &self.bytes
    }
}

impl DerefMut for Output {
    fn deref_mut(&mut self) -> &mut Vec<u8> {
        &mut self.bytes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn written_bytes_leave_from_the_front() {
        let mut output = Output::with(b"greeting".to_vec());
        output.extend_from_slice(b"+frame");
        output.consume(3);
        assert_eq!(output.pending(), b"eting+frame");
        output.consume(100);
        assert_eq!(output.pending(), b"");
        assert!(output.is_empty(), "drained output is cleared");
        output.extend_from_slice(&vec![1; COMPACT_AFTER + 10]);
        output.consume(COMPACT_AFTER + 1);
        assert_eq!(output.len(), 9, "mostly written output is compacted");
        assert_eq!(output.pending(), &[1; 9][..]);
    }

    /// A drained buffer gives back the room a very large message took (it kept it for
    /// the connection's life: 256 MB sent once stayed resident), and keeps a modest
    /// amount for the next messages.
    #[test]
    fn drained_output_gives_back_a_large_message_room() {
        let mut output = Output::default();
        output.extend_from_slice(&vec![7; 3 * KEEP_CAPACITY]);
        output.consume(KEEP_CAPACITY);
        output.consume(2 * KEEP_CAPACITY);
        assert!(output.is_empty());
        assert!(output.capacity() <= KEEP_CAPACITY, "capacity {}", output.capacity());
        output.extend_from_slice(&[1; 1000]);
        output.consume(1000);
        assert!(output.capacity() >= 1000, "small room is kept");
    }
}
