//! ZWS 2.0 (RFC 45), ZeroMQ over WebSocket, the ws:// transport, as a sans-IO
//! state machine like [`crate::zmtp`]: bytes in, events and bytes out, time passed
//! in. libzmq's draft `ws_engine`, `ws_encoder` and `ws_decoder` are the reference
//! where RFC 45 and RFC 6455 leave room.
//!
//! A connection opens with an HTTP/1.1 upgrade (`handshake`, reading heads with
//! `http`, keys with `base64` and SHA-1) that also picks the security mechanism
//! (`Sec-WebSocket-Protocol: ZWS2.0/NULL`, ...). Then the ZMTP connection runs
//! without a greeting, and each of its frames travels as one WebSocket binary frame
//! whose first byte holds MORE and COMMAND: `inbound` and `outbound` translate the
//! two framings as bytes stream through (`frame` and `zmtp_header` are the two
//! header formats, `mask` the client's masking keys), so large messages are never
//! held twice. `heartbeat` sends WebSocket pings. [`WsConnection`] ties them
//! together.

mod base64;
mod connection;
mod frame;
mod handshake;
mod heartbeat;
mod http;
mod inbound;
mod mask;
mod outbound;
mod zmtp_header;

pub use connection::{Role, WsConnection};
pub use handshake::{accept_key, Subprotocol};

#[cfg(test)]
mod tests;
