//! Endpoint URIs (`transport://address`) and which transports this build serves.
//! libzmq: `socket_base.cpp` (`parse_uri`, `check_protocol`).

use core::ffi::c_int;

use crate::constants::*;
use crate::error::{Errno, Result};

/// A transport libzmq knows by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    Inproc,
    Tcp,
    Ipc,
    Udp,
    Pgm,
    Epgm,
    Tipc,
    Vmci,
    Norm,
    Ws,
    Wss,
}

impl Transport {
    fn from_name(name: &str) -> Option<Transport> {
        Some(match name {
            "inproc" => Transport::Inproc,
            "tcp" => Transport::Tcp,
            "ipc" => Transport::Ipc,
            "udp" => Transport::Udp,
            "pgm" => Transport::Pgm,
            "epgm" => Transport::Epgm,
            "tipc" => Transport::Tipc,
            "vmci" => Transport::Vmci,
            "norm" => Transport::Norm,
            "ws" => Transport::Ws,
            "wss" => Transport::Wss,
            _ => return None,
        })
    }

    /// Whether this build can bind and connect with it.
    pub fn is_available(self) -> bool {
        // wss needs TLS, which this build does not carry.
        matches!(self, Transport::Inproc | Transport::Tcp | Transport::Ipc | Transport::Udp | Transport::Ws)
    }
}

/// A parsed endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Endpoint<'a> {
    pub transport: Transport,
    pub address: &'a str,
}

/// Parses `uri` for a socket of `socket_type`: `EINVAL` for a malformed URI,
/// `EPROTONOSUPPORT` for a transport this build does not serve, `ENOCOMPATPROTO` for
/// one the socket type cannot use (udp outside RADIO/DISH/DGRAM, pgm outside
/// PUB/SUB/XPUB/XSUB).
pub fn parse(uri: &str, socket_type: c_int) -> Result<Endpoint<'_>> {
    let (name, address) = uri.split_once("://").ok_or(Errno::EINVAL)?;
    if name.is_empty() || address.is_empty() {
        return Err(Errno::EINVAL);
    }
    let transport = Transport::from_name(name).ok_or(Errno::EPROTONOSUPPORT)?;
    if !transport.is_available() {
        return Err(Errno::EPROTONOSUPPORT);
    }
    let compatible = match transport {
        Transport::Udp => matches!(socket_type, ZMQ_RADIO | ZMQ_DISH | ZMQ_DGRAM),
        Transport::Pgm | Transport::Epgm | Transport::Norm => {
            matches!(socket_type, ZMQ_PUB | ZMQ_SUB | ZMQ_XPUB | ZMQ_XSUB)
        }
        _ => true,
    };
    if !compatible {
        return Err(Errno::ENOCOMPATPROTO);
    }
    Ok(Endpoint { transport, address })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inproc_parses() {
        let endpoint = parse("inproc://a/b", ZMQ_PAIR).unwrap();
        assert_eq!(endpoint, Endpoint { transport: Transport::Inproc, address: "a/b" });
    }

    #[test]
    fn malformed_uris_are_einval() {
        for uri in ["", "inproc", "inproc:/x", "inproc://", "://x"] {
            assert_eq!(parse(uri, ZMQ_PAIR), Err(Errno::EINVAL), "{uri}");
        }
    }

    #[test]
    fn unknown_or_absent_transports_are_eprotonosupport() {
        assert_eq!(parse("carrier://pigeon", ZMQ_PAIR), Err(Errno::EPROTONOSUPPORT));
        assert_eq!(parse("pgm://eth0;239.0.0.1:5555", ZMQ_PUB), Err(Errno::EPROTONOSUPPORT));
        assert_eq!(parse("wss://127.0.0.1:5555", ZMQ_PAIR), Err(Errno::EPROTONOSUPPORT));
    }

    #[test]
    fn ws_serves_every_socket_type() {
        // libzmq restricts no socket type to or from ws.
        for socket_type in [ZMQ_PAIR, ZMQ_PUB, ZMQ_SUB, ZMQ_REQ, ZMQ_ROUTER, ZMQ_STREAM, ZMQ_RADIO, ZMQ_DISH]
        {
            let endpoint = parse("ws://127.0.0.1:5555/path", socket_type).unwrap();
            assert_eq!(endpoint, Endpoint { transport: Transport::Ws, address: "127.0.0.1:5555/path" });
        }
    }
}
