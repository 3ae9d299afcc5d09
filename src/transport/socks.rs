//! The SOCKS5 client handshake (RFC 1928, with RFC 1929's username/password) that a
//! tcp connect makes through the proxy of `ZMQ_SOCKS_PROXY`, as libzmq's
//! `socks_connecter`: a greeting offering one method (no authentication, or
//! username/password when `ZMQ_SOCKS_USERNAME` is not empty), the credentials if the
//! proxy picks that method, then CONNECT to the target's host (an IPv4 or IPv6
//! address, or a name for the proxy to resolve) and port. Once the proxy says it
//! succeeded, the connection is the target's.
//!
//! Sans-IO: [`Handshake`] says what to send and how many bytes it needs next, so
//! that nothing after the proxy's last reply (the peer's first bytes) is read here.

use std::net::IpAddr;

use crate::error::{Errno, Result};

const VERSION: u8 = 5;
const NO_AUTHENTICATION: u8 = 0;
const USERNAME_PASSWORD: u8 = 2;
const NO_ACCEPTABLE_METHOD: u8 = 0xff;
/// The version byte of the username/password sub-negotiation (RFC 1929).
const AUTH_VERSION: u8 = 1;
const CONNECT: u8 = 1;
const ATYP_IPV4: u8 = 1;
const ATYP_DOMAIN: u8 = 3;
const ATYP_IPV6: u8 = 4;

/// Why the proxy did not connect us.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SocksError {
    /// A reply that is not SOCKS5 (wrong version, unknown address type).
    Malformed,
    /// The proxy accepts none of the methods offered.
    NoAcceptableMethod,
    /// The proxy refused the username and password.
    AuthenticationFailed,
    /// The proxy could not connect to the target: its reply code (RFC 1928 §6).
    ConnectFailed(u8),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    /// Waiting for the method the proxy chose.
    MethodChoice,
    /// Waiting for the verdict on our credentials.
    AuthReply,
    /// Waiting for the reply to CONNECT.
    ConnectReply,
    Done,
}

/// One SOCKS5 client handshake.
#[derive(Debug)]
pub struct Handshake {
    step: Step,
    output: Vec<u8>,
    /// The current reply's bytes so far.
    input: Vec<u8>,
    credentials: Option<(Vec<u8>, Vec<u8>)>,
    request: Vec<u8>,
}

impl Handshake {
    /// A handshake to reach `target` (`host:port`, the host bracketed or not when an
    /// IPv6 address, as `zmq_connect` takes it). Credentials are used when `username`
    /// is not empty. `EINVAL` for a target without a port (or port 0), or a host name,
    /// username or password longer than 255 bytes.
    pub fn new(target: &str, username: &[u8], password: &[u8]) -> Result<Handshake> {
        let request = connect_request(target)?;
        let credentials = if username.is_empty() {
            None
        } else {
            if username.len() > 255 || password.len() > 255 {
                return Err(Errno::EINVAL);
            }
            Some((username.to_vec(), password.to_vec()))
        };
        let method = if credentials.is_some() { USERNAME_PASSWORD } else { NO_AUTHENTICATION };
        Ok(Handshake {
            step: Step::MethodChoice,
            output: vec![VERSION, 1, method],
            input: Vec::new(),
            credentials,
            request,
        })
    }

    /// Bytes to send to the proxy.
    pub fn pending_output(&self) -> &[u8] {
        &self.output
    }

    /// `n` bytes of the pending output were sent.
    pub fn consume(&mut self, n: usize) {
        self.output.drain(..n.min(self.output.len()));
    }

    /// How many more bytes the current reply needs at least (0 once done): read no
    /// more than this, so nothing of the peer's is taken.
    pub fn wanted(&self) -> usize {
        let total = match self.step {
            Step::MethodChoice | Step::AuthReply => 2,
            Step::Done => return 0,
            Step::ConnectReply => match self.input.get(3) {
                None => 5,
                // Header, address, port.
                Some(&ATYP_IPV4) => 4 + 4 + 2,
                Some(&ATYP_IPV6) => 4 + 16 + 2,
                Some(_) => match self.input.get(4) {
                    Some(&length) => 5 + usize::from(length) + 2,
                    None => 5,
                },
            },
        };
        total.saturating_sub(self.input.len())
    }

    /// Whether the proxy has connected us to the target.
    pub fn is_done(&self) -> bool {
        self.step == Step::Done
    }

    /// Takes bytes from the proxy (at most [`Handshake::wanted`]; more are left
    /// unread and reported as used).
    pub fn received(&mut self, bytes: &[u8]) -> core::result::Result<usize, SocksError> {
        let take = bytes.len().min(self.wanted());
        self.input.extend_from_slice(&bytes[..take]);
        if self.step == Step::ConnectReply && self.input.len() >= 4 {
            let known = [ATYP_IPV4, ATYP_DOMAIN, ATYP_IPV6];
            if self.input[0] != VERSION || !known.contains(&self.input[3]) {
                return Err(SocksError::Malformed);
            }
        }
        if self.wanted() == 0 && self.step != Step::Done {
            self.reply_complete()?;
        }
        Ok(take)
    }

    fn reply_complete(&mut self) -> core::result::Result<(), SocksError> {
        let reply = std::mem::take(&mut self.input);
        match self.step {
            Step::MethodChoice => {
                if reply[0] != VERSION {
                    return Err(SocksError::Malformed);
                }
                match (reply[1], &self.credentials) {
                    (NO_AUTHENTICATION, _) => self.send_request(),
                    (USERNAME_PASSWORD, Some((username, password))) => {
                        self.output.push(AUTH_VERSION);
                        for field in [username, password] {
                            // Both at most 255 bytes (checked in `new`).
                            self.output.push(field.len() as u8);
                            self.output.extend_from_slice(field);
                        }
                        self.step = Step::AuthReply;
                    }
                    (NO_ACCEPTABLE_METHOD, _) => return Err(SocksError::NoAcceptableMethod),
                    _ => return Err(SocksError::Malformed),
                }
            }
            Step::AuthReply => {
                if reply[0] != AUTH_VERSION {
                    return Err(SocksError::Malformed);
                }
                if reply[1] != 0 {
                    return Err(SocksError::AuthenticationFailed);
                }
                self.send_request();
            }
            Step::ConnectReply => {
                if reply[1] != 0 {
                    return Err(SocksError::ConnectFailed(reply[1]));
                }
                self.step = Step::Done;
            }
            Step::Done => {}
        }
        Ok(())
    }

    fn send_request(&mut self) {
        self.output.extend_from_slice(&self.request);
        self.step = Step::ConnectReply;
    }
}

/// The CONNECT request for `host:port`: a numeric host as an address, any other as
/// a name the proxy resolves (libzmq's `socks_request_encoder_t`).
fn connect_request(target: &str) -> Result<Vec<u8>> {
    let (host, port) = target.rsplit_once(':').ok_or(Errno::EINVAL)?;
    let host = host.strip_prefix('[').and_then(|inner| inner.strip_suffix(']')).unwrap_or(host);
    let port: u16 = port.parse().map_err(|_| Errno::EINVAL)?;
    if port == 0 {
        return Err(Errno::EINVAL);
    }
    let mut request = vec![VERSION, CONNECT, 0];
    match host.parse::<IpAddr>() {
        Ok(IpAddr::V4(address)) => {
            request.push(ATYP_IPV4);
            request.extend_from_slice(&address.octets());
        }
        Ok(IpAddr::V6(address)) => {
            request.push(ATYP_IPV6);
            request.extend_from_slice(&address.octets());
        }
        Err(_) => {
            let length = u8::try_from(host.len()).map_err(|_| Errno::EINVAL)?;
            request.extend_from_slice(&[ATYP_DOMAIN, length]);
            request.extend_from_slice(host.as_bytes());
        }
    }
    request.extend_from_slice(&port.to_be_bytes());
    Ok(request)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Feeds `reply` one byte at a time, as a slow proxy would.
    fn feed(handshake: &mut Handshake, reply: &[u8]) -> core::result::Result<(), SocksError> {
        for byte in reply {
            assert!(handshake.wanted() > 0, "reads no more than the reply");
            assert_eq!(handshake.received(&[*byte])?, 1);
        }
        Ok(())
    }

    fn take_output(handshake: &mut Handshake) -> Vec<u8> {
        let output = handshake.pending_output().to_vec();
        handshake.consume(output.len());
        output
    }

    #[test]
    fn without_credentials_it_connects_to_an_ipv4_target() {
        let mut handshake = Handshake::new("127.0.0.1:5555", b"", b"").unwrap();
        assert_eq!(take_output(&mut handshake), [5, 1, 0]);
        feed(&mut handshake, &[5, 0]).unwrap();
        assert_eq!(take_output(&mut handshake), [5, 1, 0, 1, 127, 0, 0, 1, 0x15, 0xb3]);
        feed(&mut handshake, &[5, 0, 0, 1, 10, 0, 0, 1, 0x12, 0x34]).unwrap();
        assert!(handshake.is_done());
        assert_eq!(handshake.wanted(), 0);
        assert_eq!(handshake.received(b"peer bytes"), Ok(0), "the peer's bytes are not taken");
    }

    #[test]
    fn names_go_to_the_proxy_to_resolve_and_ipv6_as_an_address() {
        let mut named = Handshake::new("somedomainname.org:80", b"", b"").unwrap();
        take_output(&mut named);
        feed(&mut named, &[5, 0]).unwrap();
        let request = take_output(&mut named);
        assert_eq!(&request[..5], [5, 1, 0, 3, 18]);
        assert_eq!(&request[5..23], b"somedomainname.org");
        assert_eq!(&request[23..], [0, 80]);
        // A reply naming the bound host by name.
        feed(&mut named, &[5, 0, 0, 3, 9]).unwrap();
        feed(&mut named, b"localhost").unwrap();
        feed(&mut named, &[0, 1]).unwrap();
        assert!(named.is_done());

        for target in ["::1:9000", "[::1]:9000"] {
            let mut v6 = Handshake::new(target, b"", b"").unwrap();
            take_output(&mut v6);
            feed(&mut v6, &[5, 0]).unwrap();
            let request = take_output(&mut v6);
            assert_eq!(request[3], 4);
            assert_eq!(request[4..20], std::net::Ipv6Addr::LOCALHOST.octets());
            assert_eq!(&request[20..], [0x23, 0x28]);
        }
    }

    #[test]
    fn credentials_are_offered_and_their_refusal_is_an_error() {
        let mut handshake = Handshake::new("127.0.0.1:1", b"someuser", b"").unwrap();
        assert_eq!(take_output(&mut handshake), [5, 1, 2]);
        feed(&mut handshake, &[5, 2]).unwrap();
        assert_eq!(take_output(&mut handshake), [[1, 8].as_slice(), b"someuser", &[0]].concat());
        assert_eq!(feed(&mut handshake, &[1, 1]), Err(SocksError::AuthenticationFailed));

        let mut accepted = Handshake::new("127.0.0.1:1", b"u", b"p").unwrap();
        take_output(&mut accepted);
        feed(&mut accepted, &[5, 2]).unwrap();
        take_output(&mut accepted);
        feed(&mut accepted, &[1, 0]).unwrap();
        assert_eq!(take_output(&mut accepted)[..4], [5, 1, 0, 1]);
    }

    #[test]
    fn refusals_and_garbage_end_the_handshake() {
        let mut refused = Handshake::new("127.0.0.1:1", b"", b"").unwrap();
        assert_eq!(feed(&mut refused, &[5, 0xff]), Err(SocksError::NoAcceptableMethod));
        let mut unreachable = Handshake::new("127.0.0.1:1", b"", b"").unwrap();
        feed(&mut unreachable, &[5, 0]).unwrap();
        assert_eq!(
            feed(&mut unreachable, &[5, 4, 0, 1, 0, 0, 0, 0, 0, 0]),
            Err(SocksError::ConnectFailed(4))
        );
        let mut garbage = Handshake::new("127.0.0.1:1", b"", b"").unwrap();
        feed(&mut garbage, &[5, 0]).unwrap();
        assert_eq!(feed(&mut garbage, &[5, 0, 0, 9]), Err(SocksError::Malformed));
        let mut not_socks = Handshake::new("127.0.0.1:1", b"", b"").unwrap();
        assert_eq!(feed(&mut not_socks, b"HT"), Err(SocksError::Malformed));
        // A method we did not offer.
        let mut unasked = Handshake::new("127.0.0.1:1", b"", b"").unwrap();
        assert_eq!(feed(&mut unasked, &[5, 2]), Err(SocksError::Malformed));
    }

    #[test]
    fn bad_targets_and_oversized_credentials_are_einval() {
        assert_eq!(Handshake::new("127.0.0.1", b"", b"").err(), Some(Errno::EINVAL));
        assert_eq!(Handshake::new("127.0.0.1:0", b"", b"").err(), Some(Errno::EINVAL));
        assert_eq!(Handshake::new(&format!("{}:1", "h".repeat(256)), b"", b"").err(), Some(Errno::EINVAL));
        assert_eq!(Handshake::new("127.0.0.1:1", &[b'u'; 256], b"").err(), Some(Errno::EINVAL));
    }
}
