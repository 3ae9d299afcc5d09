//! ZMTP 3.x frame headers (ZMTP 3.0 "Framing", spec 23), the form the ZMTP
//! connection reads and writes: a flags byte (bit 0 MORE, bit 1 LONG, bit 2
//! COMMAND), then the body size in 1 byte, or with LONG in 8 bytes big-endian. The
//! WebSocket layer translates between these and ZWS frames.

const MORE: u8 = 0x01;
const LONG: u8 = 0x02;
const COMMAND: u8 = 0x04;
/// The longest header.
pub(crate) const HEADER_MAX: usize = 9;

/// Writes the header of a frame with a body of `size` bytes into `out` (short form
/// up to 255 bytes); returns its length.
pub(crate) fn write(out: &mut [u8; HEADER_MAX], more: bool, command: bool, size: u64) -> usize {
    let mut flags = 0;
    if more {
        flags |= MORE;
    }
    if command {
        flags |= COMMAND;
    }
    match u8::try_from(size) {
        Ok(short) => {
            *out = [flags, short, 0, 0, 0, 0, 0, 0, 0];
            2
        }
        Err(_) => {
            let [b0, b1, b2, b3, b4, b5, b6, b7] = size.to_be_bytes();
            *out = [flags | LONG, b0, b1, b2, b3, b4, b5, b6, b7];
            HEADER_MAX
        }
    }
}

/// A header read back: MORE, COMMAND and the body size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Parsed {
    pub(crate) more: bool,
    pub(crate) command: bool,
    pub(crate) size: u64,
}

/// Reads headers from a stream of ZMTP bytes.
#[derive(Debug, Default)]
pub(crate) struct Reader {
    bytes: [u8; HEADER_MAX],
    have: usize,
}

impl Reader {
    /// Whether part of a header has been read.
    pub(crate) fn in_progress(&self) -> bool {
        self.have > 0
    }

    /// Reads from `input`: how many bytes it used, and the header once complete.
    pub(crate) fn read(&mut self, input: &[u8]) -> (usize, Option<Parsed>) {
        let mut used = 0;
        loop {
            let need = match self.have {
                0 => 1,
                _ if self.bytes[0] & LONG != 0 => HEADER_MAX,
                _ => 2,
            };
            if self.have == need && need > 1 {
                self.have = 0;
                let [flags, b0, b1, b2, b3, b4, b5, b6, b7] = self.bytes;
                let size = if need == HEADER_MAX {
                    u64::from_be_bytes([b0, b1, b2, b3, b4, b5, b6, b7])
                } else {
                    u64::from(b0)
                };
                let parsed = Parsed { more: flags & MORE != 0, command: flags & COMMAND != 0, size };
                return (used, Some(parsed));
            }
            let Some(&byte) = input.get(used) else { return (used, None) };
            if let Some(slot) = self.bytes.get_mut(self.have) {
                *slot = byte;
            }
            self.have += 1;
            used += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_round_trip() {
        for (more, command, size, length) in
            [(false, false, 0, 2), (true, false, 255, 2), (false, true, 256, 9), (true, true, u64::MAX, 9)]
        {
            let mut header = [0; HEADER_MAX];
            assert_eq!(write(&mut header, more, command, size), length);
            let mut reader = Reader::default();
            let mut input = header[..length].to_vec();
            input.push(0xaa);
            assert_eq!(reader.read(&input), (length, Some(Parsed { more, command, size })));
            // A byte at a time.
            for (index, byte) in header[..length].iter().enumerate() {
                let expected = (index + 1 == length).then_some(Parsed { more, command, size });
                assert_eq!(reader.read(std::slice::from_ref(byte)), (1, expected));
            }
        }
        assert_eq!(Reader::default().read(&[]), (0, None));
    }
}
