//! ZMTP 1.0 framing (spec 13 "Framing"), spoken by libzmq 2.x peers and by peers that
//! send greeting revision 0: a length that counts the flags byte too, in one byte, or
//! as `0xFF` and 8 bytes big-endian when it is 255 or more; a flags byte whose bit 0
//! is MORE; the body. There are no commands.

use super::error::ProtocolError;

/// The escape that announces an 8-byte length.
const LONG_ESCAPE: u8 = 0xff;
const MORE: u8 = 1;

/// A frame header's size, known from its first byte.
pub(crate) fn header_len(first: u8) -> usize {
    if first == LONG_ESCAPE {
        10
    } else {
        2
    }
}

/// Body length and MORE from a complete header (`header_len` bytes). A length of 0
/// cannot even count the flags byte: libzmq fails with `EPROTO`.
pub(crate) fn parse_header(header: &[u8]) -> Result<(u64, bool), ProtocolError> {
    let (length, flags) = match header {
        [LONG_ESCAPE, b0, b1, b2, b3, b4, b5, b6, b7, flags] => {
            (u64::from_be_bytes([*b0, *b1, *b2, *b3, *b4, *b5, *b6, *b7]), *flags)
        }
        [length, flags] if *length != LONG_ESCAPE => (u64::from(*length), *flags),
        _ => return Err(ProtocolError::MalformedFrame),
    };
    let body = length.checked_sub(1).ok_or(ProtocolError::MalformedFrame)?;
    Ok((body, flags & MORE != 0))
}

/// Writes the header of a frame of `body_len` bytes.
pub(crate) fn write_header(out: &mut Vec<u8>, more: bool, body_len: usize) {
    let length = u64::try_from(body_len).unwrap_or(u64::MAX).saturating_add(1);
    let flags = if more { MORE } else { 0 };
    match u8::try_from(length) {
        Ok(short) if short != LONG_ESCAPE => out.push(short),
        _ => {
            out.push(LONG_ESCAPE);
            out.extend_from_slice(&length.to_be_bytes());
        }
    }
    out.push(flags);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_and_long_forms() {
        let mut out = Vec::new();
        write_header(&mut out, true, 0);
        assert_eq!(out, [1, 1]);
        out.clear();
        write_header(&mut out, false, 253);
        assert_eq!(out, [254, 0]);
        out.clear();
        write_header(&mut out, true, 254);
        assert_eq!(out, [0xff, 0, 0, 0, 0, 0, 0, 0, 255, 1]);
        assert_eq!(parse_header(&out), Ok((254, true)));
        assert_eq!(parse_header(&[254, 0]), Ok((253, false)));
        assert_eq!(parse_header(&[0, 0]), Err(ProtocolError::MalformedFrame));
        assert_eq!(parse_header(&[0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0]), Err(ProtocolError::MalformedFrame));
        assert_eq!(parse_header(&[1]), Err(ProtocolError::MalformedFrame));
        assert_eq!(header_len(0xff), 10);
        assert_eq!(header_len(3), 2);
    }
}
