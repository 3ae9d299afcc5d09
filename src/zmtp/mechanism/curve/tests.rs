//! CURVE client and server against each other in memory, with fixed long-term keys
//! and a reproducible random source. Expected commands are rebuilt here byte by
//! byte with the `crypto_box` crate's own `SalsaBox`, independently of ours.

use crypto_box::aead::generic_array::GenericArray;
use crypto_box::aead::{Aead, KeyInit};
use crypto_box::{PublicKey, SalsaBox, SecretKey};
use crypto_secretbox::XSalsa20Poly1305;

use super::crypto::{self, public_key, BoxKey, Key};
use super::{Client, ClientKeys, Server};
use crate::constants::{ZMQ_DEALER, ZMQ_PUSH, ZMQ_ROUTER};
use crate::msg::{Flags, Msg};
use crate::zmtp::error::{ProtocolError, ZapError};
use crate::zmtp::mechanism::{basic_properties, Codec, Mechanism, Setup};
use crate::zmtp::random::testing::{Broken, Counter};
use crate::zmtp::random::{self, RandomSource};
use crate::zmtp::zap::{self, Credentials};
use crate::zmtp::{frame, Config};

const SERVER_SECRET: Key = [0x53; 32];
const CLIENT_SECRET: Key = [0x43; 32];
const CLIENT_SEED: u64 = 1;
const SERVER_SEED: u64 = 2;

fn server_public() -> Key {
    public_key(&SERVER_SECRET)
}

fn client_public() -> Key {
    public_key(&CLIENT_SECRET)
}

fn setup(socket_type: i32, zap_handler: bool) -> Setup {
    let mut config = Config::new(socket_type);
    config.routing_id = b"rid".to_vec();
    config.metadata = vec![("X-Test".to_owned(), b"yes".to_vec())];
    config.zap_handler = zap_handler;
    Setup { socket_type, properties: basic_properties(&config), zap: zap::Policy::new(&config) }
}

fn client_with(server_key: Key, random: Box<dyn RandomSource>) -> Client {
    let keys = ClientKeys { public: client_public(), secret: CLIENT_SECRET, server: server_key };
    Client::new(setup(ZMQ_DEALER, false), keys, random)
}

fn client() -> Client {
    client_with(server_public(), Box::new(Counter(CLIENT_SEED)))
}

fn server_with(zap_handler: bool) -> Server {
    Server::new(setup(ZMQ_ROUTER, zap_handler), SERVER_SECRET, Box::new(Counter(SERVER_SEED)))
}

fn server() -> Server {
    server_with(false)
}

/// The random draws a source seeded with `seed` makes, in order.
fn draws<const N: usize>(counter: &mut Counter) -> [u8; N] {
    random::bytes(counter).unwrap()
}

fn salsa_box(their_public: &Key, our_secret: &Key, nonce: &[u8], plaintext: &[u8]) -> Vec<u8> {
    SalsaBox::new(&PublicKey::from(*their_public), &SecretKey::from(*our_secret))
        .encrypt(GenericArray::from_slice(nonce), plaintext)
        .unwrap()
}

fn salsa_open(their_public: &Key, our_secret: &Key, nonce: &[u8], boxed: &[u8]) -> Vec<u8> {
    SalsaBox::new(&PublicKey::from(*their_public), &SecretKey::from(*our_secret))
        .decrypt(GenericArray::from_slice(nonce), boxed)
        .unwrap()
}

fn full_nonce(prefix: &[u8], suffix: &[u8]) -> Vec<u8> {
    [prefix, suffix].concat()
}

fn command(mechanism: &mut dyn Mechanism) -> Vec<u8> {
    mechanism.next_handshake_command().unwrap().unwrap()
}

/// The keys and nonces both sides draw, reproduced.
struct Draws {
    client_short_secret: Key,
    vouch_nonce: [u8; 16],
    server_short_secret: Key,
    cookie_nonce: [u8; 16],
    cookie_key: Key,
    welcome_nonce: [u8; 16],
}

fn expected_draws() -> Draws {
    let mut client = Counter(CLIENT_SEED);
    let mut server = Counter(SERVER_SEED);
    Draws {
        client_short_secret: draws(&mut client),
        vouch_nonce: draws(&mut client),
        server_short_secret: draws(&mut server),
        cookie_nonce: draws(&mut server),
        cookie_key: draws(&mut server),
        welcome_nonce: draws(&mut server),
    }
}

/// Runs the handshake through to both sides ready; returns the commands sent.
struct Transcript {
    hello: Vec<u8>,
    welcome: Vec<u8>,
    initiate: Vec<u8>,
    ready: Vec<u8>,
}

fn run(client: &mut Client, server: &mut Server) -> Transcript {
    let hello = command(client);
    server.process_handshake_command(&hello).unwrap();
    let welcome = command(server);
    client.process_handshake_command(&welcome).unwrap();
    let initiate = command(client);
    server.process_handshake_command(&initiate).unwrap();
    if let Some(request) = server.zap_request() {
        assert_eq!(request, Credentials { mechanism: b"CURVE", frames: vec![client_public().to_vec()] });
        server.zap_reply(zap::Status::Accepted).unwrap();
    }
    let ready = command(server);
    assert!(server.is_ready());
    client.process_handshake_command(&ready).unwrap();
    assert!(client.is_ready());
    Transcript { hello, welcome, initiate, ready }
}

fn connected() -> (Box<dyn Codec>, Box<dyn Codec>) {
    let (mut client, mut server) = (client(), server());
    run(&mut client, &mut server);
    (client.take_codec().unwrap(), server.take_codec().unwrap())
}

#[test]
fn every_command_is_byte_exact() {
    let d = expected_draws();
    let client_short_public = public_key(&d.client_short_secret);
    let server_short_public = public_key(&d.server_short_secret);
    let (mut client, mut server) = (client(), server());
    let t = run(&mut client, &mut server);

    // HELLO
    let mut hello = b"\x05HELLO\x01\x00".to_vec();
    hello.extend([0; 72]);
    hello.extend(client_short_public);
    hello.extend(1u64.to_be_bytes());
    let hello_nonce = full_nonce(b"CurveZMQHELLO---", &1u64.to_be_bytes());
    hello.extend(salsa_box(&server_public(), &d.client_short_secret, &hello_nonce, &[0; 64]));
    assert_eq!(t.hello.len(), 200);
    assert_eq!(t.hello, hello);

    // WELCOME, with the cookie inside
    let cookie_plaintext = [client_short_public, d.server_short_secret].concat();
    let cookie_box = XSalsa20Poly1305::new(GenericArray::from_slice(&d.cookie_key))
        .encrypt(GenericArray::from_slice(&full_nonce(b"COOKIE--", &d.cookie_nonce)), &cookie_plaintext[..])
        .unwrap();
    assert_eq!(cookie_box.len(), 80);
    let cookie = [&d.cookie_nonce[..], &cookie_box].concat();
    let welcome_plaintext = [&server_short_public[..], &cookie].concat();
    let mut welcome = b"\x07WELCOME".to_vec();
    welcome.extend(d.welcome_nonce);
    let welcome_nonce = full_nonce(b"WELCOME-", &d.welcome_nonce);
    welcome.extend(salsa_box(&client_short_public, &SERVER_SECRET, &welcome_nonce, &welcome_plaintext));
    assert_eq!(t.welcome.len(), 168);
    assert_eq!(t.welcome, welcome);

    // INITIATE, with the vouch inside
    let vouch_plaintext = [client_short_public, server_public()].concat();
    let vouch_nonce = full_nonce(b"VOUCH---", &d.vouch_nonce);
    let vouch = salsa_box(&server_short_public, &CLIENT_SECRET, &vouch_nonce, &vouch_plaintext);
    let properties = b"\x0bSocket-Type\0\0\0\x06DEALER\x08Identity\0\0\0\x03rid\x06X-Test\0\0\0\x03yes";
    let initiate_plaintext = [&client_public()[..], &d.vouch_nonce, &vouch, properties].concat();
    let mut initiate = b"\x08INITIATE".to_vec();
    initiate.extend(&cookie);
    initiate.extend(2u64.to_be_bytes());
    let initiate_nonce = full_nonce(b"CurveZMQINITIATE", &2u64.to_be_bytes());
    initiate.extend(salsa_box(
        &server_short_public,
        &d.client_short_secret,
        &initiate_nonce,
        &initiate_plaintext,
    ));
    assert_eq!(t.initiate.len(), 257 + properties.len());
    assert_eq!(t.initiate, initiate);

    // READY
    let properties = b"\x0bSocket-Type\0\0\0\x06ROUTER\x08Identity\0\0\0\x03rid\x06X-Test\0\0\0\x03yes";
    let mut ready = b"\x05READY".to_vec();
    ready.extend(1u64.to_be_bytes());
    let ready_nonce = full_nonce(b"CurveZMQREADY---", &1u64.to_be_bytes());
    ready.extend(salsa_box(&client_short_public, &d.server_short_secret, &ready_nonce, properties));
    assert_eq!(t.ready, ready);

    assert_eq!(server.peer_properties()[0], ("Socket-Type".to_owned(), b"DEALER".to_vec()));
    assert_eq!(server.peer_properties()[2], ("X-Test".to_owned(), b"yes".to_vec()));
    assert_eq!(client.peer_properties()[0], ("Socket-Type".to_owned(), b"ROUTER".to_vec()));

    // MESSAGE: client nonces go on from 3, the server's from 2; no frame flags.
    let mut client_codec = client.take_codec().unwrap();
    let mut out = Vec::new();
    client_codec.encode(&mut out, true, false, b"", b"hello").unwrap();
    let mut expected = vec![0, 8 + 8 + 16 + 1 + 5];
    expected.extend(b"\x07MESSAGE");
    expected.extend(3u64.to_be_bytes());
    let nonce = full_nonce(b"CurveZMQMESSAGEC", &3u64.to_be_bytes());
    expected.extend(salsa_box(&server_short_public, &d.client_short_secret, &nonce, b"\x01hello"));
    assert_eq!(out, expected);
    let mut server_codec = server.take_codec().unwrap();
    out.clear();
    server_codec.encode(&mut out, false, true, b"", b"\x04PING\0\x01").unwrap();
    let boxed = &out[2 + 16..];
    let nonce = full_nonce(b"CurveZMQMESSAGES", &2u64.to_be_bytes());
    assert_eq!(&out[2..18], &[&b"\x07MESSAGE"[..], &2u64.to_be_bytes()].concat()[..]);
    assert_eq!(
        salsa_open(&server_short_public, &d.client_short_secret, &nonce, boxed),
        b"\x02\x04PING\0\x01"
    );
}

/// A received frame body, as the connection's decoder would hand it over.
fn frame_body(out: &[u8]) -> Msg {
    let header = if out[0] & 2 != 0 { 9 } else { 2 };
    Msg::from_slice(&out[header..]).unwrap()
}

fn encode(codec: &mut dyn Codec, more: bool, command: bool, body: &[u8]) -> Msg {
    let mut out = Vec::new();
    codec.encode(&mut out, more, command, b"", body).unwrap();
    frame_body(&out)
}

#[test]
fn messages_round_trip_with_flags() {
    let (mut client, mut server) = connected();
    let large: Vec<u8> = (0..(1 << 20) + 7).map(|i| i as u8).collect();
    let cases: [(bool, bool, &[u8]); 5] = [
        (false, false, b""),
        (true, false, b"part"),
        (false, true, b"\x04PING\0\0"),
        (true, true, b"x"),
        (false, false, &large),
    ];
    for (more, command, body) in cases {
        let received = server.decode(encode(client.as_mut(), more, command, body)).unwrap();
        assert_eq!(received.data(), body);
        assert_eq!(received.more(), more);
        assert_eq!(received.flags().contains(Flags::COMMAND), command);
        let received = client.decode(encode(server.as_mut(), more, command, body)).unwrap();
        assert_eq!(received.data(), body);
        assert_eq!(received.more(), more);
    }
    // A legacy subscription prefix travels inside the box.
    let mut out = Vec::new();
    client.encode(&mut out, false, false, &[1], b"topic").unwrap();
    assert_eq!(server.decode(frame_body(&out)).unwrap().data(), b"\x01topic");
    // Large frames come as their own storage and are decrypted in place.
    let mut out = Vec::new();
    client.encode(&mut out, false, false, b"", &large).unwrap();
    let frame = Msg::from_vec(out[9..].to_vec());
    let before = frame.data().as_ptr();
    let received = server.decode(frame).unwrap();
    assert_eq!(received.data().as_ptr(), before.wrapping_add(33));
    // A shared frame is copied, not written.
    let mut out = Vec::new();
    client.encode(&mut out, false, false, b"", &[7; 100]).unwrap();
    let mut frame = frame_body(&out);
    frame.set_more(true);
    let copy = frame.share();
    let received = server.decode(frame).unwrap();
    assert_eq!(received.data(), &[7; 100]);
    // The frame's own MORE is kept, as libzmq ORs the boxed flags onto it.
    assert!(received.more());
    assert_eq!(&copy.data()[..8], b"\x07MESSAGE");
}

#[test]
fn replayed_and_reordered_messages_fail() {
    let (mut client, mut server) = connected();
    let first = encode(client.as_mut(), false, false, b"1");
    let mut replay = Msg::from_slice(first.data()).unwrap();
    server.decode(first).unwrap();
    assert_eq!(server.decode(replay.take()).unwrap_err(), ProtocolError::InvalidSequence);

    let (mut client, mut server) = connected();
    let first = encode(client.as_mut(), false, false, b"1");
    let second = encode(client.as_mut(), false, false, b"2");
    server.decode(second).unwrap();
    assert_eq!(server.decode(first).unwrap_err(), ProtocolError::InvalidSequence);

    // The INITIATE nonce (2) counts too: a MESSAGE numbered 2 is a replay.
    let (mut client, mut server) = connected();
    let mut frame = encode(client.as_mut(), false, false, b"x").data().to_vec();
    frame[8..16].copy_from_slice(&2u64.to_be_bytes());
    assert_eq!(server.decode(Msg::from_vec(frame)).unwrap_err(), ProtocolError::InvalidSequence);
}

#[test]
fn damaged_messages_fail() {
    let (mut client, mut server) = connected();
    let good = encode(client.as_mut(), false, false, b"payload").data().to_vec();
    let check = |server: &mut Box<dyn Codec>, bytes: &[u8]| {
        server.decode(Msg::from_slice(bytes).unwrap()).unwrap_err()
    };
    assert_eq!(check(&mut server, b""), ProtocolError::MalformedCommand);
    assert_eq!(check(&mut server, b"\x07MESSAG"), ProtocolError::MalformedCommand);
    assert_eq!(check(&mut server, b"\x07MASSAGE"), ProtocolError::UnexpectedCommand);
    assert_eq!(check(&mut server, &good[..32]), ProtocolError::MalformedMessage);
    let mut tampered = good.clone();
    *tampered.last_mut().unwrap() ^= 1;
    assert_eq!(check(&mut server, &tampered), ProtocolError::Cryptographic);
    assert_eq!(check(&mut server, &good[..good.len() - 1]), ProtocolError::Cryptographic);
    // Still usable for the genuine frame: failures do not move the nonce.
    assert_eq!(server.decode(Msg::from_slice(&good).unwrap()).unwrap().data(), b"payload");
    // A message from the client to itself (wrong direction prefix) does not open.
    let mut client_to_client = connected().0;
    assert_eq!(check(&mut client_to_client, &good), ProtocolError::Cryptographic);
}

#[test]
fn wrong_server_key_fails_at_hello() {
    let mut client = client_with(public_key(&[9; 32]), Box::new(Counter(CLIENT_SEED)));
    let mut server = server();
    let hello = command(&mut client);
    assert_eq!(server.process_handshake_command(&hello), Err(ProtocolError::Cryptographic));
    // A server key of small order cannot even make HELLO.
    let mut client = client_with([0; 32], Box::new(Counter(CLIENT_SEED)));
    assert_eq!(client.next_handshake_command(), Err(ProtocolError::Cryptographic));
    // Nor can a client without randomness.
    let mut client = client_with(server_public(), Box::new(Broken));
    assert_eq!(client.next_handshake_command(), Err(ProtocolError::Cryptographic));
}

#[test]
fn malformed_hellos() {
    let hello = command(&mut client());
    let mut cases: Vec<(Vec<u8>, ProtocolError)> = vec![
        (b"\x05HELL".to_vec(), ProtocolError::MalformedCommand),
        (b"\x05WORLD!".to_vec(), ProtocolError::UnexpectedCommand),
        (b"\x05ERROR\x00".to_vec(), ProtocolError::UnexpectedCommand),
        (hello[..199].to_vec(), ProtocolError::MalformedHello),
        ([&hello[..], &[0]].concat(), ProtocolError::MalformedHello),
        (b"\x05HELLO".to_vec(), ProtocolError::MalformedHello),
    ];
    let mut version = hello.clone();
    version[6] = 2;
    cases.push((version, ProtocolError::MalformedHello));
    let mut minor = hello.clone();
    minor[7] = 1;
    cases.push((minor, ProtocolError::MalformedHello));
    for at in [80, 112, 120, 199] {
        let mut tampered = hello.clone();
        tampered[at] ^= 1;
        cases.push((tampered, ProtocolError::Cryptographic));
    }
    for (body, error) in cases {
        assert_eq!(server().process_handshake_command(&body), Err(error), "{:?}", &body[..body.len().min(8)]);
    }
    // Padding is not checked, as in libzmq.
    let mut padding = hello.clone();
    padding[40] = 1;
    assert_eq!(server().process_handshake_command(&padding), Ok(()));
}

/// A server that has sent WELCOME, and the client that got it.
fn welcomed() -> (Client, Server) {
    let (mut client, mut server) = (client(), server());
    let hello = command(&mut client);
    server.process_handshake_command(&hello).unwrap();
    let welcome = command(&mut server);
    client.process_handshake_command(&welcome).unwrap();
    (client, server)
}

#[test]
fn malformed_initiates() {
    let initiate = command(&mut welcomed().0);
    let mut cases: Vec<(Vec<u8>, ProtocolError)> = vec![
        (b"\x08INITIAT".to_vec(), ProtocolError::MalformedCommand),
        (b"\x08INITIALS".to_vec(), ProtocolError::UnexpectedCommand),
        (initiate[..256].to_vec(), ProtocolError::MalformedInitiate),
        (initiate[..initiate.len() - 1].to_vec(), ProtocolError::Cryptographic),
    ];
    // Cookie nonce, cookie box, short nonce, box.
    for at in [9, 30, 104, 105, 113, 250] {
        let mut tampered = initiate.clone();
        tampered[at] ^= 1;
        cases.push((tampered, ProtocolError::Cryptographic));
    }
    for (body, error) in cases {
        let (_, mut server) = welcomed();
        assert_eq!(server.process_handshake_command(&body), Err(error), "{}", body.len());
    }
    // A HELLO again is not an INITIATE.
    let (mut client, mut server) = (client(), server());
    let hello = command(&mut client);
    server.process_handshake_command(&hello).unwrap();
    command(&mut server);
    assert_eq!(server.process_handshake_command(&hello), Err(ProtocolError::UnexpectedCommand));
}

/// An INITIATE made by hand, with its parts under the test's control.
fn forged_initiate(vouched_key: &Key, properties: &[u8], welcome: &[u8]) -> Vec<u8> {
    let d = expected_draws();
    let client_short_public = public_key(&d.client_short_secret);
    let plaintext = BoxKey::agree(&server_public(), &d.client_short_secret)
        .unwrap()
        .open(&crypto::nonce(b"WELCOME-", &welcome[8..24]), &welcome[24..])
        .unwrap();
    let server_short_public: Key = plaintext[..32].try_into().unwrap();
    let cookie = &plaintext[32..];
    let vouch = salsa_box(
        &server_short_public,
        &CLIENT_SECRET,
        &full_nonce(b"VOUCH---", &[5; 16]),
        &[&vouched_key[..], &server_public()].concat(),
    );
    let inner = [&client_public()[..], &[5; 16], &vouch, properties].concat();
    let nonce = full_nonce(b"CurveZMQINITIATE", &2u64.to_be_bytes());
    let boxed = salsa_box(&server_short_public, &d.client_short_secret, &nonce, &inner);
    assert_eq!(client_short_public, public_key(&d.client_short_secret));
    [&b"\x08INITIATE"[..], cookie, &2u64.to_be_bytes(), &boxed].concat()
}

#[test]
fn vouch_and_metadata_are_checked() {
    let welcome_of = |server: &mut Server, client: &mut Client| {
        let hello = command(client);
        server.process_handshake_command(&hello).unwrap();
        command(server)
    };
    let client_short_public = public_key(&expected_draws().client_short_secret);
    let cases: [(Key, &[u8], Result<(), ProtocolError>); 4] = [
        (client_short_public, b"", Ok(())),
        ([7; 32], b"", Err(ProtocolError::KeyExchange)),
        (client_short_public, b"\x01", Err(ProtocolError::MalformedInitiateMetadata)),
        (
            client_short_public,
            b"\x0bSocket-Type\0\0\0\x04PUSH",
            Err(ProtocolError::IncompatibleSocketType(b"PUSH".to_vec())),
        ),
    ];
    for (vouched, properties, result) in cases {
        let (mut client, mut server) = (client(), server());
        let welcome = welcome_of(&mut server, &mut client);
        let initiate = forged_initiate(&vouched, properties, &welcome);
        assert_eq!(server.process_handshake_command(&initiate), result);
    }
}

#[test]
fn ready_and_error_on_the_client() {
    let ready_case = |mutate: &dyn Fn(&mut Vec<u8>)| {
        let (mut client, mut server) = welcomed();
        let initiate = command(&mut client);
        server.process_handshake_command(&initiate).unwrap();
        let mut ready = command(&mut server);
        mutate(&mut ready);
        client.process_handshake_command(&ready)
    };
    assert_eq!(ready_case(&|ready| ready.truncate(29)), Err(ProtocolError::MalformedCurveReady));
    assert_eq!(ready_case(&|ready| ready[20] ^= 1), Err(ProtocolError::Cryptographic));
    assert_eq!(ready_case(&|ready| ready[6] ^= 1), Err(ProtocolError::Cryptographic));
    assert_eq!(ready_case(&|_| ()), Ok(()));

    // READY before WELCOME cannot be opened.
    let mut client = client();
    command(&mut client);
    assert_eq!(client.process_handshake_command(b"\x05READY"), Err(ProtocolError::MalformedCurveReady));
    assert_eq!(
        client.process_handshake_command(&[&b"\x05READY"[..], &[0; 30]].concat()),
        Err(ProtocolError::Cryptographic)
    );
    // Bad WELCOMEs.
    let (mut client, mut server) = (self::client(), server());
    let hello = command(&mut client);
    server.process_handshake_command(&hello).unwrap();
    let welcome = command(&mut server);
    for body in [welcome[..167].to_vec(), [&welcome[..], &[0]].concat(), {
        let mut tampered = welcome.clone();
        tampered[100] ^= 1;
        tampered
    }] {
        let mut client = self::client();
        command(&mut client);
        assert_eq!(client.process_handshake_command(&body), Err(ProtocolError::Cryptographic));
    }
    client.process_handshake_command(&welcome).unwrap();
    assert_eq!(client.process_handshake_command(&welcome), Err(ProtocolError::UnexpectedCommand));
    // ERROR while waiting.
    let mut client = self::client();
    command(&mut client);
    assert_eq!(
        client.process_handshake_command(b"\x05ERROR\x03400"),
        Err(ProtocolError::PeerError(b"400".to_vec()))
    );
    let mut client = self::client();
    command(&mut client);
    assert_eq!(client.process_handshake_command(b"\x05ERROR\x05400"), Err(ProtocolError::MalformedError));
    let mut client = self::client();
    command(&mut client);
    assert_eq!(client.process_handshake_command(b"\x05HELLO"), Err(ProtocolError::UnexpectedCommand));
}

#[test]
fn client_metadata_in_ready_is_checked() {
    let (mut client, mut server) =
        (client(), Server::new(setup(ZMQ_PUSH, false), SERVER_SECRET, Box::new(Counter(SERVER_SEED))));
    let hello = command(&mut client);
    server.process_handshake_command(&hello).unwrap();
    let welcome = command(&mut server);
    client.process_handshake_command(&welcome).unwrap();
    let initiate = command(&mut client);
    // A PUSH server refuses a DEALER client (no event in libzmq).
    assert_eq!(
        server.process_handshake_command(&initiate),
        Err(ProtocolError::IncompatibleSocketType(b"DEALER".to_vec()))
    );
}

#[test]
fn zap_verdicts() {
    // Accepted: READY follows.
    let (mut client, mut server) = (client(), server_with(true));
    run(&mut client, &mut server);

    for (code, error) in
        [(300, None), (400, Some(&b"\x05ERROR\x03400"[..])), (500, Some(b"\x05ERROR\x03500"))]
    {
        let (mut client, mut server) = welcomed_with_zap();
        let initiate = command(&mut client);
        server.process_handshake_command(&initiate).unwrap();
        assert_eq!(server.next_handshake_command(), Ok(None));
        // Nothing more is accepted while ZAP decides.
        assert_eq!(server.process_handshake_command(&initiate), Err(ProtocolError::CommandOutOfSequence));
        assert_eq!(
            server.zap_reply(zap::Status::Accepted),
            Err(ProtocolError::ZapReply(ZapError::Unexpected))
        );
        server.zap_request().unwrap();
        assert_eq!(
            server.zap_reply(zap::Status::Refused(code)),
            Err(ProtocolError::AuthenticationFailed(code))
        );
        let sent = server.next_handshake_command().unwrap();
        assert_eq!(sent.as_deref(), error);
        if let Some(error) = sent {
            let refused = client.process_handshake_command(&error).unwrap_err();
            assert_eq!(refused.zap_status_code(), Some(i32::from(code)));
        }
        assert!(!server.is_ready() && server.take_codec().is_none());
    }
}

fn welcomed_with_zap() -> (Client, Server) {
    let (mut client, mut server) = (client(), server_with(true));
    let hello = command(&mut client);
    server.process_handshake_command(&hello).unwrap();
    let welcome = command(&mut server);
    client.process_handshake_command(&welcome).unwrap();
    (client, server)
}

#[test]
fn zap_enforcement_without_a_handler() {
    let mut config = Config::new(ZMQ_ROUTER);
    config.zap_domain = b"d".to_vec();
    config.zap_enforce_domain = true;
    let setup = Setup { socket_type: ZMQ_ROUTER, properties: Vec::new(), zap: zap::Policy::new(&config) };
    let mut server = Server::new(setup, SERVER_SECRET, Box::new(Counter(SERVER_SEED)));
    let mut client = client();
    let hello = command(&mut client);
    server.process_handshake_command(&hello).unwrap();
    let welcome = command(&mut server);
    client.process_handshake_command(&welcome).unwrap();
    let initiate = command(&mut client);
    assert_eq!(server.process_handshake_command(&initiate), Err(ProtocolError::NoZapHandler));
    // A server without randomness cannot answer HELLO.
    let mut server = Server::new(self::setup(ZMQ_ROUTER, false), SERVER_SECRET, Box::new(Broken));
    server.process_handshake_command(&hello).unwrap();
    assert_eq!(server.next_handshake_command(), Err(ProtocolError::Cryptographic));
}

#[test]
fn frames_from_the_encoder_parse_back() {
    // The frame header the codec writes is a normal ZMTP one (long form past 255).
    let (mut client, _) = connected();
    let mut out = Vec::new();
    client.encode(&mut out, true, false, b"", &[0; 300]).unwrap();
    let mut expected = Vec::new();
    frame::write_header(&mut expected, false, false, 33 + 300);
    assert_eq!(out[..9], expected[..]);
}
