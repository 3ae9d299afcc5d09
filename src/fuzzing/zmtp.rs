//! ZMTP below the mechanisms: a whole connection from the first byte, the greeting
//! alone, and the frame decoders (ZMTP 1.0 and 2.0/3.x framing).

use std::time::{Duration, Instant};

use super::Input;
use crate::constants::{ZMQ_PAIR, ZMQ_PUB, ZMQ_PULL, ZMQ_PUSH, ZMQ_SUB};
use crate::msg::{Flags, Msg};
use crate::zmtp::frame::{self, Decoder, Framing};
use crate::zmtp::greeting::{Greeting, Progress, Protocol, MECHANISM_NAME_SIZE};
use crate::zmtp::{v1, Config, Connection, ProtocolError, Security};

/// Arbitrary bytes, in arbitrary chunks, to a ZMTP connection as a peer would send
/// them from its first byte (so every version is reachable: unversioned 1.0, 1.0,
/// 2.0, 3.0 and 3.1, with their decoders, and the NULL handshake), with timers
/// firing in between. Nothing may panic; a failed connection stays failed; once
/// ready, a message can be sent.
///
/// Input: a selector byte (socket type in `% 5`; bit 3 a 64-byte `ZMQ_MAXMSGSIZE`;
/// bit 4 heartbeats every 10 ms; bits 5-7 the chunk size - 1), then the peer's bytes.
pub fn zmtp_connection(data: &[u8]) {
    let Some((&selector, mut input)) = data.split_first() else { return };
    let socket_type = [ZMQ_PAIR, ZMQ_PUSH, ZMQ_PULL, ZMQ_PUB, ZMQ_SUB][usize::from(selector % 5)];
    let mut config = Config::new(socket_type);
    if selector & 0x08 != 0 {
        config.max_msg_size = Some(64);
    }
    if selector & 0x10 != 0 {
        config.heartbeat_ivl = Some(Duration::from_millis(10));
    }
    let mut now = Instant::now();
    let mut connection = Connection::new(config, now);
    let chunk = usize::from(selector >> 5) + 1;
    let mut failed = false;
    while !input.is_empty() {
        let (head, rest) = input.split_at(chunk.min(input.len()));
        input = rest;
        let outcome = connection.handle_input(head, now);
        assert!(!(failed && outcome.is_ok()), "a failed connection came back");
        failed |= outcome.is_err();
        while connection.poll_event().is_some() {}
        let pending = connection.pending_output().len();
        connection.consume(pending);
        now += Duration::from_millis(3);
        if connection.poll_timeout().is_some_and(|at| at <= now) {
            let outcome = connection.handle_timeout(now);
            assert!(!(failed && outcome.is_ok()), "a failed connection came back");
            failed |= outcome.is_err();
        }
        assert!(!(connection.is_ready() && failed), "a failed connection is ready");
        if connection.is_ready() {
            let mut msg = Msg::from_vec(head.to_vec());
            msg.set_more(selector & 0x40 != 0);
            assert_eq!(connection.send(&msg), Ok(()));
        }
    }
}

/// The mechanism names a greeting may carry, padded.
fn mechanism_name(selector: u8) -> [u8; MECHANISM_NAME_SIZE] {
    let name: &[u8] = [&b"NULL"[..], b"PLAIN", b"CURVE"][usize::from(selector % 3)];
    let mut padded = [0; MECHANISM_NAME_SIZE];
    padded[..name.len()].copy_from_slice(name);
    padded
}

/// What one greeting exchange came to.
#[derive(Debug, PartialEq, Eq)]
struct GreetingRun {
    progress: Progress,
    /// What we sent.
    out: Vec<u8>,
    /// How many of the peer's bytes the greeting took.
    taken: usize,
}

/// Runs the greeting over `peer`, offering at most `chunk` bytes per read.
fn run_greeting(
    peer: &[u8],
    chunk: usize,
    routing_id_len: usize,
    socket_type: i32,
    mechanism: [u8; MECHANISM_NAME_SIZE],
) -> GreetingRun {
    let mut out = Vec::new();
    let mut greeting = Greeting::start(&mut out, routing_id_len, socket_type, mechanism);
    let mut progress = Progress::NeedMore;
    let mut taken = 0;
    while progress == Progress::NeedMore && taken < peer.len() {
        let space = greeting.unread_mut();
        assert!(!space.is_empty(), "a greeting in progress offers no space");
        let n = space.len().min(chunk).min(peer.len() - taken);
        space[..n].copy_from_slice(&peer[taken..taken + n]);
        progress = greeting.received(n, &mut out);
        taken += n;
    }
    assert_eq!(greeting.bytes(), &peer[..taken], "the greeting lost or invented bytes");
    GreetingRun { progress, out, taken }
}

/// The greeting and version negotiation alone, against a model of it. Whatever the
/// read sizes, the outcome and what we sent are the same; what we sent is exactly
/// our signature, then the major version, then the ZMTP 2.0 or 3.x remainder as the
/// peer's bytes call for; the protocol chosen is the one the peer's bytes name; and
/// a connection fed the same bytes reports that version.
///
/// Input: a selector byte (socket type `% 21`; bits 5-6 the mechanism; bits 0-2 and 7
/// the read size), our routing id's length, then the peer's bytes.
pub fn zmtp_greeting(data: &[u8]) {
    let mut input = Input(data);
    let selector = input.byte();
    let routing_id_len = usize::from(input.byte());
    let peer = input.rest();
    let socket_type = i32::from(selector % 21);
    let mechanism = mechanism_name(selector >> 5);
    let chunk = usize::from(selector & 7) * 9 + usize::from(selector >> 7) + 1;
    let bytewise = run_greeting(peer, 1, routing_id_len, socket_type, mechanism);
    let chunked = run_greeting(peer, chunk, routing_id_len, socket_type, mechanism);
    let whole = run_greeting(peer, usize::MAX, routing_id_len, socket_type, mechanism);
    assert_eq!(bytewise.progress, chunked.progress);
    assert_eq!(bytewise.progress, whole.progress);
    assert_eq!(bytewise.out, chunked.out);
    assert_eq!(bytewise.out, whole.out);
    // The model: what the peer's bytes name, and what we must have sent.
    let at = |i: usize| peer.get(i).copied();
    let unversioned = at(0).is_some_and(|b| b != 0xff) || at(9).is_some_and(|b| b & 1 == 0);
    let mut signature = vec![0xff];
    signature.extend_from_slice(&(routing_id_len as u64 + 1).to_be_bytes());
    signature.push(0x7f);
    let mut v2 = signature.clone();
    v2.extend_from_slice(&[3, socket_type as u8]);
    let mut v3 = signature.clone();
    v3.extend_from_slice(&[3, 1]);
    v3.extend_from_slice(&mechanism);
    v3.resize(64, 0);
    let expected = if unversioned {
        Progress::Done(Protocol::Zmtp10Unversioned)
    } else {
        match (at(10), at(11), peer.len()) {
            (Some(0), Some(_), _) => Progress::Done(Protocol::Zmtp10),
            (Some(1), Some(_), _) => Progress::Done(Protocol::Zmtp20),
            (Some(3), Some(0), 64..) => Progress::Done(Protocol::Zmtp30),
            (Some(_), Some(_), 64..) => Progress::Done(Protocol::Zmtp31),
            _ => Progress::NeedMore,
        }
    };
    assert_eq!(bytewise.progress, expected);
    let sent_expected: &[u8] = match expected {
        Progress::Done(Protocol::Zmtp10Unversioned) => &signature,
        Progress::Done(Protocol::Zmtp10 | Protocol::Zmtp20) => &v2,
        Progress::Done(Protocol::Zmtp30 | Protocol::Zmtp31) => &v3,
        Progress::NeedMore => match (peer.len(), at(10)) {
            (0..=9, _) => &signature,
            (10, _) => &v3[..11],
            (_, Some(0 | 1)) => &v2,
            _ => &v3,
        },
    };
    assert_eq!(bytewise.out, sent_expected);
    // The unversioned case may read ahead up to a whole signature; the others take
    // exactly the greeting.
    if let Progress::Done(protocol) = expected {
        if protocol != Protocol::Zmtp10Unversioned {
            assert_eq!(
                whole.taken,
                if matches!(protocol, Protocol::Zmtp10 | Protocol::Zmtp20) { 12 } else { 64 }
            );
        }
    }
    // A connection agrees on the version.
    let mut config = Config::new(socket_type);
    config.routing_id = vec![b'r'; routing_id_len];
    config.security = match selector >> 5 & 3 {
        1 => Security::PlainServer,
        2 => Security::CurveServer { secret_key: [7; 32] },
        _ => Security::Null,
    };
    let now = Instant::now();
    let mut connection = Connection::new(config, now);
    let _ = connection.handle_input(peer, now);
    let version = match expected {
        Progress::Done(protocol) => Some(protocol.version()),
        Progress::NeedMore => None,
    };
    assert_eq!(connection.peer_version(), version);
}

/// A frame as the decoder reports it: body, MORE, COMMAND.
type Frame = (Vec<u8>, bool, bool);

fn as_frame(msg: &Msg) -> Frame {
    (msg.data().to_vec(), msg.more(), msg.flags().contains(Flags::COMMAND))
}

/// A plain reading of the framing specifications (ZMTP 1.0 "Framing", ZMTP 2.0/3.x
/// "Framing"), independent of the decoder: the complete frames, then the error that
/// stopped it, if any.
fn reference_decode(
    framing: Framing,
    max: Option<u64>,
    mut input: &[u8],
) -> (Vec<Frame>, Option<ProtocolError>) {
    let mut frames = Vec::new();
    let be64 = |bytes: &[u8]| bytes.iter().fold(0u64, |acc, &b| acc << 8 | u64::from(b));
    loop {
        let (size, more, command, header) = match framing {
            Framing::V2 => {
                let Some(&flags) = input.first() else { break };
                let (size, header) = if flags & 2 != 0 {
                    match input.get(1..9) {
                        Some(size) => (be64(size), 9),
                        None => break,
                    }
                } else {
                    match input.get(1) {
                        Some(&size) => (u64::from(size), 2),
                        None => break,
                    }
                };
                (size, flags & 1 != 0, flags & 4 != 0, header)
            }
            Framing::V1 => {
                let Some(&first) = input.first() else { break };
                let (length, header) = if first == 0xff {
                    match input.get(1..9) {
                        Some(length) => (be64(length), 10),
                        None => break,
                    }
                } else {
                    (u64::from(first), 2)
                };
                let Some(&flags) = input.get(header - 1) else { break };
                let Some(size) = length.checked_sub(1) else {
                    return (frames, Some(ProtocolError::MalformedFrame));
                };
                (size, flags & 1 != 0, false, header)
            }
        };
        if max.is_some_and(|max| size > max) {
            return (frames, Some(ProtocolError::MessageTooLarge));
        }
        let Some(body) =
            usize::try_from(size).ok().and_then(|size| input.get(header..header.checked_add(size)?))
        else {
            break;
        };
        frames.push((body.to_vec(), more, command));
        input = &input[header + body.len()..];
    }
    (frames, None)
}

/// Decodes `input` with reads of at most `chunk` bytes, large bodies read directly
/// into their buffer as the connection does.
fn chunked_decode(
    framing: Framing,
    max: Option<u64>,
    input: &[u8],
    chunk: usize,
) -> (Vec<Frame>, Option<ProtocolError>) {
    let mut decoder = Decoder::new(framing, max);
    let mut frames = Vec::new();
    let mut rest = input;
    while !rest.is_empty() {
        if decoder.prepare_direct() {
            let space = decoder.direct_space();
            let n = space.len().min(chunk).min(rest.len());
            assert!(n > 0, "a direct read offers no space");
            space[..n].copy_from_slice(&rest[..n]);
            rest = &rest[n..];
            if let Some(msg) = decoder.direct_received(n) {
                frames.push(as_frame(&msg));
            }
            continue;
        }
        let (mut read, tail) = rest.split_at(chunk.min(rest.len()));
        rest = tail;
        while !read.is_empty() {
            match decoder.decode(read) {
                Err(error) => return (frames, Some(error)),
                Ok((used, frame)) => {
                    assert!(used <= read.len());
                    read = &read[used..];
                    if let Some(msg) = frame {
                        frames.push(as_frame(&msg));
                    } else if used == 0 {
                        panic!("the decoder made no progress");
                    }
                }
            }
        }
    }
    (frames, None)
}

/// The frame decoders (ZMTP 1.0, and 2.0/3.x with the command flag) against the
/// specifications: the same frames and the same error as a plain reading of the
/// framing rules, whatever the read sizes; and the frames, written back by our
/// encoder, decode to themselves.
///
/// Input: a selector byte (bit 0 ZMTP 1.0 framing; bit 1 a `ZMQ_MAXMSGSIZE` from the
/// next byte, times 67; bits 2-7 the read size), that byte if so, then the stream.
pub fn zmtp_decoder(data: &[u8]) {
    let mut input = Input(data);
    let selector = input.byte();
    let framing = if selector & 1 != 0 { Framing::V1 } else { Framing::V2 };
    let max = (selector & 2 != 0).then(|| u64::from(input.byte()) * 67);
    let stream = input.rest();
    let chunk = usize::from(selector >> 2) * 5 + 1;
    let expected = reference_decode(framing, max, stream);
    assert_eq!(chunked_decode(framing, max, stream, usize::MAX), expected);
    assert_eq!(chunked_decode(framing, max, stream, chunk), expected);
    // Written back canonically, the frames decode to themselves.
    let mut encoded = Vec::new();
    for (body, more, command) in &expected.0 {
        match framing {
            Framing::V2 => frame::write_header(&mut encoded, *more, *command, body.len()),
            Framing::V1 => v1::write_header(&mut encoded, *more, body.len()),
        }
        encoded.extend_from_slice(body);
    }
    assert_eq!(chunked_decode(framing, None, &encoded, chunk), (expected.0, None));
}
