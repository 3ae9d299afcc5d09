//! Frame decoding and encoding. ZMTP 3.0 "Framing" (spec 23, unchanged in 3.1 and the
//! same as ZMTP 2.0, spec 15): a flags byte (bit 0 MORE, bit 1 LONG, bit 2 COMMAND),
//! the body size in 1 byte or, with LONG, 8 bytes big-endian, then the body. ZMTP 1.0
//! headers are parsed by [`super::v1`]; bodies are handled the same way for both.
//!
//! Decoding never trusts a size header further than `ZMQ_MAXMSGSIZE`: a body is
//! reserved for at most [`INITIAL_RESERVE`] bytes up front and grown as its bytes
//! arrive, so a hostile header costs nothing until the peer actually sends the bytes,
//! and a failed allocation is [`ProtocolError::OutOfMemory`], never an abort. (The
//! reservation matters even untouched: the allocator backs large blocks with
//! transparent huge pages, so a 64 MiB reservation touched anywhere costs 2 MiB of
//! resident memory. Only once [`TRUSTED_AFTER`] bytes have arrived is the rest of a
//! large body reserved at once, to spare it the copies of growing.)
//!
//! Bodies of [`LARGE_BODY`] bytes or more are read straight into their own buffer
//! ([`Decoder::prepare_direct`]), which becomes the message without a copy; small
//! frames are decoded from the connection's read buffer, many per read.

use core::fmt;

use super::error::ProtocolError;
use super::v1;
use crate::msg::{Flags, Msg};

const MORE: u8 = 1;
const LONG: u8 = 2;
const COMMAND: u8 = 4;

/// Bodies at least this large are read directly into their message (libzmq's
/// default `ZMQ_IN_BATCH_SIZE`, 8 KiB, is the same threshold).
pub(crate) const LARGE_BODY: usize = 8192;
/// A direct read is offered at most this much zeroed space at a time, so memory is
/// touched only as fast as the peer sends.
const DIRECT_CHUNK: usize = 1 << 20;
/// The first direct reads of a body are offered this much; then as much as has
/// arrived (up to [`DIRECT_CHUNK`]), so the zeroed space never exceeds what the
/// peer actually sent by more than this: a header announcing 2^64 bytes followed
/// by silence costs 64 KiB, not a megabyte.
const DIRECT_FIRST_CHUNK: usize = 64 << 10;
/// The most reserved for a body before its bytes arrive: room for what the read
/// buffer held of it and the first direct read.
const INITIAL_RESERVE: usize = LARGE_BODY + DIRECT_FIRST_CHUNK;
/// Once a body needs this much room (about half of it arrived), the announced size
/// is reserved (up to [`FULL_RESERVE`]) instead of growing step by step.
const TRUSTED_AFTER: usize = 1 << 20;
/// The most reserved at once for a body; larger ones grow as they arrive.
const FULL_RESERVE: usize = 64 << 20;

/// The header format: ZMTP 1.0, or ZMTP 2.0/3.x.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Framing {
    V1,
    V2,
}

impl Framing {
    fn header_len(self, first: u8) -> usize {
        match self {
            Framing::V1 => v1::header_len(first),
            Framing::V2 if first & LONG != 0 => 9,
            Framing::V2 => 2,
        }
    }

    /// (body size, MORE, COMMAND) from a complete header.
    fn parse_header(self, header: &[u8]) -> Result<(u64, bool, bool), ProtocolError> {
        match self {
            Framing::V1 => v1::parse_header(header).map(|(size, more)| (size, more, false)),
            Framing::V2 => {
                let (size, flags) = match header {
                    [flags, b0, b1, b2, b3, b4, b5, b6, b7] if flags & LONG != 0 => {
                        (u64::from_be_bytes([*b0, *b1, *b2, *b3, *b4, *b5, *b6, *b7]), *flags)
                    }
                    [flags, size] if flags & LONG == 0 => (u64::from(*size), *flags),
                    _ => return Err(ProtocolError::MalformedFrame),
                };
                Ok((size, flags & MORE != 0, flags & COMMAND != 0))
            }
        }
    }
}

/// Writes a ZMTP 2.0/3.x frame header for a body of `size` bytes: the short form up
/// to 255 bytes, the long form from 256.
pub(crate) fn write_header(out: &mut Vec<u8>, more: bool, command: bool, size: usize) {
    let mut flags = 0;
    if more {
        flags |= MORE;
    }
    if command {
        flags |= COMMAND;
    }
    match u8::try_from(size) {
        Ok(short) => {
            out.push(flags);
            out.push(short);
        }
        Err(_) => {
            out.push(flags | LONG);
            out.extend_from_slice(&u64::try_from(size).unwrap_or(u64::MAX).to_be_bytes());
        }
    }
}

/// Turns bytes into frames (as [`Msg`]s with MORE and COMMAND set from the wire).
pub(crate) struct Decoder {
    framing: Framing,
    max_size: Option<u64>,
    state: State,
}

enum State {
    /// Collecting a header; `have` bytes of it are in `bytes`.
    Header { bytes: [u8; 10], have: usize },
    /// Collecting a body of `size` bytes; `filled` of them are in `body`, which may be
    /// longer (zeroed space offered to a direct read).
    Body { more: bool, command: bool, size: usize, body: Vec<u8>, filled: usize },
}

const NEW_HEADER: State = State::Header { bytes: [0; 10], have: 0 };

impl Decoder {
    pub(crate) fn new(framing: Framing, max_size: Option<u64>) -> Decoder {
        Decoder { framing, max_size, state: NEW_HEADER }
    }

    /// Decodes from `input`: returns how many bytes were used and the frame they
    /// completed, if any. Call again with the rest while bytes remain.
    pub(crate) fn decode(&mut self, input: &[u8]) -> Result<(usize, Option<Msg>), ProtocolError> {
        let mut frame = Msg::new();
        let (used, complete) = self.decode_into(input, &mut frame)?;
        Ok((used, complete.then_some(frame)))
    }

    /// [`decode`](Self::decode) into `frame` (replacing what it held when a frame is
    /// complete, untouched otherwise): whether a frame was completed.
    pub(crate) fn decode_into(
        &mut self,
        input: &[u8],
        frame: &mut Msg,
    ) -> Result<(usize, bool), ProtocolError> {
        if let Some(decoded) = self.decode_short_frame(input, frame) {
            return decoded;
        }
        match self.decode_any(input)? {
            (used, Some(msg)) => {
                *frame = msg;
                Ok((used, true))
            }
            (used, None) => Ok((used, false)),
        }
    }

    fn decode_any(&mut self, input: &[u8]) -> Result<(usize, Option<Msg>), ProtocolError> {
        let framing = self.framing;
        match &mut self.state {
            State::Header { bytes, have } => {
                let mut used = 0;
                loop {
                    let need = match *have {
                        0 => 1,
                        _ => framing.header_len(bytes[0]),
                    };
                    let take = need.saturating_sub(*have).min(input.len() - used);
                    if let (Some(to), Some(from)) =
                        (bytes.get_mut(*have..*have + take), input.get(used..used + take))
                    {
                        to.copy_from_slice(from);
                    }
                    *have += take;
                    used += take;
                    if *have < need {
                        return Ok((used, None));
                    }
                    if need > 1 {
                        break;
                    }
                }
                let (size, more, command) = framing.parse_header(bytes.get(..*have).unwrap_or_default())?;
                if self.max_size.is_some_and(|max| size > max) {
                    return Err(ProtocolError::MessageTooLarge);
                }
                let size = usize::try_from(size).map_err(|_| ProtocolError::MessageTooLarge)?;
                self.state = NEW_HEADER;
                let rest = input.get(used..).unwrap_or_default();
                if let Some(body) = rest.get(..size) {
                    // The whole body is here: one copy out of the read buffer.
                    let msg = Msg::from_slice(body).map_err(|_| ProtocolError::OutOfMemory)?;
                    return Ok((used + size, Some(frame(msg, more, command))));
                }
                let mut body = Vec::new();
                body.try_reserve_exact(size.min(INITIAL_RESERVE)).map_err(|_| ProtocolError::OutOfMemory)?;
                append(&mut body, rest, size)?;
                let filled = rest.len();
                self.state = State::Body { more, command, size, body, filled };
                Ok((input.len(), None))
            }
            State::Body { size, body, filled, .. } => {
                let take = size.saturating_sub(*filled).min(input.len());
                body.truncate(*filled);
                append(body, input.get(..take).unwrap_or_default(), *size)?;
                *filled += take;
                Ok((take, self.finish_if_complete()))
            }
        }
    }

    /// The common case, taken without copying the header aside: between frames, a
    /// whole ZMTP 2.0/3.x frame with a short (one-byte) size at the start of `input`.
    /// `None` for anything else, which [`decode`](Self::decode) takes the long way.
    #[inline]
    fn decode_short_frame(
        &self,
        input: &[u8],
        frame: &mut Msg,
    ) -> Option<Result<(usize, bool), ProtocolError>> {
        if self.framing != Framing::V2 || !matches!(self.state, State::Header { have: 0, .. }) {
            return None;
        }
        let (&[flags, size], rest) = input.split_first_chunk::<2>()?;
        if flags & LONG != 0 {
            return None;
        }
        let body = rest.get(..usize::from(size))?;
        if self.max_size.is_some_and(|max| u64::from(size) > max) {
            return Some(Err(ProtocolError::MessageTooLarge));
        }
        if frame.assign_slice(body).is_err() {
            return Some(Err(ProtocolError::OutOfMemory));
        }
        set_wire_flags(frame, flags & MORE != 0, flags & COMMAND != 0);
        Some(Ok((2 + body.len(), true)))
    }

    /// Prepares space to read the current large body into directly, if the decoder is
    /// in the middle of one and memory for the next chunk could be had; returns whether
    /// the next read should go to [`direct_space`](Self::direct_space).
    pub(crate) fn prepare_direct(&mut self) -> bool {
        if let State::Body { size, body, filled, .. } = &mut self.state {
            if *size >= LARGE_BODY {
                let chunk = (*filled).clamp(DIRECT_FIRST_CHUNK, DIRECT_CHUNK);
                let target = (*size).min(filled.saturating_add(chunk));
                if body.len() < target && grow(body, target, *size).is_ok() {
                    body.resize(target, 0);
                }
            }
        }
        self.is_direct()
    }

    /// The space [`prepare_direct`](Self::prepare_direct) offered (empty when none).
    pub(crate) fn direct_space(&mut self) -> &mut [u8] {
        match &mut self.state {
            State::Body { body, filled, .. } => body.get_mut(*filled..).unwrap_or_default(),
            State::Header { .. } => &mut [],
        }
    }

    /// Whether the last [`prepare_direct`](Self::prepare_direct) offered space that the
    /// next read went into.
    pub(crate) fn is_direct(&self) -> bool {
        matches!(&self.state, State::Body { size, body, filled, .. } if *size >= LARGE_BODY && body.len() > *filled)
    }

    /// Takes note of `n` bytes read into the direct buffer; returns the frame if that
    /// completed it.
    pub(crate) fn direct_received(&mut self, n: usize) -> Option<Msg> {
        if let State::Body { body, filled, .. } = &mut self.state {
            *filled += n.min(body.len().saturating_sub(*filled));
        }
        self.finish_if_complete()
    }

    fn finish_if_complete(&mut self) -> Option<Msg> {
        match &self.state {
            State::Body { size, filled, .. } if filled >= size => {}
            _ => return None,
        }
        let State::Body { more, command, size, mut body, .. } =
            core::mem::replace(&mut self.state, NEW_HEADER)
        else {
            return None;
        };
        body.truncate(size);
        Some(frame(Msg::from_vec(body), more, command))
    }
}

/// Sets a decoded frame's MORE and COMMAND flags as the wire said.
fn set_wire_flags(msg: &mut Msg, more: bool, command: bool) {
    msg.set_more(more);
    if command {
        msg.set_flag(Flags::COMMAND, true);
    }
}

fn frame(mut msg: Msg, more: bool, command: bool) -> Msg {
    set_wire_flags(&mut msg, more, command);
    msg
}

/// Makes room for `body` to hold `needed` bytes of a `size`-byte body: by fourfold
/// steps until [`TRUSTED_AFTER`] bytes are needed, then at least [`FULL_RESERVE`] and
/// doubling; never past `size`, and failing with `OutOfMemory` instead of aborting.
fn grow(body: &mut Vec<u8>, needed: usize, size: usize) -> Result<(), ProtocolError> {
    if needed <= body.capacity() {
        return Ok(());
    }
    let step = if needed >= TRUSTED_AFTER {
        body.capacity().saturating_mul(2).max(FULL_RESERVE)
    } else {
        body.capacity().saturating_mul(4)
    };
    let target = step.min(size).max(needed);
    body.try_reserve_exact(target - body.len()).map_err(|_| ProtocolError::OutOfMemory)
}

fn append(body: &mut Vec<u8>, bytes: &[u8], size: usize) -> Result<(), ProtocolError> {
    grow(body, body.len() + bytes.len(), size)?;
    body.extend_from_slice(bytes);
    Ok(())
}

impl fmt::Debug for Decoder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut debug = f.debug_struct("Decoder");
        debug.field("framing", &self.framing).field("max_size", &self.max_size);
        match &self.state {
            State::Header { have, .. } => debug.field("header_bytes", have),
            State::Body { size, filled, .. } => debug.field("body_size", size).field("body_filled", filled),
        };
        debug.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode_all(decoder: &mut Decoder, mut input: &[u8]) -> Result<Vec<Msg>, ProtocolError> {
        let mut frames = Vec::new();
        while !input.is_empty() {
            let (used, frame) = decoder.decode(input)?;
            assert!(used > 0 || frame.is_some());
            input = &input[used..];
            frames.extend(frame);
        }
        Ok(frames)
    }

    #[test]
    fn header_boundary_at_255_and_256() {
        let mut out = Vec::new();
        write_header(&mut out, false, false, 255);
        assert_eq!(out, [0, 255]);
        out.clear();
        write_header(&mut out, true, true, 256);
        assert_eq!(out, [MORE | LONG | COMMAND, 0, 0, 0, 0, 0, 0, 1, 0]);
    }

    #[test]
    fn decodes_short_long_and_command_frames() {
        let mut input = vec![MORE, 3, b'a', b'b', b'c', COMMAND, 0];
        input.extend_from_slice(&[LONG, 0, 0, 0, 0, 0, 0, 1, 0]);
        input.extend(std::iter::repeat_n(7, 256));
        let mut decoder = Decoder::new(Framing::V2, None);
        let frames = decode_all(&mut decoder, &input).unwrap();
        assert_eq!(frames.len(), 3);
        assert_eq!(frames[0].data(), b"abc");
        assert!(frames[0].more());
        assert!(frames[1].flags().contains(Flags::COMMAND) && frames[1].is_empty());
        assert_eq!(frames[2].len(), 256);
        assert!(!frames[2].more());
        // A long-form header for a small body is accepted, as libzmq does.
        let frames = decode_all(&mut decoder, &[LONG, 0, 0, 0, 0, 0, 0, 0, 1, b'x']).unwrap();
        assert_eq!(frames[0].data(), b"x");
    }

    #[test]
    fn decode_into_replaces_the_frame_only_when_one_is_complete() {
        let mut decoder = Decoder::new(Framing::V2, None);
        let mut frame = Msg::from_slice(b"before").unwrap();
        assert_eq!(decoder.decode_into(&[MORE], &mut frame).unwrap(), (1, false));
        assert_eq!(decoder.decode_into(&[3, b'a', b'b'], &mut frame).unwrap(), (3, false));
        assert_eq!(frame.data(), b"before", "untouched until a frame is complete");
        assert_eq!(decoder.decode_into(&[b'c', COMMAND, 1, b'x'], &mut frame).unwrap(), (1, true));
        assert_eq!((frame.data(), frame.more()), (&b"abc"[..], true));
        // A whole short frame at once: decoded in place, flags from the wire.
        assert_eq!(decoder.decode_into(&[COMMAND, 1, b'x'], &mut frame).unwrap(), (3, true));
        assert_eq!((frame.data(), frame.more()), (&b"x"[..], false));
        assert!(frame.flags().contains(Flags::COMMAND));
        assert_eq!(decoder.decode_into(&[0, 0], &mut frame).unwrap(), (2, true));
        assert!(frame.is_empty() && !frame.flags().contains(Flags::COMMAND));
    }

    #[test]
    fn max_size_and_unaddressable_sizes_fail_before_allocating() {
        let mut decoder = Decoder::new(Framing::V2, Some(3));
        assert_eq!(decode_all(&mut decoder, &[0, 3, 1, 2, 3]).unwrap().len(), 1);
        assert_eq!(decoder.decode(&[0, 4]).unwrap_err(), ProtocolError::MessageTooLarge);
        // Whole or not, a frame over the limit fails.
        let mut decoder = Decoder::new(Framing::V2, Some(3));
        assert_eq!(decoder.decode(&[0, 4, 1, 2, 3, 4]).unwrap_err(), ProtocolError::MessageTooLarge);
        let mut decoder = Decoder::new(Framing::V2, None);
        // An absurd size only reserves a bounded amount until its bytes arrive.
        let huge = [LONG, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff];
        assert!(matches!(decoder.decode(&huge), Ok((9, None))));
        assert!(decoder.prepare_direct());
        assert_eq!(decoder.direct_space().len(), DIRECT_FIRST_CHUNK);
        assert!(matches!(decoder.decode(&[1; 100]), Ok((100, None))));
        // The space offered grows with what arrived, up to DIRECT_CHUNK at a time.
        let mut decoder = Decoder::new(Framing::V2, None);
        assert!(matches!(decoder.decode(&huge), Ok((9, None))));
        let mut offered = Vec::new();
        for _ in 0..8 {
            assert!(decoder.prepare_direct());
            let space = decoder.direct_space().len();
            offered.push(space);
            assert!(decoder.direct_received(space).is_none());
        }
        let k = 1024;
        assert_eq!(offered, [64 * k, 64 * k, 128 * k, 256 * k, 512 * k, 1024 * k, 1024 * k, 1024 * k]);
        // Room is reserved as bytes come: 64 KiB for a bare header, the full 64 MiB
        // only once a megabyte is needed.
        let reserved = |decoder: &Decoder| match &decoder.state {
            State::Body { body, .. } => body.capacity(),
            State::Header { .. } => 0,
        };
        assert!(reserved(&decoder) >= FULL_RESERVE);
        let mut decoder = Decoder::new(Framing::V2, None);
        assert!(matches!(decoder.decode(&huge), Ok((9, None))));
        assert!(reserved(&decoder) <= INITIAL_RESERVE);
        assert!(decoder.prepare_direct());
        assert!(reserved(&decoder) <= INITIAL_RESERVE);
    }

    #[test]
    fn large_bodies_are_read_directly() {
        let mut decoder = Decoder::new(Framing::V2, None);
        let size = LARGE_BODY + 10;
        let mut header = vec![MORE | LONG];
        header.extend_from_slice(&(size as u64).to_be_bytes());
        header.extend_from_slice(b"head");
        assert!(matches!(decoder.decode(&header), Ok((n, None)) if n == header.len()));
        assert!(!decoder.is_direct());
        assert!(decoder.prepare_direct());
        let space = decoder.direct_space();
        assert_eq!(space.len(), size - 4);
        space[..3].copy_from_slice(b"mid");
        assert!(decoder.is_direct());
        assert!(decoder.direct_received(3).is_none());
        assert!(decoder.prepare_direct());
        let space = decoder.direct_space();
        assert_eq!(space.len(), size - 7);
        space.fill(b'z');
        let len = space.len();
        let msg = decoder.direct_received(len + 100).unwrap();
        assert_eq!(msg.len(), size);
        assert_eq!(&msg.data()[..7], b"headmid");
        assert!(msg.data()[7..].iter().all(|&b| b == b'z'));
        assert!(msg.more());
        assert!(!decoder.prepare_direct());
        assert!(decoder.direct_space().is_empty());
    }

    #[test]
    fn v1_frames() {
        let mut decoder = Decoder::new(Framing::V1, Some(300));
        let mut input = vec![4, 1, b'a', b'b', b'c', 1, 0];
        input.extend_from_slice(&[0xff, 0, 0, 0, 0, 0, 0, 1, 0x2d, 0]);
        input.extend(std::iter::repeat_n(9, 300));
        let frames = decode_all(&mut decoder, &input).unwrap();
        assert_eq!(frames.len(), 3);
        assert_eq!(frames[0].data(), b"abc");
        assert!(frames[0].more());
        assert!(frames[1].is_empty() && !frames[1].more());
        assert_eq!(frames[2].len(), 300);
        assert_eq!(decoder.decode(&[0, 0]).unwrap_err(), ProtocolError::MalformedFrame);
        let mut decoder = Decoder::new(Framing::V1, Some(300));
        assert_eq!(
            decoder.decode(&[0xff, 0, 0, 0, 0, 0, 0, 1, 0x2e, 0]).unwrap_err(),
            ProtocolError::MessageTooLarge
        );
    }
}
