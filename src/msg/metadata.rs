//! Connection properties attached to received messages, read with `zmq_msg_gets`:
//! `Socket-Type`, `Routing-Id` (alias `Identity`), `User-Id`, `Peer-Address` and any
//! application metadata (ZMQ_METADATA, ZAP). libzmq: `metadata.cpp`.

use std::collections::BTreeMap;
use std::ffi::{CStr, CString};

/// An immutable property set, shared (`Arc`) by every message from one connection.
/// A map: a peer may send hundreds of thousands of properties in one handshake.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Metadata {
    properties: BTreeMap<Vec<u8>, CString>,
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
        self.properties.insert(name.as_bytes().to_vec(), c_value(value));
    }

    /// Adds a property unless one of that name is there already (the first of
    /// duplicates wins, as in libzmq's map); whether it was added.
    pub fn insert_new(&mut self, name: &str, value: &[u8]) -> bool {
        match self.properties.entry(name.as_bytes().to_vec()) {
            std::collections::btree_map::Entry::Occupied(_) => false,
            std::collections::btree_map::Entry::Vacant(entry) => {
                entry.insert(c_value(value));
                true
            }
        }
    }

    /// The value of `name` (exact, case-sensitive match; the deprecated name
    /// `Identity` reads `Routing-Id`).
    pub fn get(&self, name: &[u8]) -> Option<&CStr> {
        let found = self.properties.get(name).map(CString::as_c_str);
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

/// A value as a C reader sees it: cut at its first NUL.
fn c_value(value: &[u8]) -> CString {
    let end = value.iter().position(|&b| b == 0).unwrap_or(value.len());
    CString::new(&value[..end]).unwrap_or_default()
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
        assert!(!metadata.insert_new("X", b"three"));
        assert!(metadata.insert_new("Y", b"four"));
        assert_eq!(metadata.get(b"X").unwrap().to_bytes(), b"two");
        assert_eq!(metadata.get(b"Y").unwrap().to_bytes(), b"four");
    }
}
