//! Connection properties attached to received messages, read with `zmq_msg_gets`:
//! `Socket-Type`, `Routing-Id` (alias `Identity`), `User-Id`, `Peer-Address` and any
//! application metadata (ZMQ_METADATA, ZAP). libzmq: `metadata.cpp`.

use std::ffi::{CStr, CString};

/// An immutable property set, shared (`Arc`) by every message from one connection.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Metadata {
    properties: Vec<(String, CString)>,
    /// The descriptor of the connection (the deprecated `ZMQ_SRCFD`); not a property.
    source_fd: Option<i32>,
}

impl Metadata {
    pub fn new() -> Metadata {
        Metadata::default()
    }

    /// Records the descriptor the connection's messages arrive on.
    pub fn set_source_fd(&mut self, fd: Option<i32>) {
        self.source_fd = fd;
    }

    /// The descriptor the connection's messages arrive on (`ZMQ_SRCFD`).
    pub fn source_fd(&self) -> Option<i32> {
        self.source_fd
    }

    /// Adds or replaces a property. Values containing NUL are cut at the first NUL,
    /// as a C reader would see them.
    pub fn insert(&mut self, name: &str, value: &[u8]) {
        let end = value.iter().position(|&b| b == 0).unwrap_or(value.len());
        let value = CString::new(&value[..end]).unwrap_or_default();
        match self.properties.iter_mut().find(|(key, _)| key == name) {
            Some((_, existing)) => *existing = value,
            None => self.properties.push((name.to_owned(), value)),
        }
    }

    /// The value of `name` (exact, case-sensitive match; the deprecated name
    /// `Identity` reads `Routing-Id`).
    pub fn get(&self, name: &[u8]) -> Option<&CStr> {
        let found =
            self.properties.iter().find(|(key, _)| key.as_bytes() == name).map(|(_, value)| value.as_c_str());
        match found {
            None if name == b"Identity" => self.get(b"Routing-Id"),
            found => found,
        }
    }

    pub fn len(&self) -> usize {
        self.properties.len()
    }

    pub fn is_empty(&self) -> bool {
        self.properties.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookup_is_exact_and_identity_aliases_routing_id() {
        let mut metadata = Metadata::new();
        metadata.insert("Socket-Type", b"DEALER");
        metadata.insert("Routing-Id", b"abc");
        assert_eq!(metadata.get(b"Socket-Type").unwrap().to_bytes(), b"DEALER");
        assert_eq!(metadata.get(b"socket-type"), None);
        assert_eq!(metadata.get(b"Identity").unwrap().to_bytes(), b"abc");
        assert_eq!(metadata.get(b"User-Id"), None);
    }

    #[test]
    fn insert_replaces_and_cuts_at_nul() {
        let mut metadata = Metadata::new();
        metadata.insert("X", b"one");
        metadata.insert("X", b"two\0three");
        assert_eq!(metadata.len(), 1);
        assert_eq!(metadata.get(b"X").unwrap().to_bytes(), b"two");
    }
}
