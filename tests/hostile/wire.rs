//! Hand-made ZMTP: greetings, frames, NULL handshakes (either side), and a CurveZMQ
//! client built from `crypto_box` that can put anything in its INITIATE.

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use crypto_box::aead::generic_array::GenericArray;
use crypto_box::aead::Aead;
use crypto_box::{PublicKey, SalsaBox, SecretKey};
use zmq::constants::*;
use zmq::{Context, Errno, Msg};

use crate::engine::{int, socket};

/// A ZMTP 3.x greeting for `mechanism`.
pub fn greeting(minor: u8, mechanism: &[u8], as_server: bool) -> Vec<u8> {
    let mut greeting = vec![0xff, 0, 0, 0, 0, 0, 0, 0, 1, 0x7f, 3, minor];
    greeting.extend_from_slice(mechanism);
    greeting.resize(32, 0);
    greeting.push(u8::from(as_server));
    greeting.resize(64, 0);
    greeting
}

/// A metadata property: name length (1 byte), name, value length (4 bytes), value.
pub fn property(name: &[u8], value: &[u8]) -> Vec<u8> {
    let mut out = vec![u8::try_from(name.len()).expect("short name")];
    out.extend_from_slice(name);
    out.extend_from_slice(&u32::try_from(value.len()).expect("value size").to_be_bytes());
    out.extend_from_slice(value);
    out
}

/// A READY command body for a socket of type `socket_type` with more properties.
pub fn ready(socket_type: &str, extra: &[(&[u8], &[u8])]) -> Vec<u8> {
    let mut body = b"\x05READY".to_vec();
    body.extend(property(b"Socket-Type", socket_type.as_bytes()));
    for (name, value) in extra {
        body.extend(property(name, value));
    }
    body
}

/// A ZMTP 2.0/3.x frame: the short form up to 255 bytes, else the long one.
pub fn frame(flags: u8, body: &[u8]) -> Vec<u8> {
    let mut out = match u8::try_from(body.len()) {
        Ok(size) => vec![flags, size],
        Err(_) => long_header(flags, body.len() as u64),
    };
    out.extend_from_slice(body);
    out
}

/// The header of a long frame announcing `size` body bytes (which may be a lie).
pub fn long_header(flags: u8, size: u64) -> Vec<u8> {
    let mut out = vec![flags | 0x02];
    out.extend_from_slice(&size.to_be_bytes());
    out
}

/// A ZMTP 1.0 frame: length (counting the flags byte) in one byte, or 0xFF and
/// eight bytes; flags; body.
pub fn v1_frame(more: bool, body: &[u8]) -> Vec<u8> {
    let length = body.len() as u64 + 1;
    let mut out = match u8::try_from(length) {
        Ok(short) if short != 0xff => vec![short],
        _ => [&[0xff][..], &length.to_be_bytes()].concat(),
    };
    out.push(u8::from(more));
    out.extend_from_slice(body);
    out
}

/// A raw peer on one TCP connection.
pub struct Peer {
    pub stream: TcpStream,
}

impl Peer {
    /// Connects to `tcp://host:port`; reads and writes give up after 5 s.
    pub fn connect(endpoint: &str) -> Peer {
        Peer::over(TcpStream::connect(crate::tcp_address(endpoint)).expect("tcp connect"))
    }

    pub fn over(stream: TcpStream) -> Peer {
        stream.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        stream.set_write_timeout(Some(Duration::from_secs(5))).unwrap();
        stream.set_nodelay(true).unwrap();
        Peer { stream }
    }

    /// Writes everything, ignoring failures (a hostile peer does not care whether
    /// it was hung up on).
    pub fn send_raw(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.stream.write_all(bytes)
    }

    pub fn write_frame(&mut self, flags: u8, body: &[u8]) {
        self.stream.write_all(&frame(flags, body)).expect("frame written");
    }

    /// The next ZMTP 2.0/3.x frame: flags and body.
    pub fn read_frame(&mut self) -> io::Result<(u8, Vec<u8>)> {
        let mut flags = [0; 1];
        self.stream.read_exact(&mut flags)?;
        let size = if flags[0] & 0x02 != 0 {
            let mut size = [0; 8];
            self.stream.read_exact(&mut size)?;
            u64::from_be_bytes(size) as usize
        } else {
            let mut size = [0; 1];
            self.stream.read_exact(&mut size)?;
            usize::from(size[0])
        };
        if size > 1 << 28 {
            return Err(io::Error::other(format!("a {size}-byte frame")));
        }
        let mut body = vec![0; size];
        self.stream.read_exact(&mut body)?;
        Ok((flags[0], body))
    }

    /// The greeting exchange and NULL READYs, as a ZMTP 3.1 peer of type
    /// `socket_type` (with `extra` properties); returns the other side's READY.
    /// Works from either end: both sides speak at once.
    pub fn null_handshake(&mut self, socket_type: &str, extra: &[(&[u8], &[u8])]) -> Vec<u8> {
        self.stream.write_all(&greeting(1, b"NULL", false)).expect("greeting written");
        let mut theirs = [0; 64];
        self.stream.read_exact(&mut theirs).expect("their greeting");
        assert_eq!((theirs[0], theirs[9], theirs[10]), (0xff, 0x7f, 3), "a ZMTP 3 greeting");
        assert_eq!(&theirs[12..16], b"NULL");
        self.write_frame(0x04, &ready(socket_type, extra));
        let (flags, body) = self.read_frame().expect("their READY");
        assert_eq!((flags, &body[..6]), (0x04, &b"\x05READY"[..]));
        body
    }

    /// A ZMTP 2.0 greeting (revision 1, our socket type number) and our empty
    /// identity message; returns after reading the other side's greeting.
    pub fn v2_handshake(&mut self, socket_type: u8) {
        let mut greeting = vec![0xff, 0, 0, 0, 0, 0, 0, 0, 1, 0x7f, 1, socket_type];
        greeting.extend_from_slice(&[0, 0]);
        self.stream.write_all(&greeting).expect("greeting written");
        let mut theirs = [0; 12];
        self.stream.read_exact(&mut theirs).expect("their greeting");
        // Major version 3, then (for a revision 1 peer) its socket type: libzmq's
        // answer to ZMTP 2.0.
        assert_eq!((theirs[0], theirs[9], theirs[10]), (0xff, 0x7f, 3), "a ZMTP 2.0 answer");
    }

    /// Whether the other side ends the connection (EOF or reset) within `timeout`;
    /// what it sends meanwhile is discarded.
    pub fn closed_within(&mut self, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        let mut sink = [0u8; 65536];
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return false;
            }
            self.stream.set_read_timeout(Some(left)).unwrap();
            match self.stream.read(&mut sink) {
                Ok(0) => return true,
                Ok(_) => {}
                Err(error) if matches!(error.kind(), io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut) => {
                    return false
                }
                Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
                Err(_) => return true,
            }
        }
    }

    /// Whether the connection is still open after `quiet`: nothing but silence or
    /// data came (no EOF, no reset).
    pub fn open_after(&mut self, quiet: Duration) -> bool {
        !self.closed_within(quiet)
    }
}

fn seal(their_public: &[u8; 32], our_secret: &[u8; 32], nonce: &[u8], plaintext: &[u8]) -> Vec<u8> {
    SalsaBox::new(&PublicKey::from(*their_public), &SecretKey::from(*our_secret))
        .encrypt(GenericArray::from_slice(nonce), plaintext)
        .expect("sealed")
}

fn open(their_public: &[u8; 32], our_secret: &[u8; 32], nonce: &[u8], boxed: &[u8]) -> Vec<u8> {
    SalsaBox::new(&PublicKey::from(*their_public), &SecretKey::from(*our_secret))
        .decrypt(GenericArray::from_slice(nonce), boxed)
        .expect("a box that opens")
}

fn nonce(prefix: &[u8], suffix: &[u8]) -> Vec<u8> {
    [prefix, suffix].concat()
}

pub fn keypair() -> ([u8; 32], [u8; 32]) {
    zmq::util::curve_keys::generate_keypair()
}

/// A CurveZMQ client (RFC 26) by hand, stopped after WELCOME so that the test
/// decides what its INITIATE carries.
pub struct CurveClient {
    pub peer: Peer,
    public: [u8; 32],
    secret: [u8; 32],
    short_public: [u8; 32],
    short_secret: [u8; 32],
    server_public: [u8; 32],
    server_short: [u8; 32],
    cookie: Vec<u8>,
    nonce: u64,
}

impl CurveClient {
    /// Greeting, HELLO, WELCOME: ready to initiate.
    pub fn welcomed(endpoint: &str, server_public: &[u8; 32]) -> CurveClient {
        let mut peer = Peer::connect(endpoint);
        peer.stream.write_all(&greeting(0, b"CURVE", false)).unwrap();
        let mut theirs = [0; 64];
        peer.stream.read_exact(&mut theirs).expect("their greeting");
        assert_eq!(&theirs[12..17], b"CURVE");
        let (public, secret) = keypair();
        let (short_public, short_secret) = keypair();
        let mut hello = b"\x05HELLO\x01\x00".to_vec();
        hello.resize(8 + 72, 0);
        hello.extend_from_slice(&short_public);
        let short_nonce = 1u64.to_be_bytes();
        hello.extend_from_slice(&short_nonce);
        hello.extend(seal(server_public, &short_secret, &nonce(b"CurveZMQHELLO---", &short_nonce), &[0; 64]));
        assert_eq!(hello.len(), 200);
        peer.write_frame(0x04, &hello);
        let (_, welcome) = peer.read_frame().expect("WELCOME");
        assert_eq!(&welcome[..8], b"\x07WELCOME");
        let plaintext =
            open(server_public, &short_secret, &nonce(b"WELCOME-", &welcome[8..24]), &welcome[24..]);
        let server_short: [u8; 32] = plaintext[..32].try_into().unwrap();
        CurveClient {
            peer,
            public,
            secret,
            short_public,
            short_secret,
            server_public: *server_public,
            server_short,
            cookie: plaintext[32..].to_vec(),
            nonce: 2,
        }
    }

    /// The INITIATE body whose box ends with `metadata` (any bytes at all).
    pub fn initiate(&mut self, metadata: &[u8]) -> Vec<u8> {
        let vouch_nonce = [7u8; 16];
        let vouch = seal(
            &self.server_short,
            &self.secret,
            &nonce(b"VOUCH---", &vouch_nonce),
            &[&self.short_public[..], &self.server_public[..]].concat(),
        );
        let mut plaintext = self.public.to_vec();
        plaintext.extend_from_slice(&vouch_nonce);
        plaintext.extend(vouch);
        plaintext.extend_from_slice(metadata);
        let short_nonce = self.nonce.to_be_bytes();
        self.nonce += 1;
        let mut body = b"\x08INITIATE".to_vec();
        body.extend_from_slice(&self.cookie);
        body.extend_from_slice(&short_nonce);
        body.extend(seal(
            &self.server_short,
            &self.short_secret,
            &nonce(b"CurveZMQINITIATE", &short_nonce),
            &plaintext,
        ));
        body
    }

    /// Reads the server's READY; its properties.
    pub fn read_ready(&mut self) -> io::Result<Vec<u8>> {
        let (_, ready) = self.peer.read_frame()?;
        if !ready.starts_with(b"\x05READY") {
            return Err(io::Error::other(format!("not READY: {:?}", &ready[..ready.len().min(16)])));
        }
        Ok(open(
            &self.server_short,
            &self.short_secret,
            &nonce(b"CurveZMQREADY---", &ready[6..14]),
            &ready[14..],
        ))
    }

    /// One MESSAGE frame carrying `data` (no MORE).
    pub fn message(&mut self, data: &[u8]) -> Vec<u8> {
        let short_nonce = self.nonce.to_be_bytes();
        self.nonce += 1;
        let mut body = b"\x07MESSAGE".to_vec();
        body.extend_from_slice(&short_nonce);
        body.extend(seal(
            &self.server_short,
            &self.short_secret,
            &nonce(b"CurveZMQMESSAGEC", &short_nonce),
            &[&[0u8][..], data].concat(),
        ));
        frame(0, &body)
    }
}

/// A ZAP handler (RFC 27) on its own thread that answers every request with 200
/// until dropped; counts the requests.
pub struct ZapHandler {
    stop: Arc<AtomicBool>,
    thread: Option<thread::JoinHandle<usize>>,
}

impl ZapHandler {
    pub fn start(context: &Context) -> ZapHandler {
        let handler = socket(context, ZMQ_REP);
        handler.set_option(ZMQ_RCVTIMEO, Some(&int(50))).unwrap();
        handler.bind("inproc://zeromq.zap.01").unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let stopping = Arc::clone(&stop);
        let thread = thread::spawn(move || {
            let mut answered = 0;
            while !stopping.load(Ordering::Relaxed) {
                let mut request = Vec::new();
                loop {
                    match handler.recv(0) {
                        Ok(part) => {
                            let more = part.more();
                            request.push(part.data().to_vec());
                            if !more {
                                break;
                            }
                        }
                        Err(Errno::EAGAIN) if request.is_empty() => break,
                        Err(Errno::EAGAIN) => {}
                        Err(_) => return answered,
                    }
                }
                if request.len() < 2 {
                    continue;
                }
                let reply: [&[u8]; 6] = [b"1.0", &request[1], b"200", b"OK", b"user", b""];
                for (index, part) in reply.iter().enumerate() {
                    let flags = if index + 1 < reply.len() { ZMQ_SNDMORE } else { 0 };
                    let _ = handler.send(&mut Msg::from_slice(part).unwrap(), flags);
                }
                answered += 1;
            }
            handler.close();
            answered
        });
        ZapHandler { stop, thread: Some(thread) }
    }

    /// Stops the handler; how many requests it answered.
    pub fn stop(mut self) -> usize {
        self.stop.store(true, Ordering::Relaxed);
        self.thread.take().map(|thread| thread.join().expect("zap handler")).unwrap_or(0)
    }
}

impl Drop for ZapHandler {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
