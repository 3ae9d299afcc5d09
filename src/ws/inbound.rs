//! The peer's WebSocket frames, turned into what the ZMTP connection reads: each
//! binary frame becomes one ZMTP 3 frame (its first payload byte, the ZWS flags,
//! becomes the ZMTP header with the same MORE and COMMAND bits), streamed through
//! as it arrives and unmasked in place, so a large frame is never held here.
//! Control frames (ping, pong, close) are collected whole (at most 125 bytes) and
//! handed over separately.

use super::frame::{self, FrameError, Header, HeaderDecoder, Opcode};
use super::zmtp_header;

/// A piece of translated input.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Piece<'a> {
    /// ZMTP bytes, in order: headers and bodies of frames.
    Zmtp(&'a [u8]),
    /// A complete control frame.
    Control(Control),
}

/// A control frame the peer sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Control {
    Ping,
    Pong,
    /// With its payload (status code and reason), unmasked.
    Close(Vec<u8>),
}

#[derive(Debug)]
enum State {
    Header,
    /// A binary frame's flags byte is next; `length` counts it.
    Flags {
        length: u64,
        mask: Option<[u8; 4]>,
    },
    /// Passing `left` body bytes through; `offset` is the position in the payload
    /// (for the mask).
    Body {
        left: u64,
        offset: u64,
        mask: Option<[u8; 4]>,
    },
    /// Collecting a control frame's payload.
    Control {
        opcode: Opcode,
        length: u64,
        mask: Option<[u8; 4]>,
        payload: Vec<u8>,
    },
}

/// Translates one connection's incoming frames.
#[derive(Debug)]
pub(crate) struct Inbound {
    header: HeaderDecoder,
    state: State,
}

impl Inbound {
    /// Frames from a client (`masked`, we are the server) or from a server.
    pub(crate) fn new(masked: bool) -> Inbound {
        Inbound { header: HeaderDecoder::new(masked), state: State::Header }
    }

    /// Translates `input` (unmasking it in place), handing each piece to `sink` in
    /// order. Stops at the first error, from the frames or from `sink`.
    pub(crate) fn process<E: From<FrameError>>(
        &mut self,
        input: &mut [u8],
        mut sink: impl FnMut(Piece<'_>) -> Result<(), E>,
    ) -> Result<(), E> {
        let mut rest = input;
        while !rest.is_empty() {
            let used = match &mut self.state {
                State::Header => {
                    let (used, header) = self.header.decode(rest)?;
                    if let Some(header) = header {
                        self.state = self.start_frame(header, &mut sink)?;
                    }
                    used
                }
                State::Flags { length, mask } => {
                    let (length, mask) = (*length, *mask);
                    let mut flags = rest.first().copied().unwrap_or_default();
                    if let Some(mask) = mask {
                        flags ^= mask[0];
                    }
                    let size = length.saturating_sub(1);
                    let mut header = [0; zmtp_header::HEADER_MAX];
                    let more = flags & frame::MORE_FLAG != 0;
                    let command = flags & frame::COMMAND_FLAG != 0;
                    let written = zmtp_header::write(&mut header, more, command, size);
                    sink(Piece::Zmtp(header.get(..written).unwrap_or_default()))?;
                    self.state =
                        if size == 0 { State::Header } else { State::Body { left: size, offset: 1, mask } };
                    1
                }
                State::Body { left, offset, mask } => {
                    let take = usize::try_from(*left).unwrap_or(usize::MAX).min(rest.len());
                    let body = rest.get_mut(..take).unwrap_or_default();
                    if let Some(mask) = *mask {
                        frame::apply_mask(body, mask, *offset);
                    }
                    *left -= take as u64;
                    *offset += take as u64;
                    let done = *left == 0;
                    sink(Piece::Zmtp(body))?;
                    if done {
                        self.state = State::Header;
                    }
                    take
                }
                State::Control { opcode, length, mask, payload } => {
                    let wanted = usize::try_from(*length).unwrap_or(usize::MAX) - payload.len();
                    let take = wanted.min(rest.len());
                    payload.extend_from_slice(rest.get(..take).unwrap_or_default());
                    if payload.len() as u64 == *length {
                        if let Some(mask) = *mask {
                            frame::apply_mask(payload, mask, 0);
                        }
                        let control = control(*opcode, core::mem::take(payload));
                        self.state = State::Header;
                        sink(Piece::Control(control))?;
                    }
                    take
                }
            };
            rest = rest.get_mut(used..).unwrap_or_default();
        }
        Ok(())
    }

    /// What follows a complete header.
    fn start_frame<E>(
        &mut self,
        header: Header,
        sink: &mut impl FnMut(Piece<'_>) -> Result<(), E>,
    ) -> Result<State, E> {
        let Header { opcode, length, mask } = header;
        Ok(match opcode {
            Opcode::Binary => State::Flags { length, mask },
            _ if length == 0 => {
                sink(Piece::Control(control(opcode, Vec::new())))?;
                State::Header
            }
            _ => State::Control { opcode, length, mask, payload: Vec::with_capacity(length as usize) },
        })
    }
}

fn control(opcode: Opcode, payload: Vec<u8>) -> Control {
    match opcode {
        Opcode::Ping => Control::Ping,
        Opcode::Pong => Control::Pong,
        // Binary frames never get here.
        Opcode::Close | Opcode::Binary => Control::Close(payload),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq, Eq)]
    enum Out {
        Zmtp(Vec<u8>),
        Control(Control),
    }

    /// Feeds `input` in pieces of `chunk` bytes; ZMTP bytes are joined.
    fn run(masked: bool, input: &[u8], chunk: usize) -> (Vec<Out>, Result<(), FrameError>) {
        let mut inbound = Inbound::new(masked);
        let mut out: Vec<Out> = Vec::new();
        let mut result = Ok(());
        for piece in input.chunks(chunk) {
            let mut piece = piece.to_vec();
            result = inbound.process(&mut piece, |piece| {
                match (piece, out.last_mut()) {
                    (Piece::Zmtp(bytes), Some(Out::Zmtp(joined))) => joined.extend_from_slice(bytes),
                    (Piece::Zmtp(bytes), _) => out.push(Out::Zmtp(bytes.to_vec())),
                    (Piece::Control(control), _) => out.push(Out::Control(control)),
                }
                Ok::<(), FrameError>(())
            });
            if result.is_err() {
                break;
            }
        }
        (out, result)
    }

    fn binary(flags: u8, body: &[u8], mask: Option<[u8; 4]>) -> Vec<u8> {
        let mut bytes = Vec::new();
        frame::write_header(&mut bytes, Opcode::Binary, body.len() as u64 + 1, mask);
        let start = bytes.len();
        bytes.push(flags);
        bytes.extend_from_slice(body);
        if let Some(mask) = mask {
            frame::apply_mask(&mut bytes[start..], mask, 0);
        }
        bytes
    }

    #[test]
    fn binary_frames_become_zmtp_frames() {
        let mask = Some([0x11, 0x22, 0x33, 0x44]);
        let mut input = binary(0x01, b"first", mask);
        input.extend(binary(0x00, b"", mask));
        input.extend(binary(0x02, b"\x05READY", mask));
        input.extend(binary(0x00, &[7; 300], mask));
        let mut expected = b"\x01\x05first\x00\x00\x04\x06\x05READY\x02".to_vec();
        expected.extend_from_slice(&300u64.to_be_bytes());
        expected.extend_from_slice(&[7; 300]);
        for chunk in [1, 2, 3, 7, 1000] {
            let (out, result) = run(true, &input, chunk);
            assert_eq!(result, Ok(()));
            assert_eq!(out, [Out::Zmtp(expected.clone())], "chunks of {chunk}");
        }
        let (out, _) = run(false, &binary(0x03, b"x", None), 5);
        assert_eq!(out, [Out::Zmtp(b"\x05\x01x".to_vec())]);
    }

    #[test]
    fn control_frames_come_whole_and_between_messages() {
        let mut input = vec![0x89, 0x00];
        input.extend([0x8a, 0x03, 1, 2, 3]);
        input.extend(binary(0x00, b"m", None));
        input.extend([0x88, 0x02, 0x03, 0xe8]);
        for chunk in [1, 4, 100] {
            let (out, result) = run(false, &input, chunk);
            assert_eq!(result, Ok(()));
            assert_eq!(
                out,
                [
                    Out::Control(Control::Ping),
                    Out::Control(Control::Pong),
                    Out::Zmtp(b"\x00\x01m".to_vec()),
                    Out::Control(Control::Close(vec![0x03, 0xe8])),
                ]
            );
        }
        let mut masked = vec![0x88, 0x82, 9, 8, 7, 6];
        masked.extend([0x03 ^ 9, 0xe8 ^ 8]);
        assert_eq!(run(true, &masked, 1).0, [Out::Control(Control::Close(vec![0x03, 0xe8]))]);
    }

    #[test]
    fn bad_frames_stop_the_translation() {
        let (out, result) = run(false, &[0x82, 0x02, 0x00, b'a', 0x81, 0x01, b'x'], 100);
        assert_eq!(out, [Out::Zmtp(b"\x00\x01a".to_vec())]);
        assert_eq!(result, Err(FrameError::UnsupportedOpcode(1)));
        assert_eq!(run(true, &[0x82, 0x01, 0x00], 1).1, Err(FrameError::WrongMasking));
        // A huge announced body is only a number: nothing is reserved for it.
        let mut huge = vec![0x82, 127];
        huge.extend_from_slice(&u64::MAX.to_be_bytes());
        huge.push(0);
        let (out, result) = run(false, &huge, 3);
        assert_eq!(result, Ok(()));
        let mut header = vec![0x02];
        header.extend_from_slice(&(u64::MAX - 1).to_be_bytes());
        assert_eq!(out, [Out::Zmtp(header)]);
    }
}
