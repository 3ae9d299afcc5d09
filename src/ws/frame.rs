//! WebSocket frame headers (RFC 6455 section 5.2) as ZWS 2.0 uses them, with the
//! rules of libzmq's `ws_decoder`: every frame is final (no fragmentation), the
//! opcode is binary, close, ping or pong, frames from the client are masked and
//! frames from the server are not, and a binary frame holds at least the ZWS flags
//! byte. Beyond libzmq, control frames carry at most 125 bytes, as RFC 6455 requires
//! (libzmq would buffer any size).

/// The FIN bit of the first header byte.
const FIN: u8 = 0x80;
/// The MASK bit of the second header byte.
const MASKED: u8 = 0x80;
/// RFC 6455 section 5.5: control frames are this short.
pub(crate) const CONTROL_PAYLOAD_MAX: u64 = 125;
/// The longest header: 2 bytes, 8 length bytes, a 4-byte masking key.
pub(crate) const HEADER_MAX: usize = 14;

/// The ZWS 2.0 flags byte (RFC 45 "Framing"): more parts follow.
pub(crate) const MORE_FLAG: u8 = 0x01;
/// The ZWS 2.0 flags byte: the frame is a ZMTP command.
pub(crate) const COMMAND_FLAG: u8 = 0x02;

/// The frame types ZWS uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Opcode {
    Binary,
    Close,
    Ping,
    Pong,
}

impl Opcode {
    fn from_bits(bits: u8) -> Option<Opcode> {
        match bits {
            0x2 => Some(Opcode::Binary),
            0x8 => Some(Opcode::Close),
            0x9 => Some(Opcode::Ping),
            0xA => Some(Opcode::Pong),
            // Continuation (0), text (1) and the reserved ones: libzmq refuses them.
            _ => None,
        }
    }

    fn bits(self) -> u8 {
        match self {
            Opcode::Binary => 0x2,
            Opcode::Close => 0x8,
            Opcode::Ping => 0x9,
            Opcode::Pong => 0xA,
        }
    }
}

/// Why a frame header is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FrameError {
    /// FIN clear: libzmq takes no fragmented messages.
    Fragmented,
    /// Text, continuation or a reserved opcode.
    UnsupportedOpcode(u8),
    /// Masked from the server, or unmasked from the client.
    WrongMasking,
    /// A binary frame without even the flags byte.
    EmptyBinary,
    /// A control frame longer than 125 bytes.
    ControlTooLong,
}

/// A frame's header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Header {
    pub(crate) opcode: Opcode,
    /// The payload's length (for a binary frame, the flags byte included).
    pub(crate) length: u64,
    /// The masking key, for a masked frame.
    pub(crate) mask: Option<[u8; 4]>,
}

/// Reads frame headers from a stream of bytes.
#[derive(Debug)]
pub(crate) struct HeaderDecoder {
    /// Whether frames must be masked (we are the server).
    masked: bool,
    bytes: [u8; HEADER_MAX],
    have: usize,
}

impl HeaderDecoder {
    /// A decoder of the frames a client sends (`masked`) or a server sends.
    pub(crate) fn new(masked: bool) -> HeaderDecoder {
        HeaderDecoder { masked, bytes: [0; HEADER_MAX], have: 0 }
    }

    /// Reads from `input`: how many bytes it used, and the header once complete.
    /// Checks each byte as soon as it arrives, as libzmq's decoder does.
    pub(crate) fn decode(&mut self, input: &[u8]) -> Result<(usize, Option<Header>), FrameError> {
        let mut used = 0;
        loop {
            let need = self.needed();
            if self.have == need {
                let header = self.finish()?;
                self.have = 0;
                return Ok((used, Some(header)));
            }
            let Some(&byte) = input.get(used) else { return Ok((used, None)) };
            if let Some(slot) = self.bytes.get_mut(self.have) {
                *slot = byte;
            }
            self.have += 1;
            used += 1;
            match self.have {
                1 => {
                    if byte & FIN == 0 {
                        return Err(FrameError::Fragmented);
                    }
                    Opcode::from_bits(byte & 0x0f).ok_or(FrameError::UnsupportedOpcode(byte & 0x0f))?;
                }
                2 if (byte & MASKED != 0) != self.masked => return Err(FrameError::WrongMasking),
                _ => {}
            }
        }
    }

    /// The header's full size, as far as the bytes read so far tell.
    fn needed(&self) -> usize {
        if self.have < 2 {
            return 2;
        }
        let extended = match self.bytes[1] & 0x7f {
            126 => 2,
            127 => 8,
            _ => 0,
        };
        2 + extended + if self.masked { 4 } else { 0 }
    }

    fn finish(&self) -> Result<Header, FrameError> {
        let [first, second, rest @ ..] = self.bytes;
        let opcode = Opcode::from_bits(first & 0x0f).ok_or(FrameError::UnsupportedOpcode(first & 0x0f))?;
        let (length, rest) = match second & 0x7f {
            126 => (u64::from(u16::from_be_bytes([rest[0], rest[1]])), &rest[2..]),
            127 => (
                u64::from_be_bytes([rest[0], rest[1], rest[2], rest[3], rest[4], rest[5], rest[6], rest[7]]),
                &rest[8..],
            ),
            short => (u64::from(short), &rest[..]),
        };
        let mask = self.masked.then(|| [rest[0], rest[1], rest[2], rest[3]]);
        match opcode {
            Opcode::Binary if length == 0 => Err(FrameError::EmptyBinary),
            Opcode::Close | Opcode::Ping | Opcode::Pong if length > CONTROL_PAYLOAD_MAX => {
                Err(FrameError::ControlTooLong)
            }
            _ => Ok(Header { opcode, length, mask }),
        }
    }
}

/// Appends a final frame's header: `opcode`, a payload of `length` bytes, masked
/// with `mask` if given (the client's frames). The shortest length form is used:
/// up to 125 in the 7-bit field, then 126 and 2 bytes, or 127 and 8 bytes.
pub(crate) fn write_header(out: &mut Vec<u8>, opcode: Opcode, length: u64, mask: Option<[u8; 4]>) {
    out.push(FIN | opcode.bits());
    let mask_bit = if mask.is_some() { MASKED } else { 0 };
    match length {
        0..=125 => out.push(mask_bit | length as u8),
        126..=0xffff => {
            out.push(mask_bit | 126);
            out.extend_from_slice(&(length as u16).to_be_bytes());
        }
        _ => {
            out.push(mask_bit | 127);
            out.extend_from_slice(&length.to_be_bytes());
        }
    }
    if let Some(mask) = mask {
        out.extend_from_slice(&mask);
    }
}

/// XORs `bytes`, which start `offset` bytes into a payload, with the masking key
/// (RFC 6455 section 5.3); masking and unmasking are the same operation.
pub(crate) fn apply_mask(bytes: &mut [u8], mask: [u8; 4], offset: u64) {
    // The key as it lines up with `bytes`, repeated over eight bytes: whole words
    // are XORed at once (bodies can be megabytes), then the tail byte by byte.
    let shift = (offset % 4) as usize;
    let aligned = [mask[shift], mask[(shift + 1) % 4], mask[(shift + 2) % 4], mask[(shift + 3) % 4]];
    let mut doubled = [0; 8];
    doubled[..4].copy_from_slice(&aligned);
    doubled[4..].copy_from_slice(&aligned);
    let word = u64::from_ne_bytes(doubled);
    let mut chunks = bytes.chunks_exact_mut(8);
    for chunk in &mut chunks {
        let mut value = [0; 8];
        value.copy_from_slice(chunk);
        chunk.copy_from_slice(&(u64::from_ne_bytes(value) ^ word).to_ne_bytes());
    }
    for (byte, key) in chunks.into_remainder().iter_mut().zip(aligned.iter().cycle()) {
        *byte ^= key;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode_all(masked: bool, input: &[u8]) -> Result<(usize, Option<Header>), FrameError> {
        HeaderDecoder::new(masked).decode(input)
    }

    #[test]
    fn headers_round_trip_in_every_length_form() {
        for length in [1, 125, 126, 0xffff, 0x10000, u64::MAX] {
            for mask in [None, Some([1, 2, 3, 4])] {
                let mut bytes = Vec::new();
                write_header(&mut bytes, Opcode::Binary, length, mask);
                let expected = 2
                    + mask.map_or(0, |_| 4)
                    + if length < 126 {
                        0
                    } else if length < 0x10000 {
                        2
                    } else {
                        8
                    };
                assert_eq!(bytes.len(), expected);
                let header = Header { opcode: Opcode::Binary, length, mask };
                assert_eq!(decode_all(mask.is_some(), &bytes), Ok((bytes.len(), Some(header))));
                // A byte at a time.
                let mut decoder = HeaderDecoder::new(mask.is_some());
                for (index, byte) in bytes.iter().enumerate() {
                    let decoded = decoder.decode(std::slice::from_ref(byte)).unwrap();
                    assert_eq!(decoded, (1, (index + 1 == bytes.len()).then_some(header)));
                }
            }
        }
    }

    #[test]
    fn libzmqs_refusals() {
        assert_eq!(decode_all(false, &[0x02, 0x01]), Err(FrameError::Fragmented));
        assert_eq!(decode_all(false, &[0x81, 0x01]), Err(FrameError::UnsupportedOpcode(1)));
        assert_eq!(decode_all(false, &[0x80, 0x01]), Err(FrameError::UnsupportedOpcode(0)));
        assert_eq!(decode_all(false, &[0x8b]), Err(FrameError::UnsupportedOpcode(0xb)));
        assert_eq!(decode_all(true, &[0x82, 0x01]), Err(FrameError::WrongMasking));
        assert_eq!(decode_all(false, &[0x82, 0x81]), Err(FrameError::WrongMasking));
        assert_eq!(decode_all(false, &[0x82, 0x00]), Err(FrameError::EmptyBinary));
        assert_eq!(decode_all(true, &[0x82, 0x80, 1, 2, 3, 4]), Err(FrameError::EmptyBinary));
        assert_eq!(decode_all(false, &[0x89, 126, 0, 126]), Err(FrameError::ControlTooLong));
        // Reserved bits are ignored, as libzmq does.
        let ping = Header { opcode: Opcode::Ping, length: 0, mask: None };
        assert_eq!(decode_all(false, &[0xf9, 0x00, 0xff]), Ok((2, Some(ping))));
        let close = Header { opcode: Opcode::Close, length: 125, mask: None };
        assert_eq!(decode_all(false, &[0x88, 125]), Ok((2, Some(close))));
    }

    #[test]
    fn masking_continues_across_pieces() {
        let mask = [0x37, 0xfa, 0x21, 0x3d];
        // RFC 6455 section 5.7: "Hello" masked.
        let mut bytes = *b"Hello";
        apply_mask(&mut bytes, mask, 0);
        assert_eq!(bytes, [0x7f, 0x9f, 0x4d, 0x51, 0x58]);
        let (first, second) = bytes.split_at_mut(3);
        apply_mask(first, mask, 0);
        apply_mask(second, mask, 3);
        assert_eq!(&bytes, b"Hello");
        // Word-wise and byte-wise agree at every offset and length.
        let plain: Vec<u8> = (0..=255).collect();
        for offset in 0..9u64 {
            for length in [0, 1, 7, 8, 9, 31, 256] {
                let mut masked = plain[..length].to_vec();
                apply_mask(&mut masked, mask, offset);
                let expected: Vec<u8> = plain[..length]
                    .iter()
                    .enumerate()
                    .map(|(i, b)| b ^ mask[(i + offset as usize) % 4])
                    .collect();
                assert_eq!(masked, expected, "offset {offset}, length {length}");
            }
        }
    }
}
