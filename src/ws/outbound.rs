//! What the ZMTP connection writes, turned into WebSocket frames as libzmq's
//! `ws_encoder` makes them: each ZMTP 3 frame becomes one final binary frame whose
//! payload is the ZWS flags byte (MORE, COMMAND) then the body; the client masks
//! every frame with a fresh key. Bodies are streamed through (masked on the way),
//! never held whole. Control frames (ping, pong, close) go out between frames.

use std::collections::VecDeque;

use super::frame::{self, Opcode};
use super::mask::MaskKeys;
use super::zmtp_header::{Parsed, Reader};

#[derive(Debug)]
enum State {
    /// Between frames (or inside a ZMTP header).
    Header,
    /// Copying `left` body bytes; `offset` is the position in the payload.
    Body { left: u64, offset: u64, mask: Option<[u8; 4]> },
}

/// Translates one connection's outgoing frames.
#[derive(Debug)]
pub(crate) struct Outbound {
    /// Present on the client's side: every frame is masked.
    keys: Option<MaskKeys>,
    reader: Reader,
    state: State,
    /// Control frames waiting for the end of the frame in progress.
    controls: VecDeque<(Opcode, Vec<u8>)>,
}

impl Outbound {
    /// For a client (`keys` to mask with) or a server (`None`).
    pub(crate) fn new(keys: Option<MaskKeys>) -> Outbound {
        Outbound { keys, reader: Reader::default(), state: State::Header, controls: VecDeque::new() }
    }

    /// Translates ZMTP bytes (a continuation of those given before) into `out`.
    pub(crate) fn translate(&mut self, mut zmtp: &[u8], out: &mut Vec<u8>) {
        while !zmtp.is_empty() {
            let used = match &mut self.state {
                State::Header => {
                    let (used, parsed) = self.reader.read(zmtp);
                    if let Some(parsed) = parsed {
                        self.start_frame(parsed, out);
                    }
                    used
                }
                State::Body { left, offset, mask } => {
                    let take = usize::try_from(*left).unwrap_or(usize::MAX).min(zmtp.len());
                    let start = out.len();
                    out.extend_from_slice(zmtp.get(..take).unwrap_or_default());
                    if let (Some(mask), Some(body)) = (*mask, out.get_mut(start..)) {
                        frame::apply_mask(body, mask, *offset);
                    }
                    *left -= take as u64;
                    *offset += take as u64;
                    if *left == 0 {
                        self.end_frame(out);
                    }
                    take
                }
            };
            zmtp = zmtp.get(used..).unwrap_or_default();
        }
    }

    /// Sends a control frame with `payload` (at most 125 bytes): now if between
    /// frames, else as soon as the frame in progress is out.
    pub(crate) fn control(&mut self, opcode: Opcode, payload: &[u8], out: &mut Vec<u8>) {
        self.controls.push_back((opcode, payload.to_vec()));
        if matches!(self.state, State::Header) && !self.reader.in_progress() {
            self.flush_controls(out);
        }
    }

    /// Whether every control frame asked for has been written.
    pub(crate) fn controls_written(&self) -> bool {
        self.controls.is_empty()
    }

    fn start_frame(&mut self, parsed: Parsed, out: &mut Vec<u8>) {
        let Parsed { more, command, size } = parsed;
        let mask = self.keys.as_mut().map(MaskKeys::next_key);
        frame::write_header(out, Opcode::Binary, size.saturating_add(1), mask);
        let mut flags = 0;
        if more {
            flags |= frame::MORE_FLAG;
        }
        if command {
            flags |= frame::COMMAND_FLAG;
        }
        if let Some(mask) = mask {
            flags ^= mask[0];
        }
        out.push(flags);
        if size == 0 {
            self.end_frame(out);
        } else {
            self.state = State::Body { left: size, offset: 1, mask };
        }
    }

    fn end_frame(&mut self, out: &mut Vec<u8>) {
        self.state = State::Header;
        self.flush_controls(out);
    }

    fn flush_controls(&mut self, out: &mut Vec<u8>) {
        while let Some((opcode, payload)) = self.controls.pop_front() {
            let mask = self.keys.as_mut().map(MaskKeys::next_key);
            frame::write_header(out, opcode, payload.len() as u64, mask);
            let start = out.len();
            out.extend_from_slice(&payload);
            if let (Some(mask), Some(body)) = (mask, out.get_mut(start..)) {
                frame::apply_mask(body, mask, 0);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ws::inbound::{Control, Inbound, Piece};
    use crate::ws::zmtp_header;

    fn zmtp_frame(more: bool, command: bool, body: &[u8]) -> Vec<u8> {
        let mut header = [0; zmtp_header::HEADER_MAX];
        let length = zmtp_header::write(&mut header, more, command, body.len() as u64);
        let mut bytes = header[..length].to_vec();
        bytes.extend_from_slice(body);
        bytes
    }

    #[test]
    fn a_server_writes_unmasked_binary_frames() {
        let mut outbound = Outbound::new(None);
        let mut out = Vec::new();
        let mut zmtp = zmtp_frame(true, false, b"ab");
        zmtp.extend(zmtp_frame(false, true, b"\x04PING"));
        zmtp.extend(zmtp_frame(false, false, b""));
        outbound.translate(&zmtp, &mut out);
        assert_eq!(out, b"\x82\x03\x01ab\x82\x06\x02\x04PING\x82\x01\x00");
        let mut large = Vec::new();
        outbound.translate(&zmtp_frame(false, false, &[9; 300]), &mut large);
        assert_eq!(&large[..5], &[0x82, 126, 0x01, 0x2d, 0x00]);
        assert_eq!(large.len(), 4 + 301);
    }

    #[test]
    fn control_frames_wait_for_the_frame_in_progress() {
        let mut outbound = Outbound::new(None);
        let mut out = Vec::new();
        let zmtp = zmtp_frame(false, false, b"body");
        outbound.translate(&zmtp[..3], &mut out);
        outbound.control(Opcode::Pong, b"", &mut out);
        assert!(!outbound.controls_written());
        outbound.translate(&zmtp[3..], &mut out);
        assert!(outbound.controls_written());
        assert_eq!(out, b"\x82\x05\x00body\x8a\x00");
        outbound.control(Opcode::Close, b"\x03\xe8", &mut out);
        assert_eq!(&out[out.len() - 4..], b"\x88\x02\x03\xe8");
        // Half a ZMTP header is a frame in progress too.
        let mut out = Vec::new();
        outbound.translate(&[0x02, 0, 0], &mut out);
        outbound.control(Opcode::Ping, b"", &mut out);
        assert!(out.is_empty());
    }

    #[test]
    fn a_client_masks_what_a_server_unmasks() {
        let mut outbound = Outbound::new(Some(MaskKeys::from_seed(7)));
        let mut out = Vec::new();
        let messages: [&[u8]; 3] = [b"hello", &[0xaa; 70000], b""];
        for (index, body) in messages.iter().enumerate() {
            outbound.translate(&zmtp_frame(index == 0, false, body), &mut out);
        }
        outbound.control(Opcode::Ping, b"", &mut out);
        let mut inbound = Inbound::new(true);
        let mut zmtp = Vec::new();
        let mut controls = Vec::new();
        inbound
            .process(&mut out, |piece| {
                match piece {
                    Piece::Zmtp(bytes) => zmtp.extend_from_slice(bytes),
                    Piece::Control(control) => controls.push(control),
                }
                Ok::<(), frame::FrameError>(())
            })
            .unwrap();
        let expected: Vec<u8> = messages
            .iter()
            .enumerate()
            .flat_map(|(index, body)| zmtp_frame(index == 0, false, body))
            .collect();
        assert_eq!(zmtp, expected);
        assert_eq!(controls, [Control::Ping]);
    }
}
