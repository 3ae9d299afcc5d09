//! CURVE's message path (spec 26 "MESSAGE", libzmq's `curve_encoding_t`): after
//! the handshake every message part, commands included (PING, PONG, SUBSCRIBE,
//! CANCEL), travels as one frame
//!
//! ```text
//! "\x07MESSAGE" nonce(8, big-endian) tag(16) box[flags(1) body]
//! ```
//!
//! where `flags` holds MORE (bit 0) and COMMAND (bit 1) and the frame itself carries
//! no flags, as libzmq 4.3 sends it. The full nonce is "CurveZMQMESSAGEC" (client to
//! server) or "CurveZMQMESSAGES" (server to client) followed by the short nonce,
//! which must grow strictly from frame to frame: a replayed or reordered frame fails
//! the connection.
//!
//! Encoding writes straight into the output buffer and encrypts there; decoding
//! decrypts inside the received frame and narrows the message to the plaintext, so
//! neither allocates per message.

use super::crypto::{self, BoxKey, TAG_SIZE};
use crate::msg::{Flags, Msg};
use crate::zmtp::command;
use crate::zmtp::error::ProtocolError;
use crate::zmtp::frame;
use crate::zmtp::mechanism::{check_command_structure, Codec};

/// The flags byte inside the box.
const MORE: u8 = 1;
const COMMAND: u8 = 2;
/// Name and short nonce in front of the box.
const HEADER_SIZE: usize = 8 + 8;
/// The smallest MESSAGE: header, tag, flags.
const MIN_SIZE: usize = HEADER_SIZE + TAG_SIZE + 1;

/// Encrypts outgoing and decrypts incoming message parts of one connection.
#[derive(Debug)]
pub(crate) struct MessageCodec {
    key: BoxKey,
    encode_prefix: &'static [u8; 16],
    decode_prefix: &'static [u8; 16],
    /// The short nonce of our next MESSAGE.
    next_nonce: u64,
    /// The peer's last short nonce (of its last MESSAGE, or of its last handshake
    /// command); the next must be larger.
    peer_nonce: u64,
}

impl MessageCodec {
    pub(crate) fn new(
        key: BoxKey,
        encode_prefix: &'static [u8; 16],
        decode_prefix: &'static [u8; 16],
        next_nonce: u64,
        peer_nonce: u64,
    ) -> MessageCodec {
        MessageCodec { key, encode_prefix, decode_prefix, next_nonce, peer_nonce }
    }
}

impl Codec for MessageCodec {
    fn encode(
        &mut self,
        out: &mut Vec<u8>,
        more: bool,
        command: bool,
        prefix: &[u8],
        body: &[u8],
    ) -> Result<(), ProtocolError> {
        let short_nonce = self.next_nonce.to_be_bytes();
        let nonce = crypto::nonce(self.encode_prefix, &short_nonce);
        let start = out.len();
        frame::write_header(out, false, false, MIN_SIZE + prefix.len() + body.len());
        out.extend_from_slice(command::MESSAGE);
        out.extend_from_slice(&short_nonce);
        let tag_at = out.len();
        out.extend_from_slice(&[0; TAG_SIZE]);
        let plaintext_at = out.len();
        out.push((u8::from(more) * MORE) | (u8::from(command) * COMMAND));
        out.extend_from_slice(prefix);
        out.extend_from_slice(body);
        match self.key.seal_in_place(&nonce, &mut out[plaintext_at..]) {
            Ok(tag) => {
                out[tag_at..plaintext_at].copy_from_slice(&tag);
                // Never reused: 2^64 messages cannot be sent.
                self.next_nonce = self.next_nonce.wrapping_add(1);
                Ok(())
            }
            Err(error) => {
                // No plaintext may stay in the output.
                out.truncate(start);
                Err(error)
            }
        }
    }

    /// libzmq's order of checks: command structure, the MESSAGE name, the size,
    /// the nonce, then the box.
    fn decode(&mut self, mut frame: Msg) -> Result<Msg, ProtocolError> {
        let data = frame.data();
        check_command_structure(data)?;
        if !data.starts_with(command::MESSAGE) {
            return Err(ProtocolError::UnexpectedCommand);
        }
        if data.len() < MIN_SIZE {
            return Err(ProtocolError::MalformedMessage);
        }
        let mut short_nonce = [0; 8];
        short_nonce.copy_from_slice(&data[command::MESSAGE.len()..HEADER_SIZE]);
        let nonce_value = u64::from_be_bytes(short_nonce);
        if nonce_value <= self.peer_nonce {
            return Err(ProtocolError::InvalidSequence);
        }
        let nonce = crypto::nonce(self.decode_prefix, &short_nonce);
        let mut tag = [0; TAG_SIZE];
        tag.copy_from_slice(&data[HEADER_SIZE..HEADER_SIZE + TAG_SIZE]);
        let size = data.len();
        if frame.data_mut().is_none() {
            // Shared bytes are never written: decrypt a private copy.
            let mut copy = Msg::from_slice(frame.data()).map_err(|_| ProtocolError::OutOfMemory)?;
            copy.set_more(frame.more());
            copy.set_flag(Flags::COMMAND, frame.flags().contains(Flags::COMMAND));
            frame = copy;
        }
        let boxed = frame
            .data_mut()
            .and_then(|data| data.get_mut(HEADER_SIZE + TAG_SIZE..))
            .ok_or(ProtocolError::Cryptographic)?;
        self.key.open_in_place(&nonce, &tag, boxed)?;
        let flags = boxed.first().copied().unwrap_or_default();
        self.peer_nonce = nonce_value;
        frame.narrow(MIN_SIZE, size);
        // libzmq ORs the inner flags onto the frame's own.
        if flags & MORE != 0 {
            frame.set_more(true);
        }
        if flags & COMMAND != 0 {
            frame.set_flag(Flags::COMMAND, true);
        }
        Ok(frame)
    }
}
