//! Gets a NULL, PLAIN or CURVE server (talking to an honest client in memory) to
//! ask its ZAP handler, then hands it an arbitrary reply: nothing may panic, a
//! refused or malformed reply must fail the connection for good, and an accepted
//! one must complete the handshake with the reply's user id on received messages.
#![no_main]

use std::time::Instant;

use libfuzzer_sys::fuzz_target;
use zmq::constants::{ZMQ_DEALER, ZMQ_ROUTER};
use zmq::msg::Msg;
use zmq::util::curve_keys::public_key;
use zmq::zmtp::{Config, Connection, Event, ProtocolError, RandomSource, RandomUnavailable, Security};

/// Reproducible randomness for CURVE.
struct Seeded(u64);

impl RandomSource for Seeded {
    fn fill(&mut self, dest: &mut [u8]) -> Result<(), RandomUnavailable> {
        for byte in dest {
            self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            *byte = (self.0 >> 56) as u8;
        }
        Ok(())
    }
}

const SERVER_SECRET: [u8; 32] = [0x53; 32];
const CLIENT_SECRET: [u8; 32] = [0x43; 32];

fn pump(a: &mut Connection, b: &mut Connection, now: Instant) -> Result<(), ProtocolError> {
    loop {
        let ab = a.pending_output().to_vec();
        a.consume(ab.len());
        b.handle_input(&ab, now)?;
        let ba = b.pending_output().to_vec();
        b.consume(ba.len());
        a.handle_input(&ba, now)?;
        if ab.is_empty() && ba.is_empty() {
            return Ok(());
        }
    }
}

/// Frames from the input: a header byte (bit 7 MORE, bits 0-6 the length), then the
/// body, repeated.
fn frames(mut input: &[u8]) -> Vec<Msg> {
    let mut frames = Vec::new();
    while let Some((&header, rest)) = input.split_first() {
        let len = usize::from(header & 0x7f).min(rest.len());
        let (body, rest) = rest.split_at(len);
        let mut msg = Msg::from_vec(body.to_vec());
        msg.set_more(header & 0x80 != 0);
        frames.push(msg);
        input = rest;
    }
    frames
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, input)) = data.split_first() else { return };
    let now = Instant::now();
    let mut server_config = Config::new(ZMQ_ROUTER);
    server_config.zap_handler = true;
    server_config.zap_domain = b"domain".to_vec();
    let mut client_config = Config::new(ZMQ_DEALER);
    match selector % 3 {
        0 => {}
        1 => {
            server_config.security = Security::PlainServer;
            client_config.security =
                Security::PlainClient { username: b"admin".to_vec(), password: b"secret".to_vec() };
        }
        _ => {
            server_config.security = Security::CurveServer { secret_key: SERVER_SECRET };
            client_config.security = Security::CurveClient {
                public_key: public_key(&CLIENT_SECRET),
                secret_key: CLIENT_SECRET,
                server_key: public_key(&SERVER_SECRET),
            };
        }
    }
    let mut server = Connection::with_random(server_config, now, Box::new(Seeded(2)));
    let mut client = Connection::with_random(client_config, now, Box::new(Seeded(1)));
    assert!(pump(&mut client, &mut server, now).is_ok());
    let mut asked = false;
    while let Some(event) = server.poll_event() {
        asked |= matches!(event, Event::ZapRequest(_));
    }
    assert!(asked, "the server must ask ZAP");
    let reply = frames(input);
    let verdict = server.zap_reply(&reply, now);
    match &verdict {
        Ok(()) => {
            assert_eq!(reply.len(), 7);
            assert_eq!(reply[3].data(), b"200");
            assert!(pump(&mut client, &mut server, now).is_ok());
            assert!(client.is_ready() && server.is_ready());
            let mut msg = Msg::from_vec(b"x".to_vec());
            msg.set_more(false);
            assert!(client.send(msg).is_ok());
            assert!(pump(&mut client, &mut server, now).is_ok());
            let user_id = reply[5].data();
            let user_id = &user_id[..user_id.iter().position(|&b| b == 0).unwrap_or(user_id.len())];
            let received = std::iter::from_fn(|| server.poll_event()).find_map(|event| match event {
                Event::Message(msg) => Some(msg),
                _ => None,
            });
            let received = received.expect("the message must arrive");
            assert_eq!(received.property(b"User-Id").map(|v| v.to_bytes()).ok(), Some(user_id));
        }
        Err(ProtocolError::AuthenticationFailed(code)) => {
            assert!(matches!(code, 300 | 400 | 500));
            let output = server.pending_output();
            assert_eq!(output.is_empty(), *code == 300);
        }
        Err(ProtocolError::ZapReply(_)) => {}
        Err(other) => panic!("unexpected failure {other:?}"),
    }
    if let Err(error) = verdict {
        assert_eq!(server.zap_reply(&reply, now), Err(error.clone()));
        assert_eq!(server.handle_input(b"\0", now), Err(error));
    }
});
