//! Security mechanisms: ZMTP 3.0 "Security Handshake" (spec 23). After the greeting,
//! each peer runs the mechanism named in the greetings (both must name the same one)
//! as a state machine of command frames, until it is ready for messages.
//!
//! Only NULL exists today; PLAIN and CURVE (spec 24, 26) fit the same trait: they
//! produce commands to send when they have them, consume the peer's, and say when
//! they are done. (CURVE will also need per-message encode/decode hooks.)

mod null;

use super::error::ProtocolError;
use super::greeting::MECHANISM_NAME_SIZE;
use super::Config;

/// One side of a security handshake.
pub(crate) trait Mechanism: core::fmt::Debug + Send {
    /// The body of the next command to send now, if there is one.
    fn next_handshake_command(&mut self) -> Option<Vec<u8>>;

    /// Handles a frame the peer sent during the handshake.
    fn process_handshake_command(&mut self, body: &[u8]) -> Result<(), ProtocolError>;

    /// Whether the handshake is complete: messages may flow.
    fn is_ready(&self) -> bool;

    /// The properties the peer declared, in the order sent (the first of duplicate
    /// names kept, as libzmq's property map does).
    fn peer_properties(&self) -> &[(String, Vec<u8>)];
}

/// Which mechanism a connection runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Null,
}

impl Kind {
    /// The name as the greeting carries it: zero-padded to 20 bytes.
    pub(crate) fn padded_name(self) -> [u8; MECHANISM_NAME_SIZE] {
        let name: &[u8] = match self {
            Kind::Null => b"NULL",
        };
        let mut padded = [0; MECHANISM_NAME_SIZE];
        if let Some(start) = padded.get_mut(..name.len()) {
            start.copy_from_slice(name);
        }
        padded
    }

    pub(crate) fn create(self, config: &Config) -> Box<dyn Mechanism> {
        match self {
            Kind::Null => Box::new(null::Null::new(config)),
        }
    }
}
